"""Imports: ImportDefinition validation and the import job itself.

The Enhanced FTP "Import" folder is filesystem state (emulator/ftp/folder.py) that core.py injects as
``emu.import_folder``; clients drop files there through the admin API (emulator/ftp/routes.py). A started
import is a job (emu.jobs): its id is the Task ID / AsyncID, and its status and counts are what
ImportResultsSummary retrieves.

Counting: every non-blank data line of the file is one of TotalRows, and lands in exactly one bucket:
NumberSuccessful (written), NumberErrors (refused, with a reason), or NumberDuplicated (its key already
appeared earlier in the file, or it already exists in the destination and UpdateType says not to update it).
Rows are written one transaction per batch, so a crash never leaves half a batch applied.

Recovery (``recover``, run at start-up as sends recover): an import a previous process left ``Queued`` had
written nothing, so it runs now; one left ``Importing`` ends as ``Error`` with the reason. It is not resumed:
its committed batches cannot be told apart from rows that were already in the destination (an upsert
leaves no trace of who wrote it), and a DE without a primary key would get those rows twice. Starting the
definition again re-imports the file whole, which an upsert makes safe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..clock import iso_utc
from ..store.audience import SubscriberRecord
from . import codes, subscribers
from . import data_extensions as des
from .collector import collector_paused
from .errors import Invalid, NotFound
from .row_builder import row_builder

if TYPE_CHECKING:
    from ..core import Emulator

BATCH = 5000
MAX_REASONS = 1000  # rejected-row reasons kept per import (the counts are always complete)
VALIDATION = codes.SOAP.IMPORT_VALIDATION  # [doc:SOAP/43000_43999_importdefinition_object]
ENHANCED_FTP = "ExactTarget Enhanced FTP"  # the Import folder's FileTransferLocation key [seed:002]
EMAIL_COLUMNS = ("email address", "emailaddress", "email")
KEY_COLUMNS = ("subscriber key", "subscriberkey", "subscriber_key")
STATUS_COLUMNS = ("status",)
UPDATE_TYPES = ("AddAndUpdate", "AddAndDoNotUpdate", "UpdateButDoNotAdd", "Merge", "Overwrite", "ColumnBased")
# SFMC's "Completed" ends a good import; "Queued" and "Importing" are what a poller sees before that.
QUEUED, IMPORTING, COMPLETED, ERROR = "Queued", "Importing", "Completed", "Error"

csv.field_size_limit(10 * 1024 * 1024)
CSV_ERROR = "\x00csv-error: "  # read_records' marker of an unreadable record (its one field)


# -- definitions -------------------------------------------------------------------------------------
def destination_of(emu: Emulator, mid: int, dest: dict[str, Any] | None) -> dict[str, Any]:
    """Resolve DestinationObject (a List or a DataExtension) to a reference with its ids."""
    dest = dest or {}
    kind = dest.get("__type__")
    if kind == "DataExtension":
        de = des.find_de(emu, mid, key=dest.get("CustomerKey"), object_id=dest.get("ObjectID"),
                         name=dest.get("Name"))
        if de is None:
            raise Invalid("ImportDefinition Validation Error: the destination data extension was not found.",
                          code=VALIDATION)
        return {"__type__": "DataExtension", "ObjectID": de["ObjectID"], "CustomerKey": de["CustomerKey"],
                "Name": de.get("Name")}
    if kind in ("List", "APIObject", None) and any(dest.get(k) for k in ("ID", "ObjectID", "CustomerKey")):
        try:
            lst = subscribers.find_list(emu, mid, dest)
        except (NotFound, Invalid) as exc:
            raise Invalid(f"ImportDefinition Validation Error: {exc.message}", code=VALIDATION) from exc
        return {"__type__": "List", "ID": lst["ID"], "ObjectID": lst["ObjectID"], "CustomerKey": lst["CustomerKey"]}
    raise Invalid("ImportDefinition Validation Error: DestinationObject must name a List (ID) or a "
                  "DataExtension (CustomerKey or ObjectID).", code=VALIDATION)


def check_definition(emu: Emulator, mid: int, props: dict[str, Any]) -> dict[str, Any]:
    """Validate an ImportDefinition's settings (43060 with the reason); fills SFMC's defaults."""
    if props.get("DestinationObject") is not None:
        destination_of(emu, mid, props["DestinationObject"])
    else:
        raise Invalid("ImportDefinition Validation Error: DestinationObject is required.", code=VALIDATION)
    emu.import_folder.safe_name(props.get("FileSpec"))
    location = (props.get("RetrieveFileTransferLocation") or {}).get("CustomerKey")
    # The docs mark the location required; the emulator has one, the Enhanced FTP Import folder, so an
    # omitted location means it, and a location it does not have is refused rather than read from here.
    if location and location.strip().casefold() != ENHANCED_FTP.casefold():
        raise Invalid(f"ImportDefinition Validation Error: RetrieveFileTransferLocation '{location}' was not "
                      f"found; the only file location is '{ENHANCED_FTP}' (the Import folder).", code=VALIDATION)
    mapping = props.setdefault("FieldMappingType", "InferFromColumnHeadings")  # the headers, when unsaid
    maps = field_maps(props)
    if mapping == "MapByOrdinal" and not maps:
        raise Invalid("ImportDefinition Validation Error: MapByOrdinal needs FieldMaps.", code=VALIDATION)
    # A FieldMap without SourceOrdinal reads as ordinal 0, as .NET's serializer defaults a missing int (zeep
    # omits a 0 inside FieldMap's xsd:choice).
    if mapping == "ManualMap" and (not maps or any(not m.get("SourceName") for m in maps)):
        raise Invalid("ImportDefinition Validation Error: ManualMap needs FieldMaps with SourceName.",
                      code=VALIDATION)
    if any(not m.get("DestinationName") for m in maps):
        raise Invalid("ImportDefinition Validation Error: every FieldMap needs a DestinationName.", code=VALIDATION)
    file_type = props.get("FileType") or "CSV"
    if file_type == "Other" and len(props.get("Delimiter") or "") != 1:
        raise Invalid("ImportDefinition Validation Error: FileType Other needs a one-character Delimiter.",
                      code=VALIDATION)
    props.setdefault("FileType", file_type)
    props.setdefault("UpdateType", "AddAndUpdate")
    return props


def field_maps(props: dict[str, Any]) -> list[dict[str, Any]]:
    return list((props.get("FieldMaps") or {}).get("FieldMap") or [])


# -- reading files ----------------------------------------------------------------------------------
def _delimiter(definition: dict[str, Any]) -> str:
    file_type = definition.get("FileType") or "CSV"
    if file_type == "TAB":
        return "\t"
    if file_type == "Other":
        return definition.get("Delimiter") or ","
    return ","


def read_records(path: Path, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each non-blank record; tolerant of BOMs, quoting, embedded newlines and
    undecodable bytes (replaced), never raising on content."""
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.reader(text, delimiter=delimiter, quotechar='"', strict=False)
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # e.g. NUL bytes: count the record as unreadable, keep going
                yield reader.line_num, [f"{CSV_ERROR}{exc}"]
                continue
            if not record or not "".join(record).strip():  # blank: every field empty or whitespace
                continue
            yield reader.line_num, record


