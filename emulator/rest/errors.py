"""REST errors in SFMC's wire shape: {"message", "errorcode", "documentation"} (lower-case errorcode).

The one table mapping domain errors to HTTP statuses and default codes lives here.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from ..domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    QuotaExceeded,
    Unauthorized,
    Unsupported,
)

DOCUMENTATION = "https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/mc-apis/error-handling.htm"

# domain error -> (HTTP status, errorcode when the error carries none)   [doc:error-handling]
DOMAIN_STATUS: dict[type[DomainError], tuple[int, int]] = {
    Invalid: (400, 10000),
    Unsupported: (400, 30001),
    NotFound: (404, 30003),
    Conflict: (409, 30004),
    Forbidden: (403, 20000),
    Unauthorized: (401, 0),
    QuotaExceeded: (429, 50100),
}


def error_response(status: int, message: str, errorcode: int, documentation: str = "",
                   **extra: Any) -> Response:
    body = {"message": message, "errorcode": errorcode, "documentation": documentation, **extra}
    response = jsonify(body)
    response.status_code = status
    return response


def domain_error_response(error: DomainError) -> Response:
    status, default_code = next((mapping for cls, mapping in DOMAIN_STATUS.items() if isinstance(error, cls)),
                                (400, 10000))
    extra = {k: v for k, v in error.extra.items() if k in ("additionalErrors",)}
    documentation = DOCUMENTATION if status == 401 else ""
    response = error_response(status, error.message, error.code if error.code is not None else default_code,
                              documentation, **extra)
    challenge = getattr(error, "www_authenticate", None)  # an expired token (domain/auth.py TokenExpired)
    if challenge:
        response.headers["WWW-Authenticate"] = challenge
    return response


def install_error_handlers(app: Flask) -> None:
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
            return error_response(415, "Unsupported Media Type", 10000)
        if error.code == 400:
            return error_response(400, error.description or "Bad Request", 10000)
        return error_response(error.code or 500, error.name, error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error")
        return error_response(500, "Internal Server Error", 500)
