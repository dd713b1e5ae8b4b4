"""Subscribers, list membership and data-extension rows: the tables sends and imports stream through.

Reads are generators over a cursor (never the whole audience in memory); bulk writes take iterables and
use executemany inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .db import Store

FIRST_SUBSCRIBER_ID = 100_001


@dataclass
class SubscriberRecord:
    subscriber_key: str
    email: str
    status: str = "Active"  # account-wide: Active, Unsubscribed, Held, Bounced, Deleted
    attributes: dict[str, Any] = field(default_factory=dict)
    email_type: str = "HTML"
    id: int | None = None
    created: float | None = None
    modified: float | None = None


_quote = json.encoder.encode_basestring_ascii  # what json.dumps uses for every str (ensure_ascii)


def json_object(values: dict[str, Any]) -> str:
    """json.dumps(values), byte for byte, without its per-call machinery when every key is a str and every
    value a str or None (an imported row's are): imports encode one per row."""
    try:
        return "{" + ", ".join(_quote(k) + ": " + ("null" if v is None else _quote(v))
                               for k, v in values.items()) + "}"
    except TypeError:  # a non-str key or another value type (numbers, booleans, lists): the general encoder
        return json.dumps(values)


def _subscriber(row) -> SubscriberRecord:
    return SubscriberRecord(
        subscriber_key=row["subscriber_key"], email=row["email"], status=row["status"],
        attributes=json.loads(row["attributes"] or "{}"), email_type=row["email_type"], id=row["id"],
        created=row["created"], modified=row["modified"],
    )


class AudienceRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- subscribers -----------------------------------------------------------
    def get_subscriber(self, mid: int, subscriber_key: str) -> SubscriberRecord | None:
        return self.store.one("SELECT * FROM subscriber WHERE mid=? AND subscriber_key=?", (mid, subscriber_key),
                              _subscriber)

    def get_subscriber_by_id(self, mid: int, subscriber_id: int) -> SubscriberRecord | None:
        return self.store.one("SELECT * FROM subscriber WHERE mid=? AND id=?", (mid, subscriber_id), _subscriber)

    def put_subscriber(self, mid: int, record: SubscriberRecord, now: float, new: bool = False) -> SubscriberRecord:
        """Insert or replace one subscriber; assigns its integer ID on first insert. `new`: the caller just
        found no such subscriber inside its own write transaction (no second look needed)."""
        with self.store.transaction() as conn:
            existing = None if new else conn.execute(
                "SELECT id, created FROM subscriber WHERE mid=? AND subscriber_key=?",
                (mid, record.subscriber_key)).fetchone()
            if existing:
                record.id, record.created = existing["id"], existing["created"]
            else:
                record.id = self.store.next_value("id:Subscriber", FIRST_SUBSCRIBER_ID)
                record.created = now
            record.modified = now
            conn.execute(
                "INSERT OR REPLACE INTO subscriber(mid, subscriber_key, id, email, status, attributes, email_type,"
                " created, modified) VALUES (?,?,?,?,?,?,?,?,?)",
                (mid, record.subscriber_key, record.id, record.email, record.status,
                 json.dumps(record.attributes), record.email_type, record.created, record.modified),
            )
        return record

    def put_subscribers(self, mid: int, records: list[SubscriberRecord], now: float,
                        known: dict[str, SubscriberRecord] | None = None) -> None:
        """Bulk insert-or-replace (imports): one statement per batch, ids reserved in one step. `known`: the
        stored subscribers among these keys, read by the caller inside the same transaction (get_subscribers),
        which saves looking them up again."""
        with self.store.transaction() as conn:
            if known is None:
                keys = [r.subscriber_key for r in records]
                found: dict[str, tuple[int, float]] = {}
                for start in range(0, len(keys), 500):
                    chunk = keys[start:start + 500]
                    for row in conn.execute(
                        f"SELECT subscriber_key, id, created FROM subscriber WHERE mid=? AND subscriber_key IN "
                        f"({','.join('?' * len(chunk))})", (mid, *chunk)):
                        found[row["subscriber_key"]] = (row["id"], row["created"])
            else:
                found = {key: (r.id, r.created) for key, r in known.items()}
            fresh = sum(1 for r in records if r.subscriber_key not in found)
            next_id = self.store.next_values("id:Subscriber", FIRST_SUBSCRIBER_ID, fresh) if fresh else 0
            for record in records:
                if record.subscriber_key in found:
                    record.id, record.created = found[record.subscriber_key]
                else:
                    record.id, record.created = next_id, now
                    next_id += 1
                record.modified = now
            conn.executemany(
                "INSERT OR REPLACE INTO subscriber(mid, subscriber_key, id, email, status, attributes, email_type,"
                " created, modified) VALUES (?,?,?,?,?,?,?,?,?)",
                [(mid, r.subscriber_key, r.id, r.email, r.status, json_object(r.attributes), r.email_type,
                  r.created, r.modified) for r in records],
            )

    def delete_subscriber(self, mid: int, subscriber_key: str) -> bool:
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM list_subscriber WHERE mid=? AND subscriber_key=?", (mid, subscriber_key))
            return conn.execute("DELETE FROM subscriber WHERE mid=? AND subscriber_key=?",
                                (mid, subscriber_key)).rowcount > 0

    def iter_subscribers(self, mids: list[int], batch: int = 2000) -> Iterator[tuple[int, SubscriberRecord]]:
        """(mid, subscriber) for every subscriber of these BUs, in id order, fetched in batches."""
        for rows in self.store.pages(f"SELECT * FROM subscriber WHERE mid IN ({','.join('?' * len(mids))})",
                                     mids, "id", "id", batch):
            for row in rows:
                yield row["mid"], _subscriber(row)

    def iter_subscribers_after(self, mids: list[int], after: int = -1, subscriber_key: str | None = None,
                               batch: int = 500) -> Iterator[tuple[int, SubscriberRecord]]:
        """(mid, subscriber) in id order after id `after` (a continued Retrieve reads on from there);
        `subscriber_key` narrows to one key, case-insensitively, through its index."""
        # A key names at most a few rows (its case variants): read them by the key's index, not in id order.
        hint = " INDEXED BY idx_subscriber_key_nocase" if subscriber_key is not None else ""
        sql, args = f"SELECT * FROM subscriber{hint} WHERE mid IN ({','.join('?' * len(mids))})", list(mids)
        if subscriber_key is not None:
            sql, args = sql + " AND subscriber_key = ? COLLATE NOCASE", [*args, subscriber_key]
        for rows in self.store.pages(sql, args, "id", "id", batch, after):
            for row in rows:
                yield row["mid"], _subscriber(row)

    # -- list membership --------------------------------------------------------
    def set_membership(self, mid: int, list_id: int, subscriber_key: str, status: str, now: float) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO list_subscriber(mid, list_id, subscriber_key, status, created, modified)"
                " VALUES (?,?,?,?,?,?) ON CONFLICT(mid, list_id, subscriber_key)"
                " DO UPDATE SET status=excluded.status, modified=excluded.modified",
                (mid, list_id, subscriber_key, status, now, now),
            )

    def set_memberships(self, mid: int, list_id: int, entries: Iterable[tuple[str, str]], now: float) -> None:
        """Bulk (subscriber_key, status) upserts for one list."""
        with self.store.transaction() as conn:
            conn.executemany(
                "INSERT INTO list_subscriber(mid, list_id, subscriber_key, status, created, modified)"
                " VALUES (?,?,?,?,?,?) ON CONFLICT(mid, list_id, subscriber_key)"
                " DO UPDATE SET status=excluded.status, modified=excluded.modified",
                [(mid, list_id, key, status, now, now) for key, status in entries],
            )

    def membership(self, mid: int, list_id: int, subscriber_key: str) -> str | None:
        return self.store.one("SELECT status FROM list_subscriber WHERE mid=? AND list_id=? AND subscriber_key=?",
                              (mid, list_id, subscriber_key), lambda row: row["status"])

    def memberships_of(self, mid: int, subscriber_key: str) -> list[dict[str, Any]]:
        return self.store.rows("SELECT * FROM list_subscriber WHERE mid=? AND subscriber_key=? ORDER BY list_id",
                               (mid, subscriber_key))

    def remove_membership(self, mid: int, list_id: int, subscriber_key: str) -> bool:
        with self.store.transaction() as conn:
            return conn.execute("DELETE FROM list_subscriber WHERE mid=? AND list_id=? AND subscriber_key=?",
                                (mid, list_id, subscriber_key)).rowcount > 0

    def iter_list_members(self, mid: int, list_id: int, batch: int = 2000
                          ) -> Iterator[tuple[SubscriberRecord, str]]:
        """(subscriber, list status) for every member, in subscriber-id order, fetched in batches."""
        for rows in self.store.pages(
                "SELECT s.*, ls.status AS list_status FROM list_subscriber ls JOIN subscriber s"
                " ON s.mid = ls.mid AND s.subscriber_key = ls.subscriber_key WHERE ls.mid=? AND ls.list_id=?",
                (mid, list_id), "s.id", "id", batch):
            for row in rows:
                yield _subscriber(row), row["list_status"]

    def iter_memberships_after(self, mid: int, list_id: int, after: int = -1, subscriber_key: str | None = None,
                               batch: int = 500) -> Iterator[tuple[int, SubscriberRecord, str]]:
        """(membership rowid, subscriber, list status) in membership order after rowid `after`: the range
        (mid, list_id, rowid) of idx_list_subscriber_list, so a page reads only its own rows."""
        sql = ("SELECT ls.rowid AS member_pos, ls.status AS list_status, s.* FROM list_subscriber ls"
               " JOIN subscriber s ON s.mid = ls.mid AND s.subscriber_key = ls.subscriber_key"
               " WHERE ls.mid=? AND ls.list_id=?")
        args: list[Any] = [mid, list_id]
        if subscriber_key is not None:
            sql, args = sql + " AND ls.subscriber_key = ? COLLATE NOCASE", [*args, subscriber_key]
        for rows in self.store.pages(sql, args, "ls.rowid", "member_pos", batch, after):
            for row in rows:
                yield row["member_pos"], _subscriber(row), row["list_status"]

    def lists_of(self, mid: int, subscriber_key: str) -> set[int]:
        """The list ids a subscriber (any case of its key) is a member of."""
        with self.store.reading() as conn:
            return {r[0] for r in conn.execute(
                "SELECT list_id FROM list_subscriber WHERE mid=? AND subscriber_key = ? COLLATE NOCASE",
                (mid, subscriber_key))}

    def count_subscribers(self, mid: int) -> int:
        return self.store.scalar("SELECT COUNT(*) FROM subscriber WHERE mid=?", (mid,))

    # -- data-extension rows ------------------------------------------------------
    def insert_rows(self, mid: int, de_key: str, rows: Iterable[tuple[str | None, dict[str, Any]]],
                    now: float) -> None:
        """Append rows: (primary-key value or None, row dict)."""
        with self.store.transaction() as conn:
            conn.executemany(
                "INSERT INTO de_row(mid, de_key, key_value, row, created) VALUES (?,?,?,?,?)",
                [(mid, de_key, key, json_object(row), now) for key, row in rows],
            )

    def find_row(self, mid: int, de_key: str, key_value: str) -> tuple[int, dict[str, Any]] | None:
        return self.store.one("SELECT pk, row FROM de_row WHERE mid=? AND de_key=? AND key_value=?",
                              (mid, de_key, key_value), lambda row: (row["pk"], json.loads(row["row"])))

    def delete_row(self, pk: int) -> None:
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM de_row WHERE pk=?", (pk,))

    def delete_all_rows(self, mid: int, de_key: str) -> None:
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM de_row WHERE mid=? AND de_key=?", (mid, de_key))

    def iter_rows(self, mid: int, de_key: str, batch: int = 2000) -> Iterator[tuple[int, dict[str, Any]]]:
        """(pk, row) in insertion order, fetched in batches."""
        return self.iter_rows_after(mid, de_key, batch=batch)

    def iter_rows_after(self, mid: int, de_key: str, after: int = -1, batch: int = 500
                        ) -> Iterator[tuple[int, dict[str, Any]]]:
        """(pk, row) in insertion order after pk `after`: the range (mid, de_key, pk) of idx_de_row_de."""
        for rows in self.store.pages("SELECT pk, row FROM de_row WHERE mid=? AND de_key=?", (mid, de_key), "pk",
                                     "pk", batch, after):
            for row in rows:
                yield row["pk"], json.loads(row["row"])

    def count_rows(self, mid: int, de_key: str) -> int:
        return self.store.scalar("SELECT COUNT(*) FROM de_row WHERE mid=? AND de_key=?", (mid, de_key))

    # -- bulk row upserts (imports, multi-row DataExtensionObject calls) -------------------------------
    def find_rows(self, mid: int, de_key: str, key_values: list[str]) -> dict[str, tuple[int, dict[str, Any]]]:
        """Existing rows by primary-key value: {key_value: (pk, row)}."""
        found: dict[str, tuple[int, dict[str, Any]]] = {}
        with self.store.reading() as conn:
            for start in range(0, len(key_values), 500):
                chunk = key_values[start:start + 500]
                for row in conn.execute(
                        f"SELECT pk, key_value, row FROM de_row WHERE mid=? AND de_key=? AND key_value IN "
                        f"({','.join('?' * len(chunk))})", (mid, de_key, *chunk)):
                    found[row["key_value"]] = (row["pk"], json.loads(row["row"]))
        return found

    def replace_rows(self, rows: Iterable[tuple[int, dict[str, Any]]]) -> None:
        with self.store.transaction() as conn:
            conn.executemany("UPDATE de_row SET row=? WHERE pk=?", [(json_object(r), pk) for pk, r in rows])

    def rename_rows(self, mid: int, old_key: str, new_key: str) -> None:
        """A data extension's CustomerKey changed: its rows follow it."""
        with self.store.transaction() as conn:
            conn.execute("UPDATE de_row SET de_key=? WHERE mid=? AND de_key=?", (new_key, mid, old_key))

    def get_subscribers(self, mid: int, keys: list[str]) -> dict[str, SubscriberRecord]:
        """Existing subscribers among these keys, by key (imports look a batch up at once)."""
        found: dict[str, SubscriberRecord] = {}
        with self.store.reading() as conn:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                for row in conn.execute(
                        f"SELECT * FROM subscriber WHERE mid=? AND subscriber_key IN ({','.join('?' * len(chunk))})",
                        (mid, *chunk)):
                    found[row["subscriber_key"]] = _subscriber(row)
        return found

    def clear_list(self, mid: int, list_id: int) -> None:
        """Remove every membership of a list (an Overwrite import)."""
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM list_subscriber WHERE mid=? AND list_id=?", (mid, list_id))