# -- running an import --------------------------------------------------------------------------------
@dataclass
class ImportStats:
    total: int = 0
    successful: int = 0
    errors: int = 0
    duplicated: int = 0
    reasons: list[str] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.errors += 1
        if len(self.reasons) < MAX_REASONS:
            self.reasons.append(f"Line {line}: {reason}")


def _now_iso(emu: Emulator) -> str:
    return iso_utc(emu.clock.now())


def start_import(emu: Emulator, mid: int, definition: dict[str, Any]) -> int:
    """Queue an import of this (stored) definition; returns the Task ID at once."""
    dest = definition.get("DestinationObject") or {}
    is_de = dest.get("__type__") == "DataExtension"
    detail = {
        "ImportDefinitionCustomerKey": definition.get("CustomerKey"),
        "ImportDefinitionObjectID": definition.get("ObjectID"),
        "ImportType": "Data Extensions" if is_de else "Subscriber List",  # as SFMC spells them [seed:002, doc]
        "DestinationID": str(dest.get("ObjectID") if is_de else dest.get("ID") or ""),
        "NumberSuccessful": 0, "NumberErrors": 0, "NumberDuplicated": 0, "TotalRows": 0,
        "StartDate": _now_iso(emu), "FileSpec": definition.get("FileSpec"),
    }

    def work(job_id: int) -> None:
        run_import(emu, mid, definition, job_id)

    return emu.jobs.submit(mid, "import", work, detail, status=QUEUED)


