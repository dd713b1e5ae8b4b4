"""Proof of proxy mode: real clients configured only with Marketing Cloud URLs and the proxy environment
(`mc.proxy_env()`); no emulator URL appears anywhere in their configuration."""

from __future__ import annotations

import json

import pytest

from tests.clients.node import run_node

SUB = "mc563885gzs27c5t9-63k636ttgm"  # 28 characters, as sfmc-sdk insists
AUTH = f"https://{SUB}.auth.marketingcloudapis.com/"
SOAP = f"https://{SUB}.soap.marketingcloudapis.com/"
REST = f"https://{SUB}.rest.marketingcloudapis.com/"


@pytest.fixture
def proxied(mc, monkeypatch):
    """This process's environment routed through the proxy (requests, urllib and suds read it)."""
    for name, value in mc.proxy_env().items():
        monkeypatch.setenv(name, value)
    return mc


def _journal_hosts(mc) -> set[str]:
    import requests

    items = requests.get(f"{mc.base_url}/_emulator/journal", params={"limit": 1000}, timeout=10).json()["items"]
    return {e["host"] for e in items}


@pytest.mark.slow  # suds builds FuelSDK's client from the 4,500-line WSDL: seconds
def test_fuelsdk_oauth2_on_marketing_cloud_urls(proxied, tmp_path, monkeypatch):
    import urllib.request

    import FuelSDK
    import suds.transport.http

    # FuelSDK's token and WSDL requests (requests) honour HTTPS_PROXY; its SOAP calls and the WSDL's schema
    # import go through suds, whose transport ignores the proxy environment (it builds urllib's ProxyHandler
    # with an empty mapping). The one setup line docs/proxy.md gives for FuelSDK: let suds read it.
    monkeypatch.setattr(suds.transport.http.HttpTransport, "u2handlers",
                        lambda self: [urllib.request.ProxyHandler(self.proxy or None)])

    mc = proxied
    client = FuelSDK.ET_Client(params={
        "clientid": mc.client_id, "clientsecret": mc.client_secret, "useOAuth2Authentication": "True",
        "authenticationurl": AUTH, "soapendpoint": f"{SOAP}Service.asmx", "baseapiurl": REST,
        "defaultwsdl": f"{SOAP}etframework.wsdl", "wsdl_file_local_loc": str(tmp_path / "ExactTargetWSDL.xml"),
    })
    assert client.soap_endpoint == f"{SOAP}service.asmx"  # from the token answer's soap_instance_url
    assert client.base_api_url == REST
    created = FuelSDK.ET_List()
    created.auth_stub = client
    created.props = {"ListName": "Through the proxy", "CustomerKey": "proxied"}
    result = created.post()
    assert result.status is True and result.results[0].StatusCode == "OK"
    getter = FuelSDK.ET_List()
    getter.auth_stub = client
    getter.props = ["ID", "ListName"]
    getter.search_filter = {"Property": "CustomerKey", "SimpleOperator": "equals", "Value": "proxied"}
    found = getter.get()
    assert [r.ListName for r in found.results] == ["Through the proxy"]
    assert {f"{SUB}.auth.marketingcloudapis.com", f"{SUB}.soap.marketingcloudapis.com"} <= _journal_hosts(mc)


def test_zeep_loads_the_wsdl_from_the_soap_host(proxied):
    import zeep
    from zeep.wsse.username import UsernameToken

    mc = proxied
    client = zeep.Client(f"{SOAP}etframework.wsdl", wsse=UsernameToken(mc.username, mc.password))
    address = client.wsdl.services["PartnerAPI"].ports["Soap"].binding_options["address"]
    assert address == f"{SOAP}Service.asmx"
    made = client.service.Create(client.get_type("ns0:CreateOptions")(),
                                 [client.get_type("ns0:List")(CustomerKey="zp", ListName="Zeep via proxy")])
    assert made.OverallStatus == "OK"
    found = client.service.Retrieve(client.get_type("ns0:RetrieveRequest")(ObjectType="List",
                                                                          Properties=["ListName", "CustomerKey"]))
    assert "Zeep via proxy" in [r.ListName for r in found.Results]
    assert f"{SUB}.soap.marketingcloudapis.com" in _journal_hosts(mc)


_NODE_SCRIPT = """
import SDK from 'sfmc-sdk';
import { axiosInstance } from 'sfmc-sdk/util';
const cfg = JSON.parse(process.env.SFMC_TEST_CONFIG);
if (cfg.axiosProxy) axiosInstance.defaults.proxy = cfg.axiosProxy;
const sdk = new SDK({client_id: cfg.client_id, client_secret: cfg.client_secret, auth_url: cfg.auth_url,
                     account_id: cfg.account_id}, {requestAttempts: 1, retryOnConnectionError: false});
const auth = await sdk.auth.getAccessToken();
await sdk.soap.create('List', {CustomerKey: 'node-proxy', ListName: 'Node via proxy'});
const lists = await sdk.soap.retrieve('List', ['ListName', 'CustomerKey'], {});
const definitions = await sdk.rest.get('/messaging/v1/email/definitions');
console.log(JSON.stringify({rest: auth.rest_instance_url, soap: auth.soap_instance_url,
  lists: lists.Results.map(r => r.ListName), status: lists.OverallStatus,
  definitions: Object.keys(definitions)}));
"""


