"""A send interrupted by a crash: never 'Complete' with messages missing, nobody sent twice after restart."""

from __future__ import annotations

import pytest

from emulator.config import Config
from emulator.core import Emulator
from emulator.domain.context import CallContext
from emulator.domain.sends import BATCH, SimulatedCrash
from emulator.store.audience import SubscriberRecord

AUDIENCE = BATCH * 2 + 500  # three batches


def _prepare(emu: Emulator) -> tuple[int, int]:
    """An email, a list of AUDIENCE members and a definition; returns (mid, job id of a queued, unstarted send)."""
    mid = emu.enterprise_mid
    ctx = CallContext(mid, "test")
    service = emu.object_service
    email = service.create(ctx, "Email", [{"__type__": "Email", "Name": "e", "Subject": "Hi %%FirstName%%",
                                          "HTMLBody": "<b>%%FirstName%%</b>"}])[0]
    lst = service.create(ctx, "List", [{"__type__": "List", "ListName": "big"}])[0]
    now = emu.clock.now().timestamp()
    emu.audience.put_subscribers(mid, [SubscriberRecord(f"k{i}", f"k{i}@example.com", "Active", {"FirstName": str(i)})
                                       for i in range(AUDIENCE)], now)
    emu.audience.set_memberships(mid, lst.new_id, [(f"k{i}", "Active") for i in range(AUDIENCE)], now)
    esd = service.create(ctx, "EmailSendDefinition", [{
        "__type__": "EmailSendDefinition", "CustomerKey": "crash", "Name": "crash",
        "Email": {"__type__": "Email", "ID": email.new_id},
        "SendDefinitionList": [{"__type__": "SendDefinitionList", "List": {"__type__": "List", "ID": lst.new_id},
                                "DataSourceTypeID": "List"}]}])[0]
    assert esd.ok, esd.message
    plan = service.behaviour_for("EmailSendDefinition").plan(mid, esd.object, {})
    # Queued the way SendService.start queues it, but with no worker run: the test drives `run` itself.
    job_id = emu.jobs.submit(mid, "send", lambda _job_id: None, {"plan": plan}, status="Scheduled")
    emu.jobs.wait_idle()
    return mid, job_id


def _messages(emu: Emulator, job_id: int) -> tuple[int, int]:
    rows, total = emu.outbox.query(job_id=job_id, limit=AUDIENCE * 2)
    return total, len({r["subscriber_key"] for r in rows})


def test_crash_mid_send_then_restart_completes_exactly_once(tmp_path):
    config = Config(port=0, db_path=str(tmp_path / "emulator.db"))
    emu = Emulator(config)
    _mid, job_id = _prepare(emu)
    emu.sends.crash_after_batches = 1
    with pytest.raises(SimulatedCrash):
        emu.sends.run(job_id)
    job = emu.jobs.get(job_id)
    assert job["status"] == "Sending"  # not Complete: a retrieve shows the send unfinished
    assert _messages(emu, job_id) == (BATCH, BATCH)
    assert job["detail"]["NumberSent"] == BATCH
    emu.close()  # the process 'dies'

    restarted = Emulator(config)  # start-up re-queues the unfinished send
    try:
        job = restarted.jobs.wait(job_id, timeout=30)
        assert job["status"] == "Complete"
        assert _messages(restarted, job_id) == (AUDIENCE, AUDIENCE)
        assert job["detail"]["NumberSent"] == AUDIENCE and job["detail"]["NumberTargeted"] == AUDIENCE
        events = list(restarted.sends.repo.iter_events([job["mid"]], ("Sent",), job_id))
        assert len(events) == AUDIENCE
    finally:
        restarted.close()


def test_send_queued_but_never_started_runs_after_restart(tmp_path):
    config = Config(port=0, db_path=str(tmp_path / "emulator.db"))
    emu = Emulator(config)
    _mid, job_id = _prepare(emu)
    assert emu.jobs.get(job_id)["status"] == "Scheduled"
    emu.close()
    restarted = Emulator(config)
    try:
        assert restarted.jobs.wait(job_id, timeout=30)["status"] == "Complete"
        assert _messages(restarted, job_id) == (AUDIENCE, AUDIENCE)
    finally:
        restarted.close()