INTERRUPTED = ("The import was interrupted: the emulator stopped while it was importing. Batches written "
               "before the stop are kept; start the import again to import the whole file.")


def recover(emu: Emulator) -> list[int]:
    """Imports a previous process left unfinished: Queued ones run, Importing ones end as Error (see module
    docstring); returns the job ids it re-queued."""
    requeued = []
    for job in emu.job_rows.unfinished("import"):
        job_id, mid, detail = job["id"], job["mid"], job["detail"]
        if job["status"] != QUEUED:
            emu.jobs.update(job_id, status=ERROR, EndDate=_now_iso(emu), error=INTERRUPTED)
            continue
        found = emu.objects.find_one(mid, "ImportDefinition", "ObjectID", detail.get("ImportDefinitionObjectID"))
        if found is None:
            emu.jobs.update(job_id, status=ERROR, EndDate=_now_iso(emu),
                            error="The import's ImportDefinition no longer exists.")
            continue
        definition = found.data
        emu.jobs.requeue(job_id, lambda jid, m=mid, d=definition: run_import(emu, m, d, jid))
        requeued.append(job_id)
    return requeued


def run_import(emu: Emulator, mid: int, definition: dict[str, Any], job_id: int) -> ImportStats:
    stats = ImportStats()
    emu.jobs.update(job_id, status=IMPORTING)
    try:
        dest = destination_of(emu, mid, definition.get("DestinationObject"))
        path = emu.import_folder.find(definition.get("FileSpec") or "")
        records = read_records(path, _delimiter(definition))
        if dest["__type__"] == "DataExtension":
            _import_de(emu, mid, definition, dest, records, stats)
        else:
            _import_list(emu, mid, definition, dest, records, stats)
    except (Invalid, NotFound) as exc:
        _finish(emu, job_id, stats, ERROR, exc.message)
        return stats
    except OSError as exc:
        _finish(emu, job_id, stats, ERROR, f"The file could not be read: {exc.strerror or exc}")
        return stats
    _finish(emu, job_id, stats, COMPLETED)
    return stats


def _finish(emu: Emulator, job_id: int, stats: ImportStats, status: str, error: str | None = None) -> None:
    detail: dict[str, Any] = {"NumberSuccessful": stats.successful, "NumberErrors": stats.errors,
                              "NumberDuplicated": stats.duplicated, "TotalRows": stats.total,
                              "EndDate": _now_iso(emu), "rejected": stats.reasons}
    if error:
        detail["error"] = error
    emu.jobs.update(job_id, status=status, **detail)


