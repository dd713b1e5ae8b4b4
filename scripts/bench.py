"""Benchmark driver. Starts `sfmc-emulator serve` in a subprocess (waitress on a free port, its own temp state
dir, as ./scripts/serve runs it), runs every case module in scripts/bench_cases/ and prints each figure, then
the ratios the targets are stated in (vs /_emulator/health, vs moto_server, vs SQLite's own insert floor) and
each target as measured vs goal. Throughput is measured server-side by `wrk` at 16 connections (see
Bench.wrk), so the client's cost does not hide the server's. `--json FILE` writes every figure as one flat
JSON object; `--quick` runs each case small and short (a smoke run, not figures to quote).

A case module defines `run(bench: Bench) -> dict[str, float]` (figure name -> value).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "scripts" / "bench_cases"
CONNECTIONS = 16

# Derived figures: name -> (numerator, denominator). Computed once every case has run.
RATIOS = {
    "send_100k_vs_floor": ("send_100k_seconds", "floor_100k_s"),
    "import_list_100k_vs_floor": ("import_list_100k_s", "floor_100k_s"),
    "import_de_100k_vs_floor": ("import_de_100k_s", "floor_100k_s"),
}
# The targets: (figure, "<=" or ">=", goal). Reported as measured vs goal; a run never fails on them.
TARGETS = [
    ("soap_create_wrk_vs_health", ">=", 0.45),
    ("rest_single_send_wrk_vs_health", ">=", 0.45),
    ("soap_create_wrk_vs_moto_ses", ">=", 3.0),
    ("rest_single_send_wrk_vs_moto_ses", ">=", 3.0),
    ("paging_subscriber_last_vs_first", "<=", 1.5),
    ("paging_list_subscriber_last_vs_first", "<=", 1.5),
    ("paging_server_max_rss_mb", "<=", 150.0),
    ("send_100k_vs_floor", "<=", 5.0),
    ("import_list_100k_vs_floor", "<=", 4.0),
    ("import_de_100k_vs_floor", "<=", 4.0),
    ("soap_bulk_per_object_ratio", "<=", 1.5),
    ("soap_bulk_rss_growth_mb", "<=", 30.0),
    ("import_emulator_ms", "<=", 150.0),
    ("fixture_vs_moto_first_use", "<=", 0.5),
    ("fixture_reset_p95_ms", "<", 5.0),
]


class Bench:
    """What a case gets: the running server's URL, credentials, timing helpers and the load generator."""

    def __init__(self, base_url: str, proc: subprocess.Popen, state_dir: Path, quick: bool = False) -> None:
        self.base_url = base_url
        self.proc = proc
        self.state_dir = state_dir
        self.quick = quick
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

    def email_definition(self, key: str, name: str) -> requests.Session:
        """An HTML email asset and a transactional email definition `key` over it, to send through; returns a
        REST session that carries a fresh bearer token."""
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {self.token()}"
        asset = api.post(f"{self.base_url}/asset/v1/content/assets", timeout=10, json={
            "name": name, "customerKey": f"{key}-email", "assetType": {"id": 208, "name": "htmlemail"},
            "views": {"subjectline": {"content": "Order %%OrderNo%% for %%FirstName%%"},
                      "html": {"content": '<p>Hi %%FirstName%%</p><a href="https://shop.example/o">o</a>'},
                      "text": {"content": "Hi %%FirstName%%"}}})
        assert asset.status_code == 201, asset.text
        created = api.post(f"{self.base_url}/messaging/v1/email/definitions", timeout=10, json={
            "definitionKey": key, "name": name, "content": {"customerKey": f"{key}-email"},
            "subscriptions": {"list": "All Subscribers"}})
        assert created.status_code == 201, created.text
        return api

    def envelope(self, body: str) -> str:
        return (
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Header>'
            '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">'
            f"<wsse:UsernameToken><wsse:Username>{self.username}</wsse:Username>"
            f"<wsse:Password>{self.password}</wsse:Password></wsse:UsernameToken></wsse:Security>"
            f"</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"
        )

    def soap(self, action: str, body: str, session: requests.Session | None = None) -> requests.Response:
        return (session or self.http).post(self.soap_url, data=self.envelope(body).encode(),
                                           headers={"SOAPAction": action, "Content-Type": "text/xml"},
                                           timeout=120)

    @staticmethod
    def rate(call: Callable[[int], object], seconds: float = 2.0, warmup: int = 20) -> float:
        """Calls per second of call(i), sequentially from one Python client, over about `seconds`."""
        for i in range(warmup):
            call(-i - 1)
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            call(count)
            count += 1
        return count / (time.perf_counter() - start)

    def wrk(self, url: str, *, method: str = "GET", path: str | None = None, body: str | None = None,
            headers: dict[str, str] | None = None, expect: int = 200, marker: str = "",
            seconds: float | None = None) -> dict[str, float]:
        """Requests/s and latency percentiles (ms) of `wrk` at 16 connections against `url` (after a short
        warm-up). `path` and `body` may hold {KEY}: each request gets a fresh key, so Creates never collide.
        A response whose status is not `expect` or whose body lacks `marker` counts as bad (reported)."""
        seconds = seconds or (2.0 if self.quick else 8.0)
        script = self.state_dir / f"wrk-{time.monotonic_ns()}.lua"
        script.write_text(wrk_lua(method, path, body, headers or {}, expect, marker))
        for duration in (1, seconds):  # a warm-up run, then the measured one
            done = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{int(max(1, duration))}s", "--latency",
                                   "--timeout", "30s", "-s", str(script), url, "--",
                                   f"{os.getpid()}.{time.monotonic_ns()}"],
                                  capture_output=True, text=True, timeout=duration + 60)
            if done.returncode != 0:
                raise RuntimeError(done.stdout + done.stderr)
        figures = parse_wrk(done.stdout)
        if figures["bad"]:
            print(f"  ! {int(figures['bad'])} bad responses from {url} {path or ''}", flush=True)
        return figures

    def reset(self) -> None:
        self.http.post(f"{self.base_url}/_emulator/reset", timeout=60).raise_for_status()

    def server_rss_mb(self, peak: bool = True) -> float:
        """Resident memory of the server process in MB: the peak so far (VmHWM) or now (VmRSS)."""
        field = "VmHWM:" if peak else "VmRSS:"
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
        return float("nan")

    @contextmanager
    def fresh_server(self) -> Iterator[Bench]:
        """Another server of its own (its own state dir), for a case whose memory must not carry others'."""
        with tempfile.TemporaryDirectory(prefix="sfmc-bench-") as tmp:
            proc, base = start_server(Path(tmp))
            try:
                yield Bench(base, proc, Path(tmp), self.quick)
            finally:
                stop(proc)


