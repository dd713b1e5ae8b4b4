"""Retrieve filters and projection, shared by every object type.

A filter is the decoded ``SimpleFilterPart`` / ``ComplexFilterPart`` dict. Comparison follows SQL
Server's default collation as SFMC does: strings compare case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..clock import parse_datetime
from .errors import Invalid
from .schema import Schema

Row = dict[str, Any]
Predicate = Callable[[Row], bool]

SIMPLE_OPERATORS = {
    "equals", "notEquals", "greaterThan", "lessThan", "isNull", "isNotNull", "greaterThanOrEqual",
    "lessThanOrEqual", "between", "IN", "like", "existsInString", "existsInStringAsAWord",
    "notExistsInString", "beginsWith", "endsWith", "contains", "notContains", "isAnniversary",
    "isNotAnniversary", "greaterThanAnniversary", "lessThanAnniversary",
}


def get_path(row: Row, path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return value.casefold()
    return value


class FilterCompiler:
    """Turns a decoded filter into a predicate over stored rows of one type.

    ``kind_of(prop)`` tells how to compare a property ('int', 'float', 'bool', 'datetime' or 'string');
    it returns None for a property the type does not have.
    """

    def __init__(self, kind_of: Callable[[str], str | None]) -> None:
        self.kind_of = kind_of

    def compile(self, part: dict[str, Any] | None) -> Predicate:
        if not part:
            return lambda row: True
        part_type = part.get("__type__", "SimpleFilterPart")
        if part_type == "ComplexFilterPart":
            return self._complex(part)
        if part_type == "SimpleFilterPart":
            return self._simple(part)
        raise Invalid(f"Error: Filter type {part_type} is not supported for this retrieve.")

    def _complex(self, part: dict[str, Any]) -> Predicate:
        left = self.compile(part.get("LeftOperand"))
        right = self.compile(part.get("RightOperand"))
        extra = [self.compile(p) for p in (part.get("AdditionalOperands") or {}).get("Operand", [])]
        operator = (part.get("LogicalOperator") or "AND").upper()
        operands = [left, right, *extra]
        if operator == "OR":
            return lambda row: any(p(row) for p in operands)
        return lambda row: all(p(row) for p in operands)

    def _simple(self, part: dict[str, Any]) -> Predicate:
        prop = part.get("Property") or ""
        operator = part.get("SimpleOperator") or ""
        kind = self.kind_of(prop)
        if kind is None:
            raise Invalid(f"Error: The Filter Property '{prop}' is not a retrievable property.")
        if operator not in SIMPLE_OPERATORS:
            raise Invalid(f"Error: The SimpleOperator '{operator}' is not valid.")
        raw = list(part.get("DateValue") or []) or list(part.get("Value") or [])
        if operator in ("isNull", "isNotNull"):
            wants_null = operator == "isNull"
            return lambda row: (get_path(row, prop) in (None, "")) == wants_null
        if not raw:
            raise Invalid(f"Error: The filter on '{prop}' with operator '{operator}' needs a value.")
        if operator == "between" and len(raw) != 2:
            raise Invalid("Error: The 'between' operator requires exactly two values.")
        values = [self._coerce(kind, v, prop) for v in raw]
        first = values[0]

        def value_of(row: Row) -> Any:
            value = get_path(row, prop)
            if value is None or value == "":
                return None
            try:
                return self._coerce(kind, value, prop)
            except Invalid:
                return None

        text_ops: dict[str, Callable[[str, str], bool]] = {
            "like": lambda v, pattern: _like(v, pattern),
            "contains": lambda v, needle: needle in v,
            "existsInString": lambda v, needle: needle in v,
            "notContains": lambda v, needle: needle not in v,
            "notExistsInString": lambda v, needle: needle not in v,
            "existsInStringAsAWord": lambda v, needle: re.search(rf"\b{re.escape(needle)}\b", v) is not None,
            "beginsWith": lambda v, prefix: v.startswith(prefix),
            "endsWith": lambda v, suffix: v.endswith(suffix),
        }
        if operator in text_ops:
            test = text_ops[operator]
            needle = str(raw[0]).casefold()
            return lambda row: (v := get_path(row, prop)) is not None and test(str(v).casefold(), needle)
        if operator in ("isAnniversary", "isNotAnniversary", "greaterThanAnniversary", "lessThanAnniversary"):
            return self._anniversary(prop, operator, raw[0])
        comparisons: dict[str, Callable[[Any], bool]] = {
            "equals": lambda v: v == first,
            "notEquals": lambda v: v != first,
            "greaterThan": lambda v: v > first,
            "lessThan": lambda v: v < first,
            "greaterThanOrEqual": lambda v: v >= first,
            "lessThanOrEqual": lambda v: v <= first,
            "between": lambda v: values[0] <= v <= values[1],
            "IN": lambda v: v in values,
        }
        test = comparisons[operator]
        if operator == "notEquals":
            return lambda row: (v := value_of(row)) is None or test(v)
        return lambda row: (v := value_of(row)) is not None and _safe(test, v)

    def _anniversary(self, prop: str, operator: str, raw: Any) -> Predicate:
        target = self._coerce("datetime", raw, prop)

        def month_day(row: Row) -> tuple[int, int] | None:
            value = get_path(row, prop)
            if not value:
                return None
            try:
                stamp = self._coerce("datetime", value, prop)
            except Invalid:
                return None
            return (stamp.month, stamp.day)

        wanted = (target.month, target.day)
        tests = {
            "isAnniversary": lambda md: md == wanted,
            "isNotAnniversary": lambda md: md != wanted,
            "greaterThanAnniversary": lambda md: md > wanted,
            "lessThanAnniversary": lambda md: md < wanted,
        }
        test = tests[operator]
        return lambda row: (md := month_day(row)) is not None and test(md)

    @staticmethod
    def _coerce(kind: str, value: Any, prop: str) -> Any:
        try:
            if kind == "int":
                return int(value)
            if kind == "float":
                return float(value)
            if kind == "bool":
                if isinstance(value, bool):
                    return value
                return str(value).strip().lower() in ("true", "1")
            if kind == "datetime":
                if isinstance(value, datetime):
                    return value
                return parse_datetime(str(value))
        except (TypeError, ValueError, OverflowError) as exc:  # Overflow: a date past year 9999 in UTC
            raise Invalid(f"Error: The value '{value}' is not valid for the filter on '{prop}'.") from exc
        return _norm(str(value))


def _safe(test: Callable[[Any], bool], value: Any) -> bool:
    try:
        return test(value)
    except TypeError:
        return False


def _like(value: str, pattern: str) -> bool:
    # SFMC wraps a like value in %...% itself; explicit % and _ wildcards still work.
    if "%" not in pattern and "_" not in pattern:
        return pattern in value
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def schema_kind_of(schema: Schema, type_name: str) -> Callable[[str], str | None]:
    def kind_of(path: str) -> str | None:
        fields = schema.field_path(type_name, path)
        if fields is None:
            return None
        kind = schema.scalar_kind(fields[-1])
        return {"enum": "string", "complex": "string"}.get(kind, kind)

    return kind_of


def project(row: Row, properties: list[str]) -> Row:
    """Only the requested properties (dotted paths allowed) that have values."""
    if not properties:
        return row
    out: Row = {"__type__": row.get("__type__")} if "__type__" in row else {}
    for path in properties:
        head, _, rest = path.partition(".")
        value = row.get(head)
        if value is None or value == "" and head != path:
            continue
        if rest:
            if isinstance(value, dict):
                nested = project(value, [rest])
                if len(nested) > (1 if "__type__" in nested else 0):
                    merged = out.setdefault(head, {"__type__": value.get("__type__")} if "__type__" in value else {})
                    _merge(merged, nested)
            continue
        out[head] = value
    return out


def _merge(into: Row, other: Row) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


# -- what a filter lets the store narrow (the predicate above stays the authority) -------------------------
def required_parts(part: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The simple parts every matching row satisfies: the filter itself, or the operands of its ANDs."""
    if not part:
        return []
    if part.get("__type__") == "ComplexFilterPart":
        if (part.get("LogicalOperator") or "AND").upper() != "AND":
            return []
        operands = [part.get("LeftOperand"), part.get("RightOperand"),
                    *((part.get("AdditionalOperands") or {}).get("Operand") or [])]
        return [leaf for operand in operands for leaf in required_parts(operand)]
    return [part]


