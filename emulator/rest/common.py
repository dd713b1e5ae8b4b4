"""What every REST route needs: the bearer token, the JSON body."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from flask import current_app, g, request

from ..domain import codes
from ..domain.context import CallContext
from ..domain.errors import Forbidden, Invalid

if TYPE_CHECKING:
    from ..core import Emulator


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
        raise Forbidden(f"Insufficient privileges: the token lacks the scope '{scope}'.",
                        code=codes.REST.INSUFFICIENT_SCOPE)
    return call


def requires_token(scope: str | None = None) -> Callable[[Callable], Callable]:
    """Route decorator: authenticate the bearer token (401 otherwise) and put the caller in g.call."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            g.call = bearer_context(scope)
            request.environ["sfmc.mid"] = g.call.mid  # for the request journal (journal.py)
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
