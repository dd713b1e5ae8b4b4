"""Personalization: what a message would look like for one recipient.

Supports SFMC personalization strings (``%%FirstName%%``, ``%%emailaddr%%``, ``%%subscriberkey%%``,
``%%_subscriberkey%%``, any attribute or data-extension column; names are case-insensitive) and the
AMPscript inline form ``%%=v(@name)=%%`` / ``%%=AttributeValue("name")=%%`` for attribute look-ups.
Unknown names render empty, as SFMC does for an empty attribute.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

_PERSONALIZATION = re.compile(r"%%(?:=\s*(?:v\(\s*@|AttributeValue\(\s*[\"'])([\w .-]+?)[\"']?\s*\)\s*=|([\w .-]+))%%")

ALIASES = {
    "emailaddr": "EmailAddress",
    "email address": "EmailAddress",
    "_subscriberkey": "SubscriberKey",
    "subscriberkey": "SubscriberKey",
    "_emailid": "EmailID",
    "jobid": "JobID",
    "_messagecontext": "MessageContext",
}


def lookup_table(values: Mapping[str, Any]) -> dict[str, str]:
    """Case-insensitive view of substitution values, aliases included."""
    table = {str(k).casefold(): "" if v is None else str(v) for k, v in values.items()}
    for alias, target in ALIASES.items():
        if alias not in table and target.casefold() in table:
            table[alias] = table[target.casefold()]
    return table


def render(template: str | None, values: Mapping[str, Any] | dict[str, str]) -> str:
    if not template:
        return ""
    table = values if isinstance(values, dict) and all(k == k.casefold() for k in values) else lookup_table(values)

    def substitute(match: re.Match[str]) -> str:
        name = (match.group(1) or match.group(2) or "").strip().casefold()
        return table.get(name, "")

    return _PERSONALIZATION.sub(substitute, template)


_LINK = re.compile(r'href\s*=\s*"(https?://[^"]+)"', re.IGNORECASE)


def wrapped_link(ref: str, url: str) -> str:
    """The query wrap_links gives the redirect of `url` in message `ref` (how a followed link is checked)."""
    return f'ref={_quoted(ref, "/")}&url={_quoted(url, "")}'


def wrap_links(html: str, base_url: str, job_ref: str) -> str:
    """What options.trackLinks / link tracking does to a message: every http(s) link goes through a
    click-tracking redirect (shown in the outbox; the emulator's /_emulator/click route records a ClickEvent
    for message `job_ref` and redirects). The emulator's own links (unsubscribe, profile center) stay."""
    own = f"{base_url}/_emulator/"
    prefix = f'href="{base_url}/_emulator/click?'

    def wrap(m: re.Match[str]) -> str:
        if m.group(1).startswith(own):
            return m.group(0)
        return f'{prefix}{wrapped_link(job_ref, m.group(1))}"'

    return _LINK.sub(wrap, html) if "href" in html else html


@lru_cache(maxsize=4096)
def _quoted(text: str, safe: str) -> str:
    """URL-quoting, cached: a send's recipients share most of their links."""
    from urllib.parse import quote

    return quote(text, safe=safe)


_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def add_open_pixel(html: str, base_url: str, ref: str) -> str:
    """The open-tracking image SFMC puts at the end of an HTML body: fetching it records an OpenEvent. Only
    an HTML document with a body element gets one (a bare fragment is left as written)."""
    from urllib.parse import quote

    ends = list(_BODY_END.finditer(html))
    if not ends:
        return html
    match = ends[-1]
    pixel = (f'<img src="{base_url}/_emulator/open/{quote(ref, safe="")}.gif" width="1" height="1" alt=""'
             ' style="display:block;border:0" />')
    return html[:match.start()] + pixel + html[match.start():]


# Personalization strings only the delivery path can fill (they name the outbox message, whose id is known
# once it is written): a Template keeps them as `%%name%%` and delivery.py replaces them (engagement links).
LATE_BOUND = ("unsub_center_url", "profile_center_url", "subscription_center_url")


