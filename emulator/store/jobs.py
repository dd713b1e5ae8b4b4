"""Rows of asynchronous work (sends, imports): status, timestamps and a JSON detail."""

from __future__ import annotations

import json
from typing import Any

from .db import Store, where


def decode_job(row: Any) -> dict[str, Any]:
    """A job row as a dict, its JSON detail decoded."""
    return {**dict(row), "detail": json.loads(row["detail"] or "{}")}


class JobRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def insert(self, job_id: int, mid: int, kind: str, status: str, detail: dict[str, Any], now: float) -> None:
        with self.store.transaction() as conn:
            conn.execute("INSERT INTO job(id, mid, kind, status, detail, created) VALUES (?,?,?,?,?,?)",
                         (job_id, mid, kind, status, json.dumps(detail), now))

    def update(self, job_id: int, status: str | None, detail: dict[str, Any], now: float,
               finished: bool) -> None:
        """Merge `detail` into the job's; a new status also stamps `started` (first time) and `finished`."""
        with self.store.transaction() as conn:
            row = conn.execute("SELECT detail, started FROM job WHERE id=?", (job_id,)).fetchone()
            if row is None:
                return
            sets, args = ["detail=?"], [json.dumps({**json.loads(row["detail"] or "{}"), **detail})]
            if status:
                sets.append("status=?")
                args.append(status)
                if row["started"] is None:
                    sets.append("started=?")
                    args.append(now)
                if finished:
                    sets.append("finished=?")
                    args.append(now)
            conn.execute(f"UPDATE job SET {', '.join(sets)} WHERE id=?", (*args, job_id))

    def get(self, job_id: int) -> dict[str, Any] | None:
        return self.store.one("SELECT * FROM job WHERE id=?", (job_id,), decode_job)

    def unfinished(self, kind: str) -> list[dict[str, Any]]:
        """Jobs of this kind a previous process left unfinished, oldest first."""
        return self.store.rows("SELECT * FROM job WHERE kind=? AND finished IS NULL ORDER BY id", (kind,), decode_job)

    def list(self, mid: int | None, limit: int) -> list[dict[str, Any]]:
        clause, args = where("", [], ("mid=?", mid))
        return self.store.rows(f"SELECT * FROM job{clause} ORDER BY id DESC LIMIT ?", (*args, limit), decode_job)


class ContinuationRepository:
    """Where a paged Retrieve stopped, keyed by the RequestID a ContinueRequest names: the query and the
    keyset position (JSON) of the last row answered, so the next page reads on from there."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, request_id: str, mid: int, query: str, after: Any, now: float) -> None:
        with self.store.transaction() as conn:
            conn.execute("INSERT INTO retrieve_continuation(request_id, mid, query, offset, after, created)"
                         " VALUES (?,?,?,0,?,?)", (request_id, mid, query, json.dumps(after), now))

    def get(self, request_id: str, mid: int) -> tuple[str, Any] | None:
        return self.store.one("SELECT query, after FROM retrieve_continuation WHERE request_id=? AND mid=?",
                              (request_id, mid), lambda row: (row["query"], json.loads(row["after"] or "null")))
