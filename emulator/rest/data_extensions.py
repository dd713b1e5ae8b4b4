"""Data-extension rows over REST: /hub/v1/dataevents (sync), /hub/v1/dataeventsasync, /data/v1/async and
/data/v1/customobjectdata. Translation only: bodies are checked against a declared JSON schema here, the
behaviour lives in domain/data_rows.py and domain/data_rows_read.py.

Must be registered by name in create_app (``from .rest import data_extensions; app.register_blueprint(
data_extensions.bp)``) once blueprints are no longer discovered.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from jsonschema import Draft202012Validator

from ..domain import codes
from ..domain.data_rows import (
    RESULTS_PAGE_SIZE,
    AsyncRejected,
    AsyncRows,
    parse_primary_keys,
    parse_ref,
    upsert_row,
    upsert_rowset,
    upsert_rowset_later,
)
from ..domain.data_rows_read import RowReader, parse_paging
from ..domain.errors import Invalid
from ..web import emulator, query_arg, requires_token

bp = Blueprint("data_extensions", __name__)

READ, WRITE = "data_extensions_read", "data_extensions_write"

# -- request schemas ---------------------------------------------------------------------------------
# A row is column name -> scalar (SFMC's examples send strings, numbers and booleans); nothing nested.
# (Column names are the domain's to judge: an unknown or empty one is a row error, as in SOAP.)
_COLUMNS = {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}
# /hub/v1/dataevents/.../rowset: [{keys, values}] ("keys" Required [swag: postDataExtensionRowsetByKey])
ROWSET_SCHEMA: dict[str, Any] = {"type": "array", "items": {
    "type": "object", "required": ["keys"], "properties": {"keys": _COLUMNS, "values": _COLUMNS}}}
# /hub/v1/dataevents/.../rows/{primaryKeys}: [swag: RequestPutDataExtensionRowByKey] with typed values
ROW_SCHEMA: dict[str, Any] = {"type": "object", "properties": {"values": _COLUMNS}}
# /data/v1/async/dataextensions/.../rows: [swag: RequestDataExtensionRows] with typed items
ASYNC_ROWS_SCHEMA: dict[str, Any] = {"type": "object", "required": ["items"],
                                     "properties": {"items": {"type": "array", "items": _COLUMNS}}}
VALIDATORS = {name: Draft202012Validator(schema) for name, schema in
              (("rowset", ROWSET_SCHEMA), ("row", ROW_SCHEMA), ("async", ASYNC_ROWS_SCHEMA))}


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e400 parses as infinity: no JSON number SFMC could store
        raise ValueError(text)
    return number


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)  # NaN / Infinity are not JSON


def body(schema: str) -> Any:
    """The request's JSON, checked against the route's schema: SFMC's 400 otherwise, before anything runs."""
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_float=_finite, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Invalid("Malformed JSON in request body.", code=codes.REST.MALFORMED_JSON) from None
    error = next(iter(sorted(VALIDATORS[schema].iter_errors(data), key=lambda e: list(map(str, e.path)))), None)
    if error is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path).lstrip(".") or "body"
        raise Invalid(f"The request body is invalid: '{where}' {_reason(error.validator)}.", code=codes.REST.VALIDATION)
    return data


def _reason(validator: str) -> str:
    return {"type": "has the wrong type", "required": "is missing a required property"}.get(validator, "is not valid")


def _answer(payload: Any, status: int = 200) -> Response:
    response = jsonify(payload)
    response.status_code = status
    return response


def _async_refusal(error: AsyncRejected) -> Response:
    return _answer(error.body, error.status)


# -- synchronous hub routes --------------------------------------------------------------------------
@bp.post("/hub/v1/dataevents/<ref>/rowset")
@requires_token(WRITE)
def post_rowset(ref: str):
    return _answer(upsert_rowset(emulator(), g.call.mid, parse_ref(ref), body("rowset")))


@bp.put("/hub/v1/dataevents/<ref>/rows/<path:primary_keys>")
@requires_token(WRITE)
def put_row(ref: str, primary_keys: str):
    values = body("row").get("values") or {}
    return _answer(upsert_row(emulator(), g.call.mid, parse_ref(ref, id_prefix=True), primary_keys, values))


@bp.post("/hub/v1/dataeventsasync/<ref>/rowset")
@requires_token(WRITE)
def post_rowset_async(ref: str):
    upsert_rowset_later(emulator(), g.call.mid, parse_ref(ref), body("rowset"))
    return _answer("", 202)  # SFMC answers the undocumented async rowset with an empty JSON string


@bp.put("/hub/v1/dataeventsasync/<ref>/rows/<path:primary_keys>")
@requires_token(WRITE)
def put_row_async(ref: str, primary_keys: str):
    values = body("row").get("values") or {}
    upsert_rowset_later(emulator(), g.call.mid, parse_ref(ref, id_prefix=True),
                        [{"keys": parse_primary_keys(primary_keys), "values": values}])
    return _answer("", 202)  # [doc: putDataExtensionRowByKeyAsync "202 Accepted" with ""]


# -- /data/v1/async ----------------------------------------------------------------------------------
def _async() -> AsyncRows:
    return AsyncRows(emulator())


@bp.route("/data/v1/async/dataextensions/<ref>/rows", methods=["POST", "PUT"])
@requires_token(WRITE)
def async_rows(ref: str):
    items = body("async")["items"]
    try:
        answer = _async().submit(g.call.mid, parse_ref(ref), items, upsert=request.method == "PUT")
    except AsyncRejected as error:
        return _async_refusal(error)
    return _answer(answer, 202)


@bp.get("/data/v1/async/<request_id>/status")
@requires_token(READ)
def async_status(request_id: str):
    try:
        return _answer(_async().status(g.call.mid, request_id))
    except AsyncRejected as error:
        return _async_refusal(error)


@bp.get("/data/v1/async/<request_id>/results")
@requires_token(READ)
def async_results(request_id: str):
    try:
        page, page_size = _results_paging(query_arg("$page") or query_arg("page"),
                                          query_arg("$pageSize") or query_arg("pageSize"))
        return _answer(_async().results(g.call.mid, request_id, page, page_size))
    except AsyncRejected as error:
        return _async_refusal(error)


def _results_paging(page: str | None, page_size: str | None) -> tuple[int, int]:
    return parse_paging(page, page_size or str(RESULTS_PAGE_SIZE))


# -- /data/v1/customobjectdata -----------------------------------------------------------------------
def _query_args() -> dict[str, str | None]:
    return {name: query_arg(name) for name in ("$page", "$pageSize", "$orderBy", "$filter")}


@bp.get("/data/v1/customobjectdata/key/<key>/rowset")
@requires_token(READ)
def rowset_by_key(key: str):
    return _answer(RowReader(emulator()).first_page(g.call.mid, parse_ref(f"key:{key}"), _query_args()))


@bp.get("/data/v1/customobjectdata/id/<object_id>/rowset")
@bp.get("/data/v1/customobjectdata/<object_id>/rowset")
@requires_token(READ)
def rowset_by_id(object_id: str):
    return _answer(RowReader(emulator()).first_page(g.call.mid, parse_ref(object_id), _query_args()))


@bp.get("/data/v1/customobjectdata/token/<token>/rowset")
@requires_token(READ)
def rowset_continued(token: str):
    return _answer(RowReader(emulator()).continued(g.call.mid, token, _query_args()))
