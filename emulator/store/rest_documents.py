"""REST documents (transactional definitions, Content Builder assets) and transactional messages.

`rest_object` holds one JSON document per (mid, kind, key); `tx_message` one row per messageKey with its
send status. Queue and not-sent reads go through here so no SQL leaks into the domain.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .db import Store, where

# Fields a definition list may be ordered by -> SQL expression (dates order by the stored timestamps).
ORDER_COLUMNS = {
    "definitionKey": "key",
    "name": "json_extract(data, '$.name')",
    "status": "json_extract(data, '$.status')",
    "createdDate": "created",
    "modifiedDate": "modified",
}


@dataclass
class Document:
    pk: int
    mid: int
    kind: str
    key: str
    data: dict[str, Any]
    created: float
    modified: float


def _document(row) -> Document:
    return Document(pk=row["pk"], mid=row["mid"], kind=row["kind"], key=row["key"], data=json.loads(row["data"]),
                    created=row["created"], modified=row["modified"])


class RestDocumentRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def insert(self, mid: int, kind: str, key: str, data: dict[str, Any], now: float) -> Document:
        with self.store.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO rest_object(mid, kind, key, data, created, modified) VALUES (?,?,?,?,?,?)",
                (mid, kind, key, json.dumps(data), now, now))
        return Document(cur.lastrowid, mid, kind, key, data, now, now)

    def get(self, mid: int, kind: str, key: str) -> Document | None:
        return self.store.one("SELECT * FROM rest_object WHERE mid=? AND kind=? AND key=? ORDER BY pk LIMIT 1",
                              (mid, kind, key), _document)

    def find(self, mid: int, kind: str, field: str, value: Any) -> Document | None:
        """The first document whose top-level JSON field equals value."""
        return self.store.one(
            "SELECT * FROM rest_object WHERE mid=? AND kind=? AND json_extract(data, ?) = ? ORDER BY pk LIMIT 1",
            (mid, kind, f"$.{field}", value), _document)

    def replace(self, doc: Document, now: float) -> None:
        with self.store.transaction() as conn:
            conn.execute("UPDATE rest_object SET key=?, data=?, modified=? WHERE pk=?",
                         (doc.key, json.dumps(doc.data), now, doc.pk))
        doc.modified = now

    def delete(self, doc: Document) -> None:
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM rest_object WHERE pk=?", (doc.pk,))

    def page(self, mid: int, kind: str, status: str | None = None, status_equal: bool = True,
             order_by: str = "createdDate", limit: int = 50, offset: int = 0, descending: bool = False
             ) -> tuple[list[Document], int]:
        """Documents of a kind, optionally filtered on (lower-cased) `status`, in a stable order."""
        where, args = "mid=? AND kind=?", [mid, kind]
        if status is not None:
            where += f" AND lower(json_extract(data, '$.status')) {'=' if status_equal else '!='} ?"
            args.append(status.lower())
        order = ORDER_COLUMNS.get(order_by, "created")
        with self.store.reading() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM rest_object WHERE {where}", args).fetchone()[0]
            direction = "DESC" if descending else "ASC"
            rows = conn.execute(f"SELECT * FROM rest_object WHERE {where} ORDER BY {order} {direction}, "
                                f"pk {direction} LIMIT ? OFFSET ?",
                                (*args, limit, offset)).fetchall()
        return [_document(r) for r in rows], total


# tx_message columns written on insert.
MESSAGE_COLUMNS = ("mid", "message_key", "definition_key", "request_id", "contact_key", "to_addr", "status",
                   "status_code", "status_message", "payload", "created", "updated")


@dataclass
class TxMessage:
    pk: int
    mid: int
    message_key: str
    definition_key: str
    request_id: str
    contact_key: str | None
    to_addr: str | None
    status: str  # Queued, Sent, NotSent
    status_code: int | None
    status_message: str | None
    payload: dict[str, Any]
    created: float
    updated: float


def _message(row) -> TxMessage:
    return TxMessage(pk=row["pk"], mid=row["mid"], message_key=row["message_key"],
                     definition_key=row["definition_key"], request_id=row["request_id"],
                     contact_key=row["contact_key"], to_addr=row["to_addr"], status=row["status"],
                     status_code=row["status_code"], status_message=row["status_message"],
                     payload=json.loads(row["payload"] or "{}"), created=row["created"], updated=row["updated"])


class TxMessageRepository:
    """One channel's transactional messages ("email" or "sms"): every read and write is scoped to it, so the
    two channels' message keys, queues and not-sent feeds never meet."""

    def __init__(self, store: Store, channel: str = "email") -> None:
        self.store = store
        self.channel = channel

    def existing_keys(self, mid: int, keys: list[str]) -> set[str]:
        found: set[str] = set()
        with self.store.reading() as conn:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                found.update(r[0] for r in conn.execute(
                    "SELECT message_key FROM tx_message WHERE mid=? AND channel=? AND message_key IN "
                    f"({','.join('?' * len(chunk))})", (mid, self.channel, *chunk)))
        return found

    def insert_many(self, rows: Iterable[dict[str, Any]]) -> list[int]:
        """Insert messages (payload dicts are JSON-encoded); returns their pks in order. The unique
        (mid, channel, message_key) index makes a second insert of one key fail: nothing is recorded twice."""
        pks = []
        columns = (*MESSAGE_COLUMNS, "channel")
        with self.store.transaction() as conn:
            for row in rows:
                values = tuple(json.dumps(row.get(c) or {}) if c == "payload" else row.get(c) for c in MESSAGE_COLUMNS)
                cur = conn.execute(f"INSERT INTO tx_message({', '.join(columns)}) VALUES "
                                   f"({', '.join('?' * len(columns))})", (*values, self.channel))
                pks.append(cur.lastrowid)
        return pks

    def get(self, mid: int, message_key: str) -> TxMessage | None:
        return self.store.one("SELECT * FROM tx_message WHERE mid=? AND channel=? AND message_key=?",
                              (mid, self.channel, message_key), _message)

    def with_status(self, mid: int, status: str, definition_key: str | None = None,
                    created_before: float | None = None) -> list[TxMessage]:
        clause, args = where("mid=? AND channel=? AND status=?", [mid, self.channel, status],
                             ("definition_key=?", definition_key), ("created < ?", created_before))
        return self.store.rows(f"SELECT * FROM tx_message{clause} ORDER BY pk", args, _message)

    def queue_stats(self, mid: int, definition_key: str) -> tuple[int, float | None]:
        """(number of queued messages, creation time of the oldest)."""
        with self.store.reading() as conn:
            row = conn.execute("SELECT COUNT(*), MIN(created) FROM tx_message WHERE mid=? AND channel=?"
                               " AND definition_key=? AND status='Queued'",
                               (mid, self.channel, definition_key)).fetchone()
        return row[0], row[1]

    def set_status(self, updates: Iterable[tuple[int, str, int | None, str | None, dict[str, Any], float]]) -> None:
        """(pk, status, status_code, status_message, payload, updated) per message."""
        with self.store.transaction() as conn:
            conn.executemany(
                "UPDATE tx_message SET status=?, status_code=?, status_message=?, payload=?, updated=? WHERE pk=?",
                [(s, c, m, json.dumps(p), u, pk) for pk, s, c, m, p, u in updates])

    def not_sent_after(self, mid: int, last_event_id: int, limit: int) -> list[TxMessage]:
        """NotSent messages whose not-sent event id (payload.eventId) is above last_event_id, oldest first."""
        return self.store.rows(
            "SELECT * FROM tx_message WHERE mid=? AND channel=? AND status='NotSent'"
            " AND json_extract(payload, '$.eventId') > ? ORDER BY json_extract(payload, '$.eventId') LIMIT ?",
            (mid, self.channel, last_event_id, limit), _message)
