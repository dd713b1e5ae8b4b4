"""The Event Notification Service against a loopback receiver: the verification handshake, callbacks and
subscriptions, signed batches of sent/bounce/open/click/unsubscribe events, retries on the emulator clock."""

from __future__ import annotations

import threading

import pytest

from emulator.domain.ens.worker import RETRY_DELAYS
from tests.engagement.receiver import Receiver, signed
from tests.rest.test_sms import sms_definition, sms_send

CALLBACKS, SUBS, VERIFY = "/platform/v1/ens-callbacks", "/platform/v1/ens-subscriptions", "/platform/v1/ens-verify"
EMAIL_TYPES = ["TransactionalSendEvents.EmailSent", "TransactionalSendEvents.EmailBounced",
               "EngagementEvents.EmailOpen", "EngagementEvents.EmailClick", "EngagementEvents.EmailUnsubscribe"]


def register(api, receiver: Receiver, types=None, filters=None, size: int = 100) -> tuple[dict, dict]:
    """A verified callback on `receiver` and one subscription on it."""
    created = api.post(CALLBACKS, json=[{"callbackName": "cb", "url": receiver.url, "maxBatchSize": size}])
    assert created.status_code == 201, created.text
    [callback] = created.json()
    assert set(callback) == {"callbackName", "callbackId", "url", "signatureKey", "maxBatchSize"}
    [probe] = receiver.wait_for(1)
    assert set(probe["json"]) == {"callbackId", "verificationKey"}
    assert probe["json"]["callbackId"] == callback["callbackId"]
    assert api.get(f"{CALLBACKS}/{callback['callbackId']}").json()["status"] == "unverified"
    verified = api.post(VERIFY, json=probe["json"])
    assert verified.status_code == 200, verified.text
    assert api.get(f"{CALLBACKS}/{callback['callbackId']}").json()["status"] == "verified"
    made = api.post(SUBS, json=[{"callbackId": callback["callbackId"], "subscriptionName": "sub",
                                 "eventCategoryTypes": types or EMAIL_TYPES, "filters": filters or []}])
    assert made.status_code == 201, made.text
    return callback, made.json()[0]


def events(receiver: Receiver) -> list[dict]:
    return [e for batch in receiver.batches() for e in batch]


def wait_log(mc, count: int) -> list[dict]:
    """The delivery log once it holds `count` attempts (an attempt is logged after its answer is settled)."""
    pause = threading.Event()  # never set: a short sleep between looks
    for _ in range(600):
        found = mc.emu.ens.deliveries()
        if len(found) >= count:
            return found
        pause.wait(0.02)
    return mc.emu.ens.deliveries()


def wait_events(receiver: Receiver, count: int) -> list[dict]:
    for _ in range(300):
        found = events(receiver)
        if len(found) >= count:
            return found
        receiver.wait_for(len(receiver.posts) + 1, timeout=0.05)
    return events(receiver)


