"""Test/bench-only bulk seeding under /_emulator: synthetic subscribers on a list, in one call.

`POST /_emulator/seed/list-members` with JSON {"list_id": int, "count": int, "mid": int (default: the
parent BU), "prefix": "bench", "domain": "example.com", "attributes": {...}} creates subscribers
`<prefix>-<n>` / `<prefix>-<n>@<domain>` (attributes rendered with {n}) and makes them Active members
(domain/bulk.py).
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from ...domain import codes
from ...domain.bulk import add_list_members
from ...domain.errors import Invalid
from ...web import emulator, json_body

bp = Blueprint("admin_seed", __name__, url_prefix="/_emulator/seed")


@bp.post("/list-members")
def list_members():
    emu = emulator()
    body = json_body()
    try:
        list_id, count = int(body["list_id"]), int(body["count"])
        mid = int(body.get("mid") or emu.enterprise_mid)
    except (KeyError, TypeError, ValueError) as exc:
        raise Invalid(f"list_id and count (integers) are required: {exc}",
                      code=codes.REST.INVALID_VALUE) from exc
    attributes = {str(k): str(v) for k, v in (body.get("attributes") or {}).items()}
    created = add_list_members(emu, mid, list_id, count, str(body.get("prefix") or "seed"),
                               str(body.get("domain") or "example.com"), attributes)
    return jsonify(list_id=list_id, mid=mid, created=created)
