"""SOAP Schedule: a one-time scheduled ESD start waits, as "Scheduled", until the emulator clock reaches it."""

from __future__ import annotations

from tests.soap_helpers import NS, PARTNER, texts


def _world(mc, soap) -> None:
    soap.create('<Objects xsi:type="Email"><CustomerKey>e</CustomerKey><Name>E</Name><Subject>Hi %%FirstName%%'
                "</Subject><HTMLBody>&lt;p&gt;x&lt;/p&gt;</HTMLBody></Objects>")
    list_id = int(texts(soap.create('<Objects xsi:type="List"><ListName>L</ListName></Objects>'),
                        "p:Results/p:NewID")[0])
    soap.create('<Objects xsi:type="EmailSendDefinition"><CustomerKey>later</CustomerKey><Name>Later</Name>'
                "<Email><CustomerKey>e</CustomerKey></Email><SendDefinitionList><List><ID>"
                f"{list_id}</ID></List><DataSourceTypeID>List</DataSourceTypeID></SendDefinitionList></Objects>")
    from emulator.store.audience import SubscriberRecord

    now = mc.clock.now().timestamp()
    mc.emu.audience.put_subscribers(mc.parent_mid, [SubscriberRecord("s1", "s1@example.com", attributes={
        "FirstName": "Sam"})], now)
    mc.emu.audience.set_memberships(mc.parent_mid, list_id, [("s1", "Active")], now)


def _schedule(soap, start: str, occurrences: int = 1):
    # A one-time schedule as SFMC clients write it (Recurrence is required by the WSDL).
    return soap.call("Schedule", f'<ScheduleRequestMsg xmlns="{PARTNER}"><Action>start</Action><Schedule>'
                     '<Recurrence xsi:type="DailyRecurrence"><DailyRecurrencePatternType>Interval'
                     "</DailyRecurrencePatternType><DayInterval>1</DayInterval></Recurrence>"
                     "<RecurrenceType>Daily</RecurrenceType><RecurrenceRangeType>EndAfter</RecurrenceRangeType>"
                     f"<StartDateTime>{start}</StartDateTime><Occurrences>{occurrences}</Occurrences>"
                     "</Schedule><Interactions>"
                     '<Interaction xsi:type="EmailSendDefinition"><CustomerKey>later</CustomerKey></Interaction>'
                     "</Interactions></ScheduleRequestMsg>")


def _send(soap, job_id: int) -> dict[str, str]:
    answer = soap.retrieve("Send", ["ID", "Status", "NumberSent"], f'<Filter xsi:type="SimpleFilterPart">'
                           f"<Property>ID</Property><SimpleOperator>equals</SimpleOperator><Value>{job_id}</Value>"
                           "</Filter>")
    result = answer.find("p:Results", NS)
    return {child.tag.split("}")[1]: child.text for child in result}


def test_scheduled_start_waits_for_the_emulator_clock(mc, soap):
    _world(mc, soap)
    mc.clock.freeze()
    mc.clock.set(mc.clock.now().replace(year=2031, month=1, day=1, hour=12, minute=0, second=0, microsecond=0))
    answer = _schedule(soap, "2031-01-01T13:00:00Z")
    assert texts(answer, "p:OverallStatus") == ["OK"]
    result = answer.find("p:Results/p:Result", NS)
    assert texts(result, "p:StatusMessage") == ["EmailSendDefinition scheduled"]
    assert texts(result, "p:Object/p:StartDateTime")  # the ScheduleDefinition is echoed
    job_id = int(texts(result, "p:Task/p:ID")[0])
    mc.emu.jobs.wait_idle(timeout=5)
    assert _send(soap, job_id)["Status"] == "Scheduled"
    assert mc.outbox(job_id=job_id) == []
    mc.clock.advance(30 * 60)  # 12:30: not yet
    mc.emu.jobs.wait_idle(timeout=5)
    assert mc.outbox(job_id=job_id) == []
    mc.clock.advance(31 * 60)  # 13:01: due
    assert mc.wait_for_job(job_id)["status"] == "Complete"
    assert [m["subject"] for m in mc.outbox(job_id=job_id)] == ["Hi Sam"]
    assert _send(soap, job_id)["Status"] == "Complete"


def test_a_time_already_past_sends_at_once_and_recurrence_is_refused(mc, soap):
    _world(mc, soap)
    job_id = int(texts(_schedule(soap, "2001-01-01T00:00:00Z"), "p:Results/p:Result/p:Task/p:ID")[0])
    assert mc.wait_for_job(job_id)["status"] == "Complete"
    refused = _schedule(soap, "2031-01-01T00:00:00Z", occurrences=5)
    assert texts(refused, "p:OverallStatus") == ["Error"]
    assert texts(refused, "p:Results/p:Result/p:ErrorCode") == ["140"]
    missing = soap.call("Schedule", f'<ScheduleRequestMsg xmlns="{PARTNER}"><Action>start</Action><Schedule/>'
                        '<Interactions><Interaction xsi:type="EmailSendDefinition"><CustomerKey>later</CustomerKey>'
                        "</Interaction></Interactions></ScheduleRequestMsg>")
    assert texts(missing, "p:Results/p:Result/p:ErrorCode") == ["151"]


def test_reset_forgets_scheduled_sends(mc, soap):
    _world(mc, soap)
    _schedule(soap, "2099-01-01T00:00:00Z")
    assert mc.emu.jobs._scheduled
    mc.reset()
    assert not mc.emu.jobs._scheduled
