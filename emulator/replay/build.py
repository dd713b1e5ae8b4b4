"""Turn recorded HTTP exchanges (the recording proxy's, or the request journal's) into a scenario.

- Secrets are redacted into built-in variables, so the scenario replays against any emulator with that
  emulator's credentials: WS-Security Username/Password -> ``{{username}}``/``{{password}}``, JSON
  ``client_id``/``client_secret``/``password`` -> ``{{client_id}}``/…, ``fueloauth`` and ``Authorization:
  Bearer`` tokens and ``oAuthToken`` -> ``{{access_token}}``/``{{legacy_token}}`` (or the capture of the
  token response that issued them), token values in JSON answers -> ``{{token}}``.
- Volatile values in answers become matchers: GUIDs ``{{guid}}``, dates ``{{date}}``, ids in elements
  named ``…ID`` ``{{int}}``, the upstream's base URL ``{{base_url}}``.
- A volatile value a later request sends back (a NewObjectID, a Task ID, a definitionId, a token) becomes
  a capture on the answer that produced it, and ``{{name}}`` in the request.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from lxml import etree

from ..journal import TRUNCATED, is_soap_path
from .template import MATCHERS

GUID = re.compile(MATCHERS["guid"])
DATE = re.compile(r"^" + MATCHERS["date"] + r"$")
INT = re.compile(r"^[1-9]\d*$")
TOKEN_KEYS = {"access_token": "access_token", "accessToken": "access_token", "legacyToken": "legacy_token",
              "refresh_token": "refresh_token", "refreshToken": "refresh_token"}
SECRET_KEYS = {"client_secret": "client_secret", "clientSecret": "client_secret", "password": "password",
               "client_id": "client_id", "clientId": "client_id"}
NOT_IDS = {"OrdinalID", "ErrorCode", "StatusCode"}
KEPT_HEADERS = ("soapaction", "content-type", "authorization")
NAMESPACES = {"soap": "http://schemas.xmlsoap.org/soap/envelope/", "p": "http://exacttarget.com/wsdl/partnerAPI",
              "wsa": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
              "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
              "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
              "fault": "urn:fault.partner.exacttarget.com"}
_PREFIX = {ns: prefix for prefix, ns in NAMESPACES.items()}


@dataclass
class Recorded:
    method: str
    path: str  # with the query string
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    response_body: bytes
    note: str | None = None  # e.g. an injected fault, a truncated body
    compare_body: bool = True


@dataclass
class _Candidate:
    exchange: dict[str, Any]
    spec: dict[str, str]
    base_name: str


@dataclass
class ScenarioBuilder:
    base_url: str | None = None  # the upstream's URL: becomes {{base_url}}
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    _candidates: dict[str, _Candidate] = field(default_factory=dict)  # volatile value -> where it came from
    _captured: dict[str, str] = field(default_factory=dict)  # value -> variable name
    _names: set[str] = field(default_factory=set)

    # -- requests ------------------------------------------------------------
    def add(self, rec: Recorded) -> dict[str, Any]:
        request: dict[str, Any] = {"method": rec.method.upper(), "path": self._reuse_in_path(rec.path)}
        headers = {}
        for name, value in rec.request_headers.items():
            if name.lower() not in KEPT_HEADERS:
                continue
            if name.lower() == "authorization" and value[:7].lower() == "bearer ":
                value = "Bearer " + self._token_ref(value[7:].strip(), "access_token")
            headers[name] = value
        if headers:
            request["headers"] = headers
        if rec.request_body:
            request["body"] = self._request_body(rec.request_body.decode("utf-8", errors="replace"))
        exchange: dict[str, Any] = {"request": request}
        if rec.note:
            exchange["note"] = rec.note
        expect: dict[str, Any] = {"status": rec.status}
        if rec.compare_body and rec.response_body:
            expect["body"] = self._response_body(exchange, rec.response_body.decode("utf-8", errors="replace"))
        exchange["expect"] = expect
        self.exchanges.append(exchange)
        return exchange

    def _request_body(self, text: str) -> Any:
        head = text.lstrip()[:1]
        if head == "<":
            return self._reuse_in_text(self._redact_xml(text), whole_ints=True)
        if head in "{[":
            try:
                data = json.loads(text)
            except json.JSONDecodeError:
                return self._reuse_in_text(text)
            return self._reuse_in_json(self._redact_json(data))
        return self._reuse_in_text(text)

    def _redact_xml(self, text: str) -> str:
        try:
            root = etree.fromstring(text.encode())
        except etree.XMLSyntaxError:
            return text
        secrets: dict[str, str] = {}
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            name = etree.QName(el).localname
            value = (el.text or "").strip()
            if not value:
                continue
            if name in ("Username", "Password"):
                secrets[value] = _ref(name.lower())
            elif name == "fueloauth":
                secrets[value] = self._token_ref(value, "access_token")
            elif name == "oAuthToken":
                secrets[value] = self._token_ref(value, "legacy_token")
        for value in sorted(secrets, key=len, reverse=True):
            text = text.replace(f">{value}<", f">{secrets[value]}<")
        return text

    def _redact_json(self, data: Any) -> Any:
        if isinstance(data, dict):
            out = {}
            for key, value in data.items():
                if key in SECRET_KEYS and isinstance(value, str):
                    out[key] = _ref(SECRET_KEYS[key])
                elif key in TOKEN_KEYS and isinstance(value, str):
                    out[key] = self._token_ref(value, TOKEN_KEYS[key])
                else:
                    out[key] = self._redact_json(value)
            return out
        if isinstance(data, list):
            return [self._redact_json(v) for v in data]
        return data

    def _token_ref(self, token: str, builtin: str) -> str:
        name = self._use(token)
        return _ref(name or builtin)

    # -- reusing captured values in later requests -----------------------------
    def _use(self, value: str) -> str | None:
        """The variable holding `value`, capturing it on the exchange that produced it if needed."""
        if value in self._captured:
            return self._captured[value]
        candidate = self._candidates.get(value)
        if candidate is None:
            return None
        name = candidate.base_name
        number = 1
        while name in self._names:
            number += 1
            name = f"{candidate.base_name}_{number}"
        self._names.add(name)
        candidate.exchange.setdefault("capture", {})[name] = candidate.spec
        self._captured[value] = name
        return name

    def _reuse_in_text(self, text: str, whole_ints: bool = False) -> str:
        for value in sorted(self._candidates.keys() | self._captured.keys(), key=len, reverse=True):
            if GUID.fullmatch(value) or len(value) > 20:
                if value in text:
                    text = text.replace(value, _ref(self._use(value)))
            elif whole_ints and f">{value}<" in text:
                text = text.replace(f">{value}<", ">" + _ref(self._use(value)) + "<")
        return text

    def _reuse_in_path(self, path: str) -> str:
        parts = path.split("/")
        for i, part in enumerate(parts):
            if part in self._candidates or part in self._captured:
                parts[i] = _ref(self._use(part))
        return self._reuse_in_text("/".join(parts))

    def _reuse_in_json(self, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: self._reuse_in_json(v) for k, v in data.items()}
        if isinstance(data, list):
            return [self._reuse_in_json(v) for v in data]
        if isinstance(data, str) and not data.startswith("{{"):
            if data in self._candidates or data in self._captured:
                return _ref(self._use(data))
            return self._reuse_in_text(data)
        return data

    # -- answers -------------------------------------------------------------
    def _response_body(self, exchange: dict[str, Any], text: str) -> Any:
        head = text.lstrip()[:1]
        if head == "<":
            try:
                root = etree.fromstring(text.encode())
            except etree.XMLSyntaxError:
                return self._volatile_text(text)
            self._volatile_xml(exchange, root)
            if not any((el.tail or "").strip() or len(el) and (el.text or "").strip() for el in root.iter()):
                etree.indent(root, space="  ")  # one element a line: readable, and white space is not compared
            return etree.tostring(root, encoding="unicode")
        if head in "{[":
            try:
                return self._volatile_json(exchange, json.loads(text), "")
            except json.JSONDecodeError:
                pass
        return self._volatile_text(text)

    def _volatile_text(self, text: str, name: str | None = None) -> str:
        stripped = text.strip()
        if stripped in self._captured:
            return _ref(self._captured[stripped])
        if self.base_url and self.base_url in text:
            text = text.replace(self.base_url, "{{base_url}}")
        if DATE.match(stripped) and len(stripped) >= 10:
            return "{{date}}"
        if name and name.endswith(("ID", "Id")) and name not in NOT_IDS and INT.match(stripped):
            return "{{int}}"
        return GUID.sub("{{guid}}", text)

    def _volatile_xml(self, exchange: dict[str, Any], root: etree._Element) -> None:
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for attr, value in el.attrib.items():
                el.set(attr, self._volatile_text(value))
            if len(el) or not el.text or not el.text.strip():
                continue
            name = etree.QName(el).localname
            value = el.text.strip()
            is_id = name.endswith("ID") and name not in NOT_IDS and INT.match(value)
            if (GUID.fullmatch(value) or is_id) and value not in self._candidates and value not in self._captured:
                self._candidates[value] = _Candidate(exchange, {"xpath": _xpath(el)}, _snake(name))
            el.text = self._volatile_text(el.text, name)

    def _volatile_json(self, exchange: dict[str, Any], data: Any, path: str) -> Any:
        if isinstance(data, dict):
            out = {}
            for key, value in data.items():
                sub = f"{path}.{key}" if path else key
                if key in TOKEN_KEYS and isinstance(value, str):
                    self._candidates.setdefault(value, _Candidate(exchange, {"json": sub}, TOKEN_KEYS[key]))
                    out[key] = "{{token}}"
                else:
                    out[key] = self._volatile_json(exchange, value, sub)
            return out
        if isinstance(data, list):
            return [self._volatile_json(exchange, v, f"{path}[{i}]") for i, v in enumerate(data)]
        if isinstance(data, str):
            key = re.split(r"[.\[]", path)[-1] if path else ""
            if GUID.fullmatch(data) and data not in self._candidates and data not in self._captured:
                self._candidates[data] = _Candidate(exchange, {"json": path}, _snake(key or "value"))
            return self._volatile_text(data, key)
        return data

    # -- output --------------------------------------------------------------
    def scenario(self, name: str | None = None) -> dict[str, Any]:
        return {"name": name or "recorded session", "compare": "exact", "exchanges": self.exchanges}


def _ref(name: str | None) -> str:
    return "{{" + str(name) + "}}"


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower().strip("_") or "value"


def _xpath(el: etree._Element) -> str:
    """An absolute, prefix-qualified XPath to this element (the runner knows the prefixes)."""
    steps = []
    while el is not None:
        q = etree.QName(el)
        prefix = _PREFIX.get(q.namespace or "")
        step = f"{prefix}:{q.localname}" if prefix else (
            f"*[local-name()='{q.localname}']" if q.namespace else q.localname)
        parent = el.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == el.tag]
            if len(same) > 1:
                step += f"[{same.index(el) + 1}]"
        steps.append(step)
        el = parent
    return "/" + "/".join(reversed(steps))


def to_yaml(scenario: dict[str, Any]) -> str:
    """YAML with multi-line bodies as literal blocks, readable and diffable."""

    class _Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str):
        # PyYAML falls back to a quoted scalar where a block cannot hold the text exactly.
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)

    _Dumper.add_representer(str, text)
    return yaml.dump(scenario, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


def scenario_from_journal(rows: list[dict[str, Any]], base_url: str | None = None,
                          name: str | None = None) -> dict[str, Any]:
    """The journal (oldest first) as a scenario. The journal keeps no request headers, so SOAPAction and
    Content-Type are inferred, and an authenticated REST call gets ``Authorization: Bearer {{access_token}}``."""
    builder = ScenarioBuilder(base_url)
    for row in rows:
        request = row.get("request") or ""
        response = row.get("response") or ""
        headers: dict[str, str] = {}
        path = row["path"]
        if is_soap_path(path.split("?")[0]) and row.get("action"):
            headers["SOAPAction"] = row["action"]
        head = request.lstrip()[:1]
        if head == "<":
            headers["Content-Type"] = "text/xml; charset=utf-8"
        elif head in ("{", "["):
            headers["Content-Type"] = "application/json"
        if row.get("mid") is not None and not is_soap_path(path.split("?")[0]):
            headers["Authorization"] = "Bearer {{access_token}}"
        truncated = TRUNCATED.split("{")[0] in response or TRUNCATED.split("{")[0] in request
        notes = [f"injected fault: {row['fault']}"] if row.get("fault") else []
        if truncated:
            notes.append("a body was truncated by the journal: the answer is not compared")
        builder.add(Recorded(method=row["method"], path=path, request_headers=headers,
                             request_body=request.encode(), status=int(row["status"]),
                             response_body=response.encode(), note="; ".join(notes) or None,
                             compare_body=not truncated))
    return builder.scenario(name or "request journal")
