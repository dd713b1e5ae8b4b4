"""Audit of issue 4 through the running server: SOAP and REST creates share one definition quota (real SOAP
envelopes, not direct reservations), the window rolls per creation, every transactional route refuses a token
without its scope with 403, and a SOAP-created TriggeredSendDefinition sends over messageDefinitionSends."""

from __future__ import annotations

import pytest

from tests.rest.conftest import Api, assert_error, bearer_session, race
from tests.soap_helpers import PARTNER, texts, validate_body

DEFS = "/messaging/v1/email/definitions"
MSGS = "/messaging/v1/email/messages"
DAY = 86400


def _definition(key: str) -> dict:
    return {"definitionKey": key, "name": f"name {key}", "content": {"customerKey": "order-email"},
            "subscriptions": {"list": "All Subscribers"}}


def _email(mc) -> int:
    return mc.emu.object_service.store_new(mc.parent_mid, "Email", {
        "CustomerKey": "tsd-email", "Name": "TSD email", "Subject": "Hi %%FirstName%%",
        "HTMLBody": "<p>Hello %%FirstName%%</p>", "TextBody": "Hello"})["ID"]


def _tsd(key: str, email_id: int, status: str = "") -> str:
    extra = f"<TriggeredSendStatus>{status}</TriggeredSendStatus>" if status else ""
    return (f'<Objects xsi:type="TriggeredSendDefinition"><CustomerKey>{key}</CustomerKey><Name>{key}</Name>'
            f"<Email><ID>{email_id}</ID></Email>{extra}</Objects>")


@pytest.fixture
def small_quota(mc):
    mc.emu.config.definition_quota = 3
    yield 3
    mc.emu.config.definition_quota = 500


def test_soap_and_rest_creates_count_against_one_quota(api: Api, mc, soap, small_quota):
    mc.clock.freeze()
    api.asset()
    email_id = _email(mc)
    created = soap.create(_tsd("tsd-1", email_id) + _tsd("tsd-2", email_id))
    assert texts(created, "p:Results/p:StatusCode") == ["OK", "OK"]
    assert api.post(DEFS, json=_definition("rest-1")).status_code == 201
    # the quota is full: REST is refused with the documented-in-README answer, SOAP with an Error result
    assert_error(api.post(DEFS, json=_definition("rest-2")), 400, 30001, "MCMS_UTM_Runtime_InvalidOperation",
                 "Definition limit exceeded", "3")
    refused = soap.create(_tsd("tsd-3", email_id))
    assert texts(refused, "p:Results/p:StatusCode") == ["Error"]
    assert "Definition limit exceeded" in texts(refused, "p:Results/p:StatusMessage")[0]
    assert mc.emu.objects.find_one(mc.parent_mid, "TriggeredSendDefinition", "CustomerKey", "tsd-3") is None
    assert mc.emu.quota.used(mc.parent_mid) == 3
    # seven days later the window has rolled past all three: both protocols create again
    mc.clock.advance(7 * DAY + 1)
    api.refresh()
    assert api.post(DEFS, json=_definition("rest-2")).status_code == 201
    assert texts(soap.create(_tsd("tsd-3", email_id)), "p:Results/p:StatusCode") == ["OK"]


def test_the_window_rolls_one_creation_at_a_time(api: Api, mc, small_quota):
    """Rolling, not a fixed week: a slot frees exactly seven days after the creation that used it."""
    mc.clock.freeze()
    api.asset()
    assert api.post(DEFS, json=_definition("d0")).status_code == 201
    mc.clock.advance(2 * DAY)
    api.refresh()
    for key in ("d1", "d2"):
        assert api.post(DEFS, json=_definition(key)).status_code == 201
    mc.clock.advance(5 * DAY + 1)  # d0 is now older than 7 days, d1/d2 are 5 days old
    api.refresh()
    assert api.post(DEFS, json=_definition("d3")).status_code == 201
    assert_error(api.post(DEFS, json=_definition("d4")), 400, 30001, "Definition limit exceeded")
    # deleting a definition gives no slot back: the quota counts creations
    assert api.delete(f"{DEFS}/d1").status_code == 200
    assert_error(api.post(DEFS, json=_definition("d4")), 400, 30001)
    mc.clock.advance(2 * DAY)
    api.refresh()
    assert api.post(DEFS, json=_definition("d4")).status_code == 201


