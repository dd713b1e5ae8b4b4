"""Content Builder email assets, and the classic triggered send over REST (messageDefinitionSends)."""

from __future__ import annotations

import requests

from tests.rest.conftest import Api, assert_error

ASSETS = "/asset/v1/content/assets"


def test_asset_create_read_patch_delete(api: Api):
    created = api.asset("welcome")
    assert isinstance(created["id"], int) and created["customerKey"] == "welcome"
    assert created["assetType"] == {"id": 208, "name": "htmlemail", "displayName": "HTML Email"}
    assert created["views"]["subjectline"]["content"].startswith("Order")
    got = api.get(f"{ASSETS}/{created['id']}")
    assert got.status_code == 200 and got.json() == created
    patched = api.patch(f"{ASSETS}/{created['id']}", json={"views": {"subjectline": {"content": "New"}}})
    assert patched.status_code == 200
    views = patched.json()["views"]
    assert views["subjectline"] == {"content": "New"} and "html" in views  # other views kept
    assert api.delete(f"{ASSETS}/{created['id']}").status_code == 200
    assert_error(api.get(f"{ASSETS}/{created['id']}"), 404, 30003)
    assert_error(api.delete(f"{ASSETS}/{created['id']}"), 404, 30003)


def test_asset_errors(api: Api, mc):
    assert_error(api.post(ASSETS, json={"assetType": {"id": 208}}), 400, 10002, "name")
    assert_error(api.post(ASSETS, json={"name": "x"}), 400, 10002, "assetType")
    assert_error(api.post(ASSETS, json={"name": "x", "assetType": {"id": 28}}), 400, 10005, "28")
    assert_error(api.post(ASSETS, json={"name": "x", "assetType": {"name": "htmlemail"}, "views": []}), 400,
                 10001, "views")
    api.asset("dup")
    assert_error(api.post(ASSETS, json={"name": "y", "customerKey": "dup", "assetType": {"id": 208}}), 400,
                 10005, "dup")
    assert_error(requests.post(mc.base_url + ASSETS, json={}, timeout=10), 401, 0)
    assert_error(Api(mc, scope="email_read").post(ASSETS, json={"name": "z", "assetType": {"id": 208}}), 403,
                 20001, "saved_content_write")


def test_an_asset_edit_shows_in_the_next_send(ready: Api, mc):
    asset_id = ready.get(f"{ASSETS}/10001").json()["id"]
    ready.patch(f"{ASSETS}/{asset_id}", json={"views": {"subjectline": {"content": "Changed %%FirstName%%"}}})
    ready.send("m-1", attributes={"FirstName": "Z"})
    assert mc.outbox(message_key="m-1")[0]["subject"] == "Changed Z"
    ready.delete(f"{ASSETS}/{asset_id}")
    ready.send("m-2")
    info = ready.get("/messaging/v1/email/messages/m-2").json()["info"]
    assert (info["statusCode"], info["statusMessage"]) == (26, "BuildEmailError")


# -- messageDefinitionSends ---------------------------------------------------------------------------------

def _tsd(mc, key: str = "welcome-tsd", status: str = "Active") -> dict:
    mid, service = mc.parent_mid, mc.emu.object_service
    email = service.store_new(mid, "Email", {"CustomerKey": "welcome-email", "Name": "Welcome",
                                             "Subject": "Welcome %%FirstName%% from %%City%%",
                                             "HTMLBody": "<p>Hello %%FirstName%%</p>", "TextBody": "Hello"})
    return service.store_new(mid, "TriggeredSendDefinition", {
        "CustomerKey": key, "Name": key, "TriggeredSendStatus": status,
        "Email": {"__type__": "Email", "ID": email["ID"]},
        "SendClassification": {"__type__": "SendClassification", "CustomerKey": "Default Transactional"}})


BODY = {"From": {"Address": "code@example.com", "Name": "Code@"},
        "To": {"Address": "ada@example.com", "SubscriberKey": "ada",
               "ContactAttributes": {"SubscriberAttributes": {"FirstName": "Ada", "City": "Indianapolis"}}},
        "Options": {"RequestType": "ASYNC"}}


def test_message_definition_send_by_key_lands_in_the_outbox(api: Api, mc):
    tsd = _tsd(mc)
    response = api.post("/messaging/v1/messageDefinitionSends/key:welcome-tsd/send", json=BODY)
    assert response.status_code == 202
    got = response.json()
    [item] = got["responses"]
    assert item["hasErrors"] is False and item["messages"] == ["Queued"]
    [message] = mc.outbox()
    assert message["message_key"] == item["recipientSendId"] and message["job_id"] is None
    assert message["to"] == "ada@example.com" and message["subscriber_key"] == "ada"
    assert message["subject"] == "Welcome Ada from Indianapolis" and message["html"] == "<p>Hello Ada</p>"
    assert (message["from_name"], message["from_address"]) == ("Code@", "code@example.com")
    assert message["definition_key"] == "welcome-tsd"
    # by ObjectID too, and without From the classification's sender profile is used
    by_id = api.post(f"/messaging/v1/messageDefinitionSends/{tsd['ObjectID']}/send",
                     json={"To": BODY["To"]})
    assert by_id.status_code == 202 and not by_id.json()["responses"][0]["hasErrors"]
    assert mc.outbox()[1]["from_address"] == "sender@emulator.example"
    prefixed = api.post(f"/messaging/v1/messageDefinitionSends/id:{tsd['ObjectID']}/send", json={"To": BODY["To"]})
    assert prefixed.status_code == 202 and not prefixed.json()["responses"][0]["hasErrors"]
    assert len(mc.outbox()) == 3


def test_message_definition_send_errors(api: Api, mc):
    _tsd(mc, status="Inactive")
    assert_error(api.post("/messaging/v1/messageDefinitionSends/key:nope/send", json=BODY), 404, 30003, "nope")
    inactive = api.post("/messaging/v1/messageDefinitionSends/key:welcome-tsd/send", json=BODY)
    assert inactive.status_code == 202
    item = inactive.json()["responses"][0]
    assert item["hasErrors"] is True and item["messageErrors"][0]["messageErrorCode"] == 180008
    no_to = api.post("/messaging/v1/messageDefinitionSends/key:welcome-tsd/send", json={"To": {"SubscriberKey": "a"}})
    assert no_to.status_code == 202
    # the documented error body is the bare item, without requestId/responses
    assert no_to.json() == {"recipientSendId": "", "hasErrors": True, "messages": ["InvalidOrMissingToAddress"]}
    assert mc.outbox() == []
    assert_error(requests.post(f"{mc.base_url}/messaging/v1/messageDefinitionSends/key:welcome-tsd/send", json=BODY,
                               timeout=10), 401, 0)
