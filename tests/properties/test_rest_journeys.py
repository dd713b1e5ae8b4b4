"""Hostile and careless bodies and parameters on every /interaction/v1 route, generated: never a 5xx, an
SFMC JSON error ({message, errorcode, documentation}) for every refusal, and no change to any journey,
contact, event definition, data-extension row, outbox row or job.

A valid body for each writing route is broken one way: a member's value swapped for the wrong type (an
object, a list, a number), a required member removed, the top-level type swapped, activities that are not
activities, numbers that are not finite, or text that is not JSON. Reading and acting routes get hostile
path segments and paging/version parameters. ``SFMC_HOSTILE_EXAMPLES`` examples per test, 200 by default.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.core import Emulator
from tests.properties.common import PROFILE, assert_sfmc_error, soap_create, token_client
from tests.rest.journey_helpers import ENTRY_DE, email_activity, journey_body

TABLES = ("journey", "journey_contact", "rest_object", "de_row", "outbox", "job", "send_event")


@pytest.fixture(scope="module")
def wire():
    emu, client, token = token_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert b"Data Extension created." in soap_create(client, ENTRY_DE.format(key="entries"))
    de_id = emu.objects.find_one(emu.enterprise_mid, "DataExtension", "CustomerKey", "entries").data["ObjectID"]
    soap_create(client, '<Objects xsi:type="Email"><CustomerKey>e</CustomerKey><Name>e</Name><Subject>Hi</Subject>'
                  "<HTMLBody>Hi</HTMLBody><EmailType>HTML</EmailType><IsHTMLPaste>true</IsHTMLPaste></Objects>")
    email_id = emu.objects.find_one(emu.enterprise_mid, "Email", "CustomerKey", "e").data["ID"]
    created = client.post("/interaction/v1/eventDefinitions", headers=headers, json={
        "name": "signup", "eventDefinitionKey": "signup", "dataExtensionId": de_id})
    assert created.status_code == 200, created.data
    journey = client.post("/interaction/v1/interactions", headers=headers,
                          json=journey_body("j", [email_activity("EMAILV2-1", email_id)])).get_json()
    published = client.post(f"/interaction/v1/interactions/publishAsync/{journey['id']}?versionNumber=1",
                            headers=headers)
    assert published.status_code == 200
    yield emu, client, headers, {"de_id": de_id, "journey_id": journey["id"]}
    emu.close()


def state(emu: Emulator) -> tuple:
    emu.jobs.wait_idle()
    with emu.store.reading() as conn:
        return tuple(tuple(tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall())
                     for t in TABLES)


wrong = st.one_of(st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
                  st.lists(st.integers(), min_size=1, max_size=3), st.integers(-5, 5), st.booleans())
not_an_object = st.one_of(st.lists(st.integers(), max_size=3), st.integers(-5, 5), st.booleans(), st.text(max_size=4))
scalars = st.one_of(st.text(max_size=10), st.integers(-1000, 1000), st.booleans(), st.none())
not_steps = st.lists(st.one_of(st.integers(), st.text(max_size=3), st.fixed_dictionaries(
    {"type": st.text(max_size=4)}), st.fixed_dictionaries({"key": st.integers(), "type": st.text(max_size=3)})),
    min_size=1, max_size=3)


def valid(route: str, ids: dict) -> dict:
    return {
        "event_definition": {"name": "new", "eventDefinitionKey": "fresh", "dataExtensionId": ids["de_id"]},
        "event_definition_put": {"name": "renamed", "mode": "Test"},
        "event": {"ContactKey": "c", "EventDefinitionKey": "signup", "Data": {"EmailAddress": "c@example.com"}},
        "interaction": journey_body("k2", []),
        "interaction_put": {"key": "j", "name": "renamed"},
    }[route]


REQUIRED = {"event_definition": ["name", "dataExtensionId"], "event_definition_put": [],
            "event": ["ContactKey", "EventDefinitionKey"], "interaction": ["key", "name"], "interaction_put": ["key"]}
WRITES = {"event_definition": ("POST", "/interaction/v1/eventDefinitions"),
          "event_definition_put": ("PUT", "/interaction/v1/eventDefinitions/key:signup"),
          "event": ("POST", "/interaction/v1/events"),
          "interaction": ("POST", "/interaction/v1/interactions"),
          "interaction_put": ("PUT", "/interaction/v1/interactions")}


@st.composite
def broken(draw, route: str, ids: dict):
    body = valid(route, ids)
    how = draw(st.sampled_from(["wrong_type", "drop", "top_level", "steps", "not_json", "not_finite", "data"]))
    if how == "wrong_type":
        member = draw(st.sampled_from(sorted(body)))
        # never the same value in another spelling (1 for workflowApiVersion 1.0 is still valid); a boolean
        # stays in: true is not the number 1 in JSON
        body[member] = draw((not_an_object if member == "Data" else wrong).filter(
            lambda v, was=body[member]: isinstance(v, bool) or v != was))
    elif how == "drop" and REQUIRED[route]:
        body.pop(draw(st.sampled_from(REQUIRED[route])))
    elif how == "steps":
        body[draw(st.sampled_from(["activities", "triggers"]))] = draw(not_steps)
        if route.startswith("event"):
            body.pop(draw(st.sampled_from(REQUIRED[route] or ["name"])), None)
            body["name"] = draw(wrong)
    elif how == "data" and route == "event":
        body["Data"] = {draw(st.text(min_size=1, max_size=5)): draw(st.one_of(wrong.filter(
            lambda v: not isinstance(v, int | bool)), st.just({"deep": {"er": 1}})))}
    elif how == "top_level":
        return json.dumps(draw(st.one_of(st.lists(scalars, max_size=3), scalars)))
    elif how == "not_json":
        return draw(st.sampled_from(["{", "[1,", "nope", "{\"a\":}", "\x00", "{'single': 1}"]))
    elif how == "not_finite":
        return json.dumps(body)[:-1] + ', "n": ' + draw(st.sampled_from(["NaN", "Infinity", "1e400"])) + "}"
    else:
        member = draw(st.sampled_from(sorted(body)))
        body[member] = draw((not_an_object if member == "Data" else wrong).filter(
            lambda v, was=body[member]: isinstance(v, bool) or v != was))
    return json.dumps(body)


def assert_refused(response, before, emu) -> None:
    assert response.status_code < 500, response.data
    assert response.status_code >= 400, response.data
    assert_sfmc_error(response)
    assert state(emu) == before
    assert emu.guard_hits == 0


@pytest.mark.parametrize("route", sorted(WRITES))
def test_hostile_bodies_are_refused_and_change_nothing(wire, route):
    emu, client, headers, ids = wire

    @PROFILE
    @given(data=st.data())
    def check(data):
        raw = data.draw(broken(route, ids))
        before = state(emu)
        method, path = WRITES[route]
        response = client.open(path, method=method, data=raw, headers={**headers, "Content-Type": "application/json"})
        assert_refused(response, before, emu)

    check()


segments = st.one_of(st.text(min_size=1, max_size=30).filter(lambda s: s.strip("/") == s and "\x00" not in s),
                     st.sampled_from(["key:", "key:nope", "00000000-0000-0000-0000-000000000000", "%00", "..",
                                      "key:" + "x" * 300]))
numbers = st.one_of(st.none(), st.sampled_from(["0", "-1", "abc", "1e9", "99999999999999999999", "", "2.5", "NaN"]))
ACTS = [("GET", "/interaction/v1/eventDefinitions/{ref}"), ("PUT", "/interaction/v1/eventDefinitions/{ref}"),
        ("DELETE", "/interaction/v1/eventDefinitions/{ref}"), ("GET", "/interaction/v1/interactions/{ref}"),
        ("DELETE", "/interaction/v1/interactions/{ref}"), ("PUT", "/interaction/v1/interactions/{ref}"),
        ("POST", "/interaction/v1/interactions/publishAsync/{ref}"),
        ("POST", "/interaction/v1/interactions/stop/{ref}"),
        ("GET", "/interaction/v1/interactions/publishStatus/{ref}")]


@PROFILE
@given(act=st.sampled_from(ACTS), ref=segments, version=numbers, page=numbers, size=numbers)
def test_hostile_paths_and_parameters_change_nothing(wire, act, ref, version, page, size):
    emu, client, headers, ids = wire
    method, template = act
    query = {k: v for k, v in (("versionNumber", version), ("$page", page), ("$pageSize", size)) if v is not None}
    before = state(emu)
    response = client.open(template.format(ref=quote(ref, safe=":")), method=method, query_string=query,
                           headers={**headers, "Content-Type": "application/json"}, data="{}")
    assert_refused(response, before, emu)


@PROFILE
@given(page=numbers, size=numbers, status=st.one_of(st.none(), st.text(max_size=10), st.just("Published")))
def test_list_routes_never_fail_on_hostile_paging(wire, page, size, status):
    emu, client, headers, _ = wire
    for path in ("/interaction/v1/interactions", "/interaction/v1/eventDefinitions"):
        query = {k: v for k, v in (("$page", page), ("$pageSize", size), ("status", status)) if v is not None}
        response = client.get(path, query_string=query, headers=headers)
        assert response.status_code < 500, response.data
        body = response.get_json()
        assert isinstance(body, dict)
        if response.status_code == 200:
            assert {"count", "page", "pageSize", "items"} <= set(body)
        else:
            assert set(body) >= {"message", "errorcode", "documentation"}
    assert emu.guard_hits == 0
