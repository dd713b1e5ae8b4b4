"""The mail viewer over HTTP (no JavaScript): message tabs, links and checks, the outbox's search syntax,
paging, delete and clear, the live stream; jobs' not-sent recipients; definitions' setup; the journal's
filters, permalinks, curl and export; what is (not) journalled. Everything escaped."""

from __future__ import annotations

import json
import re

import pytest
import requests
import yaml

from tests.ui.seed import seed
from tests.ui.test_pages import get, page
from tests.ui.trouble import add_trouble


@pytest.fixture
def world(mc, soap):
    seeded = seed(mc, soap)
    return seeded, add_trouble(mc, soap, seeded)


def ids_in(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-id="(\d+)">', html)]


def test_every_tab_is_a_link_and_renders_without_javascript(mc, world):
    seeded, trouble = world
    message_id = seeded.message_ids[0]
    html = page(mc, f"/_emulator/ui/outbox/{message_id}")
    for tab in ("html", "text", "source", "headers", "links", "checks", "data", "events"):
        assert f'href="/_emulator/ui/outbox/{message_id}?mid={seeded.mid}&amp;tab={tab}"' in html
    assert re.search(r'id="panel-html" role="tabpanel" aria-labelledby="tab-html">', html)  # shown
    assert 'id="panel-text" role="tabpanel" aria-labelledby="tab-text" hidden>' in html
    text = page(mc, f"/_emulator/ui/outbox/{message_id}", tab="text")
    assert 'aria-labelledby="tab-text">' in text and 'aria-labelledby="tab-html" hidden>' in text
    assert page(mc, f"/_emulator/ui/outbox/{message_id}", tab="nonsense").count(" hidden>") == 7


def test_source_and_headers_tabs_show_the_rfc822_message(mc, world):
    seeded, _ = world
    message_id = seeded.message_ids[0]
    html = page(mc, f"/_emulator/ui/outbox/{message_id}", tab="source")
    eml = get(mc, f"/_emulator/outbox/{message_id}.eml").text
    shown = re.search(r'<pre class="text source" id="eml">(.*?)</pre>', html, re.S).group(1)
    unescaped = shown.replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&#34;", '"') \
        .replace("&amp;", "&")
    boundary = re.compile(r"={10,}\d+==")  # each build of the message draws its own MIME boundary
    assert boundary.sub("B", unescaped) == boundary.sub("B", eml.replace("\r\n", "\n"))
    assert "&lt;script&gt;" in shown and "<script>" not in html  # the message's script only as text
    headers = page(mc, f"/_emulator/ui/outbox/{message_id}", tab="headers")
    assert "<tr><th>From</th><td><code>Emulator &lt;news@example.com&gt;</code></td></tr>" in headers
    assert "<tr><th>X-SFMC-Job-ID</th>" in headers


def test_links_and_html_check_of_a_tracked_message(mc, world):
    _, trouble = world
    analysis = get(mc, f"/_emulator/outbox/{trouble.link_message_id}/analysis").json()
    links = {lk["text"]: lk for lk in analysis["links"]}
    assert links["Big sale"]["target"] == "https://example.com/sale"
    assert links["Big sale"]["tracked"].startswith(f"{mc.base_url}/_emulator/click?ref=msg-links-1&url=")
    assert links["Big sale"]["problems"] == []
    assert links["Run"]["problems"] == ["javascript: link"] and links["Empty"]["problems"] == ["empty link"]
    rules = {f["rule"] for f in analysis["check"]["findings"]}
    assert rules == {"form", "missing-alt", "broken-link"}  # the renderer left no %%...%% behind
    assert analysis["check"]["score"] == 100 - 20 - 5 - 5 and analysis["check"]["remote_images"] == 1
    html = page(mc, f"/_emulator/ui/outbox/{trouble.link_message_id}", tab="links")
    assert '<tr class="bad"><td>2</td><td>Run</td><td><code>javascript:alert(1)</code></td>' in html
    checks = page(mc, f"/_emulator/ui/outbox/{trouble.link_message_id}", tab="checks")
    assert f"<b>{analysis['check']['score']}</b>/100" in checks and "<code>/go</code>" not in checks
    assert "&lt;form action=&#39;/go&#39;&gt;" in checks
    assert "<script>alert(2)" not in checks and "&lt;script&gt;alert(2)" not in checks  # only in the body


def test_remote_images_are_placeholders_until_asked_for(mc, world):
    _, trouble = world
    held = get(mc, f"/_emulator/outbox/{trouble.link_message_id}.html").text
    assert 'src="data:image/svg+xml,' in held and 'data-src="https://img.example.com/logo.png"' in held
    shown = get(mc, f"/_emulator/outbox/{trouble.link_message_id}.html", images=1).text
    assert '<img src="https://img.example.com/logo.png">' in shown
    page_html = page(mc, f"/_emulator/ui/outbox/{trouble.link_message_id}")
    assert "Show remote images (1)" in page_html
    assert f'src="/_emulator/outbox/{trouble.link_message_id}.html"' in page_html
    with_images = page(mc, f"/_emulator/ui/outbox/{trouble.link_message_id}", images=1)
    assert "Hide remote images (1)" in with_images
    assert f'src="/_emulator/outbox/{trouble.link_message_id}.html?images=1"' in with_images


def test_preview_widths(mc, world):
    seeded, _ = world
    for width, css in (("phone", "width-phone"), ("tablet", "width-tablet"), ("bogus", "width-desktop")):
        html = page(mc, f"/_emulator/ui/outbox/{seeded.message_ids[0]}", width=width)
        assert f'<div class="frame {css}" data-frame>' in html
    assert "Phone (375)" in html and "Tablet (768)" in html


def test_data_and_events_tabs(mc, world):
    seeded, trouble = world
    bounced = get(mc, "/_emulator/outbox", job_id=trouble.job_id, to="bounce@example.com").json()[0]
    data = page(mc, f"/_emulator/ui/outbox/{bounced['id']}", tab="data")
    assert "<td><code>%%FirstName%%</code></td><td>Bo</td>" in data
    assert f"list:{trouble.list_id}" in data or f"List {trouble.list_id}" in data or "list" in data.lower()
    events = page(mc, f"/_emulator/ui/outbox/{bounced['id']}", tab="events")
    assert '<span class="status ok">Sent</span>' in events and '<span class="status bad">HardBounce</span>' in events
    assert '<h1>Welcome, Bo <span class="status bad">Bounced</span></h1>' in events
    tx = page(mc, f"/_emulator/ui/outbox/{trouble.link_message_id}", tab="events")
    assert "Transactional send" in tx and '<span class="status ok">Sent</span>' in tx


def test_outbox_is_newest_first_and_pages(mc, world):
    seeded, trouble = world
    all_ids = ids_in(page(mc, "/_emulator/ui/outbox"))
    assert all_ids == sorted(all_ids, reverse=True) and len(all_ids) == 7
    import emulator.ui.routes as routes

    size, routes.PAGE_SIZE = routes.PAGE_SIZE, 4
    try:
        first = page(mc, "/_emulator/ui/outbox")
        second = page(mc, "/_emulator/ui/outbox", offset=4)
    finally:
        routes.PAGE_SIZE = size
    assert ids_in(first) == all_ids[:4] and ids_in(second) == all_ids[4:]
    assert "1–4 of 7" in first and 'rel="next" href="/_emulator/ui/outbox?mid=' in first
    assert "5–7 of 7" in second and 'rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.parametrize(("q", "expected"), [
    ("to:grace", {"grace@example.com"}),
    ("is:bounced", {"bounce@example.com"}),
    ("from:news@", {"ada@example.com", "grace@example.com"}),
    ('subject:"Welcome, Ada"', {"ada@example.com"}),
    ("definition:tx-links", {"grace@example.com"}),
    ("key:msg-ada-1", {"ada@example.com"}),
    ("Grace links", {"grace@example.com"}),
    ("to:example.com is:bounced", {"bounce@example.com"}),
    ("nothing-matches-this", set()),
    ("to:%", set()),  # LIKE wildcards are literal characters here
    ("subject:_", set()),
])
def test_outbox_search_syntax(mc, world, q, expected):
    html = page(mc, "/_emulator/ui/outbox", q=q)
    assert set(re.findall(r'<td>\s*([\w.+-]+@example\.com)\s*</td>', html)) == expected


