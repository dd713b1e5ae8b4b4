"""Unsubscribing as SFMC does it: SOAP Execute LogUnsubEvent (with and without a job context), and a
transactional recipient's unsubscribe suppressing the next transactional send."""

from __future__ import annotations

from tests.engagement.test_tracking import retrieve, send

P = "{http://exacttarget.com/wsdl/partnerAPI}"


def execute(zclient, **params):
    request = zclient.get_type(P + "ExecuteRequest")(Name="LogUnsubEvent", Parameters=[
        zclient.get_type(P + "APIProperty")(Name=k, Value=str(v)) for k, v in params.items()])
    return zclient.service.Execute(Requests=[request])


def test_log_unsub_event_with_a_job_unsubscribes_from_its_list_and_logs_the_event(mc, world, zeep_client):
    email_id = world.email("lu-news")
    list_id = world.list("lu-list", [("u1", "u1@example.com", {}), ("u2", "u2@example.com", {})])
    job_id = send(mc, zeep_client, email_id, list_id)
    reply = execute(zeep_client, SubscriberKey="u1", JobID=job_id, Reason="Too many emails")
    assert reply.OverallStatus == "OK" and reply.Results[0].StatusCode == "OK", reply
    [event] = retrieve(zeep_client, "UnsubEvent", ["SendID", "SubscriberKey", "List", "IsMasterUnsubscribed"], job_id)
    assert (event.SubscriberKey, event.List.ID, event.IsMasterUnsubscribed) == ("u1", list_id, False)
    assert mc.emu.audience.membership(mc.parent_mid, list_id, "u1") == "Unsubscribed"
    assert mc.emu.audience.get_subscriber(mc.parent_mid, "u1").status == "Active"
    again = send(mc, zeep_client, email_id, list_id)
    assert [m["subscriber_key"] for m in mc.outbox(job_id=again)] == ["u2"]


def test_log_unsub_event_by_list_finds_the_latest_job(mc, world, zeep_client):
    email_id = world.email("lu-news2")
    list_id = world.list("lu-list2", [("w1", "w1@example.com", {})])
    send(mc, zeep_client, email_id, list_id)
    latest = send(mc, zeep_client, email_id, list_id)
    assert execute(zeep_client, SubscriberKey="w1", ListID=list_id).OverallStatus == "OK"
    [event] = retrieve(zeep_client, "UnsubEvent", ["SendID", "SubscriberKey"], latest)
    assert event.SendID == latest


def test_log_unsub_event_without_a_job_master_unsubscribes_and_logs_nothing(mc, world, zeep_client):
    world.list("lu-list3", [("v1", "v1@example.com", {})])
    reply = execute(zeep_client, SubscriberKey="v1")
    assert reply.Results[0].StatusCode == "OK"
    assert mc.emu.audience.get_subscriber(mc.parent_mid, "v1").status == "Unsubscribed"
    assert list(mc.emu.send_rows.iter_events([mc.parent_mid], ("Unsubscribe",))) == []


def test_log_unsub_event_refuses_an_unknown_or_mismatched_subscriber(mc, world, zeep_client):
    world.list("lu-list4", [("x1", "x1@example.com", {})])
    for params in ({"SubscriberKey": "nobody"}, {}, {"SubscriberKey": "x1", "EmailAddress": "other@example.com"}):
        reply = execute(zeep_client, **params)
        assert reply.OverallStatus != "OK" and reply.Results[0].StatusCode == "Error"
        assert reply.Results[0].ErrorCode == 400
    assert mc.emu.audience.get_subscriber(mc.parent_mid, "x1").status == "Active"


def test_a_transactional_unsubscribe_suppresses_the_next_send(mc, api):
    api.asset()
    api.definition()
    assert api.send("t-1", contactKey="tc", to="tc@example.com").status_code == 202
    [message] = mc.outbox(message_key="t-1")
    unsub = mc.http.post(f"{mc.base_url}/_emulator/outbox/{message['id']}/events", json={"type": "unsubscribe"})
    assert unsub.json()["detail"]["IsMasterUnsubscribed"] is True
    assert api.send("t-2", contactKey="tc", to="tc@example.com").status_code == 202
    assert mc.outbox(message_key="t-2") == []
    status = api.get("/messaging/v1/email/messages/t-2").json()
    assert status["eventCategoryType"] == "TransactionalSendEvents.EmailNotSent"


def test_a_complaint_master_unsubscribes(mc, api):
    api.asset()
    api.definition()
    api.send("c-1", contactKey="cc", to="cc@example.com")
    [message] = mc.outbox(message_key="c-1")
    answer = mc.http.post(f"{mc.base_url}/_emulator/outbox/{message['id']}/events", json={"type": "complaint"})
    assert answer.status_code == 201 and answer.json()["type"] == "Complaint"
    assert mc.emu.audience.get_subscriber(mc.parent_mid, "cc").status == "Unsubscribed"


def test_another_execute_request_is_an_error_result(zeep_client):
    request = zeep_client.get_type(P + "ExecuteRequest")(Name="SomethingElse", Parameters=[])
    reply = zeep_client.service.Execute(Requests=[request])
    assert reply.OverallStatus != "OK" and reply.Results[0].StatusCode == "Error"
    assert "not supported" in reply.Results[0].StatusMessage


def test_log_unsub_event_by_email_address_needs_one_subscriber(mc, world, zeep_client):
    world.list("lu-list5", [("y1", "shared@example.com", {}), ("y2", "shared@example.com", {}),
                            ("y3", "solo@example.com", {})])
    assert execute(zeep_client, EmailAddress="shared@example.com").Results[0].StatusCode == "Error"
    assert execute(zeep_client, EmailAddress="SOLO@example.com").Results[0].StatusCode == "OK"
    assert mc.emu.audience.get_subscriber(mc.parent_mid, "y3").status == "Unsubscribed"
    assert mc.emu.audience.get_subscriber(mc.parent_mid, "y1").status == "Active"
