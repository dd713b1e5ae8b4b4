"""Typed domain errors. Each protocol adapter maps them once (soap/results.py, rest/errors.py).

``code`` is SFMC's numeric error code for the failing case where SFMC documents one (SOAP ``ErrorCode``,
REST ``errorcode``); ``message`` is the text SFMC would show.
"""

from __future__ import annotations


class DomainError(Exception):
    http_status = 400

    def __init__(self, message: str, code: int | None = None, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra


class Invalid(DomainError):
    http_status = 400


class NotFound(DomainError):
    http_status = 404


class Conflict(DomainError):
    http_status = 409


class QuotaExceeded(DomainError):
    http_status = 429


class Forbidden(DomainError):
    http_status = 403


class Unauthorized(DomainError):
    http_status = 401


class Unsupported(DomainError):
    """The request names something the API does not offer for this object (e.g. a Perform action)."""

    http_status = 400
