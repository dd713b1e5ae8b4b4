"""Test/bench-only bulk seeding under /_emulator: synthetic subscribers on a list, in one call.

`POST /_emulator/seed/list-members` with JSON {"list_id": int, "count": int, "mid": int (default: the
parent BU), "prefix": "bench", "domain": "example.com", "attributes": {...}} creates subscribers
`<prefix>-<n>` / `<prefix>-<n>@<domain>` (attributes rendered with {n}) and makes them Active members
(domain/bulk.py). The body is checked against schemas.SEED_LIST_MEMBERS (count at most 10,000,000).
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from ...domain.bulk import add_list_members
from ...web import emulator
from .. import schemas

bp = Blueprint("admin_seed", __name__, url_prefix="/_emulator/seed")


@bp.post("/list-members")
def list_members():
    emu = emulator()
    body = schemas.body(schemas.SEED_LIST_MEMBERS)
    list_id, count = int(body["list_id"]), int(body["count"])
    mid = int(body.get("mid") or emu.enterprise_mid)
    attributes = {str(k): "" if v is None else str(v) for k, v in (body.get("attributes") or {}).items()}
    created = add_list_members(emu, mid, list_id, count, str(body.get("prefix") or "seed"),
                               str(body.get("domain") or "example.com"), attributes)
    return jsonify(list_id=list_id, mid=mid, created=created)
