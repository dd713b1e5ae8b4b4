"""Issued access tokens (OAuth2, legacy REST, legacy SOAP internal tokens)."""

from __future__ import annotations

from dataclasses import dataclass

from .db import Store


@dataclass
class TokenRecord:
    token: str
    kind: str
    mid: int
    client_id: str
    scope: str
    expires_at: float


class TokenRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, record: TokenRecord) -> None:
        # OR REPLACE: tokens survive a reset but seeded ids restart, so deterministic mode reissues a string.
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO token(token, kind, mid, client_id, scope, expires_at) VALUES (?,?,?,?,?,?)",
                (record.token, record.kind, record.mid, record.client_id, record.scope, record.expires_at),
            )

    def get(self, token: str) -> TokenRecord | None:
        with self.store.reading() as conn:
            row = conn.execute("SELECT * FROM token WHERE token=?", (token,)).fetchone()
        return TokenRecord(**dict(row)) if row else None
