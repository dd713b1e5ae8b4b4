"""The admin guard (web.py): cross-site writes and foreign Host headers are refused before a route runs;
the inspector's forms get through with the CSRF token; the API routes accept any Host."""

from __future__ import annotations

import pytest
import requests

from emulator.app import create_app
from emulator.config import Config
from emulator.core import Emulator
from emulator.web import allowed_admin_host, host_name


def _lists(soap) -> list[str]:
    return [e.text for e in soap.retrieve("List", ["ListName"]).iter("{http://exacttarget.com/wsdl/partnerAPI}ListName")]


def _assert_sfmc_403(response: requests.Response) -> None:
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["errorcode"] == 403 and body["message"] and "documentation" in body


def test_text_plain_cross_site_reset_is_refused_and_nothing_changes(mc, soap):
    soap.create('<Objects xsi:type="List"><ListName>keep me</ListName></Objects>')
    # What a cross-site page's <form enctype="text/plain"> or no-cors fetch sends: no preflight.
    for headers in ({"Content-Type": "text/plain"},
                    {"Content-Type": "text/plain", "Origin": "http://evil.example"},
                    {"Content-Type": "application/x-www-form-urlencoded"},
                    {"Content-Type": "multipart/form-data; boundary=x"}):
        refused = requests.post(f"{mc.base_url}/_emulator/reset", data="{}", headers=headers, timeout=10)
        _assert_sfmc_403(refused)
    assert "keep me" in _lists(soap)


def test_foreign_origin_or_fetch_site_refuses_even_json(mc):
    before = requests.get(f"{mc.base_url}/_emulator/clock", timeout=5).json()
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"},
                    {"Origin": "http://localhost:3000"},  # another local app: same site, other origin
                    {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}):
        refused = requests.post(f"{mc.base_url}/_emulator/clock", json={"freeze": True}, headers=headers, timeout=5)
        _assert_sfmc_403(refused)
    refused = requests.delete(f"{mc.base_url}/_emulator/journal", headers={"Origin": "http://evil.example"}, timeout=5)
    _assert_sfmc_403(refused)
    refused = requests.put(f"{mc.base_url}/_emulator/ftp/Import/planted.csv", data=b"a\n", timeout=5,
                           headers={"Origin": "http://evil.example"})
    _assert_sfmc_403(refused)
    assert requests.get(f"{mc.base_url}/_emulator/ftp/Import/planted.csv", timeout=5).status_code == 404
    assert requests.get(f"{mc.base_url}/_emulator/clock", timeout=5).json()["frozen"] == before["frozen"] is False


