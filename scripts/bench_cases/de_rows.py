"""Issue 14: 10,000 data-extension rows through the sync hub rowset (batches of 500) and through the async
API (batches of 500, polled to Complete), against the SQLite floor: the same rows inserted as JSON with
executemany, a transaction per batch of 500, in a WAL file of its own."""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
from pathlib import Path

import requests

PARTNER = "http://exacttarget.com/wsdl/partnerAPI"
ROWS, BATCH = 10_000, 500
DE = (f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="DataExtension"><CustomerKey>{{key}}</CustomerKey>'
      "<Name>{key}</Name><Fields><Field><Name>Key</Name><FieldType>Text</FieldType><MaxLength>20</MaxLength>"
      "<IsPrimaryKey>true</IsPrimaryKey><IsRequired>true</IsRequired></Field>"
      "<Field><Name>Email</Name><FieldType>EmailAddress</FieldType></Field>"
      "<Field><Name>Points</Name><FieldType>Number</FieldType></Field>"
      "<Field><Name>Joined</Name><FieldType>Date</FieldType></Field></Fields></Objects></CreateRequest>")


def _row(i: int) -> dict[str, object]:
    return {"Key": f"k{i}", "Email": f"user{i}@example.com", "Points": i, "Joined": "2024-02-03T10:00:00Z"}


def _floor() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(str(Path(tmp) / "floor.db"), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE de_row(pk INTEGER PRIMARY KEY, mid INT, de_key TEXT, key_value TEXT, row TEXT)")
        conn.execute("CREATE INDEX i ON de_row(mid, de_key, key_value)")
        start = time.perf_counter()
        for first in range(0, ROWS, BATCH):
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO de_row(mid, de_key, key_value, row) VALUES (1, 'de', ?, ?)",
                             [(f"k{i}", json.dumps(_row(i))) for i in range(first, first + BATCH)])
            conn.execute("COMMIT")
        seconds = time.perf_counter() - start
        conn.close()
    return seconds


def run(bench) -> dict[str, float]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {bench.token()}"
    for key in ("bench-sync", "bench-async"):
        assert "Data Extension created." in bench.soap("Create", DE.format(key=key)).text
    start = time.perf_counter()
    for first in range(0, ROWS, BATCH):
        body = [{"keys": {"Key": f"k{i}"}, "values": {k: v for k, v in _row(i).items() if k != "Key"}}
                for i in range(first, first + BATCH)]
        response = session.post(f"{bench.base_url}/hub/v1/dataevents/key:bench-sync/rowset", json=body, timeout=120)
        assert response.status_code == 200, response.text[:500]
    sync_seconds = time.perf_counter() - start

    start = time.perf_counter()
    request_ids = []
    for first in range(0, ROWS, BATCH):
        response = session.put(f"{bench.base_url}/data/v1/async/dataextensions/key:bench-async/rows",
                               json={"items": [_row(i) for i in range(first, first + BATCH)]}, timeout=120)
        assert response.status_code == 202, response.text[:500]
        request_ids.append(response.json()["requestId"])
    for request_id in request_ids:
        while True:
            status = session.get(f"{bench.base_url}/data/v1/async/{request_id}/status", timeout=60).json()["status"]
            if status["requestStatus"] in ("Complete", "Error"):
                assert status["resultStatus"] == "OK", status
                break
            time.sleep(0.01)
    async_seconds = time.perf_counter() - start

    read = session.get(f"{bench.base_url}/data/v1/customobjectdata/key/bench-sync/rowset",
                       params={"$filter": "Points ge 9000", "$orderBy": "Points desc", "$pageSize": 50}, timeout=60)
    assert read.json()["count"] == 1000, read.text[:500]
    floor = _floor()
    return {"de_rows_sync_rows_per_s": ROWS / sync_seconds, "de_rows_async_rows_per_s": ROWS / async_seconds,
            "de_rows_sqlite_floor_rows_per_s": ROWS / floor, "de_rows_sync_x_floor": sync_seconds / floor,
            "de_rows_async_x_floor": async_seconds / floor}
