"""Shared setup for the generated hostile-input tests: the Hypothesis profile, an in-process client with a
REST token, a SOAP Create, and the check that a refusal is SFMC's JSON error shape."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from emulator.app import create_app
from emulator.core import Emulator
from tests.soap_helpers import envelope

EXAMPLES = int(os.environ.get("SFMC_HOSTILE_EXAMPLES", "200"))
PROFILE = settings(max_examples=EXAMPLES, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
ERROR_MEMBERS = {"message", "errorcode", "documentation"}


def token_client() -> tuple:
    """A fresh emulator, a Flask test client on it and a REST access token for its installed package."""
    emu = Emulator()
    client = create_app(emu).test_client()
    package = emu.tenant["installed_package"]
    token = client.post("/v2/token", json={"grant_type": "client_credentials", "client_id": package["client_id"],
                                           "client_secret": package["client_secret"]}).get_json()["access_token"]
    return emu, client, token


def soap_create(client, xml: str) -> bytes:
    """A SOAP Create of the given ``<Objects>`` XML; the raw response body."""
    return client.post("/Service.asmx", data=envelope(
        f'<CreateRequest xmlns="http://exacttarget.com/wsdl/partnerAPI">{xml}</CreateRequest>'),
        headers={"SOAPAction": "Create", "Content-Type": "text/xml"}).data


def assert_sfmc_error(response) -> dict:
    """The response body is SFMC's JSON error ({message, errorcode, documentation}); returns it."""
    body = response.get_json()
    assert isinstance(body, dict) and set(body) >= ERROR_MEMBERS, response.data
    return body


def refused_raw(client, token: str, route: str, method: str, path: str, raw: bytes) -> dict:
    """Sends ``raw`` as a JSON body with the token; it must be a 400 in SFMC's JSON error shape, returned."""
    response = client.open(path, method=method, data=raw, headers={"Authorization": f"Bearer {token}",
                                                                   "Content-Type": "application/json"})
    assert response.status_code == 400, (route, raw[:200], response.data[:300])
    return assert_sfmc_error(response)


def refused_unchanged(wire: tuple, routes: dict, state, case: tuple[str, bytes]) -> dict:
    """A broken body (``case`` is (route, raw bytes); ``routes`` maps a route to (method, path, kind)) gets
    SFMC's 400 JSON error and leaves ``state(emu)`` exactly as it was; the error body is returned."""
    emu, client, token = wire
    route, raw = case
    method, path, _ = routes[route]
    before = state(emu)
    body = refused_raw(client, token, route, method, path, raw)
    assert state(emu) == before
    assert emu.guard_hits == 0
    return body


def answered(wire: tuple, method: str, path: str, body, statuses: tuple[int, ...]):
    """A well-shaped ``body``: the domain accepts or refuses it (a status in ``statuses``), never a 5xx and
    never the last-resort guard; background jobs are let finish so the next example starts from rest."""
    emu, client, token = wire
    response = client.open(path, method=method, json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in statuses, (method, path, body, response.data[:300])
    emu.jobs.wait_idle()
    assert emu.guard_hits == 0
    return response
