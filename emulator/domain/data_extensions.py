"""Data extensions: their columns, value checking, and rows (DataExtensionObject, imports, sends).

A DataExtension is a generic stored object (its Fields inside it); its rows live in the ``de_row`` table,
keyed by the DE's CustomerKey and, when the DE has a primary key, by the key columns' values joined with
"|" (case-folded, as SQL Server's default collation compares them). Row values are kept as normalised
strings, as SFMC returns them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from . import codes
from .codes import SOAP
from .errors import Invalid, NotFound
from .subscribers import valid_email

if TYPE_CHECKING:
    from ..core import Emulator

FIELD_TYPES = ("Text", "Number", "Date", "Boolean", "EmailAddress", "Phone", "Decimal", "Locale")
DEFAULT_TEXT_LENGTH = 4000  # a Text field without MaxLength (inferred: nvarchar(4000))
FIXED_LENGTHS = {"EmailAddress": 254, "Phone": 50, "Locale": 5}
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
TRUE_WORDS = {"true", "1", "y", "yes"}
FALSE_WORDS = {"false", "0", "n", "no"}
PHONE_RE = re.compile(r"^\+?[0-9 ().\-]{3,}$")

# Error codes for row values [doc:SOAP/70000_70999_custom_object]
ROW_GENERAL, ROW_NULL, ROW_TOO_LONG, ROW_BAD_DE = (
    SOAP.DE_ROW_INVALID, SOAP.DE_ROW_MISSING_REQUIRED, SOAP.DE_ROW_TOO_LONG, SOAP.DE_ROW_UNKNOWN_DE)


@dataclass
class Column:
    name: str
    type: str = "Text"
    max_length: int | None = None
    scale: int | None = None
    required: bool = False
    primary: bool = False
    default: str | None = None


@dataclass
class DESchema:
    mid: int
    key: str  # CustomerKey: the rows' de_key
    name: str
    object_id: str
    columns: list[Column]
    by_name: dict[str, Column] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_name = {c.name.casefold(): c for c in self.columns}

    @property
    def primary(self) -> list[Column]:
        return [c for c in self.columns if c.primary]

    def column(self, name: str) -> Column | None:
        return self.by_name.get((name or "").casefold())

    def kind_of(self, name: str) -> str | None:
        """How filters compare a column ('int', 'float', 'bool', 'datetime' or 'string'); None if no such column.
        The hidden row key _CustomObjectKey is an integer every DE has (retrievable, filterable)."""
        if is_row_key(name):
            return "int"
        column = self.column(name)
        return column_kind(column) if column else None


@dataclass
class RowError:
    name: str
    code: int
    message: str


class RowRejected(Exception):
    """One row cannot be saved; ``errors`` say why (per column), ``key_errors`` when the key is the problem."""

    def __init__(self, message: str, code: int, errors: list[RowError] | None = None,
                 key_error: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.errors = errors or []
        self.key_error = key_error


# -- columns ---------------------------------------------------------------------------------------
# Every DE row's hidden integer identity (SQL Server's identity column behind each DE): the row's store key,
# assigned on insert, kept by updates and renames, never written by a client.
ROW_KEY = "_CustomObjectKey"


def is_row_key(name: str | None) -> bool:
    return (name or "").casefold() == ROW_KEY.casefold()


def _bool(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1")


def column_of(props: dict[str, Any]) -> Column:
    ftype = props.get("FieldType") or "Text"
    max_length = props.get("MaxLength")
    primary = _bool(props.get("IsPrimaryKey"))
    return Column(
        name=props.get("Name") or "",
        type=ftype,
        max_length=int(max_length) if max_length not in (None, "") else None,
        scale=int(props["Scale"]) if props.get("Scale") not in (None, "") else None,
        required=primary or _bool(props.get("IsRequired")) or props.get("IsNillable") is False,
        primary=primary,
        default=props.get("DefaultValue") if props.get("DefaultValue") not in (None, "") else None,
    )


def fields_of(de: dict[str, Any]) -> list[dict[str, Any]]:
    return list((de.get("Fields") or {}).get("Field") or [])


def schema_of(mid: int, de: dict[str, Any]) -> DESchema:
    return DESchema(mid=mid, key=de["CustomerKey"], name=de.get("Name") or de["CustomerKey"],
                    object_id=de.get("ObjectID") or "", columns=[column_of(f) for f in fields_of(de)])


def find_de(emu: Emulator, mid: int, ref: str | None = None, *, key: str | None = None,
            name: str | None = None, object_id: str | None = None) -> dict[str, Any] | None:
    """The stored DataExtension with this CustomerKey, Name or ObjectID (``ref``: key first, then name)."""
    for prop, value in (("ObjectID", object_id), ("CustomerKey", key or ref), ("Name", name or ref)):
        if value:
            found = emu.objects.find_one(mid, "DataExtension", prop, value)
            if found is not None:
                return found.data
    return None


def load_schema(emu: Emulator, mid: int, ref: str | None = None, **kw: str | None) -> DESchema:
    de = find_de(emu, mid, ref, **kw)
    if de is None:
        what = ref or next((v for v in kw.values() if v), "")
        raise NotFound(f"Custom Object Invalid Data Extension Key: no data extension '{what}'.", code=ROW_BAD_DE)
    return schema_of(mid, de)


def validate_fields(fields: list[dict[str, Any]]) -> None:
    """Refuse a DataExtension definition SFMC would refuse (code 310007, DataExtensionValidationError)."""
    seen: set[str] = set()
    for f in fields:
        name = (f.get("Name") or "").strip()
        if not name:
            raise Invalid("Data Extension Field Name is required.", code=codes.SOAP.DE_VALIDATION)
        if name.casefold() in seen:
            raise Invalid(f"The field name {name} is used more than once.", code=codes.SOAP.DE_VALIDATION)
        seen.add(name.casefold())
        ftype = f.get("FieldType") or "Text"
        if ftype not in FIELD_TYPES:
            raise Invalid(f"Field {name}: FieldType {ftype} is not supported.", code=codes.SOAP.DE_VALIDATION)
        if f.get("MaxLength") not in (None, ""):
            length = int(f["MaxLength"])
            if length < 1 or length > DEFAULT_TEXT_LENGTH:
                raise Invalid(f"Field {name}: MaxLength must be between 1 and 4000.",
                              code=codes.SOAP.DE_VALIDATION)
        if _bool(f.get("IsPrimaryKey")) and f.get("IsRequired") is False:
            raise Invalid(f"Field {name}: a primary key field must be required.",
                          code=codes.SOAP.DE_VALIDATION)
        if f.get("DefaultValue") not in (None, ""):
            try:
                coerce(column_of(f), f["DefaultValue"])
            except RowRejected as exc:
                raise Invalid(f"Field {name}: the default value is not valid. {exc.message}",
                              code=codes.SOAP.DE_VALIDATION) from exc


# -- values ----------------------------------------------------------------------------------------
US_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([AaPp][Mm])?)?$")


def parse_date(text: str) -> datetime | None:
    """ISO dates/datetimes or US-style M/D/YYYY [h:mm[:ss] [AM|PM]] (what SFMC accepts and returns)."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1]
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        pass
    match = US_DATE_RE.match(text)
    if match is None:
        return None
    month, day, year, hour, minute, second, half = match.groups()
    hour_n = int(hour or 0)
    if half:
        if not 1 <= hour_n <= 12:
            return None
        hour_n = hour_n % 12 + (12 if half.lower() == "pm" else 0)
    try:
        return datetime(int(year), int(month), int(day), hour_n, int(minute or 0), int(second or 0))
    except ValueError:
        return None


