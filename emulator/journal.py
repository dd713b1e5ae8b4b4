"""How the WSGI layers (emulator/middleware) and the journal's readers see an exchange: the normalised path,
the request body read once, the SOAP action and object type, the environ keys inner layers fill in, and a
journal row's JSON form. Neutral: it imports nothing but the clock, so any layer may use it.

Reading stays cheap: the SOAP action and object type come from the SOAPAction header and a regular
expression over the start of the body, never from a full XML parse.
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from typing import Any

from .clock import iso_utc

# Inner layers put what they learn here: the caller's BU (SOAP service, REST auth) and the fault applied.
ENV_MID = "sfmc.mid"
ENV_FAULT = "sfmc.fault"
# (action, object type) of a SOAP request: the request log, the journal and fault injection all need it, so
# the first layer to read it leaves it here for the others.
ENV_SOAP = "sfmc.soap"
TRUNCATED = "\n…[truncated by the journal: {} more characters]"
UNJOURNALLED_PREFIXES = ("/_emulator",)
# Paths that are the inspector's or the browser's, not a client's: the overview page and the favicon.
UNJOURNALLED_PATHS = frozenset({"/", "/favicon.ico"})
# Request headers the journal keeps (the inspector shows them, masked, and builds curl from them).
JOURNAL_HEADERS = ("CONTENT_TYPE", "HTTP_SOAPACTION", "HTTP_AUTHORIZATION", "HTTP_ACCEPT", "HTTP_USER_AGENT",
                   "HTTP_X_FORWARDED_FOR")

_SLASHES = re.compile(r"/{2,}")
# The first element inside <…:Body>: the request element (CreateRequest, RetrieveRequestMsg...).
_BODY_CHILD = re.compile(r"<(?:[\w.-]+:)?Body\b[^>]*>\s*(?:<!--.*?-->\s*)*<(?:[\w.-]+:)?(\w+)", re.S)
_OBJECT_TYPE = re.compile(r"<(?:[\w.-]+:)?ObjectType>\s*([^<]+?)\s*<")
_XSI_TYPE = re.compile(r"""\btype\s*=\s*["'](?:[\w.-]+:)?([\w\[\]. -]+?)["']""")
_SCAN = 16 * 1024  # characters of a SOAP body scanned for the action and object type

REQUEST_ELEMENTS = {
    "CreateRequest": "Create", "RetrieveRequestMsg": "Retrieve", "UpdateRequest": "Update",
    "DeleteRequest": "Delete", "QueryRequestMsg": "Query", "DefinitionRequestMsg": "Describe",
    "ExecuteRequestMsg": "Execute", "PerformRequestMsg": "Perform", "ConfigureRequestMsg": "Configure",
    "ScheduleRequestMsg": "Schedule", "VersionInfoRequestMsg": "VersionInfo", "ExtractRequestMsg": "Extract",
    "SystemStatusRequestMsg": "GetSystemStatus",
}


def describe_soap(body: str, soap_action: str | None) -> tuple[str | None, str | None]:
    """(operation, object type) of a SOAP request, from the SOAPAction header or the body element."""
    head = body[:_SCAN]
    action = (soap_action or "").strip().strip('"').strip().rsplit("/", 1)[-1] or None
    match = _BODY_CHILD.search(head)
    start = 0
    if match:
        start = match.end()
        if action is None:
            action = REQUEST_ELEMENTS.get(match.group(1), match.group(1))
    found = _OBJECT_TYPE.search(head, start) if action == "Retrieve" else None
    if found is None:
        found = _XSI_TYPE.search(head, start)
        if found is not None and found.group(1) in ("SimpleFilterPart", "ComplexFilterPart"):
            found = None
    return action, (found.group(1).strip() if found else None)


def read_soap(body: bytes, soap_action: str | None) -> tuple[str | None, str | None]:
    """describe_soap of raw request bytes, decoding only the start it reads (UTF-8 spends at most 4 bytes on a
    character, so this prefix holds the first _SCAN characters)."""
    return describe_soap(body[:4 * _SCAN].decode("utf-8", errors="replace"), soap_action)


def soap_call(environ: dict[str, Any], body: bytes) -> tuple[str | None, str | None]:
    """read_soap of this exchange's request, done once per exchange (see ENV_SOAP)."""
    known = environ.get(ENV_SOAP)
    if known is None:
        known = environ[ENV_SOAP] = read_soap(body, environ.get("HTTP_SOAPACTION"))
    return known


def normalised_path(environ: dict[str, Any]) -> str:
    """PATH_INFO with duplicate slashes collapsed (FuelSDK builds `host//platform/...`), written back so the
    layers inside see the same path."""
    path = environ["PATH_INFO"] = _SLASHES.sub("/", environ.get("PATH_INFO") or "/")
    return path


def entry_json(row: dict[str, Any], bodies: bool = True) -> dict[str, Any]:
    """A journal row as `GET /_emulator/journal` (and the inspector's journal page) shows it: `time` ISO UTC."""
    out = dict(row)
    out["time"] = iso_utc(datetime.fromtimestamp(row["ts"], UTC)) if row.get("ts") is not None else None
    if not bodies:
        out.pop("request", None)
        out.pop("response", None)
    return out


def is_journalled(path: str) -> bool:
    """Is an exchange on this (normalised) path a client's, to be journalled? Not the admin API, the
    inspector's pages and static files (all under /_emulator), the overview at `/`, nor the favicon."""
    return not path.startswith(UNJOURNALLED_PREFIXES) and path not in UNJOURNALLED_PATHS


def request_headers(environ: dict[str, Any]) -> str | None:
    """The kept request headers as JSON, named as on the wire (Content-Type, SOAPAction, Authorization...)."""
    kept = {}
    for key in JOURNAL_HEADERS:
        value = environ.get(key)
        if value:
            name = key.removeprefix("HTTP_").replace("_", "-").title()
            kept["SOAPAction" if name == "Soapaction" else name] = value
    return json.dumps(kept) if kept else None


def is_soap_path(path: str) -> bool:
    return path.lower() == "/service.asmx"


def read_body(environ: dict[str, Any], limit: int | None = None) -> bytes:
    """The request body, read once and put back as a fresh stream for the application."""
    length = environ.get("CONTENT_LENGTH") or ""
    if not length.isdigit() or int(length) == 0 or limit is not None and int(length) > limit:
        return b""  # oversize bodies are refused inside (413); do not buffer them here
    raw = environ["wsgi.input"].read(int(length))
    environ["wsgi.input"] = io.BytesIO(raw)
    return raw
