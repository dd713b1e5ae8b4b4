"""Run the emulator in-process on an ephemeral port: `with emulator.testing.running() as mc: ...`.

The same server `serve` runs (waitress), in a background thread; `mc` carries the URLs, the default
credentials and shortcuts for tokens, reset and jobs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from .app import create_app
from .config import Config
from .core import Emulator

START_TIMEOUT = 10.0


class EmulatorStartError(RuntimeError):
    pass


class RunningEmulator:
    def __init__(self, emu: Emulator, server: Any, thread: threading.Thread) -> None:
        self.emu = emu
        self.server = server
        self.thread = thread
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

    @property
    def soap_url(self) -> str:
        return f"{self.base_url}/Service.asmx"

    @property
    def wsdl_url(self) -> str:
        return f"{self.base_url}/etframework.wsdl"

    @property
    def clock(self):
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
        self.emu.reset()

    def wait_for_job(self, job_id: int, timeout: float = 30.0) -> dict[str, Any] | None:
        return self.emu.jobs.wait(int(job_id), timeout=timeout)

    def outbox(self, **filters: Any) -> list[dict[str, Any]]:
        response = self.http.get(f"{self.base_url}/_emulator/outbox", params=filters, timeout=30)
        response.raise_for_status()
        return response.json()["items"]

    def stop(self) -> None:
        self.http.close()
        # waitress's loop runs while any channel is open: close the listener and every kept-alive
        # client connection, so the thread ends at once instead of at the join timeout.
        self.server.close()
        for channel in list(self.server._map.values()):
            channel.close()
        self.server.task_dispatcher.shutdown()
        self.thread.join(timeout=5)
        self.emu.close()


def _serve(server: Any) -> None:
    try:
        server.run()
    except OSError:
        pass  # the socket was closed by stop(); waitress's loop notices it this way


def start(config: Config | None = None, timeout: float = START_TIMEOUT) -> RunningEmulator:
    from waitress import create_server

    config = config or Config(port=0)
    emu = Emulator(config)
    app = create_app(emu)
    server = create_server(app, host=config.host, port=0 if config.port is None else config.port,
                           threads=8, ident="sfmc-emulator")
    thread = threading.Thread(target=_serve, args=(server,), name="sfmc-emulator-server", daemon=True)
    thread.start()
    running = RunningEmulator(emu, server, thread)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"{running.base_url}/_emulator/health", timeout=1).status_code == 200:
                return running
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            running.stop()
            raise EmulatorStartError(f"sfmc-emulator did not answer /_emulator/health within {timeout} s")
        time.sleep(0.01)


@contextmanager
def running(config: Config | None = None, timeout: float = START_TIMEOUT) -> Iterator[RunningEmulator]:
    mc = start(config, timeout)
    try:
        yield mc
    finally:
        mc.stop()
