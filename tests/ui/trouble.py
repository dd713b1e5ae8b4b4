"""A second send with trouble in it, on top of tests/ui/seed.py: a bounce, a held (excluded) recipient and a
duplicate address; and a transactional message whose HTML has tracked links, a remote image and things
that break in mail clients."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from emulator.store.audience import SubscriberRecord
from tests.soap_helpers import texts
from tests.ui.seed import Seeded, _new_id, perform_start

TROUBLE = [("sub-b", "bounce@example.com", "Bo"), ("sub-h", "held@example.com", "Hal"),
           ("sub-d", "ada@example.com", "Dup"), ("sub-1", "ada@example.com", "Ada")]
LINKS_HTML = ('<p>Hi %%FirstName%% <a href="https://example.com/sale">Big sale</a> '
              '<a href="javascript:alert(1)">Run</a> <a href="">Empty</a> <a href="https://x.test/%%Nope%%">Mine</a>'
              '<img src="https://img.example.com/logo.png"> <form action="/go"></form></p>'
              '<p title="&lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;">%%Unset%%</p>')


@dataclass
class Trouble:
    job_id: int
    list_id: int
    link_message_id: int


def add_trouble(mc, soap, seeded: Seeded) -> Trouble:
    emu, mid = mc.emu, seeded.mid
    list_id = _new_id(soap.create(
        '<Objects xsi:type="List"><CustomerKey>trouble</CustomerKey><ListName>Trouble</ListName></Objects>'))
    now = emu.clock.now().timestamp()
    emu.audience.put_subscribers(mid, [SubscriberRecord(k, a, attributes={"FirstName": f})
                                       for k, a, f in TROUBLE[:3]], now)
    emu.audience.set_memberships(mid, list_id, [(k, "Active") for k, _, _ in TROUBLE], now)
    assert texts(soap.create(
        '<Objects xsi:type="EmailSendDefinition"><CustomerKey>trouble-send</CustomerKey><Name>Trouble send</Name>'
        "<SendClassification><CustomerKey>Default Commercial</CustomerKey></SendClassification>"
        f"<Email><ID>{seeded.email_id}</ID></Email>"
        f"<SendDefinitionList><List><ID>{list_id}</ID></List><DataSourceTypeID>List</DataSourceTypeID>"
        "</SendDefinitionList></Objects>"), "p:OverallStatus") == ["OK"]
    job_id = perform_start(soap, "EmailSendDefinition", "trouble-send")
    assert mc.wait_for_job(job_id)["status"] == "Complete"

    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {mc.token()}"
    assert api.post(f"{mc.base_url}/asset/v1/content/assets", timeout=10, json={
        "name": "Links", "customerKey": "links-asset", "assetType": {"name": "htmlemail", "id": 208},
        "views": {"subjectline": {"content": "Links for %%FirstName%%"}, "html": {"content": LINKS_HTML},
                  "text": {"content": "Links"}}}).status_code == 201
    assert api.post(f"{mc.base_url}/messaging/v1/email/definitions", timeout=10, json={
        "definitionKey": "tx-links", "name": "Links", "content": {"customerKey": "links-asset"},
        "subscriptions": {"list": "All Subscribers"}}).status_code == 201
    assert api.post(f"{mc.base_url}/messaging/v1/email/messages/msg-links-1", timeout=10, json={
        "definitionKey": "tx-links", "recipient": {"contactKey": "sub-2", "to": "grace@example.com",
                                                   "attributes": {"FirstName": "Grace"}}}).status_code == 202
    rows, _ = emu.outbox.query(mid=mid, message_key="msg-links-1")
    return Trouble(job_id=job_id, list_id=list_id, link_message_id=rows[0]["id"])
