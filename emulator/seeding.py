"""Seed files: a YAML fixture of business units, emails, lists, subscribers and data extensions (with rows)
loaded into an emulator at start (`sfmc-emulator serve --seed FILE`, `emulator.running(seed=FILE)`).

Objects are created as an API client would create them (ObjectService.create, so per-type behaviours and
their validation apply); subscribers, list membership and rows go through the audience repository, the
store imports use. Loading is idempotent: what already exists (by CustomerKey / SubscriberKey / primary
key) is kept, so a persistent sandbox can restart with the same --seed. After `reset` the seed is applied
again. The format is documented in fixtures/sandbox-seed.example.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .domain import data_extensions as des
from .domain.context import CallContext
from .domain.subscribers import STATUSES as SUBSCRIBER_STATUSES
from .domain.tenants import child_mids, seed_tenant
from .store.audience import SubscriberRecord

if TYPE_CHECKING:
    from .core import Emulator

SECTIONS = ("business_units", "emails", "lists", "data_extensions", "subscribers")


class SeedError(ValueError):
    """The seed file is malformed or an object in it was refused; the message names the entry."""


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, created: bool) -> None:
        bucket = self.created if created else self.kept
        bucket[what] = bucket.get(what, 0) + 1

    def summary(self) -> str:
        made = ", ".join(f"{n} {k}" for k, n in self.created.items()) or "nothing"
        kept = ", ".join(f"{n} {k}" for k, n in self.kept.items())
        return f"created {made}" + (f"; kept existing {kept}" if kept else "")


def load_seed_file(path: str | Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"cannot read seed file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise SeedError(f"seed file {path}: the top level must be a mapping of {', '.join(SECTIONS)}")
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise SeedError(f"seed file {path}: unknown section(s) {', '.join(sorted(unknown))}; "
                        f"expected {', '.join(SECTIONS)}")
    for section in SECTIONS:
        if not isinstance(data.get(section) or [], list):
            raise SeedError(f"seed file {path}: '{section}' must be a list")
    return data


def apply_seed(emu: Emulator, seed: dict[str, Any]) -> SeedReport:
    """Create what the seed describes and is not there yet. Raises SeedError naming the refused entry."""
    report = SeedReport()
    with emu.store.transaction():
        _business_units(emu, seed.get("business_units") or [], report)
        for section, type_name, name_prop in (("emails", "Email", "Name"), ("lists", "List", "ListName"),
                                              ("data_extensions", "DataExtension", "Name")):
            for entry in seed.get(section) or []:
                _object(emu, section, type_name, name_prop, entry, report)
        for entry in seed.get("data_extensions") or []:
            _rows(emu, entry, report)
        _subscribers(emu, seed.get("subscribers") or [], report)
    return report


class SeedService:
    """Registered as emu.services["seed"] so that emu.reset() re-applies the seed after the tenant."""

    def __init__(self, emu: Emulator, seed: dict[str, Any], source: str) -> None:
        self.emu = emu
        self.seed = seed
        self.source = source
        self.last_report: SeedReport | None = None

    def apply(self) -> SeedReport:
        self.last_report = apply_seed(self.emu, self.seed)
        return self.last_report

    def reset(self) -> None:
        self.apply()


def install_seed(emu: Emulator, path: str | Path) -> SeedReport:
    """Load a seed file into `emu` now and after every reset."""
    service = SeedService(emu, load_seed_file(path), str(path))
    report = service.apply()
    emu.services["seed"] = service
    return report


# -- sections -------------------------------------------------------------------------------------------
def _mid(emu: Emulator, entry: dict[str, Any], what: str) -> int:
    mid = int(entry.get("mid") or emu.enterprise_mid)
    if emu.tenants.bu(mid) is None:
        raise SeedError(f"{what}: business unit {mid} does not exist (add it under business_units)")
    return mid


def _context(emu: Emulator, mid: int) -> CallContext:
    return CallContext(mid, "seed", frozenset(), child_mids(emu, mid))


def _business_units(emu: Emulator, entries: list[dict[str, Any]], report: SeedReport) -> None:
    fresh = []
    for entry in entries:
        if "mid" not in entry:
            raise SeedError(f"business_units: every entry needs a mid ({entry!r})")
        if emu.tenants.bu(int(entry["mid"])) is not None:
            report.count("business units", created=False)
            continue
        fresh.append({"mid": int(entry["mid"]), "name": entry.get("name", str(entry["mid"])),
                      "parent": int(entry.get("parent") or emu.enterprise_mid)})
        report.count("business units", created=True)
    if fresh:
        # A new BU starts like the tenant's own: default profiles, classifications, All Subscribers.
        seed_tenant(emu, {"business_units": fresh, "defaults_per_bu": emu.tenant.get("defaults_per_bu", [])})


def _object(emu: Emulator, section: str, type_name: str, name_prop: str, entry: dict[str, Any],
            report: SeedReport) -> None:
    if not isinstance(entry, dict):
        raise SeedError(f"{section}: every entry must be a mapping ({entry!r})")
    what = f"{section}[{entry.get('CustomerKey') or entry.get(name_prop)}]"
    mid = _mid(emu, entry, what)
    props = {k: v for k, v in entry.items() if k not in ("mid", "Rows")}
    props.setdefault("CustomerKey", props.get(name_prop))
    if not props.get("CustomerKey"):
        raise SeedError(f"{section}: an entry needs a CustomerKey or {name_prop} ({entry!r})")
    if emu.objects.find_one(mid, type_name, "CustomerKey", props["CustomerKey"]) is not None:
        report.count(section, created=False)
        return
    if type_name == "DataExtension" and isinstance(props.get("Fields"), list):
        # The SOAP shape: Fields > Field*, each a DataExtensionField.
        props["Fields"] = {"__type__": "DataExtension.Fields",
                           "Field": [{"__type__": "DataExtensionField", **f} for f in props["Fields"]]}
    result = emu.object_service.create(_context(emu, mid), type_name, [{"__type__": type_name, **props}])[0]
    if not result.ok:
        raise SeedError(f"{what}: {type_name} refused: {result.message} (error code {result.error_code})")
    report.count(section, created=True)


def _rows(emu: Emulator, entry: dict[str, Any], report: SeedReport) -> None:
    rows = entry.get("Rows") or []
    if not rows:
        return
    key = entry.get("CustomerKey") or entry.get("Name")
    what = f"data_extensions[{key}]"
    mid = _mid(emu, entry, what)
    # The stored DE (just created, or kept) decides columns and primary key, and key_of gives the key in the
    # form API calls look rows up by: seeded rows are then found, updated and deleted like any other.
    schema = des.load_schema(emu, mid, key=key)
    columns = [c.name for c in schema.columns]
    existing = emu.audience.count_rows(mid, key)
    fresh = []
    for row in rows:
        if not isinstance(row, dict):
            raise SeedError(f"{what}: every row must be a mapping ({row!r})")
        unknown = [c for c in row if c not in columns]
        if unknown:
            raise SeedError(f"{what}: row {row!r} has column(s) {unknown} the DE lacks")
        values = {c: "" if v is None else str(v) for c, v in row.items()}
        try:
            key_value = des.key_of(schema, values)
        except des.RowRejected as exc:
            raise SeedError(f"{what}: row {row!r}: {exc.message}") from exc
        # Without a primary key rows cannot be matched: they are loaded only into an empty DE.
        if (key_value is not None and emu.audience.find_row(mid, key, key_value)) or (
                key_value is None and existing):
            report.count("rows", created=False)
            continue
        fresh.append((key_value, values))
        report.count("rows", created=True)
    emu.audience.insert_rows(mid, key, fresh, emu.clock.now().timestamp())


def _subscribers(emu: Emulator, entries: list[dict[str, Any]], report: SeedReport) -> None:
    now = emu.clock.now().timestamp()
    by_mid: dict[int, list[SubscriberRecord]] = {}
    memberships: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise SeedError(f"subscribers: every entry must be a mapping ({entry!r})")
        email = entry.get("EmailAddress")
        key = str(entry.get("SubscriberKey") or email or "")
        if not key or not email:
            raise SeedError(f"subscribers: an entry needs an EmailAddress ({entry!r})")
        what = f"subscribers[{key}]"
        mid = _mid(emu, entry, what)
        status = entry.get("Status", "Active")
        if status not in SUBSCRIBER_STATUSES:
            raise SeedError(f"{what}: Status must be one of {', '.join(SUBSCRIBER_STATUSES)}")
        if emu.audience.get_subscriber(mid, key) is not None:
            report.count("subscribers", created=False)
        else:
            attributes = {str(k): "" if v is None else str(v) for k, v in (entry.get("Attributes") or {}).items()}
            by_mid.setdefault(mid, []).append(SubscriberRecord(key, str(email), status, attributes,
                                                               entry.get("EmailType", "HTML")))
            report.count("subscribers", created=True)
        for list_key in entry.get("Lists") or []:
            found = emu.objects.find_one(mid, "List", "CustomerKey", str(list_key))
            if found is None:
                raise SeedError(f"{what}: no List with CustomerKey '{list_key}' in business unit {mid}")
            # Existing memberships keep their status (a sandbox user may have unsubscribed someone).
            if emu.audience.membership(mid, found.id, key) is None:
                memberships.setdefault((mid, found.id), []).append((key, "Active"))
    for mid, records in by_mid.items():
        emu.audience.put_subscribers(mid, records, now)
    for (mid, list_id), members in memberships.items():
        emu.audience.set_memberships(mid, list_id, members, now)
