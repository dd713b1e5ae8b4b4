"""The request journal: one row per HTTP exchange, bounded (oldest dropped first)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from .db import Store

# Rows kept (Config.journal_cap overrides); on every insert rows older than the newest `cap` are dropped,
# so a long-running sandbox holds at most `cap` exchanges.
DEFAULT_CAP = 5000


@dataclass
class JournalEntry:
    ts: float
    method: str
    path: str
    status: int
    ms: float
    mid: int | None = None
    action: str | None = None  # SOAP action (Create, Retrieve...) or None for REST
    object_type: str | None = None
    fault: str | None = None  # injected fault description, if any
    request: str | None = None  # body text (secrets are the recorder's business, not the journal's)
    response: str | None = None
    host: str | None = None  # the Host it was addressed to (a Marketing Cloud host through the proxy)
    headers: str | None = None  # request headers as a JSON object (the inspector masks secrets when showing)


_FIELDS = tuple(f.name for f in fields(JournalEntry))
_INSERT = f"INSERT INTO journal({', '.join(_FIELDS)}) VALUES ({', '.join('?' * len(_FIELDS))})"


class JournalRepository:
    def __init__(self, store: Store, cap: int = DEFAULT_CAP) -> None:
        self.store = store
        self.cap = cap

    def add(self, entry: JournalEntry) -> int:
        # Single statements in autocommit: the journal is on every request's path, so no BEGIN/COMMIT pair.
        new_id = self.store.write(_INSERT, tuple(getattr(entry, name) for name in _FIELDS))
        if new_id > self.cap:
            # A range delete on the rowid: cheap, and exact (never more than `cap` rows).
            self.store.write("DELETE FROM journal WHERE id <= ?", (new_id - self.cap,))
        return new_id

    def list(self, limit: int = 100, offset: int = 0, since_id: int | None = None,
             mid: int | None = None) -> list[dict[str, Any]]:
        """Newest first. `mid` keeps that BU's exchanges and those made before authentication (no BU)."""
        where, args = [], []
        if since_id is not None:
            where, args = ["id > ?"], [since_id]
        if mid is not None:
            where.append("(mid = ? OR mid IS NULL)")
            args.append(mid)
        sql = "SELECT * FROM journal" + (" WHERE " + " AND ".join(where) if where else "")
        with self.store.reading() as conn:
            rows = conn.execute(sql + " ORDER BY id DESC LIMIT ? OFFSET ?", (*args, limit, offset)).fetchall()
        return [dict(r) for r in rows]

    def all_in_order(self) -> list[dict[str, Any]]:
        with self.store.reading() as conn:
            return [dict(r) for r in conn.execute("SELECT * FROM journal ORDER BY id")]

    def get(self, entry_id: int) -> dict[str, Any] | None:
        with self.store.reading() as conn:
            row = conn.execute("SELECT * FROM journal WHERE id=?", (entry_id,)).fetchone()
        return dict(row) if row else None

    def clear(self) -> int:
        with self.store.transaction() as conn:
            return conn.execute("DELETE FROM journal").rowcount

    def count(self) -> int:
        with self.store.reading() as conn:
            return conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0]
