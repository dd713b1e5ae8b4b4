"""Transactional SMS REST (/messaging/v1/sms/...): translation only, behaviour in domain/transactional/sms.py.

Bodies are checked against the route's declared JSON schema first (types and shapes, from the OpenAPI
document's SmsDefinition / SendSmsTo*Request), so the domain sees the shapes it expects and a wrong type is
SFMC's 400 with a named code. Scopes per SFMC's table: sms_read, sms_write, sms_send
[doc:rest-permissions-and-scopes].
"""

from __future__ import annotations

import math
from typing import Any

import jsonschema
from flask import Blueprint, g, jsonify, request

from ..domain import codes
from ..domain.errors import Invalid
from ..web import emulator, json_body, requires_token

bp = Blueprint("sms", __name__, url_prefix="/messaging/v1/sms")

READ, WRITE, SEND = "sms_read", "sms_write", "sms_send"

_STR = {"type": "string"}
_BOOL = {"type": "boolean"}
_ATTRIBUTES = {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}
_CONTENT = {"type": "object", "properties": {"message": _STR}}
_SUBSCRIPTIONS = {"type": "object", "properties": {
    "shortCode": _STR, "countryCode": {"type": ["string", "null"]}, "keyword": _STR,
    "autoAddSubscriber": _BOOL, "updateSubscriber": _BOOL}}
_DEFINITION = {"type": "object", "properties": {
    "definitionKey": _STR, "name": _STR, "description": {"type": ["string", "null"]},
    "status": _STR, "content": _CONTENT, "subscriptions": _SUBSCRIPTIONS}}
_RECIPIENT = {"type": "object", "properties": {
    "contactKey": _STR, "to": {"type": ["string", "null"]}, "messageKey": _STR, "attributes": _ATTRIBUTES}}
_SEND = {"definitionKey": _STR, "content": _CONTENT, "attributes": _ATTRIBUTES,
         "subscriptions": {"type": "object", "properties": {"resubscribe": _BOOL}}}
SCHEMAS: dict[str, dict[str, Any]] = {
    "definition": _DEFINITION,
    "single": {"type": "object", "properties": {**_SEND, "recipient": _RECIPIENT}},
    "batch": {"type": "object", "properties": {
        **_SEND, "recipients": {"type": "array", "items": _RECIPIENT, "maxItems": 2000}}},
}
_VALIDATORS = {name: jsonschema.Draft7Validator(schema) for name, schema in SCHEMAS.items()}
_TYPE_ERRORS = {"type", "additionalProperties"}


def _finite(value: Any) -> bool:
    """No NaN or Infinity anywhere (Python's JSON reader accepts them; JSON does not)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def _body(schema: str) -> dict[str, Any]:
    """The JSON object body, checked against SCHEMAS[schema]: the first problem is SFMC's 400 (10001 for a
    wrong type, 109101 for too many recipients). To be swapped for web.py's shared schema mechanism."""
    body = json_body()
    if not _finite(body):
        raise Invalid("Malformed JSON in request body.", code=codes.REST.MALFORMED_JSON)
    error = next(iter(sorted(_VALIDATORS[schema].iter_errors(body), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path) or "body"
        code = codes.REST.TOO_MANY_RECIPIENTS if error.validator == "maxItems" else codes.REST.INVALID_DATA_TYPE
        raise Invalid(f"{code.mcms}: {where}: {error.message}", code=code)
    return body


def _sms():
    return emulator().sms


def _answer(body: dict, status: int = 200):
    response = jsonify(body)
    response.status_code = status
    return response


@bp.post("/definitions", strict_slashes=False)
@requires_token(WRITE)
def create_definition():
    return _answer(_sms().create_definition(g.call, _body("definition")), 201)


@bp.get("/definitions", strict_slashes=False)
@requires_token(READ)
def list_definitions():
    args = request.args
    return _answer(_sms().list_definitions(g.call, args.get("$filter"), args.get("$page"), args.get("$pageSize"),
                                           args.get("$orderBy")))


@bp.get("/definitions/<key>")
@requires_token(READ)
def get_definition(key: str):
    return _answer(_sms().get_definition(g.call, key))


@bp.patch("/definitions/<key>")
@requires_token(WRITE)
def update_definition(key: str):
    return _answer(_sms().update_definition(g.call, key, _body("definition")))


@bp.delete("/definitions/<key>")
@requires_token(WRITE)
def delete_definition(key: str):
    return _answer(_sms().delete_definition(g.call, key))


@bp.get("/definitions/<key>/queue")
@requires_token(READ)
def queue_metrics(key: str):
    return _answer(_sms().queue_metrics(g.call, key))


@bp.delete("/definitions/<key>/queue")
@requires_token(WRITE)
def clear_queue(key: str):
    return _answer(_sms().clear_queue(g.call, key))


@bp.post("/messages/<path:message_key>")
@requires_token(SEND)
def send_single(message_key: str):
    return _answer(_sms().send(g.call, _body("single"), path_key=message_key), 202)


@bp.post("/messages", strict_slashes=False)
@requires_token(SEND)
def send_batch():
    return _answer(_sms().send(g.call, _body("batch")), 202)


@bp.get("/messages/<path:message_key>")
@requires_token(READ)
def message_status(message_key: str):
    return _answer(_sms().message_status(g.call, message_key))


@bp.get("/messages", strict_slashes=False)
@requires_token(READ)
def not_sent():
    args = request.args
    page_size = args.get("$pageSize", args.get("$pagesize"))
    return _answer(_sms().not_sent(g.call, args.get("type"), page_size, args.get("lastEventId")))
