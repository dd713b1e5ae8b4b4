"""Hostile bodies and query strings on the Content Builder and campaign routes, generated: never a 5xx,
always SFMC's JSON error shape for a refusal, and a refused write changes nothing.

``SFMC_HOSTILE_EXAMPLES`` examples per test, 200 by default.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.core import Emulator
from tests.properties.common import PROFILE, token_client

WRITES = [("POST", "/asset/v1/content/assets"), ("PATCH", "/asset/v1/content/assets/{asset}"),
          ("POST", "/asset/v1/content/categories"), ("PUT", "/asset/v1/content/categories/{category}"),
          ("POST", "/hub/v1/campaigns"), ("PATCH", "/hub/v1/campaigns/{campaign}"),
          ("POST", "/hub/v1/campaigns/{campaign}/assets"), ("POST", "/asset/v1/content/assets/query")]
LISTS = ["/asset/v1/content/assets", "/asset/v1/content/categories", "/hub/v1/campaigns"]


@pytest.fixture(scope="module")
def wire():
    emu, client, token = token_client()
    auth = {"Authorization": f"Bearer {token}"}
    root = client.get("/asset/v1/content/categories", headers=auth).get_json()["items"][0]
    ids = {
        "asset": client.post("/asset/v1/content/assets", headers=auth, json={
            "name": "a", "assetType": {"id": 197}, "content": "x"}).get_json()["id"],
        "category": client.post("/asset/v1/content/categories", headers=auth, json={
            "name": "f", "parentId": root["id"]}).get_json()["id"],
        "campaign": client.post("/hub/v1/campaigns", headers=auth, json={"name": "c"}).get_json()["id"],
    }
    yield emu, client, auth, ids
    emu.close()


def state(emu: Emulator) -> list:
    with emu.store.reading() as conn:
        return [tuple(r) for r in conn.execute("SELECT pk, kind, key, data, modified FROM rest_object ORDER BY pk")]


json_scalars = st.one_of(st.text(max_size=12), st.integers(-2**70, 2**70), st.booleans(), st.none(),
                         st.floats(allow_nan=False, allow_infinity=False))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=8)
FIELDS = ["name", "Name", "assetType", "category", "content", "views", "customerKey", "parentId", "ParentId",
          "description", "color", "favorite", "campaignCode", "ids", "type", "query", "page", "sort", "fields", "id"]
BROKEN = {"name": ["", " ", "x" * 300, 5, None, [], {}], "assetType": [{"id": "197"}, {"id": 1}, {"name": 7}, []],
          "category": [{"id": -1}, {"id": "x"}, {"id": 10**20}, 3], "parentId": [-5, "1", 1.5, 10**20, None],
          "color": ["zz", 1], "favorite": ["true", 0], "ids": [[], [None], "7", [{"a": 1}]],
          "query": [{"property": "nope", "simpleOperator": "equal", "value": 1},
                    {"leftOperand": 1, "logicalOperator": "AND", "rightOperand": 2},
                    {"property": "id", "simpleOperator": "in", "value": []},
                    {"property": "id", "simpleOperator": "lessThan", "value": "a"}],
          "page": [{"page": 0}, {"pageSize": 10**9}, "1", {"page": 1.5}], "sort": [[{"property": "x"}], "id", [1]]}


@st.composite
def hostile_body(draw) -> bytes:
    how = draw(st.sampled_from(["broken-field", "random", "not-json", "non-finite", "top"]))
    if how == "broken-field":
        body = draw(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=3))
        key = draw(st.sampled_from(sorted(BROKEN)))
        body[key] = draw(st.sampled_from(BROKEN[key]))
        # a valid-looking rest so the broken field is what is judged
        body.setdefault("name" if key != "name" else "x", "n")
        return json.dumps(body).encode()
    if how == "random":
        return json.dumps(draw(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=5))).encode()
    if how == "non-finite":
        parent = draw(st.sampled_from(["NaN", "Infinity", "1e400"]))
        category = draw(st.sampled_from(["NaN", "-1E999"]))
        return ('{"name": "n", "parentId": ' + parent + ', "category": {"id": ' + category + '}}').encode()
    if how == "top":
        return json.dumps(draw(st.sampled_from([[], "text", 5, None, [{"name": "x"}]]))).encode()
    return draw(st.sampled_from([b"", b"{", b"{'name': 1}", b"\xff\xfe"]))


def _check_error(response) -> None:
    assert response.status_code < 500, response.data
    if response.status_code >= 400:
        body = response.get_json()
        assert isinstance(body.get("message"), str) and isinstance(body.get("errorcode"), int), response.data


@PROFILE
@given(route=st.sampled_from(WRITES), raw=hostile_body())
def test_hostile_write_bodies(wire, route, raw):
    emu, client, auth, ids = wire
    method, path = route
    before = state(emu)
    response = client.open(path.format(**ids), method=method, data=raw,
                           headers={**auth, "Content-Type": "application/json"})
    _check_error(response)
    if response.status_code >= 400 or path.endswith("/query"):
        assert state(emu) == before
    elif response.status_code < 300:  # an accepted write: undo it so later examples start from the same state
        _undo(emu, before)
    assert emu.guard_hits == 0


def _undo(emu: Emulator, before: list) -> None:
    keep = {row[0]: row for row in before}
    with emu.store.transaction() as conn:
        for pk, *_ in state(emu):
            if pk not in keep:
                conn.execute("DELETE FROM rest_object WHERE pk=?", (pk,))
        for pk, _kind, key, data, modified in before:
            conn.execute("UPDATE rest_object SET key=?, data=?, modified=? WHERE pk=?", (key, data, modified, pk))


params = st.dictionaries(st.sampled_from(["$page", "$pagesize", "$PageSize", "$orderBy", "$orderby", "$filter",
                                          "$FILTER"]),
                         st.one_of(st.text(max_size=30), st.sampled_from([
                             "0", "-1", "1e9", "99999999999999999999", "name eq 'x' or id eq 1", "id gt 'a'",
                             "assetType.id eq 197", "parentId eq 1", "name desc, id", "nope asc", "id lt 1.5",
                             "name like '%_\\\\'"])), max_size=3)


@PROFILE
@given(path=st.sampled_from(LISTS), query=params)
def test_hostile_list_parameters(wire, path, query):
    emu, client, auth, _ = wire
    before = state(emu)
    response = client.get(path, query_string=query, headers=auth)
    _check_error(response)
    assert state(emu) == before and emu.guard_hits == 0
