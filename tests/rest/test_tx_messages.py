"""Transactional sends over REST: single and batch sends, per-recipient errors, the outbox, audiences,
inactive-definition queues, status and the not-sent list."""

from __future__ import annotations

import re

import requests

from emulator.store.audience import SubscriberRecord
from tests.rest.conftest import Api, assert_error, bearer_session, race

MSGS = "/messaging/v1/email/messages"
DEFS = "/messaging/v1/email/definitions"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$")  # Central time, no zone


def test_single_send_is_202_and_lands_rendered_in_the_outbox(ready: Api, mc):
    response = ready.send("m-1", attributes={"FirstName": "Ada", "OrderNo": "42"})
    assert response.status_code == 202
    got = response.json()
    assert got["errorcode"] == 0 and got["responses"] == [{"messageKey": "m-1"}] and "requestId" in got
    [message] = mc.outbox(message_key="m-1")
    assert message["to"] == "m-1@example.com" and message["job_id"] is None
    assert message["definition_key"] == "order-conf" and message["subscriber_key"] == "contact-m-1"
    assert message["subject"] == "Order 42 for Ada"
    assert message["text"] == "Hi Ada, order 42"
    assert message["from_address"] == "sender@emulator.example"
    # options.trackLinks (default true) sends links through the click redirect
    assert "/_emulator/click?ref=m-1&url=https%3A%2F%2Fshop.example%2Fo%2F42" in message["html"]
    assert "<p>Hi Ada</p>" in message["html"]


def test_track_links_false_leaves_links_alone(api: Api, mc):
    api.asset()
    api.definition(options={"trackLinks": False})
    api.send("m-1", attributes={"OrderNo": "7"})
    assert 'href="https://shop.example/o/7"' in mc.outbox(message_key="m-1")[0]["html"]


def test_profile_attributes_render_and_request_attributes_win(ready: Api, mc):
    mc.emu.audience.put_subscriber(mc.parent_mid, SubscriberRecord(
        "known", "known@example.com", attributes={"FirstName": "Grace", "OrderNo": "1"}), 0)
    ready.send("m-1", contactKey="known", to="known@example.com", attributes={"OrderNo": "2"})
    assert mc.outbox(message_key="m-1")[0]["subject"] == "Order 2 for Grace"
    # `to` may be left out when the contact is a known subscriber
    assert ready.send("m-2", contactKey="known", to=None).status_code == 202
    assert mc.outbox(message_key="m-2")[0]["to"] == "known@example.com"


def test_batch_send_generates_missing_message_keys(ready: Api, mc):
    response = ready.post(MSGS, json={"definitionKey": "order-conf", "attributes": {"OrderNo": "9"}, "recipients": [
        {"contactKey": "a", "to": "a@example.com", "messageKey": "k-a", "attributes": {"FirstName": "A"}},
        {"contactKey": "b", "to": "b@example.com"}]})
    assert response.status_code == 202
    got = response.json()
    assert got["errorcode"] == 0 and got["responses"][0] == {"messageKey": "k-a"}
    generated = got["responses"][1]["messageKey"]
    assert re.fullmatch(r"[0-9a-f-]{36}", generated)
    assert mc.outbox(message_key=generated)[0]["subject"] == "Order 9 for "
    assert mc.outbox(message_key="k-a")[0]["subject"] == "Order 9 for A"


def test_partial_failure_is_202_with_109001_and_per_recipient_codes(ready: Api, mc):
    response = ready.post(MSGS, json={"definitionKey": "order-conf", "recipients": [
        {"contactKey": "a", "messageKey": "no-to"},
        {"contactKey": "b", "to": "not-an-address", "messageKey": "bad-to"},
        {"to": "c@example.com", "messageKey": "no-contact"},
        {"contactKey": "d", "to": "d@example.com", "messageKey": "ok"},
        {"contactKey": "e", "to": "e@example.com", "messageKey": "ok"},
        {"contactKey": "f", "to": "f@example.com", "messageKey": "k" * 101},
        {"contactKey": "g", "to": "g@example.com", "messageKey": "odd", "colour": "red"}]})
    # (a contactKey of the wrong JSON type is not per recipient: the whole body is refused, see
    # test_json_boundary.py)
    assert response.status_code == 202
    got = response.json()
    assert got["errorcode"] == 109001
    assert got["message"] == "MCMS_UTM_ResponsesHasErrors: 6 subscribers failed to queue out of 7"
    codes = [(r["messageKey"][:10], r.get("errorcode")) for r in got["responses"]]
    assert codes == [("no-to", 109106), ("bad-to", 109121), ("no-contact", 109105), ("ok", None),
                     ("ok", 109110), ("k" * 10, 109108), ("odd", 109122)]
    assert got["responses"][0]["message"] == "MCMS_UTM_Validation_MissingRequiredField_to: Invalid subscriber"
    assert [m["message_key"] for m in mc.outbox()] == ["ok"]
    # what could not be sent is recorded as not sent, with the subscriber reason
    status = ready.get(f"{MSGS}/no-to").json()
    assert status["eventCategoryType"] == "TransactionalSendEvents.EmailNotSent"
    assert (status["info"]["statusCode"], status["info"]["statusMessage"]) == (4, "MissingEmailAddress")
    assert ready.get(f"{MSGS}/bad-to").json()["info"]["statusCode"] == 5


