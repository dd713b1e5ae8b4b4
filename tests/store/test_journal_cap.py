"""The request journal is capped in bytes as well as rows, and the file gives dropped rows' space back."""

from __future__ import annotations

import os

from emulator.app import create_app
from emulator.config import Config
from emulator.core import Emulator
from emulator.store import journal as journal_module
from emulator.store.journal import JournalEntry


def _entry(size: int, n: int = 0) -> JournalEntry:
    return JournalEntry(ts=float(n), method="POST", path=f"/p{n}", status=200, ms=1.0, request="x" * size,
                        response="é" * (size // 2))  # two bytes each: the cap counts bytes, not characters


def test_the_byte_cap_drops_the_oldest_and_keeps_the_count(tmp_path):
    emu = Emulator(Config(db_path=str(tmp_path / "j.db")))
    try:
        journal = emu.journal
        journal.cap, journal.cap_bytes = 1000, 50_000
        for n in range(40):
            journal.add(_entry(5_000, n))
        held = journal.held_bytes()
        assert 40_000 < held <= 50_000
        rows = journal.all_in_order()
        assert rows[-1]["path"] == "/p39" and len(rows) == 4 < 40
        actual = sum(len((r["request"] or "").encode()) + len((r["response"] or "").encode()) + len(r["path"].encode())
                     for r in rows)
        assert actual == held
        journal.add(_entry(80_000, 99))  # larger than the cap alone: kept, the rest dropped
        assert [r["path"] for r in journal.all_in_order()] == ["/p99"]
    finally:
        emu.close()


def test_the_row_cap_still_holds_and_counts_stay_right_after_reset(tmp_path):
    emu = Emulator(Config(db_path=str(tmp_path / "j.db")))
    try:
        emu.journal.cap = 3
        for n in range(10):
            emu.journal.add(_entry(10, n))
        assert emu.journal.count() == 3 and emu.journal.held_bytes() == 3 * (10 + 10 + 3)
        emu.reset()
        emu.journal.add(_entry(10, 11))
        assert emu.journal.held_bytes() == sum(
            len((r["request"] or "").encode()) + len((r["response"] or "").encode()) + len(r["path"].encode())
            for r in emu.journal.all_in_order())
    finally:
        emu.close()


def test_served_traffic_stays_under_the_cap_and_the_file_shrinks(tmp_path, monkeypatch):
    monkeypatch.setattr(journal_module, "RECLAIM_EVERY_BYTES", 512 * 1024)
    db = tmp_path / "served.db"
    emu = Emulator(Config(db_path=str(db), journal_cap_bytes=1024 * 1024, journal_body_limit=64 * 1024))
    try:
        client = create_app(emu).test_client()
        for _ in range(300):  # ~38 MiB of bodies through a 1 MiB journal
            client.post("/v2/token", data="y" * 64 * 1024, content_type="application/json")
        assert emu.journal.held_bytes() <= 1024 * 1024
        assert 0 < emu.journal.count() < 300
        emu.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = os.path.getsize(db)
        assert size < 4 * 1024 * 1024, size  # pages of dropped rows went back (freelist reclaimed)
        assert emu.store.conn.execute("PRAGMA freelist_count").fetchone()[0] < 256
        emu.journal.clear()
        assert os.path.getsize(db) < size
    finally:
        emu.close()
