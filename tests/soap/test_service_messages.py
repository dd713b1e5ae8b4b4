"""soap/service.py's MESSAGES (operation -> request and response element) is what the real WSDL declares."""

from __future__ import annotations

from lxml import etree

from emulator.domain.schema import fixture_bytes
from emulator.soap.service import MESSAGES

WSDL = "http://schemas.xmlsoap.org/wsdl/"


def _wsdl_operations() -> dict[str, tuple[str, str]]:
    root = etree.fromstring(fixture_bytes("etframework.wsdl"))
    element_of = {m.get("name"): m.find(f"{{{WSDL}}}part").get("element").rpartition(":")[2]
                  for m in root.iter(f"{{{WSDL}}}message")}
    operations = {}
    for op in root.find(f"{{{WSDL}}}portType").iter(f"{{{WSDL}}}operation"):
        request = op.find(f"{{{WSDL}}}input").get("message").rpartition(":")[2]
        response = op.find(f"{{{WSDL}}}output").get("message").rpartition(":")[2]
        operations[op.get("name")] = (element_of[request], element_of[response])
    return operations


def test_every_operation_names_the_wsdl_elements() -> None:
    assert MESSAGES == _wsdl_operations()
