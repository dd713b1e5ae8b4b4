"""Fault injection: make the next N (or a percentage of) calls matching an operation, path or object type
fail — with a SOAP fault, a SOAP Error result, an HTTP status (429 + Retry-After, 500, 503...) — or be
slowed down, so client retry logic can be tested. Rules come from ``/_emulator/faults`` (routes.py).

``FaultMiddleware`` is a WSGI layer inside the journal (journal.py), so every injected answer, and the
delay, is journalled with the rule that caused it in the ``fault`` column.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree
from spyne import Fault

from ..domain import codes
from ..domain.errors import Invalid
from ..domain.schema import PARTNER_NS
from ..journal import ENV_FAULT, is_soap_path, normalised_path, read_body, soap_call
from ..rest.errors import DOCUMENTATION
from ..soap.codec import XSI_TYPE

if TYPE_CHECKING:
    from ..core import Emulator

FAULT_NS = "urn:fault.partner.exacttarget.com"
KINDS = ("rate_limit", "soap_fault", "soap_error", "http", "latency")
REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}
_OBJECTS = re.compile(r"<(?:[\w.-]+:)?(?:Objects|Definition)\b")


@dataclass
class FaultRule:
    id: int
    kind: str
    action: str | None = None  # SOAP operation (SOAPAction / body element): Create, Retrieve, Perform...
    object_type: str | None = None
    method: str | None = None
    path: str | None = None  # prefix, case-insensitive
    path_regex: str | None = None
    times: int | None = None  # remaining matching calls to fail; None with `percent`: until cleared
    percent: float | None = None
    seed: int | None = None
    latency_ms: float = 0.0
    params: dict[str, Any] = field(default_factory=dict)  # faultcode, faultstring, code, status, body...
    hits: int = 0
    _regex: re.Pattern[str] | None = field(default=None, repr=False)
    _random: random.Random | None = field(default=None, repr=False)

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "action": self.action, "object_type": self.object_type,
                "method": self.method, "path": self.path, "path_regex": self.path_regex,
                "times": self.times, "percent": self.percent, "latency_ms": self.latency_ms,
                "hits": self.hits, **self.params}

    def matches(self, method: str, path: str, action: str | None, object_type: str | None) -> bool:
        if self.method and self.method.upper() != method:
            return False
        if self.path and not path.lower().startswith(self.path.lower()):
            return False
        if self._regex is not None and not self._regex.search(path):
            return False
        if self.action and (action or "").lower() != self.action.lower():
            return False
        return not (self.object_type and (object_type or "").lower() != self.object_type.lower())

    def describe(self) -> str:
        what = {"http": f"http {self.params.get('status')}", "soap_fault": "soap fault",
                "soap_error": "soap error result"}.get(self.kind, self.kind)
        return f"rule {self.id}: {what}" + (f" +{self.latency_ms:g} ms" if self.latency_ms and
                                              self.kind != "latency" else "")


def parse_rule(rule_id: int, body: dict[str, Any]) -> FaultRule:
    """A rule from the admin API's JSON; bad input raises Invalid (a 400 in SFMC's JSON shape)."""
    if not isinstance(body, dict):
        raise Invalid("A fault rule must be a JSON object.", code=codes.REST.NOT_AN_OBJECT)
    default: Any = "rate_limit"
    if "status" in body:  # shorthand: {"operation": "Create", "status": 503}
        default = {"type": "http", "status": body["status"], **({"body": body["body"]} if "body" in body else {})}
    elif "latency_ms" in body:
        default = "latency"
    spec = body.get("fault", body.get("kind", default))
    params = dict(spec) if isinstance(spec, dict) else {"type": spec}
    kind = str(params.pop("type", params.pop("kind", "rate_limit")))
    if kind not in KINDS:
        raise Invalid(f"Unknown fault type '{kind}'; use one of {', '.join(KINDS)}.",
                      code=codes.REST.INVALID_VALUE)
    try:
        times = body.get("times")
        percent = body.get("percent")
        rule = FaultRule(
            id=rule_id, kind=kind, action=body.get("action") or body.get("operation"),
            object_type=body.get("object_type"), method=body.get("method"), path=body.get("path"),
            path_regex=body.get("path_regex"),
            times=int(times) if times is not None else (None if percent is not None else 1),
            percent=float(percent) if percent is not None else None, seed=body.get("seed"),
            latency_ms=float(body.get("latency_ms", params.pop("ms", 0)) or 0), params=params)
        if kind == "http":
            params["status"] = int(params.get("status", 500))
        if rule.path_regex:
            rule._regex = re.compile(rule.path_regex)
    except (TypeError, ValueError, re.error) as exc:
        raise Invalid(f"Invalid fault rule: {exc}", code=codes.REST.INVALID_VALUE) from exc
    if rule.percent is not None and not 0 <= rule.percent <= 100:
        raise Invalid("percent must be between 0 and 100.", code=codes.REST.INVALID_VALUE)
    if rule.times is not None and rule.times < 1:
        raise Invalid("times must be at least 1.", code=codes.REST.INVALID_VALUE)
    rule._random = random.Random(rule.seed)
    return rule


class FaultService:
    """The active rules (``emu.services["faults"]``); a reset clears them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 1

    def add(self, body: dict[str, Any]) -> FaultRule:
        with self._lock:
            rule = parse_rule(self._next_id, body)
            self._next_id += 1
            self._rules.append(rule)
            return rule

    def list(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> int:
        with self._lock:
            count = len(self._rules)
            self._rules = []
            return count

    def reset(self) -> None:
        with self._lock:
            self._rules = []
            self._next_id = 1

    @property
    def active(self) -> bool:
        return bool(self._rules)

    def take(self, method: str, path: str, action: str | None, object_type: str | None) -> FaultRule | None:
        """The first rule this call triggers (its count is used up here), or None."""
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path, action, object_type):
                    continue
                if rule.percent is not None and rule._random.random() * 100 >= rule.percent:
                    continue
                rule.hits += 1
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        self._rules.remove(rule)
                return rule
        return None


