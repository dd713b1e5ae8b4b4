"""ListSend and LinkSend: a send's counts per list and per tracked link, over raw SOAP (WSDL-validated)."""

from __future__ import annotations

from urllib.parse import quote

from tests.sends.test_email_send_definition import esd_xml, list_entry, start
from tests.sends.test_send_audience import task_id
from tests.soap_helpers import NS, PARTNER, simple_filter, texts

LIST_PROPS = ["SendID", "List.ID", "NumberSent", "NumberDelivered", "HardBounces", "SoftBounces", "Duplicates",
              "ExistingUnsubscribes", "ExistingUndeliverables", "UniqueOpens", "UniqueClicks", "Unsubscribes"]
HTML = ('<p>Hi %%FirstName%% <a href="https://example.com/a" alias="Shop">shop</a> '
        "<a href='https://example.com/b'>b</a> <a href=\"https://example.com/a\">again</a> "
        '<a href="mailto:x@example.com">mail</a></p>')


def _list_sends(soap, filter_xml: str) -> list[dict[str, str]]:
    resp = soap.retrieve("ListSend", LIST_PROPS, filter_xml)
    assert texts(resp, "p:OverallStatus") == ["OK"]
    out = []
    for r in resp.findall("p:Results", NS):
        row = {p: r.findtext("p:" + p.replace(".", "/p:"), namespaces=NS) for p in LIST_PROPS}
        out.append(row)
    return out


def test_list_send_per_list_and_link_send_per_tracked_link(mc, world, soap):
    email_id = world.email(html=HTML)
    a = world.list("a", [("k1", "k1@example.com", {}), ("k2", "bounce@example.com", {}),
                         ("k3", "k3@example.com", {})], statuses={"k3": "Unsubscribed"})
    b = world.list("b", [("k4", "k4@example.com", {})])
    empty = world.list("empty")
    world.create(esd_xml("stats", email_id, list_entry(a) + list_entry(b) + list_entry(empty)))
    job = mc.wait_for_job(task_id(start(soap, "stats")))
    assert job["status"] == "Complete"
    send_id = str(job["id"])
    rows = {r["List.ID"]: r for r in _list_sends(soap, simple_filter("SendID", "equals", send_id))}
    assert set(rows) == {str(a), str(b), str(empty)}
    assert (rows[str(a)]["NumberSent"], rows[str(a)]["NumberDelivered"], rows[str(a)]["HardBounces"]) == ("2", "1", "1")
    assert rows[str(a)]["ExistingUnsubscribes"] == "1"
    assert rows[str(b)]["NumberSent"] == "1" and rows[str(empty)]["NumberSent"] == "0"
    assert {r["UniqueOpens"] for r in rows.values()} == {"0"}
    only_b = _list_sends(soap, f'<Filter xsi:type="ComplexFilterPart" xmlns="{PARTNER}">'
                               '<LeftOperand xsi:type="SimpleFilterPart"><Property>SendID</Property>'
                               f"<SimpleOperator>equals</SimpleOperator><Value>{send_id}</Value></LeftOperand>"
                               "<LogicalOperator>AND</LogicalOperator>"
                               '<RightOperand xsi:type="SimpleFilterPart"><Property>List.ID</Property>'
                               f"<SimpleOperator>equals</SimpleOperator><Value>{b}</Value></RightOperand></Filter>")
    assert [r["List.ID"] for r in only_b] == [str(b)]
    assert _list_sends(soap, simple_filter("SendID", "equals", "999999999")) == []

    # Engagement counts read the event table by type: a Click event of k1 lights up UniqueClicks and the link.
    mc.emu.send_rows.add_events([{"mid": job["mid"], "job_id": job["id"], "subscriber_key": "k1",
                                  "event_type": "Click", "event_date": 1.0, "detail": {"URL": "https://example.com/a"}}
                                 for _ in range(2)])
    rows = {r["List.ID"]: r for r in _list_sends(soap, simple_filter("SendID", "equals", send_id))}
    assert rows[str(a)]["UniqueClicks"] == "1" and rows[str(b)]["UniqueClicks"] == "0"

    links = soap.retrieve("LinkSend", ["ID", "SendID", "Link.ID", "Link.URL", "Link.Alias", "Link.TotalClicks",
                                       "Link.UniqueClicks"], simple_filter("SendID", "equals", send_id))
    assert texts(links, "p:Results/p:Link/p:URL") == ["https://example.com/a", "https://example.com/b"]
    assert texts(links, "p:Results/p:Link/p:Alias") == ["Shop"]
    assert texts(links, "p:Results/p:Link/p:TotalClicks") == ["2", "0"]
    assert texts(links, "p:Results/p:Link/p:UniqueClicks") == ["1", "0"]
    assert texts(links, "p:Results/p:SendID") == [send_id, send_id]
    refused = soap.create(f'<Objects xsi:type="ListSend"><SendID>{send_id}</SendID></Objects>')
    assert texts(refused, "p:Results/p:ErrorCode") == ["5"]


def test_list_send_and_link_send_count_real_engagement_events(mc, world, soap):
    """The opens, clicks and bounces engagement records (the pixel, the click redirect, a simulated bounce)
    light up ListSend and LinkSend, and a ClickEvent's URLID is its LinkSend's Link ID."""
    email_id = world.email(html=f"<html><body>{HTML}</body></html>")
    a = world.list("a", [("k1", "k1@example.com", {}), ("k2", "k2@example.com", {})])
    world.create(esd_xml("engaged", email_id, list_entry(a)))
    job = mc.wait_for_job(task_id(start(soap, "engaged")))
    send_id = str(job["id"])
    messages = {m["subscriber_key"]: m for m in mc.outbox(job_id=job["id"])}
    first, second = messages["k1"], messages["k2"]
    target = "https://example.com/a"
    click = f"{mc.base_url}/_emulator/click?ref=m{first['id']}&url={quote(target, safe='')}"
    assert click.removeprefix(mc.base_url) in first["html"].replace("&amp;", "&")
    for _ in range(2):  # one subscriber clicking twice: two clicks, one unique
        followed = mc.http.get(click, allow_redirects=False)
        assert followed.status_code == 302 and followed.headers["Location"] == target
    assert mc.http.get(f"{mc.base_url}/_emulator/open/m{first['id']}.gif").status_code == 200
    bounced = mc.http.post(f"{mc.base_url}/_emulator/outbox/{second['id']}/events", json={"type": "bounce"})
    assert bounced.status_code == 201, bounced.text

    [row] = _list_sends(soap, simple_filter("SendID", "equals", send_id))
    assert (row["UniqueOpens"], row["UniqueClicks"]) == ("1", "1")
    assert (row["NumberSent"], row["NumberDelivered"], row["HardBounces"]) == ("2", "1", "1")
    links = soap.retrieve("LinkSend", ["ID", "SendID", "Link.ID", "Link.URL", "Link.TotalClicks",
                                       "Link.UniqueClicks"], simple_filter("SendID", "equals", send_id))
    assert texts(links, "p:Results/p:Link/p:URL") == [target, "https://example.com/b"]
    assert texts(links, "p:Results/p:Link/p:TotalClicks") == ["2", "0"]
    assert texts(links, "p:Results/p:Link/p:UniqueClicks") == ["1", "0"]
    clicks = [e for e in mc.http.get(f"{mc.base_url}/_emulator/outbox/{first['id']}/events").json()
              if e["type"] == "Click"]
    assert len(clicks) == 2
    assert {str(e["detail"]["URLID"]) for e in clicks} == {texts(links, "p:Results/p:Link/p:ID")[0]}
