"""GET /_emulator/click follows only links the emulator wrapped (render.wrap_links) in a message of the
outbox; anything else is a 404 or 400 in SFMC's JSON shape, never a redirect and never a 500."""

from __future__ import annotations

import re

import pytest
import requests

from emulator.domain.render import wrap_links

TARGET = "https://shop.example/o/42?x=1&y=%C3%A9"


def _message(mc, html: str, key: str = "msg-1") -> None:
    mc.emu.outbox.add_many([{"mid": mc.account_id, "job_id": None, "message_key": key, "definition_key": "d",
                             "subscriber_key": "s", "to_addr": "a@example.com", "from_name": "F",
                             "from_addr": "f@example.com", "subject": "s", "html": html, "text": "",
                             "source": {}, "created": mc.emu.clock.now().timestamp()}])


def _click(mc, **params) -> requests.Response:
    return requests.get(f"{mc.base_url}/_emulator/click", params=params, allow_redirects=False, timeout=5)


def test_a_wrapped_link_redirects(mc):
    html = wrap_links(f'<a href="{TARGET}">order</a>', mc.base_url, "msg-1")
    _message(mc, html)
    href = re.search(r'href="([^"]+)"', html).group(1)
    followed = requests.get(href, allow_redirects=False, timeout=5)
    assert followed.status_code == 302 and followed.headers["Location"] == TARGET


def test_open_redirect_is_refused(mc):
    _message(mc, wrap_links(f'<a href="{TARGET}">order</a>', mc.base_url, "msg-1"))
    for params in ({"ref": "msg-1", "url": "https://evil.example/"},  # a real message, not its link
                   {"ref": "nope", "url": TARGET},  # its link, under another message
                   {"url": TARGET}):
        refused = _click(mc, **params)
        assert refused.status_code == 404 and refused.json()["errorcode"] == 30003
        assert "Location" not in refused.headers


@pytest.mark.parametrize("url", [
    "javascript:alert(1)",
    "https://example.com/\r\nSet-Cookie: a=b",
    "https://example.com/a\nb",
    "https://" + "a" * 100_000 + ".example/",
    "https://[::1/",
    "https:///nohost",
])
def test_hostile_click_targets_are_400_not_500(mc, url):
    _message(mc, f'<a href="{url}">x</a>')  # even if a message carried it
    refused = _click(mc, ref="msg-1", url=url)
    assert refused.status_code == 400 and refused.json()["errorcode"] == 10005
    assert mc.emu.guard_hits == 0
