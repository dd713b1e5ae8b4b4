"""The inspector in real headless Chromium (Debian's `chromium`, driven by Playwright): each page and
interaction (tabs, widths, images, search, paging, delete, live update, copy as curl, export), with
screenshots saved under test-artifacts/ui/ (or $SFMC_TEST_ARTIFACTS). One browser for the module; the
emulator is the session's."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
import requests
import yaml

from emulator.replay.runner import run_files
from tests.ui.seed import seed
from tests.ui.trouble import add_trouble

CHROMIUM = os.environ.get("SFMC_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("SFMC_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts")
WAIT = 10_000  # ms Playwright waits for something to appear (a bound, not a measurement)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, mc):
    """A fresh page; any alert() (an injected script running) fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=mc.base_url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=mc.base_url)
    tab = context.new_page()
    alerts: list[str] = []

    def on_dialog(dialog):
        if dialog.type == "alert":
            alerts.append(dialog.message)
        dialog.accept()

    tab.on("dialog", on_dialog)
    yield tab
    context.close()
    assert alerts == [], f"a script ran: {alerts}"


def shot(page, name: str) -> Path:
    ARTIFACTS.joinpath("ui").mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "ui" / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def test_follow_a_send_from_definition_to_rendered_message(mc, soap, page):
    seeded = seed(mc, soap)
    page.goto("/")
    assert "Emulator Parent BU" in page.title()
    page.get_by_role("link", name="Welcome send").first.click()  # definition
    page.wait_for_url("**/_emulator/ui/definition?**")
    assert page.locator("h1").inner_text().startswith("Welcome send")
    page.get_by_role("link", name=str(seeded.job_id)).first.click()  # its send
    page.wait_for_url(f"**/_emulator/ui/jobs/{seeded.job_id}?**")
    assert "100% (2/2)" in page.locator("main").inner_text()
    page.get_by_role("link", name="Welcome, Ada").click()  # one rendered message
    page.wait_for_url(f"**/_emulator/ui/outbox/{seeded.message_ids[0]}?**")
    frame = page.frame_locator("iframe.preview")
    assert frame.locator("#greeting").inner_text() == "Hello Ada"  # the message's script did not run
    assert "ada@example.com" in frame.locator("body").inner_text()
    assert page.locator("iframe.preview").get_attribute("sandbox") == ""
    shot(page, "job-to-message")


def test_message_tabs_widths_and_remote_images(mc, soap, page):
    seeded = seed(mc, soap)
    trouble = add_trouble(mc, soap, seeded)
    page.goto(f"/_emulator/ui/outbox/{trouble.link_message_id}")
    page.evaluate("window.__same_page = true")
    page.get_by_role("tab", name=re.compile("^Links")).click()
    assert page.locator("#panel-links").is_visible() and not page.locator("#panel-html").is_visible()
    assert "tab=links" in page.url
    rows = page.locator("#panel-links tbody tr")
    assert rows.count() == 4
    assert "javascript: link" in rows.nth(1).inner_text()
    page.get_by_role("tab", name=re.compile("^HTML check")).click()
    assert re.search(r"\d+/100", page.locator("#panel-checks").inner_text())
    page.get_by_role("tab", name="HTML", exact=True).click()
    page.get_by_role("link", name="Phone (375)").click()
    assert page.locator("[data-frame]").bounding_box()["width"] == pytest.approx(377, abs=1)
    assert "width=phone" in page.url
    page.get_by_role("link", name=re.compile("Show remote images")).click()
    assert page.locator("iframe.preview").get_attribute("src").endswith(".html?images=1")
    page.get_by_role("link", name="Tablet (768)").click()
    assert page.locator("[data-frame]").bounding_box()["width"] == pytest.approx(770, abs=1)
    assert page.evaluate("window.__same_page") is True  # all of it without a reload
    page.get_by_role("link", name=re.compile("^Desktop")).click()
    page.goto(f"/_emulator/ui/outbox/{seeded.message_ids[0]}?tab=html")
    shot(page, "message-view")
    page.get_by_role("tab", name="Source").click()
    assert "Content-Type: multipart/alternative" in page.locator("#eml").inner_text()


def test_hostile_message_fields_never_run_in_any_tab(mc, page):
    from tests.ui.test_views import hostile_message

    message_id = hostile_message(mc)
    page.goto("/_emulator/ui/outbox")
    page.get_by_role("link", name=re.compile("^Subject <img")).click()
    for name in ("Text", "Source", "Headers", "Links", "HTML check", "Data", "Events", "HTML"):
        page.get_by_role("tab", name=re.compile(rf"^{name}( \(\d+\))?$")).click()
    page.frame_locator("iframe.preview").get_by_role("link").click()  # a javascript: link in a sandbox
    assert page.url.endswith(f"/_emulator/ui/outbox/{message_id}?mid={mc.parent_mid}&tab=html")
    # the page fixture fails the test if any alert() ran


def test_tabs_work_without_javascript(browser, mc, soap):
    seeded = seed(mc, soap)
    context = browser.new_context(java_script_enabled=False, base_url=mc.base_url)
    try:
        tab = context.new_page()
        tab.goto(f"/_emulator/ui/outbox/{seeded.message_ids[0]}")
        tab.get_by_role("tab", name="Headers").click()
        tab.wait_for_url("**tab=headers**")
        assert tab.locator("#panel-headers").is_visible() and not tab.locator("#panel-html").is_visible()
        assert "X-SFMC-Job-ID" in tab.locator("#panel-headers").inner_text()
        tab.goto("/_emulator/ui/outbox")
        tab.get_by_role("searchbox").fill("to:grace")
        tab.get_by_role("button", name="Search").click()
        tab.wait_for_url("**q=to%3Agrace**")
        assert tab.locator("#outbox-list tbody tr").count() == 1
        tab.goto("/_emulator/ui/journal")
        detail = tab.locator("table.journal tr.detail").first
        assert not detail.is_visible()
        tab.locator("table.journal a.open").first.click()  # #target shows the entry's detail row
        assert detail.is_visible() and "Request headers" in detail.inner_text()
    finally:
        context.close()


