"""Issuing and checking credentials: OAuth2 (/v2/token, /v2/authorize, /v2/userinfo), legacy
(/v1/requestToken) and API users.

Grants, as SFMC documents them (mc-app-development/access-token-s2s, access-token-app, authorization-code):

- ``client_credentials``: the server-to-server package; never a refresh token.
- ``authorization_code``: web and public apps. The emulator has no login page: ``authorize()`` approves at
  once on behalf of the app's user (its ``user`` in the tenant file, else the first API user) and hands back
  the redirect with a code (single use, 5 minutes).
- ``refresh_token``: web and public apps; each refresh token is single use and the answer carries a new one
  (default lifetime 30 days).

Every lifetime runs on the emulator clock. A token that has expired is refused as expired (SOAP "Token
Expired", REST 401 with an ``invalid_token`` challenge: what SDKs refresh on); one never issued is refused as
unknown ("Login failed" / "Not Authorized"). Expired credentials are purged whenever new ones are issued:
the last ``TOMBSTONES`` of them are kept for ``TOMBSTONE_SECONDS`` so that they still answer as expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from ..store.tokens import TokenRecord
from . import codes
from .context import CallContext
from .errors import DomainError, Invalid, Unauthorized, Unsupported
from .tenants import child_mids

if TYPE_CHECKING:
    from ..core import Emulator

CODE_LIFETIME = 5 * 60  # authorization codes [doc:authorization-code]
REFRESH_LIFETIME = 30 * 24 * 3600  # refresh tokens, default [doc:access-token-app]
TOMBSTONE_SECONDS = 24 * 3600  # an expired token answers "expired" this long before it is forgotten ...
TOMBSTONES = 10_000  # ... and at most this many expired tokens are kept (bounded growth, issue 10)

# RFC 6750 challenge for an expired bearer token. Salesforce's fuel-rest retries a 401 only when this
# header matches /^Bearer\s.+?invalid_token/; the values are those of its own test fixture.
EXPIRED_CHALLENGE = 'Bearer realm="example.com", error="invalid_token", error_description="The access token expired"'
CLIENT_FAILED = ("Client authentication failed. Make sure that the client ID and client secret are valid and "
                 "that the package is installed and enabled.")
NOT_THIS_GRANT = "The client is not authorized to request an access token using this method."


class TokenExpired(Unauthorized):
    """A token that was valid and has expired. REST adds the ``WWW-Authenticate`` challenge it carries."""

    www_authenticate = EXPIRED_CHALLENGE

    def __init__(self) -> None:
        super().__init__("Not Authorized", code=codes.REST.NOT_AUTHORIZED)


@dataclass
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str
    mid: int
    legacy_token: str | None = None
    refresh_token: str | None = None


@dataclass(frozen=True)
class TokenRequest:
    """A /v2/token body, already checked against its schema (auth/schemas.py)."""

    grant_type: str
    client_id: str | None = None
    client_secret: str | None = None
    account_id: int | None = None
    scope: str | None = None
    code: str | None = None
    redirect_uri: str | None = None
    refresh_token: str | None = None


@dataclass(frozen=True)
class AppIntegration:
    """An API integration component of the installed package."""

    kind: str  # "server" (server-to-server), "web" or "public"
    client_id: str
    client_secret: str | None
    scopes: tuple[str, ...]
    redirect_uris: tuple[str, ...] = ()
    user: str | None = None


def _oauth(cls: type[DomainError], message: str, error: str) -> DomainError:
    """A domain error carrying the OAuth error code /v2/token answers with (auth/routes.py)."""
    return cls(message, oauth_error=error)


class AuthService:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    # -- the package and its integrations -------------------------------------------------------------
    def _package(self) -> dict:
        return self.emu.tenant["installed_package"]

    def integrations(self) -> list[AppIntegration]:
        package = self._package()
        scopes = tuple(package.get("scopes", []))
        apps = [AppIntegration("server", package["client_id"], package.get("client_secret"), scopes)]
        for app in self.emu.tenant.get("app_integrations") or []:
            apps.append(AppIntegration(app["type"], app["client_id"], app.get("client_secret"),
                                       tuple(app.get("scopes", scopes)), tuple(app.get("redirect_uris", [])),
                                       app.get("user")))
        return apps

    def _integration(self, client_id: str | None) -> AppIntegration | None:
        return next((app for app in self.integrations() if app.client_id == client_id), None)

    def _authenticate_client(self, client_id: str | None, client_secret: str | None) -> AppIntegration:
        app = self._integration(client_id)
        # a public app has no secret; web and server-to-server apps must present theirs
        if app is None or (app.kind != "public" and client_secret != app.client_secret):
            raise _oauth(Unauthorized, CLIENT_FAILED, "invalid_client")
        return app

    # -- /v2/token --------------------------------------------------------------------------------------
    def issue_oauth2(self, client_id: str | None, client_secret: str | None, account_id: int | None,
                     scope: str | None) -> IssuedToken:
        """The client-credentials grant (kept for callers that name its fields directly)."""
        return self.issue(TokenRequest("client_credentials", client_id, client_secret, account_id, scope))

    def issue(self, request: TokenRequest) -> IssuedToken:
        app = self._authenticate_client(request.client_id, request.client_secret)
        if request.grant_type == "client_credentials":
            if app.kind != "server":
                raise _oauth(Unauthorized, NOT_THIS_GRANT, "unauthorized_client")
            return self._grant(app, self._target_mid(request.account_id, self.emu.enterprise_mid),
                               self._narrow(app.scopes, request.scope), user="")
        if request.grant_type in ("authorization_code", "refresh_token"):
            if app.kind == "server":
                raise _oauth(Unauthorized, NOT_THIS_GRANT, "unauthorized_client")
            source = self._redeem(app, request)
            mid = self._target_mid(request.account_id, source.mid)
            return self._grant(app, mid, self._narrow(tuple(source.scope.split()), request.scope),
                               user=source.user, refresh=True)
        raise _oauth(Unsupported, f"The authorization grant type '{request.grant_type}' is not supported.",
                     "unsupported_grant_type")

    def _redeem(self, app: AppIntegration, request: TokenRequest) -> TokenRecord:
        """Use up the code or refresh token the request presents (single use either way)."""
        if request.grant_type == "authorization_code":
            if not request.code:
                raise _oauth(Invalid, "The code parameter is required.", "invalid_request")
            record = self.emu.tokens.take(request.code, "auth_code")
            if record is not None and record.redirect_uri != (request.redirect_uri or ""):
                raise _oauth(Invalid, "The redirect_uri does not match the one the code was issued for.",
                             "invalid_grant")
        else:
            if not request.refresh_token:
                raise _oauth(Invalid, "The refresh_token parameter is required.", "invalid_request")
            record = self.emu.tokens.take(request.refresh_token, "refresh")
        if record is None or record.client_id != app.client_id or self._expired(record):
            raise _oauth(Invalid, "The authorization grant is invalid, expired or revoked.", "invalid_grant")
        return record

    def _target_mid(self, account_id: int | None, default: int) -> int:
        mid = account_id or default
        if self.emu.tenants.bu(mid) is None:
            raise _oauth(Unauthorized, f"The package is not enabled in business unit {mid}.", "invalid_client")
        return mid

    @staticmethod
    def _narrow(granted: tuple[str, ...], requested: str | None) -> str:
        """Requested scopes the grant holds; no `scope` asked means all of them ("" asks for none)."""
        if requested is None:
            return " ".join(granted)
        return " ".join(s for s in dict.fromkeys(requested.split()) if s in granted)

    def _grant(self, app: AppIntegration, mid: int, scope: str, user: str, refresh: bool = False) -> IssuedToken:
        token = self.emu.ids.token(48)
        self._store(token, "oauth2", mid, app.client_id, scope, self.emu.config.oauth_token_lifetime, user)
        refresh_token = None
        if refresh:
            refresh_token = self.emu.ids.token(64)
            self._store(refresh_token, "refresh", mid, app.client_id, scope, REFRESH_LIFETIME, user)
        return IssuedToken(token, self.emu.config.oauth_expires_in, scope, mid, refresh_token=refresh_token)

    # -- /v2/authorize ----------------------------------------------------------------------------------
    def authorize(self, client_id: str | None, redirect_uri: str | None, response_type: str | None,
                  scope: str | None, state: str | None) -> str:
        """Approve a web/public app's request at once; the URL to redirect the browser to (with the code).

        An unknown client or a redirect URI the app does not list is refused without a redirect (raised);
        other problems go back to the redirect URI as ``error``/``error_description``."""
        app = self._integration(client_id)
        if app is None or app.kind == "server":
            raise _oauth(Unauthorized, "The client is not authorized to request an authorization code using "
                                       "this method.", "unauthorized_client")
        if not redirect_uri or not any(self._redirect_matches(redirect_uri, allowed) for allowed in app.redirect_uris):
            raise _oauth(Invalid, "The redirect_uri is not registered for this client.", "invalid_request")
        params: dict[str, str] = {}
        if state is not None:
            params["state"] = state
        if response_type != "code":
            params.update(error="unsupported_response_type", error_description="response_type must be code.")
        else:
            user = self._approving_user(app)
            code = self.emu.ids.token(64)
            self._store(code, "auth_code", int(user["mid"]), app.client_id, self._narrow(app.scopes, scope),
                        CODE_LIFETIME, user["username"], redirect_uri)
            params["code"] = code
        return redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode(params)

    @staticmethod
    def _redirect_matches(uri: str, allowed: str) -> bool:
        # Installed Packages lets a redirect URL end in '*' to allow anything after it
        return uri.startswith(allowed.rstrip("*")) if allowed.endswith("*") else uri == allowed

    def _approving_user(self, app: AppIntegration) -> dict:
        users = self.emu.tenant.get("api_users") or []
        user = next((u for u in users if u["username"] == app.user), users[0] if users else None)
        if user is None:
            raise _oauth(Unauthorized, "No user can approve this request.", "access_denied")
        return user

    # -- /v1/requestToken -------------------------------------------------------------------------------
    def issue_legacy(self, client_id: str | None, client_secret: str | None) -> IssuedToken:
        package = self._package()
        if client_id != package["client_id"] or client_secret != package["client_secret"]:
            raise Unauthorized(CLIENT_FAILED, code=None)
        mid = self.emu.enterprise_mid
        lifetime = self.emu.config.legacy_token_lifetime
        scope = " ".join(package.get("scopes", []))
        token = self.emu.ids.token(18)
        legacy = self.emu.ids.token(64)
        self._store(token, "legacy", mid, client_id, scope, lifetime)
        self._store(legacy, "legacy_internal", mid, client_id, scope, lifetime)
        return IssuedToken(token, lifetime, scope, mid, legacy_token=legacy)

    # -- storage and expiry -----------------------------------------------------------------------------
    def _store(self, token: str, kind: str, mid: int, client_id: str | None, scope: str, lifetime: int,
               user: str = "", redirect_uri: str = "") -> None:
        self.purge_expired()
        expires = self.emu.clock.now().timestamp() + lifetime
        self.emu.tokens.add(TokenRecord(token, kind, mid, client_id or "", scope, expires, user, redirect_uri))

    def purge_expired(self) -> int:
        """Forget expired credentials (bounded growth). Judged on the clock's floor: a test that moves the
        clock ahead and resets must find its long-lived clients' tokens still there."""
        floor = self.emu.clock.floor().timestamp()
        return self.emu.tokens.purge(floor - TOMBSTONE_SECONDS, floor, TOMBSTONES)

    def _expired(self, record: TokenRecord) -> bool:
        return record.expires_at <= self.emu.clock.now().timestamp()

    def _valid_record(self, token: str | None, kinds: tuple[str, ...]) -> TokenRecord:
        record = self.emu.tokens.get(token) if token else None
        if record is None or record.kind not in kinds:
            raise Unauthorized("Not Authorized", code=codes.REST.NOT_AUTHORIZED)
        if self._expired(record):
            raise TokenExpired()
        return record

    def context_for_token(self, token: str | None, kinds: tuple[str, ...]) -> CallContext:
        record = self._valid_record(token, kinds)
        return CallContext(record.mid, record.client_id, frozenset(record.scope.split()),
                           child_mids(self.emu, record.mid), scoped=record.kind == "oauth2")

    def context_for_user(self, username: str | None, password: str | None) -> CallContext:
        user = self.emu.tenants.user(username or "")
        if user is None or user["password"] != password:
            raise Unauthorized("Login failed", code=None)
        return CallContext(user["mid"], user["username"], frozenset(), child_mids(self.emu, user["mid"]))

    # -- /v2/userinfo -----------------------------------------------------------------------------------
    def userinfo(self, token: str | None, instance_urls: dict[str, str]) -> dict[str, Any]:
        """What SFMC answers about a v2 token [doc:reference/getUserInfo]: its expiry, user, business unit,
        endpoints (`instance_urls`: the `soap` and `rest` base URLs the caller reached) and application with
        its scopes."""
        record = self._valid_record(token, ("oauth2",))
        users = self.emu.tenant.get("api_users") or []
        username = record.user or (users[0]["username"] if users else record.client_id)
        index = next((i for i, u in enumerate(users) if u["username"] == username), 0)
        enterprise = self.emu.tenants.bu(self.emu.enterprise_mid) or {}
        app = self._integration(record.client_id)
        central = {"longName": "(GMT-06:00) Central Time (No Daylight Saving)", "shortName": "GMT-6",
                   "offset": -6, "dst": False}  # SFMC's system time zone
        return {
            "exp": int(record.expires_at),
            "iss": "https://mc.exacttarget.com",
            "user": {
                # a stable numeric id per API user: the tenant file names users, SFMC numbers them
                "sub": str(700000001 + index), "name": username, "preferred_username": username,
                "email": f"{username}@emulator.example", "locale": "en-US", "zoneinfo": "America/Chicago",
                "timezone": central,
            },
            "organization": {
                "member_id": record.mid, "enterprise_id": self.emu.enterprise_mid,
                "enterprise_name": enterprise.get("name", ""), "account_type": "enterprise",
                "stack_key": "S1", "region": "NA1",
                "locale": "en-US", "zoneinfo": "America/Chicago", "timezone": central,
            },
            "rest": {"rest_instance_url": instance_urls["rest"], "soap_instance_url": instance_urls["soap"]},
            "application": {
                "id": record.client_id, "name": record.client_id,
                "redirectUrl": list(app.redirect_uris) if app else [],
                "appScopes": record.scope.split(),
            },
            "permissions": [],
        }
