"""State for the inspector tests, made through the real APIs: definitions by SOAP Create, a send by Perform
start, an import from the Import folder, a transactional message over REST (subscribers are written
straight into the audience tables to keep it short)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import requests

from emulator.store.audience import SubscriberRecord
from emulator.store.journal import JournalEntry
from tests.soap_helpers import NS, texts

EMAIL_NAME = 'Welcome <b>bold</b> & "co"'
# The script must never run: the preview is sandboxed (the browser test sees the heading unchanged).
EMAIL_HTML = ("<html><body><h1 id='greeting'>Hello %%FirstName%%</h1><p>Your address is %%emailaddr%%.</p>"
              "<script>document.getElementById('greeting').textContent = 'script ran';</script></body></html>")
PEOPLE = [("sub-1", "ada@example.com", "Ada"), ("sub-2", "grace@example.com", "Grace")]


@dataclass
class Seeded:
    mid: int
    email_id: int
    list_id: int
    job_id: int
    import_job_id: int
    message_ids: list[int]


def _new_id(resp) -> int:
    assert texts(resp, "p:Results/p:StatusCode") == ["OK"], texts(resp, "p:Results/p:StatusMessage")
    return int(texts(resp, "p:Results/p:NewID")[0])


def perform_start(soap, object_type: str, key: str, extra: str = "") -> int:
    """SOAP Perform start on the definition ``key`` (``extra`` XML inside its Definition); the job's ID."""
    performed = soap.call("Perform", '<PerformRequestMsg xmlns="http://exacttarget.com/wsdl/partnerAPI">'
                          "<Action>start</Action><Definitions>"
                          f'<Definition xsi:type="{object_type}"><CustomerKey>{key}</CustomerKey>{extra}'
                          "</Definition></Definitions></PerformRequestMsg>")
    return int(texts(performed, "p:Results/p:Result/p:Task/p:ID")[0])


def seed(mc, soap) -> Seeded:
    emu, mid = mc.emu, mc.parent_mid
    email_id = _new_id(soap.create(
        f'<Objects xsi:type="Email"><CustomerKey>welcome-email</CustomerKey><Name>{escape(EMAIL_NAME)}</Name>'
        f"<Subject>Welcome, %%FirstName%%</Subject><HTMLBody>{escape(EMAIL_HTML)}</HTMLBody>"
        "<TextBody>Hello %%FirstName%%</TextBody><CharacterSet>UTF-8</CharacterSet></Objects>"))
    list_id = _new_id(soap.create(
        '<Objects xsi:type="List"><CustomerKey>newsletter</CustomerKey><ListName>Newsletter</ListName></Objects>'))
    resp = soap.create(
        '<Objects xsi:type="EmailSendDefinition"><CustomerKey>welcome-send</CustomerKey><Name>Welcome send</Name>'
        "<SendClassification><CustomerKey>Default Commercial</CustomerKey></SendClassification>"
        f"<Email><ID>{email_id}</ID></Email>"
        f"<SendDefinitionList><List><ID>{list_id}</ID></List><DataSourceTypeID>List</DataSourceTypeID>"
        "</SendDefinitionList></Objects>"
        '<Objects xsi:type="TriggeredSendDefinition"><CustomerKey>welcome-tsd</CustomerKey>'
        "<Name>Welcome triggered</Name><TriggeredSendStatus>Active</TriggeredSendStatus>"
        f"<Email><ID>{email_id}</ID></Email></Objects>"
        '<Objects xsi:type="ImportDefinition"><CustomerKey>nightly-import</CustomerKey><Name>Nightly import</Name>'
        f'<DestinationObject xsi:type="List"><ID>{list_id}</ID></DestinationObject>'
        "<FieldMappingType>InferFromColumnHeadings</FieldMappingType><FileSpec>subscribers.csv</FileSpec>"
        "<FileType>CSV</FileType><UpdateType>AddAndUpdate</UpdateType></Objects>")
    assert texts(resp, "p:OverallStatus") == ["OK"], [r.findtext("p:StatusMessage", None, NS)
                                                      for r in resp.findall("p:Results", NS)]
    now = emu.clock.now().timestamp()
    emu.audience.put_subscribers(mid, [SubscriberRecord(key, addr, attributes={"FirstName": first})
                                       for key, addr, first in PEOPLE], now)
    emu.audience.set_memberships(mid, list_id, [(key, "Active") for key, _, _ in PEOPLE], now)

    # A REST transactional definition and one message, through the transactional API.
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {mc.token()}"
    asset = api.post(f"{mc.base_url}/asset/v1/content/assets", timeout=10, json={
        "name": "Receipt", "customerKey": "receipt-asset", "assetType": {"name": "htmlemail", "id": 208},
        "views": {"subjectline": {"content": "Your receipt"}, "html": {"content": "<p>Receipt</p>"},
                  "text": {"content": "Receipt"}}})
    assert asset.status_code == 201, asset.text
    definition = api.post(f"{mc.base_url}/messaging/v1/email/definitions", timeout=10, json={
        "definitionKey": "tx-receipt", "name": "Receipt <script>", "content": {"customerKey": "receipt-asset"},
        "subscriptions": {"list": "All Subscribers"}})
    assert definition.status_code == 201, definition.text
    sent = api.post(f"{mc.base_url}/messaging/v1/email/messages/msg-ada-1", timeout=10, json={
        "definitionKey": "tx-receipt", "recipient": {"contactKey": "sub-1", "to": "ada@example.com"}})
    assert sent.status_code == 202, sent.text

    # The send: Perform start on the definition, with seed 001's send-time sender override.
    job_id = perform_start(soap, "EmailSendDefinition", "welcome-send",
                           "<SenderProfile><FromName>Emulator</FromName><FromAddress>news@example.com</FromAddress>"
                           "</SenderProfile>")
    assert mc.wait_for_job(job_id)["status"] == "Complete"

    # The import: a file in the Import folder, then Perform start on the ImportDefinition.
    upload = requests.put(f"{mc.base_url}/_emulator/ftp/Import/subscribers.csv", timeout=10,
                          data="Email Address,Subscriber Key,FirstName\nada@example.com,sub-1,Ada\n"
                               "grace@example.com,sub-2,Grace\nnot-an-address,sub-3,Nobody\n")
    assert upload.status_code in (200, 201), upload.text
    import_job_id = perform_start(soap, "ImportDefinition", "nightly-import")
    assert mc.wait_for_job(import_job_id)["status"] == "Completed"
    emu.journal.add(JournalEntry(ts=now, method="POST", path="/Service.asmx", status=200, ms=3.5, mid=mid,
                                 action="Create", object_type="Email",
                                 request="<Objects><Name>&lt;script&gt;</Name></Objects>",
                                 response="<script>alert(1)</script>"))
    rows, _ = emu.outbox.query(mid=mid, job_id=job_id)
    return Seeded(mid, email_id, list_id, job_id, import_job_id, [r["id"] for r in rows])
