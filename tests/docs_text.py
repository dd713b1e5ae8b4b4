"""Reading the README and the docs/ pages: sections by their `<!-- section: NAME -->` markers, code blocks,
and the blocks marked `<!-- runnable -->` that tests/docs/test_docs.py executes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"

# A fence with its language, optionally preceded by a runnable marker and followed by its shown output.
_BLOCK = re.compile(
    r"(?:<!-- runnable(?P<flag>: *slow)? -->\n)?```(?P<lang>[\w-]*)\n(?P<code>.*?)```\n"
    r"(?:\n(?:It prints[^\n]*:\n\n)?```text\n(?P<output>.*?)```\n)?",
    re.S)


def pages() -> list[Path]:
    """README.md and every Markdown page of the docs site."""
    return [README, *sorted(DOCS.rglob("*.md"))]


def section(name: str) -> str:
    """The text from a section marker to the next marker (or the end of its file), wherever it lives."""
    marker = f"<!-- section: {name} -->"
    found = [page for page in pages() if marker in page.read_text()]
    assert len(found) == 1, f"section {name!r} is in {found} (expected exactly one page)"
    text = found[0].read_text()
    start = text.index(marker)
    end = text.find("<!-- section: ", start + len(marker))
    return text[start:end if end > 0 else None]


def blocks(text: str, language: str) -> list[str]:
    return [m.group("code") for m in _BLOCK.finditer(text) if m.group("lang") == language]


@dataclass(frozen=True)
class Runnable:
    page: str        # path relative to the repository
    index: int       # position among the page's runnable blocks
    language: str    # python or bash
    code: str
    output: str | None  # the output shown right after it, if any (`...` matches anything)
    slow: bool

    @property
    def id(self) -> str:
        return f"{self.page}#{self.index}"


def runnable_blocks() -> list[Runnable]:
    found = []
    for page in pages():
        text = page.read_text()
        index = 0
        for m in _BLOCK.finditer(text):
            if "<!-- runnable" not in m.group(0).split("```", 1)[0]:
                continue
            found.append(Runnable(str(page.relative_to(ROOT)), index, m.group("lang"), m.group("code"),
                                  m.group("output"), bool(m.group("flag"))))
            index += 1
    return found


def matches_shown_output(shown: str, actual: str) -> bool:
    """The shown output equals the actual one, line ends trimmed, `...` standing for any text."""
    def tidy(text: str) -> str:
        return "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip())
    pattern = ".*?".join(re.escape(part) for part in tidy(shown).split("..."))
    return re.fullmatch(pattern, tidy(actual), re.S) is not None
