"""Business units and API users."""

from __future__ import annotations

from .db import Store


class TenantRepository:
    def __init__(self, store: Store) -> None:
        self.store = store
        # Every authenticated request asks for the business units (a token's child BUs): kept in memory
        # until a BU is added or a reset replaces the database (`generation`). Callers get copies.
        self._bus: list[dict] | None = None
        self._generation = store.generation

    def add_bu(self, mid: int, name: str, parent_mid: int | None) -> None:
        self._bus = None
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO tenant(mid, parent_mid, name) VALUES (?,?,?)", (mid, parent_mid, name)
            )

    def add_user(self, username: str, password: str, mid: int) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO api_user(username, password, mid) VALUES (?,?,?)",
                (username, password, mid),
            )

    def bus(self) -> list[dict]:
        if self._bus is None or self._generation != self.store.generation:
            with self.store.reading() as conn:
                rows = [dict(r) for r in conn.execute("SELECT * FROM tenant ORDER BY mid")]
            self._bus, self._generation = rows, self.store.generation
        return [dict(bu) for bu in self._bus]

    def bu(self, mid: int) -> dict | None:
        with self.store.reading() as conn:
            row = conn.execute("SELECT * FROM tenant WHERE mid=?", (mid,)).fetchone()
        return dict(row) if row else None

    def user(self, username: str) -> dict | None:
        with self.store.reading() as conn:
            row = conn.execute("SELECT * FROM api_user WHERE username=?", (username,)).fetchone()
        return dict(row) if row else None
