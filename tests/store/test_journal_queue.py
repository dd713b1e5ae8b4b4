"""The journal writes off the request path (store/journal.py): entries queue and a writer thread stores them
in batches, but every read, a reset and close write the queue first, in the order entries were added."""

from __future__ import annotations

import threading

from emulator.config import Config
from emulator.core import Emulator
from emulator.store import journal as journal_module
from emulator.store.journal import JournalEntry


def _entry(n: int) -> JournalEntry:
    return JournalEntry(ts=float(n), method="GET", path=f"/p{n}", status=200, ms=1.0)


def _parked(monkeypatch) -> None:
    """The writer thread never gets to write: only the flush-before-read can have stored the entries."""
    monkeypatch.setattr(journal_module.JournalRepository, "_write_loop", lambda self: None)


def _rows_in_table(emu: Emulator) -> int:
    with emu.store.reading() as conn:  # the raw table, without the repository's flush
        return conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0]


def test_every_read_writes_the_queue_first_in_order(tmp_path, monkeypatch):
    _parked(monkeypatch)
    emu = Emulator(Config(db_path=str(tmp_path / "q.db")))
    try:
        for n in range(5):
            emu.journal.add(_entry(n))
        assert _rows_in_table(emu) == 0  # queued, not yet written
        assert emu.journal.count() == 5
        emu.journal.add(_entry(5))
        assert [r["path"] for r in emu.journal.all_in_order()] == [f"/p{n}" for n in range(6)]
        emu.journal.add(_entry(6))
        assert emu.journal.list(limit=1)[0]["path"] == "/p6"
        emu.journal.add(_entry(7))
        newest = emu.journal.list(limit=1)[0]
        assert emu.journal.get(newest["id"])["path"] == "/p7"
        emu.journal.add(_entry(8))
        rows, total = emu.inspect.journal({})  # the inspector's SQL reads settle the store first
        assert total == 9 and rows[0]["path"] == "/p8"
    finally:
        emu.close()


def test_a_reset_drops_what_was_queued_before_it_and_close_keeps_the_queue(tmp_path, monkeypatch):
    _parked(monkeypatch)
    db = tmp_path / "r.db"
    emu = Emulator(Config(db_path=str(db)))
    emu.journal.add(_entry(1))
    emu.reset()
    assert emu.journal.count() == 0  # dropped by the reset, as the restored content holds no journal rows
    emu.journal.add(_entry(2))
    emu.close()  # written on close, not lost
    again = Emulator(Config(db_path=str(db)))
    try:
        assert [r["path"] for r in again.journal.all_in_order()] == ["/p2"]
    finally:
        again.close()


def test_the_queue_is_bounded(tmp_path, monkeypatch):
    _parked(monkeypatch)
    monkeypatch.setattr(journal_module, "MAX_PENDING", 10)
    emu = Emulator(Config(db_path=str(tmp_path / "b.db")))
    try:
        for n in range(25):
            emu.journal.add(_entry(n))
        assert _rows_in_table(emu) == 20  # the 10th and 20th add wrote the queue themselves
    finally:
        emu.close()


def test_the_writer_thread_stores_entries_without_a_read(tmp_path):
    emu = Emulator(Config(db_path=str(tmp_path / "w.db")))
    try:
        emu.journal.add(_entry(1))
        written = threading.Event()
        for _ in range(200):  # the writer waits FLUSH_DELAY, then writes
            if _rows_in_table(emu) == 1:
                written.set()
                break
            threading.Event().wait(0.02)
        assert written.is_set()
    finally:
        emu.close()


def test_a_wipe_that_keeps_the_journal_writes_its_queue(tmp_path, monkeypatch):
    _parked(monkeypatch)
    emu = Emulator(Config(db_path=str(tmp_path / "k.db")))
    try:
        emu.journal.add(_entry(1))
        emu.store.wipe(keep=("token", "journal"))  # a kept table's queued rows are written, not dropped
        assert _rows_in_table(emu) == 1
        emu.journal.add(_entry(2))
        emu.store.wipe(keep=("token",))
        assert _rows_in_table(emu) == 0 and emu.journal.count() == 0
    finally:
        emu.close()