def sfmc_date(stamp: datetime) -> str:
    """SFMC returns dates in rows as US-style 'M/D/YYYY h:mm:ss AM'."""
    hour = stamp.hour % 12 or 12
    return f"{stamp.month}/{stamp.day}/{stamp.year} {hour}:{stamp.minute:02d}:{stamp.second:02d} " \
           f"{'AM' if stamp.hour < 12 else 'PM'}"


def coerce(column: Column, raw: Any) -> str | None:
    """The stored form of a value for this column, or RowRejected with SFMC-like wording."""
    if raw is None:
        return None
    text = raw if isinstance(raw, str) else ("True" if raw is True else "False" if raw is False else str(raw))
    if text == "":
        return None
    kind, name = column.type, column.name
    if kind == "Number":
        try:
            number = int(text.strip())
        except ValueError:
            raise RowRejected(f"The value '{text}' for field {name} is not a valid Number.", ROW_GENERAL) from None
        if not INT_MIN <= number <= INT_MAX:
            raise RowRejected(f"The value '{text}' for field {name} is outside the range of a Number.", ROW_GENERAL)
        return str(number)
    if kind == "Decimal":
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            raise RowRejected(f"The value '{text}' for field {name} is not a valid Decimal.", ROW_GENERAL) from None
        if not number.is_finite():
            raise RowRejected(f"The value '{text}' for field {name} is not a valid Decimal.", ROW_GENERAL)
        scale = column.scale if column.scale is not None else 2
        precision = column.max_length or 18
        try:
            quantized = number.quantize(Decimal(1).scaleb(-scale))
        except InvalidOperation:  # more digits than decimal arithmetic holds: far beyond any precision
            quantized = None
        if quantized is None or len(quantized.as_tuple().digits) > precision:
            raise RowRejected(f"The value '{text}' for field {name} exceeds the precision of the Decimal.",
                              ROW_TOO_LONG)
        return format(quantized, "f")
    if kind == "Boolean":
        word = text.strip().lower()
        if word in TRUE_WORDS:
            return "True"
        if word in FALSE_WORDS:
            return "False"
        raise RowRejected(f"The value '{text}' for field {name} is not a valid Boolean.", ROW_GENERAL)
    if kind == "Date":
        stamp = parse_date(text)
        if stamp is None or stamp.year < 1753:  # SQL Server's datetime starts in 1753
            raise RowRejected(f"The value '{text}' for field {name} is not a valid Date.", ROW_GENERAL)
        return sfmc_date(stamp)
    if kind == "EmailAddress":
        if not valid_email(text.strip()):
            raise RowRejected(f"The value '{text}' for field {name} is not a valid email address.", ROW_GENERAL)
        return text.strip()
    if kind == "Phone" and not PHONE_RE.match(text.strip()):
        raise RowRejected(f"The value '{text}' for field {name} is not a valid phone number.", ROW_GENERAL)
    limit = column.max_length or FIXED_LENGTHS.get(kind) or DEFAULT_TEXT_LENGTH
    if len(text) > limit:
        raise RowRejected(f"The value for field {name} is {len(text)} characters long; the maximum is {limit}.",
                          ROW_TOO_LONG)
    return text