def test_transactional_send_bounce_open_click_and_unsubscribe_arrive_signed(mc, api, receiver):
    callback, subscription = register(api, receiver)
    assert subscription["status"] == "active" and subscription["eventCategoryTypes"] == EMAIL_TYPES
    api.asset()
    api.definition()
    assert api.send("m-1", attributes={"FirstName": "Ada", "OrderNo": "7"}).status_code == 202
    [message] = mc.outbox(message_key="m-1")
    for body in ({"type": "open"}, {"type": "click", "url": "https://shop.example/o/7"}, {"type": "bounce"},
                 {"type": "unsubscribe"}):
        assert mc.http.post(f"{mc.base_url}/_emulator/outbox/{message['id']}/events", json=body).status_code == 201
    found = wait_events(receiver, 5)
    assert [e["eventCategoryType"] for e in found] == [
        "TransactionalSendEvents.EmailSent", "EngagementEvents.EmailOpen", "EngagementEvents.EmailClick",
        "TransactionalSendEvents.EmailBounced", "EngagementEvents.EmailUnsubscribe"]
    sent, opened, clicked, bounced, unsubscribed = found
    assert sent["info"] == {"to": "m-1@example.com", "subscriberKey": "contact-m-1", "messageKey": "m-1",
                            "status": "Sent", "renderedSubject": "Order 7 for Ada"}
    assert sent["definitionKey"] == "order-conf" and sent["mid"] == mc.parent_mid and sent["eid"] == mc.parent_mid
    definition_id = api.get("/messaging/v1/email/definitions/order-conf").json()["definitionId"]
    assert sent["definitionId"] == bounced["definitionId"] == definition_id
    assert opened["definitionId"] == "NA" and opened["channel"] == "email"
    assert clicked["info"]["contentLink"] == "https://shop.example/o/7"
    assert bounced["info"]["bounceCode"] == "HARD" and bounced["info"]["messageKey"] == "m-1"
    assert unsubscribed["info"]["to"] == "m-1@example.com" and unsubscribed["info"]["domain"] == "example.com"
    # sent and engagement events of one message share their composite (how consumers join them)
    assert len({(e["composite"]["jobId"], e["composite"]["subscriberId"]) for e in found}) == 1
    for post in receiver.posts[1:]:
        assert post["signature"] == signed(callback["signatureKey"], post["body"])
    log = mc.http.get(f"{mc.base_url}/_emulator/ens/deliveries").json()
    assert log and all(row["outcome"] == "delivered" and row["status"] == 200 for row in log)


def test_a_soap_send_clicked_through_its_tracked_link_is_an_email_click(mc, api, receiver, world, zeep_client):
    register(api, receiver, types=["EngagementEvents.EmailClick", "EngagementEvents.EmailOpen"])
    email_id = world.email("ens-news", html='<html><body><a href="https://example.com/x">x</a></body></html>')
    list_id = world.list("ens-list", [("n1", "n1@example.com", {})])
    reply = zeep_client.service.Create(Options={}, Objects=[zeep_client.get_type(
        "{http://exacttarget.com/wsdl/partnerAPI}Send")(Email={"ID": email_id}, List=[{"ID": list_id}])])
    job_id = int(reply.Results[0].NewID)
    mc.wait_for_job(job_id)
    [message] = mc.outbox(job_id=job_id)
    import re

    import requests
    click = re.search(r'href="([^"]*/_emulator/click\?[^"]*)"', message["html"]).group(1)
    assert requests.get(click, allow_redirects=False, timeout=10).status_code == 302
    [clicked] = wait_events(receiver, 1)
    assert clicked["eventCategoryType"] == "EngagementEvents.EmailClick"
    assert clicked["composite"]["jobId"] == str(job_id) and clicked["composite"]["listId"] == "0"
    assert clicked["info"]["contentLink"] == "https://example.com/x"


def test_filters_select_by_definition_key(mc, api, receiver):
    register(api, receiver, types=["TransactionalSendEvents.EmailSent"], filters=["definitionKey=other"])
    api.asset()
    api.definition()
    api.definition("other")
    api.send("f-1")
    api.send("f-2", definition="other")
    found = wait_events(receiver, 1)
    assert [e["info"]["messageKey"] for e in found] == ["f-2"]


