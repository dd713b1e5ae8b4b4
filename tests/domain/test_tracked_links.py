"""render.tracked_links: the links of an email a send tracks (LinkSend)."""

from __future__ import annotations

from emulator.domain.render import tracked_links


def test_distinct_http_links_in_order_with_their_alias():
    html = ('<a class="x" alias="Home" href="https://example.com/">h</a><A HREF=\'http://example.com/b\'>b</A>'
            '<a href="https://example.com/">again</a><a href="mailto:a@example.com">m</a><a name="top">t</a>'
            '<a href="%%=RedirectTo(@url)=%%">ampscript</a><img src="https://example.com/i.png">')
    assert tracked_links(html) == [("https://example.com/", "Home"), ("http://example.com/b", None)]
    assert tracked_links("") == []
