"""SenderProfile, DeliveryProfile and SendClassification Creates: each missing property with its own code,
the defaults filled in, references that must exist; and the StatusMessage each behaving type writes."""

from __future__ import annotations

import pytest

from tests.soap_helpers import simple_filter, texts

SENDER = {"Name": "News", "FromName": "News desk", "FromAddress": "news@example.com"}


def _objects(type_name: str, props: dict[str, str]) -> str:
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in props.items())
    return f'<Objects xsi:type="{type_name}">{inner}</Objects>'


@pytest.mark.parametrize(("type_name", "props", "code", "message"), [
    ("SenderProfile", {**SENDER, "Name": ""}, "40104", "SP_Name Invalid"),
    ("SenderProfile", {"Name": "N", "FromAddress": "a@example.com"}, "40101", "SP_From Name Not Specified"),
    ("SenderProfile", {"Name": "N", "FromName": "F"}, "40102", "SP_From Address Not Specified"),
    ("SenderProfile", {**SENDER, "FromAddress": "nobody"}, "40106", "SP_From Address Invalid"),
    ("DeliveryProfile", {"CustomerKey": "dp"}, "41105", "DP_Name Invalid"),
    ("SendClassification", {"CustomerKey": "sc"}, "24104", "SC_Name Invalid"),
    ("SendClassification", {"Name": "SC", "SenderProfile": "<CustomerKey>nope</CustomerKey>"}, "24101",
     "SC_Sender Profile Not Found"),
    ("SendClassification", {"Name": "SC", "DeliveryProfile": "<CustomerKey>nope</CustomerKey>"}, "24102",
     "SC_Delivery Profile Not Found"),
])
def test_a_create_missing_what_the_type_needs_is_refused_with_its_code(soap, type_name, props, code, message):
    resp = soap.create(_objects(type_name, props))
    assert texts(resp, "p:Results/p:StatusCode") == ["Error"]
    assert texts(resp, "p:Results/p:ErrorCode") == [code]
    assert message in texts(resp, "p:Results/p:StatusMessage")[0]


def test_a_delivery_profile_gets_its_source_address_type_and_a_classification_references_profiles(soap):
    soap.create(_objects("SenderProfile", {"CustomerKey": "sp", **SENDER})
                + _objects("DeliveryProfile", {"CustomerKey": "dp", "Name": "DP"}))
    got = soap.retrieve("DeliveryProfile", ["SourceAddressType"], simple_filter("CustomerKey", "equals", "dp"))
    assert texts(got, "p:Results/p:SourceAddressType") == ["DefaultPrivateIPAddress"]
    made = soap.create(_objects("SendClassification", {
        "CustomerKey": "sc", "Name": "SC", "SenderProfile": "<CustomerKey>sp</CustomerKey>",
        "DeliveryProfile": "<CustomerKey>dp</CustomerKey>"}))
    assert texts(made, "p:Results/p:StatusMessage") == ["SendClassification created"]
    got = soap.retrieve("SendClassification", ["SenderProfile.CustomerKey", "DeliveryProfile.CustomerKey"],
                        simple_filter("CustomerKey", "equals", "sc"))
    assert texts(got, "p:Results/p:SenderProfile/p:CustomerKey") == ["sp"]
    assert texts(got, "p:Results/p:DeliveryProfile/p:CustomerKey") == ["dp"]


@pytest.mark.parametrize(("type_name", "message"), [
    ("ListSubscriber", "Cannot perform Create on objects of type ListSubscriber (membership changes go through "
                       "Subscriber.Lists)"),
    ("SubscriberList", "Cannot perform Create on objects of type SubscriberList (membership changes go through "
                       "Subscriber.Lists)"),
    ("ListSend", "Cannot perform Create on objects of type ListSend"),
])
def test_retrieve_only_views_refuse_a_create_naming_their_type(soap, type_name, message):
    resp = soap.create(_objects(type_name, {"ID": "1"}))
    assert texts(resp, "p:Results/p:ErrorCode") == ["5"]
    assert texts(resp, "p:Results/p:StatusMessage") == [message]
