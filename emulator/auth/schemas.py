"""The declared shape of a /v2/token body, checked before the domain sees it (issue 10: never a 500).

SFMC documents the fields (mc-app-development/access-token-s2s, access-token-app): strings, except
``account_id`` — a number, which its own examples also send as a string of digits ("12345"). A MID is an
xsd:int on SOAP, so anything outside 1..2^31-1 names no business unit and is refused.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from ..domain.auth import TokenRequest
from ..domain.errors import Invalid, Unsupported

MAX_MID = 2**31 - 1
_TEXT = {"type": "string", "maxLength": 4096}

TOKEN_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "grant_type": {"type": "string", "maxLength": 64},
        "client_id": {"type": "string", "maxLength": 512},
        "client_secret": {"type": "string", "maxLength": 512},
        "account_id": {"anyOf": [
            {"type": "integer", "minimum": 1, "maximum": MAX_MID},
            {"type": "string", "pattern": "^[0-9]{0,10}$"},
            {"type": "null"},
        ]},
        "scope": {"type": ["string", "null"], "maxLength": 4096},
        "code": _TEXT,
        "redirect_uri": _TEXT,
        "refresh_token": _TEXT,
    },
}
_VALIDATOR = Draft202012Validator(TOKEN_REQUEST_SCHEMA)


def _invalid(message: str) -> Invalid:
    return Invalid(message, oauth_error="invalid_request")


def token_request(body: Any) -> TokenRequest:
    """The typed request, or the OAuth refusal SFMC gives: no grant_type is an unsupported grant; any field
    of the wrong type or range an invalid request."""
    if isinstance(body, dict) and body.get("grant_type") in (None, ""):
        raise Unsupported("The grant_type parameter is required.", oauth_error="unsupported_grant_type")
    error = next(iter(sorted(_VALIDATOR.iter_errors(body), key=lambda e: list(e.path))), None)
    if error is not None:
        field = ".".join(str(p) for p in error.path) or "body"
        raise _invalid(f"The request body is invalid: '{field}' is not valid." if error.path
                       else "The request body must be a JSON object or a form.")
    account_id = body.get("account_id")
    mid = int(account_id) if account_id not in (None, "") else None
    if mid is not None and not 1 <= mid <= MAX_MID:
        raise _invalid("The request body is invalid: 'account_id' is not valid.")
    return TokenRequest(
        grant_type=body["grant_type"], client_id=body.get("client_id"), client_secret=body.get("client_secret"),
        account_id=mid, scope=body.get("scope"), code=body.get("code"), redirect_uri=body.get("redirect_uri"),
        refresh_token=body.get("refresh_token"),
    )