def test_a_failing_receiver_gets_retries_on_the_schedule_then_the_batch_is_dropped(mc, api, receiver):
    register(api, receiver, types=["EngagementEvents.EmailOpen"])
    receiver.status = 500
    mc.clock.freeze()
    api.asset()
    api.definition()
    api.send("r-1")
    [message] = mc.outbox(message_key="r-1")
    mc.http.post(f"{mc.base_url}/_emulator/outbox/{message['id']}/events", json={"type": "open"})
    wait_log(mc, 1)  # the first attempt, answered 500
    worker = mc.emu.ens.worker
    for attempt, delay in enumerate(RETRY_DELAYS, start=2):
        mc.clock.advance(delay - 1)
        worker.pump()
        assert len(receiver.batches()) == attempt - 1, f"attempt {attempt} came early"
        mc.clock.advance(1)
        wait_log(mc, attempt)
        assert len(receiver.batches()) == attempt
    mc.clock.advance(3600)
    worker.pump()
    assert len(receiver.batches()) == 1 + len(RETRY_DELAYS)  # dropped after three retries
    assert len({p["body"] for p in receiver.posts[1:]}) == 1  # the same batch each time
    log = mc.http.get(f"{mc.base_url}/_emulator/ens/deliveries").json()
    assert [row["outcome"] for row in reversed(log)] == ["retrying"] * 3 + ["dropped"]
    assert all(row["status"] == 500 for row in log)


def test_a_paused_subscription_drops_what_happens_meanwhile(mc, api, receiver):
    _, subscription = register(api, receiver, types=["TransactionalSendEvents.EmailSent"])
    api.asset()
    api.definition()
    paused = api.request("PUT", SUBS, json=[{"subscriptionId": subscription["subscriptionId"],
                                             "eventCategoryTypes": subscription["eventCategoryTypes"],
                                             "status": "paused", "statusReason": "testing"}])
    assert paused.status_code == 200 and paused.json()[0]["status"] == "paused"
    api.send("p-1")
    api.request("PUT", SUBS, json=[{"subscriptionId": subscription["subscriptionId"],
                                    "eventCategoryTypes": subscription["eventCategoryTypes"], "status": "active"}])
    api.send("p-2")
    assert [e["info"]["messageKey"] for e in wait_events(receiver, 1)] == ["p-2"]


def test_callbacks_and_subscriptions_crud(api, receiver):
    callback, subscription = register(api, receiver)
    cb_id, sub_id = callback["callbackId"], subscription["subscriptionId"]
    assert [c["callbackId"] for c in api.get(CALLBACKS).json()] == [cb_id]
    assert api.get(f"{SUBS}/{sub_id}").json()["callbackName"] == "cb"
    assert [s["subscriptionId"] for s in api.get(f"/platform/v1/ens-subscriptions-by-cb/{cb_id}").json()] == [sub_id]
    renamed = api.request("PUT", CALLBACKS, json=[{"callbackId": cb_id, "callbackName": "cb2", "maxBatchSize": 500}])
    assert renamed.status_code == 200 and renamed.json()[0]["maxBatchSize"] == 500
    assert api.delete(f"{CALLBACKS}/{cb_id}").status_code == 409  # subscriptions first
    regenerated = api.request("PUT", "/platform/v1/ens-regenerate", json=[{"callbackId": cb_id}])
    assert regenerated.json()[0]["signatureKey"] != callback["signatureKey"]
    assert api.delete(f"{SUBS}/{sub_id}").status_code == 200
    assert api.get(f"{SUBS}/{sub_id}").status_code == 404
    assert api.delete(f"{CALLBACKS}/{cb_id}").status_code == 200
    assert api.get(f"{CALLBACKS}/{cb_id}").status_code == 404


@pytest.mark.parametrize("url", ["https://example.com/hook", "http://10.0.0.1/x", "ftp://127.0.0.1/x", "nope"])
def test_callbacks_only_reach_loopback(api, url):
    answer = api.post(CALLBACKS, json=[{"callbackName": "cb", "url": url}])
    assert answer.status_code == 400, answer.text
    assert api.get(CALLBACKS).json() == []


def test_a_callback_that_does_not_answer_the_probe_is_refused_and_stays_unverified(api, receiver):
    receiver.status = 500
    answer = api.post(CALLBACKS, json=[{"callbackName": "cb", "url": receiver.url}])
    assert answer.status_code == 400 and "probeCallbackLiveness" in answer.json()["message"]
    [callback] = api.get(CALLBACKS).json()
    assert callback["status"] == "unverified"


