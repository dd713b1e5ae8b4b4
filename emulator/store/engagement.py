"""SQL for engagement: which outbox message a tracking ref names, a message's events, and the per-send
counts (opens, clicks, unsubscribes, bounces) computed from `send_event`."""

from __future__ import annotations

import json
import re
from typing import Any

from .db import Store

_OUTBOX_REF = re.compile(r"m([0-9]{1,18})")

# send_event.event_type of each engagement (the WSDL's EventType names; Complaint is the emulator's own).
OPEN, CLICK, UNSUBSCRIBE, HARD_BOUNCE, COMPLAINT = "Open", "Click", "Unsubscribe", "HardBounce", "Complaint"


class EngagementRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def link_id(self, job_id: int, url: str) -> int | None:
        """The id LinkSend gives this link of the send (send_link), if the send's email tracks it."""
        return self.store.one("SELECT id FROM send_link WHERE job_id = ? AND url = ? ORDER BY id LIMIT 1",
                              (job_id, url), lambda row: int(row[0]))

    def message_by_ref(self, ref: str) -> dict[str, Any] | None:
        """The outbox message a tracking ref names: a message key (REST sends), else `m<outbox id>`."""
        with self.store.reading() as conn:
            row = conn.execute("SELECT * FROM outbox WHERE message_key = ? AND channel = 'email'"
                               " ORDER BY id LIMIT 1", (ref,)).fetchone()
            if row is None and (match := _OUTBOX_REF.fullmatch(ref)):
                row = conn.execute("SELECT * FROM outbox WHERE id = ? AND message_key IS NULL",
                                   (int(match.group(1)),)).fetchone()
        return _decode(row) if row else None

    def message(self, message_id: int) -> dict[str, Any] | None:
        return self.store.one("SELECT * FROM outbox WHERE id = ?", (message_id,), _decode)

    def sent_event(self, message_id: int) -> dict[str, Any] | None:
        """The message's Sent event (its batch, triggered-send key and detail carry over to engagement)."""
        return self.store.one("SELECT * FROM send_event WHERE message_id = ? AND event_type = 'Sent' LIMIT 1",
                              (message_id,), _event)

    def events_of(self, message_id: int) -> list[dict[str, Any]]:
        return self.store.rows("SELECT * FROM send_event WHERE message_id = ? ORDER BY id", (message_id,), _event)

    def job_counts(self, job_ids: list[int]) -> dict[int, dict[str, int]]:
        """Per send job: UniqueOpens, UniqueClicks, Unsubscribes, HardBounces and the totals behind them
        (one grouped statement)."""
        if not job_ids:
            return {}
        marks = ",".join("?" * len(job_ids))
        with self.store.reading() as conn:
            rows = conn.execute(
                "SELECT job_id, event_type, COUNT(*) AS n, COUNT(DISTINCT lower(subscriber_key)) AS u"
                f" FROM send_event WHERE job_id IN ({marks}) AND event_type IN (?, ?, ?, ?, ?)"
                " GROUP BY job_id, event_type",
                (*job_ids, OPEN, CLICK, UNSUBSCRIBE, HARD_BOUNCE, COMPLAINT)).fetchall()
        out: dict[int, dict[str, int]] = {}
        for r in rows:
            counts = out.setdefault(r["job_id"], {})
            counts[r["event_type"]] = r["n"]
            counts["unique:" + r["event_type"]] = r["u"]
        return out

    def subscriber_keys_by_email(self, mid: int, email: str, limit: int = 2) -> list[str]:
        return self.store.rows("SELECT subscriber_key FROM subscriber WHERE mid = ? AND email = ? COLLATE NOCASE"
                               " AND status != 'Deleted' ORDER BY id LIMIT ?", (mid, email, limit), lambda r: r[0])

    def last_sent_job(self, mid: int, subscriber_key: str) -> int | None:
        """The most recent send job that reached a subscriber (LogUnsubEvent's job context without a JobID)."""
        return self.store.one(
            "SELECT job_id FROM send_event WHERE mid = ? AND event_type = 'Sent' AND subscriber_key = ?"
            " COLLATE NOCASE AND job_id IS NOT NULL ORDER BY id DESC LIMIT 1", (mid, subscriber_key), lambda r: r[0])


def _decode(row: Any) -> dict[str, Any]:
    return {**dict(row), "source": json.loads(row["source"] or "{}")}


def _event(row: Any) -> dict[str, Any]:
    return {**dict(row), "detail": json.loads(row["detail"] or "{}")}
