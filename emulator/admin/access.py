"""Who may use the admin API and the web inspector (every /_emulator path, and `/`).

Bound to loopback (the default) they are open, as a local tool should be. Bound to any other address, or
whenever an admin token is configured (`serve --admin-token`, env SFMC_EMULATOR_ADMIN_TOKEN), a request needs
the token: `Authorization: Bearer TOKEN`, `?token=TOKEN`, or the cookie a `?token=` visit sets (so a browser
can follow the inspector's links). `/_emulator/health` stays open for readiness probes: it tells nothing.
The SOAP, REST and auth APIs are untouched: they have their own credentials.
"""

from __future__ import annotations

import hmac
import ipaddress

from flask import Response, request

from ..config import Config
from ..rest.common import emulator
from ..rest.errors import error_response

PROTECTED_PREFIX = "/_emulator"
# Health tells nothing; click redirects are followed by whoever reads a message, who has no admin token.
OPEN_PATHS = frozenset({"/_emulator/health", "/_emulator/click"})
COOKIE = "sfmc_emulator_admin"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def required_token(config: Config) -> str | None:
    """The token admin requests must carry; None when they need none. Off loopback without a configured
    token nobody gets in (`serve` always configures one there: it generates one if none was given)."""
    if config.admin_token:
        return config.admin_token
    return None if is_loopback(config.host) else ""


def is_protected(path: str) -> bool:
    return (path == "/" or path == PROTECTED_PREFIX or path.startswith(PROTECTED_PREFIX + "/")) \
        and path not in OPEN_PATHS


def _offered_token() -> tuple[str | None, bool]:
    """(token, came from the query string)."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip(), False
    if request.args.get("token"):
        return request.args["token"], True
    return request.cookies.get(COOKIE), False


def check_admin_access() -> Response | None:
    """before_app_request hook: a 401 for an admin/UI request without the right token, else None."""
    if not is_protected(request.path):
        return None
    wanted = required_token(emulator().config)
    if wanted is None:
        return None
    offered, from_query = _offered_token()
    if wanted and offered and hmac.compare_digest(offered.encode(), wanted.encode()):
        if from_query:
            request.environ["sfmc_emulator.set_admin_cookie"] = wanted
        return None
    response = error_response(
        401, "The admin API and inspector need the admin token: send 'Authorization: Bearer TOKEN' or add "
             "?token=TOKEN (set with --admin-token or SFMC_EMULATOR_ADMIN_TOKEN).", 401)
    response.headers["WWW-Authenticate"] = 'Bearer realm="sfmc-emulator admin"'
    return response


def remember_admin_token(response: Response) -> Response:
    """after_app_request hook: a `?token=` visit gets an HttpOnly cookie so the inspector's links work."""
    token = request.environ.get("sfmc_emulator.set_admin_cookie")
    if token:
        response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/")
    return response
