"""Declared request-body schemas, one module per API family; emulator/jsonbody.py applies them.

``openapi(name)`` builds a route's schema from Salesforce's own OpenAPI document (the packaged copy in
emulator/fixtures/sfmc-openapi-v2.json), self-contained and adapted to what the boundary decides:

- ``required`` is dropped: presence is checked by the domain, which treats ``""`` and ``null`` as missing
  and answers with SFMC's case-specific codes (109107 for definitionKey, 10002 naming the field, ...);
- ``format`` is dropped (SFMC's own dates carry no zone; formats are not enforced, as in the spec tests);
- a string, object or array may be ``null`` (a typed deserialiser reads null into a reference type; the
  domain treats it as absent); booleans and numbers may not (value types);
- every number is bounded to a signed 64-bit range (what the store can hold; beyond it is 10005);
- ``patch`` adds the emulator's refinements by dotted path: a nullable type, an ``x-errorcode``, a tighter
  ``items`` or ``additionalProperties``. A family module spells out whatever the document lacks.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from ...jsonbody import INT64, BodySchema

# Personalisation values are strings to SFMC (attributes, data extension fields): scalars are accepted
# (a number or boolean is written as text), a nested array or object is not.
SCALAR = {"type": ["string", "number", "boolean", "null"], "minimum": -INT64, "maximum": INT64}
SCALARS = {"type": "object", "additionalProperties": SCALAR}


@cache
def document() -> dict[str, Any]:
    text = resources.files("emulator.fixtures").joinpath("sfmc-openapi-v2.json").read_text("utf-8")
    return json.loads(text)


_DROPPED = ("required", "format", "description", "readOnly", "default")


def _resolve(node: Any) -> Any:
    if isinstance(node, list):
        return [_resolve(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _resolve(copy.deepcopy(document()["definitions"][name]))
    out = {k: _resolve(v) for k, v in node.items() if k not in _DROPPED}
    if isinstance(node.get("properties"), dict):  # property names are data, never keywords to drop
        out["properties"] = {k: _resolve(v) for k, v in node["properties"].items()}
    if out.get("type") in ("string", "object", "array"):  # reference types: null deserialises as absent
        out["type"] = [out["type"], "null"]
    if out.get("type") in ("number", "integer"):
        out.setdefault("minimum", -INT64)
        out.setdefault("maximum", INT64)
    return out


def _at(schema: dict[str, Any], dotted: str) -> dict[str, Any]:
    node = schema
    for part in dotted.split("."):
        node = node.setdefault("properties", {}).setdefault(part, {}) if part != "*" else \
            node.setdefault("items", {})
    return node


def declare(name: str, schema: dict[str, Any], patch: dict[str, dict[str, Any]] | None = None,
            mcms: bool = False) -> BodySchema:
    """A BodySchema from `schema` with `patch` merged in at dotted paths ("recipients.*.contactKey")."""
    schema = copy.deepcopy(schema)
    for dotted, extra in (patch or {}).items():
        _at(schema, dotted).update(extra)
    if mcms:
        schema["x-mcms"] = True
    schema.setdefault("type", "object")
    return BodySchema(name, schema)


def openapi(definition: str, patch: dict[str, dict[str, Any]] | None = None, mcms: bool = False) -> BodySchema:
    """The OpenAPI document's `definition` as a request-body schema, with `patch` applied."""
    return declare(definition, _resolve(document()["definitions"][definition]), patch, mcms)