def test_a_used_message_key_is_refused_and_nothing_is_sent_twice(ready: Api, mc):
    assert ready.send("once").json()["errorcode"] == 0
    again = ready.send("once", contactKey="other", to="other@example.com").json()
    assert again["errorcode"] == 109001
    assert again["responses"] == [{"messageKey": "once", "errorcode": 109110,
                                   "message": "MCMS_UTM_Validation_DuplicateMessageKey: messageKey has already "
                                              "been used"}]
    batch = ready.post(MSGS, json={"definitionKey": "order-conf", "recipients": [
        {"contactKey": "x", "to": "x@example.com", "messageKey": "once"}]}).json()
    assert batch["responses"][0]["errorcode"] == 109110
    assert len(mc.outbox(message_key="once")) == 1
    assert ready.get(f"{MSGS}/once").json()["info"]["to"] == "once@example.com"


def test_request_level_errors(ready: Api, mc):
    recipient = {"contactKey": "a", "to": "a@example.com"}
    assert_error(ready.post(f"{MSGS}/k", json={"recipient": recipient}), 400, 109107, "definitionKey")
    assert_error(ready.post(f"{MSGS}/k", json={"definitionKey": "nope", "recipient": recipient}), 400, 109111,
                 "nope")
    assert_error(ready.post(f"{MSGS}/k", json={"definitionKey": "order-conf"}), 400, 109102, "recipient")
    assert_error(ready.post(MSGS, json={"definitionKey": "order-conf", "recipients": []}), 400, 109102)
    assert_error(ready.post(MSGS, json={"definitionKey": "order-conf", "recipient": recipient,
                                        "recipients": [recipient]}), 400, 10005, "recipients")
    too_many = [{"contactKey": f"c{i}", "to": f"c{i}@example.com"} for i in range(2001)]
    assert_error(ready.post(MSGS, json={"definitionKey": "order-conf", "recipients": too_many}), 400, 109101,
                 "2000")
    assert_error(ready.post(MSGS, data=b"[1,", headers={"Content-Type": "application/json"}), 400, 10004)
    assert mc.outbox() == []
    assert_error(requests.post(f"{mc.base_url}{MSGS}/k", json={}, timeout=10), 401, 0)
    no_send = Api(mc, scope="email_read")
    assert_error(no_send.post(f"{MSGS}/k", json={"definitionKey": "order-conf", "recipient": recipient}), 403,
                 20001, "email_send")


def test_a_2000_recipient_batch_is_accepted(ready: Api, mc):
    recipients = [{"contactKey": f"c{i}", "to": f"c{i}@example.com"} for i in range(2000)]
    got = ready.post(MSGS, json={"definitionKey": "order-conf", "recipients": recipients}).json()
    assert got["errorcode"] == 0 and len(got["responses"]) == 2000
    assert len(mc.outbox(limit=5000)) == 2000


def test_data_extension_row_per_request_and_subscriber_handling(api: Api, mc):
    mid = mc.parent_mid
    emu = mc.emu
    emu.object_service.store_new(mid, "DataExtension", {"CustomerKey": "tsde", "Name": "TS DE"})
    vip = emu.object_service.store_new(mid, "List", {"CustomerKey": "vip", "ListName": "VIP"})
    emu.audience.put_subscriber(mid, SubscriberRecord("old", "old@example.com", attributes={"FirstName": "O"}), 0)
    api.asset()
    api.definition(subscriptions={"list": "vip", "dataExtension": "tsde"})
    api.send("m-1", contactKey="new", to="new@example.com", attributes={"FirstName": "N"})
    api.send("m-2", contactKey="old", to="changed@example.com", attributes={"FirstName": "P"})
    rows = [row for _, row in emu.audience.iter_rows(mid, "tsde")]
    assert rows == [{"SubscriberKey": "new", "EmailAddress": "new@example.com", "FirstName": "N"},
                    {"SubscriberKey": "old", "EmailAddress": "changed@example.com", "FirstName": "P"}]
    # autoAddSubscriber: the new contact is a subscriber on the list; updateSubscriber: the old one changed
    assert emu.audience.get_subscriber(mid, "new").email == "new@example.com"
    assert emu.audience.membership(mid, vip["ID"], "new") == "Active"
    old = emu.audience.get_subscriber(mid, "old")
    assert old.email == "changed@example.com" and old.attributes["FirstName"] == "P"


