"""Messages that would have been sent."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .db import Store

COLUMNS = ("id", "mid", "job_id", "message_key", "definition_key", "subscriber_key", "to_addr", "from_name",
           "from_addr", "subject", "html", "text", "source", "created", "channel")

_INSERT = f"INSERT INTO outbox({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"

# Bounce event types of send_event (a message is "bounced" when its recipient has one in the same job).
BOUNCE_EVENTS = ("HardBounce", "SoftBounce", "BlockBounce", "Bounce")


@dataclass
class OutboxFilter:
    """What the inspector's search asks for (ui/search.py parses the syntax into this)."""
    to: str | None = None  # substring of the recipient
    from_: str | None = None  # substring of the sender's address or name
    subject: str | None = None
    job: int | None = None
    definition: str | None = None  # the definition key, exactly
    message_key: str | None = None
    subscriber: str | None = None
    bounced: bool = False
    text: list[str] = field(default_factory=list)  # free words, each must match somewhere

    def is_empty(self) -> bool:
        return self == OutboxFilter()


class OutboxRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def next_id(self) -> int:
        """The id the next message gets (call inside the delivering transaction, which holds the write lock):
        delivery knows each message's id before writing it, so its tracked links and pixel can name it."""
        with self.store.reading() as conn:
            return (conn.execute("SELECT MAX(id) FROM outbox").fetchone()[0] or 0) + 1

    def add_many(self, rows: Iterable[dict[str, Any]]) -> int:
        return self.add_values([tuple(json.dumps(r[c]) if c == "source" else r.get(c, "email" if c == "channel"
                                                                                 else None)
                                      for c in COLUMNS) for r in rows])

    def add_values(self, values: list[tuple[Any, ...]]) -> int:
        """Rows already as tuples in COLUMNS order (`source` JSON-encoded): the delivery path's one statement."""
        with self.store.transaction() as conn:
            conn.executemany(_INSERT, values)
        return len(values)

    def query(self, mid: int | None = None, job_id: int | None = None, to: str | None = None,
              message_key: str | None = None, subject_contains: str | None = None, search: str | None = None,
              limit: int = 100, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        where, args = [], []
        for column, value in (("mid", mid), ("job_id", job_id), ("to_addr", to), ("message_key", message_key)):
            if value is not None:
                where.append(f"{column} = ?" if column != "to_addr" else "to_addr = ? COLLATE NOCASE")
                args.append(value)
        if subject_contains:
            where.append("subject LIKE ?")
            args.append(f"%{subject_contains}%")
        if search:
            where.append("(subject LIKE ? OR to_addr LIKE ? OR subscriber_key LIKE ? OR html LIKE ?)")
            args.extend([f"%{search}%"] * 4)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self.store.reading() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM outbox{clause}", args).fetchone()[0]
            rows = conn.execute(
                f"SELECT * FROM outbox{clause} ORDER BY id LIMIT ? OFFSET ?", (*args, limit, offset)
            ).fetchall()
        return [_decode(r) for r in rows], total

    def get(self, message_id: int) -> dict[str, Any] | None:
        with self.store.reading() as conn:
            row = conn.execute("SELECT * FROM outbox WHERE id=?", (message_id,)).fetchone()
        return _decode(row) if row else None


    # -- the inspector's outbox: newest first, filtered in SQL, no bodies in the listing -------------------
    def search(self, mid: int, flt: OutboxFilter, limit: int = 50, offset: int = 0
               ) -> tuple[list[dict[str, Any]], int]:
        """A page of the BU's messages matching `flt`, newest first, each with `bounced` (0/1); and the total."""
        where, args = ["o.mid = ?"], [mid]
        for column, value in (("o.to_addr", flt.to), ("o.subject", flt.subject),
                              ("o.subscriber_key", flt.subscriber)):
            if value:
                where.append(f"{column} LIKE ? ESCAPE '\\'")
                args.append(f"%{_like(value)}%")
        if flt.from_:
            where.append("(o.from_addr LIKE ? ESCAPE '\\' OR o.from_name LIKE ? ESCAPE '\\')")
            args.extend([f"%{_like(flt.from_)}%"] * 2)
        for column, value in (("o.job_id", flt.job), ("o.definition_key", flt.definition),
                              ("o.message_key", flt.message_key)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if flt.bounced:
            where.append(_BOUNCED)
            args.extend(BOUNCE_EVENTS)
        for word in flt.text:
            where.append("(o.subject LIKE ? ESCAPE '\\' OR o.to_addr LIKE ? ESCAPE '\\'"
                         " OR o.subscriber_key LIKE ? ESCAPE '\\' OR o.html LIKE ? ESCAPE '\\'"
                         " OR o.text LIKE ? ESCAPE '\\')")
            args.extend([f"%{_like(word)}%"] * 5)
        clause = " WHERE " + " AND ".join(where)
        columns = ("o.id, o.mid, o.job_id, o.message_key, o.definition_key, o.subscriber_key, o.to_addr,"
                   " o.from_name, o.from_addr, o.subject, o.created, o.channel")
        with self.store.reading() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM outbox o{clause}", args).fetchone()[0]
            rows = conn.execute(
                f"SELECT {columns}, {_BOUNCED} AS bounced FROM outbox o{clause} ORDER BY o.id DESC LIMIT ? OFFSET ?",
                (*BOUNCE_EVENTS, *args, limit, offset)).fetchall()
        return [dict(r) for r in rows], total

    def latest_id(self, mid: int | None = None) -> int:
        """The newest message's id (0 when empty): the live outbox polls it."""
        sql, args = ("SELECT MAX(id) FROM outbox", ()) if mid is None else (
            "SELECT MAX(id) FROM outbox WHERE mid = ?", (mid,))
        with self.store.reading() as conn:
            return conn.execute(sql, args).fetchone()[0] or 0

    def delete(self, message_id: int) -> bool:
        with self.store.transaction() as conn:
            return conn.execute("DELETE FROM outbox WHERE id = ?", (message_id,)).rowcount > 0

    def clear(self, mid: int | None = None) -> int:
        with self.store.transaction() as conn:
            if mid is None:
                return conn.execute("DELETE FROM outbox").rowcount
            return conn.execute("DELETE FROM outbox WHERE mid = ?", (mid,)).rowcount


_BOUNCED = ("EXISTS (SELECT 1 FROM send_event e WHERE e.job_id = o.job_id AND e.subscriber_key = o.subscriber_key"
            f" AND e.event_type IN ({', '.join('?' * len(BOUNCE_EVENTS))}))")


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _decode(row) -> dict[str, Any]:
    out = dict(row)
    out["source"] = json.loads(out["source"] or "{}")
    return out
