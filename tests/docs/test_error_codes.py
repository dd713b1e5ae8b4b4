"""docs/error-codes.md against the code tables (emulator/domain/codes.py): every code the emulator can answer
is documented, and every documented code is one the emulator has (the tables are the source; the page says
when each is answered)."""

from __future__ import annotations

import re
from pathlib import Path

from emulator.domain import codes

PAGE = Path(__file__).resolve().parents[2] / "docs" / "error-codes.md"
# The first cell of a table row: one or more numbers separated by " / " (e.g. "| 42001 / 42002 | ...").
_ROW = re.compile(r"^\|\s*([0-9][0-9 /–-]*)\s*\|", re.M)


def documented() -> set[int]:
    found: set[int] = set()
    for cell in _ROW.findall(PAGE.read_text(encoding="utf-8")):
        for part in cell.split("/"):
            bounds = [int(n) for n in re.findall(r"\d+", part)]
            if len(bounds) == 2 and "–" in part or "-" in part.strip("- "):
                found.update(range(bounds[0], bounds[1] + 1))
            else:
                found.update(bounds)
    return found


def answered() -> set[int]:
    return {number for family in codes.FAMILIES for number, _name, _message in codes.table(family)}


def test_every_code_in_the_tables_is_documented() -> None:
    missing = sorted(answered() - documented())
    assert missing == [], f"add a row for each to docs/error-codes.md: {missing}"


def test_every_documented_code_is_in_the_tables() -> None:
    unknown = sorted(documented() - answered() - {401})  # 401: the admin API's own errorcode (an HTTP status)
    assert unknown == [], f"docs/error-codes.md names codes the emulator never answers: {unknown}"
