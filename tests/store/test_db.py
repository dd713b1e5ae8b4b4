"""A throwaway store (no --db) skips fsync; a sandbox file keeps SQLite's NORMAL durability. Both are WAL."""

from __future__ import annotations

from pathlib import Path

from emulator.config import Config
from emulator.core import Emulator
from emulator.store.db import Store

OFF, NORMAL = 0, 1


def test_a_sandbox_file_is_durable_and_a_throwaway_one_is_not(tmp_path: Path) -> None:
    durable, throwaway = Store(tmp_path / "kept.db"), Store(tmp_path / "gone.db", durable=False)
    try:
        assert durable.conn.execute("PRAGMA synchronous").fetchone()[0] == NORMAL
        assert throwaway.conn.execute("PRAGMA synchronous").fetchone()[0] == OFF
        assert throwaway.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        durable.close()
        throwaway.close()


def test_the_emulator_makes_only_its_throwaway_store_non_durable(tmp_path: Path) -> None:
    for config, expected in ((Config(), OFF), (Config(db_path=str(tmp_path / "sandbox.db")), NORMAL)):
        emu = Emulator(config)
        try:
            assert emu.store.conn.execute("PRAGMA synchronous").fetchone()[0] == expected
        finally:
            emu.close()
