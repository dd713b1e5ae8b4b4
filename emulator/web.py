"""What every Flask adapter shares: the emulator behind the request, the bearer token and JSON body, error
responses in SFMC's REST shape, the last-resort bookkeeping, and the admin guard.

Errors go out as {"message", "errorcode", "documentation"} (lower-case errorcode); the one table mapping
domain errors to HTTP statuses and default codes lives here (DOMAIN_STATUS).

The admin guard covers every /_emulator path and `/`: bound to loopback (the default) they are open, as a
local tool should be. Bound to any other address, or whenever an admin token is configured
(`serve --admin-token`, env SFMC_EMULATOR_ADMIN_TOKEN), a request needs the token: `Authorization: Bearer
TOKEN`, `?token=TOKEN`, or the cookie a `?token=` visit sets (so a browser can follow the inspector's links).
`/_emulator/health` stays open for readiness probes: it tells nothing. The SOAP, REST and auth APIs are
untouched: they have their own credentials.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import threading
import uuid
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from .config import Config
from .domain import codes
from .domain.context import CallContext
from .domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    QuotaExceeded,
    Unauthorized,
    Unsupported,
)
from .journal import ENV_MID

if TYPE_CHECKING:
    from .core import Emulator

log = logging.getLogger("sfmc_emulator.unexpected")

DOCUMENTATION = "https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/mc-apis/error-handling.htm"

# domain error -> (HTTP status, errorcode when the error carries none)   [doc:error-handling]
DOMAIN_STATUS: dict[type[DomainError], tuple[int, int]] = {
    Invalid: (400, codes.REST.VALIDATION),
    Unsupported: (400, codes.REST.INVALID_OPERATION),
    NotFound: (404, codes.REST.NOT_FOUND),
    Conflict: (409, codes.REST.ALREADY_EXISTS),
    Forbidden: (403, codes.REST.FORBIDDEN),
    Unauthorized: (401, codes.REST.NOT_AUTHORIZED),
    QuotaExceeded: (429, codes.REST.RATE_LIMITED),
}


# -- the request's emulator and caller -------------------------------------------------------------------

def emulator() -> Emulator:
    return current_app.config["EMULATOR"]


def base_url() -> str:
    """The URL clients reached us by (so advertised URLs work behind any host name or port)."""
    return emulator().config.public_base_url or request.host_url.rstrip("/")


def bearer_context(scope: str | None = None) -> CallContext:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else None
    call = emulator().auth.context_for_token(token, ("oauth2", "legacy"))
    if scope and not call.has_scope(scope):
        raise Forbidden(f"Insufficient privileges: the token lacks the scope '{scope}'.", code=codes.REST.INSUFFICIENT_SCOPE)
    return call


def requires_token(scope: str | None = None) -> Callable[[Callable], Callable]:
    """Route decorator: authenticate the bearer token (401 otherwise) and put the caller in g.call."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            g.call = bearer_context(scope)
            request.environ[ENV_MID] = g.call.mid  # for the request journal
            return view(*args, **kwargs)

        return wrapper

    return decorate


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 with SFMC's malformed-JSON code."""
    data = request.get_json(silent=True, force=True)
    if data is None:
        raise Invalid("Malformed JSON in request body.", code=codes.REST.MALFORMED_JSON)
    if not isinstance(data, dict):
        raise Invalid("The request body must be a JSON object.", code=codes.REST.NOT_AN_OBJECT)
    return data


def query_arg(name: str) -> str | None:
    """A query parameter matched by name case-insensitively (`$pagesize` = `$pageSize`), as SFMC's REST
    stack does: its own paging links echo `$pagesize`/`$orderby` for a `$pageSize`/`$orderBy` request
    (docs: getCampaignCollection), and fuel-rest lower-cases whole URLs. An exact spelling wins."""
    if name in request.args:
        return request.args.get(name)
    wanted = name.lower()
    return next((value for key, value in request.args.items() if key.lower() == wanted), None)


# -- error responses ---------------------------------------------------------------------------------------

def error_body(message: str, errorcode: int, documentation: str = "", **extra: Any) -> dict[str, Any]:
    """SFMC's REST error object; also written outside Flask (fault injection, the last-resort guard)."""
    return {"message": message, "errorcode": errorcode, "documentation": documentation, **extra}


def error_response(status: int, message: str, errorcode: int, documentation: str = "",
                   **extra: Any) -> Response:
    response = jsonify(error_body(message, errorcode, documentation, **extra))
    response.status_code = status
    return response


def domain_error_response(error: DomainError) -> Response:
    status, default_code = next((mapping for cls, mapping in DOMAIN_STATUS.items() if isinstance(error, cls)),
                                (400, codes.REST.VALIDATION))
    extra = {k: v for k, v in error.extra.items() if k in ("additionalErrors", "validationErrors")}
    documentation = DOCUMENTATION if status == 401 else ""
    response = error_response(status, error.message, error.code if error.code is not None else default_code,
                              documentation, **extra)
    challenge = getattr(error, "www_authenticate", None)  # an expired token (domain/auth.py TokenExpired)
    if challenge:
        response.headers["WWW-Authenticate"] = challenge
    return response