def build_row(schema: DESchema, values: dict[str, Any], *, fill_defaults: bool) -> dict[str, Any]:
    """Check a row's values against the columns; returns {column name: stored value}.

    ``fill_defaults`` (a new row): missing columns take their DefaultValue, and required columns must have
    a value. An update only checks the columns it names.
    """
    pairs: list[tuple[Column, Any]] = []
    unknown: list[RowError] = []
    for name, raw in values.items():
        column = schema.column(name)
        if column is None and is_row_key(name):
            unknown.append(RowError(ROW_KEY, ROW_GENERAL, f"The field {ROW_KEY} is assigned by the system and "
                                                           "cannot be written."))
        elif column is None:
            unknown.append(RowError(name, ROW_GENERAL, f"The field {name} does not exist in data extension "
                                                        f"{schema.name}."))
        else:
            pairs.append((column, raw))
    return build_columns(schema, pairs, fill_defaults=fill_defaults, errors=unknown)


def build_columns(schema: DESchema, pairs: list[tuple[Column, Any]], *, fill_defaults: bool,
                  errors: list[RowError] | None = None) -> dict[str, Any]:
    """build_row for values already matched to their columns (imports resolve the header once)."""
    row: dict[str, Any] = {}
    errors = errors or []
    for column, raw in pairs:
        try:
            value = coerce(column, raw)
        except RowRejected as exc:
            errors.append(RowError(column.name, exc.code, exc.message))
            continue
        if value is None and column.required:
            errors.append(RowError(column.name, ROW_NULL, f"The field {column.name} is required and cannot be "
                                                          "null."))
        row[column.name] = value
    if fill_defaults:
        _complete(schema, row, errors)
    if errors:
        raise _rejected(errors)
    return row


