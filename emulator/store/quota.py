"""Rows of the shared email-definition quota (table `definition_quota`): one per definition created."""

from __future__ import annotations

from .db import Store


class QuotaRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def count_since(self, mid: int, since: float) -> int:
        """Creations in `mid` after `since` (inside the caller's transaction when there is one)."""
        return self.store.scalar("SELECT COUNT(*) FROM definition_quota WHERE mid=? AND created > ?", (mid, since))

    def add(self, mid: int, kind: str, key: str, at: float) -> None:
        with self.store.transaction() as conn:
            conn.execute("INSERT INTO definition_quota(mid, kind, key, created) VALUES (?,?,?,?)",
                         (mid, kind, key, at))
