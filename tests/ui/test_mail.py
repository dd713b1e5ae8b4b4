"""The mail viewer's checks (ui/mail.py): links, the HTML check and its score, remote images, headers."""

from __future__ import annotations

from emulator.domain.eml import to_eml
from emulator.ui import mail

TRACKED = "http://127.0.0.1:1/_emulator/click?ref=job-1&url=https%3A%2F%2Fexample.com%2Fsale"


def test_links_show_text_target_and_tracking():
    html = (f'<p><a href="{TRACKED}">Big <b>sale</b></a> <a href="mailto:help@example.com">Help</a>'
            '<a href="">Empty</a><a href="javascript:alert(1)">Run</a><a href="https://x.test/%%Key%%">Mine</a>'
            '<a href="/relative">Rel</a><a href="https://ok.test/"><img src="https://i.test/a.png" alt=""></a>'
            "<a name='anchor-without-href'>no href</a></p>")
    found = mail.links(html)
    assert [(lk.text, lk.target, lk.tracked) for lk in found[:2]] == [
        ("Big sale", "https://example.com/sale", TRACKED), ("Help", "mailto:help@example.com", None)]
    problems = {lk.text: lk.problems for lk in found}
    assert problems["Big sale"] == [] and problems["Help"] == []
    assert problems["Empty"] == ["empty link"]
    assert problems["Run"] == ["javascript: link"]
    assert problems["Mine"] == ["unresolved personalisation"]
    assert problems["Rel"] == ["not an absolute http(s), mailto or tel link"]
    assert problems[""] == ["no link text"]  # an image-only link with empty alt
    assert len(found) == 7  # the <a name> without href is not a link


def test_a_clean_message_scores_100():
    result = mail.check('<p>Hello <a href="https://example.com">there</a><img src="cid:x" alt="logo"></p>',
                        "Hello", "Hi")
    assert result.score == 100 and result.findings == [] and result.images == 1 and result.remote_images == 0


def test_what_breaks_in_mail_clients_is_found_and_costs_points():
    html = ('<link rel="stylesheet" href="https://cdn.test/a.css"><style>@import url(x.css);</style>'
            '<script>x()</script><form action="/go"><input></form><img src="https://i.test/a.png">'
            '<p onclick="x()">%%FirstName%%</p><iframe src="https://x.test"></iframe><a href="">e</a>')
    result = mail.check(html, "Hi %%LastName%%", "Subject %%Missing%%")
    rules = {f["rule"]: f for f in result.findings}
    assert set(rules) == {"script", "form", "external-css", "event-handler", "embed", "unresolved",
                          "missing-alt", "broken-link"}
    assert rules["external-css"]["count"] == 2
    assert rules["unresolved"]["examples"] == ["%%FirstName%%", "%%LastName%%", "%%Missing%%"]
    assert result.score == 0 and result.remote_images == 1
    assert mail.check("<p>%%x%%</p>").score == 100 - mail.WEIGHTS["unresolved"]


def test_remote_images_are_held_back_and_local_ones_kept():
    html = '<img src="https://i.test/a.png" alt="a"><img alt="b" src=\'http://i.test/b.png\'><img src="data:x">'
    held = mail.hold_remote_images(html)
    assert "https://i.test/a.png" not in held.replace('data-src="https://i.test/a.png"', "")
    assert 'data-src="https://i.test/a.png"' in held and "data-src='http://i.test/b.png'" in held
    assert held.count(mail.PLACEHOLDER) == 2 and '<img src="data:x">' in held


def test_headers_of_the_rfc822_message():
    eml = to_eml({"id": 7, "job_id": 3, "message_key": None, "from_name": "News", "from_addr": "news@example.com",
                  "to_addr": "ada@example.com", "subject": "Hi Ada", "created": 0, "text": "t", "html": "<p>h</p>"})
    names = dict(mail.headers(eml))
    assert names["From"] == "News <news@example.com>" and names["To"] == "ada@example.com"
    assert names["Subject"] == "Hi Ada" and names["X-SFMC-Job-ID"] == "3"
    assert names["Content-Type"].startswith("multipart/alternative")
