"""Real SFMC clients against the running emulator. suds builds FuelSDK clients from the large WSDL slowly,
so each mode's client is made once per session; state is reset between tests as usual (tokens survive)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def fuel(server):
    import FuelSDK

    return FuelSDK.ET_Client(params=server.fuel_params())


@pytest.fixture(scope="session")
def fuel_legacy(server):
    import FuelSDK

    return FuelSDK.ET_Client(params=server.fuel_params(legacy=True))


@pytest.fixture(scope="session")
def fuel_child(server):
    import FuelSDK

    return FuelSDK.ET_Client(params=server.fuel_params(account_id=server.child_mid))


@pytest.fixture(scope="session")
def zeep_client(server):
    import zeep

    return zeep.Client(server.wsdl_url)
