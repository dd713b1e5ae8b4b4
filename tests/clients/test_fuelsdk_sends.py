"""FuelSDK-Python (salesforce-fuelsdk-sans) driving the send flows end to end: create-then-start with list,
data-extension and exclusion sources, a sub-account start, a sender override, and ET_TriggeredSend.

The session's ET_Client, without a reset between tests: keys are unique per test, and the server is reset when
the module starts and ends.
"""

from __future__ import annotations

import FuelSDK
import pytest
from FuelSDK.rest import ET_CUDSupport

from emulator.store.audience import SubscriberRecord

# suds builds every request object from the 4,500-line WSDL: seconds per FuelSDK call, so these are slow.
pytestmark = pytest.mark.slow


class ET_EmailSendDefinition(ET_CUDSupport):  # FuelSDK has no class for it; this is how users extend it
    def __init__(self) -> None:
        super().__init__()
        self.obj_type = "EmailSendDefinition"


@pytest.fixture(scope="module")
def fuel(server, fuel):
    """The session's client; this module's tests share the server's state, so reset it around the module."""
    server.reset()
    yield fuel
    server.reset()


def post(client, cls, props: dict) -> object:
    obj = cls()
    obj.auth_stub = client
    obj.props = props
    response = obj.post()
    assert response.status, (response.message, response.results)
    return response.results[0]


def members(server, list_id: int, rows: list[tuple[str, str, dict]], mid: int | None = None) -> None:
    mid = mid or server.parent_mid
    now = server.emu.clock.now().timestamp()
    server.emu.audience.put_subscribers(mid, [SubscriberRecord(k, e, "Active", a) for k, e, a in rows], now)
    server.emu.audience.set_memberships(mid, list_id, [(k, "Active") for k, _, _ in rows], now)


def perform_start(client, key: str, client_id: int | None = None, sender: dict | None = None):
    definition = client.soap_client.factory.create("EmailSendDefinition")  # for its xsi:type
    definition.CustomerKey = key
    if sender:
        definition.SenderProfile = sender
    options = {"Client": {"ID": client_id}} if client_id else None
    code, reply = client.soap_client.service.Perform(options, "start", {"Definition": [definition]})
    assert code == 200 and reply.OverallStatus == "OK", reply
    result = reply.Results.Result[0]
    assert result.StatusMessage == "EmailSendDefinition performed"
    return int(result.Task.ID)


def email(client, key: str, client_id: int | None = None) -> int:
    props = {"Name": key, "CustomerKey": key, "Subject": "Hi %%FirstName%%", "EmailType": "HTML",
             "HTMLBody": "<p>Dear %%FirstName%% <%%emailaddr%%></p>", "IsHTMLPaste": "true"}
    if client_id:
        props["Client"] = {"ID": client_id}
    return int(post(client, FuelSDK.ET_Email, props).NewID)


def test_list_source_exclusion_list_and_sender_override(server, fuel):
    email_id = email(fuel, "fuel-news")
    source = int(post(fuel, FuelSDK.ET_List, {"ListName": "fuel source", "CustomerKey": "fuel-source"}).NewID)
    excluded = int(post(fuel, FuelSDK.ET_List, {"ListName": "fuel excl", "CustomerKey": "fuel-excl"}).NewID)
    members(server, source, [("f1", "f1@example.com", {"FirstName": "One"}), ("f2", "f2@example.com", {}),
                             ("f3", "f3@example.com", {"FirstName": "Three"})])
    members(server, excluded, [("f2", "f2@example.com", {})])
    created = post(fuel, ET_EmailSendDefinition, {
        "CustomerKey": "fuel-esd", "Name": "Fuel ESD", "Email": {"ID": email_id},
        "SendClassification": {"CustomerKey": "Default Commercial"}, "IsMultipart": True,
        "SendDefinitionList": [
            {"List": {"ID": source}, "DataSourceTypeID": "List", "SendDefinitionListType": "SourceList"},
            {"List": {"ID": excluded}, "DataSourceTypeID": "List", "SendDefinitionListType": "ExclusionList"}]})
    assert created.StatusMessage == "EmailSendDefinition created" and created.NewObjectID
    job_id = perform_start(fuel, "fuel-esd", sender={"FromName": "Fuel Sender", "FromAddress": "fuel@example.com"})
    assert server.wait_for_job(job_id)["status"] == "Complete"
    messages = {m["subscriber_key"]: m for m in server.outbox(job_id=job_id)}
    assert sorted(messages) == ["f1", "f3"]
    assert messages["f3"]["subject"] == "Hi Three"
    assert messages["f3"]["html"] == "<p>Dear Three <f3@example.com></p>"
    assert messages["f3"]["text"] == "Dear Three"  # multipart: text derived from the HTML
    assert (messages["f1"]["from_name"], messages["f1"]["from_address"]) == ("Fuel Sender", "fuel@example.com")

    sent = FuelSDK.ET_SentEvent()
    sent.auth_stub = fuel
    sent.props = ["SendID", "SubscriberKey", "EventDate"]
    sent.search_filter = {"Property": "SendID", "SimpleOperator": "equals", "Value": str(job_id)}
    got = sent.get()
    assert got.status and sorted(r.SubscriberKey for r in got.results) == ["f1", "f3"]
    send = FuelSDK.ET_Send()
    send.auth_stub = fuel
    send.props = ["ID", "Status", "NumberSent", "NumberTargeted", "NumberExcluded"]
    send.search_filter = {"Property": "ID", "SimpleOperator": "equals", "Value": str(job_id)}
    [row] = send.get().results
    assert (row.Status, row.NumberSent, row.NumberTargeted, row.NumberExcluded) == ("Complete", 2, 2, 1)


