"""Business units and API users."""

from __future__ import annotations

from .db import Store


class TenantRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add_bu(self, mid: int, name: str, parent_mid: int | None) -> None:
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
        with self.store.reading() as conn:
            return [dict(r) for r in conn.execute("SELECT * FROM tenant ORDER BY mid")]

    def bu(self, mid: int) -> dict | None:
        with self.store.reading() as conn:
            row = conn.execute("SELECT * FROM tenant WHERE mid=?", (mid,)).fetchone()
        return dict(row) if row else None

    def user(self, username: str) -> dict | None:
        with self.store.reading() as conn:
            row = conn.execute("SELECT * FROM api_user WHERE username=?", (username,)).fetchone()
        return dict(row) if row else None
