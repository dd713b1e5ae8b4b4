"""Synthetic audiences in bulk, for tests and benchmarks (`POST /_emulator/seed/list-members`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..store.audience import SubscriberRecord
from . import codes
from .errors import NotFound

if TYPE_CHECKING:
    from ..core import Emulator

CHUNK = 10_000  # records built per step: memory stays flat whatever the count


def add_list_members(emu: Emulator, mid: int, list_id: int, count: int, prefix: str = "seed",
                     domain: str = "example.com", attributes: dict[str, str] | None = None) -> int:
    """Create subscribers `<prefix>-<n>` / `<prefix>-<n>@<domain>` (attribute values rendered with {n}) as
    Active members of List `list_id` in BU `mid`; returns how many. NotFound when the List does not exist."""
    if emu.objects.find_one(mid, "List", "ID", list_id) is None:
        raise NotFound(f"No List {list_id} in business unit {mid}.", code=codes.SOAP.LIST_NOT_FOUND)
    attributes = attributes or {}
    now = emu.clock.now().timestamp()
    for start in range(0, count, CHUNK):
        records = [SubscriberRecord(f"{prefix}-{n}", f"{prefix}-{n}@{domain}", "Active",
                                    {k: v.replace("{n}", str(n)) for k, v in attributes.items()})
                   for n in range(start, min(count, start + CHUNK))]
        with emu.store.transaction():
            emu.audience.put_subscribers(mid, records, now)
            emu.audience.set_memberships(mid, list_id, [(r.subscriber_key, "Active") for r in records], now)
    return count