def test_outbox_search_paging_and_delete(mc, soap, page, monkeypatch):
    import emulator.ui.routes as routes

    seeded = seed(mc, soap)
    add_trouble(mc, soap, seeded)
    monkeypatch.setattr(routes, "PAGE_SIZE", 3)
    page.goto("/_emulator/ui/outbox")
    ids = [int(x) for x in page.locator("#outbox-list tbody tr").evaluate_all("rs => rs.map(r => r.dataset.id)")]
    assert ids == sorted(ids, reverse=True) and len(ids) == 3
    page.get_by_role("link", name="Older ›").click()
    page.wait_for_url("**offset=3**")
    assert "4–6 of 7" in page.locator(".pager").inner_text()
    page.get_by_role("searchbox").fill("is:bounced")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=is%3Abounced**")
    assert page.locator("#outbox-list tbody tr").count() == 1
    assert page.locator("#outbox-list .status.bad").inner_text() == "Bounced"
    shot(page, "outbox-search")
    page.get_by_role("button", name=re.compile("Delete message")).click()  # confirm() is accepted
    page.wait_for_url("**q=is%3Abounced**")
    assert "No messages match" in page.locator("main").inner_text()


def test_live_update_on_a_new_send(mc, soap, page):
    seeded = seed(mc, soap)
    page.goto("/_emulator/ui/outbox")
    page.locator("[data-live-status]").wait_for(state="visible")
    page.evaluate("window.__same_page = true")
    before = page.locator("#outbox-list tbody tr").count()
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {mc.token()}"
    sent = api.post(f"{mc.base_url}/messaging/v1/email/messages/msg-live-1", timeout=10, json={
        "definitionKey": "tx-receipt", "recipient": {"contactKey": "sub-2", "to": "grace@example.com"}})
    assert sent.status_code == 202, sent.text
    newest = mc.emu.outbox.latest_id(seeded.mid)
    page.locator(f'#outbox-list tr[data-id="{newest}"]').wait_for(timeout=WAIT)
    assert page.locator("#outbox-list tbody tr").count() == before + 1
    assert page.locator("#outbox-count").inner_text() == f"{before + 1} messages"
    assert page.evaluate("window.__same_page") is True  # no reload
    shot(page, "outbox")


def test_journal_filters_copy_as_curl_and_export(mc, soap, page, tmp_path):
    seed(mc, soap)
    page.goto("/_emulator/ui/journal")
    rows = page.locator("table.journal tr.row")
    assert rows.count() >= 10
    page.get_by_label("Protocol").select_option("soap")
    page.get_by_label("Action").select_option("Perform")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**action=Perform**")
    assert rows.count() == 2
    rows.first.locator("a.open").click()
    first = page.locator("table.journal tr.detail.open")
    assert first.count() == 1
    curl = first.locator("pre.curl").inner_text()
    assert curl.startswith(f"curl -X POST {mc.base_url}/Service.asmx -H 'Content-Type: text/xml")
    assert "-H 'SOAPAction: Perform'" in curl and "••••••" in curl
    first.get_by_role("button", name="Copy as curl").click()
    first.get_by_role("button", name="Copied").wait_for(timeout=WAIT)
    assert page.evaluate("navigator.clipboard.readText()") == curl
    assert "<PerformRequestMsg" in first.locator("pre.body").first.inner_text()
    shot(page, "journal")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export selection as replay scenario").click()
    path = tmp_path / "selection.yaml"
    download.value.save_as(path)
    scenario = yaml.safe_load(path.read_text())
    assert [x["request"]["headers"]["SOAPAction"] for x in scenario["exchanges"]] == ["Perform", "Perform"]
    permalink = first.get_by_role("link", name=re.compile("^Permalink"))
    href = permalink.get_attribute("href")
    assert re.fullmatch(r"/_emulator/ui/journal/\d+\?mid=\d+", href), href
    permalink.click()
    page.wait_for_url(f"**{href}")
    assert "POST /Service.asmx" in page.locator("h1").inner_text()


def test_a_journal_recorded_while_the_inspector_is_in_use_replays(mc, page, tmp_path):
    from tests.replay.test_record import session

    for path in ("/", "/_emulator/ui/outbox", "/_emulator/ui/journal"):
        page.goto(path)  # the browser also asks for /favicon.ico
    session(mc.base_url, mc)
    page.goto("/_emulator/ui/journal")
    page.goto("/favicon.ico")
    paths = [e["path"] for e in mc.emu.journal.all_in_order()]
    assert len(paths) == 6 and not [p for p in paths if p in ("/", "/favicon.ico") or p.startswith("/_emulator")]
    for url in ("/_emulator/journal/export", "/_emulator/ui/journal/export"):
        exported = tmp_path / f"{url.strip('/').replace('/', '-')}.yaml"
        exported.write_text(requests.get(mc.base_url + url, timeout=30).text)
        report = io.StringIO()
        assert run_files([str(exported)], out=report, err=io.StringIO()) == 0, report.getvalue()
        assert "1 scenario(s): 1 passed" in report.getvalue()
