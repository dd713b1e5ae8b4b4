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

from flask import Blueprint, Response, g, request
from jsonschema import Draft202012Validator

from ..domain import codes
from ..domain.errors import Invalid
from ..web import emulator, query_arg, query_args
from .routes import add, resource

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
    error = next(iter(sorted(VALIDATORS[schema].iter_errors(data), key=lambda e: [(isinstance(p, str), p) for p in e.path])), None)
    if error is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path).lstrip(".") or "body"
        reason = {"type": "has the wrong type", "required": "is missing a required property"}.get(
            error.validator, "is not valid")
        raise Invalid(f"The request body is invalid: '{where}' {reason}.", code=codes.REST.VALIDATION)
    return data


def _service():
    return emulator().journeys


def _interactions():
    return _service().interactions


# what GET /interactions reads (definitions.py list), matched as every list route matches them: any case
LISTING = ("$page", "$pageSize", "$orderBy", "status", "nameOrDescription", "$extras", "extras")


def _listing_args() -> dict[str, str]:
    return {name: value for name, value in zip(LISTING, query_args(*LISTING), strict=True) if value is not None}


def _version() -> str | None:
    return query_arg("versionNumber")


# -- event definitions: deleting one answers an empty 200 [fx: eventDefinitions/key_testExisting_event/delete-
# response.txt]; an event is fired at /events ----------------------------------------------------------------
resource(bp, lambda: _service().events, "/eventDefinitions", "/<path:ref>",
         names=("event_definition", "event_definitions"), read=SCOPE, write=SCOPE,
         body=lambda: body("event_definition"), listing=lambda: query_args("$page", "$pageSize", "name"),
         update="PUT")
add(bp, "fire_event", "POST", "/events", SCOPE, lambda: _service().events.fire(g.call, body("event")), 201,
    strict_slashes=False)


# -- journeys ----------------------------------------------------------------------------------------
add(bp, "create_interaction", "POST", "/interactions", SCOPE,
    lambda: _interactions().create(g.call, body("interaction")), strict_slashes=False)
add(bp, "list_interactions", "GET", "/interactions", SCOPE,
    lambda: _interactions().list(g.call, _listing_args()), strict_slashes=False)
add(bp, "update_interaction", "PUT", "/interactions", SCOPE,
    lambda: _interactions().update(g.call, body("interaction")), strict_slashes=False)
add(bp, "update_interaction_by_ref", "PUT", "/interactions/<path:ref>", SCOPE,
    lambda ref: _interactions().update(g.call, body("interaction"), ref))
add(bp, "publish_status", "GET", "/interactions/publishStatus/<ref>", SCOPE,
    lambda ref: _interactions().publish_status(g.call, ref))
add(bp, "publish", "POST", "/interactions/publishAsync/<path:ref>", SCOPE,
    lambda ref: _interactions().publish(g.call, ref, _version()))
# [doc: postStopInteractionById "HTTP/1.1 200", no body]: stop answers None, an empty 200
add(bp, "stop", "POST", "/interactions/stop/<path:ref>", SCOPE, lambda ref: _interactions().stop(g.call, ref, _version()))
add(bp, "get_interaction", "GET", "/interactions/<path:ref>", SCOPE,
    lambda ref: _interactions().get(g.call, ref, _version()))
# [fx: interactions/{id}/delete-response.txt: the journey's id as the body]
add(bp, "delete_interaction", "DELETE", "/interactions/<path:ref>", SCOPE,
    lambda ref: Response(_interactions().delete(g.call, ref, _version()), status=200, mimetype="text/plain"))
