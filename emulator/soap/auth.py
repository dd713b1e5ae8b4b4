"""SOAP authentication: the three headers real clients send.

- ``<fueloauth xmlns="http://exacttarget.com">ACCESS_TOKEN</fueloauth>`` (FuelSDK, OAuth2 mode)
- ``<oAuth xmlns="http://exacttarget.com"><oAuthToken>LEGACY</oAuthToken></oAuth>`` (FuelSDK, legacy)
- WS-Security ``UsernameToken`` with a PasswordText password (the documentation's envelopes)

Elements are matched by local name: some documented envelopes misspell the WS-Security namespace.

A refused token becomes the fault's text: "Token Expired" when it had expired (the fault SFMC sends and
fuel-soap / sfmc-sdk refresh on), "Login failed" for anything else.

Scopes apply to SOAP too (``scope_refusal``). What SFMC answers when the installed package lacks the
permission an operation needs is a normal response whose ``OverallStatus`` is "Error: API Permission
Failed" and which has no results (reported by FuelSDK-CSharp users on a DataExtension Retrieve; the MCE MCP
tool docs name the same error for a missing scope). The emulator answers every operation that way, for the
whole request, before anything is read or changed: one object of a type the token may not touch refuses
them all. Create, Update and Delete responses must hold a Result per object (the WSDL), so there each
object also gets StatusCode Error / StatusMessage "API Permission Failed" (no ErrorCode: none is known). UsernameToken callers and legacy tokens are not scoped and keep full rights.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING

from lxml import etree

from ..domain.auth import TokenExpired
from ..domain.context import CallContext
from ..domain.errors import Unauthorized
from ..domain.schema import PARTNER_NS
from ..domain.scopes import missing_scopes
from .codec import XSI_NS

if TYPE_CHECKING:
    from ..core import Emulator


def _local(el) -> str:
    return el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""


def _child(el, name: str):
    for child in el.iter():
        if _local(child) == name:
            return child
    return None


def _text(el) -> str | None:
    """An element's text; None when it holds elements (a credential is text only, as everywhere else)."""
    if el is None or any(isinstance(child.tag, str) for child in el):
        return None
    return (el.text or "").strip()


def authenticate(emu: Emulator, header_elements: Iterable[etree._Element] | None) -> CallContext:
    """The caller, or Unauthorized whose message is the fault's text ("Token Expired" / "Login failed")."""
    try:
        return _authenticate(emu, header_elements)
    except TokenExpired as exc:
        raise Unauthorized("Token Expired") from exc
    except Unauthorized as exc:
        raise Unauthorized("Login failed") from exc


def _authenticate(emu: Emulator, header_elements: Iterable[etree._Element] | None) -> CallContext:
    """Token headers win over a UsernameToken: FuelSDK's legacy mode sends both, with a `*`/`*` user."""
    security = None
    for el in header_elements or []:
        name = _local(el)
        if name == "fueloauth":
            return emu.auth.context_for_token(_text(el), ("oauth2", "legacy"))
        if name == "oAuth":
            return emu.auth.context_for_token(_text(_child(el, "oAuthToken")), ("legacy_internal", "oauth2"))
        if name == "Security" and _child(el, "UsernameToken") is not None:
            security = _child(el, "UsernameToken")
    if security is not None:
        username, password = _child(security, "Username"), _child(security, "Password")
        return emu.auth.context_for_user(_text(username), _text(password))
    raise Unauthorized("Login failed")


PERMISSION_FAILED = "Error: API Permission Failed"
# where each operation's body names the object types it acts on: (container path, type element or None)
_TYPED = {
    "Create": ("Objects", None), "Update": ("Objects", None), "Delete": ("Objects", None),
    "Retrieve": ("RetrieveRequest", "ObjectType"),
    "Perform": ("Definition", None), "Schedule": ("Interaction", None), "Configure": ("Configuration", None),
    "Execute": ("Requests", "Name"),
}  # Describe reads the schema, not the account's data: no scope


def _object_types(operation: str, body: etree._Element | None) -> list[str]:
    spec = _TYPED.get(operation)
    if spec is None or body is None:
        return []
    container, type_element = spec
    types: list[str] = []
    for el in body.iter():
        if _local(el) != container:
            continue
        if type_element is None:
            value = el.get(f"{{{XSI_NS}}}type") or ""
            value = value.rpartition(":")[2]
        else:
            named = next((c for c in el if _local(c) == type_element), None)
            value = (named.text or "").strip() if named is not None else ""
        if value:
            types.append(value)
    return types


def scope_refusal(emu: Emulator, call: CallContext, operation: str, response_tag: str,
                  body: etree._Element | None) -> etree._Element | None:
    """SFMC's answer when the token's scopes do not cover the operation (see the module docstring), or None
    when they do. Only OAuth2 tokens are scoped."""
    if not call.scoped:
        return None
    if not missing_scopes(call.scopes, operation, _object_types(operation, body)):
        return None
    el = etree.Element(f"{{{PARTNER_NS}}}{response_tag}", nsmap={None: PARTNER_NS})
    if operation in ("Create", "Update", "Delete"):  # these responses need a Result per object
        objects = [child for child in body.iter() if _local(child) == "Objects"] if body is not None else []
        for ordinal, obj in enumerate(objects):
            result = etree.SubElement(el, f"{{{PARTNER_NS}}}Results")
            for name, text in (("StatusCode", "Error"), ("StatusMessage", PERMISSION_FAILED[len("Error: "):]),
                               ("OrdinalID", str(ordinal))):
                etree.SubElement(result, f"{{{PARTNER_NS}}}{name}").text = text
            if operation == "Create":
                etree.SubElement(result, f"{{{PARTNER_NS}}}NewID").text = "0"
            else:  # Update and Delete results echo the object (required there)
                echo = copy.deepcopy(obj)
                echo.tag = f"{{{PARTNER_NS}}}Object"
                result.append(echo)
    # OverallStatus and RequestID in the order the response type declares them (Results first or not)
    order = ("OverallStatus", "RequestID") if response_tag in ("RetrieveResponseMsg", "ExecuteResponseMsg",
                                                              "ExtractResponseMsg") else ("RequestID", "OverallStatus")
    values = {"OverallStatus": PERMISSION_FAILED, "RequestID": emu.ids.guid()}
    if response_tag in ("PerformResponseMsg", "ScheduleResponseMsg", "ConfigureResponseMsg"):
        order = ("OverallStatus", "OverallStatusMessage", "RequestID")
        values["OverallStatusMessage"] = ""
    for name in order:
        etree.SubElement(el, f"{{{PARTNER_NS}}}{name}").text = values[name]
    return el
