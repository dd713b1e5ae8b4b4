"""pytest plugin (entry point `pytest11: sfmc`): the `sfmc` fixture, a fresh emulator state per test."""

from __future__ import annotations

import pytest

from .testing import RunningEmulator, start


@pytest.fixture(scope="session")
def sfmc_server() -> RunningEmulator:
    mc = start()
    yield mc
    mc.stop()


@pytest.fixture
def sfmc(sfmc_server: RunningEmulator) -> RunningEmulator:
    sfmc_server.reset()
    yield sfmc_server
