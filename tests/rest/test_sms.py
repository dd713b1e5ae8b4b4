"""Transactional SMS over REST (/messaging/v1/sms/...): definitions, single and batch sends, status, the
not-sent feed, personalisation, magic numbers, the outbox and the delivery listeners."""

from __future__ import annotations

import re

import pytest

from emulator.domain.delivery import Batch
from tests.rest.conftest import Api, assert_error

DEFS = "/messaging/v1/sms/definitions"
MSGS = "/messaging/v1/sms/messages"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$")
DEFINITION = {"definitionKey": "account-reset", "name": "account-reset", "description": "2FA",
              "content": {"message": "%%FirstName%%, your 2FA token is %%password%%"},
              "subscriptions": {"shortCode": "8201221", "countryCode": "us", "keyword": "password"}}


def sms_definition(api: Api, **changes) -> dict:
    body = {**DEFINITION, **changes}
    response = api.post(DEFS, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def sms_send(api: Api, key: str, definition: str = "account-reset", **recipient):
    recipient.setdefault("contactKey", f"contact-{key}")
    recipient.setdefault("to", "15555551234")
    return api.post(f"{MSGS}/{key}", json={"definitionKey": definition, "recipient": recipient})


@pytest.fixture
def sms(api: Api) -> Api:
    sms_definition(api)
    return api


@pytest.fixture
def heard(mc):
    """What the delivery listeners (ENS's hook) hear during the test."""
    batches: list[Batch] = []
    mc.emu.delivery.listeners.append(batches.append)
    yield batches
    mc.emu.delivery.listeners.remove(batches.append)


def notices(batches: list[Batch]) -> list[tuple[str, str, str | None, int | None]]:
    return [(n.message_key, n.status, n.to, n.status_code) for b in batches for n in b.notices if n.channel == "sms"]


# -- definitions -----------------------------------------------------------------------------------------
def test_create_answers_sfmcs_definition_shape(api: Api):
    got = sms_definition(api)
    assert got["definitionKey"] == "account-reset" and got["status"] == "Active"
    assert got["content"] == {"message": DEFINITION["content"]["message"]}
    assert got["subscriptions"] == {"shortCode": "8201221", "countryCode": "US", "keyword": "PASSWORD",
                                    "autoAddSubscriber": True, "updateSubscriber": True}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00", got["createdDate"])
    assert {"requestId", "definitionId", "modifiedDate", "description"} <= set(got)
    assert "classification" not in got and "options" not in got
    assert_error(api.post(DEFS, json=DEFINITION), 409, 30004, "MCMS_UTM_Runtime_ObjectAlreadyExists")


def test_long_code_needs_no_country_code(api: Api):
    got = sms_definition(api, definitionKey="long", name="long",
                         subscriptions={"shortCode": "971234567890", "keyword": "PASSWORD"})
    assert "countryCode" not in got["subscriptions"]


@pytest.mark.parametrize(("change", "errorcode", "word"), [
    ({"definitionKey": ""}, 109107, "definitionKey"),
    ({"name": ""}, 10002, "name"),
    ({"content": {}}, 10002, "content.message"),
    ({"content": {"message": 5}}, 10001, "content.message"),
    ({"subscriptions": {"keyword": "PASSWORD"}}, 10002, "shortCode"),
    ({"subscriptions": {"shortCode": "8201221"}}, 109120, "MissingRequiredField_keyword"),
    ({"subscriptions": {"shortCode": "82-01", "keyword": "K"}}, 10005, "shortCode"),
    ({"subscriptions": {"shortCode": "8201221", "keyword": "TWO WORDS"}}, 109115, "InvalidValue_keyword"),
    ({"subscriptions": {"shortCode": "8201221", "keyword": "K", "countryCode": "USA"}}, 10005, "countryCode"),
    ({"subscriptions": {"shortCode": "8201221", "keyword": "K", "autoAddSubscriber": "yes"}}, 10001, "autoAdd"),
    ({"subscriptions": {"shortCode": "8201221", "keyword": "K", "updateSubscriber": 1}}, 10001, "updateSub"),
    ({"status": "paused"}, 10005, "status"),
    ({"definitionKey": "k" * 37}, 10005, "36"),
])
def test_bad_definitions_are_refused_with_named_codes(api: Api, mc, change, errorcode, word):
    assert_error(api.post(DEFS, json={**DEFINITION, **change}), 400, errorcode, word)
    assert api.get(DEFS).json()["count"] == 0


def test_list_get_patch_delete(sms: Api):
    sms_definition(sms, definitionKey="second", name="second", status="Inactive")
    listed = sms.get(DEFS, params={"$filter": "status eq active", "$orderBy": "name"}).json()
    assert [d["definitionKey"] for d in listed["definitions"]] == ["account-reset"] and listed["count"] == 1
    patched = sms.patch(f"{DEFS}/account-reset", json={"description": "updated", "status": "Inactive",
                                                       "subscriptions": {"keyword": "RESET"}})
    assert patched.status_code == 200, patched.text
    got = sms.get(f"{DEFS}/account-reset").json()
    assert (got["description"], got["status"]) == ("updated", "Inactive")
    assert got["subscriptions"]["keyword"] == "RESET" and got["subscriptions"]["shortCode"] == "8201221"
    assert_error(sms.patch(f"{DEFS}/account-reset", json={"definitionKey": "other"}), 400, 10005)
    deleted = sms.delete(f"{DEFS}/account-reset").json()
    assert deleted["message"] == "Success" and re.fullmatch(r"[0-9a-f-]{36}", deleted["deletedDefinitionKey"])
    assert_error(sms.get(f"{DEFS}/account-reset"), 404, 30003)
    sms_definition(sms)  # the key is free again


def test_list_arguments_match_any_case_as_the_email_routes_do(sms: Api):
    sms_definition(sms, definitionKey="second", name="second", status="Inactive")
    listed = sms.get(DEFS, params={"$FILTER": "status eq inactive", "$pagesize": 1, "$orderby": "name"}).json()
    assert [d["definitionKey"] for d in listed["definitions"]] == ["second"] and listed["count"] == 1
    paged = sms.get(DEFS, params={"$pagesize": 1, "$Page": 2, "$orderBy": "name"}).json()
    assert [d["definitionKey"] for d in paged["definitions"]] == ["second"]
    assert (paged["page"], paged["pageSize"]) == (2, 1)


def test_sms_and_email_definitions_are_separate(sms: Api):
    assert_error(sms.get("/messaging/v1/email/definitions/account-reset"), 404, 30003)
    assert sms.get("/messaging/v1/email/definitions").json()["count"] == 0


def test_sms_definitions_do_not_count_against_the_email_quota(api: Api, mc):
    mc.emu.config.definition_quota = 1
    try:
        sms_definition(api)
        sms_definition(api, definitionKey="two", name="two")
        assert mc.emu.quota.used(mc.parent_mid) == 0
    finally:
        mc.emu.config.definition_quota = 500


# -- sends -----------------------------------------------------------------------------------------------
def test_single_send_is_202_personalised_and_in_the_outbox_as_sms(sms: Api, mc, heard):
    response = sms_send(sms, "f4fe74b7", contactKey="Astro25",
                        attributes={"FirstName": "Astro", "password": "1234567890ab"})
    assert response.status_code == 202
    assert response.json()["errorcode"] == 0 and response.json()["responses"] == [{"messageKey": "f4fe74b7"}]
    [message] = mc.outbox(message_key="f4fe74b7")
    assert message["channel"] == "sms" and message["to"] == "15555551234"
    assert message["text"] == "Astro, your 2FA token is 1234567890ab"
    assert (message["subject"], message["html"]) == ("", "")
    assert message["from_address"] == "8201221" and message["subscriber_key"] == "Astro25"
    assert message["definition_key"] == "account-reset"
    assert notices(heard) == [("f4fe74b7", "Sent", "15555551234", None),
                              ("f4fe74b7", "Delivered", "15555551234", 4000)]
    [notice] = [n for b in heard for n in b.notices if n.status == "Sent"]
    assert notice.definition_key == "account-reset" and notice.contact_key == "Astro25" and notice.at > 0
    assert notice.detail == {"shortCode": "8201221", "countryCode": "US", "keyword": "PASSWORD"}


def test_status_of_a_sent_message(sms: Api):
    sms_send(sms, "m-1", contactKey="Astro25")
    got = sms.get(f"{MSGS}/m-1").json()
    assert got["eventCategoryType"] == "TransactionalSendEvents.SMSSent"
    assert STAMP.match(got["timestamp"]) and got["compositeId"]
    assert got["info"] == {"messageKey": "m-1", "contactKey": "Astro25", "to": "15555551234"}
    assert_error(sms.get(f"{MSGS}/nope"), 404, 30003)
    # the email route does not know SMS message keys (a key space per channel)
    assert_error(sms.get("/messaging/v1/email/messages/m-1"), 404, 30003)


def test_batch_send_with_request_attributes_and_a_content_override(sms: Api, mc):
    response = sms.post(MSGS, json={
        "definitionKey": "account-reset", "attributes": {"password": "shared"},
        "recipients": [
            {"contactKey": "Astro25", "to": "15555551234", "messageKey": "k-a", "attributes": {"FirstName": "Astro"}},
            {"contactKey": "Codey36", "to": "15555554321", "attributes": {"FirstName": "Codey", "password": "own"}}]})
    assert response.status_code == 202 and response.json()["errorcode"] == 0
    keys = [r["messageKey"] for r in response.json()["responses"]]
    assert keys[0] == "k-a" and re.fullmatch(r"[0-9a-f-]{36}", keys[1])
    assert mc.outbox(message_key="k-a")[0]["text"] == "Astro, your 2FA token is shared"
    assert mc.outbox(message_key=keys[1])[0]["text"] == "Codey, your 2FA token is own"
    sms.post(f"{MSGS}/over", json={"definitionKey": "account-reset", "content": {"message": "Hi %%FirstName%%"},
                                   "recipient": {"contactKey": "c", "to": "15555550009",
                                                 "attributes": {"FirstName": "Ada"}}})
    assert mc.outbox(message_key="over")[0]["text"] == "Hi Ada"


def test_partial_failure_and_the_not_sent_feed(sms: Api, mc, heard):
    response = sms.post(MSGS, json={"definitionKey": "account-reset", "recipients": [
        {"contactKey": "a", "messageKey": "no-to"},
        {"contactKey": "b", "to": "call me", "messageKey": "bad-to"},
        {"to": "15555551234", "messageKey": "no-contact"},
        {"contactKey": "d", "to": "15555551234", "messageKey": "ok"},
        {"contactKey": "e", "to": "15555551234", "messageKey": "ok"}]})
    assert response.status_code == 202
    got = response.json()
    assert got["errorcode"] == 109001
    assert got["message"] == "MCMS_UTM_ResponsesHasErrors: 4 subscribers failed to queue out of 5"
    assert [r.get("errorcode") for r in got["responses"]] == [109106, 109121, 109105, None, 109110]
    assert got["responses"][0]["message"] == "MCMS_UTM_Validation_MissingRequiredField_to: Invalid subscriber"
    feed = sms.get(MSGS, params={"type": "notSent"}).json()
    assert sorted((m["info"]["messageKey"], m["statusCode"]) for m in feed["messages"]) == [
        ("bad-to", 47), ("no-contact", 29), ("no-to", 47)]
    [first] = [m for m in feed["messages"] if m["info"]["messageKey"] == "no-to"]
    assert first["eventCategoryType"] == "TransactionalSendEvents.SMSNotSent"
    assert first["statusMessage"] == "Mobile Address not found" and first["info"]["contactKey"] == "a"
    assert first["definitionKey"] == "account-reset" and feed["count"] == 3
    after = sms.get(MSGS, params={"type": "notSent", "lastEventId": feed["messages"][0]["eventID"],
                                  "$pagesize": 1}).json()
    assert [m["info"]["messageKey"] for m in after["messages"]] == [feed["messages"][1]["info"]["messageKey"]]
    assert after["lastEventID"] == feed["messages"][1]["eventID"]
    assert sms.get("/messaging/v1/email/messages", params={"type": "notSent"}).json()["count"] == 0
    assert ("no-to", "NotSent", None, 47) in notices(heard)
    assert_error(sms.get(MSGS, params={"type": "sent"}), 400, 10005)


def test_a_known_contacts_number_is_used_when_to_is_left_out(sms: Api, mc):
    sms_send(sms, "first", contactKey="Astro25", to="15555557777")
    assert sms_send(sms, "second", contactKey="Astro25", to=None).json()["errorcode"] == 0
    assert mc.outbox(message_key="second")[0]["to"] == "15555557777"


def test_auto_add_false_refuses_unknown_contacts(api: Api, mc):
    sms_definition(api, subscriptions={**DEFINITION["subscriptions"], "autoAddSubscriber": False})
    got = sms_send(api, "m-1", contactKey="stranger").json()
    assert got["errorcode"] == 109001 and got["responses"][0]["errorcode"] == 109109
    assert mc.outbox(message_key="m-1") == []


def test_magic_numbers(sms: Api, mc, heard):
    sms_send(sms, "not-sent", to="15555550000")
    assert mc.outbox(message_key="not-sent") == []
    status = sms.get(f"{MSGS}/not-sent").json()
    assert status["eventCategoryType"] == "TransactionalSendEvents.SMSNotSent"
    assert (status["info"]["statusCode"], status["info"]["statusMessage"]) == (15, "UnspecifiedError")
    sms_send(sms, "undeliverable", to="15555550001")
    assert mc.outbox(message_key="undeliverable")[0]["channel"] == "sms"
    assert sms.get(f"{MSGS}/undeliverable").json()["eventCategoryType"] == "TransactionalSendEvents.SMSSent"
    assert notices(heard) == [("not-sent", "NotSent", "15555550000", 15),
                              ("undeliverable", "Sent", "15555550001", None),
                              ("undeliverable", "Undeliverable", "15555550001", 4500)]


def test_inactive_definition_queues_then_delivers_on_activation(api: Api, mc):
    sms_definition(api, status="Inactive")
    sms_send(api, "q-1", attributes={"FirstName": "Q"})
    assert api.get(f"{MSGS}/q-1").json()["eventCategoryType"] == "TransactionalSendEvents.SMSQueued"
    assert api.get(f"{DEFS}/account-reset/queue").json()["count"] == 1
    assert mc.outbox(message_key="q-1") == []
    assert api.patch(f"{DEFS}/account-reset", json={"status": "Active"}).status_code == 200
    assert mc.outbox(message_key="q-1")[0]["text"].startswith("Q, your 2FA token")
    assert api.get(f"{DEFS}/account-reset/queue").json()["count"] == 0


def test_clearing_the_queue_needs_an_inactive_definition(sms: Api):
    assert_error(sms.delete(f"{DEFS}/account-reset/queue"), 400, 30001, "must be inactive")
    sms.patch(f"{DEFS}/account-reset", json={"status": "Inactive"})
    sms_send(sms, "q-1")
    assert sms.delete(f"{DEFS}/account-reset/queue").json()["message"] == "Queued"
    assert sms.get(f"{MSGS}/q-1").json()["info"]["statusCode"] == 39


@pytest.mark.parametrize(("body", "errorcode"), [
    ({"recipient": {"contactKey": "c", "to": "15555551234"}}, 109107),
    ({"definitionKey": "nope", "recipient": {"contactKey": "c", "to": "15555551234"}}, 109111),
    ({"definitionKey": "account-reset"}, 109102),
    ({"definitionKey": "account-reset", "recipient": {"contactKey": 5}}, 10001),
    ({"definitionKey": "account-reset", "recipient": {"contactKey": "c"}, "content": {"message": ""}}, 10002),
    ({"definitionKey": "account-reset", "recipient": {"contactKey": "c"}, "subscriptions": {"resubscribe": 1}},
     10001),
    ({"definitionKey": "account-reset", "recipient": {"contactKey": "c", "attributes": []}}, 10001),
])
def test_bad_send_bodies_are_refused_and_queue_nothing(sms: Api, mc, body, errorcode):
    assert_error(sms.post(f"{MSGS}/m-1", json=body), 400, errorcode)
    assert_error(sms.get(f"{MSGS}/m-1"), 404, 30003)
    assert mc.outbox() == []


def test_scopes_are_sfmcs(mc, sms: Api):
    email_only = Api(mc, scope="email_read email_write email_send")
    assert_error(email_only.get(DEFS), 403, 20001, "sms_read")
    assert_error(email_only.post(DEFS, json=DEFINITION), 403, 20001, "sms_write")
    reader = Api(mc, scope="sms_read")
    assert reader.get(DEFS).status_code == 200
    assert_error(sms_send(reader, "m-1"), 403, 20001, "sms_send")


def test_the_inspector_shows_an_sms_as_text(sms: Api, mc):
    sms_send(sms, "ui-1", contactKey="Astro25", attributes={"FirstName": "<b>Astro</b>", "password": "9"})
    [message] = mc.outbox(message_key="ui-1")
    listing = mc.http.get(f"{mc.base_url}/_emulator/ui/outbox", timeout=10).text
    assert "<td>SMS</td>" in listing and "(text message)" in listing
    view = mc.http.get(f"{mc.base_url}/_emulator/ui/outbox/{message['id']}", timeout=10)
    assert view.status_code == 200
    assert "SMS to 15555551234" in view.text and "short code 8201221" in view.text
    assert "&lt;b&gt;Astro&lt;/b&gt;, your 2FA token is 9" in view.text  # the text, escaped
    assert "<iframe" not in view.text and ".eml" not in view.text


def test_message_keys_are_per_channel(ready: Api, mc):
    sms_definition(ready)
    assert sms_send(ready, "shared-key").json()["errorcode"] == 0
    assert ready.send("shared-key").json()["errorcode"] == 0  # the email route: its own key space
    assert sorted(m["channel"] for m in mc.outbox(message_key="shared-key")) == ["email", "sms"]
    assert sms_send(ready, "shared-key").json()["responses"][0]["errorcode"] == 109110


def test_queued_sms_time_out_after_three_days_and_listeners_hear_it(api: Api, mc, heard):
    mc.clock.freeze()
    sms_definition(api, status="Inactive")
    sms_send(api, "late")
    mc.clock.advance(3 * 86400 + 1)
    api.refresh()  # the old token expired meanwhile
    status = api.get(f"{MSGS}/late").json()
    assert (status["eventCategoryType"], status["info"]["statusCode"]) == ("TransactionalSendEvents.SMSNotSent", 139)
    assert notices(heard) == [("late", "NotSent", "15555551234", 139)]


def test_listeners_hear_email_not_sent_messages_too(ready: Api, heard):
    ready.send("no-address", to="not an address")
    [notice] = [n for b in heard for n in b.notices]
    assert (notice.channel, notice.status, notice.message_key, notice.status_code) == ("email", "NotSent",
                                                                                        "no-address", 5)


def test_the_inspector_lists_sms_definitions_with_their_messages(sms: Api, mc):
    sms_send(sms, "def-1")
    listing = mc.http.get(f"{mc.base_url}/_emulator/ui/definitions", timeout=10)
    assert listing.status_code == 200 and "account-reset" in listing.text and "sms_definition" in listing.text
    page = mc.http.get(f"{mc.base_url}/_emulator/ui/definition", timeout=10,
                       params={"api": "REST", "type": "sms_definition", "key": "account-reset"})
    assert page.status_code == 200, page.text[:300]
    assert "def-1" in page.text
