"""The SQL a connection runs, for tests that pin how many statements (or which) an operation costs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def statements(conn: sqlite3.Connection) -> Iterator[list[str]]:
    """The statements `conn` runs inside the block (values bound in), in order."""
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        conn.set_trace_callback(None)
