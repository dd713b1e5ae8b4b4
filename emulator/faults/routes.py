"""/_emulator/faults: POST adds a rule, GET lists the active rules, DELETE clears them (or one by id).

A POST body is checked against RULES (a rule or a list of at most 100) before parse_rule reads it.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..domain import codes
from ..domain.errors import NotFound
from ..web import emulator, validated_json
from . import KINDS, faults_of

TEXT = {"type": ["string", "null"], "maxLength": 2000}
MAX_LATENCY_MS = 600_000  # ten minutes: a longer sleep is a hang, not a test
_KIND = {"enum": list(KINDS)}
_FAULT = {"anyOf": [_KIND, {"type": "object", "maxProperties": 50, "properties": {
    "type": _KIND, "kind": _KIND, "status": {"type": "integer", "minimum": 100, "maximum": 599},
    "ms": {"type": "number", "minimum": 0, "maximum": MAX_LATENCY_MS}}}]}
RULE = {
    "type": "object",
    "maxProperties": 50,
    "properties": {
        "fault": _FAULT, "kind": _FAULT, "action": TEXT, "operation": TEXT, "object_type": TEXT, "method": TEXT,
        "path": TEXT, "path_regex": TEXT,
        "times": {"type": ["integer", "null"], "minimum": 1, "maximum": 10**9},
        "percent": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
        "seed": {"type": ["integer", "null"], "minimum": -2**63, "maximum": 2**63 - 1},
        "latency_ms": {"type": ["number", "null"], "minimum": 0, "maximum": MAX_LATENCY_MS},
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
    },
}
RULES = {"anyOf": [RULE, {"type": "array", "items": RULE, "minItems": 1, "maxItems": 100}]}

bp = Blueprint("faults", __name__, url_prefix="/_emulator")


@bp.post("/faults")
def add_fault():
    body = validated_json(RULES)
    rules = body if isinstance(body, list) else [body]
    added = [faults_of(emulator()).add(rule).public() for rule in rules]
    return jsonify(added if isinstance(body, list) else added[0]), 201


@bp.get("/faults")
def list_faults():
    return jsonify(items=[r.public() for r in faults_of(emulator()).list()])


@bp.delete("/faults")
def clear_faults():
    return jsonify(cleared=faults_of(emulator()).clear())


@bp.delete("/faults/<int:rule_id>")
def remove_fault(rule_id: int):
    if not faults_of(emulator()).remove(rule_id):
        raise NotFound(f"No fault rule {rule_id}.", code=codes.REST.NOT_FOUND)
    return jsonify(removed=rule_id)
