"""Engagement end to end: a SOAP list send's tracked link, open pixel and unsubscribe link, and the admin
call, seen by zeep and FuelSDK's tracking objects; Send counts from the events; an unsubscribe keeps the
next send from the recipient."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import FuelSDK
import pytest
import requests

P = "{http://exacttarget.com/wsdl/partnerAPI}"
HTML = ('<html><body><p>Hi %%FirstName%%</p><a href="https://example.com/offer" alias="Offer">See it</a>'
        '<a href="https://example.com/more">More</a><a href="%%unsub_center_url%%">Unsubscribe</a></body></html>')


def T(client, name: str, **values):
    return client.get_type(P + name)(**values)


def send(mc, zclient, email_id: int, list_id: int) -> int:
    reply = zclient.service.Create(Options={}, Objects=[T(zclient, "Send", Email={"ID": email_id},
                                                          List=[{"ID": list_id}])])
    assert reply.OverallStatus == "OK", reply
    job_id = int(reply.Results[0].NewID)
    assert mc.wait_for_job(job_id)["status"] == "Complete"
    return job_id


def retrieve(zclient, object_type: str, properties: list[str], job_id: int):
    reply = zclient.service.Retrieve(RetrieveRequest={
        "ObjectType": object_type, "Properties": properties,
        "Filter": T(zclient, "SimpleFilterPart", Property="SendID", SimpleOperator="equals", Value=[str(job_id)])})
    assert reply.OverallStatus == "OK", reply
    return reply.Results


def links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]+)"', html)


@pytest.fixture
def sent(mc, world, zeep_client):
    email_id = world.email("eng-news", subject="News for %%FirstName%%", html=HTML)
    list_id = world.list("eng-list", [("e1", "e1@example.com", {"FirstName": "Eve"}),
                                      ("e2", "e2@example.com", {"FirstName": "Eli"})])
    job_id = send(mc, zeep_client, email_id, list_id)
    messages = {m["subscriber_key"]: m for m in mc.outbox(job_id=job_id)}
    return {"email": email_id, "list": list_id, "job": job_id, "messages": messages}


def test_soap_send_messages_carry_tracked_links_a_pixel_and_an_unsubscribe_link(mc, sent):
    html = sent["messages"]["e1"]["html"]
    found = links(html)
    clicks = [u for u in found if "/_emulator/click?" in u]
    assert len(clicks) == 2 and parse_qs(urlsplit(clicks[0]).query)["url"] == ["https://example.com/offer"]
    assert any(re.search(r"/_emulator/open/m\d+\.gif$", u) for u in found)
    assert any(re.search(r"/_emulator/unsub/m\d+$", u) for u in found)
    assert html.index("/_emulator/open/") < html.index("</body>")


def test_click_pixel_unsubscribe_and_admin_events_are_retrieved_by_zeep(mc, sent, zeep_client):
    e1, e2 = sent["messages"]["e1"], sent["messages"]["e2"]
    click, pixel, unsub = (next(u for u in links(e1["html"]) if part in u)
                           for part in ("/_emulator/click?", "/_emulator/open/", "/_emulator/unsub/"))
    followed = requests.get(click.replace("&amp;", "&"), allow_redirects=False, timeout=10)
    assert followed.status_code == 302 and followed.headers["Location"] == "https://example.com/offer"
    image = requests.get(pixel, timeout=10)
    assert image.headers["Content-Type"] == "image/gif" and image.content.startswith(b"GIF89a")
    assert requests.get(unsub, timeout=10).status_code == 200
    for body in ({"type": "open"}, {"type": "open"}, {"type": "click", "url": "https://example.com/more"}):
        answer = mc.http.post(f"{mc.base_url}/_emulator/outbox/{e2['id']}/events", json=body, timeout=10)
        assert answer.status_code == 201, answer.text
    job = sent["job"]
    opens = retrieve(zeep_client, "OpenEvent", ["SendID", "SubscriberKey", "EventType", "EventDate"], job)
    assert sorted((o.SubscriberKey, o.EventType) for o in opens) == [("e1", "Open"), ("e2", "Open"), ("e2", "Open")]
    by_key = zeep_client.service.Retrieve(RetrieveRequest={
        "ObjectType": "OpenEvent", "Properties": ["SubscriberKey", "EventDate"],
        "Filter": T(zeep_client, "SimpleFilterPart", Property="SubscriberKey", SimpleOperator="equals",
                    Value=["E2"])})  # case-insensitive, as SFMC's collation
    assert [o.SubscriberKey for o in by_key.Results] == ["e2", "e2"]
    clicks = retrieve(zeep_client, "ClickEvent", ["SendID", "SubscriberKey", "URL", "URLID"], job)
    assert sorted((c.SubscriberKey, c.URL) for c in clicks) == [("e1", "https://example.com/offer"),
                                                              ("e2", "https://example.com/more")]
    assert all(isinstance(c.URLID, int) and c.URLID > 0 for c in clicks)
    [unsubscribed] = retrieve(zeep_client, "UnsubEvent", ["SendID", "SubscriberKey", "List", "IsMasterUnsubscribed"],
                              job)
    assert (unsubscribed.SubscriberKey, unsubscribed.List.ID, unsubscribed.IsMasterUnsubscribed) == (
        "e1", sent["list"], False)
    reply = zeep_client.service.Retrieve(RetrieveRequest={
        "ObjectType": "Send", "Properties": ["ID", "UniqueOpens", "UniqueClicks", "Unsubscribes", "NumberSent"],
        "Filter": T(zeep_client, "SimpleFilterPart", Property="ID", SimpleOperator="equals", Value=[str(job)])})
    [row] = reply.Results
    assert (row.NumberSent, row.UniqueOpens, row.UniqueClicks, row.Unsubscribes) == (2, 2, 2, 1)


def test_fuelsdk_tracking_objects_see_the_events(mc, sent, fuel):
    e1 = sent["messages"]["e1"]
    for kind in ("open", "click", "bounce"):
        body = {"type": kind, **({"url": "https://example.com/offer"} if kind == "click" else {})}
        assert mc.http.post(f"{mc.base_url}/_emulator/outbox/{e1['id']}/events", json=body, timeout=10).ok
    requests.get(next(u for u in links(e1["html"]) if "/_emulator/unsub/" in u), timeout=10)
    by_send = {"Property": "SendID", "SimpleOperator": "equals", "Value": str(sent["job"])}
    for cls, props, expected in ((FuelSDK.ET_OpenEvent, ["SubscriberKey", "EventType"], "Open"),
                                 (FuelSDK.ET_ClickEvent, ["SubscriberKey", "EventType", "URL"], "Click"),
                                 (FuelSDK.ET_BounceEvent, ["SubscriberKey", "EventType", "SMTPCode"], "HardBounce"),
                                 (FuelSDK.ET_UnsubEvent, ["SubscriberKey", "EventType"], "Unsubscribe")):
        getter = cls()
        getter.auth_stub, getter.props, getter.search_filter = fuel, props, by_send
        response = getter.get()
        assert response.status, (cls.__name__, response.message)
        assert [(r.SubscriberKey, r.EventType) for r in response.results] == [("e1", expected)], cls.__name__


def test_an_unsubscribe_keeps_the_next_send_from_the_recipient(mc, sent, zeep_client):
    unsub = next(u for u in links(sent["messages"]["e1"]["html"]) if "/_emulator/unsub/" in u)
    assert requests.get(unsub, timeout=10).ok
    assert mc.emu.audience.membership(mc.parent_mid, sent["list"], "e1") == "Unsubscribed"
    again = send(mc, zeep_client, sent["email"], sent["list"])
    assert [m["subscriber_key"] for m in mc.outbox(job_id=again)] == ["e2"]
    assert mc.wait_for_job(again)["detail"]["NumberExcluded"] == 1


def test_unsubscribe_from_all_master_unsubscribes(mc, sent, zeep_client):
    e2 = sent["messages"]["e2"]
    answer = mc.http.post(f"{mc.base_url}/_emulator/outbox/{e2['id']}/events",
                          json={"type": "unsubscribe", "all": True}, timeout=10)
    assert answer.status_code == 201 and answer.json()["detail"]["IsMasterUnsubscribed"] is True
    assert mc.emu.audience.get_subscriber(mc.parent_mid, "e2").status == "Unsubscribed"
    again = send(mc, zeep_client, sent["email"], sent["list"])
    assert [m["subscriber_key"] for m in mc.outbox(job_id=again)] == ["e1"]


@pytest.mark.parametrize("body", [{}, {"type": "wink"}, {"type": "click"}, {"type": "open", "at": "yesterday"},
                                  {"type": "open", "extra": 1}, {"type": "click", "url": "javascript:alert(1)"}])
def test_bad_event_bodies_are_refused(mc, sent, body):
    e1 = sent["messages"]["e1"]
    answer = mc.http.post(f"{mc.base_url}/_emulator/outbox/{e1['id']}/events", json=body, timeout=10)
    assert answer.status_code == 400, answer.text
    assert mc.http.get(f"{mc.base_url}/_emulator/outbox/{e1['id']}/events", timeout=10).json()[0]["type"] == "Sent"
    assert len(mc.http.get(f"{mc.base_url}/_emulator/outbox/{e1['id']}/events", timeout=10).json()) == 1


def test_events_for_a_message_that_is_not_there_are_404(mc):
    answer = mc.http.post(f"{mc.base_url}/_emulator/outbox/999999/events", json={"type": "open"}, timeout=10)
    assert answer.status_code == 404
