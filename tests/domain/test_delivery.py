"""The one delivery path: every outbox row is written by domain/delivery.py, a batch in one statement per
table, and listeners hear of each delivered batch."""

from __future__ import annotations

import re
from pathlib import Path

import emulator
from emulator.core import Emulator
from emulator.domain.delivery import Batch, Event, Message

PACKAGE = Path(emulator.__file__).resolve().parent


def test_no_outbox_row_is_written_outside_delivery():
    writers = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
               if re.search(r"\boutbox\.add_many\(", p.read_text(encoding="utf-8"))]
    assert writers == ["domain/delivery.py"]


def test_a_batch_lands_in_the_outbox_and_the_events_and_listeners_hear_of_it():
    emu = Emulator()
    try:
        mid, heard = emu.enterprise_mid, []
        emu.delivery.listeners.append(heard.append)
        event = Event(mid, 77, "k1", "k1@example.com", "Sent", 1.0)
        batch = Batch()
        batch.sent(Message(mid, "k1@example.com", "k1", "Hi", "<p>Hi</p>", "Hi", "From", "from@example.com",
                           {"values": {}}, 1.0, job_id=77), event, bounce=True)
        emu.delivery.deliver(batch)
        rows, total = emu.outbox.query(mid=mid, job_id=77)
        assert total == 1 and rows[0]["to_addr"] == "k1@example.com" and rows[0]["subject"] == "Hi"
        types = [e["event_type"] for e in emu.send_rows.iter_events([mid], ("Sent", "HardBounce"), 77)]
        assert types == ["Sent", "HardBounce"]
        assert heard == [batch]
    finally:
        emu.close()
