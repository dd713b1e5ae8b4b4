"""State for the inspector tests, written the way the capabilities write it: definitions through SOAP
Creates, subscribers through the audience repository, and a send as a job that fills the outbox."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

from emulator.domain.render import render
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
        "<FileSpec>subscribers.csv</FileSpec><UpdateType>AddAndUpdate</UpdateType></Objects>")
    assert texts(resp, "p:OverallStatus") == ["OK"], [r.findtext("p:StatusMessage", None, NS)
                                                      for r in resp.findall("p:Results", NS)]
    now = emu.clock.now().timestamp()
    emu.audience.put_subscribers(mid, [SubscriberRecord(key, addr, attributes={"FirstName": first})
                                       for key, addr, first in PEOPLE], now)
    emu.audience.set_memberships(mid, list_id, [(key, "Active") for key, _, _ in PEOPLE], now)
    with emu.store.transaction():  # a REST transactional definition, as the transactional API stores it
        emu.store.db["rest_object"].insert({
            "mid": mid, "kind": "transactional_definition", "key": "tx-receipt", "created": now, "modified": now,
            "data": json.dumps({"definitionKey": "tx-receipt", "name": "Receipt <script>", "status": "Active",
                                "content": {"customerKey": "welcome-email"}})})
        emu.store.db["tx_message"].insert({
            "mid": mid, "message_key": "msg-ada-1", "definition_key": "tx-receipt", "request_id": "req-1",
            "contact_key": "sub-1", "to_addr": "ada@example.com", "status": "Sent", "status_code": 0,
            "status_message": "Sent", "payload": "{}", "created": now, "updated": now})
    emu.outbox.add_many([{  # the transactional message's rendered copy: no job, keyed by messageKey
        "mid": mid, "job_id": None, "message_key": "msg-ada-1", "definition_key": "tx-receipt",
        "subscriber_key": "sub-1", "to_addr": "ada@example.com", "from_name": "Emulator",
        "from_addr": "shop@example.com", "subject": "Your receipt", "html": "<p>Receipt</p>", "text": "Receipt",
        "source": {}, "created": now}])

    def send(job_id: int) -> None:
        # What a send does: render each subscriber's message into the outbox, then report its counts.
        emu.jobs.update(job_id, status="Sending", total=len(PEOPLE))
        rows = []
        for key, addr, first in PEOPLE:
            values = {"FirstName": first, "emailaddr": addr, "SubscriberKey": key}
            rows.append({"mid": mid, "job_id": job_id, "message_key": None, "definition_key": "welcome-send",
                         "subscriber_key": key, "to_addr": addr, "from_name": "Emulator",
                         "from_addr": "news@example.com", "subject": render("Welcome, %%FirstName%%", values),
                         "html": render(EMAIL_HTML, values), "text": render("Hello %%FirstName%%", values),
                         "source": {"email_id": email_id, "list_id": list_id}, "created": now})
        emu.outbox.add_many(rows)
        emu.jobs.update(job_id, status="Complete", processed=len(rows), NumberSent=len(rows))

    job_id = emu.jobs.submit(mid, "send", send, detail={"definition_key": "welcome-send"})
    assert mc.wait_for_job(job_id)["status"] == "Complete"

    def run_import(job_id: int) -> None:
        emu.jobs.update(job_id, status="Completed", ImportDefinitionCustomerKey="nightly-import", TotalRows=3,
                        NumberSuccessful=2, NumberErrors=1, errors=["row 3: invalid email address"])

    import_job_id = emu.jobs.submit(mid, "import", run_import,
                                    detail={"ImportDefinitionCustomerKey": "nightly-import"})
    mc.wait_for_job(import_job_id)
    emu.journal.add(JournalEntry(ts=now, method="POST", path="/Service.asmx", status=200, ms=3.5, mid=mid,
                                 action="Create", object_type="Email",
                                 request="<Objects><Name>&lt;script&gt;</Name></Objects>",
                                 response="<script>alert(1)</script>"))
    rows, _ = emu.outbox.query(mid=mid, job_id=job_id)
    return Seeded(mid, email_id, list_id, job_id, import_job_id, [r["id"] for r in rows])
