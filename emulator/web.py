"""What every Flask adapter shares: the emulator behind the request, the bearer token and JSON body, error
responses in SFMC's REST shape, the last-resort bookkeeping, and the admin guard.

Errors go out as {"message", "errorcode", "documentation"} (lower-case errorcode); the one table mapping
domain errors to HTTP statuses and default codes lives here (DOMAIN_STATUS).

The admin guard covers every /_emulator path and `/` (docs/sandbox.md, "Admin API access"), in this order:

1. **Host** (DNS rebinding): the Host header must name a loopback host (localhost, *.localhost, 127.0.0.0/8,
   [::1]), the bind host, the host of the public base URL or one of `Config.allowed_hosts`; bound to a
   wildcard address (0.0.0.0, ::) any IP literal too (a rebinding page always reaches us by a name).
   Otherwise 403. The SOAP, REST and auth routes accept any Host: they need credentials anyway, and clients
   reach them through proxies under SFMC's own host names.
2. **Cross-site** (CSRF): a POST, PUT, PATCH or DELETE is refused (403) when `Sec-Fetch-Site` says
   cross-site or same-site, or when an `Origin` header is present and is not this server's own
   (`scheme://Host`). A POST must moreover be one a cross-site page cannot forge without a preflight: a JSON
   body (`Content-Type: application/json`), or the header `X-SFMC-Emulator: 1`, or no body and no
   Content-Type at all (curl -X POST); a form body (urlencoded, multipart, text/plain) only with the
   per-process CSRF token in its `csrf_token` field (or an `X-CSRF-Token` header). The inspector's forms
   get it from the template global `csrf_token()`; see CSRF_FIELD below.
3. **Token**: bound to loopback (the default) admin routes are open, as a local tool should be. Bound to any
   other address, or whenever an admin token is configured (`serve --admin-token`, env
   SFMC_EMULATOR_ADMIN_TOKEN), a request needs the token: `Authorization: Bearer TOKEN`, `?token=TOKEN`, or
   the cookie a `?token=` visit sets (so a browser can follow the inspector's links).

`/_emulator/health` is exempt from all three (readiness probes; it tells nothing). The click redirect is
exempt from 3 (whoever reads a message follows it, without a token).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import secrets
import socket
import threading
import uuid
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, jsonify, redirect, request
from jsonschema import Draft202012Validator
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from . import jsonbody
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
from .jsonbody import BodySchema

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


def json_body(schema: BodySchema | None = None) -> dict[str, Any]:
    """The request's JSON object, read strictly and checked against the route's declared `schema`
    (emulator/jsonbody.py): a 415 or SFMC's 400 otherwise, before any domain code runs."""
    data = jsonbody.read(request.get_data(cache=True), request.headers.get("Content-Type"))
    return schema.check(data) if schema is not None else data


WRONG_SHAPE = codes.REST.INVALID_VALUE
_VALIDATORS: dict[int, Draft202012Validator] = {}