def complete_row(schema: DESchema, row: dict[str, Any]) -> dict[str, Any]:
    """A row built without defaults, made a new row: defaults filled, required columns checked."""
    errors: list[RowError] = []
    _complete(schema, row, errors)
    if errors:
        raise _rejected(errors)
    return row


def _complete(schema: DESchema, row: dict[str, Any], errors: list[RowError]) -> None:
    for column in schema.columns:
        if column.name not in row and column.default is not None:
            row[column.name] = coerce(column, column.default)
        if column.required and row.get(column.name) is None and not any(e.name == column.name for e in errors):
            errors.append(RowError(column.name, ROW_NULL, f"The field {column.name} is required and cannot be "
                                                          "null."))


def _rejected(errors: list[RowError]) -> RowRejected:
    return RowRejected(errors[0].message if len(errors) == 1 else
                       f"{len(errors)} errors: " + " ".join(e.message for e in errors), errors[0].code, errors)


def key_of(schema: DESchema, row: dict[str, Any]) -> str | None:
    """The primary-key value of a row (None when the DE has no primary key)."""
    primary = schema.primary
    if not primary:
        return None
    parts = []
    for column in primary:
        value = row.get(column.name)
        if value is None:
            raise RowRejected(f"The primary key field {column.name} must have a value.", ROW_NULL,
                              [RowError(column.name, ROW_NULL, "Primary key value is missing.")], key_error=True)
        parts.append(str(value).casefold())
    return "|".join(parts)


# -- row operations --------------------------------------------------------------------------------
@dataclass
class WriteCounts:
    inserted: int = 0
    updated: int = 0
    skipped: int = 0  # rows the update type says to leave alone (counted as duplicates by imports)


def write_rows(emu: Emulator, schema: DESchema, rows: list[dict[str, Any]], *, add: bool = True,
               update: bool = True, existing: dict[str, tuple[int, dict[str, Any]]] | None = None,
               keys: list[str | None] | None = None) -> WriteCounts:
    """Upsert already-built rows in one transaction. ``add``/``update`` say whether new keys are inserted and
    existing keys updated; ``existing`` (from audience.find_rows) and ``keys`` save work the caller did."""
    now = emu.clock.now().timestamp()
    counts = WriteCounts()
    with emu.store.transaction():
        if not schema.primary:
            if add:
                emu.audience.insert_rows(schema.mid, schema.key, [(None, r) for r in rows], now)
                counts.inserted = len(rows)
            else:
                counts.skipped = len(rows)
            return counts
        if keys is None:
            keys = [key_of(schema, r) for r in rows]
        if existing is None:
            existing = emu.audience.find_rows(schema.mid, schema.key, sorted({k for k in keys if k}))
        inserts: dict[str, dict[str, Any]] = {}
        replaces: dict[int, dict[str, Any]] = {}
        for key, row in zip(keys, rows, strict=True):
            if key in inserts or key in existing:
                if not update:
                    counts.skipped += 1
                    continue
                if key in inserts:  # the same key twice in one call: the later row wins, as an update
                    inserts[key].update(row)
                else:
                    pk, current = existing[key]
                    current.update(row)
                    replaces[pk] = current
                counts.updated += 1
            elif add:
                inserts[key] = dict(row)
                counts.inserted += 1
            else:
                counts.skipped += 1
        if replaces:
            emu.audience.replace_rows(replaces.items())
        if inserts:
            emu.audience.insert_rows(schema.mid, schema.key, inserts.items(), now)
    return counts


