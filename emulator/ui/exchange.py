"""A journal entry as the inspector shows it: secrets masked, bodies pretty-printed, and as a curl command.
Pure functions over the journal row (no store, no Flask)."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from lxml import etree

MASK = "••••••"
SECRET_HEADERS = ("authorization", "cookie", "x-api-key", "x-emulator-token")
# JSON keys and SOAP elements whose values are secrets, wherever they appear in a body.
SECRET_KEYS = ("client_secret", "clientSecret", "password", "Password", "access_token", "accessToken",
               "refresh_token", "refreshToken", "legacyToken", "token", "fueloauth", "oAuthToken")
_JSON_SECRET = re.compile(r'("(?:' + "|".join(SECRET_KEYS) + r')"\s*:\s*)"(?:[^"\\]|\\.)*"')
_XML_SECRET = re.compile(r"(<(?:[\w.-]+:)?(" + "|".join(SECRET_KEYS) + r")\b[^>]*>)[^<]*(</(?:[\w.-]+:)?\2>)")
_FORM_SECRET = re.compile(r"(\b(?:" + "|".join(SECRET_KEYS) + r")=)[^&\s]*")


def parse_headers(raw: str | None) -> dict[str, str]:
    try:
        found = json.loads(raw or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def mask_headers(headers: dict[str, str]) -> dict[str, str]:
    """Authorization (keeping its scheme), cookies and admin tokens masked."""
    out = {}
    for name, value in headers.items():
        if name.lower() in SECRET_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            value = f"{scheme} {MASK}".strip()
        out[name] = value
    return out


def mask_body(body: str | None) -> str:
    """client_secret, passwords and tokens masked in JSON, XML (SOAP) and form bodies."""
    text = body or ""
    text = _JSON_SECRET.sub(lambda m: f'{m.group(1)}"{MASK}"', text)
    text = _XML_SECRET.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", text)
    return _FORM_SECRET.sub(lambda m: f"{m.group(1)}{MASK}", text)


def pretty(body: str | None) -> str:
    """XML indented one element a line, JSON indented; anything else (or anything that does not parse, e.g.
    a truncated body) unchanged."""
    text = body or ""
    head = text.lstrip()[:1]
    if head == "<":
        try:
            root = etree.fromstring(text.strip().encode(), etree.XMLParser(remove_blank_text=True,
                                                                            resolve_entities=False))
        except etree.XMLSyntaxError:
            return text
        return etree.tostring(root, pretty_print=True, encoding="unicode").rstrip()
    if head in "{[":
        try:
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except ValueError:
            return text
    return text


def curl(row: dict[str, Any], base_url: str) -> str:
    """The exchange as a curl command against `base_url`, with secrets masked (paste your own back in)."""
    parts = ["curl", "-X", row.get("method") or "GET", shlex.quote(base_url.rstrip("/") + (row.get("path") or "/"))]
    for name, value in mask_headers(parse_headers(row.get("headers"))).items():
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if row.get("request"):
        parts += ["--data-binary", shlex.quote(mask_body(row["request"]))]
    return " ".join(parts)


def protocol(path: str) -> str:
    """soap, auth or rest: the journal's protocol filter (the same split the store's filter makes)."""
    lower = path.lower()
    if lower.startswith("/service.asmx"):
        return "soap"
    if lower.startswith(("/v1/requesttoken", "/v2/token", "/v2/userinfo")):
        return "auth"
    return "rest"