def wrk_lua(method: str, path: str | None, body: str | None, headers: dict[str, str], expect: int,
            marker: str) -> str:
    """A wrk script: per-thread request keys, a body check in response(), bad responses summed in done()."""
    def pieces(template: str | None) -> str:
        if template is None:
            return "nil"
        return "{" + ", ".join(f"[==[{part}]==]" for part in template.split("{KEY}")) + "}"

    header_lines = "\n".join(f'  wrk.headers[ [==[{k}]==] ] = [==[{v}]==]' for k, v in headers.items())
    return f"""
local threads = {{}}
local next_id = 1
local path_parts = {pieces(path)}
local body_parts = {pieces(body)}
local marker = [==[{marker}]==]

function setup(thread)
  thread:set("id", next_id)
  table.insert(threads, thread)
  next_id = next_id + 1
end

function init(args)
  run = args[1]  -- one tag per wrk run: keys never repeat across the warm-up and the measured run
  counter = 0
  bad = 0
  wrk.method = "{method}"
{header_lines}
end

local function fill(parts, key)
  if parts == nil then return nil end
  local out = {{}}
  for i = 1, #parts - 1 do out[#out + 1] = parts[i]; out[#out + 1] = key end
  out[#out + 1] = parts[#parts]
  return table.concat(out)
end

function request()
  counter = counter + 1
  local key = "w" .. run .. "-" .. id .. "-" .. counter
  return wrk.format(nil, fill(path_parts, key), nil, fill(body_parts, key))
end

function response(status, headers, body)
  if status ~= {expect} or (marker ~= "" and not string.find(body, marker, 1, true)) then bad = bad + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write("BAD " .. total .. "\\n")
end
"""


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str) -> dict[str, float]:
    """wrk --latency output -> {rps, p50_ms, p90_ms, p99_ms, requests, bad}."""
    out: dict[str, float] = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for pct in ("50", "90", "99"):
        found = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        out[f"p{pct}_ms"] = float(found.group(1)) * _UNITS[found.group(2)] if found else float("nan")
    total = re.search(r"(\d+) requests in", output)
    out["requests"] = float(total.group(1)) if total else 0.0
    bad = re.search(r"^BAD (\d+)", output, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    out["bad"] = float(bad.group(1)) if bad else float(non2xx.group(1)) if non2xx else 0.0
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            if proc.poll() is not None:
                break
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"{what} did not start within {seconds:.0f} s")