def test_data_extension_source(server, fuel):
    email_id = email(fuel, "fuel-de-email")
    de = FuelSDK.ET_DataExtension()
    de.auth_stub = fuel
    de.props = {"Name": "fuel-de", "CustomerKey": "fuel-de", "IsSendable": True,
                "SendableDataExtensionField": {"Name": "SubscriberKey"},
                "SendableSubscriberField": {"Name": "Subscriber Key", "Value": ""}}
    de.columns = [{"Name": "SubscriberKey", "FieldType": "Text", "IsPrimaryKey": "true", "IsRequired": "true"},
                  {"Name": "EmailAddress", "FieldType": "EmailAddress"}, {"Name": "FirstName", "FieldType": "Text"}]
    response = de.post()
    assert response.status, response.results
    de_object_id = response.results[0].NewObjectID
    server.emu.audience.insert_rows(server.parent_mid, "fuel-de", [
        ("d1", {"SubscriberKey": "d1", "EmailAddress": "d1@example.com", "FirstName": "Dee"}),
        ("d2", {"SubscriberKey": "d2", "EmailAddress": "d2@example.com", "FirstName": "Dan"})],
        server.emu.clock.now().timestamp())
    post(fuel, ET_EmailSendDefinition, {
        "CustomerKey": "fuel-de-esd", "Name": "Fuel DE ESD", "Email": {"ID": email_id},
        "SendDefinitionList": [{"CustomObjectID": de_object_id, "DataSourceTypeID": "CustomObject"}]})
    job_id = perform_start(fuel, "fuel-de-esd")
    server.wait_for_job(job_id)
    messages = {m["to"]: m for m in server.outbox(job_id=job_id)}
    assert sorted(messages) == ["d1@example.com", "d2@example.com"]
    assert messages["d2@example.com"]["subject"] == "Hi Dan"
    assert messages["d2@example.com"]["source"]["audience"] == "de:fuel-de"


def test_sub_account_start(server, fuel):
    child = server.child_mid
    email_id = email(fuel, "fuel-child-email", client_id=child)
    list_id = int(post(fuel, FuelSDK.ET_List, {"ListName": "kids", "CustomerKey": "fuel-kids",
                                                "Client": {"ID": child}}).NewID)
    members(server, list_id, [("c1", "c1@example.com", {"FirstName": "Kid"})], mid=child)
    post(fuel, ET_EmailSendDefinition, {"CustomerKey": "fuel-child-esd", "Name": "child", "Client": {"ID": child},
                                        "Email": {"ID": email_id}, "SendDefinitionList": [{"List": {"ID": list_id}}]})
    job_id = perform_start(fuel, "fuel-child-esd", client_id=child)
    assert server.wait_for_job(job_id)["mid"] == child
    [message] = server.outbox(job_id=job_id)
    assert (message["mid"], message["to"], message["subject"]) == (child, "c1@example.com", "Hi Kid")


def test_triggered_send(server, fuel):
    email_id = email(fuel, "fuel-ts-email")
    tsd = FuelSDK.ET_TriggeredSend()
    tsd.auth_stub = fuel
    tsd.props = {"CustomerKey": "fuel-tsd", "Name": "Fuel TSD", "Email": {"ID": email_id},
                 "SendClassification": {"CustomerKey": "Default Transactional"}}
    created = tsd.post()
    assert created.status and created.results[0].StatusMessage == "TriggeredSendDefinition created"
    tsd.props = {"CustomerKey": "fuel-tsd", "TriggeredSendStatus": "Active"}
    assert tsd.patch().status

    send = FuelSDK.ET_TriggeredSend()
    send.auth_stub = fuel
    send.props = {"CustomerKey": "fuel-tsd"}
    send.subscribers = [{"EmailAddress": "ts1@example.com", "SubscriberKey": "ts1",
                         "Attributes": [{"Name": "FirstName", "Value": "Tess"}]},
                        {"EmailAddress": "ts2@example.com", "SubscriberKey": "ts2"}]
    result = send.send()
    assert result.status, result.results
    assert result.results[0].StatusMessage == "Created TriggeredSend"
    messages = {m["subscriber_key"]: m for m in server.outbox(q="ts")}
    assert sorted(k for k in messages if k.startswith("ts")) == ["ts1", "ts2"]
    assert messages["ts1"]["subject"] == "Hi Tess" and messages["ts1"]["definition_key"] == "fuel-tsd"
    sent = FuelSDK.ET_SentEvent()
    sent.auth_stub = fuel
    sent.props = ["SendID", "SubscriberKey", "TriggeredSendDefinitionObjectID"]
    sent.search_filter = {"Property": "SendID", "SimpleOperator": "equals", "Value": str(messages["ts1"]["job_id"])}
    assert sorted(r.SubscriberKey for r in sent.get().results) == ["ts1", "ts2"]
