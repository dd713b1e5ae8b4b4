"""The last-resort guard (emulator/middleware/guard.py): an exception nothing handled is answered in the
protocol's shape, logged with its traceback and counted on emu.guard_hits."""

from __future__ import annotations

import logging

import pytest
import requests
from lxml import etree

from emulator.middleware.guard import LastResortGuard
from emulator.soap import service
from tests.soap_helpers import NS, PARTNER, post_soap

RETRIEVE = (f'<RetrieveRequestMsg xmlns="{PARTNER}"><RetrieveRequest><ObjectType>List</ObjectType>'
            "<Properties>ID</Properties></RetrieveRequest></RetrieveRequestMsg>")


class Planted(RuntimeError):
    pass


def _boom(*args, **kwargs):
    raise Planted("planted failure")


def assert_server_fault(response: requests.Response) -> etree._Element:
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{NS['soap']}}}Envelope"
    fault = root.find("soap:Body/soap:Fault", NS)
    assert fault is not None, response.text
    assert fault.findtext("faultcode") == "soap:Server"
    assert "ErrorID" in fault.findtext("faultstring")
    return fault


def assert_rest_error(response: requests.Response) -> dict:
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"message", "errorcode", "documentation"}
    assert body["errorcode"] == 500 and body["documentation"].startswith("https://")
    return body


@pytest.mark.reaches_guard
def test_a_soap_failure_outside_the_operation_is_a_server_fault(mc, monkeypatch, caplog) -> None:
    # Spyne's own parser raising (as an empty body or a broken encoding can make it do) escapes Spyne.
    monkeypatch.setattr(service.PartnerSoap11, "create_in_document", _boom)
    before = mc.emu.guard_hits
    with caplog.at_level(logging.ERROR, logger="sfmc_emulator.unexpected"):
        response = post_soap(mc.soap_url, "Retrieve", RETRIEVE)
    assert_server_fault(response)
    assert mc.emu.guard_hits == before + 1
    assert any(r.exc_info and r.exc_info[0] is Planted for r in caplog.records)
    monkeypatch.undo()
    assert post_soap(mc.soap_url, "Retrieve", RETRIEVE).status_code == 200
    assert mc.emu.guard_hits == before + 1


@pytest.mark.reaches_guard
def test_a_failing_rest_route_is_sfmc_json_error(mc, monkeypatch, caplog) -> None:
    import emulator.rest.assets as assets

    monkeypatch.setattr(assets, "_assets", _boom)
    before = mc.emu.guard_hits
    with caplog.at_level(logging.ERROR, logger="sfmc_emulator.unexpected"):
        response = requests.get(f"{mc.base_url}/asset/v1/content/assets/1",
                                headers={"Authorization": f"Bearer {mc.token()}"}, timeout=10)
    assert_rest_error(response)
    assert mc.emu.guard_hits == before + 1
    assert any(r.exc_info and r.exc_info[0] is Planted for r in caplog.records)


def test_client_mistakes_and_domain_errors_do_not_reach_the_guard(mc) -> None:
    before = mc.emu.guard_hits
    assert requests.get(f"{mc.base_url}/asset/v1/content/assets/1", timeout=10).status_code == 401
    assert requests.get(f"{mc.base_url}/no/such/route", timeout=10).status_code == 404
    assert post_soap(mc.soap_url, "Retrieve", RETRIEVE).status_code == 200
    assert mc.emu.guard_hits == before


# The guard on its own, around planted WSGI applications.

def _call(guard: LastResortGuard, environ: dict) -> tuple[str, dict, bytes]:
    seen: list = []

    def start_response(status, headers, exc_info=None):
        seen.append((status, dict(headers)))

    body = b"".join(guard(environ, start_response))
    assert len(seen) == 1  # one start_response reaches the server, whatever happened inside
    return seen[0][0], seen[0][1], body


def _environ(path: str = "/messaging/v1/x", method: str = "GET") -> dict:
    return {"REQUEST_METHOD": method, "PATH_INFO": path, "wsgi.input": None}


def after_start_response(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    raise Planted("after start_response")


def while_iterating(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/xml")])
    yield b"<half"
    raise Planted("while iterating")


def never_starts(environ, start_response):
    return [b"no status"]


class FailingClose:
    def __init__(self, environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])

    def __iter__(self):
        return iter([b"{}"])

    def close(self):
        raise Planted("in close")


@pytest.mark.reaches_guard
@pytest.mark.parametrize("app", [after_start_response, while_iterating, never_starts, FailingClose])
@pytest.mark.parametrize("soap", [False, True])
def test_failures_at_every_stage_are_answered(mc, app, soap: bool) -> None:
    before = mc.emu.guard_hits
    environ = _environ("/Service.asmx", "POST") if soap else _environ()
    status, headers, body = _call(LastResortGuard(app, mc.emu), environ)
    assert status.startswith("500 ")
    assert headers["Content-Length"] == str(len(body))
    if soap:
        assert headers["Content-Type"].startswith("text/xml")
        fault = etree.fromstring(body).find("soap:Body/soap:Fault", NS)
        assert fault.findtext("faultcode") == "soap:Server"
    else:
        assert headers["Content-Type"].startswith("application/json")
        assert b'"errorcode": 500' in body
    assert mc.emu.guard_hits == before + 1


@pytest.mark.reaches_guard
def test_when_the_fault_builder_itself_fails_the_fallback_is_a_fault(mc, monkeypatch) -> None:
    import emulator.middleware.guard as guard

    monkeypatch.setattr(guard, "fault_body", _boom)
    status, headers, body = _call(LastResortGuard(after_start_response, mc.emu), _environ("/service.asmx", "POST"))
    assert status.startswith("500 ") and headers["Content-Type"].startswith("text/xml")
    assert etree.fromstring(body).find("soap:Body/soap:Fault", NS).findtext("faultcode") == "soap:Server"


def test_a_good_response_passes_unchanged(mc) -> None:
    def app(environ, start_response):
        write = start_response("201 CREATED", [("Content-Type", "text/plain"), ("X-Mine", "1")])
        write(b"written ")
        return [b"then ", b"returned"]

    before = mc.emu.guard_hits
    status, headers, body = _call(LastResortGuard(app, mc.emu), _environ())
    assert (status, headers, body) == ("201 CREATED", {"Content-Type": "text/plain", "X-Mine": "1"},
                                       b"written then returned")
    assert mc.emu.guard_hits == before
