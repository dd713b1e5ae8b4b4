"""Typed domain errors. Each protocol adapter maps them once: SOAP turns them into an Error result or a
fault (soap/operations.py, soap/service.py), REST into an HTTP status and SFMC's JSON error (web.py).

``code`` is SFMC's error code for the failing case where SFMC documents one, named from its table in
domain/codes.py (SOAP ``ErrorCode``, REST ``errorcode``); ``message`` is the text SFMC would show, by default
the code's own: ``raise NotFound(code=codes.SOAP.SUBSCRIBER_NOT_FOUND)``.
"""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str | None = None, code: int | None = None, **extra: object) -> None:
        if message is None:
            message = str(getattr(code, "message", "") or type(self).__name__)
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra


class Invalid(DomainError):
    """The request is wrong: a missing, malformed or out-of-range value."""


class NotFound(DomainError):
    """What the request names does not exist in the caller's business unit."""


class Conflict(DomainError):
    """It exists already, or its state does not allow the change."""


class QuotaExceeded(DomainError):
    """A limit SFMC enforces (the 500-per-7-days definition quota)."""


class Forbidden(DomainError):
    """The caller may not do this here (a missing scope, another business unit)."""


class Unauthorized(DomainError):
    """No valid credentials."""


class Unsupported(DomainError):
    """The request names something the API does not offer for this object (e.g. a Perform action)."""