def install_error_handlers(app: Flask) -> None:
    """Domain and HTTP errors answered in SFMC's shape. Anything else propagates (PROPAGATE_EXCEPTIONS) to
    the last-resort guard outside (middleware/guard.py), the one place an unexpected error is answered."""
    app.config["PROPAGATE_EXCEPTIONS"] = True

    @app.errorhandler(DomainError)
    def _domain(error: DomainError):
        return domain_error_response(error)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code == 404:
            return error_response(404, "Not Found", 404, DOCUMENTATION)
        if error.code == 413:
            return error_response(413, f"Request Entity Too Large: {error.description}", 413)
        if error.code == 415:
            return error_response(415, "Unsupported Media Type", codes.REST.VALIDATION)
        if error.code == 400:
            return error_response(400, error.description or "Bad Request", codes.REST.VALIDATION)
        return error_response(error.code or 500, error.name, error.code or 500)


# -- the last resort's bookkeeping ---------------------------------------------------------------------

_hits_lock = threading.Lock()


def record_unexpected(emu: Emulator, where: str) -> str:
    """Log the exception being handled with its traceback, count it on ``emu.guard_hits`` (hostile-input
    tests assert it stays 0) and return the error id quoted to the client. Call from an `except` block."""
    error_id = str(uuid.uuid4())  # not emu.ids: an error must not shift a seeded id sequence
    log.exception("unexpected error in %s (ErrorID %s)", where, error_id)
    with _hits_lock:
        emu.guard_hits = getattr(emu, "guard_hits", 0) + 1
    return error_id


# -- the admin guard ---------------------------------------------------------------------------------------

PROTECTED_PREFIX = "/_emulator"
# Health tells nothing; click redirects are followed by whoever reads a message, who has no admin token.
OPEN_PATHS = frozenset({"/_emulator/health", "/_emulator/click"})
ADMIN_COOKIE = "sfmc_emulator_admin"
_SET_COOKIE = "sfmc_emulator.set_admin_cookie"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def required_admin_token(config: Config) -> str | None:
    """The token admin requests must carry; None when they need none. Off loopback without a configured
    token nobody gets in (`serve` always configures one there: it generates one if none was given)."""
    if config.admin_token:
        return config.admin_token
    return None if is_loopback(config.host) else ""


def is_admin_path(path: str) -> bool:
    return (path == "/" or path == PROTECTED_PREFIX or path.startswith(PROTECTED_PREFIX + "/")) \
        and path not in OPEN_PATHS


def _offered_token() -> tuple[str | None, bool]:
    """(token, came from the query string)."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip(), False
    if request.args.get("token"):
        return request.args["token"], True
    return request.cookies.get(ADMIN_COOKIE), False


def check_admin_access() -> Response | None:
    """before_request hook: a 401 for an admin/UI request without the right token, else None."""
    if not is_admin_path(request.path):
        return None
    wanted = required_admin_token(emulator().config)
    if wanted is None:
        return None
    offered, from_query = _offered_token()
    if wanted and offered and hmac.compare_digest(offered.encode(), wanted.encode()):
        if from_query:
            request.environ[_SET_COOKIE] = wanted
        return None
    response = error_response(
        401, "The admin API and inspector need the admin token: send 'Authorization: Bearer TOKEN' or add "
             "?token=TOKEN (set with --admin-token or SFMC_EMULATOR_ADMIN_TOKEN).", 401)
    response.headers["WWW-Authenticate"] = 'Bearer realm="sfmc-emulator admin"'
    return response


def remember_admin_token(response: Response) -> Response:
    """after_request hook: a `?token=` visit gets an HttpOnly cookie so the inspector's links work."""
    token = request.environ.get(_SET_COOKIE)
    if token:
        response.set_cookie(ADMIN_COOKIE, token, httponly=True, samesite="Strict", path="/")
    return response


def install_admin_guard(app: Flask) -> None:
    """App-wide: guards the admin API, the journal, faults, FTP, seed and inspector blueprints and `/`."""
    app.before_request(check_admin_access)
    app.after_request(remember_admin_token)


JOURNAL_FILTERS = ("protocol", "action", "object_type", "status", "path", "q", "method")


def journal_filters() -> dict[str, Any]:
    """The journal filters of a query string, shared by the inspector's journal page and its export of the
    selection (`bu` filters by BU; `mid` only picks the page's BU)."""
    args = request.args
    found: dict[str, Any] = {k: args.get(k, "").strip() for k in JOURNAL_FILTERS if args.get(k, "").strip()}
    for key in ("bu", "since_id", "until_id"):
        if args.get(key, type=int) is not None:
            found["mid" if key == "bu" else key] = args.get(key, type=int)
    return found
