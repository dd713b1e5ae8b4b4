"""The proxy on the wire (emulator/proxy/server.py): CONNECT and absolute-form requests reach the emulator's
full WSGI stack under Marketing Cloud's names; anything else is refused without a byte leaving the machine."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
from urllib.parse import urlsplit

import pytest
import requests

from emulator.proxy import CertificateAuthority, ProxyServer

SUB = "mc563885gzs27c5t9-63k636ttgm"
AUTH = f"https://{SUB}.auth.marketingcloudapis.com"
REST = f"https://{SUB}.rest.marketingcloudapis.com"
SOAP = f"https://{SUB}.soap.marketingcloudapis.com"


def _session(mc) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # only what is set here: the proxy and its CA
    session.proxies = {"https": mc.proxy_url, "http": mc.proxy_url}
    session.verify = str(mc.ca_path)
    return session


def _token_body(mc) -> dict:
    return {"grant_type": "client_credentials", "client_id": mc.client_id, "client_secret": mc.client_secret}


def _proxy_address(mc) -> tuple[str, int]:
    parts = urlsplit(mc.proxy_url)
    return parts.hostname, parts.port


def _raw(mc, data: bytes) -> bytes:
    """Send `data` to the proxy and read its answer to the end (the requests ask it to close)."""
    with socket.create_connection(_proxy_address(mc), timeout=30) as sock:
        sock.sendall(data)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    return out


def test_connect_token_answer_carries_the_tenant_instance_urls(mc):
    answer = _session(mc).post(f"{AUTH}/v2/token", json=_token_body(mc))
    assert answer.status_code == 200
    body = answer.json()
    assert body["rest_instance_url"] == f"{REST}/"
    assert body["soap_instance_url"] == f"{SOAP}/"


def test_the_direct_url_still_advertises_itself(mc):
    body = requests.post(f"{mc.base_url}/v2/token", json=_token_body(mc), timeout=10).json()
    assert body["rest_instance_url"] == f"{mc.base_url}/"


def test_endpoints_and_wsdl_through_the_proxy_point_at_marketing_cloud_hosts(mc):
    session = _session(mc)
    token = session.post(f"{AUTH}/v2/token", json=_token_body(mc)).json()["access_token"]
    soap = session.get(f"{REST}/platform/v1/endpoints/soap", headers={"Authorization": f"Bearer {token}"})
    assert soap.json() == {"type": "soap", "url": f"{SOAP}/Service.asmx"}
    wsdl = session.get(f"{SOAP}/etframework.wsdl")
    assert wsdl.status_code == 200
    assert f'location="{SOAP}/Service.asmx"' in wsdl.text
    assert mc.base_url not in wsdl.text


def test_legacy_hosts(mc):
    session = _session(mc)
    legacy = session.post("https://auth.exacttargetapis.com/v1/requestToken",
                          json={"clientId": mc.client_id, "clientSecret": mc.client_secret})
    assert legacy.status_code == 200 and legacy.json()["accessToken"]
    oauth = session.post("https://auth.exacttargetapis.com/v2/token", json=_token_body(mc)).json()
    assert (oauth["soap_instance_url"], oauth["rest_instance_url"]) == (
        "https://webservice.exacttarget.com/", "https://www.exacttargetapis.com/")
    wsdl = session.get("https://webservice.s7.exacttarget.com/etframework.wsdl")
    assert 'location="https://webservice.s7.exacttarget.com/Service.asmx"' in wsdl.text
    headers = {"Authorization": f"Bearer {oauth['access_token']}"}
    assert session.get("https://www.exacttargetapis.com/platform/v1/endpoints", headers=headers).status_code == 200


def test_absolute_form_plain_http_request(mc):
    """What older axios sends to a proxy: the full https URL in the request line, over plain HTTP, with the
    proxy's own address in Host."""
    conn = http.client.HTTPConnection(*_proxy_address(mc), timeout=30)
    try:
        conn.request("POST", f"{AUTH}/v2/token", body=json.dumps(_token_body(mc)),
                     headers={"Content-Type": "application/json"})
        answer = conn.getresponse()
        body = json.loads(answer.read())
        assert answer.status == 200
        assert body["rest_instance_url"] == f"{REST}/"
        # The same connection stays usable (keep-alive), and a chunked body is read whole.
        chunks = iter([json.dumps(_token_body(mc)).encode()[:10], json.dumps(_token_body(mc)).encode()[10:]])
        conn.request("POST", f"{AUTH}/v2/token", body=chunks, headers={"Content-Type": "application/json"},
                     encode_chunked=True)
        again = conn.getresponse()
        assert again.status == 200 and json.loads(again.read())["access_token"]
    finally:
        conn.close()


