"""`sfmc-emulator serve` starts the proxy and says where; `sfmc-emulator ca-path` prints the CA file."""

from __future__ import annotations

import socket
import stat
import subprocess
from pathlib import Path

import requests

from tests.serving import EXE, free_port, serve, stop

SUB = "mc563885gzs27c5t9-63k636ttgm"


def test_serve_runs_the_proxy_and_prints_its_address(tmp_path):
    port, proxy_port = free_port(), free_port()
    proc = serve(tmp_path / "state.db", port, "--proxy-port", str(proxy_port))
    try:
        info = requests.get(f"http://127.0.0.1:{port}/_emulator/proxy", timeout=10).json()
        assert info["proxy_url"] == f"http://127.0.0.1:{proxy_port}"
        assert Path(info["ca_path"]) == tmp_path / "sfmc-emulator-ca.pem"  # next to --db: the state directory
        session = requests.Session()
        session.trust_env = False
        session.proxies = {"https": info["proxy_url"]}
        session.verify = info["ca_path"]
        token = session.post(f"https://{SUB}.auth.marketingcloudapis.com/v2/token",
                             json={"grant_type": "client_credentials", "client_id": "emulator-client",
                                   "client_secret": "emulator-secret"})
        assert token.json()["rest_instance_url"] == f"https://{SUB}.rest.marketingcloudapis.com/"
    finally:
        out, _ = stop(proc)
    assert f"proxy for Marketing Cloud hosts on http://127.0.0.1:{proxy_port}" in out
    assert stat.S_IMODE((tmp_path / "sfmc-emulator-ca.key").stat().st_mode) == 0o600


def test_serve_without_the_proxy(tmp_path):
    port = free_port()
    proc = serve(tmp_path / "state.db", port, "--no-proxy")
    try:
        info = requests.get(f"http://127.0.0.1:{port}/_emulator/proxy", timeout=10).json()
        assert info["proxy_url"] is None
        assert requests.get(f"http://127.0.0.1:{port}/_emulator/ca.pem", timeout=10).status_code == 404
    finally:
        out, _ = stop(proc)
    assert "proxy for" not in out


def test_a_taken_proxy_port_asked_for_by_name_stops_serve(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        done = subprocess.run([str(EXE), "serve", "--port", str(free_port()), "--db", str(tmp_path / "s.db"),
                               "--proxy-port", str(busy)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"the proxy cannot listen on 127.0.0.1:{busy}" in done.stderr


def test_ca_path_prints_the_ca_serve_uses(tmp_path):
    done = subprocess.run([str(EXE), "ca-path", "--db", str(tmp_path / "state.db")], capture_output=True,
                          text=True, timeout=60, check=True)
    printed = Path(done.stdout.strip())
    assert printed == tmp_path / "sfmc-emulator-ca.pem"
    assert printed.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    again = subprocess.run([str(EXE), "ca-path", "--ca-dir", str(tmp_path)], capture_output=True, text=True,
                           timeout=60, check=True)
    assert Path(again.stdout.strip()) == printed  # the same CA, not a new one
