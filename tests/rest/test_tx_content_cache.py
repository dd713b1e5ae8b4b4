"""A definition's content and sender are looked up once and kept between sends (domain/transactional/
sending.py): every change to what they are made of is seen by the next send, whichever way it is made (the
asset, a content block it includes, the definition's content key, the sender profile), and a reset too."""

from __future__ import annotations

from emulator.domain.delivery import DEFAULT_PROFILE

from .conftest import Api

ASSETS = "/asset/v1/content/assets"


def _subject(mc, key: str) -> str:
    return mc.outbox(message_key=key)[0]["subject"]


def test_a_changed_asset_or_included_block_is_sent_at_once(ready: Api, mc):
    ready.send("c-1", attributes={"OrderNo": "1", "FirstName": "Ada"})
    assert _subject(mc, "c-1") == "Order 1 for Ada"
    asset = ready.get(f"{ASSETS}?$filter=customerKey%20eq%20'order-email'").json()["items"][0]
    block = ready.post(ASSETS, json={"name": "Sign", "customerKey": "sign", "assetType": {"id": 197},
                                     "content": "v1"}).json()
    changed = ready.patch(f"{ASSETS}/{asset['id']}", json={"views": {
        "subjectline": {"content": 'Now %%OrderNo%% %%=ContentBlockByKey("sign")=%%'}}})
    assert changed.status_code == 200, changed.text
    ready.send("c-2", attributes={"OrderNo": "2"})
    assert _subject(mc, "c-2") == "Now 2 v1"
    assert ready.patch(f"{ASSETS}/{block['id']}", json={"content": "v2"}).status_code == 200
    ready.send("c-3", attributes={"OrderNo": "3"})
    assert _subject(mc, "c-3") == "Now 3 v2"


def test_a_definition_pointed_at_other_content_sends_it(ready: Api, mc):
    ready.send("p-1", attributes={"OrderNo": "1", "FirstName": "Ada"})
    ready.asset("other", views={"subjectline": {"content": "Other %%OrderNo%%"}, "html": {"content": "<p>o</p>"}})
    assert ready.patch("/messaging/v1/email/definitions/order-conf",
                       json={"content": {"customerKey": "other"}}).status_code == 200
    ready.send("p-2", attributes={"OrderNo": "2"})
    assert _subject(mc, "p-2") == "Other 2"


def test_a_changed_sender_profile_and_a_reset_are_seen(ready: Api, mc):
    ready.send("s-1")
    assert mc.outbox(message_key="s-1")[0]["from_address"] == "sender@emulator.example"
    emu = mc.emu
    profile = emu.objects.find_one(emu.enterprise_mid, "SenderProfile", "CustomerKey", DEFAULT_PROFILE)
    profile.data["FromAddress"] = "changed@emulator.example"
    emu.objects.replace(profile, 0)
    ready.send("s-2")
    assert mc.outbox(message_key="s-2")[0]["from_address"] == "changed@emulator.example"
    mc.reset()
    ready.refresh()
    ready.asset(views={"subjectline": {"content": "After reset"}, "html": {"content": "<p>r</p>"}})
    ready.definition()
    ready.send("s-3")
    [message] = mc.outbox(message_key="s-3")
    assert message["subject"] == "After reset" and message["from_address"] == "sender@emulator.example"
