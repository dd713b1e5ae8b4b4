"""SOAP answers written outside Spyne, for the WSGI layers (emulator/middleware): a soap:Fault as SFMC
writes it, and an operation's normal response with every object failed. The envelope and fault element
are service.py's own, so these look exactly like the faults Spyne's path answers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from lxml import etree
from spyne import Fault

from ..domain.schema import PARTNER_NS
from .codec import XSI_TYPE
from .service import (
    ENVELOPE_NSMAP,
    FAULT_ACTION,
    MESSAGES,
    SOAP_ENV,
    SecurityFault,
    _add_headers,
    fault_element,
)

if TYPE_CHECKING:
    from ..core import Emulator

FAULT_NS = "urn:fault.partner.exacttarget.com"
_OBJECTS = re.compile(r"<(?:[\w.-]+:)?(?:Objects|Definition)\b")


def envelope(emu: Emulator, element: etree._Element, fault: bool = True, headers: bool = True) -> bytes:
    """`element` in a soap:Envelope; with `headers`, the WS-Addressing/Security headers SFMC adds."""
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=ENVELOPE_NSMAP)
    if headers:
        header = etree.SubElement(root, f"{{{SOAP_ENV}}}Header")
        action = FAULT_ACTION if fault else etree.QName(element).localname.replace("Msg", "")
        _add_headers(emu, header, action, None)
    etree.SubElement(root, f"{{{SOAP_ENV}}}Body").append(element)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def fault_body(emu: Emulator, faultcode: str, faultstring: str, code: int | None = None,
               message: str = "") -> etree._Element:
    """soap:Fault as SFMC writes it; Server faults may carry detail/apifault{Code, Message} [API-FACTS 8]."""
    fault = SecurityFault() if faultcode.endswith("Security") else Fault(faultcode)
    fault.faultstring = faultstring  # set apart: Fault() would put its type name for an empty string
    if code is not None:
        detail = etree.Element(f"{{{FAULT_NS}}}apifault", nsmap={None: FAULT_NS})
        etree.SubElement(detail, f"{{{FAULT_NS}}}Code").text = str(code)
        etree.SubElement(detail, f"{{{FAULT_NS}}}Message").text = message or faultstring
        fault.detail = detail
    return fault_element(fault, emu.base_url + "/Service.asmx")


def is_operation(name: str) -> bool:
    """Whether `name` (a SOAPAction's last segment) is a partner-API operation."""
    return name in MESSAGES


def error_results_body(emu: Emulator, action: str, object_type: str | None, body: bytes,
                       p: dict[str, Any]) -> etree._Element:
    """The operation's normal response with every object failed (StatusCode Error, ErrorCode)."""
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
