"""Checks made before Spyne reads a SOAP request: body size and the SOAPAction header."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lxml import etree
from spyne import Fault

from ..soap.service import MESSAGES, fault_element

if TYPE_CHECKING:
    from ..core import Emulator


def fault_response(emu: Emulator, status: int, faultcode: str, message: str) -> Callable:
    envelope = etree.Element("{http://schemas.xmlsoap.org/soap/envelope/}Envelope",
                             nsmap={"soap": "http://schemas.xmlsoap.org/soap/envelope/"})
    body = etree.SubElement(envelope, "{http://schemas.xmlsoap.org/soap/envelope/}Body")
    body.append(fault_element(Fault(faultcode, message), emu.base_url + "/Service.asmx"))
    payload = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")

    def app(environ, start_response):
        start_response(f"{status} {'Request Entity Too Large' if status == 413 else 'Internal Server Error'}",
                       [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(payload)))])
        return [payload]

    return app


def soap_gate(emu: Emulator, environ: dict[str, Any]) -> Callable | None:
    """A WSGI app answering the refusal, or None when Spyne may read the request."""
    length = environ.get("CONTENT_LENGTH")
    limit = emu.config.max_body_bytes
    if length and length.isdigit() and int(length) > limit:
        return fault_response(emu, 413, "Client", f"The request body exceeds the limit of {limit} bytes.")
    action = (environ.get("HTTP_SOAPACTION") or "").strip().strip('"').strip()
    if action:
        name = action.rsplit("/", 1)[-1]
        if name not in MESSAGES:
            return fault_response(emu, 500, "Client",
                                  f"Server did not recognize the value of HTTP Header SOAPAction: {action}.")
    if not environ.get("CONTENT_TYPE"):
        environ["CONTENT_TYPE"] = "text/xml; charset=utf-8"
    return None
