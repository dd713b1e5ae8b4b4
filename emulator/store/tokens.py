"""Issued credentials: access tokens (OAuth2, legacy REST, legacy SOAP internal), refresh tokens and
authorization codes. One row each, told apart by `kind`."""

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
    user: str = ""  # the approving user of a web/public-app grant ("" for server-to-server)
    redirect_uri: str = ""  # authorization codes: the redirect URI the code was issued for


class TokenRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, record: TokenRecord) -> None:
        # OR REPLACE: tokens survive a reset but seeded ids restart, so deterministic mode reissues a string.
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO token(token, kind, mid, client_id, scope, expires_at, user, redirect_uri) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (record.token, record.kind, record.mid, record.client_id, record.scope, record.expires_at,
                 record.user, record.redirect_uri),
            )

    def get(self, token: str) -> TokenRecord | None:
        with self.store.reading() as conn:
            row = conn.execute("SELECT * FROM token WHERE token=?", (token,)).fetchone()
        return TokenRecord(**dict(row)) if row else None

    def take(self, token: str, kind: str) -> TokenRecord | None:
        """Remove and return a single-use credential (an authorization code, a refresh token) of this kind."""
        with self.store.transaction() as conn:
            row = conn.execute("SELECT * FROM token WHERE token=? AND kind=?", (token, kind)).fetchone()
            if row is not None:
                conn.execute("DELETE FROM token WHERE token=?", (token,))
        return TokenRecord(**dict(row)) if row else None

    def purge(self, expired_before: float, now: float, keep_expired: int) -> int:
        """Delete credentials that expired before `expired_before`, and all but the `keep_expired` most
        recently expired of those that expired by `now`. Returns how many rows went."""
        with self.store.transaction() as conn:
            gone = conn.execute("DELETE FROM token WHERE expires_at < ?", (expired_before,)).rowcount
            gone += conn.execute(
                "DELETE FROM token WHERE token IN (SELECT token FROM token WHERE expires_at <= ? "
                "ORDER BY expires_at DESC LIMIT -1 OFFSET ?)", (now, keep_expired)).rowcount
        return gone

    def count(self) -> int:
        with self.store.reading() as conn:
            return conn.execute("SELECT COUNT(*) FROM token").fetchone()[0]
