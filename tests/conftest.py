"""Shared fixtures: one in-process emulator per test session, reset after every test."""

from __future__ import annotations

import pytest

from emulator.testing import RunningEmulator, start
from tests.soap_helpers import SoapCaller


@pytest.fixture(scope="session")
def server() -> RunningEmulator:
    mc = start()
    yield mc
    mc.stop()


@pytest.fixture
def mc(server: RunningEmulator) -> RunningEmulator:
    yield server
    server.reset()


@pytest.fixture
def soap(mc: RunningEmulator) -> SoapCaller:
    """Posts partner-API bodies with the default API user's UsernameToken and validates every answer."""
    return SoapCaller(mc)
collect_ignore = ["example_project"]  # a separate project, run by tests/fixture/test_example_project.py
