"""Hostile and careless REST bodies, generated: for every JSON route, Hypothesis draws a body from the
route's declared schema (rest/schemas/: the OpenAPI document's request schemas where it has them) or
starts from a known-good body, then mutates it — a field's type swapped, the field nested, removed, made
non-finite or buried deep; the bytes truncated or made invalid UTF-8; the Content-Type wrong or missing.

For every request: no 5xx, the last-resort guard never reached (``emu.guard_hits == 0``), a refusal is
SFMC's JSON error (``message``/``errorcode``/``documentation``) and changes nothing in the store (a
fingerprint of every table but the request journal and tokens: row counts and content). Mutations that can
never be valid (non-finite numbers, nesting past 64, bad bytes, a non-JSON media type) must be refused.

In-process (Flask test client). The default profile runs ``SFMC_HOSTILE_EXAMPLES`` (default 100) examples
per route; set it higher for a longer run, e.g. ``SFMC_HOSTILE_EXAMPLES=2000``. The counts tried are
printed at the end of the module (``pytest -s``).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.app import create_app
from emulator.config import Config
from emulator.jsonbody import BodySchema
from emulator.rest.schemas import assets as asset_schemas
from emulator.rest.schemas import transactional as tx_schemas

EXAMPLES = int(os.environ.get("SFMC_HOSTILE_EXAMPLES", "100"))
HOSTILE = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)
UNFINGERPRINTED = {"journal", "token"}  # every request adds a journal row; a token is issued per client
TRIED: Counter[str] = Counter()
REFUSED: Counter[str] = Counter()

VIEWS = {"subjectline": {"content": "Hi %%FirstName%%"}, "html": {"content": "<p>%%FirstName%%</p>"}}


# -- the emulator under attack ------------------------------------------------------------------------------

class Target:
    def __init__(self) -> None:
        self.app = create_app(config=Config(port=0))
        self.emu = self.app.config["EMULATOR"]
        self.client = self.app.test_client()
        token = self.client.post("/v2/token", json={"grant_type": "client_credentials",
                                                    "client_id": "emulator-client",
                                                    "client_secret": "emulator-secret"}).json["access_token"]
        self.auth = {"Authorization": f"Bearer {token}"}
        for key in ("order-email", "patch-asset"):
            self.call("POST", "/asset/v1/content/assets", {"name": key, "customerKey": key, "views": VIEWS,
                                                           "assetType": {"id": 208, "name": "htmlemail"}})
        for key, status in (("order-conf", "Active"), ("held", "Inactive"), ("patch-me", "Active")):
            self.call("POST", "/messaging/v1/email/definitions", {
                "definitionKey": key, "name": key, "content": {"customerKey": "order-email"}, "status": status,
                "subscriptions": {"list": "All Subscribers"}})
        self.patch_asset = self.call("GET", "/asset/v1/content/assets/10002").json["id"]
        mid, objects = self.emu.enterprise_mid, self.emu.object_service
        email = objects.store_new(mid, "Email", {"CustomerKey": "tsd-email", "Name": "TSD", "Subject": "Hi",
                                                 "HTMLBody": "<p>%%FirstName%%</p>", "TextBody": "Hi"})
        objects.store_new(mid, "TriggeredSendDefinition", {
            "CustomerKey": "tsd", "Name": "tsd", "TriggeredSendStatus": "Active",
            "Email": {"__type__": "Email", "ID": email["ID"]},
            "SendClassification": {"__type__": "SendClassification", "CustomerKey": "Default Transactional"}})

    def call(self, method: str, path: str, body: Any = None, data: bytes | None = None,
             content_type: str | None = "application/json"):
        headers = dict(self.auth)
        if content_type is not None:
            headers["Content-Type"] = content_type
        if data is None and body is not None:
            data = json.dumps(body).encode()
        return self.client.open(path, method=method, data=data, headers=headers)

    def fingerprint(self) -> str:
        """Row count and content of every table that a refused request must not touch."""
        conn = self.emu.store.conn
        digest = hashlib.sha256()
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                             "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in tables:
            if table in UNFINGERPRINTED:
                continue
            rows = conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            digest.update(f"{table}:{len(rows)}:{[tuple(r) for r in rows]!r}".encode())
        return digest.hexdigest()


@pytest.fixture(scope="module")
def target():
    made = Target()
    yield made
    print("\nhostile REST bodies tried per route:", dict(TRIED), "refused:", dict(REFUSED),
          "total:", sum(TRIED.values()))
    made.emu.close()


# -- bodies from the declared schemas ----------------------------------------------------------------------

REALISTIC: dict[str, st.SearchStrategy] = {
    "definitionKey": st.sampled_from(["order-conf", "held", "patch-me", "nope"]),
    "customerKey": st.sampled_from(["order-email", "patch-asset", "missing"]),
    "list": st.just("All Subscribers"),
    "to": st.sampled_from(["a@example.com", "not-an-address", ""]),
    "Address": st.sampled_from(["a@example.com", "bad"]),
    "status": st.sampled_from(["active", "Inactive", "deleted", "paused"]),
    "classification": st.sampled_from(["Default Transactional", "Default Commercial"]),
}
TEXT = st.text(max_size=12)


def from_schema(schema: dict[str, Any], name: str = "") -> st.SearchStrategy:
    """A value the (Draft 4 subset of the) declared schema accepts."""
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    types = schema.get("type", ["string", "number", "boolean", "null", "object", "array"])
    types = types if isinstance(types, list) else [types]
    options = []
    for kind in types:
        if kind == "string":
            options.append(st.one_of(REALISTIC[name], TEXT) if name in REALISTIC else TEXT)
        elif kind in ("number", "integer"):
            options.append(st.integers(-(2**40), 2**40) | st.floats(allow_nan=False, allow_infinity=False))
        elif kind == "boolean":
            options.append(st.booleans())
        elif kind == "null":
            options.append(st.none())
        elif kind == "array":
            options.append(st.lists(from_schema(schema.get("items", {"type": "string"})), max_size=3))
        elif kind == "object":
            options.append(_object(schema))
    return st.one_of(options)


def _object(schema: dict[str, Any]) -> st.SearchStrategy:
    props = schema.get("properties", {})
    fixed = st.fixed_dictionaries({}, optional={k: from_schema(v, k) for k, v in props.items()})
    extra = schema.get("additionalProperties")
    if not isinstance(extra, dict):
        return fixed
    return st.builds(lambda a, b: {**b, **a}, fixed, st.dictionaries(TEXT, from_schema(extra), max_size=3))


# -- mutations -----------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20)
    | st.sampled_from(["\ud800", "\udfff", "x" * 5000, "\x00", "%%[raiseerror('x')]%%"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8)
NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
BAD_BYTES = st.sampled_from([b"\xff", b"\xc0\xaf", b"\xe2\x82", b"\xed\xa0\x80", b"\x80", b"\xfe\xff"])
WRONG_TYPES = st.sampled_from([None, "", "text/plain", "application/xml", "application/x-www-form-urlencoded",
                               "multipart/form-data", "application/json; charset=latin-1", "json"])


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += paths(item, (*prefix, i))
    return out


def replaced(value: Any, path: tuple, new: Any, remove: bool = False) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    node = copy
    for part in path[:-1]:
        node = node[part]
    if remove:
        del node[path[-1]]
    else:
        node[path[-1]] = new
    return copy


@dataclass
class Attempt:
    kind: str
    data: bytes
    content_type: str | None
    must_refuse: bool


DEEP_MARK = "\x00deep\x00"  # where the deep nesting goes


@st.composite
def attempts(draw, base: st.SearchStrategy) -> Attempt:
    body = draw(base)
    spots = paths(body)
    kind = draw(st.sampled_from(["as-is", "as-is", "swap", "nest", "remove", "non-finite", "deep", "bytes", "media"]))
    spot = draw(st.sampled_from(spots)) if spots else ()
    must_refuse = False
    if kind == "swap":
        body = replaced(body, spot, draw(JSON_VALUES))
    elif kind == "nest":
        old = body if not spot else _get(body, spot)
        body = replaced(body, spot, draw(st.sampled_from([[old], {"value": old}])))
    elif kind == "remove" and spot:
        body = replaced(body, spot, None, remove=True)
    elif kind == "non-finite":
        body, must_refuse = replaced(body, spot, draw(NON_FINITE)), True
    elif kind == "deep":
        body, must_refuse = replaced(body, spot, DEEP_MARK), True
    data = json.dumps(body, allow_nan=True).encode()  # ensure_ascii: lone surrogates travel as \ud800
    if kind == "deep":  # written as text: Python's own encoder would recurse past its limit
        depth, as_list = draw(st.integers(65, 100_000)), draw(st.booleans())
        nested = ("[" * depth + "1" + "]" * depth) if as_list else ('{"d":' * depth + "1" + "}" * depth)
        data = data.replace(json.dumps(DEEP_MARK).encode(), nested.encode(), 1)
    content_type = draw(st.sampled_from(["application/json", "application/json; charset=utf-8"]))
    if kind == "bytes":
        cut = draw(st.integers(0, len(data)))
        how = draw(st.sampled_from(["insert", "truncate", "latin1"]))
        if how == "insert":
            data = data[:cut] + draw(BAD_BYTES) + data[cut:]
        elif how == "truncate":
            data = data[:cut]  # may still be valid JSON ("1" of "12"), so not necessarily refused
        else:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass").replace(
                b"a", b"\xe1")  # as if a Latin-1 client had written it
        must_refuse = not _is_utf8(data)  # a mutation can happen to form a valid sequence
    elif kind == "media":
        content_type, must_refuse = draw(WRONG_TYPES), True
    return Attempt(kind, data, content_type, must_refuse)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _get(value: Any, path: tuple) -> Any:
    for part in path:
        value = value[part]
    return value


# -- the routes -----------------------------------------------------------------------------------------

RECIPIENT = {"contactKey": "c-1", "to": "c1@example.com", "attributes": {"FirstName": "Ada"}}
ROUTES: dict[str, tuple[str, str, BodySchema, dict[str, Any]]] = {
    "create definition": ("POST", "/messaging/v1/email/definitions", tx_schemas.CREATE_DEFINITION, {
        "definitionKey": "new-def", "name": "new def", "content": {"customerKey": "order-email"},
        "subscriptions": {"list": "All Subscribers", "autoAddSubscriber": True},
        "options": {"trackLinks": False, "cc": ["cc@example.com"]}}),
    "update definition": ("PATCH", "/messaging/v1/email/definitions/patch-me", tx_schemas.UPDATE_DEFINITION, {
        "name": "patched", "description": "d", "status": "Active", "options": {"trackLinks": True}}),
    "send single": ("POST", "/messaging/v1/email/messages/{key}", tx_schemas.SEND_SINGLE, {
        "definitionKey": "order-conf", "recipient": RECIPIENT}),
    "send batch": ("POST", "/messaging/v1/email/messages", tx_schemas.SEND_BATCH, {
        "definitionKey": "held", "recipients": [RECIPIENT, {"contactKey": "c-2", "messageKey": "m"}],
        "attributes": {"Shared": 1}}),
    "create asset": ("POST", "/asset/v1/content/assets", asset_schemas.ASSET, {
        "name": "a", "assetType": {"id": 208, "name": "htmlemail"}, "views": VIEWS, "tags": ["t"]}),
    "update asset": ("PATCH", "/asset/v1/content/assets/{asset}", asset_schemas.ASSET, {
        "name": "a2", "views": {"html": {"content": "<b>x</b>"}}}),
    "triggered send": ("POST", "/messaging/v1/messageDefinitionSends/key:tsd/send", tx_schemas.TRIGGERED_SEND, {
        "To": {"Address": "a@example.com", "SubscriberKey": "a",
               "ContactAttributes": {"SubscriberAttributes": {"FirstName": "A"}}}}),
}


FRESH_KEY = st.text(st.characters(categories=("L", "N")), min_size=1, max_size=30)


def route_bodies(name: str) -> st.SearchStrategy:
    """The route's known-good body (a fresh definition key each time where keys must be unique) or one
    drawn from its declared schema; the good one twice as often, so mutations start from real requests."""
    _, _, schema, good = ROUTES[name]
    if name == "create definition":
        good_bodies = FRESH_KEY.map(lambda key: {**good, "definitionKey": key, "name": f"def {key}"})
    else:
        good_bodies = st.just(good)
    return st.one_of(good_bodies, good_bodies, from_schema(schema.schema))


def _not_a_number(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: refused at parse, before any schema


def schema_errors(schema: BodySchema, attempt: Attempt) -> list:
    """The declared schema's errors for a body that reaches validation (labelled JSON, readable), else []."""
    if attempt.must_refuse or not (attempt.content_type or "").startswith("application/json"):
        return []
    try:
        body = json.loads(attempt.data.decode("utf-8"), parse_constant=_not_a_number)
        json.dumps(body, ensure_ascii=False).encode()
    except (ValueError, RecursionError):
        return []
    return schema.errors(body) if isinstance(body, dict) else []