def test_auto_add_and_update_can_be_switched_off(api: Api, mc):
    mid = mc.parent_mid
    mc.emu.audience.put_subscriber(mid, SubscriberRecord("old", "old@example.com"), 0)
    api.asset()
    api.definition(subscriptions={"list": "All Subscribers", "autoAddSubscriber": False, "updateSubscriber": False})
    api.send("m-1", contactKey="new", to="new@example.com")
    api.send("m-2", contactKey="old", to="changed@example.com")
    assert mc.emu.audience.get_subscriber(mid, "new") is None
    assert mc.emu.audience.get_subscriber(mid, "old").email == "old@example.com"
    assert len(mc.outbox()) == 2


def test_unsubscribed_and_held_contacts_are_not_sent(api: Api, mc):
    mid = mc.parent_mid
    vip = mc.emu.object_service.store_new(mid, "List", {"CustomerKey": "vip", "ListName": "VIP"})
    mc.emu.audience.put_subscriber(mid, SubscriberRecord("gone", "gone@example.com", status="Unsubscribed"), 0)
    mc.emu.audience.put_subscriber(mid, SubscriberRecord("held", "held@example.com", status="Held"), 0)
    mc.emu.audience.put_subscriber(mid, SubscriberRecord("left", "left@example.com"), 0)
    mc.emu.audience.set_membership(mid, vip["ID"], "left", "Unsubscribed", 0)
    api.asset()
    api.definition(subscriptions={"list": "vip"})
    for key in ("gone", "held", "left"):
        assert api.send(key, contactKey=key, to=f"{key}@example.com").json()["errorcode"] == 0
    assert mc.outbox() == []
    infos = {key: api.get(f"{MSGS}/{key}").json()["info"] for key in ("gone", "held", "left")}
    assert (infos["gone"]["statusCode"], infos["gone"]["statusMessage"]) == (1, "Unsubscribed")
    assert (infos["held"]["statusCode"], infos["held"]["statusMessage"]) == (2, "Held")
    assert (infos["left"]["statusCode"], infos["left"]["statusMessage"]) == (1000, "UnsubscribedList")


def test_status_shapes(ready: Api, mc):
    ready.send("sent")
    got = ready.get(f"{MSGS}/sent").json()
    assert list(got) == ["requestId", "eventCategoryType", "timestamp", "compositeId", "info"]
    assert got["eventCategoryType"] == "TransactionalSendEvents.EmailSent"
    assert STAMP.match(got["timestamp"])
    assert got["info"] == {"messageKey": "sent", "contactKey": "contact-sent", "to": "sent@example.com"}
    assert_error(ready.get(f"{MSGS}/never-sent"), 404, 30003, "never-sent")
    assert_error(requests.get(f"{mc.base_url}{MSGS}/sent", timeout=10), 401, 0)


def test_inactive_definition_queues_and_reactivation_delivers(ready: Api, mc):
    mc.clock.freeze()
    ready.patch(f"{DEFS}/order-conf", json={"status": "Inactive"})
    assert ready.send("q-1", attributes={"FirstName": "Q"}).json()["errorcode"] == 0
    queued = ready.get(f"{MSGS}/q-1").json()
    assert set(queued) == {"requestId", "eventCategoryType", "timestamp"}
    assert queued["eventCategoryType"] == "TransactionalSendEvents.EmailQueued"
    assert mc.outbox() == []
    mc.clock.advance(3 * 86400 - 60)
    ready.refresh()
    assert ready.patch(f"{DEFS}/order-conf", json={"status": "Active"}).status_code == 200
    assert ready.get(f"{MSGS}/q-1").json()["eventCategoryType"] == "TransactionalSendEvents.EmailSent"
    assert mc.outbox(message_key="q-1")[0]["subject"] == "Order  for Q"


