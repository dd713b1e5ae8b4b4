"""/_emulator/faults: POST adds a rule, GET lists the active rules, DELETE clears them (or one by id)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..domain import codes
from ..domain.errors import Invalid, NotFound
from ..web import emulator
from . import faults_of

bp = Blueprint("faults", __name__, url_prefix="/_emulator")


@bp.post("/faults")
def add_fault():
    body = request.get_json(silent=True, force=True)
    if body is None:
        raise Invalid("Malformed JSON in request body.", code=codes.REST.MALFORMED_JSON)
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
