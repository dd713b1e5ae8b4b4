"""Serving the real WSDL with its endpoint and fault-XSD import pointed at this emulator."""

from __future__ import annotations

from functools import lru_cache

from ..domain.schema import fixture_bytes

ORIGINAL_ADDRESS = b"https://webservice.exacttarget.com/Service.asmx"
ORIGINAL_FAULT_XSD = b"https://webservice.exacttarget.com/ETFrameworkFault.xsd"


@lru_cache(maxsize=16)
def wsdl_for(base_url: str) -> bytes:
    data = fixture_bytes("etframework.wsdl")
    data = data.replace(ORIGINAL_ADDRESS, f"{base_url}/Service.asmx".encode())
    return data.replace(ORIGINAL_FAULT_XSD, f"{base_url}/ETFrameworkFault.xsd".encode())


def fault_xsd() -> bytes:
    return fixture_bytes("ETFrameworkFault.xsd")