def test_queued_messages_older_than_three_days_are_dropped(ready: Api, mc):
    mc.clock.freeze()
    ready.patch(f"{DEFS}/order-conf", json={"status": "Inactive"})
    ready.send("old")
    mc.clock.advance(2 * 86400)
    ready.refresh()
    ready.send("young")
    mc.clock.advance(86400 + 1)
    ready.refresh()
    dropped = ready.get(f"{MSGS}/old").json()
    assert dropped["eventCategoryType"] == "TransactionalSendEvents.EmailNotSent"
    assert (dropped["info"]["statusCode"], dropped["info"]["statusMessage"]) == (139, "TimedoutInQueue")
    assert ready.get(f"{DEFS}/order-conf/queue").json()["count"] == 1
    ready.patch(f"{DEFS}/order-conf", json={"status": "Active"})
    assert [m["message_key"] for m in mc.outbox()] == ["young"]


def test_deleted_definitions_send_nothing(ready: Api, mc):
    ready.patch(f"{DEFS}/order-conf", json={"status": "Inactive"})
    ready.send("waiting")
    ready.delete(f"{DEFS}/order-conf")
    assert ready.get(f"{MSGS}/waiting").json()["info"]["statusCode"] == 37
    after = ready.send("late")
    assert after.status_code == 202
    info = ready.get(f"{MSGS}/late").json()["info"]
    assert (info["statusCode"], info["statusMessage"]) == (37, "QueuedTransactionDeleted")
    assert mc.outbox() == []


def test_status_deleted_by_patch_also_stops_sending(ready: Api, mc):
    assert ready.patch(f"{DEFS}/order-conf", json={"status": "deleted"}).json()["status"] == "Deleted"
    assert ready.send("late").status_code == 202
    assert ready.get(f"{MSGS}/late").json()["info"]["statusCode"] == 37
    assert mc.outbox() == []
    assert_error(ready.patch(f"{DEFS}/order-conf", json={"status": "Active"}), 400, 30001, "deleted")


def test_not_sent_list_pages_by_event_id(ready: Api, mc):
    assert_error(ready.get(f"{MSGS}/", params={"type": "sent"}), 400, 10005, "notSent")
    assert ready.get(f"{MSGS}/", params={"type": "notSent"}).json() == {"lastEventID": 0, "messages": [],
                                                                         "count": 0}
    ready.post(MSGS, json={"definitionKey": "order-conf", "recipients": [
        {"contactKey": f"c{i}", "messageKey": f"ns-{i}"} for i in range(5)] + [
        {"contactKey": "fine", "to": "fine@example.com", "messageKey": "sent"}]})
    first = ready.get(f"{MSGS}/", params={"type": "notSent", "$pageSize": 2}).json()
    assert first["count"] == 2 and [m["info"]["messageKey"] for m in first["messages"]] == ["ns-0", "ns-1"]
    item = first["messages"][0]
    assert set(item) == {"statusCode", "statusMessage", "eventCategoryType", "timestamp", "definitionKey",
                         "eventID", "info"}
    assert item["eventCategoryType"] == "TransactionalSendEvents.EmailNotSent"
    assert item["definitionKey"] == "order-conf" and STAMP.match(item["timestamp"])
    rest = ready.get(f"{MSGS}/", params={"type": "notSent", "$pageSize": 10,
                                         "lastEventId": first["lastEventID"]}).json()
    assert [m["info"]["messageKey"] for m in rest["messages"]] == ["ns-2", "ns-3", "ns-4"]
    assert rest["lastEventID"] == rest["messages"][-1]["eventID"]
    assert_error(ready.get(f"{MSGS}/", params={"type": "notSent", "lastEventId": "x"}), 400, 10005)
    assert_error(ready.get(f"{MSGS}/", params={"type": "notSent", "lastEventId": str(10**20)}), 400, 10005)
    assert_error(ready.get(f"{MSGS}/", params={"type": "notSent", "$pageSize": "1e300"}), 400, 10005)


def test_concurrent_sends_of_one_message_key_send_it_once(ready: Api, mc):
    def send(i: int):
        session = bearer_session(ready.token)
        body = {"definitionKey": "order-conf", "recipient": {"contactKey": f"c{i}", "to": f"c{i}@example.com"}}
        return lambda: session.post(f"{mc.base_url}{MSGS}/same", json=body, timeout=30).json()["errorcode"]

    assert sorted(race([send(i) for i in range(20)])) == [0] + [109001] * 19
    assert len(mc.outbox(message_key="same")) == 1
