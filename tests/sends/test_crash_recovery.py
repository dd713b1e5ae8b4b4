"""A send interrupted by a crash: never 'Complete' with messages missing, nobody sent twice after restart."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import time

import pytest
import requests

from emulator.config import Config
from emulator.core import Emulator
from emulator.domain.context import CallContext
from emulator.domain.sends import BATCH, SimulatedCrash
from emulator.store.audience import SubscriberRecord
from tests.serving import free_port, kill_hard, killed_on_exit, serve
from tests.soap_helpers import PARTNER, post_soap

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


def _serve(db) -> tuple[subprocess.Popen, str]:
    port = free_port()
    return serve(db, port, capture=False), f"http://127.0.0.1:{port}"


def _soap(base: str, action: str, body: str) -> str:
    response = post_soap(f"{base}/Service.asmx", action, body)
    assert "<StatusCode>OK</StatusCode>" in response.text, response.text
    return response.text


@pytest.mark.slow
def test_kill_9_mid_send_then_restart_on_the_same_database(tmp_path):
    db, total = tmp_path / "kill.db", 100_000
    proc, base = _serve(db)
    with killed_on_exit(proc):
        email_id = re.search(r"<NewID>(\d+)", _soap(base, "Create", f'<CreateRequest xmlns="{PARTNER}"><Objects '
                             'xsi:type="Email"><Name>k</Name><Subject>Hi</Subject><HTMLBody>x</HTMLBody></Objects>'
                             "</CreateRequest>")).group(1)
        list_id = int(re.search(r"<NewID>(\d+)", _soap(base, "Create", f'<CreateRequest xmlns="{PARTNER}"><Objects '
                                'xsi:type="List"><ListName>k</ListName></Objects></CreateRequest>')).group(1))
        requests.post(f"{base}/_emulator/seed/list-members", json={"list_id": list_id, "count": total},
                      timeout=120).raise_for_status()
        _soap(base, "Create", f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="EmailSendDefinition">'
              f"<CustomerKey>kill</CustomerKey><Name>kill</Name><SendDefinitionList><List><ID>{list_id}</ID></List>"
              f"</SendDefinitionList><Email><ID>{email_id}</ID></Email></Objects></CreateRequest>")
        answer = _soap(base, "Perform", f'<PerformRequestMsg xmlns="{PARTNER}"><Action>start</Action><Definitions>'
                       '<Definition xsi:type="EmailSendDefinition"><CustomerKey>kill</CustomerKey></Definition>'
                       "</Definitions></PerformRequestMsg>")
        job_id = int(re.search(r"<Task>.*?<ID>(\d+)</ID>", answer, re.S).group(1))
        while (count := int(requests.get(f"{base}/_emulator/outbox", params={"job_id": job_id, "limit": 1},
                                         timeout=30).headers["X-Total-Count"])) == 0:
            time.sleep(0.005)
        kill_hard(proc)  # SIGKILL mid-send: no shutdown code runs
    assert 0 < count < total
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM job WHERE id=?", (job_id,)).fetchone()[0] == "Sending"
        partial = conn.execute("SELECT COUNT(*) FROM outbox WHERE job_id=?", (job_id,)).fetchone()[0]
        assert 0 < partial < total and partial % BATCH == 0  # whole batches only
    proc, base = _serve(db)
    try:
        job = requests.get(f"{base}/_emulator/jobs/{job_id}", params={"wait": 60}, timeout=90).json()
        assert job["status"] == "Complete" and job["detail"]["NumberSent"] == total
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    with sqlite3.connect(db) as conn:
        sent, distinct = conn.execute("SELECT COUNT(*), COUNT(DISTINCT subscriber_key) FROM outbox WHERE job_id=?",
                                      (job_id,)).fetchone()
    assert sent == distinct == total
