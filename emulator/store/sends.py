"""SQL for sends: each send's materialised audience (`send_recipient`), its tracking events (`send_event`)
and the send jobs behind `Send` retrieves.

The audience is built with set operations inside SQLite (never a Python list of recipients); messages are
then produced by streaming `Pending` rows in primary-key order, a batch at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from .db import Store
from .jobs import decode_job

# Recipient states. Pending rows are still to be sent; the others are final.
PENDING, SENT, BOUNCED, ERRORED, EXCLUDED, DUPLICATE = (
    "Pending", "Sent", "Bounced", "Errored", "Excluded", "Duplicate")
SEND_KINDS = ("send",)
# A recipient still to send to: (pk, subscriber key, email, audience source, subscriber id or None, the
# subscriber's attributes, the data-extension row or None).
Pending = tuple[int, str, str, str, int | None, dict[str, Any] | None, dict[str, Any] | None]
EVENT_COLUMNS = ("mid", "job_id", "subscriber_key", "email", "event_type", "event_date", "triggered_send_key",
                 "batch_id", "detail", "message_id")  # the order of Event.values() (domain/delivery.py)


_scan = json.JSONDecoder().scan_once


def _object(text: str) -> Any:
    """A JSON text the store wrote itself (json.dumps: no surrounding space), decoded without json.loads'
    layers: a send decodes one or two per recipient."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        return json.loads(text)  # not what json.dumps writes: let json say what is wrong with it
    return value if end == len(text) else json.loads(text)


def _json_path(column: str) -> str:
    return '$."' + column.replace('"', '\\"') + '"'


class SendRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- building an audience (call inside one transaction) --------------------
    def _changed(self, sql: str, args: tuple[Any, ...]) -> int:
        """One statement (joining the caller's transaction); how many recipients it added or changed."""
        with self.store.transaction() as conn:
            return conn.execute(sql, args).rowcount

    def _exclude(self, job_id: int, reason: str, condition: str, args: tuple[Any, ...] = ()) -> int:
        """Pending recipients meeting `condition` become Excluded, for `reason`."""
        return self._changed("UPDATE send_recipient SET state = 'Excluded', reason = ? WHERE job_id = ?"
                             f" AND state = 'Pending' AND {condition}", (reason, job_id, *args))

    def add_list_members(self, job_id: int, mid: int, list_id: int, source: str,
                         honour_list_unsubscribe: bool = True) -> int:
        """Every member of a list; members whose list status is not Active arrive Excluded."""
        active = "ls.status = 'Active'" if honour_list_unsubscribe else "ls.status IN ('Active', 'Unsubscribed')"
        return self._changed(
            "INSERT OR IGNORE INTO send_recipient(job_id, mid, subscriber_key, email, source, state, reason)"
            f" SELECT ?, s.mid, s.subscriber_key, s.email, ?, CASE WHEN {active} THEN 'Pending'"
            " ELSE 'Excluded' END, CASE WHEN " + active + " THEN NULL ELSE 'list status ' || ls.status END"
            " FROM list_subscriber ls JOIN subscriber s ON s.mid = ls.mid AND s.subscriber_key = ls.subscriber_key"
            " WHERE ls.mid = ? AND ls.list_id = ? AND s.status != 'Deleted' ORDER BY s.id",
            (job_id, source, mid, list_id))

    def add_all_subscribers(self, job_id: int, mid: int, source: str) -> int:
        return self._changed(
            "INSERT OR IGNORE INTO send_recipient(job_id, mid, subscriber_key, email, source, state)"
            " SELECT ?, mid, subscriber_key, email, ?, 'Pending' FROM subscriber"
            " WHERE mid = ? AND status != 'Deleted' ORDER BY id", (job_id, source, mid))

    def add_de_rows(self, job_id: int, mid: int, de_key: str, source: str, key_column: str,
                    email_column: str | None) -> int:
        """Every row of a data extension, keyed by `key_column`; the address is `email_column` or, without
        one, the subscriber's own address. Rows without a key or an address are skipped."""
        key = f"json_extract(d.row, '{_json_path(key_column)}')"
        email = f"json_extract(d.row, '{_json_path(email_column)}')" if email_column else "NULL"
        return self._changed(
            "INSERT OR IGNORE INTO send_recipient(job_id, mid, subscriber_key, email, source, row_pk, state)"
            f" SELECT ?, d.mid, CAST({key} AS TEXT), COALESCE(NULLIF({email}, ''), s.email), ?, d.pk, 'Pending'"
            f" FROM de_row d LEFT JOIN subscriber s ON s.mid = d.mid AND s.subscriber_key = CAST({key} AS TEXT)"
            f" WHERE d.mid = ? AND d.de_key = ? AND {key} IS NOT NULL"
            f" AND COALESCE(NULLIF({email}, ''), s.email) IS NOT NULL ORDER BY d.pk", (job_id, source, mid, de_key))

    def add_recipients(self, job_id: int, mid: int, rows: Iterable[tuple[str, str, str, int | None]]) -> int:
        """(subscriber key, email, source, data-extension row pk or None) — for filter results."""
        with self.store.transaction() as conn:
            return conn.executemany(
                "INSERT OR IGNORE INTO send_recipient(job_id, mid, subscriber_key, email, source, row_pk, state)"
                " VALUES (?, ?, ?, ?, ?, ?, 'Pending')",
                [(job_id, mid, key, email, source, pk) for key, email, source, pk in rows]).rowcount

    def exclude_list_members(self, job_id: int, mid: int, list_id: int, reason: str,
                             only_inactive: bool = False) -> int:
        status = " AND status != 'Active'" if only_inactive else ""
        return self._exclude(job_id, reason, "subscriber_key IN (SELECT subscriber_key FROM list_subscriber"
                             f" WHERE mid = ? AND list_id = ?{status})", (mid, list_id))

    def exclude_de_keys(self, job_id: int, mid: int, de_key: str, key_column: str, reason: str) -> int:
        key = f"CAST(json_extract(row, '{_json_path(key_column)}') AS TEXT)"
        return self._exclude(job_id, reason, f"subscriber_key IN (SELECT {key} FROM de_row WHERE mid = ?"
                             " AND de_key = ?)", (mid, de_key))

    def exclude_keys(self, job_id: int, keys: Iterable[str], reason: str) -> int:
        with self.store.transaction() as conn:
            return conn.executemany(
                "UPDATE send_recipient SET state = 'Excluded', reason = ? WHERE job_id = ? AND state = 'Pending'"
                " AND subscriber_key = ?", [(reason, job_id, key) for key in keys]).rowcount

    def exclude_by_subscriber_status(self, job_id: int, mid: int, statuses: tuple[str, ...]) -> int:
        marks = ",".join("?" * len(statuses))
        return self._changed(
            "UPDATE send_recipient SET state = 'Excluded', reason = 'subscriber status ' ||"
            " (SELECT status FROM subscriber s WHERE s.mid = send_recipient.mid"
            " AND s.subscriber_key = send_recipient.subscriber_key)"
            " WHERE job_id = ? AND state = 'Pending' AND subscriber_key IN"
            f" (SELECT subscriber_key FROM subscriber WHERE mid = ? AND status IN ({marks}))", (job_id, mid, *statuses))

    def exclude_by_address(self, job_id: int, like_patterns: Iterable[str], reason: str) -> int:
        patterns = tuple(like_patterns)
        return self._exclude(job_id, reason, f"({' OR '.join('email LIKE ?' for _ in patterns)})", patterns)

    def dedupe_by_email(self, job_id: int) -> int:
        return self._changed(
            "UPDATE send_recipient SET state = 'Duplicate', reason = 'duplicate address'"
            " WHERE job_id = ? AND state = 'Pending' AND pk NOT IN (SELECT MIN(pk) FROM send_recipient"
            " WHERE job_id = ? AND state = 'Pending' GROUP BY lower(email))", (job_id, job_id))

    def forget(self, job_id: int) -> None:
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM send_recipient WHERE job_id = ?", (job_id,))
            conn.execute("DELETE FROM send_link WHERE job_id = ?", (job_id,))

    # -- per-list and per-link statistics (ListSend, LinkSend) -------------------
    def add_links(self, job_id: int, mid: int, links: Iterable[tuple[str, str | None]]) -> None:
        """The send's tracked links, (url, alias) in the order the email has them."""
        with self.store.transaction() as conn:
            conn.executemany("INSERT INTO send_link(mid, job_id, url, alias, ordinal) VALUES (?,?,?,?,?)",
                             [(mid, job_id, url, alias, i) for i, (url, alias) in enumerate(links)])

    def source_states(self, job_id: int) -> dict[str, dict[str, int]]:
        """{source: {state or 'reason:<reason>': count}}: the recipients of one send per audience source."""
        out: dict[str, dict[str, int]] = {}
        with self.store.reading() as conn:
            for row in conn.execute("SELECT source, state, reason, COUNT(*) AS n FROM send_recipient"
                                    " WHERE job_id = ? GROUP BY source, state, reason", (job_id,)):
                counts = out.setdefault(row["source"], {})
                counts[row["state"]] = counts.get(row["state"], 0) + row["n"]
                if row["reason"]:
                    key = f"reason:{row['reason']}"
                    counts[key] = counts.get(key, 0) + row["n"]
        return out

    def source_event_counts(self, job_id: int, event_types: tuple[str, ...], state: str | None = None
                            ) -> dict[str, dict[str, int]]:
        """{source: {event type: distinct subscribers}}: who of each audience source had these events (of
        the recipients in `state`, if given)."""
        marks = ",".join("?" * len(event_types))
        out: dict[str, dict[str, int]] = {}
        where = " AND r.state = ?" if state is not None else ""
        with self.store.reading() as conn:
            for row in conn.execute(
                    "SELECT r.source, e.event_type, COUNT(DISTINCT e.subscriber_key) AS n FROM send_event e"
                    " JOIN send_recipient r ON r.job_id = e.job_id AND r.subscriber_key = e.subscriber_key"
                    f" WHERE e.job_id = ? AND e.event_type IN ({marks}){where} GROUP BY r.source, e.event_type",
                    (job_id, *event_types, *((state,) if state is not None else ()))):
                out.setdefault(row["source"], {})[row["event_type"]] = row["n"]
        return out

    def links(self, mids: list[int], job_id: int | None = None) -> list[dict[str, Any]]:
        sql = f"SELECT * FROM send_link WHERE mid IN ({','.join('?' * len(mids))})"
        args: list[Any] = list(mids)
        if job_id is not None:
            sql, args = sql + " AND job_id = ?", [*args, job_id]
        with self.store.reading() as conn:
            return [dict(r) for r in conn.execute(sql + " ORDER BY id", args)]

    def link_clicks(self, job_id: int, event_type: str) -> dict[str, tuple[int, int, float | None]]:
        """{url: (clicks, distinct subscribers, last click date)} of one send's click events (their detail's
        ``URL``, as domain/engagement.py records it)."""
        with self.store.reading() as conn:
            return {r[0]: (r[1], r[2], r[3]) for r in conn.execute(
                "SELECT json_extract(detail, '$.URL') AS url, COUNT(*), COUNT(DISTINCT subscriber_key),"
                " MAX(event_date) FROM send_event WHERE job_id = ? AND event_type = ? GROUP BY url",
                (job_id, event_type)) if r[0]}

    # -- producing messages ----------------------------------------------------
    def state_counts(self, job_id: int) -> dict[str, int]:
        with self.store.reading() as conn:
            return {r[0]: r[1] for r in conn.execute(
                "SELECT state, COUNT(*) FROM send_recipient WHERE job_id = ? GROUP BY state", (job_id,))}

    def pending_batches(self, job_id: int, batch: int = 2000, data: bool = True) -> Iterator[list[Pending]]:
        """Pending recipients, a batch at a time, in primary-key order, each as a `Pending` tuple. `data`:
        decode the subscriber's attributes and the data-extension row (else both are None: the templates
        name nothing they could hold)."""
        for rows in self.store.pages(
                "SELECT r.pk, r.subscriber_key, r.email, r.source, s.id, s.attributes, d.row FROM send_recipient r"
                " LEFT JOIN subscriber s ON s.mid = r.mid AND s.subscriber_key = r.subscriber_key"
                " LEFT JOIN de_row d ON d.pk = r.row_pk WHERE r.job_id = ? AND r.state = 'Pending'",
                (job_id,), "r.pk", "pk", batch, raw=True):
            if data:
                yield [(pk, key, email, source, subscriber_id, _object(attributes) if attributes else {},
                        _object(row) if row else None)
                       for pk, key, email, source, subscriber_id, attributes, row in rows]
            else:
                yield [(pk, key, email, source, subscriber_id, None, None)
                       for pk, key, email, source, subscriber_id, _, _ in rows]

    def mark(self, outcomes: Iterable[tuple[str, str | None, int]]) -> None:
        """(state, reason, pk) — inside the batch's transaction."""
        with self.store.transaction() as conn:
            conn.executemany("UPDATE send_recipient SET state = ?, reason = ? WHERE pk = ? AND state = 'Pending'",
                             list(outcomes))

    def mark_sent(self, job_id: int, first_pk: int, last_pk: int) -> None:
        """Every recipient of a batch still Pending becomes Sent (one statement, inside the batch's transaction)."""
        with self.store.transaction() as conn:
            conn.execute("UPDATE send_recipient SET state = 'Sent' WHERE job_id = ? AND state = 'Pending'"
                         " AND pk BETWEEN ? AND ?", (job_id, first_pk, last_pk))

    # -- tracking events -----------------------------------------------------------
    def add_events(self, events: Iterable[dict[str, Any]]) -> None:
        self.add_event_values([(e["mid"], e["job_id"], e["subscriber_key"], e.get("email"), e["event_type"],
                                e["event_date"], e.get("triggered_send_key"), e.get("batch_id"),
                                json.dumps(e.get("detail") or {}), e.get("message_id")) for e in events])

    def add_event_values(self, values: list[tuple[Any, ...]]) -> None:
        """Events already as tuples in EVENT_COLUMNS order (`detail` JSON-encoded): one statement."""
        with self.store.transaction() as conn:
            conn.executemany(f"INSERT INTO send_event({', '.join(EVENT_COLUMNS)})"
                             f" VALUES ({', '.join('?' * len(EVENT_COLUMNS))})", values)

    def copy_sent_events(self, first_id: int, last_id: int) -> None:
        """The plain Sent event (batch 1, no detail) of each outbox message first_id..last_id, in id order, its
        columns copied from the message's row: one statement, no value bound per event."""
        with self.store.transaction() as conn:
            conn.execute(f"INSERT INTO send_event({', '.join(EVENT_COLUMNS)}) SELECT mid, job_id, subscriber_key,"
                         " to_addr, 'Sent', created, NULL, 1, '{}', id FROM outbox WHERE id BETWEEN ? AND ?"
                         " ORDER BY id", (first_id, last_id))

    def iter_events(self, mids: list[int], event_types: tuple[str, ...], job_id: int | None = None,
                    subscriber_key: str | None = None, batch: int = 2000, after: Any = None,
                    dates: tuple[float | None, float | None] | None = None) -> Iterator[dict[str, Any]]:
        """Events in id order after id `after`; with `dates` (a loose [from, to] timestamp range) in
        (event_date, id) order after `after` = [event_date, id], so the range reads through its index. Each
        item's `_cursor` is its position."""
        # A job's events (no other filter) read through (job_id, event_type) in id order; `+mid` keeps the
        # planner off the (mid, event_type) index, which would walk every event of the type in the BU.
        mid_term = "+mid" if job_id is not None and subscriber_key is None and dates is None else "mid"
        where = [f"{mid_term} IN ({','.join('?' * len(mids))})",
                 f"event_type IN ({','.join('?' * len(event_types))})"]
        args: list[Any] = [*mids, *event_types]
        if job_id is not None:
            where.append("job_id = ?")
            args.append(job_id)
        if subscriber_key is not None:
            where.append("subscriber_key = ? COLLATE NOCASE")
            args.append(subscriber_key)
        if dates is None:
            pages = self.store.pages(f"SELECT * FROM send_event WHERE {' AND '.join(where)}", args, "id", "id",
                                     batch, -1 if after is None else after)
        else:
            for bound, op in zip(dates, (">=", "<="), strict=True):
                if bound is not None:
                    where.append(f"event_date {op} ?")
                    args.append(bound)
            pages = self.store.pages(f"SELECT * FROM send_event WHERE {' AND '.join(where)}", args,
                                     ("event_date", "id"), ("event_date", "id"), batch, after or [float("-inf"), -1])
        for rows in pages:
            for row in rows:
                item = dict(row)
                item["detail"] = json.loads(item["detail"] or "{}")
                item["_cursor"] = row["id"] if dates is None else [row["event_date"], row["id"]]
                yield item

    # -- send jobs -----------------------------------------------------------------
    def send_jobs(self, mids: list[int], job_id: int | None = None) -> list[dict[str, Any]]:
        sql = (f"SELECT * FROM job WHERE kind IN ({','.join('?' * len(SEND_KINDS))})"
               f" AND mid IN ({','.join('?' * len(mids))})")
        args: list[Any] = [*SEND_KINDS, *mids]
        if job_id is not None:
            sql, args = sql + " AND id = ?", [*args, job_id]
        with self.store.reading() as conn:
            rows = conn.execute(sql + " ORDER BY id", args).fetchall()
        return [decode_job(r) for r in rows]

    def unfinished_send_jobs(self) -> list[int]:
        with self.store.reading() as conn:
            return [r[0] for r in conn.execute(
                f"SELECT id FROM job WHERE kind IN ({','.join('?' * len(SEND_KINDS))})"
                " AND status IN ('Scheduled', 'Sending') ORDER BY id", SEND_KINDS)]
