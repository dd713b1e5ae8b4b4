"""Business units and API users.

Every SOAP call reads its user and every call context its BU's children, so both tables are cached in
memory: they change only through this repository (add_bu/add_user clear the cache) or when a reset replaces
the whole content (the store's generation moves on). Callers get copies, never the cached dicts.

A filled cache answers without the store's lock (every SOAP call asks it, and queueing on the lock behind
other requests' writes was most of a Create's wait, issue 13): the lock is taken only to fill it, and a
thread inside its own write transaction always reads the table (it may hold uncommitted tenant rows)."""

from __future__ import annotations

from .db import Store


class TenantRepository:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._generation = -1
        self._bus: list[dict] | None = None
        self._users: dict[str, dict | None] = {}

    def _fresh(self) -> None:
        """Drop the cache when a reset (wipe/restore) replaced the content since it was filled."""
        if self._generation != self.store.generation:
            self._generation = self.store.generation
            self._bus = None
            self._users = {}

    def _forget(self) -> None:
        self._bus = None
        self._users = {}

    def add_bu(self, mid: int, name: str, parent_mid: int | None) -> None:
        try:
            with self.store.transaction() as conn:
                conn.execute(
                    "INSERT OR REPLACE INTO tenant(mid, parent_mid, name) VALUES (?,?,?)", (mid, parent_mid, name)
                )
        finally:  # also after a rollback, and after an outer transaction read it back
            self._forget()

    def add_user(self, username: str, password: str, mid: int) -> None:
        try:
            with self.store.transaction() as conn:
                conn.execute(
                    "INSERT OR REPLACE INTO api_user(username, password, mid) VALUES (?,?,?)",
                    (username, password, mid),
                )
        finally:  # also after a rollback, and after an outer transaction read it back
            self._forget()

    def _warm(self) -> bool:
        """May the cache answer this thread without the lock?"""
        return self._generation == self.store.generation and not self.store.writing_here

    def bus(self) -> list[dict]:
        cached = self._bus
        if cached is not None and self._warm():
            return [dict(bu) for bu in cached]
        with self.store.reading() as conn:
            self._fresh()
            if self._bus is None or self.store.in_transaction:
                bus = [dict(r) for r in conn.execute("SELECT * FROM tenant ORDER BY mid")]
                if self.store.in_transaction:
                    return bus
                self._bus = bus
            return [dict(bu) for bu in self._bus]

    def bu(self, mid: int) -> dict | None:
        return next((bu for bu in self.bus() if bu["mid"] == mid), None)

    def user(self, username: str) -> dict | None:
        users = self._users
        if username in users and self._warm():
            user = users.get(username)
            return dict(user) if user else None
        with self.store.reading() as conn:
            self._fresh()
            if self.store.in_transaction:
                row = conn.execute("SELECT * FROM api_user WHERE username=?", (username,)).fetchone()
                return dict(row) if row else None
            if username not in self._users:
                if len(self._users) > 1000:  # unknown names are cached too: bound them
                    self._users = {}
                row = conn.execute("SELECT * FROM api_user WHERE username=?", (username,)).fetchone()
                self._users[username] = dict(row) if row else None
            user = self._users[username]
            return dict(user) if user else None
