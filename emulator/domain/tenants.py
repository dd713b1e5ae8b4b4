"""The default tenant: business units, the API user, and the folders (domain/folders.py) and objects every BU
starts with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core import Emulator


def seed_tenant(emu: Emulator, tenant: dict[str, Any]) -> None:
    with emu.store.transaction():
        for bu in tenant["business_units"]:
            emu.tenants.add_bu(int(bu["mid"]), bu.get("name", str(bu["mid"])), bu.get("parent"))
        for user in tenant.get("api_users", []):
            emu.tenants.add_user(user["username"], user["password"], int(user["mid"]))
        for bu in tenant["business_units"]:
            _seed_defaults(emu, int(bu["mid"]), tenant.get("defaults_per_bu", []))


def _seed_defaults(emu: Emulator, mid: int, defaults: list[dict[str, Any]]) -> None:
    emu.folders.seed(mid)  # first: the default objects sit in their folders (CategoryID)
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for spec in defaults:
        props: dict[str, Any] = {}
        type_name = spec["type"]
        for key, value in spec.items():
            if key == "type":
                continue
            if isinstance(value, dict) and "ref" in value:
                field = emu.schema.field(type_name, key)
                ref_type = field.type_name if field else key
                target = by_key[(ref_type, value["ref"])]
                props[key] = {"__type__": ref_type, "ObjectID": target["ObjectID"],
                              "CustomerKey": target["CustomerKey"]}
            else:
                props[key] = value
        stored = emu.object_service.store_new(mid, type_name, props)
        by_key[(type_name, stored["CustomerKey"])] = stored


def child_mids(emu: Emulator, mid: int) -> tuple[int, ...]:
    return tuple(bu["mid"] for bu in emu.tenants.bus() if bu["parent_mid"] == mid)
