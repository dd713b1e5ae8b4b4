"""TriggeredSendDefinition (codes, status machine, quota) and TriggeredSend over raw SOAP."""

from __future__ import annotations

from tests.rest.conftest import Api
from tests.soap_helpers import NS, PARTNER, simple_filter, texts


def tsd_xml(key: str, email_id: int, extra: str = "") -> str:
    return (f'<Objects xsi:type="TriggeredSendDefinition"><CustomerKey>{key}</CustomerKey><Name>{key}</Name>'
            f"<Email><ID>{email_id}</ID></Email>{extra}</Objects>")


def perform(soap, action: str, key: str):
    return soap.call("Perform", f'<PerformRequestMsg xmlns="{PARTNER}"><Action>{action}</Action><Definitions>'
                     f'<Definition xsi:type="TriggeredSendDefinition"><CustomerKey>{key}</CustomerKey></Definition>'
                     "</Definitions></PerformRequestMsg>")


def update_status(soap, key: str, status: str, extra: str = ""):
    return soap.call("Update", f'<UpdateRequest xmlns="{PARTNER}"><Objects xsi:type="TriggeredSendDefinition">'
                     f"<CustomerKey>{key}</CustomerKey><TriggeredSendStatus>{status}</TriggeredSendStatus>{extra}"
                     "</Objects></UpdateRequest>")


def triggered(key: str, *subscribers: tuple[str, str, dict[str, str]]) -> str:
    subs = "".join(
        f"<Subscribers><EmailAddress>{email}</EmailAddress><SubscriberKey>{sk}</SubscriberKey>"
        + "".join(f"<Attributes><Name>{n}</Name><Value>{v}</Value></Attributes>" for n, v in attrs.items())
        + "</Subscribers>" for sk, email, attrs in subscribers)
    return (f'<Objects xsi:type="TriggeredSend"><TriggeredSendDefinition><CustomerKey>{key}</CustomerKey>'
            f"</TriggeredSendDefinition>{subs}</Objects>")


def status_of(soap, key: str) -> str:
    resp = soap.retrieve("TriggeredSendDefinition", ["TriggeredSendStatus"], simple_filter("CustomerKey", "equals", key))
    return texts(resp, "p:Results/p:TriggeredSendStatus")[0]


def test_create_defaults_codes_and_status_machine(mc, world, soap):
    email_id = world.email(subject="Order %%order%%", html="<p>%%FirstName%%: %%order%%</p>")
    resp = soap.create(tsd_xml("order-confirm", email_id, "<Priority>High</Priority>"))
    assert texts(resp, "p:Results/p:StatusMessage") == ["TriggeredSendDefinition created"]
    assert texts(resp, "p:Results/p:NewID") == ["0"]
    obj = resp.find("p:Results/p:Object", NS)
    assert texts(obj, "p:TriggeredSendStatus") == ["New"]
    assert texts(obj, "p:SendClassification/p:CustomerKey") == ["Default Transactional"]
    assert mc.emu.quota.used(mc.parent_mid) == 1
    bad = soap.create(tsd_xml("x", 999) + tsd_xml("order-confirm", email_id) + tsd_xml("y", email_id,
                      "<List><ID>4242</ID></List>") + tsd_xml("z", email_id).replace("<Name>z</Name>", ""))
    assert texts(bad, "p:Results/p:ErrorCode") == ["17016", "17100", "17017", "17101"]
    assert mc.emu.quota.used(mc.parent_mid) == 1  # refused creates reserve nothing

    # Sending while New is refused with SFMC's code; start -> Active; pause -> Inactive; publish keeps it.
    early = soap.create(triggered("order-confirm", ("a", "a@example.com", {})))
    assert texts(early, "p:Results/p:ErrorCode") == ["18001"]
    assert texts(perform(soap, "pause", "order-confirm"), "p:Results/p:Result/p:ErrorCode") == ["17002"]
    started = perform(soap, "start", "order-confirm")
    assert texts(started, "p:Results/p:Result/p:StatusMessage") == ["TriggeredSendDefinition performed"]
    assert status_of(soap, "order-confirm") == "Active"
    live = soap.call("Update", f'<UpdateRequest xmlns="{PARTNER}"><Objects xsi:type="TriggeredSendDefinition">'
                     "<CustomerKey>order-confirm</CustomerKey><EmailSubject>New</EmailSubject></Objects>"
                     "</UpdateRequest>")
    assert texts(live, "p:Results/p:ErrorCode") == ["17003"]
    perform(soap, "pause", "order-confirm")
    assert status_of(soap, "order-confirm") == "Inactive"
    paused = soap.create(triggered("order-confirm", ("a", "a@example.com", {})))
    assert texts(paused, "p:Results/p:ErrorCode") == ["18002"]
    perform(soap, "publish", "order-confirm")
    assert status_of(soap, "order-confirm") == "Inactive"
    assert texts(update_status(soap, "order-confirm", "Active"), "p:Results/p:StatusCode") == ["OK"]
    assert texts(update_status(soap, "order-confirm", "Canceled"), "p:Results/p:StatusCode") == ["OK"]
    assert texts(update_status(soap, "order-confirm", "Active"), "p:Results/p:ErrorCode") == ["17003"]
    assert texts(perform(soap, "start", "order-confirm"), "p:Results/p:Result/p:ErrorCode") == ["17000"]
    delete = f'<DeleteRequest xmlns="{PARTNER}"><Objects xsi:type="TriggeredSendDefinition">' \
             "<CustomerKey>order-confirm</CustomerKey></Objects></DeleteRequest>"
    assert texts(soap.call("Delete", delete), "p:Results/p:StatusMessage") == ["TriggeredSendDefinition deleted"]
    assert texts(soap.call("Delete", delete), "p:Results/p:ErrorCode") == ["17015"]


