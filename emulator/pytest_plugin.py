"""pytest plugin (entry point `pytest11: sfmc`, so installing sfmc-emulator is enough).

Fixtures:
- `sfmc`: the running emulator (emulator.testing.RunningEmulator), reset to the fresh default tenant
  before each test: base_url, soap_url, wsdl_url, credentials, token(), fuel_params(), outbox(), reset(),
  clock, faults, wait_for_job(); and for clients that hard-code Marketing Cloud's hosts, proxy_url, ca_path
  and proxy_env() (the environment that sends them through the emulator's proxy: docs/proxy.md).
- `sfmc_module`: the same emulator, reset once when a module starts and not between its tests — for
  module-scoped data (build it in a module-scoped fixture that requests `sfmc_module`). A test that requests
  `sfmc_module`, or carries `@pytest.mark.sfmc_keep_state`, is not reset.
- `sfmc_server`: the session's emulator without any reset.

One emulator per session, in-process, on an ephemeral loopback port (its proxy on another); under pytest-xdist each worker is its
own session and so gets its own emulator and its own throwaway database. ini options: `sfmc_start_timeout`
(seconds, default 10; env SFMC_EMULATOR_START_TIMEOUT wins), `sfmc_id_seed` (deterministic ids, default 0;
`random` for random ids), `sfmc_seed` (a YAML seed file applied at start and after every reset).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # the emulator is imported when first used, so pytest starts fast without it
    from .testing import RunningEmulator

KEEP_STATE = "sfmc_keep_state"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("sfmc_start_timeout", "seconds the sfmc emulator may take to start", default="10")
    parser.addini("sfmc_id_seed", "seed for deterministic ids/GUIDs/tokens ('random': none)", default="0")
    parser.addini("sfmc_seed", "YAML seed file loaded into the sfmc emulator (and after each reset)",
                  default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{KEEP_STATE}: the sfmc fixture does not reset state before this test")


@pytest.fixture(scope="session")
def sfmc_server(pytestconfig: pytest.Config) -> Iterator[RunningEmulator]:
    from .config import Config
    from .testing import EmulatorStartError, start

    timeout = float(os.environ.get("SFMC_EMULATOR_START_TIMEOUT") or pytestconfig.getini("sfmc_start_timeout"))
    id_seed = str(pytestconfig.getini("sfmc_id_seed")).strip()
    seed_file = str(pytestconfig.getini("sfmc_seed")).strip()
    if seed_file and not os.path.isabs(seed_file):
        seed_file = str(pytestconfig.rootpath / seed_file)
    config = Config(port=0, id_seed=None if id_seed.lower() in ("", "random", "none") else int(id_seed))
    try:
        mc = start(config, timeout=timeout, seed=seed_file or None)
    except EmulatorStartError as exc:
        pytest.fail(f"sfmc fixture: {exc}", pytrace=False)
    yield mc
    mc.stop()


@pytest.fixture(scope="module")
def sfmc_module(sfmc_server: RunningEmulator) -> RunningEmulator:
    sfmc_server.reset()
    return sfmc_server


@pytest.fixture
def sfmc(request: pytest.FixtureRequest, sfmc_server: RunningEmulator) -> RunningEmulator:
    if request.node.get_closest_marker(KEEP_STATE) is None and "sfmc_module" not in request.fixturenames:
        sfmc_server.reset()
    return sfmc_server
