"""The recording proxy: a session recorded against an emulator replays against a fresh one, with no
secret left in the file; the journal's export replays too."""

from __future__ import annotations

import io

import requests
import yaml

from emulator.replay.recorder import start_proxy
from emulator.replay.runner import run_files
from tests.soap_helpers import PARTNER

FUEL = """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<s:Header><fueloauth xmlns="http://exacttarget.com">{token}</fueloauth></s:Header><s:Body>{body}</s:Body></s:Envelope>"""
WSSE = """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<s:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
<wsse:UsernameToken><wsse:Username>{user}</wsse:Username><wsse:Password>{password}</wsse:Password></wsse:UsernameToken>
</wsse:Security></s:Header><s:Body>{body}</s:Body></s:Envelope>"""


def session(base: str, mc) -> None:
    """A client session: token, SOAP creates with ids reused later, a retrieve, REST, a legacy token."""
    http = requests.Session()
    token = http.post(f"{base}/v2/token", json={"grant_type": "client_credentials", "client_id": mc.client_id,
                                                "client_secret": mc.client_secret}).json()
    assert token["soap_instance_url"] == base + "/"  # the proxy keeps the client on itself
    soap = {"Content-Type": "text/xml; charset=utf-8"}
    created = http.post(f"{base}/Service.asmx", headers={**soap, "SOAPAction": "Create"}, data=FUEL.format(
        token=token["access_token"], body=f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="List">'
        "<CustomerKey>rec</CustomerKey><ListName>Recorded</ListName></Objects>"
        '<Objects xsi:type="SenderProfile"><CustomerKey>rsp</CustomerKey><Name>R</Name><FromName>R</FromName>'
        "<FromAddress>r@example.com</FromAddress></Objects></CreateRequest>"))
    assert created.status_code == 200 and created.text.count("<StatusCode>OK</StatusCode>") == 2, created.text
    list_id = created.text.split("<NewID>")[1].split("<")[0]
    profile = created.text.split("<NewObjectID>")[-1].split("<")[0]
    retrieved = http.post(f"{base}/Service.asmx", headers={**soap, "SOAPAction": "Retrieve"}, data=WSSE.format(
        user=mc.username, password=mc.password,
        body=f'<RetrieveRequestMsg xmlns="{PARTNER}"><RetrieveRequest><ObjectType>List</ObjectType>'
        '<Properties>ListName</Properties><Filter xsi:type="SimpleFilterPart"><Property>ID</Property>'
        f"<SimpleOperator>equals</SimpleOperator><Value>{list_id}</Value></Filter></RetrieveRequest></RetrieveRequestMsg>"))
    assert "<ListName>Recorded</ListName>" in retrieved.text
    updated = http.post(f"{base}/Service.asmx", headers={**soap, "SOAPAction": "Update"}, data=FUEL.format(
        token=token["access_token"], body=f'<UpdateRequest xmlns="{PARTNER}"><Objects xsi:type="SenderProfile">'
        f"<ObjectID>{profile}</ObjectID><Name>R2</Name></Objects></UpdateRequest>"))
    assert "<StatusCode>OK</StatusCode>" in updated.text, updated.text
    rest = http.get(f"{base}/platform/v1/endpoints/soap", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert rest.status_code == 200
    legacy = http.post(f"{base}/v1/requestToken?legacy=1", json={"clientId": mc.client_id,
                                                                  "clientSecret": mc.client_secret})
    assert legacy.status_code == 200
    http.close()


def test_record_against_the_emulator_and_replay_on_a_fresh_one(mc, tmp_path):
    out = tmp_path / "session.yaml"
    proxy = start_proxy(mc.base_url, out)
    try:
        session(proxy.base_url, mc)
    finally:
        proxy.stop()
    text = out.read_text()
    for secret in (mc.client_secret, mc.password, ">" + mc.username + "<"):
        assert secret not in text, secret
    data = yaml.safe_load(text)
    assert len(data["exchanges"]) == 6
    first, create, retrieve, update, rest, legacy = data["exchanges"]
    assert first["request"]["body"]["client_secret"] == "{{client_secret}}"
    assert first["expect"]["body"]["access_token"] == "{{token}}"
    assert first["capture"] == {"access_token": {"json": "access_token"}}
    assert "<fueloauth xmlns=\"http://exacttarget.com\">{{access_token}}</fueloauth>" in create["request"]["body"]
    assert "<Value>{{new_id}}</Value>" in retrieve["request"]["body"]
    assert "<wsse:Password>{{password}}</wsse:Password>" in retrieve["request"]["body"]
    assert "<ObjectID>{{new_object_id}}</ObjectID>" in update["request"]["body"]
    assert set(create["capture"]) == {"new_id", "new_object_id"}
    assert rest["request"]["headers"]["Authorization"] == "Bearer {{access_token}}"
    assert legacy["expect"]["body"]["legacyToken"] == "{{token}}"
    for key in ("accessToken", "legacyToken"):
        assert len(legacy["expect"]["body"][key]) < 12  # no token value left
    err = io.StringIO()
    code = run_files([str(out)], out=(report := io.StringIO()), err=err)
    assert code == 0, report.getvalue()


def test_journal_export_replays(mc, tmp_path):
    session(mc.base_url, mc)
    exported = requests.get(f"{mc.base_url}/_emulator/journal/export", timeout=30)
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("application/x-yaml")
    assert mc.client_secret not in exported.text and mc.password not in exported.text
    path = tmp_path / "journal.yaml"
    path.write_text(exported.text)
    report = io.StringIO()
    assert run_files([str(path)], out=report, err=io.StringIO()) == 0, report.getvalue()
