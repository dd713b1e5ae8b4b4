"""Issuing and checking credentials: OAuth2 (/v2/token), legacy (/v1/requestToken) and API users."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..store.tokens import TokenRecord
from . import codes
from .context import CallContext
from .errors import Unauthorized
from .tenants import child_mids

if TYPE_CHECKING:
    from ..core import Emulator


@dataclass
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str
    mid: int
    legacy_token: str | None = None


class AuthService:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    def _package(self) -> dict:
        return self.emu.tenant["installed_package"]

    def _check_client(self, client_id: str | None, client_secret: str | None) -> None:
        package = self._package()
        if client_id != package["client_id"] or client_secret != package["client_secret"]:
            raise Unauthorized(
                "Client authentication failed. Make sure that the client ID and client secret are valid "
                "and that the package is installed and enabled.", code=None)

    def issue_oauth2(self, client_id: str | None, client_secret: str | None, account_id: int | None,
                     scope: str | None) -> IssuedToken:
        self._check_client(client_id, client_secret)
        mid = account_id or self.emu.enterprise_mid
        if self.emu.tenants.bu(mid) is None:
            raise Unauthorized(f"The package is not enabled in business unit {mid}.", code=None)
        granted = self._package().get("scopes", [])
        if scope:
            requested = scope.split()
            granted = [s for s in requested if s in granted]
        token = self.emu.ids.token(48)
        self._store(token, "oauth2", mid, client_id, " ".join(granted), self.emu.config.oauth_token_lifetime)
        return IssuedToken(token, self.emu.config.oauth_expires_in, " ".join(granted), mid)

    def issue_legacy(self, client_id: str | None, client_secret: str | None) -> IssuedToken:
        self._check_client(client_id, client_secret)
        mid = self.emu.enterprise_mid
        lifetime = self.emu.config.legacy_token_lifetime
        scope = " ".join(self._package().get("scopes", []))
        token = self.emu.ids.token(18)
        legacy = self.emu.ids.token(64)
        self._store(token, "legacy", mid, client_id, scope, lifetime)
        self._store(legacy, "legacy_internal", mid, client_id, scope, lifetime)
        return IssuedToken(token, lifetime, scope, mid, legacy_token=legacy)

    def _store(self, token: str, kind: str, mid: int, client_id: str | None, scope: str, lifetime: int) -> None:
        expires = self.emu.clock.now().timestamp() + lifetime
        self.emu.tokens.add(TokenRecord(token, kind, mid, client_id or "", scope, expires))

    def context_for_token(self, token: str | None, kinds: tuple[str, ...]) -> CallContext:
        record = self.emu.tokens.get(token) if token else None
        if record is None or record.kind not in kinds or record.expires_at <= self.emu.clock.now().timestamp():
            raise Unauthorized("Not Authorized", code=codes.REST.NOT_AUTHORIZED)
        return CallContext(record.mid, record.client_id, frozenset(record.scope.split()),
                           child_mids(self.emu, record.mid), scoped=record.kind == "oauth2")

    def context_for_user(self, username: str | None, password: str | None) -> CallContext:
        user = self.emu.tenants.user(username or "")
        if user is None or user["password"] != password:
            raise Unauthorized("Login failed", code=None)
        return CallContext(user["mid"], user["username"], frozenset(), child_mids(self.emu, user["mid"]))
