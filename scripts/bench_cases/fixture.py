"""Issue 5 (test fixture): first use of the in-process emulator and its reset, against moto's mock_aws.

Each figure is measured in a fresh interpreter (as a test session starts), median of a few runs:
- import_emulator_ms: `import emulator` alone (target <= 150 ms), and as `python -X importtime` counts it.
- fixture_first_use_ms: `emulator.start()` until /_emulator/health answers (target < 300 ms);
  fixture_import_ms: importing emulator.testing before that, reported apart.
- fixture_reset_ms: `mc.reset()` after a test-sized change (one SOAP Create), median of 50 (target < 10 ms);
  fixture_reset_after_20k_rows_ms: reset after loading 20,000 subscribers and 20,000 DE rows.
- moto_first_use_ms: entering `with moto.mock_aws():` plus a first boto3 call (fake credentials);
  moto_import_ms apart. The ratios compare first use with first use, and import + first use likewise.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

RUNS = 3

FIXTURE = r'''
import json, statistics, time
start_import = time.perf_counter()
import emulator
t0 = time.perf_counter()
import emulator.testing
from emulator.store.audience import SubscriberRecord
t1 = time.perf_counter()
mc = emulator.testing.start()
t2 = time.perf_counter()
import requests
body = ('<CreateRequest xmlns="http://exacttarget.com/wsdl/partnerAPI"><Objects xsi:type="List">'
        '<CustomerKey>k</CustomerKey><ListName>k</ListName></Objects></CreateRequest>')
envelope = ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><s:Header>'
            '<fueloauth xmlns="http://exacttarget.com">%s</fueloauth></s:Header><s:Body>%s</s:Body></s:Envelope>')
resets = []
for i in range(50):
    answer = mc.http.post(mc.soap_url, data=envelope % (mc.token(), body),
                          headers={"SOAPAction": "Create", "Content-Type": "text/xml"})
    assert b"<StatusCode>OK</StatusCode>" in answer.content, answer.text
    began = time.perf_counter()
    mc.reset()
    resets.append(time.perf_counter() - began)
mc.emu.audience.put_subscribers(mc.parent_mid, [SubscriberRecord(f"k{i}", f"k{i}@example.com") for i in range(20000)], 0)
mc.emu.audience.insert_rows(mc.parent_mid, "bulk", [(str(i), {"Id": str(i)}) for i in range(20000)], 0)
began = time.perf_counter()
mc.reset()
bulk = time.perf_counter() - began
mc.stop()
print(json.dumps({"import_emulator": (t0 - start_import) * 1000, "import": (t1 - t0) * 1000, "first_use": (t2 - t1) * 1000,
                  "reset": statistics.median(resets) * 1000, "reset_p95": sorted(resets)[47] * 1000,
                  "reset_bulk": bulk * 1000}))
'''

MOTO = r'''
import json, time
t0 = time.perf_counter()
import boto3, moto
t1 = time.perf_counter()
with moto.mock_aws():
    boto3.client("s3", region_name="us-east-1").list_buckets()
    t2 = time.perf_counter()
print(json.dumps({"import": (t1 - t0) * 1000, "first_use": (t2 - t1) * 1000}))
'''


def _measure(script: str, env: dict[str, str] | None = None) -> dict[str, float]:
    runs = []
    for _ in range(RUNS):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                              env={**os.environ, **(env or {})})
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def _importtime(module: str) -> float:
    """The cumulative time `python -X importtime` gives the module (ms), median of RUNS fresh interpreters."""
    runs = []
    for _ in range(RUNS):
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True,
                              text=True, timeout=60)
        line = next(line for line in reversed(done.stderr.splitlines()) if line.rstrip().endswith(f"| {module}"))
        runs.append(int(line.split("|")[1]) / 1000)
    return statistics.median(runs)


def run(bench) -> dict[str, float]:
    fixture = _measure(FIXTURE)
    moto = _measure(MOTO, {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                           "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"})
    return {
        "import_emulator_ms": fixture["import_emulator"],
        "import_emulator_importtime_ms": _importtime("emulator"),
        "fixture_import_ms": fixture["import"],
        "fixture_first_use_ms": fixture["first_use"],
        "fixture_reset_ms": fixture["reset"],
        "fixture_reset_p95_ms": fixture["reset_p95"],
        "fixture_reset_after_20k_rows_ms": fixture["reset_bulk"],
        "moto_import_ms": moto["import"],
        "moto_first_use_ms": moto["first_use"],
        "fixture_vs_moto_first_use": fixture["first_use"] / moto["first_use"],
        "fixture_vs_moto_import_and_first_use": (fixture["import"] + fixture["first_use"])
        / (moto["import"] + moto["first_use"]),
    }
