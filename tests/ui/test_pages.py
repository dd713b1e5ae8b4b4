"""The web inspector's pages and JSON endpoints over HTTP: every page answers, shows the state, escapes it."""

from __future__ import annotations

import re

import pytest
import requests

from tests.ui.seed import seed


@pytest.fixture
def seeded(mc, soap):
    return seed(mc, soap)


def get(mc, path: str, **params) -> requests.Response:
    return mc.http.get(f"{mc.base_url}{path}", params=params, timeout=10)


def page(mc, path: str, **params) -> str:
    response = get(mc, path, **params)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"].startswith("text/html")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp  # only our own static script
    assert "<script>" not in response.text  # no inline scripts: the one script is a file
    return response.text


def test_every_page_answers_on_an_empty_emulator(mc):
    for path in ("/", "/_emulator/ui", "/_emulator/ui/", "/_emulator/ui/definitions", "/_emulator/ui/sends",
                 "/_emulator/ui/outbox", "/_emulator/ui/imports", "/_emulator/ui/journal"):
        html = page(mc, path)
        assert "Emulator Parent BU" in html
    assert get(mc, "/_emulator/ui/static/inspector.css").status_code == 200


def test_overview_counts_and_bu_selector(mc, seeded):
    html = page(mc, "/")
    assert re.search(r"<b>3</b> send definitions <small>2 SOAP · 1 REST</small>", html)
    assert re.search(r"<b>3</b> messages in the outbox", html)
    assert re.search(r"<b>2</b> subscribers", html)
    assert '<option value="100000002" >Emulator Child BU' in html
    child = page(mc, "/_emulator/ui", mid=mc.child_mid)
    assert "Emulator Child BU" in child and "Welcome send" not in child
    assert re.search(r"<b>0</b> messages in the outbox", child)


def test_definitions_soap_and_rest_with_status_escaped(mc, seeded):
    html = page(mc, "/_emulator/ui/definitions")
    assert "EmailSendDefinition" in html and "TriggeredSendDefinition" in html
    assert "email_definition" in html
    assert '<span class="status ok">Active</span>' in html
    assert '<span class="status ok">Last send Complete</span>' in html
    assert "Welcome &lt;b&gt;bold&lt;/b&gt; &amp; &#34;co&#34;" in html
    assert "Receipt &lt;script&gt;" in html
    assert "<b>bold</b>" not in html and "<script>" not in html


def test_definition_page_leads_to_the_job_and_the_messages(mc, seeded):
    html = page(mc, "/_emulator/ui/definition", mid=seeded.mid, api="SOAP", type="EmailSendDefinition",
                key="welcome-send")
    assert f'href="/_emulator/ui/jobs/{seeded.job_id}?mid={seeded.mid}"' in html
    assert f'href="/_emulator/ui/outbox/{seeded.message_ids[0]}?mid={seeded.mid}"' in html
    assert "Welcome, Ada" in html and "Welcome, Grace" in html
    rest = page(mc, "/_emulator/ui/definition", api="REST", type="email_definition", key="tx-receipt")
    assert "Receipt &lt;script&gt;" in rest
    assert f'href="/_emulator/ui/outbox?mid={seeded.mid}&amp;message_key=msg-ada-1"' in rest
    assert '<span class="status ok">Sent</span>' in rest and "Sent <b>1</b>" in rest
    by_key = page(mc, "/_emulator/ui/outbox", message_key="msg-ada-1")
    assert "Your receipt" in by_key and "Welcome, Ada" not in by_key
    missing = get(mc, "/_emulator/ui/definition", api="SOAP", type="EmailSendDefinition", key="nope")
    assert missing.status_code == 404 and "No SOAP EmailSendDefinition with key" in missing.text


def test_sends_and_job_detail_show_progress_and_counts(mc, seeded):
    html = page(mc, "/_emulator/ui/sends")
    assert f">{seeded.job_id}</a>" in html and f">{seeded.import_job_id}</a>" in html
    assert '<progress max="100" value="100">' in html
    assert "<dt>Sent</dt><dd>2</dd>" in html
    job = page(mc, f"/_emulator/ui/jobs/{seeded.job_id}")
    assert "100% (2/2)" in job and "Welcome, Ada" in job
    assert 'http-equiv="refresh"' not in job  # finished jobs do not reload
    assert get(mc, "/_emulator/ui/jobs/1").status_code == 404


def test_outbox_search_and_job_filter(mc, seeded):
    html = page(mc, "/_emulator/ui/outbox")
    assert "ada@example.com" in html and "grace@example.com" in html
    found = page(mc, "/_emulator/ui/outbox", q="grace")
    assert "grace@example.com" in found and "ada@example.com" not in found
    assert 'value="grace"' in found
    assert "No messages." in page(mc, "/_emulator/ui/outbox", job_id=seeded.import_job_id)
    assert "ada@example.com" in page(mc, "/_emulator/ui/outbox", job_id=seeded.job_id)
    escaped = page(mc, "/_emulator/ui/outbox", q='"><script>x</script>')
    assert 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in escaped


