"""The typed JSON boundary (emulator/jsonbody.py, rest/schemas/): a body that is not the documented shape is
refused before the domain runs — SFMC's JSON error, the documented code, nothing queued or written — while
what SFMC reports per recipient stays a 202 with a per-recipient errorcode."""

from __future__ import annotations

import json

import pytest

from emulator.jsonbody import MAX_DEPTH, nesting_error
from tests.rest.conftest import Api, assert_error

MSGS = "/messaging/v1/email/messages"
DEFS = "/messaging/v1/email/definitions"
ASSETS = "/asset/v1/content/assets"
GOOD = {"contactKey": "c-1", "to": "c1@example.com"}


def raw(api: Api, path: str, data: bytes | str, content_type: str | None = "application/json",
        method: str = "POST"):
    headers = {"Content-Type": content_type} if content_type else {}
    if content_type is None:
        api.session.headers.pop("Content-Type", None)
    return api.request(method, path, data=data if isinstance(data, bytes) else data.encode(), headers=headers)


@pytest.mark.parametrize(("recipient", "field"), [
    ("c-1", "recipient"),
    (["c-1"], "recipient"),
    ({**GOOD, "contactKey": 42}, "recipient.contactKey"),
    ({**GOOD, "contactKey": {"id": 1}}, "recipient.contactKey"),
    ({**GOOD, "attributes": ["x"]}, "recipient.attributes"),
    ({**GOOD, "attributes": "x"}, "recipient.attributes"),
    ({**GOOD, "attributes": {"OrderNo": ["nested"]}}, "recipient.attributes.OrderNo"),
    ({**GOOD, "to": ["c1@example.com"]}, "recipient.to"),
])
def test_a_single_send_of_the_wrong_shape_is_400_10001_and_nothing_is_queued(ready: Api, mc, recipient, field):
    body = assert_error(ready.post(f"{MSGS}/m-1", json={"definitionKey": "order-conf", "recipient": recipient}),
                        400, 10001, field, "MCMS_UTM_Validation_InvalidDataType")
    assert body["documentation"] == ""
    assert mc.outbox() == []
    assert_error(ready.get(f"{MSGS}/m-1"), 404, 30003)


@pytest.mark.parametrize("change", [
    {"recipients": [{**GOOD, "to": ["a@example.com", "b@example.com"]}]},  # was sqlite3.ProgrammingError
    {"recipients": [GOOD, "c-2"]},
    {"recipients": [GOOD, None]},
    {"recipients": [{**GOOD, "messageKey": ["k"]}]},
    {"recipients": {"0": GOOD}},
    {"attributes": ["shared"]},
    {"recipients": [{**GOOD, "contactKey": 42}]},
])
def test_a_batch_of_the_wrong_shape_is_400_and_nothing_is_queued(ready: Api, mc, change):
    assert_error(ready.post(MSGS, json={"definitionKey": "order-conf", "recipients": [GOOD], **change}), 400, 10001)
    assert mc.outbox() == []


def test_every_wrong_field_is_listed_in_additional_errors(ready: Api):
    body = assert_error(ready.post(MSGS, json={"definitionKey": "order-conf", "recipients": [
        {"contactKey": 1, "to": 2}, {"contactKey": "ok", "attributes": []}]}), 400, 10001, "recipients[0].contactKey")
    listed = [(e["errorcode"], e["message"].split(": ", 1)[1]) for e in body["additionalErrors"]]
    assert listed == [(10001, "recipients[0].contactKey must be a string."),
                      (10001, "recipients[0].to must be a string."),
                      (10001, "recipients[1].attributes must be an object.")]


def test_additional_errors_follow_the_recipients_order(ready: Api):
    """Array indexes order as numbers: recipients[9] comes before recipients[10], and is the answer's own."""
    recipients = [{**GOOD, "messageKey": f"m-{i}"} for i in range(11)]
    recipients[9]["contactKey"] = recipients[10]["contactKey"] = 1
    body = assert_error(ready.post(MSGS, json={"definitionKey": "order-conf", "recipients": recipients}), 400,
                        10001, "recipients[9].contactKey")
    listed = [e["message"].split(": ", 1)[1] for e in body["additionalErrors"]]
    assert listed == ["recipients[9].contactKey must be a string.", "recipients[10].contactKey must be a string."]


def test_per_recipient_problems_stay_202(ready: Api, mc):
    """An unknown subscriber without an address, a bad address: SFMC answers these per recipient."""
    got = ready.post(MSGS, json={"definitionKey": "order-conf", "recipients": [
        {"contactKey": "nobody", "messageKey": "m-a"}, {"contactKey": "b", "to": "nope", "messageKey": "m-b"},
        {**GOOD, "messageKey": "m-c", "attributes": {"OrderNo": 7, "Vip": True, "Note": None}}]})
    assert got.status_code == 202
    assert [r.get("errorcode") for r in got.json()["responses"]] == [109106, 109121, None]
    assert [m["message_key"] for m in mc.outbox()] == ["m-c"]


@pytest.mark.parametrize(("path", "data"), [
    (DEFS, '{"definitionKey": NaN}'),
    (DEFS, '{"definitionKey": "k", "name": Infinity}'),
    (MSGS, '{"definitionKey": "order-conf", "attributes": {"x": -Infinity}}'),
    (MSGS, '{"definitionKey": "order-conf", "attributes": {"x": 1e400}}'),
    (MSGS, '{"definitionKey": "\\ud800", "recipients": []}'),
    (MSGS, '{"\\udfff": 1}'),
    (ASSETS, "[" * 100_000 + "]" * 100_000),
    (ASSETS, '{"a":' * 100_000 + "1" + "}" * 100_000),
    (MSGS, "[" * 100_000),
    (MSGS, "1" * 5000),
    (MSGS, ""),
])
def test_unparseable_json_is_400_10004(ready: Api, mc, path, data):
    assert_error(raw(ready, path, data), 400, 10004, "Malformed JSON")
    assert mc.outbox() == []
    assert mc.emu.guard_hits == 0


