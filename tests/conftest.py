"""Shared fixtures: one in-process emulator per test session, reset after every test."""

from __future__ import annotations

import pytest

from emulator.testing import RunningEmulator, start
from tests.fuel_factory import build_once
from tests.send_world import SendWorld
from tests.soap_helpers import SoapCaller


@pytest.fixture(scope="session")
def server() -> RunningEmulator:
    mc = start()
    yield mc
    mc.stop()


@pytest.fixture
def mc(server: RunningEmulator, request: pytest.FixtureRequest) -> RunningEmulator:
    """The session emulator, reset after the test. Every test also proves the last-resort guard
    (middleware/guard.py) was never reached: a client's mistake must get SFMC's refusal, never an
    unexpected exception. Tests that plant a failure on purpose are marked `reaches_guard`."""
    server.emu.guard_hits = 0
    yield server
    hits = server.emu.guard_hits
    server.reset()
    if request.node.get_closest_marker("reaches_guard") is None:
        assert hits == 0, f"the last-resort guard answered {hits} unexpected exception(s): see the log"


@pytest.fixture
def soap(mc: RunningEmulator) -> SoapCaller:
    """Posts partner-API bodies with the default API user's UsernameToken and validates every answer."""
    return SoapCaller(mc)


@pytest.fixture
def world(mc: RunningEmulator, soap: SoapCaller) -> SendWorld:
    """Emails, lists and data extensions with members, for send tests (tests/sends and tests/clients)."""
    return SendWorld(mc, soap)
# Real SFMC clients on the session server. suds builds a FuelSDK client from the large WSDL slowly, so each
# mode's client is made once per session; the per-test reset keeps issued tokens, so they stay logged in.
# Each builds every request type once (tests/fuel_factory.py: suds takes seconds per object).
@pytest.fixture(scope="session")
def fuel(server: RunningEmulator):
    import FuelSDK

    return build_once(FuelSDK.ET_Client(params=server.fuel_params()))


@pytest.fixture(scope="session")
def fuel_legacy(server: RunningEmulator):
    import FuelSDK

    return build_once(FuelSDK.ET_Client(params=server.fuel_params(legacy=True)))


@pytest.fixture(scope="session")
def fuel_child(server: RunningEmulator):
    import FuelSDK

    return build_once(FuelSDK.ET_Client(params=server.fuel_params(account_id=server.child_mid)))


@pytest.fixture(scope="session")
def zeep_client(server: RunningEmulator):
    """zeep on the served WSDL with the default API user's UsernameToken (credentials survive resets)."""
    import zeep
    from zeep.wsse.username import UsernameToken

    return zeep.Client(server.wsdl_url, wsse=UsernameToken(server.username, server.password))


collect_ignore = ["example_project"]  # a separate project, run by tests/fixture/test_example_project.py
