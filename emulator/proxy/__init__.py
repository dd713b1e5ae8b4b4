"""Proxy mode: clients that hard-code Marketing Cloud's hosts reach the emulator unmodified.

`start_proxy(emu, app, ...)` (used by `serve`, `emulator.running()` and the pytest fixture) makes or loads the
local CA and starts the forward proxy (server.py) in front of the emulator's WSGI app; GET /_emulator/proxy
and /_emulator/ca.pem (routes.py) describe it. docs/proxy.md shows the one-line client setups.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .ca import CertificateAuthority, ca_paths, load_or_create
from .hosts import HOST_PATTERNS, route
from .server import DEFAULT_PROXY_PORT, ProxyServer, WSGIApp

if TYPE_CHECKING:
    from ..core import Emulator

__all__ = ["DEFAULT_PROXY_PORT", "HOST_PATTERNS", "CertificateAuthority", "ProxyServer", "ca_paths",
           "load_or_create", "proxy_env", "route", "start_proxy"]

SERVICE = "proxy"  # its key in Emulator.services (routes.py finds it there)
LOOPBACK = "127.0.0.1,localhost,::1"


def start_proxy(emu: Emulator, app: WSGIApp, host: str, port: int, ca_dir: str | Path | None = None) -> ProxyServer:
    """Start the proxy on host:port (0: any free port), its CA kept in `ca_dir` (default: the state
    directory). Raises OSError if the port is taken."""
    ca = CertificateAuthority(ca_dir or emu.state_dir)
    try:
        proxy = ProxyServer(app, ca, host, port, max_body_bytes=emu.config.max_body_bytes * 2)
    except BaseException:
        ca.close()
        raise
    emu.services[SERVICE] = proxy
    return proxy.start()


def proxy_env(proxy_url: str, ca_path: str | Path) -> dict[str, str]:
    """The environment that sends a process's Marketing Cloud traffic through the proxy and makes it trust
    the CA: Python (requests, httpx, urllib), Node (axios, NODE_EXTRA_CA_CERTS) and curl, in both letter cases
    since tools disagree on which they read. Loopback stays direct, so the emulator's own URL still works."""
    ca = str(ca_path)
    env = {"HTTPS_PROXY": proxy_url, "HTTP_PROXY": proxy_url, "NO_PROXY": LOOPBACK,
           "REQUESTS_CA_BUNDLE": ca, "SSL_CERT_FILE": ca, "NODE_EXTRA_CA_CERTS": ca}
    env.update({name.lower(): env[name] for name in ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY")})
    return env