def test_verification_needs_the_right_key_and_subscriptions_a_verified_callback(api, receiver):
    created = api.post(CALLBACKS, json=[{"callbackName": "cb", "url": receiver.url}]).json()[0]
    assert api.post(VERIFY, json={"callbackId": created["callbackId"], "verificationKey": "wrong"}).status_code == 404
    early = api.post(SUBS, json=[{"callbackId": created["callbackId"], "subscriptionName": "s",
                                  "eventCategoryTypes": EMAIL_TYPES}])
    assert early.status_code == 400
    key = receiver.wait_for(1)[0]["json"]["verificationKey"]
    assert api.post(VERIFY, json={"callbackId": created["callbackId"], "verificationKey": key}).status_code == 200
    assert api.post(VERIFY, json={"callbackId": created["callbackId"], "verificationKey": key}).status_code == 404
    unknown = api.post(SUBS, json=[{"callbackId": created["callbackId"], "subscriptionName": "s",
                                    "eventCategoryTypes": ["EngagementEvents.EmailForward"]}])
    assert unknown.status_code == 400


def test_a_transactional_message_not_sent_is_an_email_not_sent(mc, api, receiver):
    register(api, receiver, types=["TransactionalSendEvents.EmailNotSent"], filters=["statusCode=1"])
    api.asset()
    api.definition()
    api.send("n-1", contactKey="nc", to="nc@example.com")
    [message] = mc.outbox(message_key="n-1")
    mc.http.post(f"{mc.base_url}/_emulator/outbox/{message['id']}/events", json={"type": "unsubscribe"})
    api.send("n-2", contactKey="nc", to="nc@example.com")
    [not_sent] = wait_events(receiver, 1)
    assert not_sent["eventCategoryType"] == "TransactionalSendEvents.EmailNotSent"
    assert not_sent["info"] == {"to": "nc@example.com", "subscriberKey": "nc", "messageKey": "n-2",
                                "reason": "Unsubscribed", "statusCode": "1", "statusMessage": "Unsubscribed"}
    assert not_sent["definitionKey"] == "order-conf"


def test_transactional_sms_events_reach_the_loopback_receiver(mc, api, receiver):
    """Delivery's SMS notices are published as SFMC's SmsSent, SmsDelivered, SmsBounced and SmsNotSent."""
    types = ["TransactionalSendEvents.SmsSent", "TransactionalSendEvents.SmsNotSent",
             "TransactionalSendEvents.SmsDelivered", "TransactionalSendEvents.SmsBounced"]
    register(api, receiver, types=types)
    sms_definition(api)
    assert sms_send(api, "s-1", to="15555551234").status_code == 202
    found = wait_events(receiver, 2)
    assert [e["eventCategoryType"] for e in found] == ["TransactionalSendEvents.SmsSent",
                                                       "TransactionalSendEvents.SmsDelivered"]
    sent, delivered = found
    assert sent["info"] == {"to": "15555551234", "subscriberKey": "contact-s-1", "messageKey": "s-1"}
    assert sent["definitionKey"] == "account-reset" and sent["mid"] == mc.parent_mid
    assert sent["composite"]["mobileNumber"] == "15555551234"
    assert (delivered["info"]["statusCode"], delivered["info"]["statusMessage"]) == ("4000", "Delivered")
    assert delivered["info"]["fromAddress"] == "8201221"
    assert sms_send(api, "s-2", to="15555550001").status_code == 202  # the magic undeliverable number
    assert sms_send(api, "s-3", to="15555550000").status_code == 202  # the magic not-sent number
    found = wait_events(receiver, 5)
    assert [(e["eventCategoryType"], e["info"]["messageKey"]) for e in found[2:]] == [
        ("TransactionalSendEvents.SmsSent", "s-2"), ("TransactionalSendEvents.SmsBounced", "s-2"),
        ("TransactionalSendEvents.SmsNotSent", "s-3")]
    not_sent = found[4]["info"]
    assert not_sent["statusCode"] and not_sent["reason"]