def test_message_page_shows_headers_and_only_a_sandboxed_preview(mc, seeded):
    message_id = seeded.message_ids[0]
    html = page(mc, f"/_emulator/ui/outbox/{message_id}")
    assert "Emulator &lt;news@example.com&gt;" in html and "ada@example.com" in html
    assert f'<iframe class="preview" title="Rendered HTML of message {message_id}" sandbox ' \
           f'src="/_emulator/outbox/{message_id}.html">' in html
    assert "<h1 id='greeting'>" not in html  # the message's own HTML never lands in the page
    assert f'href="/_emulator/outbox/{message_id}.eml"' in html
    assert '<pre class="text">Hello Ada</pre>' in html
    raw = get(mc, f"/_emulator/outbox/{message_id}.html")
    assert raw.status_code == 200 and "<h1 id='greeting'>Hello Ada</h1>" in raw.text
    assert raw.headers["Content-Security-Policy"].startswith("sandbox;")
    assert "script-src" not in raw.headers["Content-Security-Policy"]
    assert get(mc, "/_emulator/outbox/999.html").json()["errorcode"] == 30003
    assert get(mc, f"/_emulator/outbox/{message_id}.eml").status_code == 200


def test_imports_page_shows_definitions_and_results(mc, seeded):
    html = page(mc, "/_emulator/ui/imports")
    assert "Nightly import" in html and "subscribers.csv" in html and "List 1003" in html
    assert '<span class="status ok">Completed</span>' in html
    job = page(mc, f"/_emulator/ui/jobs/{seeded.import_job_id}")
    assert "NumberErrors" in job and "invalid email address" in job


def test_journal_page_escapes_bodies(mc, seeded):
    html = page(mc, "/_emulator/ui/journal")
    assert "/Service.asmx" in html and "Create" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "kept (at most 5000)" in html


def test_unknown_bu_is_a_not_found_page_and_sfmc_json(mc):
    response = get(mc, "/_emulator/ui/definitions", mid=5)
    assert response.status_code == 404 and "No business unit with MID 5." in response.text
    body = get(mc, "/_emulator/definitions", mid=5).json()
    assert body == {"message": "No business unit with MID 5.", "errorcode": 30003, "documentation": ""}


def test_json_endpoints_carry_what_the_pages_show(mc, seeded):
    bus = get(mc, "/_emulator/bus").json()["items"]
    assert [b["mid"] for b in bus] == [mc.parent_mid, mc.child_mid]
    assert bus[0]["counts"]["messages"] == 3 and bus[1]["counts"]["messages"] == 0
    overview = get(mc, "/_emulator/overview", mid=seeded.mid).json()
    assert overview["summary"]["soap_definitions"] == 2 and overview["objects"]["Email"] == 1
    definitions = get(mc, "/_emulator/definitions").json()["items"]
    assert [(d["api"], d["key"], d["status"]) for d in definitions] == [
        ("SOAP", "welcome-send", "Last send Complete"), ("SOAP", "welcome-tsd", "Active"),
        ("REST", "tx-receipt", "Active")]
    one = get(mc, "/_emulator/definition", api="SOAP", type="EmailSendDefinition", key="welcome-send").json()
    assert [j["id"] for j in one["jobs"]] == [seeded.job_id] and one["message_count"] == 2
    receipt = get(mc, "/_emulator/definition", api="REST", type="email_definition", key="tx-receipt").json()
    assert receipt["transactional_messages"] == {"Sent": 1} and receipt["message_count"] == 1
    assert receipt["recent_transactional_messages"][0]["message_key"] == "msg-ada-1"
    sends = get(mc, "/_emulator/sends", kind="send").json()["items"]
    assert [(s["id"], s["status"], s["messages"], s["progress"]) for s in sends] == [
        (seeded.job_id, "Complete", 2, {"done": 2, "total": 2, "percent": 100})]
    assert get(mc, f"/_emulator/sends/{seeded.import_job_id}").json()["counts"]["NumberSuccessful"] == 2
    imports = get(mc, "/_emulator/imports").json()
    assert imports["definitions"][0]["last_status"] == "Completed"
    assert [j["id"] for j in imports["jobs"]] == [seeded.import_job_id]
    journal = get(mc, "/_emulator/journal").json()
    assert journal["cap"] == 5000 and journal["items"][0]["action"] == "Create"


def test_an_items_page_selects_its_own_bu(mc):
    job_id = mc.emu.jobs.submit(mc.child_mid, "send", lambda j: mc.emu.jobs.update(j, status="Complete"))
    mc.wait_for_job(job_id)
    html = page(mc, f"/_emulator/ui/jobs/{job_id}", mid=mc.parent_mid)
    assert f'<option value="{mc.child_mid}" selected>' in html
    assert '<form class="bu" method="get" action="/_emulator/ui">' in html  # switching BU leaves the item
    listing = page(mc, "/_emulator/ui/outbox", mid=mc.child_mid)
    assert '<form class="bu" method="get" action="/_emulator/ui/outbox">' in listing