@pytest.mark.parametrize("data", [b'{"name": "caf\xe9"}', b'{"name": "\xc0\xaf"}', b'{"name": "\xe2\x82"}',
                                  '{"name": "x"}'.encode("utf-16")])
def test_bytes_that_are_not_utf8_are_400_10004(ready: Api, data):
    assert_error(raw(ready, ASSETS, data), 400, 10004, "UTF-8")


@pytest.mark.parametrize(("opening", "closing", "levels"), [("[", "]", 1), ('{"a":', "}", 1), ('[{"a":', "}]", 2)])
@pytest.mark.parametrize("depth", [1, 60, 61, 62, 63, 64, 65, 66, 67, 100, 100_000])
def test_depth_up_to_the_limit_is_accepted_and_one_more_is_refused(opening, closing, levels, depth):
    text = (opening * depth + "1" + closing * depth).encode()
    if depth * levels <= MAX_DEPTH:
        assert nesting_error(text) is None
    else:
        assert nesting_error(text) == f"nested deeper than {MAX_DEPTH} levels"


@pytest.mark.parametrize(("text", "answer"), [
    ('{"a": "' + "[" * 100 + '"}', None),  # brackets in strings are data
    ('["\\"[", [{}], "\\\\"]', None),  # escaped quotes and backslashes
    ("[" + "[]," * 1000 + "[]]", None),  # wide is not deep
    ("[" + "[[],[[],[[]]]]," * 100 + "1]", None),
    ("[[" * 33 + "]]" * 33, "nested deeper than 64 levels"),
    ("[[]," * 70 + "]" * 70, "nested deeper than 64 levels"),  # depth built one level at a time
    ("[" * 10, "unbalanced brackets"),
    ("]]", "unbalanced brackets"),
])
def test_nesting_is_measured_outside_strings(text, answer):
    assert nesting_error(text.encode()) == answer


def test_deep_but_allowed_attributes_are_refused_by_type_not_by_a_crash(ready: Api):
    nested = json.dumps({"definitionKey": "order-conf", "recipient": {**GOOD, "attributes": {"x": [[[[1]]]]}}})
    assert_error(raw(ready, f"{MSGS}/m-1", nested), 400, 10001, "recipient.attributes.x")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "application/json; charset=latin-1", "application/xml"])
def test_a_body_not_labelled_json_is_415(ready: Api, mc, content_type):
    body = json.dumps({"definitionKey": "order-conf", "recipient": GOOD})
    got = assert_error(raw(ready, f"{MSGS}/m-1", body, content_type), 415, 10000, "Unsupported Media Type")
    assert "application/json" in got["message"] or "UTF-8" in got["message"]
    assert mc.outbox() == []


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "Application/JSON;charset=UTF-8", "application/vnd.api+json"])
def test_json_media_types_are_accepted(ready: Api, content_type):
    body = json.dumps({"definitionKey": "order-conf", "recipient": GOOD})
    assert raw(ready, f"{MSGS}/m-1", body, content_type).status_code == 202


def test_a_utf8_bom_is_accepted(ready: Api):
    body = b"\xef\xbb\xbf" + json.dumps({"definitionKey": "order-conf", "recipient": GOOD}).encode()
    assert raw(ready, f"{MSGS}/m-1", body).status_code == 202
    assert_error(raw(ready, f"{MSGS}/m-2", b"\xef\xbb\xbf" + body), 400, 10004,
                 "Malformed JSON in request body: Unexpected UTF-8 BOM")  # one BOM, not two


@pytest.mark.parametrize(("path", "body", "code", "word"), [
    (DEFS, {"definitionKey": "k", "name": "n", "content": "order-email", "subscriptions": {"list": "x"}}, 10001,
     "content"),
    (DEFS, {"definitionKey": ["k"], "name": "n"}, 10001, "definitionKey"),
    (DEFS, {"definitionKey": "k", "name": "n", "options": []}, 109112, "options"),
    (DEFS, {"definitionKey": "k", "name": "n", "options": {"cc": [1]}}, 109112, "options.cc[0]"),
    (ASSETS, {"name": "x", "assetType": {"id": "208"}}, 10001, "assetType.id"),
    (ASSETS, {"name": "x", "assetType": {"id": 2**70}}, 10005, "assetType.id"),
    (ASSETS, {"name": "x", "assetType": {"id": 208}, "tags": [1]}, 10001, "tags[0]"),
    (ASSETS, {"name": "x", "assetType": {"id": 208}, "views": {"html": {"content": 5}}}, 10001, "views.html"),
    (ASSETS, {"name": "x", "assetType": {"id": 208}, "sharingProperties": {"sharingType": "all"}}, 10005,
     "sharingType"),
    ("/messaging/v1/messageDefinitionSends/key:x/send", {"To": "a@example.com"}, 10001, "To"),
])
def test_other_routes_check_their_declared_schema(ready: Api, path, body, code, word):
    assert_error(ready.post(path, json=body), 400, code, word)


def test_a_definition_patch_of_the_wrong_shape_changes_nothing(ready: Api):
    before = ready.get(f"{DEFS}/order-conf").json()
    assert_error(ready.patch(f"{DEFS}/order-conf", json={"name": "new", "status": ["Inactive"]}), 400, 10001,
                 "status")
    after = ready.get(f"{DEFS}/order-conf").json()
    assert {k: v for k, v in after.items() if k != "requestId"} == {k: v for k, v in before.items()
                                                                     if k != "requestId"}