class _Columns:
    """Turns a file's records into {destination name: value} following the definition's mapping."""

    def __init__(self, definition: dict[str, Any], header: list[str] | None) -> None:
        self.mapping = definition.get("FieldMappingType") or "InferFromColumnHeadings"
        self.header = header or []
        maps = field_maps(definition)
        if self.mapping == "MapByOrdinal":
            self.pairs = [(int(m.get("SourceOrdinal") or 0), m["DestinationName"]) for m in maps]
        elif self.mapping == "ManualMap":
            index = {h.strip().casefold(): i for i, h in enumerate(self.header)}
            missing = [m["SourceName"] for m in maps if m["SourceName"].strip().casefold() not in index]
            if missing:
                raise Invalid(f"The file has no column named {', '.join(missing)} (ManualMap).", code=VALIDATION)
            self.pairs = [(index[m["SourceName"].strip().casefold()], m["DestinationName"]) for m in maps]
        else:
            self.pairs = [(i, h.strip()) for i, h in enumerate(self.header) if h.strip()]
        self.width = len(self.header) if self.header else None
        self.max_index = max((i for i, _ in self.pairs), default=-1)

    def names(self) -> list[str]:
        return [name for _, name in self.pairs]

    def check(self, record: list[str]) -> None:
        """ValueError (the row's reason) unless the record can be mapped."""
        if record and record[0].startswith(CSV_ERROR):
            raise ValueError(record[0][len(CSV_ERROR):])
        if self.width is not None and len(record) != self.width:
            raise ValueError(f"expected {self.width} columns, found {len(record)}")
        if self.pairs and len(record) <= self.max_index:
            raise ValueError(f"no column {self.max_index} (the row has {len(record)})")

    def values(self, record: list[str]) -> dict[str, str]:
        self.check(record)
        out = {}
        for index, name in self.pairs:
            if index >= len(record):
                raise ValueError(f"no column {index} (the row has {len(record)})")
            out[name] = record[index]
        return out


def _header_and_rows(definition: dict[str, Any], records: Iterator[tuple[int, list[str]]]
                     ) -> tuple[_Columns, Iterator[tuple[int, list[str]]]]:
    header_lines = definition.get("HeaderLines")
    header_lines = 1 if header_lines is None else max(0, int(header_lines))
    header: list[str] | None = None
    for _ in range(header_lines):
        first = next(records, None)
        if first is None:
            break
        header = header if header is not None else first[1]
    if header is None and (definition.get("FieldMappingType") or "InferFromColumnHeadings") != "MapByOrdinal":
        raise Invalid("The file has no header row to map columns from.", code=VALIDATION)
    return _Columns(definition, header), records


def _batches(rows: Iterator[tuple[int, list[str]]]) -> Iterator[list[tuple[int, list[str]]]]:
    batch: list[tuple[int, list[str]]] = []
    for item in rows:
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _flags(definition: dict[str, Any]) -> tuple[bool, bool]:
    """(add new rows, update existing rows) for the UpdateType."""
    update_type = definition.get("UpdateType") or "AddAndUpdate"
    return update_type != "UpdateButDoNotAdd", update_type != "AddAndDoNotUpdate"