def faults_of(emu: Emulator) -> FaultService:
    service = emu.services.get("faults")
    if service is None:
        service = emu.services["faults"] = FaultService()
    return service


class FaultMiddleware:
    def __init__(self, app, emu: Emulator) -> None:
        self.app = app
        self.emu = emu
        self.faults = faults_of(emu)

    def __call__(self, environ, start_response):
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
                body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        p = rule.params
        kind = rule.kind
        if kind == "rate_limit":
            if soap:
                return _soap(self.emu, soap_fault_body(self.emu, "Server", "Rate Limited", 17, "Rate Limited"))
            retry = int(p.get("retry_after", 5))
            return _json(429, {"message": "Rate limit exceeded", "errorcode": 50100, "retryAfter": retry,
                               "documentation": DOCUMENTATION}, [("Retry-After", str(retry))])
        if kind == "soap_error" and action in ("Create", "Update", "Delete", "Retrieve", "Perform"):
            return _soap(self.emu, soap_error_body(self.emu, action, object_type, body, p), status=200)
        if kind in ("soap_fault", "soap_error"):
            code = p.get("code")
            return _soap(self.emu, soap_fault_body(
                self.emu, str(p.get("faultcode", "Server")), str(p.get("faultstring", "Injected fault")),
                int(code) if code is not None else None, str(p.get("message", p.get("faultstring", "")))))
        return _http(p)


def _json(status: int, body: Any, headers: list[tuple[str, str]] = ()) -> tuple[int, list, bytes]:
    payload = json.dumps(body).encode()
    return status, [("Content-Type", "application/json; charset=utf-8"), *headers], payload