def start_server(state_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    exe = Path(sys.executable).with_name("sfmc-emulator")
    proc = subprocess.Popen([str(exe), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--db", str(state_dir / "bench.db")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=str(ROOT))
    base = f"http://127.0.0.1:{port}"
    wait_ready(f"{base}/_emulator/health", proc, "the emulator")
    return proc, base


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


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


def derive(figures: dict[str, float]) -> dict[str, float]:
    """The ratios of RATIOS whose parts were measured."""
    return {name: figures[top] / figures[bottom] for name, (top, bottom) in RATIOS.items()
            if figures.get(top) and figures.get(bottom)}


def judge(figures: dict[str, float]) -> list[tuple[str, float, str, float, bool]]:
    """(figure, measured, op, goal, met) for each target that was measured."""
    ops = {"<=": float.__le__, ">=": float.__ge__, "<": float.__lt__}
    return [(name, figures[name], op, goal, ops[op](float(figures[name]), goal))
            for name, op, goal in TARGETS if isinstance(figures.get(name), int | float)]


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return f"{model}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", help="also write every figure to this file as a flat JSON object")
    parser.add_argument("--only", nargs="*", default=[], help="case module names to run")
    parser.add_argument("--quick", action="store_true", help="small, short cases: a smoke run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (./scripts/bench installs it with apt-get)")
    # Every subprocess (the server, moto, the fixture's fresh interpreters) runs this tree's code.
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    began = time.monotonic()
    figures: dict[str, object] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
                                  "quick": args.quick}
    with tempfile.TemporaryDirectory(prefix="sfmc-bench-") as tmp:
        proc, base = start_server(Path(tmp))
        bench = Bench(base, proc, Path(tmp), args.quick)
        try:
            for name, run in load_cases(args.only):
                bench.reset()
                print(f"== {name}", flush=True)
                try:
                    measured = run(bench)
                except Exception as error:  # one broken case must not cost the run's other figures
                    print(f"  ! {name} failed: {error!r}"[:2000], flush=True)
                    figures[f"failed_{name}"] = repr(error)[:500]
                    continue
                for key, value in measured.items():
                    figures[key] = round(value, 4) if isinstance(value, float) else value
                    print(f"{key:48s} {figures[key]}", flush=True)
        finally:
            stop(proc)
    print("== ratios", flush=True)
    for key, value in derive(figures).items():
        figures[key] = round(value, 4)
        print(f"{key:48s} {figures[key]}", flush=True)
    figures["bench_seconds"] = round(time.monotonic() - began, 1)
    print("== targets (measured vs goal)", flush=True)
    for name, measured, op, goal, met in judge(figures):
        figures[f"target_met_{name}"] = met
        print(f"{name:48s} {measured:>10} {op} {goal:<8} {'met' if met else 'NOT met'}", flush=True)
    print(f"bench took {figures['bench_seconds']} s", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
