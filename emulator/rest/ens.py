"""The Event Notification Service's REST routes (/platform/v1/ens-*). Translation only: bodies are checked
against the schemas below (the reference's request definitions), behaviour lives in domain/ens."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, g, jsonify, request
from jsonschema import Draft202012Validator

from .. import jsonbody
from ..domain import codes
from ..domain.ens.service import MAX_BATCH, MIN_BATCH
from ..domain.errors import Invalid
from ..web import emulator, requires_token
from .routes import add

bp = Blueprint("ens", __name__, url_prefix="/platform/v1")

CB_CREATE, CB_READ = "event_notification_callback_create", "event_notification_callback_read"
CB_UPDATE, CB_DELETE = "event_notification_callback_update", "event_notification_callback_delete"
SUB_CREATE, SUB_READ = "event_notification_subscription_create", "event_notification_subscription_read"
SUB_UPDATE, SUB_DELETE = "event_notification_subscription_update", "event_notification_subscription_delete"

_NAME = {"type": "string", "minLength": 1, "maxLength": 200}
_ID = {"type": "string", "minLength": 1, "maxLength": 100}
_BATCH = {"type": "integer", "minimum": MIN_BATCH, "maximum": MAX_BATCH}
_STRINGS = {"type": "array", "items": {"type": "string", "maxLength": 500}, "maxItems": 100}


def _items(item: dict[str, Any]) -> dict[str, Any]:
    """One item, or an array of 1-100 of them (SFMC's examples send arrays)."""
    return {"oneOf": [item, {"type": "array", "items": item, "minItems": 1, "maxItems": 100}]}


SCHEMAS = {
    "create_callback": _items({"type": "object", "required": ["callbackName", "url"], "properties": {
        "callbackName": _NAME, "url": {"type": "string", "minLength": 1, "maxLength": 2000},
        "maxBatchSize": _BATCH}}),
    "update_callback": _items({"type": "object", "required": ["callbackName", "callbackId"], "properties": {
        "callbackName": _NAME, "callbackId": _ID, "maxBatchSize": _BATCH}}),
    "verify": {"type": "object", "required": ["callbackId", "verificationKey"], "properties": {
        "callbackId": _ID, "verificationKey": {"type": "string", "maxLength": 200}}},
    "regenerate": _items({"type": "object", "required": ["callbackId"], "properties": {"callbackId": _ID}}),
    "create_subscription": _items({"type": "object", "required": [
        "subscriptionName", "callbackId", "eventCategoryTypes"], "properties": {
        "subscriptionName": _NAME, "callbackId": _ID, "eventCategoryTypes": {**_STRINGS, "minItems": 1},
        "filters": _STRINGS}}),
    "update_subscription": _items({"type": "object", "required": ["subscriptionId", "eventCategoryTypes"],
                                   "properties": {
        "subscriptionId": _ID, "subscriptionName": _NAME, "eventCategoryTypes": {**_STRINGS, "minItems": 1},
        "filters": _STRINGS, "status": {"enum": ["active", "paused"]},
        "statusReason": {"type": "string", "maxLength": 500}}}),
}
_VALIDATORS = {name: Draft202012Validator(schema) for name, schema in SCHEMAS.items()}


def _body(schema: str) -> Any:
    """The JSON body (strict JSON, the reader every REST route uses: emulator/jsonbody.py) checked against
    `schema`; ENS bodies are often arrays, so web.json_body's object-only schemas do not fit."""
    data = jsonbody.parse(request.get_data(cache=True))
    error = next(iter(_VALIDATORS[schema].iter_errors(data)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "body"
        raise Invalid(f"Invalid request: {where}: {error.message[:200]}", code=codes.REST.VALIDATION)
    return data


def _ens():
    return emulator().ens


def _each(data: Any, work) -> Any:
    """Apply `work` to each item; answer in kind (an array for an array)."""
    if isinstance(data, list):
        return [work(item) for item in data]
    return work(data)


def _write(method: str) -> Any:
    """The body checked against SCHEMAS[method], each item of it to the service's `method`."""
    return _each(_body(method), lambda item: getattr(_ens(), method)(g.call.mid, item))


# Writes of one item or an array of them: endpoint = schema = the service method.
for _endpoint, _methods, _rule, _scope, _status in (
    ("create_callback", "POST", "/ens-callbacks", CB_CREATE, 201),
    ("update_callback", "PUT", "/ens-callbacks", CB_UPDATE, 200),
    ("create_subscription", "POST", "/ens-subscriptions", SUB_CREATE, 201),
    ("update_subscription", "PUT", "/ens-subscriptions", SUB_UPDATE, 200),
):
    add(bp, _endpoint, _methods, _rule, _scope, partial(_write, _endpoint), _status)

# One callback or subscription by its id in the path (a delete answers an empty 200): (endpoint, ..., method).
for _endpoint, _methods, _rule, _scope, _method in (
    ("get_callback", "GET", "/ens-callbacks/<ref>", CB_READ, "callback_json"),
    ("delete_callback", "DELETE", "/ens-callbacks/<ref>", CB_DELETE, "delete_callback"),
    ("get_subscription", "GET", "/ens-subscriptions/<ref>", SUB_READ, "subscription"),
    ("delete_subscription", "DELETE", "/ens-subscriptions/<ref>", SUB_DELETE, "delete_subscription"),
    ("subscriptions_for_callback", "GET", "/ens-subscriptions-by-cb/<ref>", SUB_READ, "subscriptions_for"),
):
    add(bp, _endpoint, _methods, _rule, _scope, lambda ref, method=_method: getattr(_ens(), method)(g.call.mid, ref))

add(bp, "list_callbacks", "GET", "/ens-callbacks", CB_READ, lambda: _ens().callbacks(g.call.mid))
add(bp, "regenerate_key", "PUT", "/ens-regenerate", CB_UPDATE,
    lambda: _each(_body("regenerate"), lambda item: _ens().regenerate(g.call.mid, item["callbackId"])))


@bp.post("/ens-verify")
@requires_token(CB_UPDATE)
def verify_callback():
    body = _body("verify")
    return jsonify(_ens().verify(g.call.mid, body["callbackId"], body["verificationKey"]))
