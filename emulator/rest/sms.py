"""Transactional SMS REST (/messaging/v1/sms/...): translation only, behaviour in domain/transactional/sms.py.

Bodies are checked against the route's declared JSON schema first (types and shapes, from the OpenAPI
document's SmsDefinition / SendSmsTo*Request), so the domain sees the shapes it expects and a wrong type is
SFMC's 400 with a named code. Scopes per SFMC's table: sms_read, sms_write, sms_send
[doc:rest-permissions-and-scopes].
"""

from __future__ import annotations

from typing import Any

import jsonschema
from flask import Blueprint

from ..domain import codes
from ..domain.errors import Invalid
from ..web import emulator, json_body, query_args
from .messaging import channel_routes

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


def _body(schema: str) -> dict[str, Any]:
    """The JSON object body, checked against SCHEMAS[schema]: the first problem is SFMC's 400 (10001 for a
    wrong type, 109101 for too many recipients). (json_body's reader already refuses NaN and Infinity.)
    Not web.json_body's declared BodySchema: SMS words its messages its own way (`MCMS_...: path: reason`,
    the first problem only), which that mechanism does not say."""
    body = json_body()
    error = next(iter(sorted(_VALIDATORS[schema].iter_errors(body), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path) or "body"
        code = codes.REST.TOO_MANY_RECIPIENTS if error.validator == "maxItems" else codes.REST.INVALID_DATA_TYPE
        raise Invalid(f"{code.mcms}: {where}: {error.message}", code=code)
    return body


_KINDS = {"create": "definition", "update": "definition", "single": "single", "batch": "batch"}

channel_routes(bp, "", lambda: emulator().sms, {"read": READ, "write": WRITE, "send": SEND},
               body=lambda kind: _body(_KINDS[kind]),
               listing=lambda: query_args("$filter", "$page", "$pageSize", "$orderBy"),
               not_sent=lambda: query_args("type", "$pageSize", "lastEventId"))
