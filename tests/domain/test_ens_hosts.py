"""ENS callbacks reach loopback only, unless `serve --ens-allow-host` names more (no request leaves here:
the probe is a stand-in)."""

from __future__ import annotations

import pytest

from emulator.cli import build_parser
from emulator.config import Config
from emulator.core import Emulator
from emulator.domain.ens.worker import host_allowed
from emulator.domain.errors import Invalid


@pytest.mark.parametrize("url, allowed", [
    ("http://127.0.0.1:8080/x", True), ("https://localhost/x", True), ("http://[::1]:9/x", True),
    ("http://app.localhost/x", True), ("http://127.9.9.9/x", True), ("https://example.com/x", False),
    ("http://10.0.0.1/x", False), ("ftp://127.0.0.1/x", False), ("http://127.0.0.1:99999/x", False),
    ("nope", False), ("http://localhost.example.com/x", False), ("http://127.0.0.1:8462/_emulator/reset", False),
    ("http://127.0.0.1:8462/_Emulator/clock", False)])
def test_loopback_only_by_default(url, allowed):
    assert host_allowed(url, ()) is allowed


def test_a_named_host_is_allowed():
    assert host_allowed("https://Hooks.Internal/ens", ("hooks.internal",))
    assert not host_allowed("https://other.internal/ens", ("hooks.internal",))


def test_serve_takes_the_flag_repeatedly():
    args = build_parser().parse_args(["serve", "--ens-allow-host", "a.test", "--ens-allow-host", "b.test"])
    assert args.ens_allow_host == ["a.test", "b.test"]


def test_the_configured_hosts_reach_the_service():
    emu = Emulator(Config(ens_allowed_hosts=("hooks.internal",)))
    probes = []
    emu.ens.post = lambda url, body, headers, timeout: (probes.append(url), (200, None))[1]
    try:
        created = emu.ens.create_callback(emu.enterprise_mid, {"callbackName": "cb", "url": "https://hooks.internal/e"})
        assert created["url"] == "https://hooks.internal/e" and probes == ["https://hooks.internal/e"]
        with pytest.raises(Invalid):
            emu.ens.create_callback(emu.enterprise_mid, {"callbackName": "cb", "url": "https://other.internal/e"})
        assert probes == ["https://hooks.internal/e"]
    finally:
        emu.close()
