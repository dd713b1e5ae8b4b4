"""Read-only queries for the web inspector: counts and cross-table summaries no repository offers.

Every query tolerates empty tables (the inspector shows whatever capabilities have written so far).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .db import Store


class InspectRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def overview_counts(self, mid: int) -> dict[str, Any]:
        """Per-BU counts: objects by type, jobs by kind and status, and the other tables' row counts."""
        with self.store.reading() as conn:
            objects = {r["type"]: r["n"] for r in conn.execute(
                "SELECT type, COUNT(*) AS n FROM object WHERE mid=? GROUP BY type ORDER BY type", (mid,))}
            jobs: dict[str, dict[str, int]] = {}
            for r in conn.execute(
                    "SELECT kind, status, COUNT(*) AS n FROM job WHERE mid=? GROUP BY kind, status", (mid,)):
                jobs.setdefault(r["kind"] or "", {})[r["status"] or ""] = r["n"]
            rest = {r["kind"]: r["n"] for r in conn.execute(
                "SELECT kind, COUNT(*) AS n FROM rest_object WHERE mid=? GROUP BY kind ORDER BY kind", (mid,))}
            tables = {
                name: conn.execute(f"SELECT COUNT(*) FROM {name} WHERE mid=?", (mid,)).fetchone()[0]
                for name in ("subscriber", "outbox", "send_event", "tx_message", "de_row")
            }
        return {"objects": objects, "jobs": jobs, "rest_objects": rest, "rows": tables}

    def rest_definitions(self, mid: int) -> list[dict[str, Any]]:
        """REST documents whose kind names a definition (transactional email definitions and the like)."""
        with self.store.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM rest_object WHERE mid=? AND kind LIKE '%definition%' ORDER BY pk", (mid,)
            ).fetchall()
        return [{**dict(r), "data": _json(r["data"])} for r in rows]

    def outbox_counts(self, job_ids: Iterable[int]) -> dict[int, int]:
        ids = list(job_ids)
        if not ids:
            return {}
        with self.store.reading() as conn:
            return {r["job_id"]: r["n"] for r in conn.execute(
                f"SELECT job_id, COUNT(*) AS n FROM outbox WHERE job_id IN ({','.join('?' * len(ids))})"
                " GROUP BY job_id", ids)}

    def event_counts(self, job_ids: Iterable[int]) -> dict[int, dict[str, int]]:
        """Tracking events per job, by event type (Sent, NotSent, HardBounce...)."""
        ids = list(job_ids)
        out: dict[int, dict[str, int]] = {}
        if not ids:
            return out
        with self.store.reading() as conn:
            for r in conn.execute(
                    f"SELECT job_id, event_type, COUNT(*) AS n FROM send_event"
                    f" WHERE job_id IN ({','.join('?' * len(ids))}) GROUP BY job_id, event_type", ids):
                out.setdefault(r["job_id"], {})[r["event_type"] or ""] = r["n"]
        return out

    def outbox_counts_by_definition(self, mid: int) -> dict[str, int]:
        with self.store.reading() as conn:
            return {r["definition_key"]: r["n"] for r in conn.execute(
                "SELECT definition_key, COUNT(*) AS n FROM outbox WHERE mid=? AND definition_key IS NOT NULL"
                " GROUP BY definition_key", (mid,))}

    def outbox_for_definition(self, mid: int, key: str, limit: int = 100
                              ) -> tuple[list[dict[str, Any]], dict[int | None, int]]:
        """A definition's latest messages (newest first, without bodies) and its message count per job
        (None: messages of no job, i.e. transactional)."""
        with self.store.reading() as conn:
            per_job = {r["job_id"]: r["n"] for r in conn.execute(
                "SELECT job_id, COUNT(*) AS n FROM outbox WHERE mid=? AND definition_key=? GROUP BY job_id",
                (mid, key))}
            rows = conn.execute(
                "SELECT id, mid, job_id, message_key, definition_key, subscriber_key, to_addr, subject, created"
                " FROM outbox WHERE mid=? AND definition_key=? ORDER BY id DESC LIMIT ?", (mid, key, limit)
            ).fetchall() if per_job else []
        return [dict(r) for r in rows], per_job

    def tx_message_counts(self, mid: int, definition_key: str) -> dict[str, int]:
        """Transactional messages of a definition by status."""
        with self.store.reading() as conn:
            return {r["status"] or "": r["n"] for r in conn.execute(
                "SELECT status, COUNT(*) AS n FROM tx_message WHERE mid=? AND definition_key=? GROUP BY status",
                (mid, definition_key))}


    def tx_messages(self, mid: int, definition_key: str, limit: int = 100) -> list[dict[str, Any]]:
        """A definition's latest transactional messages with their send status (payloads left out)."""
        with self.store.reading() as conn:
            rows = conn.execute(
                "SELECT message_key, contact_key, to_addr, status, status_code, status_message, created, updated"
                " FROM tx_message WHERE mid=? AND definition_key=? ORDER BY pk DESC LIMIT ?",
                (mid, definition_key, limit)).fetchall()
        return [dict(r) for r in rows]

def _json(text: str | None) -> Any:
    try:
        return json.loads(text or "{}")
    except ValueError:  # a document written by hand or by an older version: show it as text
        return {"raw": text}