def _import_list(emu: Emulator, mid: int, definition: dict[str, Any], dest: dict[str, Any],
                 records: Iterator[tuple[int, list[str]]], stats: ImportStats) -> None:
    columns, rows = _header_and_rows(definition, records)
    names = {n.casefold(): n for n in columns.names()}
    email_col = next((names[c] for c in EMAIL_COLUMNS if c in names), None)
    key_col = next((names[c] for c in KEY_COLUMNS if c in names), None)
    status_col = next((names[c] for c in STATUS_COLUMNS if c in names), None)
    if email_col is None:
        raise Invalid("The import maps no column to 'Email Address'.", code=VALIDATION)
    special = {email_col, key_col, status_col}
    position = {name: index for index, name in columns.pairs}
    email_at, key_at = position[email_col], position.get(key_col) if key_col else None
    status_at = position.get(status_col) if status_col else None
    attribute_at = [(index, name) for index, name in columns.pairs if name not in special]
    add, update = _flags(definition)
    list_id = int(dest["ID"])
    all_list = emu.objects.find_one(mid, "List", "ID", list_id)
    into_all = all_list is not None and subscribers.is_all_subscribers(all_list.data)
    if definition.get("UpdateType") == "Overwrite" and not into_all:
        emu.audience.clear_list(mid, list_id)
    seen: set[str] = set()
    valid_email = subscribers.valid_email
    width, least = columns.width, columns.max_index
    for batch in _batches(rows):
        with collector_paused():  # per-row dicts, no cycles: the collector's passes cost more
            candidates: list[tuple[int, SubscriberRecord]] = []
            for line, record in batch:
                stats.total += 1
                # columns.check's tests, the common case without a call (a csv-error record is one field)
                if len(record) != width or len(record) <= least or record[0].startswith(CSV_ERROR):
                    try:
                        columns.check(record)
                    except ValueError as exc:
                        stats.reject(line, str(exc))
                        continue
                email = record[email_at].strip()
                if not valid_email(email):
                    stats.reject(line, f"invalid email address '{email}'")
                    continue
                key = (record[key_at].strip() if key_at is not None else "") or email
                status = record[status_at].strip().capitalize() if status_at is not None else ""
                if status and status not in ("Active", "Unsubscribed", "Held"):
                    stats.reject(line, f"invalid status '{record[status_at]}'")
                    continue
                if key in seen:  # subscriber keys compare exactly, as the subscriber table does
                    stats.duplicated += 1
                    continue
                seen.add(key)
                attributes = {name: record[index] for index, name in attribute_at}
                candidates.append((line, SubscriberRecord(subscriber_key=key, email=email, status=status or "Active",
                                                          attributes=attributes)))
            if candidates:
                _write_subscribers(emu, mid, list_id, into_all, candidates, add, update, stats)


def _write_subscribers(emu: Emulator, mid: int, list_id: int, into_all: bool,
                       candidates: list[tuple[int, SubscriberRecord]], add: bool, update: bool,
                       stats: ImportStats) -> None:
    now = emu.clock.now().timestamp()
    with emu.store.transaction():
        existing = emu.audience.get_subscribers(mid, [r.subscriber_key for _, r in candidates])
        writes: list[SubscriberRecord] = []
        list_status: dict[str, str] = {}
        for line, record in candidates:
            current = existing.get(record.subscriber_key)
            list_status[record.subscriber_key] = record.status
            if current is None and not add:
                stats.reject(line, f"subscriber '{record.subscriber_key}' does not exist and UpdateType "
                                   "UpdateButDoNotAdd does not add")
                continue
            if current is not None:
                if not update:
                    stats.duplicated += 1
                    continue
                # An import keeps attributes it does not mention, and an imported "Active" does not
                # resubscribe an account-wide unsubscribe (the list status still follows the file).
                record.attributes = {**current.attributes, **record.attributes}
                if current.status != "Active":
                    record.status = current.status
                record.email_type = current.email_type
            writes.append(record)
        emu.audience.put_subscribers(mid, writes, now, known=existing)  # looked up once, above
        if not into_all:
            emu.audience.set_memberships(
                mid, list_id, [(r.subscriber_key, list_status[r.subscriber_key]) for r in writes], now)
    stats.successful += len(writes)