def required_values(part: dict[str, Any] | None, prop: str) -> list[str] | None:
    """The values `prop` must equal (an `equals` or `IN` the filter requires); None if it does not say."""
    found: list[str] | None = None
    for leaf in required_parts(part):
        if (leaf.get("Property") or "").casefold() != prop.casefold():
            continue
        values = [str(v) for v in leaf.get("Value") or []]
        if leaf.get("SimpleOperator") == "IN" or (leaf.get("SimpleOperator") == "equals" and len(values) == 1):
            found = values if found is None else [v for v in found if v in values]
    return found


def required_range(part: dict[str, Any] | None, prop: str, slack: float = 86_400.0
                   ) -> tuple[float | None, float | None] | None:
    """A loose [from, to] timestamp range a date property must fall in (widened by `slack` seconds so time
    zones never cut a row the predicate would keep); None if the filter does not bound it."""
    low: float | None = None
    high: float | None = None
    bounded = False
    for leaf in required_parts(part):
        if (leaf.get("Property") or "").casefold() != prop.casefold():
            continue
        raw = list(leaf.get("DateValue") or []) or list(leaf.get("Value") or [])
        try:
            stamps = [parse_datetime(str(v)).timestamp() for v in raw]
        except (TypeError, ValueError):
            continue
        if not stamps:
            continue
        operator = leaf.get("SimpleOperator")
        if operator in ("greaterThan", "greaterThanOrEqual", "equals", "between"):
            low, bounded = max(low if low is not None else -1e18, stamps[0] - slack), True
        if operator in ("lessThan", "lessThanOrEqual", "equals", "between"):
            high, bounded = min(high if high is not None else 1e18, stamps[-1] + slack), True
    return (low, high) if bounded else None
