"""The SQLite store: connection, transactions and the shared reads; the schema is store/migrations.py. Nothing
outside emulator/store writes SQL.

One connection, one re-entrant lock: every write that a response reports is committed before the
response leaves, and a transaction is `BEGIN IMMEDIATE`, so concurrent creators serialise (quota races
cannot over-allocate). WAL keeps readers of a persistent sandbox file cheap.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from .migrations import MIGRATIONS

T = TypeVar("T")


def where(fixed: str, args: Sequence[Any], *optional: tuple[str, Any]) -> tuple[str, list[Any]]:
    """A listing's WHERE clause: the `fixed` conditions (their values in `args`) AND each optional
    (condition with one ?, value) pair whose value is given (not None); '' when there is no condition at all.
    Returns the clause (with its leading space) and the values in order."""
    given = [(condition, value) for condition, value in optional if value is not None]
    conditions = [fixed] if fixed else []
    conditions += [condition for condition, _ in given]
    clause = " WHERE " + " AND ".join(conditions) if conditions else ""
    return clause, [*args, *(value for _, value in given)]


@dataclass(frozen=True)
class QueuedWriter:
    """A writer that queues rows of `table` off the request path (the journal): `flush` writes the queue,
    `discard` forgets it (when a wipe or restore replaces the table anyway, writing it first is wasted)."""

    table: str
    flush: Callable[[], None]
    discard: Callable[[], None]


# Ordered migrations: index i brings a database from user_version i to i+1. Append, never edit.
class Store:
    """Owns the SQLite connection. Use ``with store.transaction() as conn:`` for every write."""

    def __init__(self, path: str | Path, durable: bool = True) -> None:
        """`durable=False` for a throwaway file (gone with the process): commits and checkpoints skip fsync,
        so a test's reset (a snapshot restore, whose WAL checkpoints every ~20 resets) never waits on the disk."""
        self.path = str(path)
        self._lock = threading.RLock()
        self._depth = 0
        self._writer: int | None = None  # the thread holding the open write transaction
        self.generation = 0  # bumped when wipe/restore replace the content (caches of counts start over)
        # Writers that queue rows off the request path (the journal): settle() has them write their queue.
        self.queued_writers: list[QueuedWriter] = []
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        # Before the first table exists this makes a new file give freed pages back on
        # `PRAGMA incremental_vacuum` (store/retention.py reclaim); an older file keeps its mode until VACUUM.
        self.conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(f"PRAGMA synchronous={'NORMAL' if durable else 'OFF'}")
        self.conn.execute("PRAGMA foreign_keys=ON")
        # Our schema needs no sqlite-utils plugins; loading them scans every installed package (~10 ms a start).
        self.db = sqlite_utils.Database(self.conn, execute_plugins=False)
        self.migrate()

    def migrate(self) -> int:
        with self._lock:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for index in range(version, len(MIGRATIONS)):
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    MIGRATIONS[index](self.db)
                    self.conn.execute(f"PRAGMA user_version={index + 1}")
                    self.conn.execute("COMMIT")
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
            return len(MIGRATIONS)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; nested calls join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth, self._writer = 1, threading.get_ident()
            try:
                yield self.conn
            except BaseException:
                self._depth, self._writer = 0, None
                self.conn.execute("ROLLBACK")
                raise
            self._depth, self._writer = 0, None
            self.conn.execute("COMMIT")

    def settle(self) -> None:
        """Have every queued writer (see `queued_writers`) write what it holds: before a read of its table,
        a snapshot and close, so no read, snapshot or shutdown misses a row (a wipe or restore instead
        settles through `_settle_before_replacing`)."""
        with self._lock:
            for writer in self.queued_writers:
                writer.flush()

    def _settle_before_replacing(self, keep: tuple[str, ...]) -> None:
        """Before a wipe or restore: queued rows of a kept table are written, the others' are dropped
        (written now, they would be replaced the next moment; the outcome is the same, the reset cheaper)."""
        with self._lock:
            for writer in self.queued_writers:
                (writer.flush if writer.table in keep else writer.discard)()

    @property
    def in_transaction(self) -> bool:
        """Is a write transaction open (on the calling thread: only it can hold the lock)? Caches of table
        content must not fill from rows that may yet be rolled back."""
        return self._depth > 0

    @property
    def writing_here(self) -> bool:
        """Does the calling thread hold the open write transaction? Read without the lock: a cache may answer
        any other thread from committed content while a writer works."""
        return self._writer == threading.get_ident()

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self.conn

    def one(self, sql: str, args: Sequence[Any] = (), decode: Callable[[sqlite3.Row], T] = dict) -> T | None:
        """A query's first row, decoded (`decode`: a dict by default), or None when it finds none."""
        with self.reading() as conn:
            row = conn.execute(sql, args).fetchone()
        return None if row is None else decode(row)

    def scalar(self, sql: str, args: Sequence[Any] = ()) -> Any:
        """The first column of a query's first row: a COUNT(*), for one (the query must find a row)."""
        with self.reading() as conn:
            return conn.execute(sql, args).fetchone()[0]

    def rows(self, sql: str, args: Sequence[Any] = (), decode: Callable[[sqlite3.Row], T] = dict) -> list[T]:
        """A query's rows, each decoded (`decode`: a dict by default)."""
        with self.reading() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [decode(row) for row in rows]

    def pages(self, sql: str, args: tuple[Any, ...] | list[Any], order: str | tuple[str, ...],
              key: str | tuple[str, ...], batch: int, after: Any = -1, raw: bool = False) -> Iterator[list[Any]]:
        """Keyset pagination: `sql` (with a WHERE) page by page in `order`, never a whole result in memory;
        `key` is the result column holding `order`'s value; rows start after `after`. A tuple `order` pages
        on a row value (`(event_date, id) > (?, ?)`), with `key` the matching columns and `after` a list.
        `raw`: rows as plain tuples, no sqlite3.Row each (a send reads one per recipient); `order`'s values
        are then the rows' first columns."""
        columns = (order,) if isinstance(order, str) else order
        keys = (key,) if isinstance(key, str) else key
        last = [after] if isinstance(order, str) else list(after)
        listed = ", ".join(columns)
        compare = f"{listed} > ?" if len(columns) == 1 else f"({listed}) > ({', '.join('?' * len(columns))})"
        query = f"{sql} AND {compare} ORDER BY {listed} LIMIT ?"
        while True:
            with self.reading() as conn:
                cursor = conn.cursor()
                if raw:
                    cursor.row_factory = None
                rows = cursor.execute(query, (*args, *last, batch)).fetchall()
            if not rows:
                return
            yield rows
            last = list(rows[-1][:len(columns)]) if raw else [rows[-1][k] for k in keys]

    def next_value(self, name: str, start: int) -> int:
        """Next integer of a named sequence (IDs, job ids): one statement, atomic on its own."""
        with self._lock:
            row = self.conn.execute(
                "INSERT INTO counter(name, value) VALUES (?, ?)"
                " ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value", (name, start)
            ).fetchone()
            return row[0]

    def write(self, sql: str, args: tuple = ()) -> int:
        """One statement, committed on its own (or joining the caller's transaction); returns lastrowid."""
        with self._lock:
            return self.conn.execute(sql, args).lastrowid

    def next_values(self, name: str, start: int, count: int) -> int:
        """Reserve ``count`` consecutive values; returns the first."""
        with self.transaction() as conn:
            row = conn.execute("SELECT value FROM counter WHERE name=?", (name,)).fetchone()
            first = (row["value"] + 1) if row else start
            conn.execute(
                "INSERT OR REPLACE INTO counter(name, value) VALUES (?, ?)", (name, first + count - 1)
            )
            return first

    def wipe(self, keep: tuple[str, ...] = ()) -> None:
        """Delete every row of every table except those named in `keep` (the schema stays)."""
        self._settle_before_replacing(keep)
        with self.transaction() as conn:
            for (table,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall():
                if table not in keep:
                    conn.execute(f'DELETE FROM "{table}"')
            self.generation += 1

    def snapshot(self) -> sqlite3.Connection:
        """An in-memory copy of the whole database (for a fast reset to this state)."""
        with self._lock:
            self.settle()
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            self.conn.backup(copy)
            return copy

    def restore(self, snapshot: sqlite3.Connection, keep: tuple[str, ...] = ()) -> None:
        """Replace the database's content with a snapshot's in one step (SQLite's backup API: far faster
        than deleting rows once a test has loaded many), except the tables named in `keep`, whose current
        rows are put back."""
        with self._lock:
            self._settle_before_replacing(keep)
            kept = {table: self.conn.execute(f'SELECT * FROM "{table}"').fetchall() for table in keep}
            snapshot.backup(self.conn)
            self.generation += 1
            if not kept:
                return
            with self.transaction() as conn:
                for table, rows in kept.items():
                    conn.execute(f'DELETE FROM "{table}"')
                    if rows:
                        marks = ", ".join("?" * len(rows[0].keys()))
                        conn.executemany(f'INSERT INTO "{table}" VALUES ({marks})', [tuple(r) for r in rows])

    def close(self) -> None:
        with self._lock:
            self.settle()
            self.conn.close()
