"""Test/bench-only bulk seeding under /_emulator: synthetic subscribers on a list, in one call.

`POST /_emulator/seed/list-members` with JSON {"list_id": int, "count": int, "mid": int (default: the
parent BU), "prefix": "bench", "domain": "example.com", "attributes": {...}} creates subscribers
`<prefix>-<n>` / `<prefix>-<n>@<domain>` (attributes rendered with {n}) and makes them Active members.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from ...domain import codes
from ...domain.errors import Invalid, NotFound
from ...rest.common import emulator, json_body
from ...store.audience import SubscriberRecord

bp = Blueprint("admin_seed", __name__, url_prefix="/_emulator/seed")
CHUNK = 10_000  # records built per step: memory stays flat whatever the count


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
    if emu.objects.find_one(mid, "List", "ID", list_id) is None:
        raise NotFound(f"No List {list_id} in business unit {mid}.", code=codes.SOAP.LIST_NOT_FOUND)
    prefix, domain = str(body.get("prefix") or "seed"), str(body.get("domain") or "example.com")
    attributes = {str(k): str(v) for k, v in (body.get("attributes") or {}).items()}
    now = emu.clock.now().timestamp()
    for start in range(0, count, CHUNK):
        numbers = range(start, min(count, start + CHUNK))
        records = [SubscriberRecord(f"{prefix}-{n}", f"{prefix}-{n}@{domain}", "Active",
                                    {k: v.replace("{n}", str(n)) for k, v in attributes.items()})
                   for n in numbers]
        with emu.store.transaction():
            emu.audience.put_subscribers(mid, records, now)
            emu.audience.set_memberships(mid, list_id, [(r.subscriber_key, "Active") for r in records], now)
    return jsonify(list_id=list_id, mid=mid, created=count)
