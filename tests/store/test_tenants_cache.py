"""Business units and API users are cached in memory (store/tenants.py): every change through the repository
and every reset is seen at once, and callers never share the cached dicts."""

from __future__ import annotations

from emulator.config import Config
from emulator.core import Emulator
from tests.sql_trace import statements


def _queries(emu: Emulator, call) -> list[str]:
    with statements(emu.store.conn) as seen:
        call()
    return [s for s in seen if "api_user" in s or "tenant" in s]


def test_a_user_and_the_bus_are_read_once_then_served_from_memory():
    emu = Emulator(Config())
    try:
        user = emu.tenant["api_users"][0]["username"]
        emu.tenants.user(user), emu.tenants.bus()
        assert _queries(emu, lambda: (emu.tenants.user(user), emu.tenants.bus())) == []
    finally:
        emu.close()


def test_changes_and_resets_are_seen_and_copies_are_handed_out():
    emu = Emulator(Config())
    try:
        assert emu.tenants.user("late") is None
        emu.tenants.add_user("late", "pw", emu.enterprise_mid)
        assert emu.tenants.user("late")["password"] == "pw"
        emu.tenants.add_bu(999, "Extra", emu.enterprise_mid)
        assert emu.tenants.bu(999)["name"] == "Extra"
        emu.tenants.bus()[0]["name"] = "mutated by a caller"
        emu.tenants.user("late")["password"] = "mutated"
        assert emu.tenants.bus()[0]["name"] != "mutated by a caller"
        assert emu.tenants.user("late")["password"] == "pw"
        emu.reset()  # the snapshot's tenant: the user and BU added since are gone
        assert emu.tenants.user("late") is None and emu.tenants.bu(999) is None
    finally:
        emu.close()


def test_rows_read_inside_a_transaction_that_rolls_back_are_not_cached():
    emu = Emulator(Config())
    try:
        try:
            with emu.store.transaction():
                emu.tenants.add_user("ghost", "pw", emu.enterprise_mid)
                assert emu.tenants.user("ghost") is not None
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        assert emu.tenants.user("ghost") is None
    finally:
        emu.close()
