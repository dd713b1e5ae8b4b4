"""Fault injection as a WSGI layer: a call matching an active rule (emulator/faults) is answered here with
the rule's failure — a SOAP fault, a SOAP Error result, an HTTP status — or delayed, before the
application sees it. It sits inside the journal, so every injected answer, and the delay, is journalled with
the rule that caused it in the ``fault`` column."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..domain import codes
from ..faults import FaultRule, faults_of
from ..journal import ENV_FAULT, is_soap_path, normalised_path, read_body, soap_call
from ..soap.envelopes import envelope, error_results_body, fault_body
from ..web import DOCUMENTATION

if TYPE_CHECKING:
    from ..core import Emulator

REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}
Answer = tuple[int, list[tuple[str, str]], bytes]


class FaultMiddleware:
    def __init__(self, app: Callable, emu: Emulator) -> None:
        self.app = app
        self.emu = emu
        self.faults = faults_of(emu)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if not self.faults.active:  # the common case costs one attribute read
            return self.app(environ, start_response)
        path = normalised_path(environ)
        if path.startswith("/_emulator"):
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET").upper()
        soap = is_soap_path(path) and method == "POST"
        body = b""
        action = object_type = None
        if soap:
            body = read_body(environ, self.emu.config.max_body_bytes)
            action, object_type = soap_call(environ, body)
        rule = self.faults.take(method, path, action, object_type)
        if rule is None:
            return self.app(environ, start_response)
        environ[ENV_FAULT] = rule.describe()
        if rule.latency_ms:
            time.sleep(rule.latency_ms / 1000)
        if rule.kind == "latency":
            return self.app(environ, start_response)
        status, headers, payload = self._answer(rule, soap, action, object_type, body)
        start_response(f"{status} {REASONS.get(status, 'Error')}",
                       [*headers, ("Content-Length", str(len(payload)))])
        return [payload]

    def _answer(self, rule: FaultRule, soap: bool, action: str | None, object_type: str | None,
                body: bytes) -> Answer:
        p = rule.params
        kind = rule.kind
        if kind == "rate_limit":
            if soap:
                return _soap(self.emu, fault_body(self.emu, "Server", "Rate Limited", 17, "Rate Limited"))
            retry = int(p.get("retry_after", 5))
            return _json(429, {"message": "Rate limit exceeded", "errorcode": codes.REST.RATE_LIMITED, "retryAfter": retry,
                               "documentation": DOCUMENTATION}, [("Retry-After", str(retry))])
        if kind == "soap_error" and action in ("Create", "Update", "Delete", "Retrieve", "Perform"):
            return _soap(self.emu, error_results_body(self.emu, action, object_type, body, p), status=200)
        if kind in ("soap_fault", "soap_error"):
            code = p.get("code")
            return _soap(self.emu, fault_body(
                self.emu, str(p.get("faultcode", "Server")), str(p.get("faultstring", "Injected fault")),
                int(code) if code is not None else None, str(p.get("message", p.get("faultstring", "")))))
        return _http(p)


def _json(status: int, body: Any, headers: list[tuple[str, str]] = ()) -> Answer:
    payload = json.dumps(body).encode()
    return status, [("Content-Type", "application/json; charset=utf-8"), *headers], payload


def _http(p: dict[str, Any]) -> Answer:
    """An HTTP failure; without a body, SFMC's JSON error for that status [doc:error-handling]."""
    status = int(p["status"])
    headers = [(str(k), str(v)) for k, v in (p.get("headers") or {}).items()]
    retry = p.get("retry_after", 5 if status in (429, 503) else None)
    if retry is not None and not any(k.lower() == "retry-after" for k, _ in headers):
        headers.append(("Retry-After", str(int(retry))))
    body = p.get("body")
    if isinstance(body, str):
        kind = next((v for k, v in headers if k.lower() == "content-type"), "text/plain; charset=utf-8")
        return status, [("Content-Type", kind), *[h for h in headers if h[0].lower() != "content-type"]], \
            body.encode()
    if body is None:
        body = {429: {"message": "Rate limit exceeded", "errorcode": codes.REST.RATE_LIMITED},
                503: {"message": "Service Unavailable", "errorcode": codes.REST.SERVICE_UNAVAILABLE},
                500: {"message": "Internal Server Error", "errorcode": 500}}.get(
            status, {"message": REASONS.get(status, "Error"), "errorcode": status})
        body = {**body, "documentation": DOCUMENTATION}
        if status == 429:
            body["retryAfter"] = int(retry)
    return _json(status, body, headers)


def _soap(emu: Emulator, element: Any, status: int = 500) -> Answer:
    payload = envelope(emu, element, fault=status == 500)
    return status, [("Content-Type", "text/xml; charset=utf-8")], payload
