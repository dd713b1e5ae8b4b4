"""Run scenarios against a fresh in-process emulator (or any base URL) and report structural diffs.

A fresh emulator is reset before each scenario, its id source seeded (scenario `seed:`, else the runner's
seed) and its clock frozen at the scenario's `clock:`: with a seed and a clock, two runs give
byte-identical answers. Against `--target URL` the runner never resets (it may be someone's sandbox); it
sets the clock only when the target is an emulator (it answers /_emulator/health).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import requests
import yaml
from lxml import etree

from ..config import fixtures_dir
from .diff import BodyError, body_kind, diff_body, parse_xml
from .scenario import Exchange, Scenario, ScenarioError, load_scenario
from .template import Lookup, UnknownVariable, lookup_in, matches, substitute, substitute_any

NAMESPACES = {
    "soap": "http://schemas.xmlsoap.org/soap/envelope/",
    "p": "http://exacttarget.com/wsdl/partnerAPI",
    "wsa": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "fault": "urn:fault.partner.exacttarget.com",
}
# Deterministic runs advertise this base URL instead of one carrying the ephemeral port.
DETERMINISTIC_BASE_URL = "http://sfmc-emulator.test"


@dataclass
class ExchangeResult:
    exchange: Exchange
    outcome: str  # passed | failed | skipped | error
    messages: list[str] = field(default_factory=list)
    status: int | None = None
    raw: bytes | None = None  # the answer's body, byte for byte


@dataclass
class ScenarioResult:
    scenario: Scenario
    results: list[ExchangeResult] = field(default_factory=list)
    skipped: str | None = None  # why the whole scenario was skipped

    @property
    def outcome(self) -> str:
        if self.skipped:
            return "skipped"
        if any(r.outcome in ("failed", "error") for r in self.results):
            return "failed"
        return "passed"


# -- targets ------------------------------------------------------------------
class Target:
    """Where requests go, the credentials the built-in variables carry, and which features exist."""

    def __init__(self, base_url: str, credentials: dict[str, Any], admin: bool) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.admin = admin
        self.http = requests.Session()
        self._features: dict[str, tuple[bool, str]] = {}
        self._tokens: dict[str, str] = {}
        self._clock_moved = False

    # Built-in variables; tokens are fetched on first use, once per scenario.
    def builtin(self, name: str) -> str | None:
        if name in ("access_token", "legacy_token"):
            if name not in self._tokens:
                self._tokens[name] = self._fetch_token(legacy=name == "legacy_token")
            return self._tokens[name]
        values = {"base_url": self.advertised_url, "soap_url": f"{self.advertised_url}/Service.asmx",
                  **{k: str(v) for k, v in self.credentials.items() if v is not None}}
        return values.get(name)

    @property
    def advertised_url(self) -> str:
        return self.base_url

    def _fetch_token(self, legacy: bool) -> str:
        c = self.credentials
        if legacy:
            response = self.http.post(f"{self.base_url}/v1/requestToken?legacy=1", timeout=30,
                                      json={"clientId": c["client_id"], "clientSecret": c["client_secret"]})
            key = "legacyToken"
        else:
            response = self.http.post(f"{self.base_url}/v2/token", timeout=30,
                                      json={"grant_type": "client_credentials", "client_id": c["client_id"],
                                            "client_secret": c["client_secret"]})
            key = "access_token"
        if response.status_code != 200 or key not in response.json():
            raise UnknownVariable(f"{'legacy_token' if legacy else 'access_token'} (token request answered "
                                  f"{response.status_code})")
        return response.json()[key]

    def prepare(self, scenario: Scenario, seed: int | None) -> None:
        self._tokens.clear()
        if self.admin and scenario.clock:
            self.http.post(f"{self.base_url}/_emulator/clock", json={"freeze": True, "set": scenario.clock},
                           timeout=30).raise_for_status()
            self._clock_moved = True

    def has_feature(self, name: str) -> tuple[bool, str]:
        if name not in self._features:
            self._features[name] = probe(self, name)
        return self._features[name]

    def close(self) -> None:
        if self._clock_moved:  # give the target its real-time clock back
            self.http.post(f"{self.base_url}/_emulator/clock", json={"reset": True}, timeout=30)
        self.http.close()


class InProcessTarget(Target):
    """A fresh emulator in this process (emulator.testing.start), reset before every scenario."""

    def __init__(self, seed: int | None = None) -> None:
        from ..config import Config
        from ..testing import start

        self.mc = start(Config(port=0, id_seed=seed))
        self.default_seed = seed
        super().__init__(self.mc.base_url, _credentials_of(self.mc.emu.tenant), admin=True)

    @property
    def advertised_url(self) -> str:
        return self.mc.emu.base_url

    def prepare(self, scenario: Scenario, seed: int | None) -> None:
        from ..clock import parse_datetime

        emu = self.mc.emu
        seed = scenario.seed if scenario.seed is not None else seed if seed is not None else self.default_seed
        emu.reset()  # jobs idle, fault rules gone, clock back to real time
        if seed is not None or scenario.clock:
            # Rebuild the default tenant under this scenario's seed and clock (not from the reset's snapshot,
            # which holds the first seed's state), so its ids and dates are reproducible too.
            from ..domain.tenants import seed_tenant

            emu.store.wipe()
            emu.ids.reseed(seed)
            if scenario.clock:
                emu.clock.freeze(parse_datetime(str(scenario.clock)))
            seed_tenant(emu, emu.tenant)
        # Answers must not depend on the ephemeral port when they are meant to be reproducible.
        emu.config.public_base_url = DETERMINISTIC_BASE_URL if seed is not None else None
        emu.base_url = emu.config.public_base_url or self.mc.base_url
        self._tokens.clear()

    def close(self) -> None:
        super().close()
        self.mc.stop()


def _credentials_of(tenant: dict[str, Any]) -> dict[str, Any]:
    user = tenant["api_users"][0]
    bus = tenant["business_units"]
    return {"username": user["username"], "password": user["password"],
            "client_id": tenant["installed_package"]["client_id"],
            "client_secret": tenant["installed_package"]["client_secret"],
            "parent_mid": bus[0]["mid"], "child_mid": bus[1]["mid"] if len(bus) > 1 else None}


def remote_target(base_url: str, tenant_file: str | None = None) -> Target:
    path = Path(tenant_file) if tenant_file else fixtures_dir() / "default-tenant.yaml"
    credentials = _credentials_of(yaml.safe_load(path.read_text()))
    target = Target(base_url, credentials, admin=False)
    try:
        target.admin = target.http.get(f"{target.base_url}/_emulator/health", timeout=5).status_code == 200
    except requests.RequestException:
        target.admin = False
    return target


# -- feature probes -----------------------------------------------------------
_PROBE_ENVELOPE = """<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Header><wsse:Security
 xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
 <wsse:UsernameToken><wsse:Username>{username}</wsse:Username><wsse:Password>{password}</wsse:Password>
 </wsse:UsernameToken></wsse:Security></soapenv:Header><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"""
_PERFORM_PROBES = {"sends": "EmailSendDefinition", "imports": "ImportDefinition",
                   "triggered_sends": "TriggeredSendDefinition"}


def _probe_soap(target: Target, action: str, body: str) -> requests.Response:
    return target.http.post(
        f"{target.base_url}/Service.asmx", timeout=30,
        data=_PROBE_ENVELOPE.format(body=body, **target.credentials).encode(),
        headers={"SOAPAction": action, "Content-Type": "text/xml; charset=utf-8"})


def probe(target: Target, feature: str) -> tuple[bool, str]:
    """Whether the target implements a feature, asked the way a client would (no state is changed)."""
    try:
        if feature in _PERFORM_PROBES:
            type_name = _PERFORM_PROBES[feature]
            body = ('<PerformRequestMsg xmlns="http://exacttarget.com/wsdl/partnerAPI"><Action>start</Action>'
                    f'<Definitions><Definition xsi:type="{type_name}"><CustomerKey>__replay_probe__'
                    "</CustomerKey></Definition></Definitions></PerformRequestMsg>")
            response = _probe_soap(target, "Perform", body)
            unsupported = b"<ErrorCode>100</ErrorCode>" in response.content or b"not supported" in response.content
            return (not unsupported, f"Perform start on {type_name} is not supported by the target")
        if feature == "transactional":
            token = target.builtin("access_token")
            response = target.http.get(f"{target.base_url}/messaging/v1/email/definitions", timeout=30,
                                       headers={"Authorization": f"Bearer {token}"})
            return (response.status_code != 404, "the target has no /messaging/v1/email/definitions route")
        if feature == "data_extensions":
            body = ('<RetrieveRequestMsg xmlns="http://exacttarget.com/wsdl/partnerAPI"><RetrieveRequest>'
                    "<ObjectType>DataExtensionObject[__replay_probe__]</ObjectType><Properties>x</Properties>"
                    "</RetrieveRequest></RetrieveRequestMsg>")
            response = _probe_soap(target, "Retrieve", body)
            missing = b"Unsupported" in response.content or b"not supported" in response.content \
                or response.status_code != 200
            return (not missing, "the target cannot retrieve DataExtensionObject rows")
    except (requests.RequestException, UnknownVariable) as exc:
        return (False, f"probe for '{feature}' failed: {exc}")
    return (False, f"unknown feature '{feature}'")


# -- running ------------------------------------------------------------------
class ScenarioRunner:
    def __init__(self, target: Target, seed: int | None = None,
                 on_exchange: Callable[[ExchangeResult], None] | None = None) -> None:
        self.target = target
        self.seed = seed
        self.on_exchange = on_exchange or (lambda result: None)

    def run(self, scenario: Scenario) -> ScenarioResult:
        result = ScenarioResult(scenario)
        for feature in scenario.requires:
            present, why = self.target.has_feature(feature)
            if not present:
                result.skipped = f"requires '{feature}': {why}"
                for exchange in scenario.exchanges:
                    self.on_exchange(ExchangeResult(exchange, "skipped", [result.skipped]))
                return result
        self.target.prepare(scenario, self.seed)
        variables: dict[str, Any] = {k: str(v) for k, v in scenario.variables.items()}
        lookup = lookup_in(variables, self.target.builtin)
        for exchange in scenario.exchanges:
            outcome = self._run_exchange(scenario, exchange, variables, lookup)
            result.results.append(outcome)
            self.on_exchange(outcome)
        return result

    def _run_exchange(self, scenario: Scenario, exchange: Exchange, variables: dict[str, Any],
                      lookup: Lookup) -> ExchangeResult:
        for feature in exchange.requires:
            present, why = self.target.has_feature(feature)
            if not present:
                return ExchangeResult(exchange, "skipped", [f"requires '{feature}': {why}"])
        try:
            method, url, headers, body = self._build_request(scenario, exchange, lookup)
        except UnknownVariable as exc:
            return ExchangeResult(exchange, "error", [f"request: {exc}"])
        poll = exchange.poll or {}
        deadline = time.monotonic() + float(poll.get("timeout", 0))
        while True:
            try:
                response = self.target.http.request(method, url, headers=headers, data=body, timeout=120,
                                                    allow_redirects=False)
            except requests.RequestException as exc:
                return ExchangeResult(exchange, "error", [f"request failed: {exc}"])
            try:
                messages = self._check(scenario, exchange, response, lookup)
            except (BodyError, UnknownVariable) as exc:
                return ExchangeResult(exchange, "error", [f"expectation: {exc}"], response.status_code,
                                      response.content)
            if not messages or time.monotonic() >= deadline:
                break
            time.sleep(float(poll.get("interval", 0.2)))
        messages += self._capture(scenario, exchange, response, variables)
        return ExchangeResult(exchange, "failed" if messages else "passed", messages, response.status_code,
                              response.content)

    def _build_request(self, scenario: Scenario, exchange: Exchange, lookup: Lookup):
        request = exchange.request
        method = str(request.get("method", "GET")).upper()
        path = substitute(str(request["path"]), lookup)
        url = path if path.startswith(("http://", "https://")) else f"{self.target.base_url}{path}"
        headers = {str(k): substitute(str(v), lookup)
                   for k, v in {**(scenario.defaults.get("headers") or {}),
                                **(request.get("headers") or {})}.items()}
        body = request.get("body")
        if body is None:
            data = None
        elif isinstance(body, str):
            data = substitute(body, lookup).encode("utf-8")
            kind = body_kind(body)
            if kind != "text" and not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = "text/xml; charset=utf-8" if kind == "xml" else "application/json"
        else:
            data = json.dumps(substitute_any(body, lookup)).encode("utf-8")
            if not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = "application/json"
        return method, url, headers, data

    def _check(self, scenario: Scenario, exchange: Exchange, response: requests.Response,
               lookup: Lookup) -> list[str]:
        expect = exchange.expect
        if not expect:
            return []
        messages = []
        if "status" in expect and int(expect["status"]) != response.status_code:
            messages.append(f"status: expected {expect['status']}, got {response.status_code}")
        for name, value in (expect.get("headers") or {}).items():
            actual = response.headers.get(str(name))
            if actual is None:
                messages.append(f"header {name}: missing")
            elif not matches(str(value), actual, lookup):
                messages.append(f"header {name}: expected {value!r}, got {actual!r}")
        mode = expect.get("compare", scenario.compare)
        messages += diff_body(expect.get("body"), response.content, lookup, mode)
        return messages

    def _capture(self, scenario: Scenario, exchange: Exchange, response: requests.Response,
                 variables: dict[str, Any]) -> list[str]:
        messages = []
        for name, spec in exchange.capture.items():
            try:
                value = capture_value(spec, response, {**NAMESPACES, **scenario.namespaces})
            except (ValueError, etree.XPathError, etree.XMLSyntaxError) as exc:
                value, error = None, str(exc)
            else:
                error = "nothing matched"
            if value is None:
                messages.append(f"capture {name}: {error} ({spec})")
            else:
                variables[name] = value
        return messages


def capture_value(spec: Any, response: requests.Response, namespaces: dict[str, str]) -> str | None:
    """A value from a response: {xpath: ...}, {json: "a.b[0].c"}, {header: Name}, or a bare XPath/JSON path."""
    if isinstance(spec, str):
        spec = {"xpath": spec} if spec.startswith(("/", ".", "(")) else {"json": spec}
    if "header" in spec:
        return response.headers.get(spec["header"])
    if "xpath" in spec:
        root = parse_xml(response.content)
        found = root.xpath(spec["xpath"], namespaces=namespaces)
        if isinstance(found, list):
            if not found:
                return None
            found = found[0]
        if isinstance(found, etree._Element):
            return (found.text or "").strip()
        return str(found).strip() if found is not None else None
    if "json" in spec:
        return json_path(response.json(), str(spec["json"]))
    raise ValueError("a capture needs xpath, json or header")


def json_path(data: Any, path: str) -> str | None:
    """`a.b[0].c` (a leading `$.` is allowed) into parsed JSON; None when absent."""
    import re

    path = path[2:] if path.startswith("$.") else path.lstrip("$")
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(data, list) or index >= len(data):
                return None
            data = data[index]
        else:
            if not isinstance(data, dict) or part not in data:
                return None
            data = data[part]
    if data is None:
        return None
    return data if isinstance(data, str) else json.dumps(data)


# -- command line -------------------------------------------------------------
class Progress:
    """A one-line progress bar on stderr, redrawn per exchange."""

    def __init__(self, total: int, stream: IO[str], enabled: bool) -> None:
        self.total, self.done, self.stream, self.enabled = total, 0, stream, enabled and total > 0
        self.failed = 0

    def step(self, result: ExchangeResult) -> None:
        self.done += 1
        self.failed += result.outcome in ("failed", "error")
        if self.enabled:
            width = 30
            filled = int(width * self.done / self.total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} exchanges"
                              f"{f', {self.failed} failed' if self.failed else ''}")
            self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def report(result: ScenarioResult, out: IO[str], verbose: bool = False) -> None:
    where = result.scenario.path or result.scenario.name
    if result.skipped:
        out.write(f"SKIP {where}: {result.skipped}\n")
        return
    counts = {k: sum(r.outcome == k for r in result.results) for k in ("passed", "failed", "skipped", "error")}
    summary = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    out.write(f"{'PASS' if result.outcome == 'passed' else 'FAIL'} {where} ({summary})\n")
    for r in result.results:
        if r.outcome != "passed" or verbose:
            tag = {"failed": "mismatch", "error": "error", "skipped": "skipped", "passed": "ok"}[r.outcome]
            out.write(f"  {r.exchange.label}: {tag}\n")
            for message in r.messages:
                out.write(f"      {message}\n")


def run_files(paths: Iterable[str], target_url: str | None = None, seed: int | None = None,
              progress: bool | None = None, out: IO[str] | None = None, err: IO[str] | None = None,
              tenant_file: str | None = None) -> int:
    """The `replay` command: 0 when every scenario passed (or was skipped), 1 on any mismatch, 2 on bad files."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        scenarios = [load_scenario(p) for p in _expand(paths)]
    except ScenarioError as exc:
        err.write(f"sfmc-emulator replay: {exc}\n")
        return 2
    if not scenarios:
        err.write("sfmc-emulator replay: no scenario files given\n")
        return 2
    show = progress if progress is not None else err.isatty()
    bar = Progress(sum(len(s.exchanges) for s in scenarios), err, show)
    target = remote_target(target_url, tenant_file) if target_url else InProcessTarget(seed)
    results = []
    try:
        runner = ScenarioRunner(target, seed, bar.step)
        for scenario in scenarios:
            results.append(runner.run(scenario))
    finally:
        bar.finish()
        target.close()
    for result in results:
        report(result, out)
    outcomes = [r.outcome for r in results]
    out.write(f"{len(results)} scenario(s): {outcomes.count('passed')} passed, {outcomes.count('failed')} failed,"
              f" {outcomes.count('skipped')} skipped\n")
    return 1 if "failed" in outcomes else 0


def _expand(paths: Iterable[str]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(p.glob("*.y*ml")) if p.is_dir() else [p])
    return files
