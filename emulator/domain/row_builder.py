"""An import's row builder: data_extensions.build_columns then key_of for every record of a file, with each
column's validator and the key's columns resolved once per import rather than once per value. Any value
off the common path goes through data_extensions itself, so every answer and refusal is its own."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from .data_extensions import (
    DEFAULT_TEXT_LENGTH,
    FIXED_LENGTHS,
    Column,
    DESchema,
    RowRejected,
    build_columns,
    coerce,
    key_of,
)

# Kinds whose values coerce checks beyond their length (every other kind is text with a limit).
_CHECKED_KINDS = frozenset({"Number", "Decimal", "Boolean", "Date", "EmailAddress", "Phone"})


def coercer(column: Column) -> Callable[[Any], str | None]:
    """coerce(column, ·) specialised once for a column (an import coerces every value of a file): a plain
    text value within its length is itself, a date's text is converted once per distinct text; anything
    else goes through coerce, which gives its exact answer or refusal."""
    if column.type not in _CHECKED_KINDS:
        limit = column.max_length or FIXED_LENGTHS.get(column.type) or DEFAULT_TEXT_LENGTH

        def text(raw: Any) -> str | None:
            if raw.__class__ is str and 0 < len(raw) <= limit:
                return raw
            return coerce(column, raw)

        return text
    if column.type == "Date":
        converted = lru_cache(maxsize=4096)(lambda text: coerce(column, text))  # a refusal is not cached

        def date(raw: Any) -> str | None:
            return converted(raw) if raw.__class__ is str else coerce(column, raw)

        return date
    return lambda raw: coerce(column, raw)


class _SlowPath(Exception):
    """A value the fast row builder leaves to build_columns (its wording of every refusal)."""


def row_builder(schema: DESchema, targets: list[tuple[int, Column]]
                ) -> Callable[[list[str]], tuple[dict[str, Any], str | None]]:
    """(row, primary-key value) of a file record whose field `index` holds `column`'s value, for each
    (index, column) of `targets`: build_columns then key_of (their results and their RowRejected), with the
    columns' coercers and the key's columns resolved once rather than per row."""
    compiled = [(index, column.name, coercer(column), column.required) for index, column in targets]
    primary = [column.name for column in schema.primary]

    def build(record: list[str]) -> tuple[dict[str, Any], str | None]:
        row: dict[str, Any] = {}
        try:
            for index, name, convert, required in compiled:
                value = convert(record[index])
                if value is None and required:
                    raise _SlowPath
                row[name] = value
            if not primary:
                return row, None
            parts = []
            for name in primary:
                value = row.get(name)
                if value is None:
                    raise _SlowPath
                parts.append(value.casefold())
            return row, "|".join(parts)
        except (RowRejected, _SlowPath):
            row = build_columns(schema, [(column, record[index]) for index, column in targets],
                                fill_defaults=False)
            return row, key_of(schema, row)

    return build
