"""Bounded growth, the SQL half: drop what is older than a cut-off (finished jobs, their recipients, outbox
messages, send events) and give freed pages back to the file system. domain/retention.py decides when.
"""

from __future__ import annotations

from collections.abc import Iterable

from .db import Store

# A database with auto_vacuum NONE (made before the store set INCREMENTAL) is converted by one VACUUM, but
# only once this much of it is free: a VACUUM rewrites the whole file and holds the store meanwhile.
VACUUM_FREE_BYTES = 64 * 1024 * 1024
AUTO_VACUUM_INCREMENTAL = 2


def purge_before(store: Store, cutoff: float, finished: Iterable[str]) -> dict[str, int]:
    """Delete jobs that finished before `cutoff` (with their materialised recipients), and outbox messages
    and send events dated before it, except those of jobs still running or scheduled. Returns the counts."""
    finished = tuple(finished)
    marks = ", ".join("?" * len(finished))
    # Jobs not finished (Queued, Scheduled, Sending...) keep everything they wrote, however old.
    live = f"SELECT id FROM job WHERE status NOT IN ({marks})"
    with store.transaction() as conn:
        old_jobs = f"SELECT id FROM job WHERE status IN ({marks}) AND finished IS NOT NULL AND finished < ?"
        counts = {
            "send_recipients": conn.execute(f"DELETE FROM send_recipient WHERE job_id IN ({old_jobs})",
                                            (*finished, cutoff)).rowcount,
            "jobs": conn.execute(f"DELETE FROM job WHERE id IN ({old_jobs})", (*finished, cutoff)).rowcount,
            "outbox": conn.execute(
                f"DELETE FROM outbox WHERE created < ? AND (job_id IS NULL OR job_id NOT IN ({live}))",
                (cutoff, *finished)).rowcount,
            "send_events": conn.execute(
                f"DELETE FROM send_event WHERE event_date < ? AND (job_id IS NULL OR job_id NOT IN ({live}))",
                (cutoff, *finished)).rowcount,
        }
    return counts


def reclaim(store: Store) -> int:
    """Return free pages to the file system (incremental vacuum; one full VACUUM for an old file with much
    free space) and truncate the WAL. Skipped inside a transaction. Returns the pages freed."""
    with store._lock:
        if store._depth:
            return 0
        conn = store.conn
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        if not free:
            return 0
        if conn.execute("PRAGMA auto_vacuum").fetchone()[0] == AUTO_VACUUM_INCREMENTAL:
            conn.execute("PRAGMA incremental_vacuum").fetchall()
        elif free * conn.execute("PRAGMA page_size").fetchone()[0] >= VACUUM_FREE_BYTES:
            conn.execute(f"PRAGMA auto_vacuum={AUTO_VACUUM_INCREMENTAL}")
            conn.execute("VACUUM")  # rewrites the file; from now on incremental_vacuum suffices
        else:
            return 0
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        return free
