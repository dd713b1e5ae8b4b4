"""The admin API's OpenAPI document: it lists every route under /_emulator, and the server's answers
validate against the schemas it gives (JSON Schema 2020-12, as OpenAPI 3.1 uses)."""

from __future__ import annotations

import re

import jsonschema
import pytest

from emulator.ui.openapi import document
from tests.ui.seed import seed
from tests.ui.trouble import add_trouble

METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH"}


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def test_every_flask_rule_under_emulator_is_documented(mc):
    from emulator.app import create_app

    app = create_app(mc.emu)  # the same URL map the server runs
    doc = document()
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/_emulator"):
            continue
        path = openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) & METHODS):
            if method.lower() not in doc["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == [], f"add these to emulator/ui/openapi.py ROUTES: {missing}"
    documented = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    served = {(m.lower(), openapi_path(r.rule)) for r in app.url_map.iter_rules() if r.rule.startswith("/_emulator")
              for m in (r.methods or set()) & METHODS}
    assert documented - served == set(), "documented routes the server does not have"


def test_the_document_is_served_and_well_formed(mc):
    doc = mc.http.get(f"{mc.base_url}/_emulator/openapi.json", timeout=10).json()
    assert doc["openapi"] == "3.1.0" and doc["servers"] == [{"url": mc.base_url}]
    ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    refs = set(re.findall(r'"#/components/schemas/(\w+)"', str(doc).replace("'", '"')))
    assert refs <= set(doc["components"]["schemas"])
    for schema in doc["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def _validate(doc: dict, method: str, path: str, status: int, body) -> None:
    operation = doc["paths"][path][method]
    answer = operation["responses"].get(str(status)) or operation["responses"]["4XX"]
    schema = answer["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator({**schema, "components": doc["components"]}).validate(body)


@pytest.fixture
def world(mc, soap):
    seeded = seed(mc, soap)
    return seeded, add_trouble(mc, soap, seeded)


def test_answers_validate_against_the_document(mc, world):
    seeded, trouble = world
    doc = document(mc.base_url)
    message_id, job_id = seeded.message_ids[0], trouble.job_id
    entry_id = mc.emu.journal.list(limit=1)[0]["id"]
    calls = [
        ("get", "/_emulator/health", {}), ("get", "/_emulator/clock", {}), ("get", "/_emulator/jobs", {}),
        ("get", "/_emulator/jobs/{job_id}", {"job_id": job_id}), ("get", "/_emulator/outbox", {}),
        ("get", "/_emulator/outbox/{message_id}", {"message_id": message_id}),
        ("get", "/_emulator/outbox/{message_id}/analysis", {"message_id": trouble.link_message_id}),
        ("get", "/_emulator/journal", {}), ("get", "/_emulator/journal/{entry_id}", {"entry_id": entry_id}),
        ("get", "/_emulator/faults", {}), ("get", "/_emulator/ftp/Import", {}), ("get", "/_emulator/bus", {}),
        ("get", "/_emulator/overview", {}), ("get", "/_emulator/definitions", {}),
        ("get", "/_emulator/sends", {}), ("get", "/_emulator/sends/{job_id}", {"job_id": job_id}),
        ("get", "/_emulator/sends/{job_id}/recipients", {"job_id": job_id}),
        ("get", "/_emulator/imports", {}),
        ("get", "/_emulator/jobs/{job_id}", {"job_id": 1}),  # a 404: the error shape
        ("post", "/_emulator/outbox/{message_id}/delete", {"message_id": seeded.message_ids[1]}),
        ("post", "/_emulator/outbox/{message_id}/delete", {"message_id": 999999}),
    ]
    seen = set()
    for method, path, params in calls:
        response = mc.http.request(method.upper(), mc.base_url + path.format(**params), timeout=10)
        assert response.headers["Content-Type"].startswith("application/json"), path
        _validate(doc, method, path, response.status_code, response.json())
        seen.add(response.status_code)
    assert seen == {200, 404}
    detail = mc.http.get(f"{mc.base_url}/_emulator/definition", timeout=10,
                         params={"api": "SOAP", "type": "EmailSendDefinition", "key": "welcome-send"})
    _validate(doc, "get", "/_emulator/definition", 200, detail.json())
    rule = mc.http.post(f"{mc.base_url}/_emulator/faults", timeout=10,
                        json={"path": "/nowhere", "type": "http_error", "status": 500})
    _validate(doc, "post", "/_emulator/faults", rule.status_code, rule.json())
    _validate(doc, "delete", "/_emulator/faults", 200, mc.http.delete(f"{mc.base_url}/_emulator/faults").json())
    cleared = mc.http.post(f"{mc.base_url}/_emulator/outbox/clear", timeout=10)
    _validate(doc, "post", "/_emulator/outbox/clear", 200, cleared.json())


def test_a_wrong_answer_would_fail_validation(mc):
    doc = document()
    with pytest.raises(jsonschema.ValidationError):
        _validate(doc, "get", "/_emulator/clock", 200, {"now": 5, "frozen": "no"})
    with pytest.raises(jsonschema.ValidationError):
        _validate(doc, "get", "/_emulator/outbox/{message_id}/analysis", 200, {"id": 1})
