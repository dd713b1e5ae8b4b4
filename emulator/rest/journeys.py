"""Journey Builder REST (/interaction/v1): event definitions, entry events, journeys, publish and stop.
Translation only: bodies are checked against a declared JSON schema here, behaviour lives in
domain/journeys/.

Every route needs journeys_read: SFMC's scope table lists each /interaction/v1 route under the one
permission "Journey Builder > General > Access, View" -> journeys_read (rest-permissions-and-scopes, 1220).
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from jsonschema import Draft202012Validator

from ..domain import codes
from ..domain.errors import Invalid
from ..web import emulator, requires_token

bp = Blueprint("journeys", __name__, url_prefix="/interaction/v1")

SCOPE = "journeys_read"

_TEXT = {"type": ["string", "null"]}
_SCALAR = {"type": ["string", "number", "boolean", "null"]}
_STEP = {"type": "object", "properties": {"key": {"type": "string"}, "type": {"type": "string"},
                                          "outcomes": {"type": "array", "items": {"type": "object"}},
                                          "configurationArguments": {"type": "object"}}}
SCHEMAS: dict[str, dict[str, Any]] = {
    # [doc: createEventDefinition; current-summaries: interaction-eventDefinitions-get-put-delete]
    "event_definition": {"type": "object", "properties": {
        "name": _TEXT, "eventDefinitionKey": _TEXT, "dataExtensionId": _TEXT, "mode": _TEXT, "type": _TEXT,
        "description": _TEXT, "isVisibleInPicker": {"type": "boolean"}, "metaData": {"type": ["object", "null"]},
        "schema": {"type": ["object", "null"], "properties": {"fields": {"type": "array", "items": {"type": "object"}}}}}},
    # [doc: postEvent]
    "event": {"type": "object", "required": ["ContactKey", "EventDefinitionKey"], "properties": {
        "ContactKey": {"type": "string"}, "EventDefinitionKey": {"type": "string"},
        "Data": {"type": ["object", "null"], "additionalProperties": _SCALAR}}},
    # [doc: postCreateInteraction, putUpdateInteraction]
    "interaction": {"type": "object", "properties": {
        "key": _TEXT, "name": _TEXT, "description": _TEXT, "id": _TEXT, "version": {"type": ["integer", "null"]},
        "modifiedDate": _TEXT,
        "activities": {"type": ["array", "null"], "items": _STEP}, "triggers": {"type": ["array", "null"], "items": _STEP}}},
}
VALIDATORS = {name: Draft202012Validator(schema) for name, schema in SCHEMAS.items()}


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def _refuse(name: str) -> Any:
    raise ValueError(name)


def body(schema: str) -> dict[str, Any]:
    """The request's JSON checked against the route's schema; SFMC's 400 before anything runs."""
    try:
        data = json.loads(request.get_data(cache=True).decode("utf-8-sig"), parse_float=_finite,
                          parse_constant=_refuse)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Invalid("Malformed JSON in request body.", code=codes.REST.MALFORMED_JSON) from None
    if not isinstance(data, dict):
        raise Invalid("The request body must be a JSON object.", code=codes.REST.NOT_AN_OBJECT)
    error = next(iter(sorted(VALIDATORS[schema].iter_errors(data), key=lambda e: list(map(str, e.path)))), None)
    if error is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path).lstrip(".") or "body"
        reason = {"type": "has the wrong type", "required": "is missing a required property"}.get(
            error.validator, "is not valid")
        raise Invalid(f"The request body is invalid: '{where}' {reason}.", code=codes.REST.VALIDATION)
    return data


def _answer(payload: Any, status: int = 200) -> Response:
    response = jsonify(payload)
    response.status_code = status
    return response


def _empty() -> Response:
    return Response("", status=200)


def _service():
    return emulator().journeys


# -- event definitions -------------------------------------------------------------------------------
@bp.post("/eventDefinitions", strict_slashes=False)
@requires_token(SCOPE)
def create_event_definition():
    return _answer(_service().events.create(g.call, body("event_definition")))


@bp.get("/eventDefinitions", strict_slashes=False)
@requires_token(SCOPE)
def list_event_definitions():
    args = request.args
    return _answer(_service().events.list(g.call, args.get("$page"), args.get("$pageSize"), args.get("name")))


@bp.get("/eventDefinitions/<path:ref>")
@requires_token(SCOPE)
def get_event_definition(ref: str):
    return _answer(_service().events.get(g.call, ref))


@bp.put("/eventDefinitions/<path:ref>")
@requires_token(SCOPE)
def update_event_definition(ref: str):
    return _answer(_service().events.update(g.call, ref, body("event_definition")))


@bp.delete("/eventDefinitions/<path:ref>")
@requires_token(SCOPE)
def delete_event_definition(ref: str):
    _service().events.delete(g.call, ref)
    return _empty()  # [fx: eventDefinitions/key_testExisting_event/delete-response.txt: empty]


@bp.post("/events", strict_slashes=False)
@requires_token(SCOPE)
def fire_event():
    return _answer(_service().events.fire(g.call, body("event")), 201)


# -- journeys ----------------------------------------------------------------------------------------
@bp.post("/interactions", strict_slashes=False)
@requires_token(SCOPE)
def create_interaction():
    return _answer(_service().interactions.create(g.call, body("interaction")))


@bp.get("/interactions", strict_slashes=False)
@requires_token(SCOPE)
def list_interactions():
    return _answer(_service().interactions.list(g.call, request.args.to_dict()))


@bp.put("/interactions", strict_slashes=False)
@requires_token(SCOPE)
def update_interaction():
    return _answer(_service().interactions.update(g.call, body("interaction")))


@bp.put("/interactions/<path:ref>")
@requires_token(SCOPE)
def update_interaction_by_ref(ref: str):
    return _answer(_service().interactions.update(g.call, body("interaction"), ref))


@bp.get("/interactions/publishStatus/<status_id>")
@requires_token(SCOPE)
def publish_status(status_id: str):
    return _answer(_service().interactions.publish_status(g.call, status_id))


@bp.post("/interactions/publishAsync/<path:ref>")
@requires_token(SCOPE)
def publish(ref: str):
    return _answer(_service().interactions.publish(g.call, ref, request.args.get("versionNumber")))


@bp.post("/interactions/stop/<path:ref>")
@requires_token(SCOPE)
def stop(ref: str):
    _service().interactions.stop(g.call, ref, request.args.get("versionNumber"))
    return _empty()  # [doc: postStopInteractionById "HTTP/1.1 200", no body]


@bp.get("/interactions/<path:ref>")
@requires_token(SCOPE)
def get_interaction(ref: str):
    return _answer(_service().interactions.get(g.call, ref, request.args.get("versionNumber")))


@bp.delete("/interactions/<path:ref>")
@requires_token(SCOPE)
def delete_interaction(ref: str):
    journey_id = _service().interactions.delete(g.call, ref, request.args.get("versionNumber"))
    # [fx: interactions/{id}/delete-response.txt: the journey's id as the body]
    return Response(journey_id, status=200, mimetype="text/plain")
