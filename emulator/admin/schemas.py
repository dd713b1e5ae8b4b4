"""The admin API's request bodies: strict JSON (no NaN/Infinity, bounded depth) checked against a declared
JSON Schema per route before a route reads it. A body that does not fit is a 400 in SFMC's JSON shape
(errorcode 10004 for malformed JSON, 10005 for the wrong shape) and nothing changes.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request
from jsonschema import Draft202012Validator

from ..clock import MAX_ADVANCE_SECONDS
from ..domain.errors import Invalid

MALFORMED = 10004
WRONG_SHAPE = 10005
MAX_DEPTH = 32  # admin bodies are flat; deeper nesting is refused before it can exhaust the stack

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

_VALIDATORS: dict[int, Draft202012Validator] = {}


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of a decoded value, iteratively (no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, at most MAX_DEPTH deep; Invalid (10004) otherwise."""
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Invalid(f"Malformed JSON in request body: {str(exc)[:200]}", code=MALFORMED) from None
    if _depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise Invalid(f"The request body is nested deeper than {MAX_DEPTH} levels.", code=MALFORMED)
    return value


def body(schema: dict[str, Any], empty: Any = None) -> Any:
    """The request's JSON body checked against `schema`; `empty` (if not None) stands for a missing body."""
    raw = request.get_data(cache=True)
    if not raw.strip() and empty is not None:
        value = empty
    else:
        value = parse_json(raw)
    validator = _VALIDATORS.get(id(schema))
    if validator is None:
        validator = _VALIDATORS[id(schema)] = Draft202012Validator(schema)
    error = next(iter(sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "body"
        raise Invalid(f"Invalid request body at {where}: {error.message[:300]}", code=WRONG_SHAPE)
    return value
