"""Hostile and careless bodies on the REST row routes, generated: SFMC's 400 JSON error, never a 5xx, never a
change to the rows.

Valid bodies for each route are generated first (rows of the People DE's columns), then broken one way:
a value's type swapped for an object or a list (nested), a required member removed, the body's top-level
type swapped, numbers that are not finite (NaN, Infinity, 1e400) or text that is not JSON at all. Every
answer must be a 400 in SFMC's shape ({message, errorcode, documentation}) and the data extension's rows and
the async requests must be exactly as before.

``SFMC_HOSTILE_EXAMPLES`` examples per test, 200 by default.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.core import Emulator
from tests.audiences.test_data_extensions import DE_XML
from tests.properties.common import PROFILE, answered, refused_unchanged, soap_create, token_client

COLUMNS = ["Key", "Email", "Age", "Joined", "VIP", "Score"]
ROUTES = {  # route -> (method, path, body kind)
    "rowset": ("POST", "/hub/v1/dataevents/key:people/rowset", "rowset"),
    "rowset_async": ("POST", "/hub/v1/dataeventsasync/key:people/rowset", "rowset"),
    "row": ("PUT", "/hub/v1/dataevents/key:people/rows/Key:k1", "row"),
    "row_async": ("PUT", "/hub/v1/dataeventsasync/key:people/rows/Key:k1", "row"),
    "async_post": ("POST", "/data/v1/async/dataextensions/key:people/rows", "async"),
    "async_put": ("PUT", "/data/v1/async/dataextensions/key:people/rows", "async"),
}


@pytest.fixture(scope="module")
def wire():
    emu, client, token = token_client()
    assert b"Data Extension created." in soap_create(client, DE_XML)
    ok = client.post(ROUTES["rowset"][1], headers={"Authorization": f"Bearer {token}"},
                     json=[{"keys": {"Key": "k0"}, "values": {"Email": "k0@example.com"}}])
    assert ok.status_code == 200, ok.data
    yield emu, client, token
    emu.close()


def state(emu: Emulator) -> tuple:
    emu.jobs.wait_idle()
    with emu.store.reading() as conn:
        rows = conn.execute("SELECT pk, key_value, row FROM de_row ORDER BY pk").fetchall()
        jobs = conn.execute("SELECT COUNT(*) FROM job").fetchone()[0]
        docs = conn.execute("SELECT COUNT(*) FROM rest_object").fetchone()[0]
    return [tuple(r) for r in rows], jobs, docs


scalars = st.one_of(st.text(max_size=20), st.integers(-10**6, 10**6), st.booleans(), st.none(),
                    st.floats(allow_nan=False, allow_infinity=False, width=32))
rows = st.dictionaries(st.sampled_from(COLUMNS), scalars, min_size=1, max_size=4)
nested = st.one_of(st.dictionaries(st.text(max_size=5), scalars, max_size=2), st.lists(scalars, max_size=3))


@st.composite
def valid_body(draw, kind: str):
    if kind == "rowset":
        return [{"keys": {"Key": draw(st.text(min_size=1, max_size=8))}, "values": draw(rows)}
                for _ in range(draw(st.integers(1, 3)))]
    if kind == "row":
        return {"values": draw(rows)}
    return {"items": draw(st.lists(rows, min_size=1, max_size=3))}


def _containers(body) -> list:
    """Every dict/list inside ``body`` that holds column values (what a swap may break)."""
    if isinstance(body, list):
        return [c for item in body for c in (item["keys"], item.get("values", {}))]
    if "values" in body:
        return [body["values"]]
    return list(body["items"])


@st.composite
def hostile(draw):
    """(route, raw bytes) of a body broken one way."""
    route = draw(st.sampled_from(sorted(ROUTES)))
    kind = ROUTES[route][2]
    body = draw(valid_body(kind))
    how = draw(st.sampled_from(["nest", "drop", "top", "non-finite", "not-json"]))
    if how == "nest":
        target = draw(st.sampled_from(_containers(body)))
        target[draw(st.sampled_from(COLUMNS))] = draw(nested)
    elif how == "drop":
        if kind == "rowset":
            del body[0]["keys"]
        elif kind == "async":
            body = {"rows": body["items"]}
        else:
            body = {"values": draw(st.sampled_from([[1], "text", 5, True]))}
    elif how == "top":
        swapped = draw(st.sampled_from([{"x": 1}, "text", 5, None, True]))
        body = swapped if kind == "rowset" else [body]
    if how == "non-finite":
        target = draw(st.sampled_from(_containers(body)))
        target[draw(st.sampled_from(COLUMNS))] = "__NUMBER__"
        number = draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1E999"]))
        raw = json.dumps(body).replace('"__NUMBER__"', number).encode()
    elif how == "not-json":
        text = json.dumps(body)
        raw = draw(st.sampled_from([text[: max(1, len(text) // 2)], text + "}", "", "{'items': []}"])).encode()
        raw = raw if raw != text.encode() else b"{"
    else:
        raw = json.dumps(body).encode()
    return route, raw


@PROFILE
@given(case=hostile())
def test_hostile_bodies_get_sfmcs_400_and_change_nothing(wire, case):
    body = refused_unchanged(wire, ROUTES, state, case)
    assert body["errorcode"] in (10000, 10004), body


@PROFILE
@given(route=st.sampled_from(sorted(ROUTES)), data=st.data())
def test_valid_shapes_never_fail_on_the_server(wire, route, data):
    """Well-shaped bodies with arbitrary values: the domain accepts or refuses them, never a 5xx."""
    method, path, kind = ROUTES[route]
    answered(wire, method, path, data.draw(valid_body(kind)), (200, 202, 400))


FILTER_WORDS = st.sampled_from(["Age", "age", '"Email"', "[Joined]", "VIP", "Score", "Key", "Nope", "eq", "ne",
                                "gt", "ge", "lte", "like", "and", "or", "not", "(", ")", "'x'", "'1/2/2024'",
                                "'2024-01-01T00:00:00'", "1", "-5", "1.5", "1e400", "99999999999999999999", "true",
                                "null", "''", "'it''s'", "%", "=", "<>", ">="])


@PROFILE
@given(filter_text=st.one_of(st.text(max_size=60), st.lists(FILTER_WORDS, max_size=12).map(" ".join)),
       order=st.one_of(st.none(), st.text(max_size=20), st.sampled_from(["Age desc", "Joined, Key desc", "VIP asc"])),
       page=st.one_of(st.none(), st.text(max_size=6), st.integers(-3, 10**12).map(str)),
       page_size=st.one_of(st.none(), st.text(max_size=6), st.integers(-3, 10**6).map(str)))
def test_hostile_rowset_queries_are_answered_200_or_sfmcs_400(wire, filter_text, order, page, page_size):
    emu, client, token = wire
    params = {k: v for k, v in (("$filter", filter_text), ("$orderBy", order), ("$page", page),
                                ("$pageSize", page_size)) if v is not None}
    before = state(emu)[0]
    response = client.get("/data/v1/customobjectdata/key/people/rowset", query_string=params,
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 400), (params, response.data[:300])
    body = response.get_json()
    if response.status_code == 400:
        assert set(body) >= {"message", "errorcode", "documentation"} and body["errorcode"] == 10000, body
    else:
        assert body["count"] >= len(body["items"])
    assert state(emu)[0] == before
