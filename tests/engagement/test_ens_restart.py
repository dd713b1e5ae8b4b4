"""A restart mid-retry: `serve --db` stops while a batch waits for its next attempt; the next process
delivers exactly the pending events, once."""

from __future__ import annotations

import time

import requests

from tests.engagement.receiver import Receiver
from tests.rest.conftest import ASSET_VIEWS
from tests.serving import free_port, serve, stop


def _session(base: str) -> requests.Session:
    token = requests.post(f"{base}/v2/token", json={"grant_type": "client_credentials",
                                                    "client_id": "emulator-client",
                                                    "client_secret": "emulator-secret"}, timeout=10).json()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token['access_token']}"
    return session


def _log(base: str, count: int, patience: float = 15.0) -> list[dict]:
    deadline = time.monotonic() + patience
    while True:
        found = requests.get(f"{base}/_emulator/ens/deliveries", timeout=10).json()
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_pending_events_survive_a_restart_and_go_out_once(tmp_path):
    receiver = Receiver()
    db, port = tmp_path / "state.db", free_port()
    base = f"http://127.0.0.1:{port}"
    proc = serve(db, port)
    try:
        api = _session(base)
        [callback] = api.post(f"{base}/platform/v1/ens-callbacks",
                              json=[{"callbackName": "cb", "url": receiver.url}], timeout=10).json()
        assert api.post(f"{base}/platform/v1/ens-verify", json=receiver.wait_for(1)[0]["json"], timeout=10).ok
        assert api.post(f"{base}/platform/v1/ens-subscriptions", json=[{
            "callbackId": callback["callbackId"], "subscriptionName": "opens",
            "eventCategoryTypes": ["EngagementEvents.EmailOpen"]}], timeout=10).status_code == 201
        receiver.status = 500  # from now on the callback fails
        requests.post(f"{base}/_emulator/clock", json={"freeze": True}, timeout=10)
        assert api.post(f"{base}/asset/v1/content/assets", json={
            "name": "a", "customerKey": "order-email", "assetType": {"id": 208, "name": "htmlemail"},
            "views": ASSET_VIEWS}, timeout=10).status_code == 201
        assert api.post(f"{base}/messaging/v1/email/definitions", json={
            "definitionKey": "d", "name": "d", "content": {"customerKey": "order-email"},
            "subscriptions": {"list": "All Subscribers"}}, timeout=10).status_code == 201
        assert api.post(f"{base}/messaging/v1/email/messages/k-1", json={
            "definitionKey": "d", "recipient": {"contactKey": "c1", "to": "c1@example.com"}},
            timeout=10).status_code == 202
        [message] = requests.get(f"{base}/_emulator/outbox", params={"message_key": "k-1"}, timeout=10).json()
        for _ in range(2):
            assert requests.post(f"{base}/_emulator/outbox/{message['id']}/events", json={"type": "open"},
                                 timeout=10).status_code == 201
        [first] = _log(base, 1)
        assert first["outcome"] == "retrying" and first["status"] == 500
    finally:
        stop(proc)
    receiver.status = 200
    proc = serve(db, port)
    try:
        requests.post(f"{base}/_emulator/clock", json={"advance": 3600}, timeout=10)
        log = _log(base, 2)
        assert [row["outcome"] for row in reversed(log)] == ["retrying", "delivered"]
        requests.post(f"{base}/_emulator/clock", json={"advance": 3600}, timeout=10)
        batches = receiver.batches()
        # the failed attempt carried what was queued then; the delivery after the restart carries every
        # pending event, that one first, once each
        assert len(batches) == 2 and batches[1][:len(batches[0])] == batches[0]
        assert [e["eventCategoryType"] for e in batches[1]] == ["EngagementEvents.EmailOpen"] * 2
        assert len(_log(base, 3, patience=2.0)) == 2  # nothing left to send
    finally:
        stop(proc)
        receiver.close()
