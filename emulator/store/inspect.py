"""Read-only queries for the web inspector: counts and cross-table summaries no repository offers.

Every query tolerates empty tables (the inspector shows whatever capabilities have written so far).
"""

from __future__ import annotations

import json
import re
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
        return self.store.rows("SELECT * FROM rest_object WHERE mid=? AND kind LIKE '%definition%' ORDER BY pk",
                               (mid,), lambda r: {**dict(r), "data": _json(r["data"])})

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

    def tx_message_counts(self, mid: int, definition_key: str, channel: str = "email") -> dict[str, int]:
        """Transactional messages of a definition (of the channel) by status."""
        with self.store.reading() as conn:
            return {r["status"] or "": r["n"] for r in conn.execute(
                "SELECT status, COUNT(*) AS n FROM tx_message WHERE mid=? AND channel=? AND definition_key=?"
                " GROUP BY status", (mid, channel, definition_key))}

    def tx_messages(self, mid: int, definition_key: str, limit: int = 100, channel: str = "email"
                    ) -> list[dict[str, Any]]:
        """A definition's latest transactional messages with their send status (payloads left out)."""
        return self.store.rows(
            "SELECT message_key, contact_key, to_addr, status, status_code, status_message, created, updated"
            " FROM tx_message WHERE mid=? AND channel=? AND definition_key=? ORDER BY pk DESC LIMIT ?",
            (mid, channel, definition_key, limit))

    # -- the message view, jobs' recipients ------------------------------------------------------------------
    def message_events(self, job_id: int | None, subscriber_key: str | None, limit: int = 200,
                       message_id: int | None = None) -> list[dict[str, Any]]:
        """A message's tracking events (sent, not sent, bounces, opens, clicks...), oldest first: its job's
        events for its recipient, and those recorded against the message itself (engagement)."""
        if (job_id is None or subscriber_key is None) and message_id is None:
            return []
        return self.store.rows(
            "SELECT event_type, event_date, email, triggered_send_key, detail FROM send_event"
            " WHERE (job_id=? AND subscriber_key=?) OR message_id=? ORDER BY event_date, id LIMIT ?",
            (job_id, subscriber_key, message_id, limit),
            lambda r: {**dict(r), "detail": _json(r["detail"]) if r["detail"] else None})

    def tx_message(self, mid: int, message_key: str | None, channel: str = "email") -> dict[str, Any] | None:
        """The transactional send status behind a message key (of the channel's key space)."""
        if not message_key:
            return None
        return self.store.one(
            "SELECT message_key, definition_key, status, status_code, status_message, created, updated"
            " FROM tx_message WHERE mid=? AND channel=? AND message_key=?", (mid, channel, message_key))

    def recipient(self, job_id: int | None, subscriber_key: str | None) -> dict[str, Any] | None:
        """The send_recipient row a job's message was sent to (its audience source and state)."""
        if job_id is None or subscriber_key is None:
            return None
        return self.store.one("SELECT subscriber_key, email, source, state, reason FROM send_recipient"
                              " WHERE job_id=? AND subscriber_key=?", (job_id, subscriber_key))

    def recipient_states(self, job_id: int) -> dict[str, int]:
        with self.store.reading() as conn:
            return {r["state"] or "": r["n"] for r in conn.execute(
                "SELECT state, COUNT(*) AS n FROM send_recipient WHERE job_id=? GROUP BY state", (job_id,))}

    def not_sent(self, job_id: int, limit: int = 200) -> list[dict[str, Any]]:
        """A job's recipients that were not sent (excluded, duplicate, not sent, errored; a bounce was sent)
        with the reason,
        then the NotSent events of sends that record no recipients."""
        with self.store.reading() as conn:
            rows = [dict(r) for r in conn.execute(
                "SELECT subscriber_key, email, source, state, reason FROM send_recipient"
                " WHERE job_id=? AND state NOT IN ('Sent', 'Pending', 'Bounced') ORDER BY pk LIMIT ?", (job_id, limit))]
            if not rows:
                rows = [{"subscriber_key": r["subscriber_key"], "email": r["email"], "source": None,
                         "state": "NotSent", "reason": (_json(r["detail"]) or {}).get("reason")
                         if r["detail"] else None} for r in conn.execute(
                    "SELECT subscriber_key, email, detail FROM send_event WHERE job_id=? AND event_type='NotSent'"
                    " ORDER BY id LIMIT ?", (job_id, limit))]
        return rows

    # -- the journal page: filtered in SQL, newest first --------------------------------------------------
    def journal(self, filters: dict[str, Any], limit: int = 100, offset: int = 0, ascending: bool = False
                ) -> tuple[list[dict[str, Any]], int]:
        """Journal rows matching `filters` (protocol soap|rest|auth, action, object_type, status 2xx/4xx/NNN,
        mid, path substring, q substring of path or bodies, since_id/until_id) and their total."""
        where, args = [], []
        protocol = filters.get("protocol")
        if protocol == "soap":
            where.append("lower(path) LIKE '/service.asmx%'")
        elif protocol == "auth":
            where.append("(path LIKE '/v1/requestToken%' OR path LIKE '/v2/token%' OR path LIKE '/v2/userinfo%')")
        elif protocol == "rest":
            where.append("lower(path) NOT LIKE '/service.asmx%' AND path NOT LIKE '/v2/token%'"
                         " AND path NOT LIKE '/v1/requestToken%' AND path NOT LIKE '/v2/userinfo%'")
        for column in ("action", "object_type", "method"):
            if filters.get(column):
                where.append(f"{column} = ? COLLATE NOCASE")
                args.append(filters[column])
        status = str(filters.get("status") or "")
        if re.fullmatch(r"[1-5]xx", status):
            where.append("status >= ? AND status < ?")
            args.extend([int(status[0]) * 100, int(status[0]) * 100 + 100])
        elif status.isdigit():
            where.append("status = ?")
            args.append(int(status))
        if filters.get("mid") is not None:
            where.append("mid = ?")
            args.append(filters["mid"])
        if filters.get("path"):
            where.append("path LIKE ?")
            args.append(f"%{filters['path']}%")
        if filters.get("q"):
            where.append("(path LIKE ? OR request LIKE ? OR response LIKE ? OR fault LIKE ?)")
            args.extend([f"%{filters['q']}%"] * 4)
        for key, op in (("since_id", ">"), ("until_id", "<=")):
            if filters.get(key) is not None:
                where.append(f"id {op} ?")
                args.append(filters[key])
        clause = " WHERE " + " AND ".join(where) if where else ""
        order = "ASC" if ascending else "DESC"
        self.store.settle()  # the journal's queued entries first (store/journal.py)
        with self.store.reading() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM journal{clause}", args).fetchone()[0]
            rows = conn.execute(f"SELECT * FROM journal{clause} ORDER BY id {order} LIMIT ? OFFSET ?",
                                (*args, limit, offset)).fetchall()
        return [dict(r) for r in rows], total

    def journal_facets(self) -> dict[str, list[Any]]:
        """The values the journal's filter menus offer (actions, object types, BUs seen)."""
        self.store.settle()
        with self.store.reading() as conn:
            return {column: [r[0] for r in conn.execute(
                f"SELECT DISTINCT {column} FROM journal WHERE {column} IS NOT NULL ORDER BY {column} LIMIT 200")]
                for column in ("action", "object_type", "mid")}


def _json(text: str | None) -> Any:
    try:
        return json.loads(text or "{}")
    except ValueError:  # a document written by hand or by an older version: show it as text
        return {"raw": text}
