"""Fault injection through /_emulator/faults, seen by plain HTTP clients, zeep, and the journal."""

from __future__ import annotations

import time

import pytest
import requests
from lxml import etree

from tests.soap_helpers import NS, PARTNER, post_soap, retrieve_request, validate_body

LIST = (f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="List"><CustomerKey>{{key}}</CustomerKey>'
        "<ListName>{key}</ListName></Objects></CreateRequest>")
FAULT_NS = {"f": "urn:fault.partner.exacttarget.com", **NS}


def add_rule(mc, **rule) -> dict:
    response = requests.post(f"{mc.base_url}/_emulator/faults", json=rule, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def last_journal(mc, n: int = 1) -> list[dict]:
    return requests.get(f"{mc.base_url}/_emulator/journal", params={"limit": n}, timeout=10).json()["items"]


def test_rate_limited_soap_fault_then_normal_service(mc):
    add_rule(mc, action="Create", times=2, fault="rate_limit")
    for i in range(2):
        response = post_soap(mc.soap_url, "Create", LIST.format(key=f"k{i}"))
        assert response.status_code == 500
        fault = validate_body(response.content)
        assert fault.findtext("faultcode") == "soap:Server"
        assert fault.findtext("faultstring") == "Rate Limited"
        assert fault.findtext("detail/f:apifault/f:Code", namespaces=FAULT_NS) == "17"
        assert fault.findtext("detail/f:apifault/f:Message", namespaces=FAULT_NS) == "Rate Limited"
    ok = post_soap(mc.soap_url, "Create", LIST.format(key="k3"))
    assert ok.status_code == 200 and b"<StatusCode>OK</StatusCode>" in ok.content
    entries = last_journal(mc, 3)
    assert [e["fault"] for e in entries] == [None, "rule 1: rate_limit", "rule 1: rate_limit"]
    assert [e["status"] for e in entries] == [200, 500, 500]
    assert entries[1]["action"] == "Create" and entries[1]["object_type"] == "List"
    assert requests.get(f"{mc.base_url}/_emulator/faults", timeout=10).json()["items"] == []


def test_rest_429_with_retry_after_and_sfmc_body(mc):
    token = mc.token()
    add_rule(mc, path="/platform/", fault={"type": "http", "status": 429, "retry_after": 7})
    url = f"{mc.base_url}/platform/v1/endpoints/soap"
    response = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    body = response.json()
    assert body["errorcode"] == 50100 and body["retryAfter"] == 7
    assert set(body) == {"message", "errorcode", "documentation", "retryAfter"}
    assert requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code == 200


@pytest.mark.parametrize("status,code", [(500, 500), (503, 50300)])
def test_http_status_faults(mc, status, code):
    add_rule(mc, path_regex=r"^/v2/tok", fault={"type": "http", "status": status})
    response = requests.post(f"{mc.base_url}/v2/token", json={}, timeout=10)
    assert response.status_code == status and response.json()["errorcode"] == code
    assert last_journal(mc)[0]["fault"] == f"rule 1: http {status}"


def test_soap_error_result_validates_and_counts_objects(mc):
    add_rule(mc, action="create", object_type="List",
             fault={"type": "soap_error", "message": "Injected: try again", "error_code": 2})
    two = LIST.format(key="a").replace("</CreateRequest>", "") + LIST.format(key="b").split(">", 1)[1]
    response = post_soap(mc.soap_url, "Create", two)
    assert response.status_code == 200
    payload = validate_body(response.content)
    assert [e.text for e in payload.findall("p:Results/p:StatusCode", NS)] == ["Error", "Error"]
    assert [e.text for e in payload.findall("p:Results/p:ErrorCode", NS)] == ["2", "2"]
    assert payload.findtext("p:OverallStatus", namespaces=NS) == "Error"


def test_object_type_and_method_must_match(mc):
    add_rule(mc, object_type="Email", times=1)
    assert post_soap(mc.soap_url, "Create", LIST.format(key="x")).status_code == 200
    assert requests.get(f"{mc.base_url}/_emulator/faults", timeout=10).json()["items"][0]["hits"] == 0


def test_percentage_with_seed_is_repeatable(mc):
    def run() -> list[int]:
        requests.delete(f"{mc.base_url}/_emulator/faults", timeout=10)
        add_rule(mc, path="/platform/v1/endpoints", percent=50, seed=3, fault={"type": "http", "status": 503})
        return [requests.get(f"{mc.base_url}/platform/v1/endpoints/soap", timeout=10).status_code
                for _ in range(40)]

    first = run()
    assert first == run()
    assert 5 < first.count(503) < 35  # every matching call rolls the dice; 401 (no token) otherwise


def test_latency_is_added_and_journalled(mc):
    add_rule(mc, path="/v2/token", fault={"type": "latency", "ms": 150})
    started = time.perf_counter()
    token = requests.post(f"{mc.base_url}/v2/token", json={"grant_type": "client_credentials",
                                                          "client_id": mc.client_id,
                                                          "client_secret": mc.client_secret}, timeout=10)
    assert token.status_code == 200
    assert time.perf_counter() - started >= 0.15
    entry = last_journal(mc)[0]
    assert entry["fault"] == "rule 1: latency" and entry["ms"] >= 150


def test_soap_fault_with_custom_code(mc):
    add_rule(mc, action="Retrieve", fault={"type": "soap_fault", "faultcode": "Client",
                                           "faultstring": "Server was unable to process request."})
    response = post_soap(mc.soap_url, "Retrieve", retrieve_request("List", ["ID"]))
    fault = etree.fromstring(response.content).find("soap:Body/soap:Fault", NS)
    assert response.status_code == 500 and fault.findtext("faultcode") == "soap:Client"
    assert fault.find("detail") is None


def test_bad_rules_get_sfmc_errors_and_delete_clears(mc):
    bad = requests.post(f"{mc.base_url}/_emulator/faults", json={"fault": "explode"}, timeout=10)
    assert bad.status_code == 400 and bad.json()["errorcode"] == 10005
    bad = requests.post(f"{mc.base_url}/_emulator/faults", data="{", timeout=10,
                        headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["errorcode"] == 10004
    rule = add_rule(mc, path="/x", times=3)
    assert requests.delete(f"{mc.base_url}/_emulator/faults/{rule['id']}", timeout=10).json() == {"removed": 1}
    assert requests.delete(f"{mc.base_url}/_emulator/faults/99", timeout=10).status_code == 404
    add_rule(mc, path="/x")
    assert requests.delete(f"{mc.base_url}/_emulator/faults", timeout=10).json() == {"cleared": 1}


def test_reset_clears_rules(mc):
    add_rule(mc, path="/x", percent=100)
    mc.reset()
    assert requests.get(f"{mc.base_url}/_emulator/faults", timeout=10).json()["items"] == []


def test_zeep_client_sees_rate_limit_fault(mc, zeep_client):
    zeep = pytest.importorskip("zeep")
    client = zeep_client
    add_rule(mc, action="Retrieve", fault="rate_limit")
    request = {"ObjectType": "List", "Properties": ["ID"]}
    with pytest.raises(zeep.exceptions.Fault) as raised:
        client.service.Retrieve(RetrieveRequest=request)
    assert raised.value.message == "Rate Limited"
    assert client.service.Retrieve(RetrieveRequest=request)["OverallStatus"] == "OK"


@pytest.mark.parametrize("action,body", [
    ("Update", f'<UpdateRequest xmlns="{PARTNER}"><Objects xsi:type="List"><ID>1</ID></Objects></UpdateRequest>'),
    ("Delete", f'<DeleteRequest xmlns="{PARTNER}"><Objects xsi:type="List"><ID>1</ID></Objects></DeleteRequest>'),
    ("Perform", f'<PerformRequestMsg xmlns="{PARTNER}"><Action>start</Action><Definitions>'
                '<Definition xsi:type="EmailSendDefinition"><CustomerKey>k</CustomerKey></Definition>'
                "</Definitions></PerformRequestMsg>"),
    ("Retrieve", retrieve_request("List", ["ID"])),
])
def test_soap_error_results_of_every_operation_validate(mc, action, body):
    add_rule(mc, action=action, fault={"type": "soap_error", "message": "Injected"})
    response = post_soap(mc.soap_url, action, body)
    payload = validate_body(response.content)
    assert response.status_code == 200
    assert payload.findtext("p:OverallStatus", namespaces=NS).startswith("Error")


def test_fuelsdk_sees_a_rate_limit_then_an_error_result(mc, fuel):
    client = fuel
    fuel = pytest.importorskip("FuelSDK")
    add_rule(mc, action="Retrieve", fault="rate_limit")
    lists = fuel.ET_List()
    lists.auth_stub, lists.props = client, ["ID", "ListName"]
    limited = lists.get()
    assert limited.status is False and limited.code == 500
    assert lists.get().status is True
    add_rule(mc, action="Create", fault={"type": "soap_error", "message": "Injected", "error_code": 2})
    new = fuel.ET_List()
    new.auth_stub, new.props = client, {"CustomerKey": "f1", "ListName": "F1"}
    failed = new.post()
    assert failed.status is False and failed.results[0].StatusMessage == "Injected"
    assert failed.results[0].ErrorCode == 2


def test_shorthands_through_the_fixture_client(mc):
    mc.faults.add(operation="Create", status=503)
    mc.faults.add(path="/v2/token", latency_ms=50)
    assert [(r["kind"], r.get("status")) for r in mc.faults.list()] == [("http", 503), ("latency", None)]
    response = post_soap(mc.soap_url, "Create", LIST.format(key="s"))
    assert response.status_code == 503 and response.json()["errorcode"] == 50300
    assert requests.post(f"{mc.base_url}/v2/token", json={}, timeout=10).status_code == 400  # slowed, answered
    assert [e["fault"] for e in last_journal(mc, 2)] == ["rule 2: latency", "rule 1: http 503"]
    mc.faults.clear()
    assert mc.faults.list() == []
