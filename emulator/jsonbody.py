"""The typed boundary of every JSON request body: read it strictly, then check it against the route's
declared schema, before any domain code sees it. web.py's ``json_body(schema)`` is the Flask face of it.

Reading (``read``), in this order, each refusal a 400 in SFMC's JSON shape unless noted:

- ``Content-Type`` must be ``application/json`` (or ``application/*+json``), charset absent or UTF-8:
  anything else, or none, is SFMC's 415 Unsupported Media Type [doc:error-handling]. See docs/decisions.md.
- the bytes must be UTF-8 (a UTF-8 BOM is allowed), else 10004;
- nesting deeper than ``MAX_DEPTH`` (64, the default maximum depth of .NET's JSON readers), or brackets
  that cannot balance, is 10004: measured on the bytes without recursion *before* Python's recursive
  parser runs;
- ``NaN``, ``Infinity`` and numbers that overflow a double are 10004 (Python's json accepts them);
- a lone surrogate (``"\\ud800"``) anywhere, key or value, is 10004 (it is not a Unicode string);
- the top level must be an object: 10003.

Checking (``BodySchema.check``): JSON Schema Draft 4 (the OpenAPI 2 dialect). A valid body (the common case)
is recognised by a validator compiled to Python code (fastjsonschema) at first use; only a body it refuses
goes through jsonschema, which finds every error and so builds the answer below (a body the compiled check
refuses but jsonschema accepts passes, as it always did). tests/properties/test_json_boundary_fast.py holds
that the compiled check never accepts a body jsonschema refuses. A schema may
name SFMC's code for a failing subschema with ``x-errorcode`` (e.g. 109113 for autoAddSubscriber), or per
keyword (``{"maxItems": 109101}``); the default is 10001 for a wrong type and 10005 for a value out of range. The first error (by path) is the
answer's message and errorcode; when there are more, all of them are listed in ``additionalErrors`` as
``{"message", "errorcode"}`` (SFMC's aggregate convention [doc:error-handling 10006]). Schemas with
``x-mcms`` prefix messages with the code's MCMS_UTM_* name, as transactional messaging does.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

import jsonschema
from werkzeug.exceptions import UnsupportedMediaType

from .domain import codes
from .domain.errors import Invalid

MAX_DEPTH = 64
MAX_LISTED_ERRORS = 20
INT64 = 2**63 - 1
DRAFT4 = "http://json-schema.org/draft-04/schema#"

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_ONE_KIND = bytes.maketrans(b"{}", b"[]")
_OPEN = ord("[")
_ROUNDS = 3
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_JSON_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")


# -- reading ---------------------------------------------------------------------------------------------

def check_content_type(content_type: str | None) -> None:
    """415 unless the request says it carries JSON in UTF-8."""
    media, _, params = (content_type or "").partition(";")
    charset = re.search(r"charset\s*=\s*\"?([\w-]+)", params, re.IGNORECASE)
    if not _JSON_TYPE.match(media.strip().lower()):
        raise UnsupportedMediaType("Content-Type must be application/json.")
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        raise UnsupportedMediaType("JSON request bodies must be UTF-8 (charset=utf-8).")


def malformed(detail: str) -> Invalid:
    return Invalid(f"Malformed JSON in request body: {detail}", code=codes.REST.MALFORMED_JSON)


def nesting_error(raw: bytes, limit: int = MAX_DEPTH) -> str | None:
    """Why the JSON bytes must not reach the recursive parser (too deep, or brackets that never balance),
    or None.

    Strings are cut out first (their brackets are data) and every other byte but a bracket is dropped (one
    kind of bracket is enough to measure depth: a "[}" mismatch is the parser's to refuse). A few rounds
    then delete the innermost empty pairs (each lowers the height of the bracket tree by exactly one and
    shrinks a wide document to little); a run of more openers than the depth left is too deep at once;
    what remains is counted in one pass that stops at the first level too many. All at C speed but the last
    pass, and no recursion, whatever the input."""
    brackets = _STRING.sub(b"", raw).translate(_ONE_KIND, _NOT_BRACKETS)
    too_deep = f"nested deeper than {limit} levels"
    for rounds in range(_ROUNDS):
        if not brackets:
            return None
        if b"[" * (limit - rounds + 1) in brackets:
            return too_deep
        shorter = brackets.replace(b"[]", b"")
        if shorter == brackets:
            return "unbalanced brackets"
        brackets = shorter
    allowed, depth = limit - _ROUNDS, 0
    for byte in brackets:
        depth += 1 if byte == _OPEN else -1
        if depth > allowed:
            return too_deep
        if depth < 0:
            return "unbalanced brackets"
    return "unbalanced brackets" if depth else None


def _refuse_constant(name: str) -> Any:
    raise malformed(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise malformed(f"the number {text[:40]} is out of range")
    return value


# One decoder for every body (json.loads with these hooks would build a new one per call).
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def parse(raw: bytes) -> Any:
    """Strict JSON: UTF-8, bounded depth, finite numbers, no lone surrogates."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise malformed(f"the body is not UTF-8 (byte {error.start})") from None
    problem = nesting_error(raw)
    if problem:
        raise malformed(problem)
    try:
        if text.startswith("\ufeff"):  # a second BOM: refused as json.loads refuses it
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        data = _DECODER.decode(text)
    except ValueError as error:  # JSONDecodeError, and int() refusing a number of more than 4300 digits
        raise malformed(str(error).split(":")[0]) from None
    if _SURROGATE_ESCAPE.search(text):  # valid UTF-8 holds no surrogate: only a \u escape makes one
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise malformed("a string holds a lone surrogate") from None
    return data


def read(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """The body as a JSON object, or the refusal SFMC gives."""
    check_content_type(content_type)
    data = parse(raw)
    if not isinstance(data, dict):
        raise Invalid("The request body must be a JSON object.", code=codes.REST.NOT_AN_OBJECT)
    return data


# -- checking ----------------------------------------------------------------------------------------------

_ARTICLE = {"string": "a string", "object": "an object", "array": "an array", "boolean": "a boolean",
            "number": "a number", "integer": "an integer", "null": "null"}


def _path(error: jsonschema.ValidationError) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def _detail(error: jsonschema.ValidationError) -> str:
    path = _path(error)
    value = error.validator_value
    if error.validator == "type":
        wanted = [t for t in (value if isinstance(value, list) else [value]) if t != "null"]
        return f"{path} must be {' or '.join(_ARTICLE.get(t, t) for t in wanted)}."
    if error.validator == "maxLength":
        return f"{path} must be at most {value} characters."
    if error.validator == "maxItems":
        return f"{path} must have at most {value} items."
    if error.validator in ("maximum", "minimum"):
        return f"{path} is out of range."
    if error.validator == "enum":
        return f"{path} must be one of {', '.join(map(str, value))}."
    return f"{path} is not valid ({error.validator})."


def _code(error: jsonschema.ValidationError) -> codes.REST:
    declared = error.schema.get("x-errorcode") if isinstance(error.schema, dict) else None
    if isinstance(declared, dict):  # {"maxItems": 109101}: a code for one keyword only
        declared = declared.get(error.validator)
    if declared is not None:
        return codes.REST(declared)
    return codes.REST.INVALID_DATA_TYPE if error.validator == "type" else codes.REST.INVALID_VALUE


def compiled_check(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """`schema` (Draft 4) as generated Python code: is a body valid? Imported here, at a schema's first use,
    so `import emulator` stays cheap."""
    import fastjsonschema

    validate = fastjsonschema.compile({**schema, "$schema": DRAFT4}, use_default=False, use_formats=False,
                                      detailed_exceptions=False)
    refused = fastjsonschema.JsonSchemaException

    def is_valid(data: Any) -> bool:
        try:
            validate(data)
        except refused:
            return False
        return True

    return is_valid


def _document_order(error: jsonschema.ValidationError) -> list[tuple[bool, int | str]]:
    """An error's place in the body: array indexes as numbers (recipients[9] before recipients[10])."""
    return [(isinstance(p, str), p) for p in error.absolute_path]


class BodySchema:
    """A route's declared request-body schema (Draft 4), compiled once at import."""

    def __init__(self, name: str, schema: dict[str, Any]) -> None:
        jsonschema.Draft4Validator.check_schema(schema)
        self.name = name
        self.schema = schema
        self.mcms = bool(schema.get("x-mcms"))
        self.validator = jsonschema.Draft4Validator(schema)
        self._compiled: Callable[[Any], bool] | None = None

    def is_valid(self, data: Any) -> bool:
        """The compiled check: is `data` valid? (It never decides an error's answer.)"""
        if self._compiled is None:
            self._compiled = compiled_check(self.schema)
        return self._compiled(data)

    def _message(self, code: codes.REST, detail: str) -> str:
        return f"{code.mcms}: {detail}" if self.mcms and code.mcms else detail

    def errors(self, data: Any) -> list[tuple[codes.REST, str]]:
        found = sorted(self.validator.iter_errors(data), key=_document_order)
        return [(_code(e), self._message(_code(e), _detail(e))) for e in found]

    def check(self, data: Any) -> Any:
        """`data` unchanged, or an Invalid carrying SFMC's code (and every error in additionalErrors)."""
        if self.is_valid(data):
            return data
        errors = self.errors(data)
        if not errors:
            return data
        code, message = errors[0]
        extra: dict[str, Any] = {}
        if len(errors) > 1:
            extra["additionalErrors"] = [{"message": m, "errorcode": int(c)}
                                         for c, m in errors[:MAX_LISTED_ERRORS]]
        raise Invalid(message, code=code, **extra)