def _http(p: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
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
        body = {429: {"message": "Rate limit exceeded", "errorcode": 50100},
                503: {"message": "Service Unavailable", "errorcode": 50300},
                500: {"message": "Internal Server Error", "errorcode": 500}}.get(
            status, {"message": REASONS.get(status, "Error"), "errorcode": status})
        body = {**body, "documentation": DOCUMENTATION}
        if status == 429:
            body["retryAfter"] = int(retry)
    return _json(status, body, headers)


def _soap(emu: Emulator, element: etree._Element, status: int = 500, action: str | None = None):
    from ..soap.service import ENVELOPE_NSMAP, FAULT_ACTION, SOAP_ENV, _add_headers

    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=ENVELOPE_NSMAP)
    header = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Header")
    soap_body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    soap_body.append(element)
    response_action = FAULT_ACTION if status == 500 else etree.QName(element).localname.replace("Msg", "")
    _add_headers(emu, header, response_action, None)
    payload = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
    return status, [("Content-Type", "text/xml; charset=utf-8")], payload


def soap_fault_body(emu: Emulator, faultcode: str, faultstring: str, code: int | None,
                    message: str) -> etree._Element:
    """soap:Fault as SFMC writes it; Server faults may carry detail/apifault{Code, Message} [API-FACTS 8]."""
    from ..soap.service import SecurityFault, fault_element

    fault = SecurityFault() if faultcode.endswith("Security") else Fault(faultcode)
    fault.faultstring = faultstring  # set apart: Fault() would put its type name for an empty string
    if code is not None:
        detail = etree.Element(f"{{{FAULT_NS}}}apifault", nsmap={None: FAULT_NS})
        etree.SubElement(detail, f"{{{FAULT_NS}}}Code").text = str(code)
        etree.SubElement(detail, f"{{{FAULT_NS}}}Message").text = message or faultstring
        fault.detail = detail
    return fault_element(fault, emu.base_url + "/Service.asmx")


def soap_error_body(emu: Emulator, action: str, object_type: str | None, body: bytes,
                    p: dict[str, Any]) -> etree._Element:
    """The operation's normal response with every object failed (StatusCode Error, ErrorCode)."""
    from ..soap.service import MESSAGES

    message = str(p.get("message", p.get("status_message", "Injected error")))
    error_code = str(int(p.get("error_code", p.get("code", 2))))
    count = max(1, len(_OBJECTS.findall(body.decode("utf-8", errors="replace"))))

    def sub(parent, name, text=None):
        el = etree.SubElement(parent, f"{{{PARTNER_NS}}}{name}")
        if text is not None:
            el.text = text
        return el

    root = etree.Element(f"{{{PARTNER_NS}}}{MESSAGES[action][1]}", nsmap={None: PARTNER_NS})
    if action == "Retrieve":
        sub(root, "OverallStatus", f"Error: {message}")
        sub(root, "RequestID", emu.ids.guid())
        return root
    results = sub(root, "Results") if action == "Perform" else None
    for ordinal in range(count):
        result = sub(results, "Result") if results is not None else sub(root, "Results")
        sub(result, "StatusCode", "Error")
        sub(result, "StatusMessage", message)
        sub(result, "OrdinalID", str(ordinal))
        sub(result, "ErrorCode", error_code)
        if action == "Create":
            sub(result, "NewID", "0")
        else:  # Update/Delete/Perform results require the (echoed) object
            sub(result, "Object").set(XSI_TYPE, object_type or "APIObject")
        if action == "Perform":
            task = sub(result, "Task")
            sub(task, "StatusCode", "Error")
            sub(task, "StatusMessage", message)
    if action == "Perform":
        sub(root, "OverallStatus", "Error")
        sub(root, "OverallStatusMessage", "")
        sub(root, "RequestID", emu.ids.guid())
    else:
        sub(root, "RequestID", emu.ids.guid())
        sub(root, "OverallStatus", "Error")
    return root
