"""One page of a data extension's rows, filtered and ordered in SQL (the REST rowset read).

Rows are JSON documents in ``de_row.row`` keyed by their column names; a condition compares one column's
value typed by its kind, so SQLite does the filtering, ordering and paging and only one page of rows
leaves the database. The condition tree is plain data built by the domain (no SQL outside the store):

    ("and" | "or", [node, ...])  ·  ("not", node)  ·  ("cmp", column, kind, op, value)

``kind`` is 'int', 'float', 'bool', 'datetime' or 'string'; ``op`` one of eq ne gt ge lt le like;
``value`` is already in the kind's comparable form (int, float, "True"/"False", ISO datetime text, text).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .db import Store

Node = tuple[Any, ...]
_OPS = {"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
# The stored form of a Date value (data_extensions.sfmc_date): M/D/YYYY h:mm:ss AM
_STORED_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ([AP])M$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def _date_key(text: str | None) -> str | None:
    """A stored Date value as sortable ISO text (SQL function ``de_date``); None for anything else."""
    match = _STORED_DATE.match(text or "")
    if match is None:  # rows seeded straight into the table may hold ISO dates
        return text[:19] if text and _ISO_DATE.match(text) else None
    month, day, year, hour, minute, second, half = match.groups()
    hour_n = int(hour) % 12 + (12 if half == "P" else 0)
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}T{hour_n:02d}:{minute}:{second}"


@dataclass
class RowPage:
    total: int | None  # how many rows match (None when the caller already knew)
    rows: list[dict[str, Any]] = field(default_factory=list)
    last_pk: int | None = None  # where a keyset continuation of this page starts


class DERowPages:
    def __init__(self, store: Store) -> None:
        self.store = store
        with store.reading() as conn:  # per connection; registering twice just replaces it
            conn.create_function("de_date", 1, _date_key, deterministic=True)

    @staticmethod
    def _value(column: str, kind: str) -> str:
        path = "$." + json.dumps(column)  # a quoted JSON path member: any column name is safe
        raw = f"json_extract(row, '{path.replace(chr(39), chr(39) * 2)}')"
        if kind == "int":
            return f"CAST({raw} AS INTEGER)"
        if kind == "float":
            return f"CAST({raw} AS REAL)"
        if kind == "datetime":
            return f"de_date({raw})"
        return raw

    def _where(self, node: Node, args: list[Any]) -> str:
        tag = node[0]
        if tag in ("and", "or"):
            parts = [self._where(child, args) for child in node[1]]
            return "(" + f" {tag.upper()} ".join(parts) + ")" if parts else "1"
        if tag == "not":
            return f"(NOT {self._where(node[1], args)})"
        _, column, kind, op, value = node
        expr = self._value(column, kind)
        if value is None:  # eq null / ne null: has (no) value
            nothing = f"({expr} IS NULL OR {expr} = '')"
            return nothing if op == "eq" else f"(NOT {nothing})"
        args.append(value)
        if op == "like":
            return f"({expr} LIKE ? ESCAPE '\\')"
        collate = " COLLATE NOCASE" if kind in ("string", "bool") else ""
        if op == "ne":  # a row without a value differs from any value, as SQL Server's <> does not; SFMC keeps it
            return f"({expr} IS NULL OR {expr}{collate} <> ?)"
        return f"({expr}{collate} {_OPS[op]} ?)"

    def page(self, mid: int, de_key: str, where: Node | None, order: list[tuple[str, str, bool]],
             limit: int, offset: int, *, after: int | None = None, count: bool = True) -> RowPage:
        """Rows ``offset``..``offset+limit`` matching ``where`` in ``order`` ((column, kind, descending)
        pairs, then insertion order), and (``count``) how many match in all. ``after`` (insertion order
        only): the rows after that pk instead of an offset, a range read through the (mid, de_key) index."""
        args: list[Any] = [mid, de_key]
        condition = f" AND {self._where(where, args)}" if where else ""
        ordering = [f"{self._value(c, k)}{' COLLATE NOCASE' if k == 'string' else ''} {'DESC' if d else 'ASC'}"
                    for c, k, d in order] + ["pk"]
        base = f"FROM de_row WHERE mid=? AND de_key=?{condition}"
        with self.store.reading() as conn:
            total = conn.execute(f"SELECT COUNT(*) {base}", args).fetchone()[0] if count else None
            if after is not None and not order:
                rows = conn.execute(f"SELECT pk, row {base} AND pk > ? ORDER BY pk LIMIT ?",
                                    (*args, after, limit)).fetchall()
            elif total is None or total > offset:
                rows = conn.execute(f"SELECT pk, row {base} ORDER BY {', '.join(ordering)} LIMIT ? OFFSET ?",
                                    (*args, limit, offset)).fetchall()
            else:
                rows = []
        return RowPage(total=total, rows=[json.loads(r["row"]) for r in rows],
                       last_pk=rows[-1]["pk"] if rows else None)
