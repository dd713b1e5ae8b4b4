"""What a mail viewer tells about a rendered message: its links, the HTML that breaks in mail clients, its
RFC 822 headers, and its HTML with remote images held back. Pure functions over strings (no store, no
Flask), so each check is unit-tested on its own."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

UNRESOLVED = re.compile(r"%%[^%\s<>]{1,100}%%")
CLICK_PATH = "/_emulator/click"
# Points each HTML problem costs, out of 100 (scripts and forms are stripped by nearly every client).
WEIGHTS = {"script": 30, "form": 20, "external-css": 15, "event-handler": 15, "embed": 15,
           "unresolved": 15, "missing-alt": 5, "broken-link": 5}
LABELS = {
    "script": "<script> elements (removed by mail clients)",
    "form": "<form> elements (most clients disable them)",
    "external-css": "external style sheets (<link rel=stylesheet>, @import)",
    "event-handler": "on… event handler attributes",
    "embed": "<iframe>, <object> or <embed> elements",
    "unresolved": "unresolved %%personalisation%% strings",
    "missing-alt": "images without alt text",
    "broken-link": "links that would break",
}
PLACEHOLDER = ("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='120' height='60'%3E"
               "%3Crect width='100%25' height='100%25' fill='%23e8ebf2' stroke='%23a0a8b8' stroke-dasharray='4'/%3E"
               "%3Ctext x='50%25' y='55%25' font-size='11' text-anchor='middle' fill='%23667085'%3Eremote image"
               "%3C/text%3E%3C/svg%3E")
_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])(https?://[^"']*)\2""", re.I)


@dataclass
class Link:
    text: str
    href: str
    target: str  # where it finally goes (the original URL of a tracked link)
    tracked: str | None  # the click-tracking URL, when the link is wrapped
    problems: list[str] = field(default_factory=list)


@dataclass
class Check:
    score: int
    findings: list[dict[str, object]]  # {"rule", "label", "count", "examples"}
    images: int = 0
    remote_images: int = 0


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.counts: dict[str, list[str]] = {}
        self.images = self.remote_images = 0
        self._open: list[tuple[str, list[str]]] = []  # (href, text parts) of the <a> being read

    def _note(self, rule: str, example: str) -> None:
        self.counts.setdefault(rule, []).append(example[:120])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): v or "" for k, v in attrs}
        for name in a:
            if name.startswith("on"):
                self._note("event-handler", f"<{tag} {name}>")
        if tag == "script":
            self._note("script", "<script>")
        elif tag == "form":
            self._note("form", f"<form action={a.get('action', '')!r}>")
        elif tag in ("iframe", "object", "embed"):
            self._note("embed", f"<{tag}>")
        elif tag == "link" and "stylesheet" in a.get("rel", "").lower():
            self._note("external-css", a.get("href", ""))
        elif tag == "img":
            self.images += 1
            if a.get("src", "").lower().startswith(("http://", "https://")):
                self.remote_images += 1
            if "alt" not in a:
                self._note("missing-alt", a.get("src", "") or "<img>")
        elif tag == "a":
            self._open.append((a.get("href") if "href" in a else None, []))  # type: ignore[arg-type]

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][1].append(data)
        if self.lasttag == "style" and "@import" in data:
            self._note("external-css", "@import")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self.handle_endtag("a")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            href, parts = self._open.pop()
            if href is not None:
                self.links.append(link(" ".join("".join(parts).split()), href))


def link(text: str, href: str) -> Link:
    """One link: where it goes, its tracking wrapper, and what would break it."""
    href = href.strip()
    target, tracked = href, None
    parts = urlsplit(href)
    if parts.path.endswith(CLICK_PATH) and "url" in parse_qs(parts.query):
        tracked, target = href, parse_qs(parts.query)["url"][0]
    problems = []
    if not target:
        problems.append("empty link")
    elif target.lower().startswith("javascript:"):
        problems.append("javascript: link")
    elif not re.match(r"^(https?|mailto|tel|sms):", target, re.I) and not UNRESOLVED.search(target):
        problems.append("not an absolute http(s), mailto or tel link")
    if UNRESOLVED.search(target):
        problems.append("unresolved personalisation")
    if not text:
        problems.append("no link text")
    return Link(text=text, href=href, target=target, tracked=tracked, problems=problems)


def scan(html: str | None) -> _Scan:
    parser = _Scan()
    parser.feed(html or "")
    parser.close()
    return parser


def links(html: str | None) -> list[Link]:
    return scan(html).links


def check(html: str | None, text: str | None = None, subject: str | None = None) -> Check:
    """The HTML check: each rule found, how often, a few examples, and a score out of 100."""
    found = scan(html)
    counts = dict(found.counts)
    unresolved = [m.group(0) for part in (subject, html, text) for m in UNRESOLVED.finditer(part or "")]
    if unresolved:
        counts["unresolved"] = unresolved
    broken = [f"{lk.target or '(empty)'}: {', '.join(lk.problems)}" for lk in found.links if lk.problems]
    if broken:
        counts["broken-link"] = broken
    findings = [{"rule": rule, "label": LABELS[rule], "count": len(counts[rule]),
                 "examples": sorted(set(counts[rule]))[:5]} for rule in WEIGHTS if rule in counts]
    score = max(0, 100 - sum(WEIGHTS[f["rule"]] for f in findings))  # type: ignore[index]
    return Check(score=score, findings=findings, images=found.images, remote_images=found.remote_images)


def hold_remote_images(html: str) -> str:
    """The HTML with every remote <img src> replaced by a local placeholder (the original kept in data-src)."""
    return _IMG_SRC.sub(lambda m: f'{m.group(1)}{m.group(2)}{PLACEHOLDER}{m.group(2)} data-src='
                                  f'{m.group(2)}{m.group(3)}{m.group(2)}', html)


def headers(eml: bytes) -> list[tuple[str, str]]:
    """The RFC 822 message's top-level headers, in order, as (name, value)."""
    message = message_from_bytes(eml, policy=policy.default)
    return [(name, str(value)) for name, value in message.items()]
