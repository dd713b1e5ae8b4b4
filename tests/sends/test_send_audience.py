"""What a send does: audience rules, rendering, outbox rows, Send counts and SentEvent/NotSent/Bounce events."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from tests.sends.test_email_send_definition import esd_xml, list_entry, start
from tests.soap_helpers import simple_filter, texts


def task_id(resp) -> int:
    return int(texts(resp, "p:Results/p:Result/p:Task/p:ID")[0])


def send_row(soap, job_id: int, props=("ID", "Status", "NumberTargeted", "NumberSent", "NumberExcluded",
                                       "NumberErrored", "Duplicates", "HardBounces"), **auth) -> dict[str, str]:
    resp = soap.retrieve("Send", list(props), simple_filter("ID", "equals", str(job_id)), **auth)
    assert texts(resp, "p:OverallStatus") == ["OK"]
    return {p: (texts(resp, f"p:Results/p:{p}") or [None])[0] for p in props}


def test_list_send_excludes_unsubscribed_held_bounced_and_exclusion_list(mc, world, soap):
    email_id = world.email()
    members = [(f"s{i}", f"s{i}@example.com", {"FirstName": f"N{i}"}) for i in range(8)]
    source = world.list("source")
    world.members(source, members, statuses={"s1": "Unsubscribed"},
                  account_status={"s2": "Held", "s3": "Bounced", "s4": "Unsubscribed"})
    exclusion = world.list("vip-exclusions")
    world.members(exclusion, [members[5]])
    world.create(esd_xml("esd", email_id, list_entry(source) + list_entry(exclusion, "ExclusionList")))
    job = mc.wait_for_job(task_id(start(soap, "esd")))
    assert job["status"] == "Complete"
    sent = sorted(m["subscriber_key"] for m in mc.outbox(job_id=job["id"]))
    assert sent == ["s0", "s6", "s7"]
    row = send_row(soap, job["id"])
    assert row == {"ID": str(job["id"]), "Status": "Complete", "NumberTargeted": "3", "NumberSent": "3",
                   "NumberExcluded": "5", "NumberErrored": "0", "Duplicates": "0", "HardBounces": "0"}
    message = mc.outbox(job_id=job["id"], to="s6@example.com")[0]
    assert message["subject"] == "Hello N6"
    assert message["source"]["email_id"] == email_id
    assert message["source"]["audience"] == f"list:{source}"
    assert message["source"]["values"]["FirstName"] == "N6"
    assert message["job_id"] == job["id"] and message["message_key"] is None
    events = soap.retrieve("SentEvent", ["SendID", "SubscriberKey", "EventDate", "EventType"],
                           simple_filter("SendID", "equals", str(job["id"])))
    assert sorted(texts(events, "p:Results/p:SubscriberKey")) == ["s0", "s6", "s7"]
    assert set(texts(events, "p:Results/p:EventType")) == {"Sent"}


def test_union_of_sources_dedupe_by_email_and_all_subscribers(mc, world, soap):
    email_id = world.email()
    a = world.list("a", [("k1", "same@example.com", {}), ("k2", "two@example.com", {})])
    b = world.list("b", [("k2", "two@example.com", {}), ("k3", "SAME@example.com", {})])
    world.create(esd_xml("plain", email_id, list_entry(a) + list_entry(b)))
    world.create(esd_xml("dedupe", email_id, list_entry(a) + list_entry(b),
                         "<DeduplicateByEmail>true</DeduplicateByEmail>"))
    plain = mc.wait_for_job(task_id(start(soap, "plain")))
    assert sorted(m["subscriber_key"] for m in mc.outbox(job_id=plain["id"])) == ["k1", "k2", "k3"]
    deduped = mc.wait_for_job(task_id(start(soap, "dedupe")))
    assert sorted(m["subscriber_key"] for m in mc.outbox(job_id=deduped["id"])) == ["k1", "k2"]
    assert send_row(soap, deduped["id"])["Duplicates"] == "1"
    all_subs = mc.emu.objects.find_one(mc.parent_mid, "List", "CustomerKey", "All Subscribers").data["ID"]
    world.create(esd_xml("everyone", email_id, list_entry(all_subs)))
    everyone = mc.wait_for_job(task_id(start(soap, "everyone")))
    assert sorted(m["subscriber_key"] for m in mc.outbox(job_id=everyone["id"])) == ["k1", "k2", "k3"]


def test_data_extension_source_with_columns_and_de_exclusion(mc, world, soap):
    email_id = world.email(html="<p>%%FirstName%% ordered %%Order Number%%</p>", subject="Order %%Order Number%%")
    rows = [{"SubscriberKey": f"c{i}", "EmailAddress": f"c{i}@example.com", "FirstName": f"F{i}",
             "Order Number": f"O-{i}"} for i in range(4)]
    de_id = world.data_extension("orders", rows)
    world.data_extension("suppress", [{"SubscriberKey": "c2", "EmailAddress": "c2@example.com"}])
    entries = (f"<SendDefinitionList><CustomObjectID>{de_id}</CustomObjectID><DataSourceTypeID>CustomObject"
               "</DataSourceTypeID><SendDefinitionListType>SourceList</SendDefinitionListType></SendDefinitionList>"
               "<SendDefinitionList><CustomObjectID>suppress</CustomObjectID><DataSourceTypeID>CustomObject"
               "</DataSourceTypeID><SendDefinitionListType>ExclusionList</SendDefinitionListType></SendDefinitionList>")
    world.create(esd_xml("de-send", email_id, entries))
    job = mc.wait_for_job(task_id(start(soap, "de-send")))
    messages = {m["subscriber_key"]: m for m in mc.outbox(job_id=job["id"])}
    assert sorted(messages) == ["c0", "c1", "c3"]
    assert messages["c3"]["subject"] == "Order O-3"
    assert messages["c3"]["html"] == "<p>F3 ordered O-3</p>"
    assert messages["c3"]["source"]["audience"] == "de:orders"
    assert messages["c3"]["source"]["values"]["Order Number"] == "O-3"


def test_not_sendable_data_extension_is_refused(world, soap):
    email_id = world.email()
    de_id = world.data_extension("plain", [{"Code": "x"}], sendable=None)
    resp = soap.create(esd_xml("x", email_id, f"<SendDefinitionList><CustomObjectID>{de_id}</CustomObjectID>"
                                              "<DataSourceTypeID>CustomObject</DataSourceTypeID></SendDefinitionList>"))
    assert texts(resp, "p:Results/p:ErrorCode") == ["42110"]
    assert "not sendable" in texts(resp, "p:Results/p:StatusMessage")[0]
    marked = world.create('<Objects xsi:type="DataExtension"><CustomerKey>marked</CustomerKey><Name>marked</Name>'
                          "<IsSendable>false</IsSendable><Fields><Field><Name>EmailAddress</Name><FieldType>EmailAddress"
                          "</FieldType></Field></Fields></Objects>")["NewObjectID"]
    resp = soap.create(esd_xml("y", email_id, f"<SendDefinitionList><CustomObjectID>{marked}</CustomObjectID>"
                                              "<DataSourceTypeID>CustomObject</DataSourceTypeID></SendDefinitionList>"))
    assert texts(resp, "p:Results/p:ErrorCode") == ["42110"]


def test_filter_definition_source(mc, world, soap):
    email_id = world.email()
    rows = [{"SubscriberKey": f"f{i}", "EmailAddress": f"f{i}@example.com", "Tier": "gold" if i % 2 else "basic"}
            for i in range(6)]
    world.data_extension("members", rows)
    fd = world.create('<Objects xsi:type="FilterDefinition"><CustomerKey>gold</CustomerKey><Name>Gold</Name>'
                      '<DataSource xsi:type="DataExtension"><CustomerKey>members</CustomerKey></DataSource>'
                      '<DataFilter xsi:type="SimpleFilterPart"><Property>Tier</Property>'
                      "<SimpleOperator>equals</SimpleOperator><Value>GOLD</Value></DataFilter></Objects>")
    assert send_to_filter(mc, world, soap, "filtered", email_id, f"<ObjectID>{fd['NewObjectID']}</ObjectID>") == \
        ["f1", "f3", "f5"]


def send_to_filter(mc, world, soap, key: str, email_id: int, filter_ref: str, list_ref: str = "") -> list[str]:
    """Send an ESD whose source is the FilterDefinition `filter_ref` (beside List `list_ref`): who got it."""
    entry = (f"<SendDefinitionList>{list_ref}<SendDefinitionListType>SourceList</SendDefinitionListType>"
             f"<DataSourceTypeID>FilterDefinition</DataSourceTypeID><FilterDefinition>{filter_ref}"
             "</FilterDefinition></SendDefinitionList>")
    world.create(esd_xml(key, email_id, entry))
    job = mc.wait_for_job(task_id(start(soap, key)))
    return sorted(m["subscriber_key"] for m in mc.outbox(job_id=job["id"]))


def test_filter_definition_source_uses_the_filters_module(mc, world, soap):
    """A send evaluates a FilterDefinition exactly as domain/filters.py does: column names in any case, dates
    compared as dates (rows store them as SFMC shows them, "2/3/2024 12:00:00 AM"), list statuses kept."""
    email_id = world.email()
    world.create('<Objects xsi:type="DataExtension"><CustomerKey>joins</CustomerKey><Name>joins</Name>'
                 "<IsSendable>true</IsSendable><SendableDataExtensionField><Name>SubscriberKey</Name>"
                 "</SendableDataExtensionField><SendableSubscriberField><Name>Subscriber Key</Name>"
                 "</SendableSubscriberField><Fields>"
                 "<Field><Name>SubscriberKey</Name><FieldType>Text</FieldType><IsPrimaryKey>true</IsPrimaryKey>"
                 "<IsRequired>true</IsRequired></Field>"
                 "<Field><Name>EmailAddress</Name><FieldType>EmailAddress</FieldType></Field>"
                 "<Field><Name>Joined</Name><FieldType>Date</FieldType></Field></Fields></Objects>")
    rows = "".join(
        '<Objects xsi:type="DataExtensionObject"><CustomerKey>joins</CustomerKey><Properties>'
        f"<Property><Name>SubscriberKey</Name><Value>{k}</Value></Property>"
        f"<Property><Name>EmailAddress</Name><Value>{k}@example.com</Value></Property>"
        f"<Property><Name>Joined</Name><Value>{d}</Value></Property></Properties></Objects>"
        for k, d in (("old", "2023-05-01"), ("new1", "2024-02-03"), ("new2", "12/30/2024 10:00 PM")))
    assert texts(soap.create(rows), "p:OverallStatus") == ["OK"]
    fd = world.create('<Objects xsi:type="FilterDefinition"><CustomerKey>recent</CustomerKey><Name>Recent</Name>'
                      '<DataSource xsi:type="DataExtension"><CustomerKey>joins</CustomerKey></DataSource>'
                      '<DataFilter xsi:type="SimpleFilterPart"><Property>joined</Property>'
                      "<SimpleOperator>greaterThan</SimpleOperator><DateValue>2024-01-01T00:00:00</DateValue>"
                      "</DataFilter></Objects>")
    assert send_to_filter(mc, world, soap, "recent", email_id, f"<ObjectID>{fd['NewObjectID']}</ObjectID>") == \
        ["new1", "new2"]
    # A profile filter beside a List: only the list's Active members that pass it.
    source = world.list("tiers", [("g1", "g1@example.com", {"Tier": "gold"}), ("g2", "g2@example.com", {"Tier": "gold"}),
                                  ("s1", "s1@example.com", {"Tier": "silver"})], statuses={"g2": "Unsubscribed"})
    world.create('<Objects xsi:type="FilterDefinition"><CustomerKey>gold</CustomerKey><Name>Gold</Name>'
                 '<DataFilter xsi:type="SimpleFilterPart"><Property>TIER</Property>'
                 "<SimpleOperator>equals</SimpleOperator><Value>gold</Value></DataFilter></Objects>")
    assert send_to_filter(mc, world, soap, "gold", email_id, "<CustomerKey>gold</CustomerKey>",
                          f"<List><ID>{source}</ID></List>") == ["g1"]

def test_magic_recipients_bounce_held_error(mc, world, soap):
    email_id = world.email()
    source = world.list("magic", [("ok", "ok@example.com", {}), ("b", "bounce@example.com", {}),
                                  ("b2", "x@bounce.sfmc-emulator.test", {}), ("h", "held@example.com", {}),
                                  ("e", "error+1@example.com", {})])
    world.create(esd_xml("magic", email_id, list_entry(source)))
    job = mc.wait_for_job(task_id(start(soap, "magic")))
    assert sorted(m["subscriber_key"] for m in mc.outbox(job_id=job["id"])) == ["b", "b2", "ok"]
    row = send_row(soap, job["id"])
    assert (row["NumberSent"], row["NumberErrored"], row["NumberExcluded"], row["HardBounces"],
            row["NumberTargeted"]) == ("3", "1", "1", "2", "4")
    bounces = soap.retrieve("BounceEvent", ["SendID", "SubscriberKey", "SMTPCode"],
                            simple_filter("SendID", "equals", str(job["id"])))
    assert sorted(texts(bounces, "p:Results/p:SubscriberKey")) == ["b", "b2"]
    not_sent = soap.retrieve("NotSentEvent", ["SubscriberKey"], simple_filter("SendID", "equals", str(job["id"])))
    assert texts(not_sent, "p:Results/p:SubscriberKey") == ["e"]


def test_sub_account_start_sends_the_child_bu_audience(mc, world, soap):
    child = mc.child_mid
    email_id = world.email("child-email")
    # Objects created in the child BU through Client.ID; its subscribers live in the child BU.
    list_id = int(world.create(f'<Objects xsi:type="List"><Client><ID>{child}</ID></Client><CustomerKey>kids'
                               "</CustomerKey><ListName>kids</ListName></Objects>")["NewID"])
    world.members(list_id, [("c1", "c1@example.com", {})], mid=child)
    child_email = int(world.create(f'<Objects xsi:type="Email"><Client><ID>{child}</ID></Client><Name>ce</Name>'
                                   "<Subject>Child</Subject><HTMLBody>hi</HTMLBody></Objects>")["NewID"])
    assert child_email != email_id
    world.create(esd_xml("child-esd", child_email, list_entry(list_id))
                 .replace('<Objects xsi:type="EmailSendDefinition">',
                          f'<Objects xsi:type="EmailSendDefinition"><Client><ID>{child}</ID></Client>'))
    assert texts(start(soap, "child-esd"), "p:Results/p:Result/p:ErrorCode") == ["42002"]  # not in the parent
    resp = start(soap, "child-esd", options=f"<Options><Client><ID>{child}</ID></Client></Options>")
    job = mc.wait_for_job(task_id(resp))
    assert job["mid"] == child
    [message] = mc.outbox(job_id=job["id"])
    assert (message["mid"], message["to"], message["subject"]) == (child, "c1@example.com", "Child")
    assert send_row(soap, job["id"])["ID"] is None  # the parent's Send retrieve does not see the child's
    every = soap.retrieve("Send", ["ID", "Status", "Client.ID"], simple_filter("ID", "equals", str(job["id"])),
                          "<QueryAllAccounts>true</QueryAllAccounts>")
    assert texts(every, "p:Results/p:Client/p:ID") == [str(child)]


def test_send_object_create_sends_at_once(mc, world, soap):
    email_id = world.email()
    list_id = world.list("seed-002", [("p1", "p1@example.com", {"FirstName": "Pat"})])
    resp = soap.create(f'<Objects xsi:type="Send"><Email><ID>{email_id}</ID></Email><List><ID>{list_id}</ID></List>'
                       "<FromAddress>from@example.com</FromAddress><FromName>Fromme</FromName></Objects>")
    assert texts(resp, "p:OverallStatus") == ["OK"]
    assert texts(resp, "p:Results/p:StatusMessage") == ["Send created"]
    send_id = int(texts(resp, "p:Results/p:NewID")[0])
    assert mc.wait_for_job(send_id)["status"] == "Complete"
    [message] = mc.outbox(job_id=send_id)
    assert (message["from_name"], message["from_address"], message["subject"]) == ("Fromme", "from@example.com",
                                                                                   "Hello Pat")
    assert send_row(soap, send_id)["NumberSent"] == "1"
    bad = soap.create(f'<Objects xsi:type="Send"><Email><ID>{email_id}</ID></Email></Objects>'
                      f'<Objects xsi:type="Send"><List><ID>{list_id}</ID></List></Objects>'
                      f'<Objects xsi:type="Send"><Email><ID>{email_id}</ID></Email><List><ID>5</ID></List></Objects>')
    assert texts(bad, "p:Results/p:ErrorCode") == ["7002", "7001", "7004"]


def test_sent_event_filters_by_subscriber_and_date(mc, world, soap):
    email_id = world.email()
    list_id = world.list("l", [("a", "a@example.com", {}), ("b", "b@example.com", {})])
    world.create(esd_xml("esd", email_id, list_entry(list_id)))
    job = mc.wait_for_job(task_id(start(soap, "esd")))
    one = soap.retrieve("SentEvent", ["SendID", "SubscriberKey"], simple_filter("SubscriberKey", "equals", "b"))
    assert texts(one, "p:Results/p:SendID") == [str(job["id"])]
    later = soap.retrieve("SentEvent", ["SubscriberKey"],
                          '<Filter xsi:type="SimpleFilterPart"><Property>EventDate</Property><SimpleOperator>'
                          "greaterThan</SimpleOperator><DateValue>2099-01-01T00:00:00</DateValue></Filter>")
    assert texts(later, "p:Results/p:SubscriberKey") == []
    earlier = soap.retrieve("SentEvent", ["SubscriberKey"],
                            '<Filter xsi:type="SimpleFilterPart"><Property>EventDate</Property><SimpleOperator>'
                            "greaterThan</SimpleOperator><DateValue>2000-01-01T00:00:00</DateValue></Filter>")
    assert sorted(texts(earlier, "p:Results/p:SubscriberKey")) == ["a", "b"]


def _send_perform(soap, action: str, send_id: int):
    return soap.call("Perform", f'<PerformRequestMsg xmlns="http://exacttarget.com/wsdl/partnerAPI"><Action>{action}'
                     f'</Action><Definitions><Definition xsi:type="Send"><ID>{send_id}</ID></Definition></Definitions>'
                     "</PerformRequestMsg>")


def test_send_pause_resume_and_cancel(mc, world, soap):
    email_id = world.email()
    list_id = world.list("l", [("a", "a@example.com", {}), ("b", "b@example.com", {})])
    world.create(esd_xml("esd", email_id, list_entry(list_id)))
    gate = threading.Event()
    mc.emu.jobs.submit(mc.parent_mid, "test-blocker", lambda _job_id: gate.wait(10))  # holds the job worker
    try:
        paused = task_id(start(soap, "esd"))
        canceled = task_id(start(soap, "esd"))
        resp = _send_perform(soap, "pause", paused)
        assert texts(resp, "p:Results/p:Result/p:StatusMessage") == ["Send performed"]
        assert texts(resp, "p:Results/p:Result/p:Object/p:Status") == ["Paused"]
        assert texts(_send_perform(soap, "cancel", canceled), "p:Results/p:Result/p:Object/p:Status") == ["Canceled"]
        assert texts(_send_perform(soap, "resume", canceled), "p:Results/p:Result/p:ErrorCode") == ["7009"]
    finally:
        gate.set()
    mc.emu.jobs.wait_idle()
    assert send_row(soap, paused)["Status"] == "Paused" and mc.outbox(job_id=paused) == []
    assert send_row(soap, canceled)["Status"] == "Canceled" and mc.outbox(job_id=canceled) == []
    _send_perform(soap, "resume", paused)
    assert mc.wait_for_job(paused)["status"] == "Complete"
    assert sorted(m["subscriber_key"] for m in mc.outbox(job_id=paused)) == ["a", "b"]
    assert texts(_send_perform(soap, "pause", paused), "p:Results/p:Result/p:ErrorCode") == ["7009"]
    assert texts(_send_perform(soap, "cancel", 1), "p:Results/p:Result/p:ErrorCode") == ["2"]


def test_sent_event_event_date_filter_is_central_time_or_zoned(mc, world, soap):
    """EventDate is written in SFMC Central time (UTC-6, no zone); a filter's DateValue without a zone means the
    same clock, one with a zone is converted — so a boundary one minute either side of the send splits exactly."""
    mc.emu.clock.freeze(datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC))
    email_id = world.email()
    list_id = world.list("dated", [("a", "a@example.com", {})])
    world.create(esd_xml("dated", email_id, list_entry(list_id)))
    mc.wait_for_job(task_id(start(soap, "dated")))
    every = soap.retrieve("SentEvent", ["SubscriberKey", "EventDate"])
    assert texts(every, "p:Results/p:EventDate") == ["2026-03-01T06:00:00"]

    def keys(operator: str, *values: str) -> list[str]:
        dates = "".join(f"<DateValue>{v}</DateValue>" for v in values)
        resp = soap.retrieve("SentEvent", ["SubscriberKey"], '<Filter xsi:type="SimpleFilterPart"><Property>EventDate'
                             f"</Property><SimpleOperator>{operator}</SimpleOperator>{dates}</Filter>")
        return texts(resp, "p:Results/p:SubscriberKey")

    assert keys("greaterThan", "2026-03-01T05:59:00") == ["a"]
    assert keys("lessThan", "2026-03-01T05:59:00") == []
    assert keys("greaterThan", "2026-03-01T06:01:00") == []
    assert keys("greaterThan", "2026-03-01T11:59:00Z") == ["a"]
    assert keys("greaterThan", "2026-03-01T12:01:00Z") == []
    assert keys("between", "2026-03-01T05:00:00", "2026-03-01T07:00:00") == ["a"]
