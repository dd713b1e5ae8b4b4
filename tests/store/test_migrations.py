"""The keyset migration (v6, issue 13) on a database v2 left: the continuation cursor column and the retrieve indexes appear, and
rows already there stay."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from emulator.store.db import MIGRATIONS, Store

V3_INDEXES = {"idx_object_type_pk", "idx_subscriber_key_nocase", "idx_list_subscriber_list",
              "idx_list_subscriber_key", "idx_de_row_de", "idx_send_event_type", "idx_send_event_key_nocase",
              "idx_send_event_date"}
# v12 (send speed) drops the send_event indexes no statement needs (v6's idx_send_event_job among them).
DROPPED = {"idx_send_event_mid_job_id", "idx_send_event_mid_subscriber_key", "idx_send_event_job"}


def test_a_v2_database_gains_the_keyset_column_and_indexes(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for migrate in MIGRATIONS[:2]:
        migrate(sqlite_utils.Database(conn))
    conn.execute("PRAGMA user_version=2")
    conn.execute("INSERT INTO subscriber(mid, subscriber_key, id, email, status) VALUES (1, 'k', 7, 'k@x.io', 'Active')")
    conn.close()

    store = Store(path)
    try:
        with store.reading() as read:
            columns = {row[1] for row in read.execute("PRAGMA table_info(retrieve_continuation)")}
            indexes = {row[0] for row in read.execute("SELECT name FROM sqlite_master WHERE type='index'")}
            assert read.execute("SELECT subscriber_key FROM subscriber").fetchall()[0][0] == "k"
        assert "after" in columns
        assert V3_INDEXES <= indexes
        assert not DROPPED & indexes
    finally:
        store.close()
