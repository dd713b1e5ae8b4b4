"""What one transactional email send asks of the store (domain/transactional/messages.py, sending.py): the
message row is written once, in its final state (never inserted Queued and then updated), the whole send is
one transaction, and a definition's content and sender are looked up on its first send only."""

from __future__ import annotations

import pytest

from emulator.app import create_app
from emulator.config import Config
from tests.sql_trace import statements

VIEWS = {"subjectline": {"content": "Hi %%FirstName%%"}, "html": {"content": "<p>%%FirstName%%</p>"}}


@pytest.fixture
def client():
    app = create_app(config=Config(port=0))
    emu = app.config["EMULATOR"]
    test = app.test_client()
    token = test.post("/v2/token", json={"grant_type": "client_credentials", "client_id": "emulator-client",
                                         "client_secret": "emulator-secret"}).json["access_token"]
    test.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    assert test.post("/asset/v1/content/assets", json={"name": "e", "customerKey": "e", "views": VIEWS,
                                                       "assetType": {"id": 208, "name": "htmlemail"}}).status_code == 201
    for key, status in (("active", "Active"), ("held", "Inactive")):
        assert test.post("/messaging/v1/email/definitions", json={
            "definitionKey": key, "name": key, "content": {"customerKey": "e"}, "status": status,
            "subscriptions": {"list": "All Subscribers"}}).status_code == 201
    yield test, emu
    emu.close()


def _statements(emu, call) -> list[str]:
    with statements(emu.store.conn) as seen:
        call()
    return seen


def _send(test, key: str, definition: str = "active", to: str = "a@example.com"):
    response = test.post(f"/messaging/v1/email/messages/{key}", json={
        "definitionKey": definition, "recipient": {"contactKey": f"c-{key}", "to": to}})
    assert response.status_code == 202, response.json


@pytest.mark.parametrize("definition, to, status", [
    ("active", "a@example.com", "Sent"), ("active", "not-an-address", "NotSent"), ("held", "a@example.com", "Queued")])
def test_the_message_row_is_written_once_in_its_final_state(client, definition: str, to: str, status: str):
    test, emu = client
    sql = _statements(emu, lambda: _send(test, "m-1", definition, to))
    assert [s for s in sql if "tx_message" in s and not s.startswith("SELECT")] == [
        next(s for s in sql if s.startswith("INSERT INTO tx_message"))]
    assert f"'{status}'" in next(s for s in sql if s.startswith("INSERT INTO tx_message"))
    assert [s for s in sql if s in ("BEGIN IMMEDIATE", "COMMIT")] == ["BEGIN IMMEDIATE", "COMMIT"]
    assert test.get("/messaging/v1/email/messages/m-1").json["eventCategoryType"].endswith(status)


def test_content_and_sender_are_looked_up_on_the_first_send_only(client):
    test, emu = client

    def lookups(key: str) -> list[str]:
        return [s for s in _statements(emu, lambda: _send(test, key))
                if "kind='asset'" in s or any(f"'{t}'" in s for t in ("Email", "SendClassification", "SenderProfile"))]

    assert len(lookups("first")) >= 3
    assert lookups("second") == []