def test_requests_are_journalled_with_the_host_they_were_addressed_to(mc):
    _session(mc).post(f"{AUTH}/v2/token", json=_token_body(mc))
    requests.post(f"{mc.base_url}/v2/token", json=_token_body(mc), timeout=10)
    items = requests.get(f"{mc.base_url}/_emulator/journal", timeout=10).json()["items"]
    assert [(e["host"], e["path"], e["status"]) for e in items[:2]] == [
        (urlsplit(mc.base_url).netloc, "/v2/token", 200), (f"{SUB}.auth.marketingcloudapis.com", "/v2/token", 200)]
    page = requests.get(f"{mc.base_url}/_emulator/ui/journal", timeout=10)
    assert f"{SUB}.auth.marketingcloudapis.com" in page.text


def test_a_path_the_host_does_not_serve_is_404(mc):
    session = _session(mc)
    assert session.get(f"{AUTH}/messaging/v1/email/definitions").status_code == 404
    # Nor is the emulator's admin API reachable under Marketing Cloud's names.
    refused = session.get(f"{REST}/_emulator/journal")
    assert refused.status_code == 404 and "does not serve /_emulator/journal" in refused.json()["message"]


@pytest.fixture
def no_outbound(monkeypatch):
    """Record every name lookup and outbound connection made in this process while the test runs."""
    attempts: list[object] = []
    real_connect = socket.socket.connect
    proxy_ports: set[int] = set()

    def connect(self, address):
        if not (isinstance(address, tuple) and address[1] in proxy_ports):
            attempts.append(address)
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        attempts.append(host)
        raise socket.gaierror("no lookups in this test")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts, proxy_ports


def _exchange(mc, proxy_ports: set, request: bytes) -> bytes:
    """Sends ``request`` raw to the proxy (whose own port the no-outbound guard lets through); all it answers."""
    proxy_ports.add(_proxy_address(mc)[1])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(30)
    sock.connect(_proxy_address(mc))
    with sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("host", ["api.example.com", "10.255.255.1", "login.salesforce.com"])
