"""The in-memory caches every authenticated request reads through (tokens, business units): a cached read
costs no statement, and what changes the table (a reissue, a take, a purge, a new BU, a reset's wipe or
restore) is never hidden by the cache."""

from __future__ import annotations

from emulator.store.db import Store
from emulator.store.tenants import TenantRepository
from emulator.store.tokens import TokenRecord, TokenRepository


def _statements(store: Store) -> list[str]:
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    return seen


def _record(token: str = "t1", expires: float = 100.0, scope: str = "email_read") -> TokenRecord:
    return TokenRecord(token, "oauth2", 1, "client", scope, expires)


def test_a_token_read_twice_costs_one_statement(tmp_path) -> None:
    store = Store(tmp_path / "s.db", durable=False)
    tokens = TokenRepository(store)
    tokens.add(_record())
    seen = _statements(store)
    assert tokens.get("t1") == _record()
    assert tokens.get("t1") == _record()
    assert len([s for s in seen if "FROM token" in s]) == 1


def test_reissue_take_purge_and_wipe_are_seen(tmp_path) -> None:
    store = Store(tmp_path / "s.db", durable=False)
    tokens = TokenRepository(store)
    tokens.add(_record())
    assert tokens.get("t1").scope == "email_read"
    tokens.add(_record(scope="email_send"))  # OR REPLACE: the same string, a new record
    assert tokens.get("t1").scope == "email_send"
    assert tokens.take("t1", "oauth2") is not None
    assert tokens.get("t1") is None
    tokens.add(_record(expires=1.0))
    assert tokens.get("t1") is not None
    tokens.purge(expired_before=5.0, now=5.0, keep_expired=0)
    assert tokens.get("t1") is None
    tokens.add(_record("t2"))
    assert tokens.get("t2") is not None
    store.wipe()
    assert tokens.get("t2") is None


def test_a_restore_forgets_cached_tokens(tmp_path) -> None:
    store = Store(tmp_path / "s.db", durable=False)
    tokens = TokenRepository(store)
    empty = store.snapshot()
    tokens.add(_record())
    assert tokens.get("t1") is not None
    store.restore(empty)
    assert tokens.get("t1") is None


def test_business_units_are_cached_until_one_is_added_or_the_store_is_replaced(tmp_path) -> None:
    store = Store(tmp_path / "s.db", durable=False)
    tenants = TenantRepository(store)
    tenants.add_bu(1, "Parent", None)
    assert [bu["mid"] for bu in tenants.bus()] == [1]
    seen = _statements(store)
    tenants.bus()[0]["name"] = "changed by a caller"  # callers get copies
    assert tenants.bus()[0]["name"] == "Parent"
    assert not [s for s in seen if "FROM tenant" in s]
    tenants.add_bu(2, "Child", 1)
    assert [bu["mid"] for bu in tenants.bus()] == [1, 2]
    store.wipe()
    assert tenants.bus() == []