_ANCHOR = re.compile(r"<a\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""\b(href|alias)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def tracked_links(html: str) -> list[tuple[str, str | None]]:
    """The links of an email SFMC tracks (LinkSend): each distinct http(s) href of an <a> tag, in order,
    with the tag's `alias` attribute (SFMC's link name) if it has one."""
    seen: dict[str, str | None] = {}
    for tag in _ANCHOR.findall(html):
        attrs = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(tag)}
        url = (attrs.get("href") or "").strip()
        if url.lower().startswith(("http://", "https://")) and url not in seen:
            seen[url] = attrs.get("alias") or None
    return list(seen.items())


class Template:
    """`render` split once per send: `fill(table)` for a `lookup_table`-style table (fast per recipient);
    `names` maps each referenced personalization name (casefolded) to its spelling in the template. The
    `LATE_BOUND` names stay in the text as `%%name%%` (lower case) for the delivery path to fill."""

    def __init__(self, template: str | None) -> None:
        self.parts: list[str | tuple[str]] = []
        self.names: dict[str, str] = {}
        last = 0
        for match in _PERSONALIZATION.finditer(template or ""):
            name = (match.group(1) or match.group(2) or "").strip()
            self.parts.append(template[last:match.start()])
            if name.casefold() in LATE_BOUND:
                self.parts.append(f"%%{name.casefold()}%%")
                last = match.end()
                continue
            self.parts.append((name.casefold(),))
            self.names.setdefault(name.casefold(), name)
            last = match.end()
        self.parts.append((template or "")[last:])

    def fill(self, table: dict[str, str]) -> str:
        return "".join(p if isinstance(p, str) else table.get(p[0], "") for p in self.parts)

    __call__ = fill


# %%=ContentBlockByKey("k")=%%, ...ByName("Content Builder\\folder\\name")=%%, ...ById(123)=%%
_BLOCK = re.compile(r"""%%=\s*ContentBlockBy(Key|Name|Id)\(\s*(?:"([^"]*)"|'([^']*)'|(\d+))\s*\)\s*=%%""",
                    re.IGNORECASE)
MAX_BLOCK_DEPTH = 10
MAX_BLOCK_INCLUDES = 200  # per template: blocks that fan out cannot multiply without end


def resolve_content_blocks(template: str | None, fetch: Callable[[str, str], str | None]) -> str:
    """Replace every ContentBlockBy* call with the block's content, blocks inside blocks included.
    `fetch(by, ref)` (by: key, name or id) gives the content or None. A block that includes itself (at
    any distance), a missing block, nesting past MAX_BLOCK_DEPTH or includes past MAX_BLOCK_INCLUDES
    render empty: never a loop."""
    budget = [MAX_BLOCK_INCLUDES]

    def expand(text: str, path: tuple[tuple[str, str], ...]) -> str:
        if "%%" not in text:
            return text

        def include(match: re.Match[str]) -> str:
            by = match.group(1).lower()
            ref = next(g for g in match.groups()[1:] if g is not None)
            seen = (by, ref.casefold())
            if seen in path or len(path) >= MAX_BLOCK_DEPTH or budget[0] <= 0:
                return ""
            budget[0] -= 1
            content = fetch(by, ref)
            return "" if content is None else expand(content, (*path, seen))

        return _BLOCK.sub(include, text)

    return expand(template or "", ())


def compile_template(template: str | None, blocks: Callable[[str, str], str | None] | None = None) -> Template:
    """`blocks`: the content-block fetcher of the sending BU; its blocks are included before compiling."""
    return Template(resolve_content_blocks(template, blocks) if blocks is not None else template)


_TAG = re.compile(r"<[^>]+>")


def html_to_text(html: str) -> str:
    """The text part SFMC derives for a multipart send without a text body (tags dropped)."""
    return re.sub(r"[ \t]+\n", "\n", _TAG.sub("", html)).strip()
