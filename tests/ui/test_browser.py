"""The inspector in real headless Chromium (Debian's `chromium`, driven by Playwright): follow a send from
its definition to the rendered message and take a screenshot."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.ui.seed import seed

CHROMIUM = os.environ.get("SFMC_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


def test_follow_a_send_from_definition_to_rendered_message(mc, soap, browser, tmp_path):
    seeded = seed(mc, soap)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    started = time.monotonic()
    page.goto(f"{mc.base_url}/")
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
    assert frame.locator("#greeting").inner_text() == "Hello Ada"
    assert "ada@example.com" in frame.locator("body").inner_text()
    assert page.locator("iframe.preview").get_attribute("sandbox") == ""

    shot = tmp_path / "inspector-message.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot} ({time.monotonic() - started:.2f} s in the browser)")
    page.close()
