"""Hostile and careless bodies on the transactional SMS routes, generated: SFMC's 400 JSON error, never a 5xx,
nothing created, changed, queued or sent.

Valid bodies for each route are generated first (a definition, a patch, a single and a batch send), then
broken one way: a value's type swapped for an object or a list, a required member removed, the body's
top-level type swapped, numbers that are not finite (NaN, Infinity, 1e400) or text that is not JSON at all.

``SFMC_HOSTILE_EXAMPLES`` examples per test, 200 by default.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.core import Emulator
from tests.properties.common import PROFILE, answered, refused_unchanged, token_client

KEY = "otp"
ROUTES = {  # route -> (method, path, body kind)
    "create": ("POST", "/messaging/v1/sms/definitions", "create"),
    "patch": ("PATCH", f"/messaging/v1/sms/definitions/{KEY}", "patch"),
    "single": ("POST", "/messaging/v1/sms/messages/m-1", "single"),
    "batch": ("POST", "/messaging/v1/sms/messages", "batch"),
}
REQUIRED = {"create": ["definitionKey", "name", "content", "subscriptions"], "patch": [],
            "single": ["definitionKey", "recipient"], "batch": ["definitionKey", "recipients"]}


@pytest.fixture(scope="module")
def wire():
    emu, client, token = token_client()
    ok = client.post("/messaging/v1/sms/definitions", headers={"Authorization": f"Bearer {token}"}, json={
        "definitionKey": KEY, "name": "OTP", "content": {"message": "Code %%code%%"},
        "subscriptions": {"shortCode": "12345", "countryCode": "US", "keyword": "OTP"}})
    assert ok.status_code == 201, ok.data
    yield emu, client, token
    emu.close()


def state(emu: Emulator) -> tuple:
    with emu.store.reading() as conn:
        docs = conn.execute("SELECT pk, key, data, modified FROM rest_object ORDER BY pk").fetchall()
        messages = conn.execute("SELECT pk, status, payload FROM tx_message ORDER BY pk").fetchall()
        outbox = conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    return [tuple(r) for r in docs], [tuple(r) for r in messages], outbox


words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
numbers = st.text("0123456789", min_size=6, max_size=15)
attributes = st.dictionaries(words, st.one_of(words, st.integers(-10**6, 10**6), st.booleans(), st.none()),
                             max_size=3)
nested = st.one_of(st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
                   st.lists(st.integers(), max_size=3))


@st.composite
def recipient(draw) -> dict:
    return {"contactKey": draw(words), "to": draw(numbers), "attributes": draw(attributes)}


@st.composite
def valid_body(draw, kind: str) -> dict:
    if kind == "create":
        return {"definitionKey": draw(words), "name": draw(words), "content": {"message": draw(words)},
                "subscriptions": {"shortCode": draw(numbers), "keyword": "K"}}
    if kind == "patch":
        return draw(st.fixed_dictionaries({}, optional={"description": words, "content": st.just({"message": "x"}),
                                                        "status": st.sampled_from(["Active", "Inactive"])}))
    if kind == "single":
        return {"definitionKey": KEY, "recipient": draw(recipient())}
    return {"definitionKey": KEY, "recipients": draw(st.lists(recipient(), min_size=1, max_size=3)),
            "attributes": draw(attributes)}


def _slots(value) -> list[tuple[dict, str]]:
    """(container, member) pairs holding a scalar: every scalar of these bodies is declared one, so an object
    or a list in its place is always a wrong type (an object in an object's place may be a valid one)."""
    if isinstance(value, list):
        return [slot for item in value for slot in _slots(item)]
    if not isinstance(value, dict):
        return []
    return [(value, k) for k, v in value.items() if not isinstance(v, dict | list)] + [
        slot for v in value.values() for slot in _slots(v)]


@st.composite
def hostile(draw):
    """(route, raw bytes) of a body broken one way."""
    route = draw(st.sampled_from(sorted(ROUTES)))
    kind = ROUTES[route][2]
    body = draw(valid_body(kind))
    ways = ["top", "non-finite", "not-json"] + (["nest"] if _slots(body) else []) + (
        ["drop"] if REQUIRED[kind] else [])
    how = draw(st.sampled_from(ways))
    if how == "nest":
        container, member = draw(st.sampled_from(_slots(body)))
        container[member] = draw(nested)
    elif how == "drop":
        del body[draw(st.sampled_from(REQUIRED[kind]))]
    elif how == "top":
        body = draw(st.sampled_from([[body], "text", 5, None, True]))
    if how == "non-finite":
        body["definitionKey" if kind != "patch" else "description"] = "__NUMBER__"
        number = draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1E999"]))
        return route, json.dumps(body).replace('"__NUMBER__"', number).encode()
    if how == "not-json":
        text = json.dumps(body)
        raw = draw(st.sampled_from([text[: max(1, len(text) // 2)], text + "}", "", "{'a': 1}"])).encode()
        return route, raw if raw != text.encode() else b"{"
    return route, json.dumps(body).encode()


@PROFILE
@given(case=hostile())
def test_hostile_sms_bodies_get_sfmcs_400_and_change_nothing(wire, case):
    body = refused_unchanged(wire, ROUTES, state, case)
    assert isinstance(body["errorcode"], int) and body["errorcode"] >= 10000, body


@PROFILE
@given(route=st.sampled_from(sorted(ROUTES)), data=st.data())
def test_valid_sms_shapes_never_fail_on_the_server(wire, route, data):
    """Well-shaped bodies with arbitrary values: the domain accepts or refuses them, never a 5xx."""
    emu = wire[0]
    method, path, kind = ROUTES[route]
    if kind == "single":  # a fresh key each time: a used one is a per-recipient refusal, also fine
        path = f"/messaging/v1/sms/messages/{emu.ids.guid()}"
    answered(wire, method, path, data.draw(valid_body(kind)), (200, 201, 202, 400, 409))
