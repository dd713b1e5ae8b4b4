"""Health, reset, clock, and a tenant file replacing the default tenant."""

from __future__ import annotations

import requests

from emulator.config import Config
from emulator.core import Emulator


def test_health_and_reset(mc, soap):
    assert requests.get(f"{mc.base_url}/_emulator/health", timeout=5).json() == {"status": "ok"}
    soap.create('<Objects xsi:type="List"><ListName>temporary</ListName></Objects>')
    assert requests.post(f"{mc.base_url}/_emulator/reset", timeout=30).status_code == 200
    names = [e.text for e in soap.retrieve("List", ["ListName"]).iter("{http://exacttarget.com/wsdl/partnerAPI}ListName")]
    assert names == ["All Subscribers"]


def test_clock_freeze_and_advance(mc):
    frozen = requests.post(f"{mc.base_url}/_emulator/clock", json={"freeze": True, "set": "2030-01-01T00:00:00Z"},
                           timeout=5).json()
    assert frozen == {"now": "2030-01-01T00:00:00Z", "frozen": True}
    later = requests.post(f"{mc.base_url}/_emulator/clock", json={"advance": 3600}, timeout=5).json()
    assert later["now"] == "2030-01-01T01:00:00Z"
    bad = requests.post(f"{mc.base_url}/_emulator/clock", json={"advance": "soon"}, timeout=5)
    assert bad.status_code == 400 and bad.json()["errorcode"] == 10005


def test_tenant_file_replaces_the_default(tmp_path):
    tenant = tmp_path / "tenant.yaml"
    tenant.write_text("""
installed_package: {client_id: c, client_secret: s, scopes: [email_read]}
api_users: [{username: u, password: p, mid: 42}]
business_units: [{mid: 42, name: Only BU}]
defaults_per_bu:
  - {type: List, CustomerKey: All Subscribers, ListName: All Subscribers}
""")
    emu = Emulator(Config(tenant_file=str(tenant)))
    try:
        assert [bu["mid"] for bu in emu.tenants.bus()] == [42]
        assert emu.auth.context_for_user("u", "p").mid == 42
        assert emu.objects.count(42, "List") == 1
    finally:
        emu.close()
