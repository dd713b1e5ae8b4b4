"""The request journal: one row per HTTP exchange, bounded in rows and in bytes (oldest dropped first), its
freed file space given back to the file system."""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from typing import Any

from . import retention
from .db import Store

# Rows kept (Config.journal_cap overrides); on every insert rows older than the newest `cap` are dropped,
# so a long-running sandbox holds at most `cap` exchanges ...
DEFAULT_CAP = 5000
# ... and at most this many bytes of request/response bodies and paths (Config.journal_cap_bytes): with
# 64 KiB bodies 5,000 rows alone could hold ~640 MiB.
DEFAULT_CAP_BYTES = 64 * 1024 * 1024
# Give the dropped rows' pages back to the file system once this many bytes were dropped.
RECLAIM_EVERY_BYTES = 8 * 1024 * 1024

# Bytes a row counts for: its bodies and path as UTF-8 (the other columns are small and fixed).
_ROW_BYTES = ("length(CAST(coalesce(request, '') AS BLOB)) + length(CAST(coalesce(response, '') AS BLOB))"
              " + length(CAST(coalesce(path, '') AS BLOB))")


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


def entry_bytes(entry: JournalEntry) -> int:
    return sum(len((text or "").encode("utf-8", "surrogatepass")) for text in
               (entry.request, entry.response, entry.path))


class JournalRepository:
    def __init__(self, store: Store, cap: int = DEFAULT_CAP, cap_bytes: int = DEFAULT_CAP_BYTES) -> None:
        self.store = store
        self.cap = cap
        self.cap_bytes = cap_bytes
        self._lock = threading.Lock()
        self._bytes: int | None = None  # bytes held, counted once then kept up to date ...
        self._generation = store.generation  # ... until a reset replaces the content
        self._dropped = 0  # bytes dropped since the last reclaim

    def add(self, entry: JournalEntry) -> int:
        # Single statements in autocommit: the journal is on every request's path, so no BEGIN/COMMIT pair.
        with self._lock:
            held = self.held_bytes()
            new_id = self.store.write(_INSERT, tuple(getattr(entry, name) for name in _FIELDS))
            held += entry_bytes(entry)
            if new_id > self.cap:
                # A range delete on the rowid: cheap, and exact (never more than `cap` rows).
                held -= self._drop_through(new_id - self.cap)
            if held > self.cap_bytes:
                held -= self._drop_oldest_bytes(held - self.cap_bytes, keep_id=new_id)
            self._bytes = held
            if self._dropped >= RECLAIM_EVERY_BYTES:
                self._dropped = 0
                retention.reclaim(self.store)
        return new_id

    def held_bytes(self) -> int:
        """Bytes of bodies and paths the journal holds now."""
        if self._bytes is None or self._generation != self.store.generation:
            self._generation = self.store.generation
            with self.store.reading() as conn:
                self._bytes = conn.execute(f"SELECT coalesce(sum({_ROW_BYTES}), 0) FROM journal").fetchone()[0]
        return self._bytes

    def _drop_through(self, last_id: int) -> int:
        with self.store.reading() as conn:
            dropped = conn.execute(f"DELETE FROM journal WHERE id <= ? RETURNING {_ROW_BYTES}",
                                   (last_id,)).fetchall()
        freed = sum(row[0] for row in dropped)
        self._dropped += freed
        return freed

    def _drop_oldest_bytes(self, excess: int, keep_id: int) -> int:
        """Drop the oldest rows until `excess` bytes are gone (never the row just written)."""
        freed, last = 0, None
        with self.store.reading() as conn:
            for row_id, size in conn.execute(f"SELECT id, {_ROW_BYTES} FROM journal WHERE id < ? ORDER BY id",
                                             (keep_id,)):
                freed, last = freed + size, row_id
                if freed >= excess:
                    break
        return self._drop_through(last) if last is not None else 0

    def list(self, limit: int = 100, offset: int = 0, since_id: int | None = None,
             mid: int | None = None) -> list[dict[str, Any]]:
        """Newest first. `mid` keeps only that BU's exchanges."""
        where, args = [], []
        if since_id is not None:
            where, args = ["id > ?"], [since_id]
        if mid is not None:
            # Only that BU's exchanges: those made before authentication (token requests, with a client
            # secret and a token in their bodies) belong to no BU and show only unfiltered.
            where.append("mid = ?")
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
        with self._lock:
            with self.store.transaction() as conn:
                cleared = conn.execute("DELETE FROM journal").rowcount
            self._bytes, self._dropped = 0, 0
        retention.reclaim(self.store)
        return cleared

    def count(self) -> int:
        with self.store.reading() as conn:
            return conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0]
