"""Filtered, ordered, paged reads of REST documents (Content Builder assets and categories, campaigns):
the SQL behind `$filter`, `$orderBy`, the asset query body and paging, one page at a time.

A condition is plain data the domain builds: ``("cmp", path, op, value)`` with `path` a tuple of JSON
field names (``("assetType", "id")``), or ``("and"|"or", left, right)``. Values are always bound
parameters; paths are checked against NAME here as well as by the domain.
"""

from __future__ import annotations

import re
from typing import Any

from .db import Store
from .rest_documents import Document, _document

Condition = tuple
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
# Top-level fields kept in columns rather than in the JSON (dates order and compare as timestamps).
COLUMN_PATHS = {("createdDate",): "created", ("modifiedDate",): "modified"}
COMPARE = {"eq": "=", "neq": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
MAX_IN = 500


def _expr(path: tuple[str, ...]) -> tuple[str, list[Any]]:
    """The SQL for a field. The JSON path is written into the SQL (NAME admits letters, digits and `_`
    only) rather than bound, so SQLite can use the expression indexes of db.py's v7 migration."""
    if path in COLUMN_PATHS:
        return COLUMN_PATHS[path], []
    if not path or not all(NAME.match(part) for part in path):
        raise ValueError(f"bad field path {path!r}")
    return f"json_extract(data, '$.{'.'.join(path)}')", []


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def compile_condition(cond: Condition) -> tuple[str, list[Any]]:
    """SQL (with ? parameters) for a condition tree."""
    kind = cond[0]
    if kind in ("and", "or"):
        left, largs = compile_condition(cond[1])
        right, rargs = compile_condition(cond[2])
        return f"({left} {kind.upper()} {right})", largs + rargs
    _, path, op, value = cond
    expr, args = _expr(path)
    if op in COMPARE:
        if isinstance(value, str) and op in ("eq", "neq"):  # string equality ignores case, as SFMC's does
            return f"(lower({expr}) {COMPARE[op]} lower(?))", [*args, value]
        sql = f"({expr} {COMPARE[op]} ?)"
        return (f"({expr} IS NOT NULL AND {sql[1:-1]})" if op == "neq" else sql), [*args, value]
    if op == "like":
        return f"({expr} LIKE ? ESCAPE '\\')", [*args, f"%{_escape_like(str(value))}%"]
    if op == "startswith":
        return f"({expr} LIKE ? ESCAPE '\\')", [*args, f"{_escape_like(str(value))}%"]
    if op == "in":
        values = list(value)[:MAX_IN]
        if not values:
            return "(0)", []
        return f"({expr} IN ({','.join('?' * len(values))}))", [*args, *values]
    if op == "isnull":
        return f"({expr} IS NULL)", args
    if op == "notnull":
        return f"({expr} IS NOT NULL)", args
    raise ValueError(f"unknown operator {op!r}")


class DocumentQuery:
    """Pages of one kind of REST document in a business unit."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def page(self, mid: int, kind: str, where: Condition | None, order: list[tuple[tuple[str, ...], bool]],
             limit: int, offset: int) -> tuple[list[Document], int]:
        """(documents of the page, total matching). `order`: (path, descending) pairs; ties by pk."""
        sql, args = "mid=? AND kind=?", [mid, kind]
        if where is not None:
            cond, cargs = compile_condition(where)
            sql, args = f"{sql} AND {cond}", args + cargs
        order_sql, order_args = [], []
        for path, desc in order:
            expr, eargs = _expr(path)
            order_sql.append(f"{expr} {'DESC' if desc else 'ASC'}")
            order_args += eargs
        # ties by pk in the first key's direction, so an index on (mid, kind, key) serves the whole order
        order_sql.append("pk DESC" if order and order[0][1] else "pk")
        with self.store.reading() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM rest_object WHERE {sql}", args).fetchone()[0]
            rows = conn.execute(f"SELECT * FROM rest_object WHERE {sql} ORDER BY {', '.join(order_sql)} "
                                "LIMIT ? OFFSET ?", [*args, *order_args, limit, offset]).fetchall()
        return [_document(r) for r in rows], total

    def exists(self, mid: int, kind: str, where: Condition) -> bool:
        cond, args = compile_condition(where)
        with self.store.reading() as conn:
            return conn.execute(f"SELECT 1 FROM rest_object WHERE mid=? AND kind=? AND {cond} LIMIT 1",
                                [mid, kind, *args]).fetchone() is not None
