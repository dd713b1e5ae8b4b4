"""The request journal as a WSGI layer: every exchange (method, path, SOAP action and object type, BU,
status, duration, bodies) goes into ``emu.journal`` (store/journal.py, bounded in rows and bytes, oldest
dropped first).

It sits outside fault injection, so injected failures and their latency are journalled too. Admin calls
under ``/_emulator`` are not journalled: the inspector polls them and they would push client traffic out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..journal import (
    ENV_FAULT,
    ENV_MID,
    TRUNCATED,
    is_journalled,
    is_soap_path,
    normalised_path,
    read_body,
    request_headers,
    soap_call,
)
from ..store.journal import JournalEntry

if TYPE_CHECKING:
    from ..core import Emulator

log = logging.getLogger(__name__)



def _text(raw: bytes, limit: int) -> str:
    text = raw.decode("utf-8", errors="replace")
    if len(text) > limit:
        return text[:limit] + TRUNCATED.format(len(text) - limit)
    return text


class JournalMiddleware:
    def __init__(self, app: Callable, emu: Emulator) -> None:
        self.app = app
        self.emu = emu
        emu.journal.cap = max(1, int(emu.config.journal_cap))
        emu.journal.cap_bytes = max(1, int(emu.config.journal_cap_bytes))

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = normalised_path(environ)
        if not is_journalled(path):
            return self.app(environ, start_response)
        started = time.perf_counter()
        body = read_body(environ, self.emu.config.max_body_bytes)
        status: list[str] = []

        def capture(status_line, headers, exc_info=None):
            status[:] = [status_line]
            return start_response(status_line, headers, exc_info)

        result = self.app(environ, capture)
        try:
            chunks = list(result)  # our responses are built in memory; this only joins them
        finally:
            if hasattr(result, "close"):
                result.close()
        try:
            self._record(environ, path, body, status[0] if status else "500", b"".join(chunks), started)
        except Exception:  # the journal must never break an exchange
            log.exception("journal write failed")
        return chunks

    def _record(self, environ, path: str, body: bytes, status_line: str, response: bytes,
                started: float) -> None:
        limit = self.emu.config.journal_body_limit
        action, object_type = soap_call(environ, body) if is_soap_path(path) else (None, None)
        query = environ.get("QUERY_STRING")
        self.emu.journal.add(JournalEntry(
            ts=self.emu.clock.now().timestamp(),
            method=environ.get("REQUEST_METHOD", "GET"),
            path=f"{path}?{query}" if query else path,
            status=int(status_line.split(" ", 1)[0]),
            ms=round((time.perf_counter() - started) * 1000, 3),
            mid=environ.get(ENV_MID),
            action=action,
            object_type=object_type,
            fault=environ.get(ENV_FAULT),
            request=_text(body, limit) or None,
            response=_text(response, limit) or None,
            host=environ.get("HTTP_HOST"),
            headers=request_headers(environ),
        ))