def test_connect_to_another_host_is_refused_and_nothing_leaves(mc, no_outbound, host):
    attempts, proxy_ports = no_outbound
    answer = _exchange(mc, proxy_ports, f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 403")
    refusal = json.loads(body)
    assert refusal["host"] == host and host in refusal["message"]
    assert attempts == []


def test_absolute_form_to_another_host_is_refused_and_nothing_leaves(mc, no_outbound):
    attempts, proxy_ports = no_outbound
    answer = _exchange(mc, proxy_ports, b"POST http://api.example.com/v2/token HTTP/1.1\r\nHost: api.example.com\r\n"
                       b"Content-Length: 2\r\n\r\n{}")
    assert answer.startswith(b"HTTP/1.1 403")
    assert b"api.example.com is not a Marketing Cloud API host" in answer
    assert attempts == []


def test_a_request_to_the_proxy_itself_is_told_what_it_is(mc):
    answer = _raw(mc, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400") and b"forward proxy" in answer


def test_oversized_headers_and_bodies_are_refused(mc):
    big = b"X-Big: " + b"a" * 60000 + b"\r\n"
    answer = _raw(mc, f"GET {REST}/platform/v1/endpoints HTTP/1.1\r\n".encode() + big + big + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431")
    limit = mc.emu.config.max_body_bytes * 2
    answer = _raw(mc, f"POST {AUTH}/v2/token HTTP/1.1\r\nContent-Length: {limit + 1}\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 413")


def test_tls_inside_connect_is_checked_against_the_addressed_host(mc):
    """The leaf presented in a tunnel is the CONNECT host's: a client checking another name refuses it."""
    context = ssl.create_default_context(cafile=str(mc.ca_path))
    for name, ok in ((f"{SUB}.rest.marketingcloudapis.com", True), ("other.rest.marketingcloudapis.com", False)):
        sock = socket.create_connection(_proxy_address(mc), timeout=30)
        with sock:
            sock.sendall(f"CONNECT {SUB}.rest.marketingcloudapis.com:443 HTTP/1.1\r\n\r\n".encode())
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")
            if ok:
                with context.wrap_socket(sock, server_hostname=name) as tls:
                    tls.sendall(b"GET /platform/v1/endpoints HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    assert tls.recv(4096).startswith(b"HTTP/1.1 401")  # the emulator answered: no token
            else:
                with pytest.raises(ssl.SSLCertVerificationError):
                    context.wrap_socket(sock, server_hostname=name)


def test_admin_endpoints_describe_the_proxy(mc):
    info = requests.get(f"{mc.base_url}/_emulator/proxy", timeout=10).json()
    assert info["proxy_url"] == mc.proxy_url and info["ca_path"] == str(mc.ca_path)
    assert "{subdomain}.auth.marketingcloudapis.com" in info["hosts"]
    pem = requests.get(f"{mc.base_url}/_emulator/ca.pem", timeout=10)
    assert pem.content == mc.ca_path.read_bytes() and b"PRIVATE KEY" not in pem.content


def test_proxy_env(mc):
    env = mc.proxy_env()
    assert env["HTTPS_PROXY"] == env["HTTP_PROXY"] == mc.proxy_url
    assert env["REQUESTS_CA_BUNDLE"] == env["SSL_CERT_FILE"] == env["NODE_EXTRA_CA_CERTS"] == str(mc.ca_path)
    assert "127.0.0.1" in env["NO_PROXY"].split(",")


def _hello_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["HTTP_HOST"].encode()]


def test_stop_ends_open_connections_and_their_threads(tmp_path):
    proxy = ProxyServer(_hello_app, CertificateAuthority(tmp_path), timeout=3600).start()
    before = set(threading.enumerate())
    idle = socket.create_connection(("127.0.0.1", proxy.port), timeout=30)  # sends nothing
    tunnel = socket.create_connection(("127.0.0.1", proxy.port), timeout=30)
    tunnel.sendall(f"CONNECT {SUB}.rest.marketingcloudapis.com:443 HTTP/1.1\r\n\r\n".encode())
    assert tunnel.recv(4096).startswith(b"HTTP/1.1 200")  # and then no TLS handshake: the thread waits in it
    kept = socket.create_connection(("127.0.0.1", proxy.port), timeout=30)
    kept.sendall(f"GET {REST}/x HTTP/1.1\r\n\r\n".encode())
    assert kept.recv(4096).endswith(f"{SUB}.rest.marketingcloudapis.com".encode())  # kept alive after
    stopper = threading.Thread(target=proxy.stop)
    stopper.start()
    stopper.join(timeout=60)  # a deadlock guard, not a timing: idle connections would hold it for an hour
    assert not stopper.is_alive()
    assert [t for t in threading.enumerate() if t not in before and t is not stopper] == []
    for sock in (idle, tunnel, kept):
        assert sock.recv(1) == b""  # closed by the proxy
        sock.close()


def test_an_emulator_without_a_proxy_says_so():
    import emulator
    from emulator.config import Config

    with emulator.running(Config(port=0, proxy_port=None)) as mc:
        assert mc.proxy_url is None and mc.ca_path is None
        assert requests.get(f"{mc.base_url}/_emulator/proxy", timeout=10).json()["proxy_url"] is None
        with pytest.raises(RuntimeError, match="no proxy"):
            mc.proxy_env()
