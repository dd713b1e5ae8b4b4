"""Real clients recover from an expired token by their own refresh logic (issue 11).

- sfmc-sdk (npm) refreshes and retries once when a SOAP fault's faultstring is exactly "Token Expired"
  (lib/soap.js) or a REST call answers 401 (lib/rest.js), given `requestAttempts` > 1. Its own expiry
  check runs on process.hrtime, which the emulator clock does not move: only the emulator's answers can
  make it refresh here.
- FuelSDK-Python refreshes before a call when its own clock says the token is within 5 minutes of
  `expires_in` (client.py refresh_token*); it never looks at the fault. So the test moves FuelSDK's clock
  along with the emulator's, and checks that the token it held really was refused as expired.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.clients.node import run_node
from tests.soap_helpers import post_soap, retrieve_request

# sfmc-sdk insists on a tenant-shaped auth URL; the script points the instance at the emulator afterwards
FAKE_AUTH_URL = "https://mc" + "0" * 26 + ".auth.marketingcloudapis.com/"

SDK_SCRIPT = """
import SDK from 'sfmc-sdk';
const base = process.env.EMULATOR_URL;
const refreshes = [];
const responses = [];
const sdk = new SDK(
  {client_id: process.env.CLIENT_ID, client_secret: process.env.CLIENT_SECRET,
   account_id: process.env.ACCOUNT_ID, auth_url: process.env.FAKE_AUTH_URL},
  {requestAttempts: 2, retryOnConnectionError: false, eventHandlers: {
    onRefresh: (auth) => refreshes.push(auth.access_token),
    logResponse: (r) => responses.push({status: r.status,
      data: typeof r.data === 'string' ? r.data.slice(0, 3000) : r.data}),
  }});
sdk.auth.authObject.auth_url = base + '/';
async function advance(seconds) {
  const r = await fetch(base + '/_emulator/clock', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                                   body: JSON.stringify({advance: seconds})});
  if (!r.ok) throw new Error('clock move refused: ' + r.status);
}
async function call() {
  if (process.env.MODE === 'soap') {
    const answer = await sdk.soap.retrieve('List', ['ID', 'CustomerKey'], {});
    return answer.Results.map((r) => r.CustomerKey);
  }
  const answer = await sdk.rest.get('/platform/v1/endpoints');
  return answer.items.map((i) => i.type);
}
const first = await call();
const firstToken = sdk.auth.authObject.access_token;
await advance(20 * 60 + 1);
const second = await call();
console.log(JSON.stringify({first, second, refreshes, firstToken, responses}));
"""


def _run_sdk(mc, mode: str) -> dict:
    return run_node(SDK_SCRIPT, env={
        "EMULATOR_URL": mc.base_url, "CLIENT_ID": mc.client_id, "CLIENT_SECRET": mc.client_secret,
        "ACCOUNT_ID": str(mc.account_id), "FAKE_AUTH_URL": FAKE_AUTH_URL, "MODE": mode})


def test_sfmc_sdk_soap_refreshes_on_token_expired_and_retries(mc):
    out = _run_sdk(mc, "soap")
    assert "All Subscribers" in out["first"] and out["second"] == out["first"]
    assert len(out["refreshes"]) == 2 and out["refreshes"][0] == out["firstToken"]  # the login, then the refresh
    assert out["refreshes"][1] != out["firstToken"]
    faults = [r for r in out["responses"] if r["status"] == 500]
    assert len(faults) == 1 and "<faultstring>Token Expired</faultstring>" in faults[0]["data"]


def test_sfmc_sdk_rest_refreshes_on_401_and_retries(mc):
    out = _run_sdk(mc, "rest")
    assert out["first"] == out["second"] == ["soap", "rest", "ftp"]
    assert len(out["refreshes"]) == 2 and out["refreshes"][1] != out["firstToken"]
    # the expired token is refused as expired (401 with the challenge), the new one works
    old = requests.get(f"{mc.base_url}/platform/v1/endpoints", timeout=10,
                       headers={"Authorization": f"Bearer {out['firstToken']}"})
    assert old.status_code == 401 and "invalid_token" in old.headers["WWW-Authenticate"]


class _ShiftedTime:
    """FuelSDK.client's `time` module with the clock moved by `offset` seconds (the client's view of the
    same time travel the emulator's clock made)."""

    def __init__(self, offset: float) -> None:
        self.offset = offset

    def time(self) -> float:
        return time.time() + self.offset

    def __getattr__(self, name: str):
        return getattr(time, name)


def _list_keys(client) -> list[str]:
    import FuelSDK

    getter = FuelSDK.ET_List()
    getter.auth_stub = client
    getter.props = ["CustomerKey"]
    answer = getter.get()
    assert answer.status is True, answer.message
    return [r.CustomerKey for r in answer.results]


def _expired_fault(mc, token: str) -> str:
    answer = post_soap(mc.soap_url, "Retrieve", retrieve_request("List", ["ID"]), token=token)
    return answer.text


@pytest.mark.slow
@pytest.mark.parametrize(("legacy", "lifetime"), [(False, 20 * 60), (True, 3600)], ids=["oauth2", "legacy"])
def test_fuelsdk_refreshes_an_expired_token_and_the_call_succeeds(mc, monkeypatch, legacy, lifetime):
    import FuelSDK
    import FuelSDK.client

    client = FuelSDK.ET_Client(params=mc.fuel_params(legacy=legacy))
    assert "All Subscribers" in _list_keys(client)
    old = client.authToken
    mc.clock.advance(lifetime + 1)
    assert "<faultstring>Token Expired</faultstring>" in _expired_fault(mc, old)
    monkeypatch.setattr(FuelSDK.client, "time", _ShiftedTime(lifetime + 1))
    assert "All Subscribers" in _list_keys(client)  # FuelSDK asked for a token again before the call
    assert client.authToken != old
    assert client.refreshKey is None  # client_credentials / legacy without a refresh flow: none given


@pytest.mark.slow
def test_fuelsdk_web_app_logs_in_with_a_code_and_refreshes_with_the_refresh_token(mc, monkeypatch):
    import FuelSDK
    import FuelSDK.client

    redirect = "http://localhost/callback"
    approval = requests.get(f"{mc.base_url}/v2/authorize", allow_redirects=False, timeout=10, params={
        "response_type": "code", "client_id": "emulator-web-client", "redirect_uri": redirect})
    code = parse_qs(urlsplit(approval.headers["Location"]).query)["code"][0]
    params = {**mc.fuel_params(), "clientid": "emulator-web-client", "clientsecret": "emulator-web-secret",
              "applicationType": "web", "authorizationCode": code, "redirectURI": redirect}
    client = FuelSDK.ET_Client(params=params)
    first_refresh_key = client.refreshKey
    assert first_refresh_key  # the authorization_code answer carried a refresh token
    assert "All Subscribers" in _list_keys(client)
    old = client.authToken
    mc.clock.advance(20 * 60 + 1)
    monkeypatch.setattr(FuelSDK.client, "time", _ShiftedTime(20 * 60 + 1))
    assert "All Subscribers" in _list_keys(client)  # refreshed with grant_type=refresh_token
    assert client.authToken != old
    assert client.refreshKey and client.refreshKey != first_refresh_key  # single use: a new one came back
    reuse = requests.post(f"{mc.base_url}/v2/token", timeout=10, json={
        "grant_type": "refresh_token", "refresh_token": first_refresh_key, "client_id": "emulator-web-client",
        "client_secret": "emulator-web-secret"})
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
