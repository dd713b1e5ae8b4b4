"""Issue 13: SQLite's own floor on this machine, in the same run: plain `sqlite3` inserting N outbox-sized
rows (the columns and sizes a rendered message has) with executemany, one transaction per batch, WAL and
synchronous=NORMAL as the store opens its file. Sends and imports are reported as multiples of it."""

from __future__ import annotations

import sqlite3
import time

BATCH = 1000
SUBJECT = "Hello Sub 12345, your order is ready"
HTML = "<p>Dear Sub 12345, your code is C-12345 (bench-12345@example.com)</p>" * 2
TEXT = "Dear Sub 12345, your code is C-12345"


def floor_seconds(path: str, rows: int) -> float:
    """Seconds to insert `rows` outbox-sized rows into a fresh WAL file, BATCH rows per transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE outbox(id INTEGER PRIMARY KEY, mid INTEGER, job_id INTEGER, message_key TEXT,"
                 " definition_key TEXT, subscriber_key TEXT, to_addr TEXT, from_name TEXT, from_addr TEXT,"
                 " subject TEXT, html TEXT, text TEXT, source TEXT, created FLOAT)")
    conn.execute("CREATE INDEX idx_outbox_job ON outbox(mid, job_id)")
    conn.execute("CREATE INDEX idx_outbox_key ON outbox(message_key)")
    started = time.perf_counter()
    for first in range(0, rows, BATCH):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO outbox(mid, job_id, message_key, definition_key, subscriber_key, to_addr, from_name,"
            " from_addr, subject, html, text, source, created) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(1, 1, f"job-1-{n}", None, f"bench-{n}", f"bench-{n}@example.com", "Bench", "bench@example.com",
              SUBJECT, HTML, TEXT, "list:1", 1.0) for n in range(first, min(rows, first + BATCH))])
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def run(bench) -> dict[str, float]:
    rows = 10_000 if bench.quick else 100_000
    runs = sorted(floor_seconds(str(bench.state_dir / f"floor-{i}.db"), rows) for i in range(3))
    per_100k = runs[1] * 100_000 / rows  # the median run
    return {"floor_100k_s": per_100k, "floor_rows_per_s": 100_000 / per_100k, "floor_rows": rows}
