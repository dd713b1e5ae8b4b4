"""Hostile admin bodies (Hypothesis): whatever JSON, near-JSON or bytes reach the admin API's writing routes
— the clock, bulk seeding, fault rules — under whatever Content-Type, the answer is never a 5xx, a refusal
is SFMC's JSON error object, and a refusal changes nothing (clock, subscribers, fault rules, outbox).

Bounded by default; SFMC_HOSTILE_EXAMPLES=N runs N examples per route (e.g. 5000 for a long run).
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.app import create_app
from emulator.core import Emulator

EXAMPLES = int(os.environ.get("SFMC_HOSTILE_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Values of every JSON type and the numbers that break naive code: huge, tiny, negative, non-integral.
NUMBERS = st.one_of(st.integers(), st.integers(min_value=-2**70, max_value=2**70),
                    st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from([0, -1, 1e308, -1e308, 2**63, 2**31, 1e-300, 0.5, -0.0]))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=40),
                    st.sampled_from(["inf", "NaN", "9999-12-31T23:59:58Z", "0001-01-01", "2030-01-01T00:00:00Z",
                                     "", " ", "\x00", "\ud800x".encode("utf-8", "surrogatepass").decode("utf-8",
                                                                                                          "replace")]))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                    max_leaves=12)

ROUTES: dict[str, list[str]] = {
    "/_emulator/clock": ["freeze", "set", "advance", "reset"],
    "/_emulator/seed/list-members": ["list_id", "count", "mid", "prefix", "domain", "attributes"],
    "/_emulator/faults": ["kind", "action", "object_type", "times", "percent", "latency_ms", "params", "path"],
}


def bodies(fields: list[str]) -> st.SearchStrategy[Any]:
    """Any JSON; objects made of the route's own field names with any values; and the odd raw text."""
    shaped = st.dictionaries(st.sampled_from(fields), JSON, max_size=len(fields))
    return st.one_of(JSON, shaped, shaped, st.sampled_from(['{"advance": NaN}', '{"count": Infinity}', "{",
                                                            "[" * 5000, '{"a":' * 3000 + "1" + "}" * 3000,
                                                            "\xff\xfe", '{"count": 1' + "0" * 5000 + "}"]))


@pytest.fixture(scope="module")
def hostile():
    emu = Emulator()
    try:
        yield emu, create_app(emu).test_client()
    finally:
        emu.close()


def _state(emu: Emulator) -> tuple:
    clock = emu.clock
    faults = emu.services.get("faults")
    return (clock.frozen, clock.now() if clock.frozen else None, emu.audience.count_subscribers(emu.enterprise_mid),
            len(faults.list()) if faults is not None else 0, emu.outbox.query(limit=1)[1])


def _restore(emu: Emulator) -> None:
    emu.clock.reset()
    emu.clock.freeze()
    faults = emu.services.get("faults")
    if faults is not None:
        faults.clear()


def _send(client, path: str, body: Any, content_type: str | None):
    data = body if isinstance(body, str) else json.dumps(body)
    headers = {"Content-Type": content_type} if content_type else {}
    return client.post(path, data=data.encode("utf-8", "surrogatepass"), headers=headers)


@pytest.mark.parametrize("path", list(ROUTES))
def test_hostile_admin_bodies_are_refused_cleanly(hostile, path):
    emu, client = hostile
    tried = {"n": 0, "refused": 0}

    @SETTINGS
    @given(body=bodies(ROUTES[path]),
           content_type=st.sampled_from(["application/json", "application/json", "text/plain", None,
                                         "application/x-www-form-urlencoded", "application/json; charset=utf-8",
                                         "multipart/form-data", "multipart/form-data; boundary=x",
                                         "text/plain; charset=utf-16", "application/problem+json"]))
    def check(body: Any, content_type: str | None) -> None:
        _restore(emu)
        before = _state(emu)
        response = _send(client, path, body, content_type)
        tried["n"] += 1
        assert response.status_code < 500, (body, response.data[:300])
        if response.status_code >= 400:
            tried["refused"] += 1
            payload = response.get_json()
            assert isinstance(payload, dict) and isinstance(payload.get("message"), str) and payload["message"]
            assert isinstance(payload.get("errorcode"), int) and "documentation" in payload
            assert _state(emu) == before, body
        assert emu.guard_hits == 0

    check()
    assert tried["n"] >= min(EXAMPLES, 50) and tried["refused"] > 0
    print(f"{path}: {tried['n']} bodies tried, {tried['refused']} refused")
