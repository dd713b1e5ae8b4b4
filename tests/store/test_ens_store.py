"""The ENS queue keeps only what is still to deliver; the delivery log is bounded."""

from __future__ import annotations

from emulator.store import ens
from emulator.store.db import Store


def test_settled_rows_leave_the_queue_and_the_log_is_capped(tmp_path, monkeypatch):
    store = Store(tmp_path / "s.db", durable=False)
    repo = ens.EnsRepository(store)
    repo.enqueue([("s1", "c1", {"n": i}) for i in range(3)], 0.0)
    [first, second, third] = [r["id"] for r in repo.batch("s1", 10)]
    repo.settle([first], ens.PENDING, 1, 30.0)
    repo.settle([second], ens.DELIVERED, 1, 0.0)
    repo.settle([third], ens.DROPPED, 4, 0.0)
    assert [(r["id"], r["attempts"]) for r in repo.batch("s1", 10)] == [(first, 1)]
    assert repo.pending_count() == 1
    monkeypatch.setattr(ens, "LOG_CAP", 5)
    for attempt in range(12):
        repo.log({"mid": 1, "callback_id": "c1", "subscription_id": "s1", "at": float(attempt), "attempt": attempt,
                  "events": 1, "outcome": "delivered", "status": 200})
    assert [r["attempt"] for r in repo.deliveries()] == [11, 10, 9, 8, 7]
    store.close()