def test_triggered_send_renders_one_message_per_subscriber(mc, world, soap):
    email_id = world.email(subject="Order %%order%%", html="<p>%%FirstName%%: %%order%%</p>")
    soap.create(tsd_xml("confirm", email_id, "<TriggeredSendStatus>Active</TriggeredSendStatus>"))
    resp = soap.create(triggered("confirm", ("a", "a@example.com", {"FirstName": "Ann", "order": "1"}),
                                 ("b", "b@example.com", {"FirstName": "Bob", "order": "2"}),
                                 ("bad", "not-an-address", {}), ("e", "error@example.com", {})))
    result = resp.find("p:Results", NS)
    assert result.get(f"{{{NS['xsi']}}}type") == "TriggeredSendCreateResult"
    assert texts(result, "p:StatusCode") == ["OK"]
    assert texts(result, "p:StatusMessage") == ["Created TriggeredSend"]
    assert texts(result, "p:SubscriberFailures/p:ErrorCode") == ["180008", "18006"]
    assert texts(result, "p:SubscriberFailures/p:Ordinal") == ["2", "3"]
    messages = {m["subscriber_key"]: m for m in mc.outbox(q="example.com")}
    assert sorted(messages) == ["a", "b"]
    assert messages["b"]["subject"] == "Order 2" and messages["b"]["html"] == "<p>Bob: 2</p>"
    assert messages["b"]["definition_key"] == "confirm"
    assert messages["b"]["source"]["values"]["order"] == "2"
    send_id = messages["a"]["job_id"]
    events = soap.retrieve("SentEvent", ["SendID", "SubscriberKey", "TriggeredSendDefinitionObjectID"],
                           simple_filter("SendID", "equals", str(send_id)))
    assert sorted(texts(events, "p:Results/p:SubscriberKey")) == ["a", "b"]
    tsd = mc.emu.objects.find_one(mc.parent_mid, "TriggeredSendDefinition", "CustomerKey", "confirm").data
    assert set(texts(events, "p:Results/p:TriggeredSendDefinitionObjectID")) == {tsd["ObjectID"]}
    none = soap.create(triggered("confirm", ("x", "nope", {})))
    assert texts(none, "p:Results/p:ErrorCode") == ["180008"]
    missing = soap.create(triggered("nope", ("a", "a@example.com", {})))
    assert texts(missing, "p:Results/p:ErrorCode") == ["18002"]


def test_definition_quota_is_shared(mc, world, soap):
    mc.emu.config.definition_quota = 2
    try:
        email_id = world.email()
        resp = soap.create(tsd_xml("q1", email_id) + tsd_xml("q2", email_id) + tsd_xml("q3", email_id))
        assert texts(resp, "p:Results/p:StatusCode") == ["OK", "OK", "Error"]
        assert "Definition limit exceeded" in texts(resp, "p:Results/p:StatusMessage")[2]
    finally:
        mc.emu.config.definition_quota = 500


