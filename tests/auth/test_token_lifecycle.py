"""Token lifecycle as SFMC answers it: expired vs unknown tokens on SOAP and REST, the web/public-app grants
(authorization_code via /v2/authorize, refresh_token), /v2/userinfo, and the purge of expired tokens."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from lxml import etree

from emulator.domain import auth as domain_auth
from tests.soap_helpers import NS, post_soap, retrieve_request

# captured from real SFMC by sfmc-sdk (Accenture/sfmc-sdk test resources, soap.json "expiredToken")
FIXTURE = Path(__file__).with_name("sfmc-expired-token-fault.xml")
WEB = {"client_id": "emulator-web-client", "client_secret": "emulator-web-secret"}
REDIRECT = "http://localhost/callback"


def _token(mc, **body) -> requests.Response:
    payload = {"grant_type": "client_credentials", "client_id": mc.client_id, "client_secret": mc.client_secret,
               **body}
    return requests.post(f"{mc.base_url}/v2/token", json=payload, timeout=10)


def _soap(mc, token: str) -> requests.Response:
    return post_soap(mc.soap_url, "Retrieve", retrieve_request("List", ["ID"]), token=token)


def _fault(response: requests.Response) -> etree._Element:
    return etree.fromstring(response.content).find("soap:Body/soap:Fault", NS)


def _shape(fault: etree._Element) -> list[tuple[str, dict[str | None, str], str | None]]:
    """Each child of a soap:Fault: its tag, the namespaces it declares itself, and its text (the actor
    differs by host, so only its presence counts)."""
    out = []
    for child in fault:
        parent_ns = child.getparent().nsmap
        own = {k: v for k, v in child.nsmap.items() if parent_ns.get(k) != v}
        out.append((child.tag, own, None if child.tag == "faultactor" else child.text))
    return out


def test_expired_token_fault_matches_sfmcs_element_for_element(mc):
    token = _token(mc).json()["access_token"]
    mc.clock.advance(20 * 60 + 1)
    response = _soap(mc, token)
    assert response.status_code == 500
    ours = _fault(response)
    real = etree.parse(str(FIXTURE)).getroot().find("soap:Body/soap:Fault", NS)
    assert _shape(ours) == _shape(real)
    assert [c.tag for c in ours] == ["faultcode", "faultstring", "faultactor"]
    assert ours.findtext("faultstring") == "Token Expired" and ours.findtext("faultcode") == "q0:Security"
    assert ours.findtext("faultactor") == mc.soap_url


@pytest.mark.parametrize("token", ["never-issued", "", "x" * 5000, "<&>"])
def test_unknown_or_malformed_token_stays_login_failed(mc, token):
    from xml.sax.saxutils import escape

    response = _soap(mc, escape(token))
    assert response.status_code == 500
    assert _fault(response).findtext("faultstring") == "Login failed"
    rest = requests.get(f"{mc.base_url}/platform/v1/endpoints", timeout=10,
                        headers={"Authorization": f"Bearer {token}"})
    assert rest.status_code == 401 and "WWW-Authenticate" not in rest.headers


def test_expired_rest_token_carries_the_invalid_token_challenge(mc):
    token = _token(mc).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{mc.base_url}/platform/v1/endpoints", headers=headers, timeout=10).status_code == 200
    mc.clock.advance(20 * 60)  # lifetime 1200 s: expired at exactly its end
    rest = requests.get(f"{mc.base_url}/platform/v1/endpoints", headers=headers, timeout=10)
    assert rest.status_code == 401
    assert rest.json() == {"documentation": "https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/"
                           "mc-apis/error-handling.htm", "errorcode": 0, "message": "Not Authorized"}
    challenge = rest.headers["WWW-Authenticate"]
    assert challenge == domain_auth.EXPIRED_CHALLENGE
    import re

    assert re.match(r"^Bearer\s.+?invalid_token", challenge)  # fuel-rest's own test for "refresh and retry"


def test_token_is_good_until_its_lifetime_ends(mc):
    token = _token(mc).json()["access_token"]
    mc.clock.advance(20 * 60 - 1)
    assert _soap(mc, token).status_code == 200


def test_client_credentials_never_returns_a_refresh_token(mc):
    body = _token(mc).json()
    assert "refresh_token" not in body


def _authorize(mc, client_id="emulator-web-client", redirect_uri=REDIRECT, **extra) -> requests.Response:
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "state": "s1", **extra}
    return requests.get(f"{mc.base_url}/v2/authorize", params=params, allow_redirects=False, timeout=10)


def _code(mc, **kwargs) -> str:
    response = _authorize(mc, **kwargs)
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def test_authorize_redirects_back_with_a_code_and_the_state(mc):
    response = _authorize(mc, scope="email_read list_and_subscribers_read")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    assert set(parse_qs(urlsplit(location).query)) == {"state", "code"}


def test_authorize_refusals(mc):
    assert _authorize(mc, client_id="nobody").status_code == 401  # no redirect for an unknown client
    assert _authorize(mc, client_id=mc.client_id).status_code == 401  # a server-to-server client has no code flow
    assert _authorize(mc, redirect_uri="https://evil.example/").status_code == 400
    wrong_type = _authorize(mc, response_type="token")
    assert wrong_type.status_code == 302
    assert parse_qs(urlsplit(wrong_type.headers["Location"]).query)["error"] == ["unsupported_response_type"]
    assert _authorize(mc, redirect_uri="http://127.0.0.1:9999/cb").status_code == 302  # a '*' registered prefix


def _exchange(mc, code: str, **extra) -> requests.Response:
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **WEB, **extra}
    return requests.post(f"{mc.base_url}/v2/token", json=body, timeout=10)


def test_authorization_code_then_refresh_token(mc):
    code = _code(mc, scope="email_read list_and_subscribers_read")
    first = _exchange(mc, code)
    assert first.status_code == 200, first.text
    body = first.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in", "scope",
                         "soap_instance_url", "rest_instance_url"}
    assert body["scope"] == "email_read list_and_subscribers_read"
    assert _soap(mc, body["access_token"]).status_code == 200
    # the code is single use
    assert _exchange(mc, code).json()["error"] == "invalid_grant"
    mc.clock.advance(20 * 60 + 1)
    assert _fault(_soap(mc, body["access_token"])).findtext("faultstring") == "Token Expired"
    refreshed = requests.post(f"{mc.base_url}/v2/token", timeout=10, json={
        "grant_type": "refresh_token", "refresh_token": body["refresh_token"], **WEB})
    assert refreshed.status_code == 200, refreshed.text
    again = refreshed.json()
    assert again["refresh_token"] != body["refresh_token"] and again["scope"] == body["scope"]
    assert _soap(mc, again["access_token"]).status_code == 200
    # a refresh token is single use too
    reused = requests.post(f"{mc.base_url}/v2/token", timeout=10, json={
        "grant_type": "refresh_token", "refresh_token": body["refresh_token"], **WEB})
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"


def test_public_app_needs_no_secret_and_scope_can_only_narrow(mc):
    code = _code(mc, client_id="emulator-public-client")
    response = requests.post(f"{mc.base_url}/v2/token", timeout=10, json={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "client_id": "emulator-public-client", "scope": "email_read automations_read"})
    assert response.status_code == 200
    body = response.json()
    assert body["scope"] == "email_read" and body["refresh_token"]
    refreshed = requests.post(f"{mc.base_url}/v2/token", timeout=10, json={
        "grant_type": "refresh_token", "refresh_token": body["refresh_token"], "client_id": "emulator-public-client",
        "account_id": mc.child_mid})
    assert refreshed.status_code == 200 and refreshed.json()["scope"] == "email_read"


def test_grant_mismatches(mc):
    code = _code(mc)
    assert _exchange(mc, code, redirect_uri="http://localhost/other").json()["error"] == "invalid_grant"
    assert _exchange(mc, _code(mc), client_secret="wrong").status_code == 401
    s2s_refresh = _token(mc, grant_type="refresh_token", refresh_token="x")
    assert s2s_refresh.status_code == 401 and s2s_refresh.json()["error"] == "unauthorized_client"
    web_cc = requests.post(f"{mc.base_url}/v2/token", json={"grant_type": "client_credentials", **WEB}, timeout=10)
    assert web_cc.status_code == 401 and web_cc.json()["error"] == "unauthorized_client"
    code = _code(mc)
    mc.clock.advance(5 * 60 + 1)
    assert _exchange(mc, code).json()["error"] == "invalid_grant"  # codes live 5 minutes


def test_userinfo_reports_the_tokens_bu_user_and_scopes(mc):
    token = _token(mc, account_id=mc.child_mid, scope="email_read tracking_events_read").json()["access_token"]
    response = requests.get(f"{mc.base_url}/v2/userinfo", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200
    info = response.json()
    assert set(info) == {"exp", "iss", "user", "organization", "rest", "application", "permissions"}
    assert info["organization"]["member_id"] == mc.child_mid
    assert info["organization"]["enterprise_id"] == mc.account_id
    assert info["application"]["appScopes"] == ["email_read", "tracking_events_read"]
    assert info["user"]["preferred_username"] == "emulator-user" and info["user"]["sub"].isdigit()
    assert info["rest"]["rest_instance_url"] == mc.base_url + "/"
    mc.clock.advance(20 * 60 + 1)
    expired = requests.get(f"{mc.base_url}/v2/userinfo", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert expired.status_code == 401 and "invalid_token" in expired.headers["WWW-Authenticate"]
    assert requests.get(f"{mc.base_url}/v2/userinfo", timeout=10).status_code == 401


def test_expired_tokens_are_purged_when_new_ones_are_issued(monkeypatch):
    """Bounded growth: expired tokens go, except a bounded set kept to answer "Token Expired"."""
    from emulator.core import Emulator

    monkeypatch.setattr(domain_auth, "TOMBSTONES", 3)
    emu = Emulator()
    try:
        emu.clock.freeze()
        emu.clock.set(emu.clock.now().replace(year=2020))  # behind the wall clock: the floor is the clock
        first = []
        for _ in range(10):  # one a second, so "the most recently expired" is well defined
            first.append(emu.auth.issue_oauth2("emulator-client", "emulator-secret", None, None).access_token)
            emu.clock.advance(1)
        assert emu.tokens.count() == 10
        emu.clock.advance(1200)
        emu.auth.issue_oauth2("emulator-client", "emulator-secret", None, None)
        assert emu.tokens.count() == 1 + 3  # the new one and the last three expired
        with pytest.raises(domain_auth.TokenExpired):
            emu.auth.context_for_token(first[-1], ("oauth2",))
        emu.clock.advance(domain_auth.TOMBSTONE_SECONDS + 1)
        emu.auth.issue_oauth2("emulator-client", "emulator-secret", None, None)
        assert emu.tokens.count() == 2  # the old tombstones are gone: the last token (expired now) and the new one
        with pytest.raises(domain_auth.Unauthorized) as refused:
            emu.auth.context_for_token(first[-1], ("oauth2",))
        assert not isinstance(refused.value, domain_auth.TokenExpired)
    finally:
        emu.close()


def test_moving_the_clock_ahead_purges_nothing_a_reset_revives():
    """Tokens survive resets (long-lived clients stay logged in), so a purge judges expiry on the earlier of
    the clock and the wall clock."""
    from emulator.core import Emulator

    emu = Emulator()
    try:
        token = emu.auth.issue_oauth2("emulator-client", "emulator-secret", None, None).access_token
        emu.clock.advance(7 * 24 * 3600)
        emu.auth.issue_oauth2("emulator-client", "emulator-secret", None, None)
        emu.reset()
        assert emu.auth.context_for_token(token, ("oauth2",)).mid == emu.enterprise_mid
    finally:
        emu.close()