def validated_json(schema: dict[str, Any], empty: Any = None) -> Any:
    """The admin API's bodies: strict JSON (jsonbody.parse, the same reader as the REST routes') checked
    against a JSON Schema (Invalid 10005 naming the first misfit); `empty`, when not None, stands for a
    missing body."""
    raw = request.get_data(cache=True)
    value = empty if empty is not None and not raw.strip() else jsonbody.parse(raw)
    validator = _VALIDATORS.get(id(schema))
    if validator is None:
        validator = _VALIDATORS[id(schema)] = Draft202012Validator(schema)
    error = next(iter(sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "body"
        raise Invalid(f"Invalid request body at {where}: {error.message[:300]}", code=WRONG_SHAPE)
    return value


def query_arg(name: str) -> str | None:
    """A query parameter matched by name case-insensitively (`$pagesize` = `$pageSize`), as SFMC's REST
    stack does: its own paging links echo `$pagesize`/`$orderby` for a `$pageSize`/`$orderBy` request
    (docs: getCampaignCollection), and fuel-rest lower-cases whole URLs. An exact spelling wins."""
    if name in request.args:
        return request.args.get(name)
    wanted = name.lower()
    return next((value for key, value in request.args.items() if key.lower() == wanted), None)



def query_args(*names: str) -> tuple[str | None, ...]:
    """Several query parameters read as query_arg does, in order: a list route's paging arguments."""
    return tuple(query_arg(name) for name in names)


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
            detail = f": {error.description}" if error.description != type(error).description else ""
            return error_response(415, f"Unsupported Media Type{detail}", codes.REST.VALIDATION)
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


# -- query parameters -------------------------------------------------------------------------------------

INT64_MAX = 2**63 - 1  # SQLite's INTEGER: a larger id can name no row


def int_arg(name: str, default: int, lo: int, hi: int) -> int:
    """A paging parameter (`limit`, `offset`, `page`) clamped into [lo, hi]: `limit=-1` (SQLite's "no
    limit") or `limit=10**30` never reach a query; an unparseable value counts as absent."""
    raw = request.args.get(name)
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        value = default
    return max(lo, min(value, hi))


def id_arg(name: str) -> int | None:
    """An id filter (`mid`, `job_id`, `since_id`): None when absent; a 400 when present but not an integer
    SQLite can hold, because dropping a filter the caller asked for would show them everything."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(f"The parameter '{name}' must be an integer.", code=codes.REST.INVALID_VALUE) from None
    if not -INT64_MAX <= value <= INT64_MAX:
        raise Invalid(f"The parameter '{name}' is out of range.", code=codes.REST.INVALID_VALUE)
    return value


class Int64Converter(IntegerConverter):
    """`<int:...>` path segments beyond SQLite's int64 do not match the route (404), so a 20-digit id never
    reaches a query as an integer SQLite cannot bind."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None, max: int | None = INT64_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# -- the admin guard ---------------------------------------------------------------------------------------

PROTECTED_PREFIX = "/_emulator"
HEALTH_PATH = "/_emulator/health"
# Click redirects are followed by whoever reads a message, who has no admin token.
OPEN_PATHS = frozenset({HEALTH_PATH, "/_emulator/click"})
# So are a message's open pixel, unsubscribe and profile-center links (admin/engagement.py): a mail client
# fetches them by the emulator's own host name, so they stay under the Host check.
OPEN_PREFIXES = ("/_emulator/open/", "/_emulator/unsub/", "/_emulator/profile/")
ADMIN_COOKIE = "sfmc_emulator_admin"
_SET_COOKIE = "sfmc_emulator.set_admin_cookie"
_FORM_POST = "sfmc_emulator.csrf_form"

# What an inspector form must carry to POST (PUT/DELETE are not form methods):
#   <form method="post" action="{{ url_for(...) }}">
#     <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
#     <input type="hidden" name="next" value="{{ request.full_path }}">   (optional: 303 back there)
# The token is random per process (per create_app); the form must also be same-origin (it is, when served
# by the inspector). A script may send the token as the X-CSRF-Token header instead.
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
NEXT_FIELD = "next"
# A header no cross-site page can add without a CORS preflight (which we never grant).
ADMIN_HEADER = "X-SFMC-Emulator"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Bodies a cross-site <form> or no-cors fetch can send without a preflight.
SIMPLE_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


def is_loopback(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761: always the loopback
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def host_name(host_header: str) -> str:
    """The host of a Host header without its port, lower-cased; IPv6 keeps no brackets."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value[1:]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def allowed_admin_host(host: str, config: Config) -> bool:
    """Whether a Host header's name (host_name) may reach the admin routes: see the module docstring."""
    host = host.rstrip(".")
    if not host:
        return False
    if is_loopback(host):
        return True
    named = {config.host.lower(), *(h.lower() for h in config.allowed_hosts)}
    if config.public_base_url:
        named.add((urlsplit(config.public_base_url).hostname or "").lower())
    if host in named:
        return True
    if config.host in WILDCARD_HOSTS:
        return _is_ip_literal(host) or host == socket.gethostname().lower()
    return False


def required_admin_token(config: Config) -> str | None:
    """The token admin requests must carry; None when they need none. Off loopback without a configured
    token nobody gets in (`serve` always configures one there: it generates one if none was given)."""
    if config.admin_token:
        return config.admin_token
    return None if is_loopback(config.host) else ""


def is_admin_path(path: str) -> bool:
    return is_guarded_path(path) and path not in OPEN_PATHS and not path.startswith(OPEN_PREFIXES)


def is_guarded_path(path: str) -> bool:
    """Paths under the Host and cross-site checks: the admin API, the inspector and the click redirect."""
    return (path == "/" or path == PROTECTED_PREFIX or path.startswith(PROTECTED_PREFIX + "/")) \
        and path != HEALTH_PATH


def csrf_token() -> str:
    """This process's CSRF token (a Jinja global too): what an inspector form puts in its csrf_token field."""
    return current_app.config["SFMC_CSRF_TOKEN"]


def _refused(message: str) -> Response:
    return error_response(403, message, 403)


def _cross_site_refusal() -> Response | None:
    """Why a state-changing request looks cross-site (a 403), or None. See the module docstring, rule 2."""
    if request.method not in UNSAFE_METHODS:
        return None
    fetch_site = (request.headers.get("Sec-Fetch-Site") or "").lower()
    if fetch_site in ("cross-site", "same-site"):
        return _refused(f"Refused a {fetch_site} {request.method} to the admin API (Sec-Fetch-Site).")
    origin = request.headers.get("Origin")
    # A browser sends `Origin: null` with a form post from a page whose Referrer-Policy is no-referrer (the
    # inspector's); its Sec-Fetch-Site, which no page can set, then still says same-origin.
    if origin == "null" and fetch_site == "same-origin":
        origin = None
    if origin is not None:
        parts = urlsplit(origin) if origin != "null" else None
        own = (request.host or "").lower()
        if parts is None or parts.scheme not in ("http", "https") or parts.netloc.lower() != own:
            return _refused(f"Refused a {request.method} from the foreign origin {origin!r} to the admin API.")
    if request.method != "POST" or request.headers.get(ADMIN_HEADER):
        return None  # PUT/PATCH/DELETE cannot be sent cross-site without a preflight
    content_type = (request.mimetype or "").lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        return None
    if not content_type and not request.content_length and "chunked" not in \
            (request.headers.get("Transfer-Encoding") or "").lower():
        return None  # no body at all: a command-line client (a browser's POST says where it came from)
    if content_type in SIMPLE_CONTENT_TYPES or not content_type:
        offered = request.headers.get(CSRF_HEADER) or (request.form.get(CSRF_FIELD)
                                                       if content_type != "text/plain" else None)
        if offered and hmac.compare_digest(offered.encode(), csrf_token().encode()):
            request.environ[_FORM_POST] = True
            return None
        return _refused("A POST to the admin API needs 'Content-Type: application/json', the header "
                        f"'{ADMIN_HEADER}: 1', or (a form) the inspector's {CSRF_FIELD} field.")
    return None  # any other type (application/xml...) needs a preflight cross-site


def _offered_token() -> tuple[str | None, bool]:
    """(token, came from the query string)."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip(), False
    if request.args.get("token"):
        return request.args["token"], True
    return request.cookies.get(ADMIN_COOKIE), False


def check_admin_access() -> Response | None:
    """before_request hook: a 403 for a foreign Host or a cross-site write, a 401 for an admin/UI request
    without the right token, else None."""
    if not is_guarded_path(request.path):
        return None
    config = emulator().config
    if not allowed_admin_host(host_name(request.host or ""), config):
        return _refused("The admin API and inspector answer only on a loopback host name or the configured "
                        "host (DNS-rebinding protection); add others with --allowed-host.")
    refusal = _cross_site_refusal()
    if refusal is not None or not is_admin_path(request.path):
        return refusal
    wanted = required_admin_token(config)
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


def _safe_next(value: str | None) -> str | None:
    """A form's `next` when it is a path on this server (never `//host` or a scheme: no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in value):
        return None
    return value


def after_admin_request(response: Response) -> Response:
    """after_request hook: a `?token=` visit gets an HttpOnly cookie so the inspector's links work; a
    successful inspector form POST goes back (303) to its `next` page."""
    token = request.environ.get(_SET_COOKIE)
    if token:
        response.set_cookie(ADMIN_COOKIE, token, httponly=True, samesite="Strict", path="/")
    if request.environ.get(_FORM_POST) and response.status_code < 400:
        target = _safe_next(request.form.get(NEXT_FIELD))
        if target:
            return redirect(target, 303)  # See Other
    return response


def install_admin_guard(app: Flask) -> None:
    """App-wide: guards the admin API, the journal, faults, FTP, seed and inspector blueprints and `/`; and
    bounds `<int:...>` route segments to SQLite's int64. Call before registering blueprints."""
    app.url_map.converters["int"] = Int64Converter
    app.config["SFMC_CSRF_TOKEN"] = secrets.token_urlsafe(32)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.before_request(check_admin_access)
    app.after_request(after_admin_request)


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