def test_a_null_origin_passes_only_when_the_browser_says_same_origin(mc):
    """A no-referrer page's own form post carries `Origin: null` and `Sec-Fetch-Site: same-origin` (which no
    page can forge); a null origin from anywhere else stays refused."""
    sandboxed = requests.post(f"{mc.base_url}/_emulator/clock", json={"freeze": True}, timeout=5,
                              headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"})
    _assert_sfmc_403(sandboxed)
    own = requests.post(f"{mc.base_url}/_emulator/clock", json={"freeze": True}, timeout=5,
                        headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert own.status_code == 200 and own.json()["frozen"] is True


def test_what_scripts_and_command_lines_send_still_works(mc):
    own_origin = mc.base_url  # a same-origin page (the inspector) says so
    assert requests.post(f"{mc.base_url}/_emulator/clock", json={"freeze": False}, timeout=5).status_code == 200
    assert requests.post(f"{mc.base_url}/_emulator/clock", json={}, headers={"Origin": own_origin,
                         "Sec-Fetch-Site": "same-origin"}, timeout=5).status_code == 200
    assert requests.post(f"{mc.base_url}/_emulator/reset", timeout=30).status_code == 200  # no body at all
    assert requests.post(f"{mc.base_url}/_emulator/reset", data="x", timeout=30,
                         headers={"Content-Type": "text/plain", "X-SFMC-Emulator": "1"}).status_code == 200


def test_inspector_form_posts_with_the_csrf_token_and_goes_back():
    emu = Emulator()
    try:
        app = create_app(emu)
        client = app.test_client()
        with app.test_request_context():
            from emulator.web import csrf_token

            token = csrf_token()
        assert client.post("/_emulator/reset", data={"next": "/_emulator/ui"}).status_code == 403
        assert client.post("/_emulator/reset", data={"csrf_token": "wrong"}).status_code == 403
        ok = client.post("/_emulator/reset", data={"csrf_token": token, "next": "/_emulator/ui/outbox?mid=1"},
                         headers={"Origin": "http://localhost"})
        assert ok.status_code == 303 and ok.headers["Location"] == "/_emulator/ui/outbox?mid=1"
        # `next` never leaves the server
        offsite = client.post("/_emulator/reset", data={"csrf_token": token, "next": "//evil.example/"})
        assert offsite.status_code == 200 and offsite.json == {"status": "reset"}
        # ... and the token does not open the door to another origin
        foreign = client.post("/_emulator/reset", data={"csrf_token": token}, headers={"Origin": "http://evil.example"})
        assert foreign.status_code == 403
        # templates can ask for it
        with app.app_context():
            assert app.jinja_env.from_string("{{ csrf_token() }}").render() == token
    finally:
        emu.close()


def test_foreign_host_cannot_read_the_journal_but_api_routes_accept_it(mc):
    requests.post(f"{mc.base_url}/v2/token", json={"grant_type": "client_credentials", **mc.credentials}, timeout=10)
    for host in ("evil.example", "evil.example:8462", "127.0.0.1.evil.example", "localhost.evil.example"):
        refused = requests.get(f"{mc.base_url}/_emulator/journal", headers={"Host": host}, timeout=5)
        _assert_sfmc_403(refused)
        assert "client_secret" not in refused.text
        _assert_sfmc_403(requests.get(f"{mc.base_url}/", headers={"Host": host}, timeout=5))
    assert requests.get(f"{mc.base_url}/_emulator/health", headers={"Host": "evil.example"}, timeout=5).status_code == 200
    # Real clients reach the API through proxies under SFMC's host names.
    token = requests.post(f"{mc.base_url}/v2/token", json={"grant_type": "client_credentials", **mc.credentials},
                          headers={"Host": "abc123.auth.marketingcloudapis.com"}, timeout=10)
    assert token.status_code == 200
    rest = requests.get(f"{mc.base_url}/asset/v1/content/assets", timeout=10,
                        headers={"Host": "abc123.rest.marketingcloudapis.com",
                                 "Authorization": f"Bearer {token.json()['access_token']}"})
    assert rest.status_code < 500 and rest.status_code != 403
    for host in ("localhost", "LOCALHOST:1", "127.0.0.5", "[::1]:8462", "app.localhost"):
        assert requests.get(f"{mc.base_url}/_emulator/clock", headers={"Host": host}, timeout=5).status_code == 200


@pytest.mark.parametrize(("config", "host", "allowed"), [
    (Config(), "localhost", True),
    (Config(), "127.9.9.9", True),
    (Config(), "::1", True),
    (Config(), "10.0.0.5", False),
    (Config(), "evil.example", False),
    (Config(host="10.0.0.5"), "10.0.0.5", True),
    (Config(host="0.0.0.0"), "192.168.1.7", True),  # a rebinding page reaches us by a name, never an IP
    (Config(host="0.0.0.0"), "evil.example", False),
    (Config(public_base_url="https://mc.internal:9000"), "mc.internal", True),
    (Config(allowed_hosts=("sandbox.ci",)), "sandbox.ci", True),
    (Config(), "", False),
])
def test_allowed_hosts(config: Config, host: str, allowed: bool):
    assert allowed_admin_host(host, config) is allowed


def test_host_name_strips_ports_and_brackets():
    assert host_name("LocalHost:8462") == "localhost"
    assert host_name("[::1]:8462") == "::1"
    assert host_name("[::1") == "::1"
    assert host_name("example.com") == "example.com"
