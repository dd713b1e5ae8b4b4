"""One log line per request (logger `sfmc_emulator.requests`, INFO), e.g.

    POST /Service.asmx Retrieve List 200 3.1 ms
    POST /v2/token 200 0.9 ms

For SOAP the line names the action and the object type (read from the envelope: RetrieveRequest's
ObjectType, or the first xsi:type of Objects/Definitions). `sfmc-emulator serve` logs at INFO; the in-process
test server leaves logging alone, and then the wrapper costs one level check per request.

`serve` writes its log lines off the request path (`log_off_request_path`): a request thread only puts the
record on a queue. Eight waitress threads writing through one StreamHandler queued on its lock (py-spy,
issue 13): with the log on, `/_emulator/health` fell from ~2,900 to 85–230 requests/s at 16 connections.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable, Iterable, Iterator
from logging.handlers import QueueHandler, QueueListener

from ..journal import read_body, read_soap, soap_call

log = logging.getLogger("sfmc_emulator.requests")

def soap_summary(body: bytes, soap_action: str | None) -> tuple[str, str | None]:
    """(action, object type or None) of a SOAP request: the journal's reading of it (emulator/journal.py)."""
    action, object_type = read_soap(body, soap_action)
    return action or "?", object_type


class RequestLog:
    """WSGI wrapper: times each request until its response iterable is closed, then logs one line (inside
    the last-resort guard, which closes it once the body is complete, just before handing it on)."""

    def __init__(self, app: Callable, soap_path: str = "/service.asmx") -> None:
        self.app = app
        self.soap_path = soap_path

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not log.isEnabledFor(logging.INFO):
            return self.app(environ, start_response)
        began = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "?")
        path = environ.get("PATH_INFO", "") or "/"
        what = path
        if method == "POST" and path.rstrip("/").lower().endswith(self.soap_path):
            action, object_type = soap_call(environ, read_body(environ))  # parsed once for every layer
            action = action or "?"
            what = f"{path} {action}" + (f" {object_type}" if object_type else "")
        status: list[str] = ["-"]

        def recording_start_response(status_line: str, headers: list, exc_info=None):
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, exc_info)

        def done() -> None:
            log.info("%s %s %s %.1f ms", method, what, status[0], (time.perf_counter() - began) * 1000)

        return Closing(self.app(environ, recording_start_response), done)


class Closing:
    """A response iterable that calls `after` once the server has closed it (the body is sent); the
    response is let go first, so what `after` does (the CLI's heap trim) sees its memory free."""

    def __init__(self, response: Iterable[bytes], after: Callable[[], object]) -> None:
        self.response = response
        self.after = after

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.response)

    def close(self) -> None:
        try:
            close = getattr(self.response, "close", None)
            if close is not None:
                close()
        finally:
            self.response = ()
            self.after()


class LockFreeQueueHandler(QueueHandler):
    """A QueueHandler that takes no handler lock: its one action, putting the record on a SimpleQueue, is
    already thread-safe (Handler.handle would serialise every thread on the lock for it)."""

    def handle(self, record: logging.LogRecord) -> bool:
        if not self.filter(record):
            return False
        self.emit(record)
        return True


def log_off_request_path(logger: logging.Logger | None = None) -> QueueListener:
    """Move `logger`'s handlers (default: the root's, as basicConfig set them) behind a queue drained by one
    writer thread. Records keep their own time and order (one queue, one writer); stop the returned
    listener to write what is queued before exit."""
    logger = logger if logger is not None else logging.getLogger()
    records: queue.SimpleQueue = queue.SimpleQueue()
    handlers = list(logger.handlers)
    listener = QueueListener(records, *handlers, respect_handler_level=True)
    for handler in handlers:
        logger.removeHandler(handler)
    logger.addHandler(LockFreeQueueHandler(records))
    listener.start()
    return listener
