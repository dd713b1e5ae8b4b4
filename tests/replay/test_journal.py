"""The request journal: what it records, its cap (oldest dropped first), paging and clearing."""

from __future__ import annotations

import requests

from emulator.config import Config
from emulator.testing import running
from tests.soap_helpers import PARTNER, post_soap, retrieve_request


def create_list(mc, key: str) -> requests.Response:
    body = (f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="List"><CustomerKey>{key}</CustomerKey>'
            f"<ListName>{key}</ListName></Objects></CreateRequest>")
    return post_soap(mc.soap_url, "Create", body)


def journal(mc, **params) -> dict:
    response = requests.get(f"{mc.base_url}/_emulator/journal", params=params, timeout=10)
    assert response.status_code == 200
    return response.json()


def test_soap_and_rest_exchanges_are_recorded(mc):
    create_list(mc, "j1")
    token = mc.token(account_id=mc.child_mid)
    requests.get(f"{mc.base_url}/platform/v1/endpoints/soap", headers={"Authorization": f"Bearer {token}"},
                 timeout=10)
    requests.get(f"{mc.base_url}/_emulator/health", timeout=10)  # admin calls are not journalled
    found = journal(mc)
    assert found["count"] == 3 and found["cap"] == 5000
    rest, token_call, soap = found["items"]
    assert (soap["method"], soap["path"], soap["action"], soap["object_type"], soap["status"], soap["mid"]) == \
        ("POST", "/Service.asmx", "Create", "List", 200, mc.parent_mid)
    assert "<ListName>j1</ListName>" in soap["request"] and "<StatusCode>OK</StatusCode>" in soap["response"]
    assert soap["ms"] > 0 and soap["time"].endswith("Z") and soap["fault"] is None
    assert token_call["path"] == "/v2/token" and token_call["action"] is None
    assert (rest["path"], rest["mid"], rest["status"]) == ("/platform/v1/endpoints/soap", mc.child_mid, 200)
    # `mid` keeps one BU's exchanges only (the inspector's "only this BU"); a token request is the BU's it
    # was granted for, so another BU's filter never shows its secret and token.
    assert [e["path"] for e in journal(mc, mid=mc.child_mid)["items"]] == ["/platform/v1/endpoints/soap", "/v2/token"]
    assert [e["path"] for e in journal(mc, mid=mc.parent_mid)["items"]] == ["/Service.asmx"]


def test_the_inspector_reads_the_journal_endpoint_and_there_is_no_second_one(mc):
    create_list(mc, "one-endpoint")
    page = requests.get(f"{mc.base_url}/_emulator/ui/journal", timeout=10).text
    entry = journal(mc)["items"][0]
    assert f'<td class="nowrap">{entry["time"]}</td>' in page and 'href="/_emulator/journal"' in page
    assert requests.get(f"{mc.base_url}/_emulator/requests", timeout=10).status_code == 404


def test_action_comes_from_the_body_without_soapaction_and_retrieve_type(mc):
    post_soap(mc.soap_url, None, retrieve_request("SendClassification", ["Name"]))
    entry = journal(mc)["items"][0]
    assert (entry["action"], entry["object_type"]) == ("Retrieve", "SendClassification")


def test_paging_single_entry_and_clear(mc):
    for i in range(5):
        create_list(mc, f"p{i}")
    page = journal(mc, limit=2, offset=1, bodies=0)
    assert page["count"] == 5 and [e["id"] for e in page["items"]] == [4, 3]
    assert "request" not in page["items"][0]
    one = requests.get(f"{mc.base_url}/_emulator/journal/2", timeout=10).json()
    assert "<ListName>p1</ListName>" in one["request"]
    assert requests.get(f"{mc.base_url}/_emulator/journal/99", timeout=10).status_code == 404
    assert [e["id"] for e in journal(mc, since_id=3)["items"]] == [5, 4]
    assert requests.delete(f"{mc.base_url}/_emulator/journal", timeout=10).json() == {"cleared": 5}
    assert journal(mc)["count"] == 0


def test_cap_drops_oldest_and_bodies_are_truncated():
    with running(Config(port=0, journal_cap=3, journal_body_limit=100)) as mc:
        for i in range(5):
            create_list(mc, f"c{i}")
        found = journal(mc)
        assert found["count"] == 3 and found["cap"] == 3
        assert [e["id"] for e in found["items"]] == [5, 4, 3]
        assert "[truncated by the journal:" in found["items"][0]["request"]
        assert len(found["items"][0]["request"]) < 200


def test_describe_soap_reads_action_and_type_cheaply():
    from emulator.journal import describe_soap

    retrieve = "<s:Envelope><s:Body><RetrieveRequestMsg><RetrieveRequest><ObjectType> DataExtensionObject[My DE] </ObjectType>"
    assert describe_soap(retrieve, None) == ("Retrieve", "DataExtensionObject[My DE]")
    perform = ('<s:Envelope><s:Header><x type="no"/></s:Header><s:Body>\n <!-- c --> <ns:PerformRequestMsg><Definitions>'
               '<Definition xsi:type="ns1:ImportDefinition">')
    assert describe_soap(perform, '"Perform"') == ("Perform", "ImportDefinition")
    filtered = ('<Body><RetrieveRequestMsg><RetrieveRequest><Filter xsi:type="SimpleFilterPart">')
    assert describe_soap(filtered, "urn:x/Retrieve") == ("Retrieve", None)


def test_soap_call_reads_the_request_once_per_exchange():
    from emulator.journal import ENV_SOAP, soap_call

    environ = {"HTTP_SOAPACTION": "Create"}
    create = b'<s:Envelope><s:Body><CreateRequest><Objects xsi:type="List">'
    assert soap_call(environ, create) == ("Create", "List")
    assert environ[ENV_SOAP] == ("Create", "List")
    # The layers inside (journal, faults) get the first reading, not a second parse of what they pass.
    assert soap_call(environ, b"<s:Body><DeleteRequest>") == ("Create", "List")
    # Two-byte characters: the type sits within the 16 Ki characters scanned, though past 16 KiB of bytes.
    multibyte = '<s:Envelope><s:Header><x>' + "\u00e9" * 16000 + '</x></s:Header>' + create.decode()[12:]
    assert soap_call({}, multibyte.encode()) == ("Create", "List")