def _import_de(emu: Emulator, mid: int, definition: dict[str, Any], dest: dict[str, Any],
               records: Iterator[tuple[int, list[str]]], stats: ImportStats) -> None:
    schema = des.load_schema(emu, mid, key=dest["CustomerKey"])
    columns, rows = _header_and_rows(definition, records)
    mapped = []
    for name in columns.names():
        column = schema.column(name)
        if column is None:
            if (definition.get("FieldMappingType") or "InferFromColumnHeadings") != "InferFromColumnHeadings":
                raise Invalid(f"The data extension {schema.name} has no field named {name}.", code=VALIDATION)
            continue  # inferred mapping ignores file columns the DE does not have
        mapped.append(column.name)
    if schema.primary and not all(c.name in mapped for c in schema.primary):
        raise Invalid(f"The import does not map the primary key field(s) of {schema.name}.", code=VALIDATION)
    add, update = _flags(definition)
    if definition.get("UpdateType") == "Overwrite":
        emu.audience.delete_all_rows(mid, schema.key)
    # Resolve the file's columns to the DE's once; per row, only values are coerced.
    targets = [(index, schema.column(name)) for index, name in columns.pairs
               if name.casefold() in {m.casefold() for m in mapped}]
    build = row_builder(schema, targets)  # the columns' validators resolved once, not per row
    seen: set[str] = set()
    for batch in _batches(rows):
        with collector_paused():  # per-row dicts, no cycles: the collector's passes cost more
            parsed: list[tuple[int, dict[str, Any], str | None]] = []
            for line, record in batch:
                stats.total += 1
                try:
                    columns.check(record)
                    row, key = build(record)
                except ValueError as exc:
                    stats.reject(line, str(exc))
                    continue
                except des.RowRejected as exc:
                    stats.reject(line, exc.message)
                    continue
                if key is not None:
                    if key in seen:
                        stats.duplicated += 1
                        continue
                    seen.add(key)
                parsed.append((line, row, key))
            _write_de_batch(emu, schema, parsed, add, update, stats)


def _write_de_batch(emu: Emulator, schema: des.DESchema, parsed: list[tuple[int, dict[str, Any], str | None]],
                    add: bool, update: bool, stats: ImportStats) -> None:
    with emu.store.transaction():
        existing = (emu.audience.find_rows(schema.mid, schema.key, [k for _, _, k in parsed if k])
                    if schema.primary else {})
        rows, keys = [], []
        for line, row, key in parsed:
            exists = key in existing
            if exists and not update:
                stats.duplicated += 1
                continue
            if not exists and not add:
                stats.reject(line, f"no row with primary key ({key}) and UpdateType UpdateButDoNotAdd does not add")
                continue
            try:
                rows.append(row if exists else des.complete_row(schema, row))
                keys.append(key)
            except des.RowRejected as exc:
                stats.reject(line, exc.message)
        if rows:
            des.write_rows(emu, schema, rows, add=add, update=update, existing=existing, keys=keys)
        stats.successful += len(rows)


# -- ImportResultsSummary ------------------------------------------------------------------------------
def results_summaries(emu: Emulator, mids: list[int]) -> list[dict[str, Any]]:
    """Every import job of these BUs as an ImportResultsSummary (oldest first)."""
    out = []
    for mid in mids:
        for job in reversed(emu.jobs.list(mid, limit=100_000)):
            if job["kind"] != "import":
                continue
            d = job["detail"]
            created = datetime.fromtimestamp(job["created"], tz=UTC)
            out.append({
                "__type__": "ImportResultsSummary",
                "Client": {"__type__": "ClientID", "ID": mid},
                "ID": job["id"],
                "TaskResultID": job["id"],
                "CreatedDate": iso_utc(created),
                "ImportDefinitionCustomerKey": d.get("ImportDefinitionCustomerKey"),
                "ImportType": d.get("ImportType"),
                "ImportStatus": job["status"],
                "DestinationID": d.get("DestinationID"),
                "NumberSuccessful": d.get("NumberSuccessful", 0),
                "NumberErrors": d.get("NumberErrors", 0),
                "NumberDuplicated": d.get("NumberDuplicated", 0),
                "TotalRows": d.get("TotalRows", 0),
                "StartDate": d.get("StartDate"),
                "EndDate": d.get("EndDate"),
                "PartnerProperties": _reasons(d),
            })
    return out


def _reasons(detail: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Why an import failed and why each row was refused, as APIProperty Name/Value pairs: SFMC puts these in
    a report on its FTP, which the WSDL has no field for, so the emulator answers them when a Retrieve asks
    for PartnerProperties (an APIObject property every client can request)."""
    pairs = [("ImportError", detail["error"])] if detail.get("error") else []
    pairs += [("RejectedRow", reason) for reason in detail.get("rejected") or []]
    return [{"__type__": "APIProperty", "Name": name, "Value": value} for name, value in pairs] or None
