"""The outbox contract of issue 6, over HTTP: item fields and their JSON types, the filters, paging, `.eml`."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import requests

from tests.sends.test_email_send_definition import esd_xml, list_entry, start
from tests.soap_helpers import PARTNER, texts


def outbox(mc, **params) -> dict:
    response = requests.get(f"{mc.base_url}/_emulator/outbox", params=params, timeout=10)
    assert response.status_code == 200
    items = response.json()
    assert isinstance(items, list)  # issue 6: "returns a JSON list"
    return {"count": int(response.headers["X-Total-Count"]), "items": items}


def test_outbox_items_filters_paging_and_eml(mc, world, soap):
    email_id = world.email()
    list_id = world.list("contract", [(f"k{i}", f"k{i}@example.com", {"FirstName": name})
                                      for i, name in enumerate(["Ann", "Bob", "Cy"])])
    world.create(esd_xml("contract", email_id, list_entry(list_id)))
    job_id = int(texts(start(soap, "contract"), "p:Results/p:Result/p:Task/p:ID")[0])
    assert mc.wait_for_job(job_id)["status"] == "Complete"

    everything = outbox(mc, job_id=job_id)
    assert everything["count"] == 3 and len(everything["items"]) == 3
    ids = [item["id"] for item in everything["items"]]
    assert ids == sorted(ids)  # oldest first, as emulator.testing documents
    for item in everything["items"]:
        assert isinstance(item["to"], str) and "@" in item["to"]
        assert isinstance(item["job_id"], int) and not isinstance(item["job_id"], bool)
        assert item["job_id"] == job_id
        assert item["message_key"] is None  # a SOAP send has no message key
        assert all(isinstance(item[k], str) for k in ("subject", "html", "text", "created", "subscriber_key"))
        assert item["mid"] == mc.parent_mid
        assert item["source"]["email_id"] == email_id
    assert [i["to"] for i in outbox(mc, job_id=job_id, to="K1@EXAMPLE.COM")["items"]] == ["k1@example.com"]
    assert [i["subject"] for i in outbox(mc, job_id=job_id, subject="Bo")["items"]] == ["Hello Bob"]
    assert outbox(mc, job_id=job_id + 1000)["items"] == []
    first, rest = outbox(mc, job_id=job_id, limit=1), outbox(mc, job_id=job_id, limit=5, offset=1)
    assert first["count"] == rest["count"] == 3  # count is the total, not the page
    assert len(first["items"]) == 1 and len(rest["items"]) == 2
    assert {i["id"] for i in first["items"] + rest["items"]} == {i["id"] for i in everything["items"]}

    bob = outbox(mc, job_id=job_id, subject="Bob")["items"][0]
    raw = requests.get(f"{mc.base_url}/_emulator/outbox/{bob['id']}.eml", timeout=10)
    assert raw.status_code == 200 and raw.headers["Content-Type"].startswith("message/rfc822")
    message = BytesParser(policy=policy.default).parsebytes(raw.content)
    assert (message["To"], message["Subject"]) == ("k1@example.com", "Hello Bob")
    assert message["From"].addresses[0].addr_spec == bob["from_address"]
    assert message["X-SFMC-Job-ID"] == str(job_id)
    assert message.get_body(("html",)).get_content().strip() == bob["html"]
    missing = requests.get(f"{mc.base_url}/_emulator/outbox/999999.eml", timeout=10)
    assert missing.status_code == 404 and missing.json()["errorcode"] == 30003


def test_start_fails_when_the_email_or_data_extension_is_gone(mc, world, soap):
    email_id = world.email()
    list_id = world.list("l", [("a", "a@example.com", {})])
    world.create(esd_xml("email-gone", email_id, list_entry(list_id)))
    de_id = world.data_extension("gone-de", [{"SubscriberKey": "d", "EmailAddress": "d@example.com"}])
    world.create(esd_xml("de-gone", email_id, f"<SendDefinitionList><CustomObjectID>{de_id}</CustomObjectID>"
                                              "<DataSourceTypeID>CustomObject</DataSourceTypeID></SendDefinitionList>"))
    for type_name, identity, key, code in (("DataExtension", "<CustomerKey>gone-de</CustomerKey>", "de-gone", "42008"),
                                           ("Email", f"<ID>{email_id}</ID>", "email-gone", "42004")):
        deleted = soap.call("Delete", f'<DeleteRequest xmlns="{PARTNER}"><Objects xsi:type="{type_name}">{identity}'
                                      "</Objects></DeleteRequest>")
        assert texts(deleted, "p:OverallStatus") == ["OK"]
        resp = start(soap, key)  # an Error result, not a fault
        assert texts(resp, "p:OverallStatus") == ["Error"]
        assert texts(resp, "p:Results/p:Result/p:StatusCode") == ["Error"]
        assert texts(resp, "p:Results/p:Result/p:ErrorCode") == [code]
    assert str(email_id) in texts(resp, "p:Results/p:Result/p:StatusMessage")[0]
    assert mc.outbox() == []
