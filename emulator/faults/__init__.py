"""Fault injection: make the next N (or a percentage of) calls matching an operation, path or object type
fail — with a SOAP fault, a SOAP Error result, an HTTP status (429 + Retry-After, 500, 503...) — or be
slowed down, so client retry logic can be tested. Rules come from ``/_emulator/faults`` (routes.py).

This package holds the rules and their bookkeeping; the WSGI layer that applies them and writes the
answers is middleware/faults.py (inside the journal, so every injected answer is journalled).
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..domain import codes
from ..domain.errors import Invalid

if TYPE_CHECKING:
    from ..core import Emulator

KINDS = ("rate_limit", "soap_fault", "soap_error", "http", "latency")


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
