"""SOAP authentication: the three headers real clients send.

- ``<fueloauth xmlns="http://exacttarget.com">ACCESS_TOKEN</fueloauth>`` (FuelSDK, OAuth2 mode)
- ``<oAuth xmlns="http://exacttarget.com"><oAuthToken>LEGACY</oAuthToken></oAuth>`` (FuelSDK, legacy)
- WS-Security ``UsernameToken`` with a PasswordText password (the documentation's envelopes)

Elements are matched by local name: some documented envelopes misspell the WS-Security namespace.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lxml import etree

from ..domain.context import CallContext
from ..domain.errors import Unauthorized

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
