"""Hostile and careless bodies on the ENS routes and the admin simulate-event route, generated: never a
5xx, never the last-resort guard, errors in SFMC's JSON shape; a refused event body records nothing.

Bodies are any JSON (nested objects, lists, odd numbers, long strings) and valid bodies with one member
broken (type swapped, removed, out of range). ``SFMC_HOSTILE_EXAMPLES`` examples per test, 100 by default.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.app import create_app
from emulator.core import Emulator
from emulator.domain.delivery import Batch, Message

EXAMPLES = int(os.environ.get("SFMC_HOSTILE_EXAMPLES", "100"))
PROFILE = settings(max_examples=EXAMPLES, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
DEAD = "http://127.0.0.1:9/ens"  # loopback, nothing listens: a probe is refused at once

VALID = {
    ("POST", "/platform/v1/ens-callbacks"): [{"callbackName": "cb", "url": DEAD, "maxBatchSize": 100}],
    ("PUT", "/platform/v1/ens-callbacks"): [{"callbackId": "x", "callbackName": "cb", "maxBatchSize": 100}],
    ("POST", "/platform/v1/ens-verify"): {"callbackId": "x", "verificationKey": "k"},
    ("PUT", "/platform/v1/ens-regenerate"): [{"callbackId": "x"}],
    ("POST", "/platform/v1/ens-subscriptions"): [{"callbackId": "x", "subscriptionName": "s",
                                                  "eventCategoryTypes": ["EngagementEvents.EmailOpen"],
                                                  "filters": ["definitionKey=a"]}],
    ("PUT", "/platform/v1/ens-subscriptions"): [{"subscriptionId": "x", "eventCategoryTypes": [
        "EngagementEvents.EmailOpen"], "status": "paused"}],
}
ROUTES = sorted(VALID)

scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=12)


@st.composite
def broken(draw, valid):
    """A valid body with one member of (its first) item replaced or removed."""
    body = json.loads(json.dumps(valid))
    item = body[0] if isinstance(body, list) else body
    key = draw(st.sampled_from(sorted(item)))
    if draw(st.booleans()):
        del item[key]
    else:
        item[key] = draw(json_values)
    return body


@pytest.fixture(scope="module")
def wire():
    emu = Emulator()
    client = create_app(emu).test_client()
    package = emu.tenant["installed_package"]
    token = client.post("/v2/token", json={"grant_type": "client_credentials", "client_id": package["client_id"],
                                           "client_secret": package["client_secret"]}).get_json()["access_token"]
    now = emu.clock.now().timestamp()
    message = Message(emu.enterprise_mid, "p@example.com", "p", "s", "<p>h</p>", "t", "n", "a@example.com", {}, now)
    emu.delivery.deliver(Batch([message]))
    yield emu, client, token, message.id
    emu.close()


def _check(emu: Emulator, response) -> None:
    assert response.status_code < 500, response.data
    assert emu.guard_hits == 0
    if response.status_code >= 400:
        body = response.get_json()
        assert isinstance(body, dict) and isinstance(body.get("message"), str) and "errorcode" in body, response.data


@PROFILE
@given(route=st.sampled_from(ROUTES), data=st.data())
def test_ens_routes_refuse_hostile_bodies(wire, route, data):
    emu, client, token, _ = wire
    method, path = route
    body = data.draw(st.one_of(json_values, broken(VALID[route])))
    response = client.open(path, method=method, data=json.dumps(body), content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    _check(emu, response)


@PROFILE
@given(route=st.sampled_from(ROUTES), raw=st.binary(max_size=64))
def test_ens_routes_refuse_bodies_that_are_not_json(wire, route, raw):
    emu, client, token, _ = wire
    response = client.open(route[1], method=route[0], data=raw, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    _check(emu, response)


EVENT = {"type": "click", "url": "https://example.com/x", "at": "2026-01-01T00:00:00Z"}


@PROFILE
@given(body=st.one_of(json_values, broken(EVENT)))
def test_the_simulate_event_route_refuses_hostile_bodies_and_records_nothing(wire, body):
    emu, client, _, message_id = wire
    before = emu.engagement.events_of(message_id)
    response = client.post(f"/_emulator/outbox/{message_id}/events", data=json.dumps(body),
                           content_type="application/json")
    _check(emu, response)
    if response.status_code != 201:
        assert emu.engagement.events_of(message_id) == before
