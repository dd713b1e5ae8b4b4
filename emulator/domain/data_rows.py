"""Data-extension rows over REST: the synchronous hub rowset/row upserts and the asynchronous row requests.

Every write goes through data_extensions.py (the same type checks, primary keys, required columns and
defaults as a SOAP DataExtensionObject) into the same ``de_row`` table, so a row written here is the row
a SOAP Retrieve returns and a send's audience reads.

- ``/hub/v1/dataevents`` (sync): all or nothing. One bad row fails the request with SFMC's 10006 "Unable to
  save rows for data extension ID ..." and one ``additionalErrors`` entry per bad column; nothing is written.
- ``/data/v1/async`` : the request is recorded and answered 202 with a requestId; the job runner saves each
  row on its own (good rows are written, bad rows become per-row results), moving ``requestStatus`` from
  Pending to Complete (or Error when the request as a whole could not run).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..store.rest_documents import RestDocumentRepository
from . import codes
from . import data_extensions as des
from .errors import DomainError, Invalid, NotFound

if TYPE_CHECKING:
    from ..core import Emulator

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
ASYNC_KIND = "data_async_request"
ASYNC_JOB = "DataExtensionRowsAsync"
RESULTS_PAGE_SIZE = 50  # [swag: ResponseAsyncResults_200.pageSize "The defaults is 50"]
# REST error codes seen on these routes [fx: captured 10006 answer; blog captures of 10000/10001]


@dataclass
class DERef:
    """How a URL names a data extension: ``key:{CustomerKey}`` or its ObjectID (GUID)."""

    key: str | None = None
    object_id: str | None = None

    @property
    def text(self) -> str:
        return f"[Id: {self.object_id or ''}, Key: {self.key or ''}]"


def parse_ref(segment: str, *, id_prefix: bool = False) -> DERef:
    """``key:Foo`` → by key; otherwise a GUID (SFMC's "Parameter {guid} is invalid." for anything else).
    ``id_prefix`` also allows ``id:{guid}`` (the hub row routes document it)."""
    if segment[:4].lower() == "key:":
        if not segment[4:]:
            raise Invalid("Parameter {key} is invalid.", code=codes.REST.INVALID_DATA_TYPE)
        return DERef(key=segment[4:])
    if id_prefix and segment[:3].lower() == "id:":
        segment = segment[3:]
    if not GUID_RE.match(segment):
        raise Invalid("Parameter {guid} is invalid.", code=codes.REST.INVALID_DATA_TYPE)
    return DERef(object_id=segment)


def find_schema(emu: Emulator, mid: int, ref: DERef) -> des.DESchema | None:
    de = des.find_de(emu, mid, key=ref.key, object_id=ref.object_id)
    return des.schema_of(mid, de) if de is not None else None


def load(emu: Emulator, mid: int, ref: DERef) -> des.DESchema:
    schema = find_schema(emu, mid, ref)
    if schema is None:
        what = f"key '{ref.key}'" if ref.key else f"ID '{ref.object_id}'"
        raise NotFound(f"Data extension with {what} was not found.", code=codes.REST.VALIDATION)
    return schema


# -- synchronous (hub) ------------------------------------------------------------------------------
def _row_values(schema: des.DESchema, keys: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """keys + values as one row; every name in ``keys`` must be one of the DE's primary-key columns."""
    for name in keys:
        column = schema.column(name)
        if column is None or not column.primary:
            raise Invalid(f"Primary key '{name}' does not exist.", code=codes.REST.VALIDATION)
    return {**values, **keys}


def _save_failed(schema: des.DESchema, errors: dict[int, des.RowRejected]) -> Invalid:
    additional = []
    for index in sorted(errors):
        exc = errors[index]
        if exc.errors and not exc.key_error:  # value errors: one entry per column
            entries = [(e.name, e.message) for e in exc.errors]
        else:  # a key error (or a row-level one): the row's message, under the key column when known
            entries = [(exc.errors[0].name if exc.errors else "", exc.message)]
        for name, message in entries:
            additional.append({"message": f"{name}: {message}" if name else message, "errorcode": codes.REST.VALIDATION,
                               "documentation": ""})
    return Invalid(f"Unable to save rows for data extension ID {schema.object_id}", code=codes.REST.UNABLE_TO_SAVE_ROWS,
                   additionalErrors=additional)


def upsert_rowset(emu: Emulator, mid: int, ref: DERef, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """POST /hub/v1/dataevents/.../rowset: upsert every row or none; answers the rows as sent."""
    schema = load(emu, mid, ref)
    values = [_row_values(schema, item.get("keys") or {}, item.get("values") or {}) for item in items]
    with emu.store.transaction():  # the check and the write see the same rows
        upserts = des.prepare_upserts(emu, schema, values)
        if upserts.errors:
            raise _save_failed(schema, upserts.errors)
        upserts.write(emu, schema)
    return [{"keys": item.get("keys") or {}, "values": item.get("values") or {}} for item in items]


def parse_primary_keys(text: str) -> dict[str, str]:
    """``Email:a@b.com`` or ``K1:v1,K2:v2`` (the row route's {primaryKeys})."""
    pairs: dict[str, str] = {}
    for part in text.split(","):
        name, sep, value = part.partition(":")
        if not sep or not name.strip():
            raise Invalid("Parameter {primaryKeys} is invalid.", code=codes.REST.INVALID_DATA_TYPE)
        pairs[name.strip()] = value
    return pairs


def upsert_row(emu: Emulator, mid: int, ref: DERef, primary_keys: str, values: dict[str, Any]) -> dict[str, Any]:
    """PUT /hub/v1/dataevents/.../rows/{primaryKeys}: one row upserted; answers {keys, values}."""
    keys = parse_primary_keys(primary_keys)
    upsert_rowset(emu, mid, ref, [{"keys": keys, "values": values}])
    return {"keys": keys, "values": values}


def upsert_rowset_later(emu: Emulator, mid: int, ref: DERef, items: list[dict[str, Any]]) -> None:
    """POST /hub/v1/dataeventsasync/.../rowset: the same upsert, run by the job runner (SFMC answers 202
    with an empty body and no id to poll; rows that fail are dropped, the good ones saved)."""
    schema = load(emu, mid, ref)
    values = [_row_values(schema, item.get("keys") or {}, item.get("values") or {}) for item in items]

    def work(job_id: int) -> None:
        emu.jobs.update(job_id, status="Executing")
        current = find_schema(emu, mid, DERef(key=schema.key))
        if current is None:
            emu.jobs.update(job_id, status="Error", error="data extension deleted")
            return
        with emu.store.transaction():
            upserts = des.prepare_upserts(emu, current, values)
            upserts.write(emu, current)
        emu.jobs.update(job_id, status="Complete", errors=len(upserts.errors))

    emu.jobs.submit(mid, "DataEventsAsync", work, {"de_key": schema.key, "rows": len(values)})


# -- asynchronous (/data/v1/async) ------------------------------------------------------------------
def _stamp(ts: float | None) -> str | None:
    """SFMC's async timestamps: ISO without zone, to the millisecond ("2017-10-27T16:00:38.98")."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None).isoformat(timespec="milliseconds")


def result_message(code: str, message: str, result_type: str = "Validation") -> dict[str, str]:
    return {"resultType": result_type, "resultClass": "Error", "resultCode": code, "message": message}


class AsyncRejected(DomainError):
    """The async API refuses a request before queuing it: answered {requestId, resultMessages} (HTTP 400)."""

    def __init__(self, request_id: str, messages: list[dict[str, str]], status: int = 400) -> None:
        super().__init__(messages[0]["message"])
        self.body = {"requestId": request_id, "resultMessages": messages}
        self.status = status


class AsyncRows:
    """/data/v1/async/dataextensions/{ref}/rows and /data/v1/async/{requestId}/status|results."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.docs = RestDocumentRepository(emu.store)

    def submit(self, mid: int, ref: DERef, items: list[dict[str, Any]], *, upsert: bool) -> dict[str, Any]:
        """POST inserts (a stored key is a per-row duplicate-key error), PUT upserts. 202 {requestId}."""
        request_id = self.emu.ids.guid()
        schema = find_schema(self.emu, mid, ref)
        if schema is None:
            raise AsyncRejected(request_id, [result_message(
                "CustomObjectNotFound",
                f"Failed to resolve the Custom Object from the provided ObjectReferenceIdentifier {ref.text}.")])
        now = self.emu.clock.now().timestamp()

        def work(job_id: int) -> None:
            self._run(mid, request_id, job_id)

        # One transaction: the worker cannot pick the job up before the request records its job id.
        with self.emu.store.transaction():
            job_id = self.emu.jobs.submit(mid, ASYNC_JOB, work, {"requestId": request_id}, status="Pending")
            self.docs.insert(mid, ASYNC_KIND, request_id, {
                "de_key": schema.key, "upsert": upsert, "items": items, "results": None, "job_id": job_id}, now)
        return {"requestId": request_id, "resultMessages": []}

    def recover(self) -> list[int]:
        """Queue again the requests a previous process accepted but did not finish (their rows and results
        commit together, so running one again is safe). To be called once at start, beside sends.recover."""
        jobs = self.emu.jobs.repo.unfinished(ASYNC_JOB)
        for job in jobs:
            mid, request_id = job["mid"], job["detail"]["requestId"]
            self.emu.jobs.requeue(job["id"], lambda job_id, m=mid, r=request_id: self._run(m, r, job_id))
        return [job["id"] for job in jobs]

    def _run(self, mid: int, request_id: str, job_id: int) -> None:
        emu = self.emu
        doc = self.docs.get(mid, ASYNC_KIND, request_id)
        if doc is None:
            return
        emu.jobs.update(job_id, status="Executing")
        schema = find_schema(emu, mid, DERef(key=doc.data["de_key"]))
        if schema is None:  # deleted between the request and its pick-up
            doc.data["failure"] = result_message(
                "CustomObjectNotFound", f"Failed to resolve the Custom Object from the provided "
                f"ObjectReferenceIdentifier [Id: , Key: {doc.data['de_key']}].", "Operational")
            self.docs.replace(doc, emu.clock.now().timestamp())
            emu.jobs.update(job_id, status="Error")
            return
        with emu.store.transaction():
            upserts = des.prepare_upserts(emu, schema, doc.data["items"], update=doc.data["upsert"])
            upserts.write(emu, schema, update=doc.data["upsert"])
            results = []
            for index in range(len(doc.data["items"])):
                error = upserts.errors.get(index)
                results.append({"status": "OK"} if error is None else
                               {"errorCode": "UnexpectedError", "message": error.message, "status": "Error"})
            doc.data["results"] = results
            doc.data["items"] = None  # the rows are in the data extension now; keep only their results
            self.docs.replace(doc, emu.clock.now().timestamp())
            emu.jobs.update(job_id, status="Complete", errors=len(upserts.errors))

    def _request(self, mid: int, request_id: str) -> tuple[Any, dict[str, Any]]:
        doc = self.docs.get(mid, ASYNC_KIND, request_id)
        job = self.emu.jobs.get(doc.data.get("job_id", -1), [mid]) if doc is not None else None
        if doc is None or job is None:
            raise AsyncRejected(self.emu.ids.guid(), [result_message(
                "AsyncRequestStatusNotFound", "Unable to locate an Async Request Status Record for the provided "
                f"RequestId: {request_id}.", "Operational")], status=200)
        return doc, job

    def status(self, mid: int, request_id: str) -> dict[str, Any]:
        doc, job = self._request(mid, request_id)
        request_status = {"Complete": "Complete", "Error": "Error", "Executing": "Executing"}.get(
            job["status"], "Pending")
        results = doc.data.get("results") or []
        has_errors = any(r["status"] != "OK" for r in results) or request_status == "Error"
        result_status = {"Complete": "Has Errors" if has_errors else "OK", "Error": "Error"}.get(
            request_status, request_status)
        body: dict[str, Any] = {"status": {
            "callDateTime": _stamp(job["created"]), "completionDateTime": _stamp(job["finished"]),
            "hasErrors": has_errors, "pickupDateTime": _stamp(job["started"]), "requestStatus": request_status,
            "resultStatus": result_status, "requestId": request_id,
        }, "requestId": self.emu.ids.guid()}
        if doc.data.get("failure"):
            body["resultMessages"] = [doc.data["failure"]]
        return body

    def results(self, mid: int, request_id: str, page: int, page_size: int) -> dict[str, Any]:
        doc, _ = self._request(mid, request_id)
        results = doc.data.get("results") or []
        start = (page - 1) * page_size
        return {"page": page, "pageSize": page_size, "count": len(results),
                "items": results[start:start + page_size], "requestId": request_id}
