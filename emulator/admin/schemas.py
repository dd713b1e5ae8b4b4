"""The admin API's request bodies: a declared JSON Schema per route, checked (web.validated_json: strict
JSON, no NaN/Infinity, bounded depth) before a route reads the body. A body that does not fit is a 400 in
SFMC's JSON shape (errorcode 10004 for malformed JSON, 10005 for the wrong shape) and nothing changes.
"""

from __future__ import annotations

from typing import Any

from ..clock import MAX_ADVANCE_SECONDS
from ..web import validated_json

INT32 = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
# Years 2000..2199 are checked by the clock; this only bounds the text.
CLOCK = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "freeze": {"type": "boolean"},
        "set": {"type": "string", "minLength": 1, "maxLength": 64},
        "advance": {"type": "number", "minimum": -MAX_ADVANCE_SECONDS, "maximum": MAX_ADVANCE_SECONDS},
        "reset": {"type": "boolean"},
    },
}
SEED_MAX_COUNT = 10_000_000
SEED_LIST_MEMBERS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["list_id", "count"],
    "properties": {
        "list_id": INT32,
        "count": {"type": "integer", "minimum": 1, "maximum": SEED_MAX_COUNT},
        "mid": INT32,
        "prefix": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^[^\s@]+$"},
        "domain": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"^[A-Za-z0-9.-]+$"},
        "attributes": {
            "type": "object",
            "maxProperties": 200,
            "propertyNames": {"maxLength": 200},
            "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
        },
    },
}


def body(schema: dict[str, Any], empty: Any = None) -> Any:
    """The request's JSON body checked against `schema`; `empty` (if not None) stands for a missing body."""
    return validated_json(schema, empty)