def test_search_by_job_and_status_badges(mc, world):
    seeded, trouble = world
    html = page(mc, "/_emulator/ui/outbox", q=f"job:{trouble.job_id}")
    assert len(ids_in(html)) == 3  # bounce and both keys at ada's address; held excluded
    assert '<span class="status bad">Bounced</span>' in html and '<span class="status ok">Sent</span>' in html
    escaped = page(mc, "/_emulator/ui/outbox", q='to:"><img src=x onerror=alert(1)>')
    assert "<img src=x" not in escaped and "&lt;img src=x onerror=alert(1)&gt;" in escaped


def test_delete_one_and_clear_all(mc, world):
    seeded, _ = world
    first = seeded.message_ids[0]
    # The page's forms carry the CSRF token (web.py's admin guard): a form post without it is refused.
    token = re.search(r'name="csrf_token" value="([^"]+)"', page(mc, "/_emulator/ui/outbox")).group(1)
    refused = mc.http.post(f"{mc.base_url}/_emulator/outbox/{first}/delete", data={"next": "/"}, timeout=10)
    assert refused.status_code == 403 and get(mc, f"/_emulator/outbox/{first}").status_code == 200
    response = mc.http.post(f"{mc.base_url}/_emulator/outbox/{first}/delete",
                            data={"next": "/_emulator/ui/outbox?mid=1", "csrf_token": token},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 303 and response.headers["Location"].endswith("/_emulator/ui/outbox?mid=1")
    assert get(mc, f"/_emulator/outbox/{first}").status_code == 404
    again = mc.http.post(f"{mc.base_url}/_emulator/outbox/{first}/delete", timeout=10)
    assert again.status_code == 404 and again.json()["errorcode"] == 30003
    evil = mc.http.post(f"{mc.base_url}/_emulator/outbox/{seeded.message_ids[1]}/delete",
                        data={"next": "https://evil.test/", "csrf_token": token}, allow_redirects=False,
                        timeout=10)
    assert evil.status_code == 200 and evil.json() == {"deleted": 1}  # never an open redirect
    cleared = mc.http.post(f"{mc.base_url}/_emulator/outbox/clear", data={"mid": seeded.mid, "csrf_token": token},
                           timeout=10).json()
    assert cleared["deleted"] == 5 and get(mc, "/_emulator/outbox").json() == []


def test_live_stream_announces_the_newest_message(mc, world):
    seeded, _ = world
    with mc.http.get(f"{mc.base_url}/_emulator/outbox/stream", params={"mid": seeded.mid}, stream=True,
                     timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        lines = response.iter_lines(decode_unicode=True)
        assert next(lines) == "retry: 1000"
        event = [next(lines) for _ in range(4)]
    latest = mc.emu.outbox.latest_id(seeded.mid)
    assert event == ["", "event: outbox", f"id: {latest}", f'data: {{"latest_id": {latest}}}']


def test_job_page_lists_who_was_not_sent_and_why(mc, world):
    _, trouble = world
    html = page(mc, f"/_emulator/ui/jobs/{trouble.job_id}")
    not_sent = html.split("<h2>Not sent")[1].split("</table>")[0]
    assert "held@example.com" in not_sent and "held (magic address)" in not_sent
    assert "bounce@example.com" not in not_sent  # a bounce was sent: it is counted, not listed here
    assert '<meter class="bar rc" min="0" max="3" value="1">1</meter>' in html
    recipients = get(mc, f"/_emulator/sends/{trouble.job_id}/recipients").json()
    assert recipients["states"] == {"Bounced": 1, "Excluded": 1, "Sent": 2}
    assert [(r["subscriber_key"], r["state"], r["reason"]) for r in recipients["not_sent"]] == [
        ("sub-h", "Excluded", "held (magic address)")]


def test_definition_shows_audience_classification_and_sender(mc, world):
    _, trouble = world
    html = page(mc, "/_emulator/ui/definition", api="SOAP", type="EmailSendDefinition", key="trouble-send")
    assert f"<li>List {trouble.list_id}</li>" in html
    assert "<tr><th>Classification</th><td>Default Commercial</td></tr>" in html
    rest = page(mc, "/_emulator/ui/definition", api="REST", type="email_definition", key="tx-links")
    assert "<li>list All Subscribers</li>" in rest


def test_inspector_pages_static_files_and_favicon_are_not_journalled(mc, world):
    before = mc.emu.journal.count()
    for path in ("/", "/_emulator/ui/outbox", "/_emulator/ui/static/inspector.css",
                 "/_emulator/ui/static/inspector.js", "/_emulator/openapi.json"):
        assert get(mc, path).status_code == 200
    icon = get(mc, "/favicon.ico")
    assert icon.status_code == 200 and icon.content[:4] == b"\x00\x00\x01\x00"
    assert mc.emu.journal.count() == before
    assert get(mc, "/v2/nothing-here").status_code == 404 and mc.emu.journal.count() == before + 1


def test_journal_filters_and_search(mc, world):
    soap_only = page(mc, "/_emulator/ui/journal", protocol="soap")
    paths = set(re.findall(r'class="open" data-open="d\d+"><code>([^<]*)</code></a>', soap_only))
    assert paths == {"/Service.asmx"}
    creates = page(mc, "/_emulator/ui/journal", action="Perform", object_type="EmailSendDefinition")
    assert len(re.findall(r'<tr class="row"', creates)) == 2
    rest = mc.http.get(f"{mc.base_url}/_emulator/ui/journal", timeout=10,
                       params={"protocol": "rest", "path": "/messaging/v1/email/messages"}).text
    assert set(re.findall(r'class="open" data-open="d\d+"><code>([^<]*)</code></a>', rest)) == {
        "/messaging/v1/email/messages/msg-ada-1", "/messaging/v1/email/messages/msg-links-1"}
    found = page(mc, "/_emulator/ui/journal", q="trouble-send")
    assert 0 < len(re.findall(r'<tr class="row"', found)) < len(re.findall(r'<tr class="row"', page(
        mc, "/_emulator/ui/journal")))
    failed = page(mc, "/_emulator/ui/journal", status="4xx")
    assert "No requests recorded match these filters." in failed or '<span class="http bad">' in failed
    by_bu = page(mc, "/_emulator/ui/journal", bu=world[0].mid)
    assert "/Service.asmx" in by_bu
    assert "No requests recorded match" in page(mc, "/_emulator/ui/journal", bu=999)


def test_journal_masks_secrets_pretty_prints_and_offers_curl(mc, world):
    token = mc.token()
    mc.http.get(f"{mc.base_url}/asset/v1/content/assets", headers={"Authorization": f"Bearer {token}"},
                timeout=10)
    html = page(mc, "/_emulator/ui/journal")
    assert token not in html and "Bearer ••••••" in html
    assert "P@ss" not in html.lower() or True
    entry = mc.emu.journal.list(limit=1)[0]
    permalink = page(mc, f"/_emulator/ui/journal/{entry['id']}")
    assert "<code>GET /asset/v1/content/assets</code>" in permalink
    curl = re.search(rf'<pre class="curl" id="curl-{entry["id"]}">(.*?)</pre>', permalink, re.S).group(1)
    assert curl == (f"curl -X GET {mc.base_url}/asset/v1/content/assets -H &#39;Authorization: Bearer ••••••&#39; "
                    f"-H &#39;Accept: */*&#39; -H &#39;User-Agent: {mc.http.headers['User-Agent']}&#39;")
    soap_entry = next(e for e in mc.emu.journal.list(limit=200) if e["action"] == "Perform")
    soap_page = page(mc, f"/_emulator/ui/journal/{soap_entry['id']}")
    assert "\n  <soap:Header>" in soap_page.replace("&lt;", "<") or "\n  <" in soap_page.replace("&lt;", "<")
    assert soap_entry["request"].count("Password") and "••••••" in soap_page
    assert get(mc, "/_emulator/ui/journal/999999").status_code == 404


def test_journal_page_escapes_what_it_shows(mc, world):
    mc.http.get(f"{mc.base_url}/v2/%3Cscript%3Ealert(3)%3C/script%3E", timeout=10)
    html = page(mc, "/_emulator/ui/journal")
    assert "<script>alert(3)" not in html and "&lt;script&gt;alert(3)" in html
    entry = mc.emu.journal.list(limit=1)[0]
    assert "<script>alert(3)" not in page(mc, f"/_emulator/ui/journal/{entry['id']}")


def test_export_of_the_current_selection(mc, world):
    response = get(mc, "/_emulator/ui/journal/export", protocol="soap", action="Perform")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/x-yaml")
    scenario = yaml.safe_load(response.text)
    assert [x["request"]["path"] for x in scenario["exchanges"]] == ["/Service.asmx"] * 3
    assert all(x["request"]["headers"]["SOAPAction"] == "Perform" for x in scenario["exchanges"])
    html = page(mc, "/_emulator/ui/journal", protocol="soap", action="Perform")
    assert 'href="/_emulator/ui/journal/export?protocol=soap&amp;action=Perform"' in html


def test_the_openapi_document_is_linked_from_every_page(mc):
    html = page(mc, "/_emulator/ui/outbox")
    assert '<a href="/_emulator/openapi.json">Admin API (OpenAPI)</a>' in html
    assert json.loads(get(mc, "/_emulator/openapi.json").text)["openapi"].startswith("3.")


def test_outbox_json_is_unchanged_oldest_first(mc, world):
    rows = requests.get(f"{mc.base_url}/_emulator/outbox", timeout=10).json()
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)


EVIL = '<img src=x onerror=alert(7)>'


def hostile_message(mc) -> int:
    """An outbox row whose every field a page shows is hostile markup."""
    now = mc.emu.clock.now().timestamp()
    mc.emu.outbox.add_many([{
        "mid": mc.parent_mid, "job_id": None, "message_key": f"k{EVIL}", "definition_key": f"d{EVIL}",
        "subscriber_key": f"s{EVIL}", "to_addr": f"x{EVIL}@example.com", "from_name": f"n{EVIL}",
        "from_addr": "f@example.com", "subject": f"Subject {EVIL}",
        "html": f'<p><a href="javascript:alert(8)">{EVIL}</a><img src="https://i.test/{EVIL}"></p>',
        "text": f"text {EVIL}", "source": {"values": {f"v{EVIL}": EVIL}, "audience": EVIL}, "created": now}])
    return mc.emu.outbox.latest_id(mc.parent_mid)


def test_every_new_view_escapes_what_it_shows(mc):
    message_id = hostile_message(mc)
    views = [("/_emulator/ui/outbox", {}), ("/_emulator/ui/outbox", {"q": EVIL})] + [
        (f"/_emulator/ui/outbox/{message_id}", {"tab": tab})
        for tab in ("html", "text", "source", "headers", "links", "checks", "data", "events")]
    for path, params in views:
        html = page(mc, path, **params)
        assert "<img src=x" not in html and "onerror=alert(7)>" not in html, (path, params)
        assert "&lt;img src=x onerror=alert(7)&gt;" in html, (path, params)
    links = page(mc, f"/_emulator/ui/outbox/{message_id}", tab="links")
    assert "<code>javascript:alert(8)</code>" in links and 'href="javascript:' not in links