def test_definition_quota_is_shared_with_rest_definitions_end_to_end(mc, world, soap):
    """One quota per BU: a REST transactional definition and SOAP TriggeredSendDefinition Creates count together."""
    mc.emu.config.definition_quota = 2
    try:
        email_id = world.email()
        api = Api(mc)
        api.asset()
        api.definition("rest-def")
        resp = soap.create(tsd_xml("soap-1", email_id) + tsd_xml("soap-2", email_id))
        assert texts(resp, "p:Results/p:StatusCode") == ["OK", "Error"]
        assert "Definition limit exceeded" in texts(resp, "p:Results/p:StatusMessage")[1]
        refused = api.post("/messaging/v1/email/definitions", json={
            "definitionKey": "rest-2", "name": "rest 2", "content": {"customerKey": "order-email"},
            "subscriptions": {"list": "All Subscribers"}})
        assert refused.status_code == 400 and refused.json()["errorcode"] == 30001
    finally:
        mc.emu.config.definition_quota = 500


def test_retrieve_round_trip_with_status_in_filter(world, soap):
    """mcdev's retrieve: TriggeredSendStatus IN (New, Active, Inactive, Moved, Canceled); references by key."""
    email_id = world.email()
    list_id = world.list("tsd-list")
    soap.create(tsd_xml("rt-new", email_id, "<List><CustomerKey>tsd-list</CustomerKey></List><Priority>High</Priority>")
                + tsd_xml("rt-live", email_id, "<TriggeredSendStatus>Active</TriggeredSendStatus>")
                .replace(f"<ID>{email_id}</ID>", "<CustomerKey>welcome</CustomerKey>"))
    perform(soap, "start", "rt-live")
    update_status(soap, "rt-live", "Deleted")
    statuses = "".join(f"<Value>{s}</Value>" for s in ("New", "Active", "Inactive", "Moved", "Canceled"))
    got = soap.retrieve("TriggeredSendDefinition", ["CustomerKey", "TriggeredSendStatus", "Priority", "List.ID",
                                                    "Email.ID"],
                        '<Filter xsi:type="SimpleFilterPart"><Property>TriggeredSendStatus</Property>'
                        f"<SimpleOperator>IN</SimpleOperator>{statuses}</Filter>")
    assert texts(got, "p:Results/p:CustomerKey") == ["rt-new"]
    assert texts(got, "p:Results/p:Priority") == ["High"]
    assert texts(got, "p:Results/p:List/p:ID") == [str(list_id)]
    deleted = soap.retrieve("TriggeredSendDefinition", ["CustomerKey", "TriggeredSendStatus", "Email.ID"],
                            simple_filter("CustomerKey", "equals", "rt-live"))
    assert texts(deleted, "p:Results/p:TriggeredSendStatus") == ["Deleted"]
    assert texts(deleted, "p:Results/p:Email/p:ID") == [str(email_id)]


def test_error_answers_for_a_triggered_send_without_definition_or_subscribers_validate(world, soap):
    """soap.create validates every answer against the WSDL, where TriggeredSend requires both elements."""
    email_id = world.email()
    soap.create(tsd_xml("v", email_id, "<TriggeredSendStatus>Active</TriggeredSendStatus>"))
    resp = soap.create('<Objects xsi:type="TriggeredSend"><Subscribers><EmailAddress>a@example.com</EmailAddress>'
                       '</Subscribers></Objects><Objects xsi:type="TriggeredSend"><TriggeredSendDefinition>'
                       "<CustomerKey>v</CustomerKey></TriggeredSendDefinition></Objects>")
    assert texts(resp, "p:Results/p:ErrorCode") == ["18002", "180007"]
    assert texts(resp, "p:Results/p:Object/p:Subscribers/p:EmailAddress") == ["a@example.com"]
    assert texts(resp, "p:Results/p:Object/p:TriggeredSendDefinition/p:CustomerKey") == ["v"]


def test_a_soap_email_includes_content_builder_blocks(mc, world, soap):
    api = Api(mc)
    made = api.post("/asset/v1/content/assets", json={"name": "Sig", "customerKey": "sig", "assetType": {"id": 197},
                                                      "content": "<i>Regards, %%FirstName%%</i>"})
    assert made.status_code == 201, made.text
    email_id = world.email(key="with-sig", subject="Hi", html='<p>Body</p>%%=ContentBlockByKey("sig")=%%')
    soap.create(tsd_xml("sig-tsd", email_id, "<TriggeredSendStatus>Active</TriggeredSendStatus>"))
    soap.create(triggered("sig-tsd", ("s", "s@example.com", {"FirstName": "Sue"})))
    [message] = mc.outbox(q="s@example.com")
    assert message["html"] == "<p>Body</p><i>Regards, Sue</i>"
