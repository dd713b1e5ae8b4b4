"""Issue 13: one SOAP Create of 10,000 Lists against one of 1,000 on the same server: the cost per object
(the larger may cost at most 1.5 x per object) and the server's resident memory before and after (back
within 30 MB)."""

from __future__ import annotations

import time

import requests

PARTNER = "http://exacttarget.com/wsdl/partnerAPI"


def _create(bench, session: requests.Session, tag: str, count: int) -> float:
    objects = "".join(f'<Objects xsi:type="List"><CustomerKey>{tag}-{i}</CustomerKey><ListName>{tag} {i}</ListName>'
                      "</Objects>" for i in range(count))
    started = time.perf_counter()
    response = bench.soap("Create", f'<CreateRequest xmlns="{PARTNER}">{objects}</CreateRequest>', session)
    seconds = time.perf_counter() - started
    assert response.status_code == 200 and response.text.count("<StatusCode>OK</StatusCode>") == count, \
        response.text[:2000]
    return seconds


def run(bench) -> dict[str, float]:
    small, large = (100, 1000) if bench.quick else (1000, 10_000)
    session = requests.Session()
    _create(bench, session, "warm", small)
    rss_before = bench.server_rss_mb(peak=False)
    small_s = min(_create(bench, session, f"s{n}", small) for n in range(3))  # the least disturbed of 3
    large_s = _create(bench, session, "large", large)
    time.sleep(0.2)  # the server trims its heap once the response is sent
    rss_after = bench.server_rss_mb(peak=False)
    per_small, per_large = small_s / small, large_s / large
    return {
        "soap_bulk_small_objects": small, "soap_bulk_large_objects": large,
        "soap_bulk_small_ms_per_object": per_small * 1000, "soap_bulk_large_ms_per_object": per_large * 1000,
        "soap_bulk_per_object_ratio": per_large / per_small,
        "soap_bulk_rss_before_mb": rss_before, "soap_bulk_rss_after_mb": rss_after,
        "soap_bulk_rss_growth_mb": rss_after - rss_before,
    }
