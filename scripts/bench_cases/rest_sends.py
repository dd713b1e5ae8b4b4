"""Issue 4: transactional REST sends. Single-recipient sends/s and the latency of a 1,000-recipient batch,
with the ratio to /_emulator/health on the same server (targets: single >= 40 % of health; batch < 1 s). One
sequential Python client: kept so earlier runs compare; load.py measures the server side with wrk."""

from __future__ import annotations

import statistics
import time

import requests


def run(bench) -> dict[str, float]:
    session = requests.Session()
    health = bench.rate(lambda i: session.get(f"{bench.base_url}/_emulator/health", timeout=10))

    api = bench.email_definition("bench", "Bench")
    base = bench.base_url

    def single(i: int) -> None:
        response = api.post(f"{base}/messaging/v1/email/messages/single-{i}", timeout=10, json={
            "definitionKey": "bench", "recipient": {"contactKey": f"c{i}", "to": f"c{i}@example.com",
                                                    "attributes": {"FirstName": "Ada", "OrderNo": str(i)}}})
        assert response.status_code == 202 and response.json()["errorcode"] == 0, response.text

    single_rate = bench.rate(single)

    latencies = []
    for run_no in range(5):
        recipients = [{"contactKey": f"b{run_no}-{i}", "to": f"b{run_no}-{i}@example.com",
                       "messageKey": f"batch-{run_no}-{i}", "attributes": {"FirstName": "B", "OrderNo": str(i)}}
                      for i in range(1000)]
        start = time.perf_counter()
        response = api.post(f"{base}/messaging/v1/email/messages", timeout=60,
                            json={"definitionKey": "bench", "recipients": recipients})
        latencies.append(time.perf_counter() - start)
        assert response.status_code == 202 and response.json()["errorcode"] == 0, response.text[:500]
    return {
        "rest_single_send_rps": single_rate,
        "rest_single_send_vs_health": single_rate / health,
        "rest_batch_1000_median_s": statistics.median(latencies),
        "rest_batch_1000_max_s": max(latencies),
        "rest_batch_recipients_per_s": 1000 / statistics.median(latencies),
    }
