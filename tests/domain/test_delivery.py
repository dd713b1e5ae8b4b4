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
               if re.search(r"\boutbox\.add_(?:many|values)\(", p.read_text(encoding="utf-8"))]
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


def test_rows_are_built_as_tuples_in_the_stores_column_order():
    """The hot path hands the store prebuilt tuples: they must say what the dict rows say, column by column."""
    import json

    from emulator.store.outbox import COLUMNS
    from emulator.store.sends import EVENT_COLUMNS

    message = Message(1, "a@example.com", "k", "S", "<p>h</p>", "t", "F", "f@example.com", {"values": {"x": "1"}},
                      2.0, job_id=3, message_key="m", definition_key="d", channel="sms")
    row = message.row()
    assert message.values() == tuple(json.dumps(row[c]) if c == "source" else row[c] for c in COLUMNS)
    for event in (Event(1, 3, "k", "a@example.com", "Sent", 2.0),
                  Event(1, 3, "k", None, "HardBounce", 2.0, 4, "tsd", {"SMTPCode": "550"})):
        row = event.row()
        assert event.values() == tuple(json.dumps(row[c]) if c == "detail" else row[c] for c in EVENT_COLUMNS)


def test_magic_kinds_by_domain_and_local_part():
    from emulator.domain.sends import MAGIC_DOMAIN, magic_kind

    assert magic_kind(None) is None and magic_kind("ada@example.com") is None
    assert magic_kind(f"ada@bounce.{MAGIC_DOMAIN}") == "bounce"
    assert magic_kind("HELD@example.com") == "held" and magic_kind("error+7@example.com") == "error"
    assert magic_kind("errors@example.com") is None and magic_kind("x@held.example.com") is None
    assert magic_kind(f"error@bounce.{MAGIC_DOMAIN}") == "bounce"  # the first kind in MAGIC_KINDS wins
    assert magic_kind(f"bounce+1@error.{MAGIC_DOMAIN}") == "bounce"


def test_plain_sent_events_are_copied_from_the_outbox_in_order_with_the_columns_they_would_have_had():
    """A send's Sent events are copied from their outbox rows in SQL; every other event is bound. Either way
    the rows (and their id order) are those each Event's values() says."""
    from emulator.store.sends import EVENT_COLUMNS

    emu = Emulator()
    try:
        mid, batch, statements = emu.enterprise_mid, Batch(), []
        for n in range(6):
            message = Message(mid, f"k{n}@example.com", f"k{n}", "S", "<p>h</p>", "", None, None, {}, 5.0, job_id=9)
            event = Event(mid, 9, f"k{n}", f"k{n}@example.com", "Sent", 5.0)
            if n == 3:  # an event that does not repeat its message's row (another date) is bound as it is
                event = Event(mid, 9, f"k{n}", f"k{n}@example.com", "Sent", 6.0)
            if n == 4:
                batch.events.append(Event(mid, 9, "k4", "k4@example.com", "NotSent", 5.0, detail={"reason": "x"}))
            batch.sent(message, event, bounce=n == 1)
        emu.store.conn.set_trace_callback(statements.append)
        emu.delivery.deliver(batch)
        emu.store.conn.set_trace_callback(None)
        with emu.store.reading() as conn:
            rows = [tuple(r) for r in conn.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM send_event ORDER BY id")]
        assert rows == [e.values() for e in batch.events] and [e.event_type for e in batch.events] == [
            "Sent", "Sent", "HardBounce", "Sent", "Sent", "NotSent", "Sent", "Sent"]
        assert all(e.message_id == e.message.id for e in batch.events if e.message is not None)
        copies = [s for s in statements if "INSERT INTO send_event" in s and "FROM outbox" in s]
        assert len(copies) == 3  # k0-k1 | the bounce | k2 | k3 (another date) and the NotSent | k4-k5
    finally:
        emu.close()
