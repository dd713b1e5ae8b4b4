"""The bench's pieces: its cases load, wrk's output parses, the Lua scripts key each request, the SQLite
floor inserts what it says, and the ratios and targets come out of the figures (no timing asserted)."""

from __future__ import annotations

import importlib.util
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    return _load(ROOT / "scripts" / "bench.py", "sfmc_bench_under_test")


WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:5000/_emulator/health
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.43ms    2.10ms  30.12ms   80.00%
    Req/Sec     1.20k   100.00     1.40k    70.00%
  Latency Distribution
     50%  612.00us
     75%    7.00ms
     90%    9.50ms
     99%    1.20s
  4800 requests in 2.00s, 1.00MB read
  Non-2xx or 3xx responses: 4
Requests/sec:   2400.50
Transfer/sec:    500.00KB
BAD 7
"""


def test_wrk_output_parses_with_its_units(bench):
    figures = bench.parse_wrk(WRK_OUTPUT)
    assert figures["rps"] == 2400.5
    assert figures["p50_ms"] == pytest.approx(0.612)
    assert figures["p90_ms"] == 9.5
    assert figures["p99_ms"] == 1200.0
    assert figures["requests"] == 4800
    assert figures["bad"] == 7  # the script's own check (status and marker) wins over wrk's non-2xx count


def test_the_lua_script_keys_every_request_and_checks_the_body(bench):
    script = bench.wrk_lua("POST", "/messages/{KEY}", '{"to": "{KEY}@example.com", "id": "{KEY}"}',
                           {"Content-Type": "application/json"}, 202, "errorcode")
    assert '{[==[/messages/]==], [==[]==]}' in script  # the path around one key
    assert '[==[{"to": "]==], [==[@example.com", "id": "]==], [==["}]==]' in script
    assert "status ~= 202" in script and "[==[errorcode]==]" in script
    assert "run = args[1]" in script  # a tag per wrk run: the warm-up's keys never come back
    assert 'wrk.headers[ [==[Content-Type]==] ] = [==[application/json]==]' in script


def test_every_case_loads_and_has_a_run(bench):
    cases = dict(bench.load_cases([]))
    assert {"load", "floor", "paging", "fixture", "imports", "sends"} <= set(cases)
    assert all(callable(run) for run in cases.values())


def test_the_floor_inserts_the_rows_it_times(bench, tmp_path):
    floor = _load(ROOT / "scripts" / "bench_cases" / "floor.py", "sfmc_bench_floor_under_test")
    path = tmp_path / "floor.db"
    assert floor.floor_seconds(str(path), 2_500) > 0
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 2_500
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_ratios_and_targets_come_from_the_figures(bench):
    figures = {"send_100k_seconds": 10.0, "floor_100k_s": 0.5, "import_de_100k_s": 1.0}
    derived = bench.derive(figures)
    assert derived == {"send_100k_vs_floor": 20.0, "import_de_100k_vs_floor": 2.0}
    verdicts = {name: met for name, _, _, _, met in bench.judge({**figures, **derived})}
    assert verdicts == {"send_100k_vs_floor": False, "import_de_100k_vs_floor": True}


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (./scripts/bench installs it)")
def test_a_quick_wrk_run_against_the_test_server(bench, mc, tmp_path):
    runner = bench.Bench(mc.base_url, None, tmp_path, quick=True)
    figures = runner.wrk(f"{mc.base_url}/_emulator/health", marker="ok", seconds=1)
    assert figures["rps"] > 0 and figures["requests"] > 0
    assert figures["bad"] == 0
