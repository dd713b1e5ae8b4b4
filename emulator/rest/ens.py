"""The Event Notification Service's REST routes (/platform/v1/ens-*). Translation only: bodies are checked
against the schemas below (the reference's request definitions), behaviour lives in domain/ens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, request
from jsonschema import Draft202012Validator

from .. import jsonbody
from ..domain import codes
from ..domain.ens.service import MAX_BATCH, MIN_BATCH
from ..domain.errors import Invalid
from ..web import emulator, requires_token

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
    "callback_create": _items({"type": "object", "required": ["callbackName", "url"], "properties": {
        "callbackName": _NAME, "url": {"type": "string", "minLength": 1, "maxLength": 2000},
        "maxBatchSize": _BATCH}}),
    "callback_update": _items({"type": "object", "required": ["callbackName", "callbackId"], "properties": {
        "callbackName": _NAME, "callbackId": _ID, "maxBatchSize": _BATCH}}),
    "verify": {"type": "object", "required": ["callbackId", "verificationKey"], "properties": {
        "callbackId": _ID, "verificationKey": {"type": "string", "maxLength": 200}}},
    "regenerate": _items({"type": "object", "required": ["callbackId"], "properties": {"callbackId": _ID}}),
    "subscription_create": _items({"type": "object", "required": [
        "subscriptionName", "callbackId", "eventCategoryTypes"], "properties": {
        "subscriptionName": _NAME, "callbackId": _ID, "eventCategoryTypes": {**_STRINGS, "minItems": 1},
        "filters": _STRINGS}}),
    "subscription_update": _items({"type": "object", "required": ["subscriptionId", "eventCategoryTypes"],
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


def _each(data: Any, work) -> Any:
    """Apply `work` to each item; answer in kind (an array for an array)."""
    if isinstance(data, list):
        return [work(item) for item in data]
    return work(data)


def _ens():
    return emulator().ens


@bp.post("/ens-callbacks")
@requires_token(CB_CREATE)
def create_callback():
    out = _each(_body("callback_create"), lambda item: _ens().create_callback(g.call.mid, item))
    return jsonify(out), 201


@bp.get("/ens-callbacks")
@requires_token(CB_READ)
def list_callbacks():
    return jsonify(_ens().callbacks(g.call.mid))


@bp.get("/ens-callbacks/<callback_id>")
@requires_token(CB_READ)
def get_callback(callback_id: str):
    return jsonify(_ens().callback_json(g.call.mid, callback_id))


@bp.put("/ens-callbacks")
@requires_token(CB_UPDATE)
def update_callback():
    return jsonify(_each(_body("callback_update"), lambda item: _ens().update_callback(g.call.mid, item)))


@bp.delete("/ens-callbacks/<callback_id>")
@requires_token(CB_DELETE)
def delete_callback(callback_id: str):
    _ens().delete_callback(g.call.mid, callback_id)
    return "", 200


@bp.post("/ens-verify")
@requires_token(CB_UPDATE)
def verify_callback():
    body = _body("verify")
    return jsonify(_ens().verify(g.call.mid, body["callbackId"], body["verificationKey"]))


@bp.put("/ens-regenerate")
@requires_token(CB_UPDATE)
def regenerate_key():
    return jsonify(_each(_body("regenerate"), lambda item: _ens().regenerate(g.call.mid, item["callbackId"])))


@bp.post("/ens-subscriptions")
@requires_token(SUB_CREATE)
def create_subscription():
    out = _each(_body("subscription_create"), lambda item: _ens().create_subscription(g.call.mid, item))
    return jsonify(out), 201


@bp.put("/ens-subscriptions")
@requires_token(SUB_UPDATE)
def update_subscription():
    return jsonify(_each(_body("subscription_update"), lambda item: _ens().update_subscription(g.call.mid, item)))


@bp.get("/ens-subscriptions/<subscription_id>")
@requires_token(SUB_READ)
def get_subscription(subscription_id: str):
    return jsonify(_ens().subscription(g.call.mid, subscription_id))


@bp.delete("/ens-subscriptions/<subscription_id>")
@requires_token(SUB_DELETE)
def delete_subscription(subscription_id: str):
    _ens().delete_subscription(g.call.mid, subscription_id)
    return "", 200


@bp.get("/ens-subscriptions-by-cb/<callback_id>")
@requires_token(SUB_READ)
def subscriptions_for_callback(callback_id: str):
    return jsonify(_ens().subscriptions_for(g.call.mid, callback_id))
