"""Retention (domain/retention.py, store/retention.py): finished jobs, outbox messages and send events older
than `retain_days` of emulator time go; running jobs keep what they wrote; the fixture keeps everything."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emulator.config import Config
from emulator.core import Emulator
from emulator.store.sends import SendRepository

DAY = 86_400


@pytest.fixture
def emu_factory():
    made: list[Emulator] = []

    def make(**config) -> Emulator:
        emu = Emulator(Config(**config))
        emu.clock.freeze(datetime(2030, 1, 1, tzinfo=UTC))
        made.append(emu)
        return emu

    yield make
    for emu in made:
        emu.close()


def _job(emu: Emulator, status: str) -> int:
    job_id = emu.jobs.submit(emu.enterprise_mid, "send", lambda job: emu.jobs.update(job, status=status))
    emu.jobs.wait(job_id, timeout=5) if status != "Sending" else emu.jobs.wait_idle(timeout=5)
    return job_id


def _traffic(emu: Emulator, job_id: int | None, key: str) -> None:
    now = emu.clock.now().timestamp()
    emu.outbox.add_many([{"mid": emu.enterprise_mid, "job_id": job_id, "message_key": key, "subject": "s",
                          "source": {}, "created": now}])
    if job_id is not None:
        SendRepository(emu.store).add_events([{"mid": emu.enterprise_mid, "job_id": job_id, "subscriber_key": key,
                                               "event_type": "Sent", "event_date": now}])


def _outbox_keys(emu: Emulator) -> list[str]:
    return sorted(row["message_key"] for row in emu.outbox.query(limit=100)[0])


def _events(emu: Emulator) -> int:
    return sum(1 for _ in SendRepository(emu.store).iter_events([emu.enterprise_mid], ("Sent",)))


def test_old_finished_work_is_purged_when_the_clock_passes_the_window(emu_factory):
    emu = emu_factory(retain_days=30)
    done, running = _job(emu, "Complete"), _job(emu, "Sending")
    _traffic(emu, done, "done")
    _traffic(emu, running, "running")
    _traffic(emu, None, "transactional")
    emu.clock.advance(29 * DAY)
    _traffic(emu, None, "recent")
    assert _outbox_keys(emu) == ["done", "recent", "running", "transactional"]

    emu.clock.advance(2 * DAY)  # the first three are now 31 days old

    assert _outbox_keys(emu) == ["recent", "running"]
    assert emu.jobs.get(done) is None and emu.jobs.get(running) is not None
    assert _events(emu) == 1  # the running job's


def test_the_fixture_keeps_everything(emu_factory):
    emu = emu_factory()
    assert emu.config.retain_days is None
    done = _job(emu, "Complete")
    _traffic(emu, done, "done")
    emu.clock.advance(3650 * DAY)
    assert emu.retention.purge() == {}
    assert _outbox_keys(emu) == ["done"] and emu.jobs.get(done) is not None and _events(emu) == 1


def test_a_purge_on_demand_reports_counts(emu_factory):
    emu = emu_factory(retain_days=1)
    done = _job(emu, "Error")
    _traffic(emu, done, "x")
    emu.clock.unfreeze()
    emu.clock.freeze(datetime(2030, 1, 3, tzinfo=UTC))  # set/freeze purge too
    assert _outbox_keys(emu) == [] and emu.jobs.get(done) is None
    assert emu.retention.purge() == {"send_recipients": 0, "jobs": 0, "outbox": 0, "send_events": 0}
