"""The emulator against Salesforce's own OpenAPI (Swagger 2.0) document for these routes
(fixtures/sfmc-openapi-v2.json, a verbatim copy of the shared reference).

1. schemathesis generates requests for every email-messaging and asset operation: no answer is a 5xx, and
   every answer whose status the spec documents validates against that status's schema (checked with
   jsonschema Draft 4 in the test body rather than schemathesis' own conformance check, which also enforces
   `format`; see below).
2. A scripted walk through the happy paths validates each documented 2xx body against the spec (so the
   property test's random, mostly-refused requests are backed by answers that really carry data).

The spec spells the error key `errorCode` (ApiError, SendDefinitionResponseItem); SFMC's wire, the docs and
the emulator use lower-case `errorcode`. The spec's schemas require neither key and allow additional
properties, so real-shaped bodies validate; `assert_wire_errorcode` checks we never emit the SDK spelling.
SFMC timestamps carry no zone (`2018-12-17T13:00:00`, Central time; docs and captured responses agree)
although the spec says `format: date-time` (RFC 3339 needs a zone): the emulator keeps the wire form, so
formats are not enforced; `test_dates_are_the_wire_form` pins that decision.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.rest.conftest import Api

SPEC_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "sfmc-openapi-v2.json"
SPEC = json.loads(SPEC_PATH.read_text())
schema = schemathesis.openapi.from_path(str(SPEC_PATH)).include(
    path_regex=r"^/(messaging/v1/email|asset/v1|hub/v1/campaigns)")


def assert_wire_errorcode(body: Any) -> None:
    text = json.dumps(body)
    assert '"errorCode"' not in text, body


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_never_5xx_and_conform(case, ready: Api):
    response = case.call(base_url=ready.base_url, session=ready.session)
    case.validate_response(response, checks=[not_a_server_error])
    operations = SPEC["paths"][case.operation.path]
    if case.method.lower() not in operations:  # schemathesis also tries undeclared methods: no 5xx is enough
        return
    body = response.json()  # always JSON, errors included (never an HTML page)
    documented = operations[case.method.lower()]["responses"]
    if str(response.status_code) in documented:
        _validate(case.method.lower(), case.operation.path, response.status_code, body)
    if response.status_code >= 400:
        assert isinstance(body.get("errorcode"), int) and isinstance(body.get("message"), str), body
    assert_wire_errorcode(body)


# -- scripted happy paths, validated against the spec's own response schemas ----------------------------------

def _validate(method: str, path: str, status: int, answer: Any) -> None:
    """`answer` is the response (its status must be `status`) or, where the spec and SFMC differ on the
    status, the body alone."""
    if hasattr(answer, "status_code"):
        assert answer.status_code == status, (method, path, answer.status_code, answer.text[:300])
        body = answer.json()
    else:
        body = answer
    responses = SPEC["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method} {path} answered {status}, which the spec does not document"
    resolver_schema = {**responses[str(status)]["schema"], "definitions": SPEC["definitions"]}
    jsonschema.Draft4Validator(resolver_schema).validate(body)
    assert_wire_errorcode(body)


def test_documented_success_bodies_validate(ready: Api, mc):
    api = ready
    defs, one, queue = ("/messaging/v1/email/definitions/", "/messaging/v1/email/definitions/{definitionKey}",
                        "/messaging/v1/email/definitions/{definitionKey}/queue")
    msgs, msg = "/messaging/v1/email/messages/", "/messaging/v1/email/messages/{messageKey}"
    created = api.post("/messaging/v1/email/definitions", json={
        "definitionKey": "spec", "name": "spec", "content": {"customerKey": "order-email"},
        "subscriptions": {"list": "All Subscribers"}, "status": "Inactive"})
    _validate("post", defs, 201, created)
    _validate("get", defs, 200, api.get("/messaging/v1/email/definitions"))
    _validate("get", one, 200, api.get("/messaging/v1/email/definitions/spec"))
    sent = api.send("queued", definition="spec")
    _validate("post", msg, 202, sent)
    _validate("get", msg, 200, api.get("/messaging/v1/email/messages/queued"))
    _validate("get", queue, 200, api.get("/messaging/v1/email/definitions/spec/queue"))
    _validate("delete", queue, 200, api.delete("/messaging/v1/email/definitions/spec/queue"))
    _validate("patch", one, 200, api.patch("/messaging/v1/email/definitions/spec", json={"status": "Active"}))
    batch = api.post("/messaging/v1/email/messages", json={"definitionKey": "order-conf", "recipients": [
        {"contactKey": "a", "to": "a@example.com", "messageKey": "ok"}, {"contactKey": "b", "messageKey": "bad"}]})
    _validate("post", msgs, 202, batch)
    _validate("get", msg, 200, api.get("/messaging/v1/email/messages/ok"))
    _validate("get", msg, 200, api.get("/messaging/v1/email/messages/bad"))
    _validate("get", msgs, 200, api.get("/messaging/v1/email/messages/", params={"type": "notSent"}))
    _validate("delete", one, 200, api.delete("/messaging/v1/email/definitions/spec"))
    refused = api.post("/messaging/v1/email/definitions", json={"name": "x"})
    _validate("post", defs, 400, refused)
    duplicate = api.post("/messaging/v1/email/definitions", json={
        "definitionKey": "order-conf", "name": "other", "content": {"customerKey": "order-email"},
        "subscriptions": {"list": "All Subscribers"}})
    _validate("post", defs, 409, duplicate)
    _validate("get", one, 404, api.get("/messaging/v1/email/definitions/missing"))
    asset = api.post("/asset/v1/content/assets", json={"name": "a2", "assetType": {"id": 208, "name": "htmlemail"},
                                                       "customerKey": "a2", "description": "d"}).json()
    _validate("get", "/asset/v1/content/assets/{id}", 200, api.get(f"/asset/v1/content/assets/{asset['id']}"))
    _validate("patch", "/asset/v1/content/assets/{id}", 200,
              api.patch(f"/asset/v1/content/assets/{asset['id']}", json={"name": "a3"}))
    _validate("post", "/asset/v1/content/assets", 200, asset)  # the spec documents 200; SFMC answers 201
    campaign = api.post("/hub/v1/campaigns", json={"name": "c", "description": "d", "campaignCode": "cc",
                                                   "color": "0000ff", "favorite": False})
    _validate("post", "/hub/v1/campaigns", 200, campaign)
    _validate("get", "/hub/v1/campaigns/{id}", 200, api.get(f"/hub/v1/campaigns/{campaign.json()['id']}"))
    _validate("delete", "/hub/v1/campaigns/{id}", 400, api.delete("/hub/v1/campaigns/abc"))


def test_dates_are_the_wire_form(ready: Api):
    got = ready.get("/messaging/v1/email/definitions/order-conf").json()
    for field in ("createdDate", "modifiedDate"):
        assert len(got[field]) == 19 and got[field].endswith(":00"), got[field]


def test_error_bodies_match_api_error():
    """The ApiError schema itself accepts the wire shape (and would reject a wrong type)."""
    api_error = {**SPEC["definitions"]["ApiError"], "definitions": SPEC["definitions"]}
    jsonschema.validate({"message": "x", "errorcode": 30004, "documentation": ""}, api_error)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"message": 5}, api_error)