def _node_config(mc, **extra) -> dict[str, str]:
    return {"SFMC_TEST_CONFIG": json.dumps({"client_id": mc.client_id, "client_secret": mc.client_secret,
                                            "auth_url": AUTH, "account_id": mc.parent_mid, **extra})}


def _check_node_answer(mc, out) -> None:
    assert (out["rest"], out["soap"]) == (REST, SOAP)
    assert out["status"] == "OK" and "Node via proxy" in out["lists"]
    assert "definitions" in out["definitions"]
    assert {f"{SUB}.auth.marketingcloudapis.com", f"{SUB}.soap.marketingcloudapis.com",
            f"{SUB}.rest.marketingcloudapis.com"} <= _journal_hosts(mc)


def test_node_sfmc_sdk_through_https_proxy_env(mc):
    """sfmc-sdk 2.1.2 (axios 1.x) reads HTTPS_PROXY itself and tunnels with CONNECT; Node trusts the CA
    through NODE_EXTRA_CA_CERTS."""
    _check_node_answer(mc, run_node(_NODE_SCRIPT, {**mc.proxy_env(), **_node_config(mc)}))


def test_node_sfmc_sdk_through_the_axios_proxy_option(mc):
    """No proxy variables at all: the proxy set on sfmc-sdk's own axios instance (`sfmc-sdk/util`)."""
    host, port = mc.proxy_url.removeprefix("http://").rsplit(":", 1)
    env = {"NODE_EXTRA_CA_CERTS": str(mc.ca_path), "HTTPS_PROXY": "", "https_proxy": "", "HTTP_PROXY": "",
           "http_proxy": ""}
    out = run_node(_NODE_SCRIPT, {**env, **_node_config(mc, axiosProxy={"protocol": "http", "host": host,
                                                                         "port": int(port)})})
    _check_node_answer(mc, out)


def test_node_without_the_ca_refuses_the_proxy_certificate(mc):
    """TLS through the proxy is verified for real: without NODE_EXTRA_CA_CERTS Node rejects the leaf."""
    script = """
import SDK from 'sfmc-sdk';
const cfg = JSON.parse(process.env.SFMC_TEST_CONFIG);
const sdk = new SDK({client_id: cfg.client_id, client_secret: cfg.client_secret, auth_url: cfg.auth_url,
                     account_id: cfg.account_id}, {requestAttempts: 1, retryOnConnectionError: false});
try { await sdk.auth.getAccessToken(); console.log(JSON.stringify({ok: true})); }
catch (error) { console.log(JSON.stringify({ok: false, error: String(error.code || error.message)})); }
"""
    env = {**mc.proxy_env(), **_node_config(mc), "NODE_EXTRA_CA_CERTS": ""}
    out = run_node(script, env)
    assert out == {"ok": False, "error": "SELF_SIGNED_CERT_IN_CHAIN"}


_JAVA_TOKEN = """
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

public class Token {
    public static void main(String[] args) throws Exception {
        HttpURLConnection http = (HttpURLConnection) new URL(args[0] + "v2/token").openConnection();
        http.setRequestMethod("POST");
        http.setDoOutput(true);
        http.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = http.getOutputStream()) {
            out.write(args[1].getBytes(StandardCharsets.UTF_8));
        }
        System.out.println(new String(http.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
"""


def test_java_with_proxy_system_properties_and_a_truststore(mc, tmp_path):
    """The Java setup docs/proxy.md gives: the CA imported into a PKCS12 truststore with keytool, then
    -Dhttps.proxyHost/-Dhttps.proxyPort and -Djavax.net.ssl.trustStore (HttpURLConnection reads them)."""
    import shutil
    import subprocess

    java, keytool = shutil.which("java"), shutil.which("keytool")
    if java is None or keytool is None:
        pytest.skip("no Java (java and keytool) on this machine")
    store = tmp_path / "sfmc-emulator.p12"
    subprocess.run([keytool, "-importcert", "-noprompt", "-alias", "sfmc-emulator", "-file", str(mc.ca_path),
                    "-keystore", str(store), "-storetype", "PKCS12", "-storepass", "changeit"],
                   check=True, capture_output=True, timeout=120)
    source = tmp_path / "Token.java"
    source.write_text(_JAVA_TOKEN)
    host, port = mc.proxy_url.removeprefix("http://").rsplit(":", 1)
    body = json.dumps({"grant_type": "client_credentials", "client_id": mc.client_id,
                       "client_secret": mc.client_secret})
    done = subprocess.run([java, f"-Dhttps.proxyHost={host}", f"-Dhttps.proxyPort={port}",
                           f"-Djavax.net.ssl.trustStore={store}", "-Djavax.net.ssl.trustStorePassword=changeit",
                           str(source), AUTH, body], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert (answer["rest_instance_url"], answer["soap_instance_url"]) == (REST, SOAP)
