"""/v2/token, /v1/requestToken, /platform/v1/endpoints, and token expiry on the emulator clock."""

from __future__ import annotations

import requests

from tests.soap_helpers import post_soap, retrieve_request


def _token(mc, **body):
    payload = {"grant_type": "client_credentials", "client_id": mc.client_id, "client_secret": mc.client_secret,
               **body}
    return requests.post(f"{mc.base_url}/v2/token", json=payload, timeout=10)


def _soap_retrieve_with_token(mc, token: str, path: str = "/Service.asmx") -> requests.Response:
    return post_soap(mc.base_url + path, "Retrieve", retrieve_request("List", ["ID"]), token=token)


def test_v2_token_shape(mc):
    response = _token(mc)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope", "soap_instance_url",
                         "rest_instance_url"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 1079
    assert body["soap_instance_url"] == body["rest_instance_url"] == mc.base_url + "/"
    assert len(body["access_token"]) <= 512


def test_v2_token_wrong_secret_is_invalid_client(mc):
    response = _token(mc, client_secret="nope")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert set(response.json()) == {"error", "error_description", "error_uri"}


def test_v2_token_unknown_business_unit(mc):
    assert _token(mc, account_id=999).status_code == 401


def test_v2_token_form_encoded_and_scope(mc):
    response = requests.post(f"{mc.base_url}/v2/token", timeout=10, data={
        "grant_type": "client_credentials", "client_id": mc.client_id, "client_secret": mc.client_secret,
        "scope": "email_read list_and_subscribers_read"})
    assert response.status_code == 200
    assert response.json()["scope"] == "email_read list_and_subscribers_read"


def test_token_expires_on_the_emulator_clock(mc):
    token = _token(mc).json()["access_token"]
    assert _soap_retrieve_with_token(mc, token).status_code == 200
    mc.clock.advance(20 * 60 + 1)
    expired = _soap_retrieve_with_token(mc, token)
    assert expired.status_code == 500
    assert b"<faultstring>Token Expired</faultstring>" in expired.content
    assert b"q0:Security" in expired.content
    rest = requests.get(f"{mc.base_url}/platform/v1/endpoints/soap", timeout=10,
                        headers={"Authorization": f"Bearer {token}"})
    assert rest.status_code == 401
    assert rest.json()["message"] == "Not Authorized" and rest.json()["errorcode"] == 0
    assert "invalid_token" in rest.headers["WWW-Authenticate"]


def test_legacy_request_token(mc):
    response = requests.post(f"{mc.base_url}/v1/requestToken?legacy=1", timeout=10,
                             json={"clientId": mc.client_id, "clientSecret": mc.client_secret, "accessType": "offline"})
    assert response.status_code == 200
    body = response.json()
    assert body["expiresIn"] == 3600 and body["accessToken"] and body["legacyToken"]
    refused = requests.post(f"{mc.base_url}/v1/requestToken", json={"clientId": "x", "clientSecret": "y"}, timeout=10)
    assert refused.status_code == 401
    assert refused.json() == {"message": "Unauthorized", "errorcode": 1, "documentation": ""}


def test_endpoints_and_double_slashes(mc):
    token = _token(mc).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    soap = requests.get(f"{mc.base_url}//platform/v1/endpoints/soap", headers=headers, timeout=10)
    assert soap.status_code == 200
    assert soap.json() == {"type": "soap", "url": f"{mc.base_url}/Service.asmx"}
    missing = requests.get(f"{mc.base_url}/platform/v1/endpoints/foobar", headers=headers, timeout=10)
    assert missing.status_code == 404
    assert missing.json() == {"documentation": "", "errorcode": 30003, "message": "No endpoint exists for key 'foobar'."}
    listing = requests.get(f"{mc.base_url}/platform/v1/endpoints", headers=headers, timeout=10).json()
    assert {i["type"] for i in listing["items"]} == {"soap", "rest", "ftp"}
    assert requests.get(f"{mc.base_url}/platform/v1/endpoints/soap", timeout=10).status_code == 401


def test_soap_path_is_case_insensitive_and_wsdl_is_served(mc):
    token = _token(mc).json()["access_token"]
    for path in ("/service.asmx", "/SERVICE.ASMX", "//service.asmx", "/Service.asmx"):
        response = _soap_retrieve_with_token(mc, token, path)
        assert response.status_code == 200 and b"<OverallStatus>OK</OverallStatus>" in response.content
    wsdl = requests.get(f"{mc.base_url}/Service.asmx?wsdl", timeout=10)
    assert wsdl.status_code == 200 and f'location="{mc.base_url}/Service.asmx"'.encode() in wsdl.content
    assert f'schemaLocation="{mc.base_url}/ETFrameworkFault.xsd"'.encode() in wsdl.content
    xsd = requests.get(f"{mc.base_url}/ETFrameworkFault.xsd", timeout=10)
    assert xsd.status_code == 200 and b"urn:fault.partner.exacttarget.com" in xsd.content


def test_unknown_rest_route_is_sfmc_404(mc):
    response = requests.get(f"{mc.base_url}/nothing/here", timeout=10)
    assert response.status_code == 404
    assert response.json()["errorcode"] == 404 and response.json()["message"] == "Not Found"
