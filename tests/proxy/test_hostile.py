"""Hostile bytes at the proxy: whatever arrives, it answers with an HTTP status or closes, never connects
anywhere, and keeps serving the next client."""

from __future__ import annotations

import socket

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.proxy import CertificateAuthority, ProxyServer

SUB = "mc563885gzs27c5t9-63k636ttgm"
_METHODS = st.sampled_from(["GET", "POST", "CONNECT", "PUT", "DELETE", "HEAD", "OPTIONS", "G\x00T", ""])
_TARGETS = st.one_of(
    st.sampled_from([f"https://{SUB}.auth.marketingcloudapis.com/v2/token", f"{SUB}.rest.marketingcloudapis.com:443",
                     "https://api.example.com/", "api.example.com:443", "/", "*", "http://[::1/", "https://:0/",
                     f"https://{SUB}.rest.marketingcloudapis.com:99999/x", "http://x.rest.marketingcloudapis.com:ab/"]),
    st.text(min_size=0, max_size=80),
)
_HEADERS = st.lists(st.tuples(st.text(min_size=0, max_size=20), st.text(min_size=0, max_size=40)), max_size=6)


def _hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def _head(method: str, target: str, version: str, headers: list[tuple[str, str]], extra: bytes) -> bytes:
    lines = [f"{method} {target} {version}"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + extra


def test_hostile_requests(tmp_path_factory, monkeypatch):
    proxy = ProxyServer(_hello, CertificateAuthority(tmp_path_factory.mktemp("ca")), timeout=5).start()
    outbound: list[object] = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):  # the test's own connections to the proxy are the only lookups
        if host != "127.0.0.1":
            outbound.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(method=_METHODS, target=_TARGETS, version=st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2", "XYZ"]),
           headers=_HEADERS, extra=st.binary(max_size=64))
    def exchange(method, target, version, headers, extra):
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
            sock.sendall(_head(method, target, version, headers, extra))
            sock.shutdown(socket.SHUT_WR)  # nothing more is coming: the proxy answers or closes
            answer = b""
            try:
                while chunk := sock.recv(65536):
                    answer += chunk
            except ConnectionResetError:
                pass
        assert answer == b"" or answer.startswith((b"HTTP/1.1 ", b"HTTP/1.0 ")), answer[:200]

    try:
        exchange()
        # Still serving after all that.
        assert outbound == []
        answer = requests.get(f"https://{SUB}.rest.marketingcloudapis.com/x", timeout=10,
                              proxies={"https": proxy.url}, verify=str(proxy.ca.cert_path))
        assert answer.text == "hello"
    finally:
        proxy.stop()
