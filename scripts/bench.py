"""Benchmark driver. Starts `sfmc-emulator serve` in a subprocess (waitress, throwaway SQLite file, as
./scripts/serve runs it), runs every case module in scripts/bench_cases/ and prints each figure; with
--json FILE also writes all figures as one flat JSON object. Cases add keys; nothing here is per-issue.

A case module defines `run(bench: Bench) -> dict[str, float]` (figure name -> value).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "scripts" / "bench_cases"


class Bench:
    """What a case gets: the running server's URL, credentials, and timing helpers."""

    def __init__(self, base_url: str, proc: subprocess.Popen, state_dir: Path) -> None:
        self.base_url = base_url
        self.proc = proc
        self.state_dir = state_dir
        self.http = requests.Session()
        self.client_id, self.client_secret = "emulator-client", "emulator-secret"
        self.username, self.password = "emulator-user", "emulator-password"

    @property
    def soap_url(self) -> str:
        return f"{self.base_url}/Service.asmx"

    def token(self, account_id: int | None = None) -> str:
        body = {"grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self.client_secret}
        if account_id:
            body["account_id"] = account_id
        return self.http.post(f"{self.base_url}/v2/token", json=body, timeout=10).json()["access_token"]

    def soap(self, action: str, body: str, session: requests.Session | None = None) -> requests.Response:
        envelope = (
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Header>'
            '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">'
            f"<wsse:UsernameToken><wsse:Username>{self.username}</wsse:Username>"
            f"<wsse:Password>{self.password}</wsse:Password></wsse:UsernameToken></wsse:Security>"
            f"</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"
        )
        return (session or self.http).post(self.soap_url, data=envelope.encode(),
                                           headers={"SOAPAction": action, "Content-Type": "text/xml"},
                                           timeout=120)

    @staticmethod
    def rate(call: Callable[[int], object], seconds: float = 2.0, warmup: int = 20) -> float:
        """Calls per second of call(i), sequentially, over about `seconds`."""
        for i in range(warmup):
            call(-i - 1)
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            call(count)
            count += 1
        return count / (time.perf_counter() - start)

    def reset(self) -> None:
        self.http.post(f"{self.base_url}/_emulator/reset", timeout=60).raise_for_status()

    def server_rss_mb(self) -> float:
        """Peak resident memory of the server process so far (VmHWM), in MB."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(state_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    exe = Path(sys.executable).with_name("sfmc-emulator")
    proc = subprocess.Popen([str(exe), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--db", str(state_dir / "bench.db")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=str(ROOT))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/_emulator/health", timeout=1).status_code == 200:
                return proc, base
        except requests.RequestException:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the emulator did not start within 20 s")


def load_cases(only: list[str]) -> list[tuple[str, Callable[[Bench], dict[str, float]]]]:
    cases = []
    for path in sorted(CASES.glob("*.py")):
        if path.stem.startswith("_") or (only and path.stem not in only):
            continue
        spec = importlib.util.spec_from_file_location(f"bench_cases.{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cases.append((path.stem, module.run))
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", help="also write every figure to this file as a flat JSON object")
    parser.add_argument("--only", nargs="*", default=[], help="case module names to run")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="sfmc-bench-") as tmp:
        proc, base = start_server(Path(tmp))
        bench = Bench(base, proc, Path(tmp))
        try:
            for name, run in load_cases(args.only):
                bench.reset()
                print(f"== {name}", flush=True)
                for key, value in run(bench).items():
                    figures[key] = round(value, 4) if isinstance(value, float) else value
                    print(f"{key:48s} {figures[key]}", flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
