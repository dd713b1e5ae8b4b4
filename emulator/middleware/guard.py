"""The last resort, outermost in the WSGI stack: an exception nothing inside handled — raised by the
application, by another layer, after start_response or while the body is iterated — is logged with its
traceback, counted on ``emu.guard_hits``, and answered in the protocol's own shape: a SOAP 1.1 soap:Server
fault on the SOAP endpoint, SFMC's JSON error elsewhere. Never the WSGI server's text/plain page.

To be able to replace a response that fails half way, the guard holds the status, headers and body until
the body is complete (every response here is built in memory anyway) and only then hands them on. The
one exception is a server-sent event stream (the inspector's live outbox): it is passed on as it comes, and
a failure inside it ends the stream (logged and counted) since its headers are already sent.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..journal import is_soap_path, normalised_path
from ..soap.envelopes import envelope, fault_body
from ..web import DOCUMENTATION, error_body, record_unexpected

if TYPE_CHECKING:
    from ..core import Emulator

log = logging.getLogger(__name__)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
# Written by hand so it survives whatever broke the envelope builders.
FALLBACK_SOAP = (b'<?xml version="1.0" encoding="utf-8"?>'
                 b'<soap:Envelope xmlns:soap="' + SOAP_ENV.encode() + b'"><soap:Body><soap:Fault>'
                 b'<faultcode>soap:Server</faultcode><faultstring>Server was unable to process request.'
                 b'</faultstring></soap:Fault></soap:Body></soap:Envelope>')


class LastResortGuard:
    def __init__(self, app: Callable, emu: Emulator) -> None:
        self.app = app
        self.emu = emu

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        soap = is_soap_path(normalised_path(environ)) and environ.get("REQUEST_METHOD") == "POST"
        where = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"  # inner layers rewrite it
        started: list[tuple[str, list]] = []
        chunks: list[bytes] = []

        def hold(status: str, headers: list, exc_info=None) -> Callable[[bytes], None]:
            started[:] = [(status, headers)]  # nothing is sent yet, so a later call may replace it
            return chunks.append  # the legacy write(): its bytes come before the iterable's

        try:
            result = self.app(environ, hold)
            if started and _is_stream(started[0][1]):
                start_response(*started[0])
                return self._stream(result, where)
            try:
                for chunk in result:
                    chunks.append(chunk)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            if not started:
                raise RuntimeError("the application returned without calling start_response")
        except Exception:
            error_id = record_unexpected(self.emu, where)
            status, headers, payload = self._answer(soap, error_id)
            start_response(status, [*headers, ("Content-Length", str(len(payload)))])
            return [payload]
        start_response(*started[0])
        return chunks

    def _stream(self, result: Iterable[bytes], where: str) -> Iterable[bytes]:
        try:
            yield from result
        except Exception:
            record_unexpected(self.emu, where)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()

    def _answer(self, soap: bool, error_id: str) -> tuple[str, list[tuple[str, str]], bytes]:
        if soap:
            message = f"Server was unable to process request. ---> Unexpected error, ErrorID: {error_id}"
            try:
                payload = envelope(self.emu, fault_body(self.emu, "Server", message), headers=False)
            except Exception:  # the builders themselves are broken: the hand-written fault
                log.exception("the SOAP fault builder failed; answering the fallback fault")
                payload = FALLBACK_SOAP
            return "500 Internal Server Error", [("Content-Type", "text/xml; charset=utf-8")], payload
        body = error_body(f"Internal Server Error (ErrorID {error_id})", 500, DOCUMENTATION)
        return "500 Internal Server Error", [("Content-Type", "application/json")], json.dumps(body).encode()



def _is_stream(headers: list[tuple[str, str]]) -> bool:
    return any(name.lower() == "content-type" and value.startswith("text/event-stream") for name, value in headers)
