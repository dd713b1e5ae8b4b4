"""Content Builder search syntax -> the store's condition trees (store/document_query.py).

- `$filter` on GET lists: ``<property> <op> <value>`` with op eq, neq, lt, lte, gt, gte, like (the
  documented operators; AND/OR are the query body's, the docs send them there) [doc:assetSimpleQuery];
- the query body of POST /asset/v1/content/assets/query: simple queries ``{property, simpleOperator,
  value}`` and compound ones ``{leftOperand, logicalOperator, rightOperand}`` [doc:assetAdvancedQuery];
- `$orderBy` ``"name asc, id desc"`` and the body's ``sort: [{property, direction}]``.

Property names match case-insensitively (the docs write both ``Name`` and ``name``). Dates compare as
timestamps (SFMC's zone-less dates are Central time).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ...clock import SFMC_TZ
from .. import codes
from ..errors import Invalid

Path = tuple[str, ...]
MAX_DEPTH = 16
MAX_PAGE_SIZE = 2500  # SFMC pages Content Builder at most this many per page (an inference; larger refused)
DATE_PATHS = {("createdDate",), ("modifiedDate",)}

SIMPLE = {"equal": "eq", "notequal": "neq", "lessthan": "lt", "lessthanorequal": "lte", "greaterthan": "gt",
          "greaterthanorequal": "gte", "like": "like", "contains": "like", "startswith": "startswith",
          "isnull": "isnull", "isnotnull": "notnull", "in": "in", "mustcontain": "mustcontain"}
NUMERIC_ONLY = {"lt", "lte", "gt", "gte"}
_FILTER = re.compile(r"^\s*([A-Za-z][\w.]*)\s+(eq|neq|ne|lt|lte|gt|gte|like)\s+"
                     r"('(?:[^']|'')*'|-?\d+(?:\.\d+)?|true|false)\s*$", re.IGNORECASE)


def bad(message: str) -> Invalid:
    return Invalid(message, code=codes.REST.INVALID_VALUE)


def field(properties: dict[str, Path], name: Any) -> Path:
    if not isinstance(name, str) or name.lower() not in properties:
        raise bad(f"Unknown property '{name}': use one of {', '.join(sorted(set('.'.join(p) for p in properties.values())))}.")
    return properties[name.lower()]


def _value(path: Path, op: str, value: Any) -> Any:
    if op in ("isnull", "notnull"):
        return None
    if op in ("in",):
        if not isinstance(value, list) or not value or len(value) > 500:
            raise bad("The 'in' operator needs a list of 1 to 500 values.")
        return [_value(path, "eq", v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise bad(f"Invalid value for {'.'.join(path)}.")
    if path in DATE_PATHS:
        if not isinstance(value, str):
            raise bad("Dates compare with a date string.")
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            raise bad(f"'{value}' is not a date.") from None
        return (when if when.tzinfo else when.replace(tzinfo=SFMC_TZ)).timestamp()
    if op in NUMERIC_ONLY and not isinstance(value, int | float):
        raise bad(f"'{op}' compares numbers only.")
    if isinstance(value, float) and value != value:  # NaN never compares
        raise bad("Invalid number.")
    if isinstance(value, int) and abs(value) > 2**63 - 1:
        raise bad("Number out of range.")
    if isinstance(value, str) and len(value) > 4000:
        raise bad("Value too long.")
    return value


def parse_filter(properties: dict[str, Path], text: str | None) -> tuple | None:
    """A `$filter` expression (one comparison) as a condition; None for no filter."""
    if text is None or not text.strip():
        return None
    if len(text) > 4000:
        raise bad("$filter is too long.")
    match = _FILTER.match(text)
    if match is None:
        raise bad("$filter must be '<property> <eq|neq|lt|lte|gt|gte|like> <value>' (strings in single "
                  "quotes); AND and OR queries go to POST /asset/v1/content/assets/query.")
    path = field(properties, match.group(1))
    op = {"ne": "neq"}.get(match.group(2).lower(), match.group(2).lower())
    raw = match.group(3)
    if raw.startswith("'"):
        value: Any = raw[1:-1].replace("''", "'")
    elif raw.lower() in ("true", "false"):
        value = raw.lower() == "true"
        return ("cmp", path, op, value) if op in ("eq", "neq") else _raise(bad("Booleans compare with eq/neq."))
    else:
        value = float(raw) if "." in raw else int(raw)
    return ("cmp", path, op, _value(path, op, value))


def _raise(error: Exception):
    raise error


def parse_query(properties: dict[str, Path], query: Any, depth: int = 0) -> tuple:
    """The `query` object of an asset query body as a condition."""
    if depth > MAX_DEPTH:
        raise bad("The query is nested too deeply.")
    if not isinstance(query, dict):
        raise bad("query must be an object.")
    if "leftOperand" in query or "rightOperand" in query or "logicalOperator" in query:
        logical = query.get("logicalOperator")
        if not isinstance(logical, str) or logical.upper() not in ("AND", "OR"):
            raise bad("logicalOperator must be AND or OR.")
        return (logical.lower(), parse_query(properties, query.get("leftOperand"), depth + 1),
                parse_query(properties, query.get("rightOperand"), depth + 1))
    path = field(properties, query.get("property"))
    operator = query.get("simpleOperator")
    if not isinstance(operator, str) or operator.lower() not in SIMPLE:
        raise bad(f"simpleOperator must be one of {', '.join(sorted(SIMPLE))}.")
    op = SIMPLE[operator.lower()]
    if op == "mustcontain":  # every word must appear
        value = query.get("value")
        if not isinstance(value, str) or not value.split():
            raise bad("mustcontain needs words to look for.")
        words = value.split()[:20]
        condition: tuple = ("cmp", path, "like", words[0])
        for word in words[1:]:
            condition = ("and", condition, ("cmp", path, "like", word))
        return condition
    return ("cmp", path, op, _value(path, op, query.get("value")))


def parse_order(properties: dict[str, Path], text: str | None, default: Path) -> list[tuple[Path, bool]]:
    """`$orderBy` text: comma-separated ``property [asc|desc]``."""
    if text is None or not text.strip():
        return [(default, False)]
    order = []
    for part in text.split(",")[:5]:
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise bad(f"$orderBy must be '<property> [asc|desc]', not '{part.strip()}'.")
        order.append((field(properties, words[0]), len(words) == 2 and words[1].lower() == "desc"))
    return order


def parse_sort(properties: dict[str, Path], sort: Any, default: Path) -> list[tuple[Path, bool]]:
    if sort is None:
        return [(default, False)]
    if not isinstance(sort, list) or len(sort) > 5:
        raise bad("sort must be a list of at most 5 {property, direction} objects.")
    order = []
    for item in sort:
        if not isinstance(item, dict):
            raise bad("sort items are {property, direction} objects.")
        direction = item.get("direction", "ASC")
        if not isinstance(direction, str) or direction.upper() not in ("ASC", "DESC"):
            raise bad("sort direction must be ASC or DESC.")
        order.append((field(properties, item.get("property")), direction.upper() == "DESC"))
    return order or [(default, False)]


def paging(page: Any, page_size: Any, default_size: int = 50) -> tuple[int, int]:
    """($page, $pageSize) from query-string text or body numbers: positive whole numbers."""
    def number(value: Any, name: str, default: int, top: int) -> int:
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise bad(f"{name} must be a positive whole number.")
        try:
            parsed = int(value) if isinstance(value, int | str) else int(value) if float(value).is_integer() else -1
        except (TypeError, ValueError, OverflowError):
            raise bad(f"{name} must be a positive whole number.") from None
        if parsed < 1 or parsed > top:
            raise bad(f"{name} must be between 1 and {top}.")
        return parsed
    return number(page, "$page", 1, 10**6), number(page_size, "$pageSize", default_size, MAX_PAGE_SIZE)
