"""Issue 6: Perform start of an EmailSendDefinition to a 100,000-subscriber list, timed until the Send is
Complete and every message is in the outbox (target < 5 s, server RSS < 300 MB).

`SFMC_BENCH_SEND_AUDIENCE=1000000 ./scripts/bench --only sends` runs it at another size (issue 13's
1,000,000-member send); the figures are then named for that size (`send_1000k_seconds`, ...)."""

from __future__ import annotations

import os
import re
import time

PARTNER = "http://exacttarget.com/wsdl/partnerAPI"
AUDIENCE = int(os.environ.get("SFMC_BENCH_SEND_AUDIENCE") or 100_000)
SIZE = f"{AUDIENCE // 1000}k" if AUDIENCE % 1000 == 0 else str(AUDIENCE)  # in figure names: send_100k_seconds


def _create(bench, objects_xml: str) -> str:
    response = bench.soap("Create", f'<CreateRequest xmlns="{PARTNER}">{objects_xml}</CreateRequest>')
    assert b"<StatusCode>OK</StatusCode>" in response.content, response.text
    return response.text


def run(bench) -> dict[str, float]:
    created = _create(bench, '<Objects xsi:type="Email"><CustomerKey>bench-email</CustomerKey><Name>bench</Name>'
                             "<Subject>Hello %%FirstName%%</Subject><HTMLBody>&lt;p&gt;Dear %%FirstName%%, your code"
                             " is %%Code%% (%%emailaddr%%)&lt;/p&gt;</HTMLBody></Objects>")
    email_id = int(re.search(r"<NewID>(\d+)</NewID>", created).group(1))
    created = _create(bench, '<Objects xsi:type="List"><CustomerKey>bench-list</CustomerKey>'
                             "<ListName>bench list</ListName></Objects>")
    list_id = int(re.search(r"<NewID>(\d+)</NewID>", created).group(1))
    seeded_at = time.perf_counter()
    bench.http.post(f"{bench.base_url}/_emulator/seed/list-members", timeout=300, json={
        "list_id": list_id, "count": AUDIENCE, "prefix": "bench",
        "attributes": {"FirstName": "Sub {n}", "Code": "C-{n}"}}).raise_for_status()
    seed_seconds = time.perf_counter() - seeded_at
    _create(bench, f'<Objects xsi:type="EmailSendDefinition"><CustomerKey>bench-esd</CustomerKey><Name>bench</Name>'
                   f"<SendDefinitionList><List><ID>{list_id}</ID></List><DataSourceTypeID>List</DataSourceTypeID>"
                   f"</SendDefinitionList><Email><ID>{email_id}</ID></Email></Objects>")
    rss_before = bench.server_rss_mb()

    started = time.perf_counter()
    response = bench.soap("Perform", f'<PerformRequestMsg xmlns="{PARTNER}"><Action>start</Action><Definitions>'
                                     '<Definition xsi:type="EmailSendDefinition"><CustomerKey>bench-esd</CustomerKey>'
                                     "</Definition></Definitions></PerformRequestMsg>")
    answered = time.perf_counter() - started
    job_id = int(re.search(r"<Task>.*?<ID>(\d+)</ID>", response.text, re.S).group(1))
    while True:
        job = bench.http.get(f"{bench.base_url}/_emulator/jobs/{job_id}", params={"wait": 30}, timeout=60).json()
        if job["status"] in ("Complete", "Error"):
            break
    outbox = bench.http.get(f"{bench.base_url}/_emulator/outbox", params={"job_id": job_id, "limit": 1},
                            timeout=60)
    outbox = {"count": int(outbox.headers["X-Total-Count"])}
    seconds = time.perf_counter() - started
    assert job["status"] == "Complete", job
    assert outbox["count"] == AUDIENCE == job["detail"]["NumberSent"], (outbox["count"], job["detail"])
    return {
        f"send_{SIZE}_seconds": seconds,
        f"send_{SIZE}_messages_per_s": AUDIENCE / seconds,
        "send_perform_answer_ms": answered * 1000,
        "send_server_peak_rss_mb": bench.server_rss_mb(),
        "send_server_rss_before_send_mb": rss_before,
        f"send_seed_{SIZE}_seconds": seed_seconds,
    }
