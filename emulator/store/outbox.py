"""Messages that would have been sent."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .db import Store

COLUMNS = ("mid", "job_id", "message_key", "definition_key", "subscriber_key", "to_addr", "from_name",
           "from_addr", "subject", "html", "text", "source", "created")


class OutboxRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add_many(self, rows: Iterable[dict[str, Any]]) -> int:
        values = [tuple(json.dumps(r[c]) if c == "source" else r.get(c) for c in COLUMNS) for r in rows]
        with self.store.transaction() as conn:
            conn.executemany(
                f"INSERT INTO outbox({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", values
            )
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


def _decode(row) -> dict[str, Any]:
    out = dict(row)
    out["source"] = json.loads(out["source"] or "{}")
    return out
