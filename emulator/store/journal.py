"""The request journal: one row per HTTP exchange, bounded in rows and in bytes (oldest dropped first), its
freed file space given back to the file system.

Writes are off the request path: `add` queues the entry and a background thread writes what has gathered
in one transaction (a write transaction per request was most of a request's SQLite time under load). The
guarantees stay those of a synchronous journal:

- order: entries get their ids in the order `add` was called (one flush at a time, a batch in queue order);
- read-your-writes: every read here (and the inspector's journal queries, through `Store.settle`) first
  writes whatever is queued, so an exchange whose response was sent is in any read that starts after it;
- a reset (store wipe/restore) drops the queue, as writing it first and then wiping would: nothing queued
  before a reset survives it; close writes the queue, so nothing queued is lost on a clean shutdown (a crash
  loses at most the last FLUSH_DELAY of entries);
- bounded: past MAX_PENDING entries or MAX_PENDING_CHARS of bodies, `add` writes the queue itself.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, fields
from typing import Any

from . import retention
from .db import QueuedWriter, Store, where

# Rows kept (Config.journal_cap overrides); on every insert rows older than the newest `cap` are dropped,
# so a long-running sandbox holds at most `cap` exchanges ...
DEFAULT_CAP = 5000
# ... and at most this many bytes of request/response bodies and paths (Config.journal_cap_bytes): with
# 64 KiB bodies 5,000 rows alone could hold ~640 MiB.
DEFAULT_CAP_BYTES = 64 * 1024 * 1024
# Give the dropped rows' pages back to the file system once this many bytes were dropped.
RECLAIM_EVERY_BYTES = 8 * 1024 * 1024

# How long the writer lets entries gather before writing them (one transaction per batch) ...
FLUSH_DELAY = 0.05
# ... and how much may wait: past either bound the request that adds writes the queue itself.
MAX_PENDING = 1000
MAX_PENDING_CHARS = 256 * 1024  # a batch is written in one transaction: the file grows by it

log = logging.getLogger(__name__)

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
        self._pending: list[JournalEntry] = []  # queued by add, written by the writer thread (see above)
        self._pending_chars = 0
        self._wake = threading.Condition(threading.Lock())  # guards the queue only: never held for SQL
        self._writer: threading.Thread | None = None
        self._closed = False
        store.queued_writers.append(QueuedWriter("journal", self.flush, self.discard))

    def add(self, entry: JournalEntry) -> None:
        """Queue an entry; the writer thread stores it shortly (every read here writes the queue first)."""
        size = sum(len(text) for text in (entry.request, entry.response, entry.path) if text)
        with self._wake:
            self._pending.append(entry)
            self._pending_chars += size
            full = len(self._pending) >= MAX_PENDING or self._pending_chars >= MAX_PENDING_CHARS
            if self._writer is None and not self._closed:
                self._writer = threading.Thread(target=self._write_loop, name="journal-writer", daemon=True)
                self._writer.start()
            self._wake.notify()
        if full or self._closed:  # back-pressure keeps the queue bounded; after close, write at once
            self.flush()

    def flush(self) -> None:
        """Write every queued entry now, in order, in one transaction."""
        # Lock order store -> journal everywhere (the store's wipe/restore flush while holding the store's lock).
        with self.store.reading(), self._lock:
            with self._wake:
                batch, self._pending, self._pending_chars = self._pending, [], 0
            if batch:
                self._write(batch)

    def discard(self) -> None:
        """Forget the queue: the store is about to replace the journal's rows (a reset)."""
        with self.store.reading(), self._lock:
            with self._wake:
                self._pending, self._pending_chars = [], 0

    def close(self) -> None:
        """Write the queue and stop the writer thread (the store is closed next)."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        writer = self._writer
        if writer is not None and writer is not threading.current_thread():
            writer.join(timeout=5)
        self.flush()

    def _write_loop(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
            time.sleep(FLUSH_DELAY)  # let a batch gather: one transaction for all of them
            try:
                self.flush()
            except Exception:  # the journal must never take the server down; the entries are lost
                log.exception("journal write failed")

    def _write(self, batch: list[JournalEntry]) -> None:
        """Store a batch and apply the caps as if each entry had been added on its own: drop-oldest is the
        same whether it runs after each row or once after the last (never the row just written)."""
        held = self.held_bytes(flush=False)
        with self.store.transaction() as conn:
            new_id = 0
            for entry in batch:
                new_id = conn.execute(_INSERT, tuple(getattr(entry, name) for name in _FIELDS)).lastrowid
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

    def held_bytes(self, flush: bool = True) -> int:
        """Bytes of bodies and paths the journal holds now."""
        if flush:
            self.flush()
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
        """Newest first. `mid` keeps only that BU's exchanges: those made before authentication (token
        requests, with a client secret and a token in their bodies) belong to no BU and show only unfiltered."""
        self.flush()
        clause, args = where("", [], ("id > ?", since_id), ("mid = ?", mid))
        return self.store.rows(f"SELECT * FROM journal{clause} ORDER BY id DESC LIMIT ? OFFSET ?",
                               (*args, limit, offset))

    def all_in_order(self) -> list[dict[str, Any]]:
        self.flush()
        return self.store.rows("SELECT * FROM journal ORDER BY id")

    def get(self, entry_id: int) -> dict[str, Any] | None:
        self.flush()
        return self.store.one("SELECT * FROM journal WHERE id=?", (entry_id,))

    def clear(self) -> int:
        self.flush()  # what was queued before the clear goes with it
        with self.store.reading(), self._lock:
            with self.store.transaction() as conn:
                cleared = conn.execute("DELETE FROM journal").rowcount
            self._bytes, self._dropped = 0, 0
        retention.reclaim(self.store)
        return cleared

    def count(self) -> int:
        self.flush()
        return self.store.scalar("SELECT COUNT(*) FROM journal")