@dataclass
class Upserts:
    """Rows checked for one multi-row write: ``rows[i]``/``keys[i]`` for row i, ``errors[i]`` when row i cannot
    be saved (its row is then None); ``existing`` the stored rows their keys name."""

    rows: list[dict[str, Any] | None]
    keys: list[str | None]
    existing: dict[str, tuple[int, dict[str, Any]]]
    errors: dict[int, RowRejected]

    def write(self, emu: Emulator, schema: DESchema, *, add: bool = True, update: bool = True) -> WriteCounts:
        """Write the rows that have no error (one transaction)."""
        good = [i for i, row in enumerate(self.rows) if row is not None]
        return write_rows(emu, schema, [self.rows[i] for i in good], add=add, update=update,
                          existing=self.existing, keys=[self.keys[i] for i in good])


def duplicate_key(schema: DESchema, key: str | None) -> RowRejected:
    return RowRejected(f"Violation of PRIMARY KEY constraint. Cannot insert duplicate key in data extension "
                       f"{schema.name}. The duplicate key value is ({key}).", 2, key_error=True)


def prepare_upserts(emu: Emulator, schema: DESchema, values: list[dict[str, Any]], *, add: bool = True,
                    update: bool = True) -> Upserts:
    """Check many rows at once (REST rowsets, async row requests) with the rules a single DataExtensionObject
    write follows: a row whose key is stored (or came earlier in the batch) is an update checking only the
    columns it names; a new row takes defaults and needs its required columns. Nothing is written."""
    keys: list[str | None] = []
    errors: dict[int, RowRejected] = {}
    for i, row_values in enumerate(values):
        key = None
        if schema.primary:
            key_values = {n: v for n, v in row_values.items() if (c := schema.column(n)) is not None and c.primary}
            try:
                key = key_of(schema, build_row(schema, key_values, fill_defaults=False))
            except RowRejected as exc:
                errors[i] = exc
        keys.append(key)
    existing = emu.audience.find_rows(schema.mid, schema.key, sorted({k for k in keys if k})) if schema.primary \
        else {}
    rows: list[dict[str, Any] | None] = []
    seen: set[str] = set()
    for i, row_values in enumerate(values):
        key = keys[i]
        exists = key is not None and (key in existing or key in seen)
        try:
            if i in errors:
                raise errors[i]
            if exists and not update:
                raise duplicate_key(schema, key)
            if not exists and not add:
                raise RowRejected(f"The row with primary key ({key or ''}) was not found in data extension "
                                  f"{schema.name}.", 2, key_error=True)
            rows.append(build_row(schema, row_values, fill_defaults=not exists))
            if key is not None:
                seen.add(key)
        except RowRejected as exc:
            errors[i] = exc
            rows.append(None)
    return Upserts(rows=rows, keys=keys, existing=existing, errors=errors)


def delete_row(emu: Emulator, schema: DESchema, keys: dict[str, Any]) -> bool:
    """Delete the row whose primary key columns have these values; False if none matched."""
    if not schema.primary:
        raise RowRejected(f"Data extension {schema.name} has no primary key: rows cannot be deleted by key.",
                          ROW_GENERAL, key_error=True)
    built = build_row(schema, keys, fill_defaults=False)
    key = key_of(schema, built)
    with emu.store.transaction():
        found = emu.audience.find_row(schema.mid, schema.key, key)
        if found is None:
            return False
        emu.audience.delete_row(found[0])
    return True


def iter_rows(emu: Emulator, schema: DESchema) -> Iterator[dict[str, Any]]:
    """Every row, insertion order, streamed; columns without a value are present as None."""
    names = [c.name for c in schema.columns]
    for _, row in emu.audience.iter_rows(schema.mid, schema.key):
        yield {name: row.get(name) for name in names}


def column_kind(column: Column) -> str:
    """How Retrieve filters compare a column."""
    return {"Number": "int", "Decimal": "float", "Boolean": "bool", "Date": "datetime"}.get(column.type, "string")


def properties_of(values: Iterable[dict[str, Any]] | None) -> dict[str, Any]:
    """Name/Value APIProperty list -> {name: value}."""
    return {p.get("Name"): p.get("Value") for p in values or [] if p.get("Name")}
