"""Run the emulator in-process on an ephemeral port: `with emulator.running() as mc: ...`.

The same server `serve` runs (waitress), in a background thread, and the forward proxy for Marketing Cloud's
hosts on its own ephemeral port; `mc` carries the URLs, the default credentials, `proxy_env()`, and shortcuts
for tokens, reset, the clock, fault injection, the outbox and jobs. The pytest
plugin (emulator/pytest_plugin.py) hands out the same object as the `sfmc` fixture.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from .app import create_app
from .background_server import serve_in_background, stop_background_server
from .clock import Clock
from .config import Config
from .core import Emulator
from .proxy import ProxyServer, proxy_env, start_proxy

START_TIMEOUT = 10.0


class EmulatorStartError(RuntimeError):
    pass


class FaultsUnavailable(RuntimeError):
    """This emulator build has no /_emulator/faults endpoint."""


class FaultsClient:
    """A thin client for the fault-injection admin API (/_emulator/faults).

    `add(rule)` POSTs one rule (its fields are the endpoint's: see the README, "Time and faults") and
    returns the stored rule; `clear()` DELETEs every rule; `list()` GETs them. Reading and clearing
    tolerate an emulator without the endpoint (404/405); adding to one raises FaultsUnavailable, because a test
    that asked for a fault must not silently run without it.
    """

    def __init__(self, http: requests.Session, base_url: str) -> None:
        self.http = http
        self.url = f"{base_url}/_emulator/faults"

    def add(self, rule: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        response = self.http.post(self.url, json={**(rule or {}), **fields}, timeout=10)
        if _missing(response):
            raise FaultsUnavailable("this emulator has no fault injection (/_emulator/faults answered 404)")
        response.raise_for_status()
        return response.json()

    def list(self) -> list[dict[str, Any]]:
        response = self.http.get(self.url, timeout=10)
        if _missing(response):
            return []
        response.raise_for_status()
        body = response.json()
        return body.get("items", []) if isinstance(body, dict) else body

    def clear(self) -> None:
        response = self.http.delete(self.url, timeout=10)
        if _missing(response):
            return
        response.raise_for_status()


def _missing(response: requests.Response) -> bool:
    """No such endpoint: the router's 404 (or 405, from the catch-all GET route) for the collection URL."""
    return response.status_code in (404, 405)


class RunningEmulator:
    def __init__(self, emu: Emulator, server: Any, thread: threading.Thread,
                 proxy: ProxyServer | None = None) -> None:
        self.emu = emu
        self.server = server
        self.thread = thread
        self.proxy = proxy
        host, port = server.socket.getsockname()[:2]
        self.port = port
        self.base_url = f"http://{host}:{port}"
        emu.base_url = self.base_url
        package = emu.tenant["installed_package"]
        user = emu.tenant["api_users"][0]
        self.client_id = package["client_id"]
        self.client_secret = package["client_secret"]
        self.username = user["username"]
        self.password = user["password"]
        self.parent_mid = emu.enterprise_mid
        self.child_mid = next((int(b["mid"]) for b in emu.tenant["business_units"][1:]), None)
        self.http = requests.Session()
        if emu.config.admin_token:
            self.http.headers["Authorization"] = f"Bearer {emu.config.admin_token}"
        self.faults = FaultsClient(self.http, self.base_url)

    @property
    def account_id(self) -> int:
        return self.parent_mid

    @property
    def credentials(self) -> dict[str, Any]:
        """The default tenant's installed package and API user."""
        return {"client_id": self.client_id, "client_secret": self.client_secret, "username": self.username,
                "password": self.password, "account_id": self.parent_mid}

    @property
    def soap_url(self) -> str:
        return f"{self.base_url}/Service.asmx"

    @property
    def wsdl_url(self) -> str:
        return f"{self.base_url}/etframework.wsdl"

    @property
    def proxy_url(self) -> str | None:
        """The forward proxy for Marketing Cloud's hosts (emulator/proxy), or None if it was not started."""
        return self.proxy.url if self.proxy else None

    @property
    def ca_path(self) -> Path | None:
        """The proxy's CA certificate (PEM) a client must trust."""
        return self.proxy.ca.cert_path if self.proxy else None

    def proxy_env(self) -> dict[str, str]:
        """Environment variables that route a process's Marketing Cloud traffic through the proxy and trust its
        CA (HTTPS_PROXY, HTTP_PROXY, NO_PROXY for loopback, REQUESTS_CA_BUNDLE, SSL_CERT_FILE,
        NODE_EXTRA_CA_CERTS): for `os.environ.update(...)`, `monkeypatch.setenv` or a subprocess's env."""
        if self.proxy is None:
            raise RuntimeError("this emulator runs no proxy (Config.proxy_port is None)")
        return proxy_env(self.proxy.url, self.proxy.ca.cert_path)

    @property
    def clock(self) -> Clock:
        """The emulator's clock itself: `freeze()`, `set(datetime)`, `advance(seconds)`, `unfreeze()`,
        `now()`. Token expiry, the definition quota and queued-message expiry read it."""
        return self.emu.clock

    def token(self, account_id: int | None = None, scope: str | None = None) -> str:
        body: dict[str, Any] = {"grant_type": "client_credentials", "client_id": self.client_id,
                                "client_secret": self.client_secret}
        if account_id is not None:
            body["account_id"] = account_id
        if scope is not None:
            body["scope"] = scope
        response = self.http.post(f"{self.base_url}/v2/token", json=body, timeout=10)
        response.raise_for_status()
        return response.json()["access_token"]

    def fuel_params(self, legacy: bool = False, account_id: int | None = None) -> dict[str, Any]:
        """A ready `params` dict for FuelSDK's ET_Client (OAuth2 by default, legacy token mode on request)."""
        params: dict[str, Any] = {
            "clientid": self.client_id,
            "clientsecret": self.client_secret,
            "defaultwsdl": self.wsdl_url,
            "baseapiurl": self.base_url,
            "soapendpoint": self.soap_url,
            # FuelSDK caches the WSDL in a local file and never refetches it: one file per server.
            "wsdl_file_local_loc": str(self.emu.state_dir / f"ExactTargetWSDL-{self.port}.xml"),
        }
        if legacy:
            params["authenticationurl"] = f"{self.base_url}/v1/requestToken"
            params["useOAuth2Authentication"] = "False"
        else:
            params["authenticationurl"] = self.base_url
            params["useOAuth2Authentication"] = "True"
            if account_id is not None:
                params["accountId"] = str(account_id)
        return params

    def reset(self) -> None:
        """Back to the fresh default tenant (and seed, if any): rows, clock, ids and fault rules."""
        self.emu.reset()

    def wait_for_job(self, job_id: int, timeout: float = 30.0) -> dict[str, Any] | None:
        return self.emu.jobs.wait(int(job_id), timeout=timeout)

    def outbox(self, **filters: Any) -> list[dict[str, Any]]:
        """Messages that would have been sent, oldest first (outbox id order); filters as GET /_emulator/outbox
        takes them (mid, job_id, to, message_key, subject, q, limit, offset)."""
        response = self.http.get(f"{self.base_url}/_emulator/outbox", params=filters, timeout=30)
        response.raise_for_status()
        return response.json()

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving (promptly: keep-alive connections would otherwise keep waitress's loop alive)."""
        self.http.close()
        if self.proxy is not None:
            self.proxy.stop()
        stop_background_server(self.server, self.thread)
        self.emu.close()


def start(config: Config | None = None, timeout: float = START_TIMEOUT,
          seed: str | Path | None = None) -> RunningEmulator:
    """Start an emulator in this process on an ephemeral loopback port and wait until it answers.

    `seed` names a YAML seed file (see emulator/seeding.py) applied now and after every reset. Raises
    EmulatorStartError, with the reason, if the server is not answering within `timeout` seconds.
    """
    from waitress import create_server

    started = time.monotonic()
    config = config or Config(port=0)
    emu = Emulator(config)
    try:
        if seed is not None:
            from .seeding import install_seed

            install_seed(emu, seed)
        app = create_app(emu)
        server = create_server(app, host=config.host, port=0 if config.port is None else config.port,
                               threads=8, ident="sfmc-emulator")
    except OSError as exc:
        emu.close()
        raise EmulatorStartError(f"sfmc-emulator could not listen on {config.host}:{config.port}: {exc}") from exc
    except BaseException:
        emu.close()
        raise
    proxy = None
    if config.proxy_port is not None:
        try:
            proxy = start_proxy(emu, app, config.host, config.proxy_port, config.ca_dir)
        except OSError as exc:
            server.close()
            emu.close()
            raise EmulatorStartError(
                f"sfmc-emulator's proxy could not listen on {config.host}:{config.proxy_port}: {exc}") from exc
    thread = serve_in_background(server, "sfmc-emulator-server")
    running = RunningEmulator(emu, server, thread, proxy)
    deadline = started + timeout
    last_error = "no answer"
    while True:
        try:
            answer = running.http.get(f"{running.base_url}/_emulator/health",
                                      timeout=max(0.05, min(1.0, deadline - time.monotonic())))
            if answer.status_code == 200:
                return running
            last_error = f"HTTP {answer.status_code}"
        except requests.RequestException as exc:
            last_error = type(exc).__name__
        if time.monotonic() > deadline:
            running.stop()
            raise EmulatorStartError(
                f"sfmc-emulator did not answer {running.base_url}/_emulator/health within {timeout} s "
                f"(last: {last_error}); raise the limit with the start timeout option if the machine is slow")
        time.sleep(0.005)


@contextmanager
def running(config: Config | None = None, timeout: float = START_TIMEOUT,
            seed: str | Path | None = None) -> Iterator[RunningEmulator]:
    """`with emulator.running() as mc:` — the `sfmc` fixture's object for unittest and scripts."""
    mc = start(config, timeout, seed)
    try:
        yield mc
    finally:
        mc.stop()
