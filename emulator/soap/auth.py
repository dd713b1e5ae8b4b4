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


def authenticate(emu: Emulator, header_elements: Iterable[etree._Element] | None) -> CallContext:
    """Token headers win over a UsernameToken: FuelSDK's legacy mode sends both, with a `*`/`*` user."""
    security = None
    for el in header_elements or []:
        name = _local(el)
        if name == "fueloauth":
            return emu.auth.context_for_token((el.text or "").strip(), ("oauth2", "legacy"))
        if name == "oAuth":
            token_el = _child(el, "oAuthToken")
            token = (token_el.text or "").strip() if token_el is not None else None
            return emu.auth.context_for_token(token, ("legacy_internal", "oauth2"))
        if name == "Security" and _child(el, "UsernameToken") is not None:
            security = _child(el, "UsernameToken")
    if security is not None:
        username, password = _child(security, "Username"), _child(security, "Password")
        return emu.auth.context_for_user(
            (username.text or "").strip() if username is not None else None,
            (password.text or "").strip() if password is not None else None,
        )
    raise Unauthorized("Login failed")
