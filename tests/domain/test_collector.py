"""Sends and imports build each batch with Python's cyclic collector paused (domain/collector.py), and only then."""

from __future__ import annotations

import gc

from emulator.core import Emulator
from emulator.domain.collector import collector_paused
from emulator.domain.imports import start_import
from tests.audiences.test_import_recovery import _definition
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


def test_an_import_writes_every_batch_with_the_collector_paused_and_resumes_it(monkeypatch):
    emu = Emulator()
    try:
        definition = _definition(emu, 12_000)  # three batches of at most 5,000 rows
        heard: list[bool] = []
        insert = emu.audience.insert_rows

        def recording(*args, **kwargs):
            heard.append(gc.isenabled())
            return insert(*args, **kwargs)

        monkeypatch.setattr(emu.audience, "insert_rows", recording)
        job = emu.jobs.wait(start_import(emu, emu.enterprise_mid, definition), timeout=60)
        assert job["status"] == "Completed" and job["detail"]["NumberSuccessful"] == 12_000
        assert heard == [False, False, False]
        assert gc.isenabled()
    finally:
        emu.close()
