"""SQL for the Event Notification Service: callbacks, subscriptions, the delivery queue and its log.

The queue holds one row per (subscription, event), delivered in id order per subscription; a row stays
(`pending`) until its batch is acknowledged or has used its retries, so pending events survive a restart.
The delivery log keeps the last LOG_CAP attempts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .db import Store, where

PENDING, DELIVERED, DROPPED = "pending", "delivered", "dropped"
LOG_CAP = 10_000  # delivery-log rows kept


class EnsRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- callbacks ---------------------------------------------------------------------------------------
    def add_callback(self, row: dict[str, Any]) -> None:
        with self.store.transaction() as conn:
            conn.execute("INSERT INTO ens_callback(callback_id, mid, name, url, max_batch_size, signature_key,"
                         " verification_key, status, status_reason, created) VALUES (?,?,?,?,?,?,?,?,?,?)",
                         tuple(row[k] for k in ("callback_id", "mid", "name", "url", "max_batch_size",
                                                "signature_key", "verification_key", "status", "status_reason",
                                                "created")))

    def callback(self, mid: int, callback_id: str) -> dict[str, Any] | None:
        return self.store.one("SELECT * FROM ens_callback WHERE mid = ? AND callback_id = ?", (mid, callback_id))

    def callbacks(self, mid: int) -> list[dict[str, Any]]:
        return self.store.rows("SELECT * FROM ens_callback WHERE mid = ? ORDER BY created, callback_id", (mid,))

    def callback_by_url(self, mid: int, url: str) -> dict[str, Any] | None:
        return self.store.one("SELECT * FROM ens_callback WHERE mid = ? AND url = ?", (mid, url))

    def update_callback(self, callback_id: str, **changes: Any) -> None:
        if not changes:
            return
        sets = ", ".join(f"{k} = ?" for k in changes)
        with self.store.transaction() as conn:
            conn.execute(f"UPDATE ens_callback SET {sets} WHERE callback_id = ?", (*changes.values(), callback_id))

    def delete_callback(self, callback_id: str) -> None:
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM ens_callback WHERE callback_id = ?", (callback_id,))

    # -- subscriptions -----------------------------------------------------------------------------------
    def add_subscription(self, row: dict[str, Any]) -> None:
        with self.store.transaction() as conn:
            conn.execute("INSERT INTO ens_subscription(subscription_id, mid, callback_id, name, event_types,"
                         " filters, status, status_reason, created) VALUES (?,?,?,?,?,?,?,?,?)",
                         (row["subscription_id"], row["mid"], row["callback_id"], row["name"],
                          json.dumps(row["event_types"]), json.dumps(row["filters"]), row["status"],
                          row["status_reason"], row["created"]))

    def subscription(self, mid: int, subscription_id: str) -> dict[str, Any] | None:
        return self.store.one("SELECT * FROM ens_subscription WHERE mid = ? AND subscription_id = ?",
                              (mid, subscription_id), _subscription)

    def subscriptions(self, mid: int, callback_id: str | None = None, status: str | None = None
                      ) -> list[dict[str, Any]]:
        clause, args = where("mid = ?", [mid], ("callback_id = ?", callback_id), ("status = ?", status))
        return self.store.rows(f"SELECT * FROM ens_subscription{clause} ORDER BY created, subscription_id", args,
                               _subscription)

    def subscription_by_name(self, mid: int, name: str) -> dict[str, Any] | None:
        return self.store.one("SELECT * FROM ens_subscription WHERE mid = ? AND name = ?", (mid, name),
                              _subscription)

    def update_subscription(self, subscription_id: str, **changes: Any) -> None:
        values = {k: json.dumps(v) if k in ("event_types", "filters") else v for k, v in changes.items()}
        if not values:
            return
        sets = ", ".join(f"{k} = ?" for k in values)
        with self.store.transaction() as conn:
            conn.execute(f"UPDATE ens_subscription SET {sets} WHERE subscription_id = ?",
                         (*values.values(), subscription_id))

    def delete_subscription(self, subscription_id: str) -> None:
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM ens_subscription WHERE subscription_id = ?", (subscription_id,))
            conn.execute("DELETE FROM ens_queue WHERE subscription_id = ?", (subscription_id,))

    # -- the queue ---------------------------------------------------------------------------------------
    def enqueue(self, rows: Iterable[tuple[str, str, dict[str, Any]]], now: float) -> int:
        """(subscription id, callback id, event payload) rows, due at once."""
        values = [(sub, cb, json.dumps(event), PENDING, 0, now, now) for sub, cb, event in rows]
        with self.store.transaction() as conn:
            conn.executemany("INSERT INTO ens_queue(subscription_id, callback_id, event, state, attempts, next_at,"
                             " created) VALUES (?,?,?,?,?,?,?)", values)
        return len(values)

    def pending_heads(self) -> list[dict[str, Any]]:
        """Each subscription's oldest pending row (when it is next due), with its callback and status."""
        return self.store.rows(
            "SELECT q.subscription_id, q.callback_id, q.next_at, s.status AS subscription_status,"
            " c.url, c.signature_key, c.max_batch_size, c.mid FROM ens_queue q"
            " JOIN ens_subscription s ON s.subscription_id = q.subscription_id"
            " JOIN ens_callback c ON c.callback_id = q.callback_id"
            " WHERE q.id IN (SELECT MIN(id) FROM ens_queue WHERE state = 'pending' GROUP BY subscription_id)"
            " ORDER BY q.id")

    def batch(self, subscription_id: str, limit: int) -> list[dict[str, Any]]:
        return self.store.rows("SELECT id, event, attempts FROM ens_queue WHERE subscription_id = ?"
                               " AND state = 'pending' ORDER BY id LIMIT ?", (subscription_id, limit),
                               lambda r: {"id": r["id"], "event": json.loads(r["event"]), "attempts": r["attempts"]})

    def settle(self, ids: list[int], state: str, attempts: int, next_at: float) -> None:
        """A batch's outcome: still pending (its next attempt), or done (delivered or dropped: the rows go,
        the delivery log keeps the story)."""
        marks = ",".join("?" * len(ids))
        with self.store.transaction() as conn:
            if state == PENDING:
                conn.execute(f"UPDATE ens_queue SET attempts = ?, next_at = ? WHERE id IN ({marks})",
                             (attempts, next_at, *ids))
            else:
                conn.execute(f"DELETE FROM ens_queue WHERE id IN ({marks})", ids)

    def pending_count(self) -> int:
        return self.store.scalar("SELECT COUNT(*) FROM ens_queue WHERE state = 'pending'")

    # -- the delivery log --------------------------------------------------------------------------------
    def log(self, row: dict[str, Any]) -> None:
        columns = ("mid", "callback_id", "subscription_id", "at", "attempt", "events", "first_event",
                   "last_event", "outcome", "status", "error", "next_at")
        with self.store.transaction() as conn:
            new_id = conn.execute(f"INSERT INTO ens_delivery({', '.join(columns)}) VALUES "
                                  f"({', '.join('?' * len(columns))})", tuple(row.get(c) for c in columns)).lastrowid
            conn.execute("DELETE FROM ens_delivery WHERE id <= ?", (new_id - LOG_CAP,))  # bounded, oldest first

    def deliveries(self, mid: int | None = None, callback_id: str | None = None, limit: int = 100
                   ) -> list[dict[str, Any]]:
        clause, args = where("", [], ("mid = ?", mid), ("callback_id = ?", callback_id))
        return self.store.rows(f"SELECT * FROM ens_delivery{clause} ORDER BY id DESC LIMIT ?", (*args, limit))


def _subscription(row: Any) -> dict[str, Any]:
    out = dict(row)
    out["event_types"] = json.loads(out["event_types"] or "[]")
    out["filters"] = json.loads(out["filters"] or "[]")
    return out