def check(target: Target, name: str, attempt: Attempt, key: str) -> None:
    method, path, _, _ = ROUTES[name]
    path = path.format(key=key, asset=target.patch_asset)
    before = target.fingerprint()
    response = target.call(method, path, data=attempt.data, content_type=attempt.content_type)
    TRIED[name] += 1
    assert response.status_code < 500, (attempt, response.get_data(as_text=True)[:500])
    assert target.emu.guard_hits == 0
    if attempt.must_refuse:
        assert response.status_code in (400, 415), (attempt, response.status_code)
    wrong = schema_errors(ROUTES[name][2], attempt)
    if wrong:  # readable JSON of the wrong shape for its route: refused with the schema's first code
        assert response.status_code == 400, (attempt, wrong, response.get_data(as_text=True)[:300])
        assert response.get_json()["errorcode"] == wrong[0][0], (attempt, wrong, response.get_json())
    if response.status_code >= 400:
        REFUSED[name] += 1
        body = response.get_json(silent=True)
        assert isinstance(body, dict), response.get_data(as_text=True)[:300]
        assert isinstance(body.get("message"), str) and isinstance(body.get("errorcode"), int), body
        assert isinstance(body.get("documentation"), str), body
        assert target.fingerprint() == before, (attempt, body)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_hostile_bodies_never_5xx_and_refusals_change_nothing(target: Target, name: str):
    @HOSTILE
    @given(attempt=attempts(route_bodies(name)), key=FRESH_KEY)
    def run(attempt: Attempt, key: str) -> None:
        check(target, name, attempt, key)

    run()


def test_the_generator_reaches_the_domain_and_its_refusals():
    """The generated bodies are not all refused at the boundary: some are accepted, some refused by the
    domain, so the properties above cover both sides (a guard against a generator that only makes junk)."""
    target = Target()
    try:
        statuses: Counter[int] = Counter()

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(body=route_bodies("send batch"))
        def run(body: Any) -> None:
            statuses[target.call("POST", "/messaging/v1/email/messages", body).status_code] += 1

        run()
        assert statuses[202] > 0 and statuses[400] > 0, statuses
    finally:
        target.emu.close()