def test_concurrent_soap_and_rest_creators_get_exactly_the_quota(api: Api, mc, soap):
    """25 SOAP TriggeredSendDefinition Creates and 25 REST definition creates race for 20 slots."""
    api.asset()
    email_id = _email(mc)
    mc.emu.config.definition_quota = 20

    def rest(i: int):
        session = bearer_session(api.token)
        return lambda: ("rest", session.post(mc.base_url + DEFS, json=_definition(f"r{i}"),
                                             timeout=30).status_code == 201)

    def soap_create(i: int):
        return lambda: ("soap", texts(soap.create(_tsd(f"s{i}", email_id)), "p:Results/p:StatusCode") == ["OK"])

    try:
        outcomes = race([make(i) for i in range(25) for make in (rest, soap_create)])
    finally:
        mc.emu.config.definition_quota = 500
    assert len(outcomes) == 50 and sum(ok for _, ok in outcomes) == 20
    created_rest = sum(ok for kind, ok in outcomes if kind == "rest")
    assert api.get(DEFS).json()["count"] == created_rest
    stored = texts(soap.retrieve("TriggeredSendDefinition", ["CustomerKey"]), "p:Results/p:CustomerKey")
    assert len(stored) == 20 - created_rest
    assert mc.emu.quota.used(mc.parent_mid) == 20


ROUTES = [
    ("GET", DEFS, "email_read"), ("POST", DEFS, "email_write"), ("GET", f"{DEFS}/order-conf", "email_read"),
    ("PATCH", f"{DEFS}/order-conf", "email_write"), ("DELETE", f"{DEFS}/order-conf", "email_write"),
    ("GET", f"{DEFS}/order-conf/queue", "email_read"), ("DELETE", f"{DEFS}/order-conf/queue", "email_write"),
    ("POST", f"{MSGS}/m-1", "email_send"), ("POST", MSGS, "email_send"), ("GET", f"{MSGS}/m-1", "email_read"),
    ("GET", f"{MSGS}/?type=notSent", "email_read"),
    ("POST", "/messaging/v1/messageDefinitionSends/key:tsd/send", "email_send"),
]


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES)
def test_a_token_without_the_scope_is_403_on_every_route(ready: Api, mc, method, path, scope):
    other = Api(mc, scope="tracking_events_read list_and_subscribers_read")  # granted, but not this route's
    assert_error(other.request(method, path, json={}), 403, 20001, scope)
    # a token asked only for scopes the package lacks is granted none: it gets 403, not everything
    assert_error(Api(mc, scope="journeys_read").request(method, path, json={}), 403, 20001, scope)
    # nothing happened: the definition is still there
    assert ready.get(f"{DEFS}/order-conf").status_code == 200


def test_message_definition_send_to_a_soap_created_tsd_lands_in_the_outbox(api: Api, mc, soap):
    email_id = _email(mc)
    created = soap.create(_tsd("soap-tsd", email_id, "Active"))
    assert texts(created, "p:Results/p:StatusCode") == ["OK"]
    response = api.post("/messaging/v1/messageDefinitionSends/key:soap-tsd/send", json={
        "To": {"Address": "ada@example.com", "SubscriberKey": "ada",
               "ContactAttributes": {"SubscriberAttributes": {"FirstName": "Ada"}}}})
    assert response.status_code == 202, response.text
    [item] = response.json()["responses"]
    assert item["hasErrors"] is False
    [message] = mc.outbox(message_key=item["recipientSendId"])
    assert message["definition_key"] == "soap-tsd" and message["to"] == "ada@example.com"
    assert message["subject"] == "Hi Ada" and message["html"] == "<p>Hello Ada</p>"
    # a SOAP TSD still New (never started) is refused per recipient, as SFMC does, and sends nothing
    soap.create(_tsd("new-tsd", email_id))
    refused = api.post("/messaging/v1/messageDefinitionSends/key:new-tsd/send",
                       json={"To": {"Address": "bob@example.com", "SubscriberKey": "bob"}})
    assert refused.status_code == 202 and refused.json()["responses"][0]["hasErrors"] is True
    assert len(mc.outbox()) == 1


def test_serve_takes_the_quota_from_its_command_line(tmp_path):
    """The limit is a `serve` option (--definition-quota / --definition-quota-days), not only a Config field."""
    from tests.fixture.test_sandbox import soap as soap_call
    from tests.serving import free_port, serve, stop

    port = free_port()
    proc = serve(tmp_path / "quota.db", port, "--definition-quota", "1", "--definition-quota-days", "2")
    try:
        email = soap_call(port, "Create", f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="Email">'
                          "<CustomerKey>e</CustomerKey><Name>e</Name><Subject>s</Subject><HTMLBody>x</HTMLBody>"
                          "</Objects></CreateRequest>")
        email_id = int(texts(validate_body(email.content), ".//p:NewID")[0])
        answer = soap_call(port, "Create", f'<CreateRequest xmlns="{PARTNER}">{_tsd("t1", email_id)}'
                           f"{_tsd('t2', email_id)}</CreateRequest>")
        results = validate_body(answer.content)
        assert texts(results, ".//p:Results/p:StatusCode") == ["OK", "Error"]
        assert "at most 1 " in texts(results, ".//p:Results/p:StatusMessage")[1]
        assert "in 2 days" in texts(results, ".//p:Results/p:StatusMessage")[1]
    finally:
        stop(proc)
