"""Sends build each batch with Python's cyclic collector paused (domain/collector.py), and only then."""

from __future__ import annotations

import gc

from emulator.core import Emulator
from emulator.domain.collector import collector_paused
from tests.sends.test_crash_recovery import AUDIENCE, _prepare


def test_the_collector_is_paused_inside_and_left_as_it_was_after():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the inner one leaves it off
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_a_send_delivers_every_batch_with_the_collector_paused_and_resumes_it():
    emu = Emulator()
    try:
        _mid, job_id = _prepare(emu)
        heard: list[tuple[int, bool]] = []
        emu.delivery.listeners.append(lambda batch: heard.append((len(batch.messages), gc.isenabled())))
        emu.sends.run(job_id)
        assert sum(n for n, _ in heard) == AUDIENCE and len(heard) == 3
        assert not any(enabled for _, enabled in heard)
        assert gc.isenabled() and emu.jobs.get(job_id)["status"] == "Complete"
    finally:
        emu.close()
