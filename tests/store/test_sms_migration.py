"""The SMS channel migration (issue 15) on a database the previous version left: outbox and message rows
already there become email's, and message keys become unique per channel."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from emulator.store.db import MIGRATIONS, Store
from emulator.store.rest_documents import TxMessageRepository

SMS = next(i for i, m in enumerate(MIGRATIONS) if m.__name__.endswith("_sms_channel"))


def test_existing_rows_are_email_and_keys_are_unique_per_channel(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for migrate in MIGRATIONS[:SMS]:
        migrate(sqlite_utils.Database(conn))
    conn.execute(f"PRAGMA user_version={SMS}")
    conn.execute("INSERT INTO outbox(mid, to_addr, subject, source, created) VALUES (1, 'a@x.io', 'Hi', '{}', 0)")
    conn.execute("INSERT INTO tx_message(mid, message_key, definition_key, status, payload, created, updated)"
                 " VALUES (1, 'k', 'd', 'Sent', '{}', 0, 0)")
    conn.close()

    store = Store(path)
    try:
        with store.reading() as read:
            assert read.execute("SELECT channel FROM outbox").fetchall()[0][0] == "email"
        email, sms = TxMessageRepository(store), TxMessageRepository(store, channel="sms")
        assert email.get(1, "k") is not None and sms.get(1, "k") is None
        row = {"mid": 1, "message_key": "k", "definition_key": "d", "status": "Queued", "created": 0, "updated": 0}
        sms.insert_many([row])  # the same key on the other channel
        assert sms.existing_keys(1, ["k"]) == {"k"}
        with pytest.raises(sqlite3.IntegrityError):
            sms.insert_many([row])
    finally:
        store.close()
