"""Simple values as SFMC's .NET deserialiser reads them: one decoder per xsd primitive, bounded by facets.

The schema model (emulator.domain.schema.SimpleType) says which primitive a property has and its bounds;
``DECODERS`` maps the primitive to the function reading its lexical form. Lexical forms follow .NET's
XmlConvert: integers are digits with an optional sign (no "1_000", no "1e3", no non-ASCII digits), booleans
are exactly true/false/1/0, only XML whitespace is trimmed.

Deliberate limits: dateTime values must lie in SQL Server datetime's range once in UTC (1753-01-01 to
9999-12-31, see DATETIME_MIN/MAX); doubles must be finite (xsd's INF and NaN would not read back as numbers).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ..clock import iso_utc, parse_datetime
from ..domain.schema import XSD_DECIMAL_MAX, XSD_INT_TYPES, XSD_INTEGER_RANGES, SimpleType

# The dateTime range stored values may take: SQL Server's datetime, which SFMC stores them in (so year 1 is
# refused rather than stored, and 9999-12-31 in any zone still reads back in Central time).
DATETIME_MIN = datetime(1753, 1, 1, tzinfo=UTC)
DATETIME_MAX = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)

XML_SPACE = " \t\n\r"
_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_DOUBLE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)
_ZONE = r"(Z|[+-](?:0[0-9]|1[0-4]):[0-5][0-9])?"
_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,7})?"
_DATETIME = re.compile(rf"([0-9]{{4}})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(?:T{_CLOCK})?{_ZONE}", re.ASCII)
_TIME = re.compile(rf"{_CLOCK}{_ZONE}", re.ASCII)


class ValueRefused(ValueError):
    """A lexically wrong value (`reason` None) or one outside its type's value space (`reason` says why)."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason


def _integer(text: str, simple: SimpleType) -> int:
    if not _INTEGER.fullmatch(text):
        raise ValueRefused()
    digits = text.lstrip("+-").lstrip("0")
    low, high = simple.bounds or XSD_INTEGER_RANGES["long"]
    if len(digits) > 20 or not low <= int(text) <= high:  # 20 digits: past any bound, before int() is slow
        raise ValueRefused(f"was either too large or too small for {simple.primitive} ({low} to {high})")
    return int(text)


def _double(text: str, simple: SimpleType) -> float:
    # INF and NaN are xsd:double lexical forms, refused here: stored values must read back as numbers.
    if not _DOUBLE.fullmatch(text):
        raise ValueRefused()
    value = float(text)
    if not math.isfinite(value):
        raise ValueRefused(f"was either too large or too small for {simple.primitive}")
    return value


def _decimal(text: str, simple: SimpleType) -> float:
    if not _DECIMAL.fullmatch(text):
        raise ValueRefused()
    if abs(Decimal(text)) > XSD_DECIMAL_MAX:
        raise ValueRefused("was either too large or too small for decimal")
    return float(text)


def _boolean(text: str, simple: SimpleType) -> bool:
    # XmlConvert.ToBoolean's forms; "True" and "yes" are not among them.
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueRefused()


def _datetime(text: str, simple: SimpleType) -> str:
    match = _DATETIME.fullmatch(text)
    if not match:
        raise ValueRefused()
    normalised = text
    if match.group(4):  # Python reads up to microseconds; .NET's seven digits are truncated, not rounded
        start, end = match.span(4)
        normalised = f"{text[:start]}.{(match.group(4)[1:] + '00000')[:6]}{text[end:]}"
    try:
        value = parse_datetime(normalised)
    except (ValueError, OverflowError):  # an impossible day (02-30) or past the calendar once made UTC
        raise ValueRefused("is not a valid date and time in the supported range") from None
    if not DATETIME_MIN <= value <= DATETIME_MAX:
        raise ValueRefused(f"is outside the supported range {iso_utc(DATETIME_MIN)} to "
                           f"{iso_utc(DATETIME_MAX.replace(microsecond=0))}")
    return iso_utc(value)


def _time(text: str, simple: SimpleType) -> str:
    if not _TIME.fullmatch(text):
        raise ValueRefused()
    return text


# How each xsd primitive's lexical form is read into Python (the rest, xsd:string and kin, stay text).
DECODERS: dict[str, Callable[[str, SimpleType], Any]] = {
    **dict.fromkeys(XSD_INT_TYPES, _integer),
    "double": _double,
    "float": _double,
    "decimal": _decimal,
    "boolean": _boolean,
    "dateTime": _datetime,
    "time": _time,
}
