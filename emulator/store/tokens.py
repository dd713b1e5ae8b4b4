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


CACHE_LIMIT = 10_000  # cached tokens before the cache starts over (bounded memory under token churn)


class TokenRepository:
    """Every authenticated request looks its token up: records read from the table are kept in memory, so a
    request costs no statement. A record never changes once issued; the cache forgets a token when it is
    reissued (`add`), taken or purged, and everything when a reset replaces the database (`generation`).
    Expiry stays the caller's check on the emulator clock (domain/auth.py), cached or not."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[str, TokenRecord] = {}
        self._generation = store.generation

    def _cached(self) -> dict[str, TokenRecord]:
        if self._generation != self.store.generation or len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
            self._generation = self.store.generation
        return self._cache

    def add(self, record: TokenRecord) -> None:
        self._cached().pop(record.token, None)  # filled on first read, never from a write that may roll back
        # OR REPLACE: tokens survive a reset but seeded ids restart, so deterministic mode reissues a string.
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO token(token, kind, mid, client_id, scope, expires_at, user, redirect_uri) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (record.token, record.kind, record.mid, record.client_id, record.scope, record.expires_at,
                 record.user, record.redirect_uri),
            )

    def get(self, token: str) -> TokenRecord | None:
        cache = self._cached()
        record = cache.get(token)
        if record is not None:
            return record
        record = self.store.one("SELECT * FROM token WHERE token=?", (token,), lambda row: TokenRecord(**dict(row)))
        if record is not None:
            cache[token] = record
        return record

    def take(self, token: str, kind: str) -> TokenRecord | None:
        """Remove and return a single-use credential (an authorization code, a refresh token) of this kind."""
        self._cached().pop(token, None)
        with self.store.transaction() as conn:
            row = conn.execute("SELECT * FROM token WHERE token=? AND kind=?", (token, kind)).fetchone()
            if row is not None:
                conn.execute("DELETE FROM token WHERE token=?", (token,))
        return TokenRecord(**dict(row)) if row else None

    def purge(self, expired_before: float, now: float, keep_expired: int) -> int:
        """Delete credentials that expired before `expired_before`, and all but the `keep_expired` most
        recently expired of those that expired by `now`. Returns how many rows went."""
        self._cache.clear()
        with self.store.transaction() as conn:
            gone = conn.execute("DELETE FROM token WHERE expires_at < ?", (expired_before,)).rowcount
            gone += conn.execute(
                "DELETE FROM token WHERE token IN (SELECT token FROM token WHERE expires_at <= ? "
                "ORDER BY expires_at DESC LIMIT -1 OFFSET ?)", (now, keep_expired)).rowcount
        return gone

    def count(self) -> int:
        return self.store.scalar("SELECT COUNT(*) FROM token")
