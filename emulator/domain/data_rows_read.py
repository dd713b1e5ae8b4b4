"""Reading data-extension rows over REST: GET /data/v1/customobjectdata/.../rowset.

SFMC answers a page of rows with the column names lower-cased, every value a string ("" for no value, dates
as "6/23/2024 12:00:00 AM"), primary-key columns under ``keys`` and the others, alphabetically, under
``values``; a ``requestToken`` names the query so ``links.next`` (``/v1/customobjectdata/token/{token}/rowset
?$page=N``) continues it [fx: a captured rowset answer]. The page is cut by SQLite (store/de_row_pages.py):
``$filter`` and ``$orderBy`` become SQL over the stored rows, so a page costs one indexed query.

``$filter`` grammar (OData-like, as SFMC's rowset takes it): ``Column op value`` joined by ``and``/``or``,
``not`` and parentheses; ``op`` is eq, ne (neq), gt, ge (gte), lt, le (lte) or like (``%``/``_`` wildcards);
a value is 'quoted text' ('' for a quote), a number, true/false or null; a column may be "double-quoted" or
[bracketed]. Values are compared as the column's type: numbers numerically, dates as dates (ISO or M/D/YYYY
accepted), text case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..store.de_row_pages import DERowPages, Node
from ..store.rest_documents import Document, RestDocumentRepository
from . import codes
from . import data_extensions as des
from .data_rows import DERef, load
from .errors import Invalid, NotFound

if TYPE_CHECKING:
    from ..core import Emulator

DEFAULT_PAGE_SIZE = 2500  # what SFMC answers without $pageSize [fx]
MAX_PAGE_SIZE = 2500
TOKEN_KIND = "customobjectdata_token"
TOKEN_LIFETIME = timedelta(minutes=20)
# Ours: bounds that keep a filter's SQL within SQLite's expression depth (1000) and any parse cheap.
MAX_FILTER_DEPTH, MAX_FILTER_COMPARISONS = 32, 200  # inferred: SFMC states tokenExpireDateUtc, not the rule
OPERATORS = {"eq": "eq", "=": "eq", "ne": "ne", "neq": "ne", "!=": "ne", "<>": "ne", "gt": "gt", ">": "gt",
             "ge": "ge", "gte": "ge", ">=": "ge", "lt": "lt", "<": "lt", "le": "le", "lte": "le", "<=": "le",
             "like": "like"}
_TOKEN_RE = re.compile(r"""\s*(?:(?P<str>'(?:[^']|'')*')|(?P<quoted>"[^"]*"|\[[^\]]*\])|(?P<op><>|!=|>=|<=|=|<|>)
                           |(?P<paren>[()])|(?P<word>[^\s()'"=<>!]+))""", re.VERBOSE)


def _bad_filter(text: str) -> Invalid:
    return Invalid(f"The $filter parameter is invalid: {text}", code=codes.REST.VALIDATION)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            raise _bad_filter(f"unexpected text at '{text[pos:pos + 20]}'.")
        kind = match.lastgroup or "word"
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _FilterParser:
    """Recursive descent over the tokens: or-expr → and-expr → not/parenthesis/comparison."""

    def __init__(self, schema: des.DESchema, text: str) -> None:
        self.schema, self.tokens, self.pos = schema, _tokens(text), 0
        self.depth = self.comparisons = 0

    def parse(self) -> Node:
        if not self.tokens:
            raise _bad_filter("it is empty.")
        node = self._or()
        if self.pos != len(self.tokens):
            raise _bad_filter(f"unexpected '{self.tokens[self.pos][1]}'.")
        return node

    def _peek_word(self) -> str | None:
        if self.pos < len(self.tokens) and self.tokens[self.pos][0] == "word":
            return self.tokens[self.pos][1].lower()
        return None

    def _take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise _bad_filter("it ends too early.")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def _or(self) -> Node:
        return self._joined("or", self._and)

    def _and(self) -> Node:
        return self._joined("and", self._unary)

    def _joined(self, word: str, operand: Callable[[], Node]) -> Node:
        """One operand, or (word, [operands]) for a run of them joined by `word` ("and" binds tighter)."""
        parts = [operand()]
        while self._peek_word() == word:
            self.pos += 1
            parts.append(operand())
        return parts[0] if len(parts) == 1 else (word, parts)

    def _unary(self) -> Node:
        self.depth += 1
        try:
            if self.depth > MAX_FILTER_DEPTH:
                raise _bad_filter("it nests too deeply.")
            if self._peek_word() == "not":
                self.pos += 1
                return ("not", self._unary())
            kind, text = self._take()
            if (kind, text) == ("paren", "("):
                node = self._or()
                if self._take() != ("paren", ")"):
                    raise _bad_filter("a parenthesis is not closed.")
                return node
        finally:
            self.depth -= 1
        if kind not in ("word", "quoted"):
            raise _bad_filter(f"expected a column name, found '{text}'.")
        return self._comparison(text[1:-1] if kind == "quoted" else text)

    def _comparison(self, name: str) -> Node:
        self.comparisons += 1
        if self.comparisons > MAX_FILTER_COMPARISONS:
            raise _bad_filter(f"it has more than {MAX_FILTER_COMPARISONS} comparisons.")
        column = self.schema.column(name)
        if column is None:
            raise _bad_filter(f"the column '{name}' does not exist in data extension {self.schema.name}.")
        kind, text = self._take()
        op = OPERATORS.get(text.lower()) if kind in ("word", "op") else None
        if op is None:
            raise _bad_filter(f"'{text}' is not an operator.")
        kind, raw = self._take()
        if kind == "str":
            value: str | None = raw[1:-1].replace("''", "'")
        elif kind == "word":
            value = None if raw.lower() == "null" else raw
        else:
            raise _bad_filter(f"expected a value after '{text}', found '{raw}'.")
        return ("cmp", column.name, des.column_kind(column), op, self._typed(column, op, value))

    @staticmethod
    def _typed(column: des.Column, op: str, value: str | None) -> Any:
        if value is None or op == "like":
            if op == "like" and value is None:
                raise _bad_filter("like needs a text value.")
            if op not in ("eq", "ne", "like"):
                raise _bad_filter(f"null cannot be compared with {op}.")
            return value
        kind = des.column_kind(column)
        try:
            if kind == "int":  # the Number column's own range check (SQL Server int)
                return int(des.coerce(column, value) or "x")
            if kind == "float":
                number = float(value.strip())
                if number != number or number in (float("inf"), float("-inf")):
                    raise ValueError(value)
                return number
            if kind == "bool":
                return des.coerce(column, value)
            if kind == "datetime":
                stamp = des.parse_date(value)
                if stamp is None:
                    raise ValueError(value)
                return stamp.replace(microsecond=0).isoformat()
        except (ValueError, des.RowRejected):
            raise _bad_filter(f"'{value}' is not a valid {column.type} for column {column.name}.") from None
        return value


def parse_filter(schema: des.DESchema, text: str | None) -> Node | None:
    return _FilterParser(schema, text).parse() if text not in (None, "") else None


def parse_order(schema: des.DESchema, text: str | None) -> list[tuple[str, str, bool]]:
    """``$orderBy=LastName desc, FirstName`` → [(column, kind, descending)]."""
    order = []
    for part in (text or "").split(","):
        words = part.split()
        if not words:
            continue
        direction = words[-1].lower() if len(words) > 1 and words[-1].lower() in ("asc", "desc") else None
        name = " ".join(words[:-1] if direction else words).strip('"[]')
        column = schema.column(name)
        if column is None:
            raise Invalid(f"The $orderBy parameter is invalid: the column '{name}' does not exist in data "
                          f"extension {schema.name}.", code=codes.REST.VALIDATION)
        order.append((column.name, des.column_kind(column), direction == "desc"))
    return order


def parse_paging(page: str | None, page_size: str | None) -> tuple[int, int]:
    def number(text: str | None, default: int, name: str, upper: int) -> int:
        if text in (None, ""):
            return default
        if not text.strip().isdigit() or not 1 <= int(text) <= upper:
            raise Invalid(f"The {name} parameter must be a whole number from 1 to {upper}.", code=codes.REST.VALIDATION)
        return int(text)

    return number(page, 1, "$page", 2**31 - 1), number(page_size, DEFAULT_PAGE_SIZE, "$pageSize", MAX_PAGE_SIZE)


def _item(schema: des.DESchema, row: dict[str, Any]) -> dict[str, Any]:
    keys: dict[str, str] = {}
    values: dict[str, str] = {}
    for column in sorted(schema.columns, key=lambda c: c.name.casefold()):
        value = row.get(column.name)
        (keys if column.primary else values)[column.name.lower()] = "" if value is None else str(value)
    return {"keys": keys, "values": values}


class RowReader:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.docs = RestDocumentRepository(emu.store)
        self.pages = DERowPages(emu.store)

    def first_page(self, mid: int, ref: DERef, args: dict[str, str | None]) -> dict[str, Any]:
        schema = load(self.emu, mid, ref)
        query: dict[str, Any] = {"de_key": schema.key, "filter": args.get("$filter"), "orderBy": args.get("$orderBy")}
        where, order = parse_filter(schema, query["filter"]), parse_order(schema, query["orderBy"])
        page, page_size = parse_paging(args.get("$page"), args.get("$pageSize"))
        query["pageSize"] = page_size
        now = self.emu.clock.now()
        query["expires"] = (now + TOKEN_LIFETIME).timestamp()
        doc = self.docs.insert(mid, TOKEN_KIND, self.emu.ids.guid(), query, now.timestamp())
        return self._answer(schema, doc, where, order, page, page_size)

    def continued(self, mid: int, token: str, args: dict[str, str | None]) -> dict[str, Any]:
        doc = self.docs.get(mid, TOKEN_KIND, token)
        if doc is None or doc.data["expires"] < self.emu.clock.now().timestamp():
            raise NotFound(f"The request token {token} is not valid or has expired.", code=codes.REST.VALIDATION)
        schema = load(self.emu, mid, DERef(key=doc.data["de_key"]))
        page, page_size = parse_paging(args.get("$page"), args.get("$pageSize") or str(doc.data["pageSize"]))
        return self._answer(schema, doc, parse_filter(schema, doc.data["filter"]),
                            parse_order(schema, doc.data["orderBy"]), page, page_size)

    def _answer(self, schema: des.DESchema, doc: Document, where: Node | None, order: list[tuple[str, str, bool]],
                page: int, page_size: int) -> dict[str, Any]:
        query = doc.data
        # The token keeps the count and, in insertion order, where the last page ended: following links.next
        # reads the next page as a range (no offset to skip), however far into the rows it is.
        cursor = query.get("cursor") or {}
        follows = not order and cursor.get("page") == page - 1 and cursor.get("pageSize") == page_size
        found = self.pages.page(schema.mid, schema.key, where, order, page_size, (page - 1) * page_size,
                                after=cursor.get("pk") if follows else None, count="count" not in query)
        total = query.setdefault("count", found.total)
        if found.last_pk is not None and not order:
            query["cursor"] = {"page": page, "pageSize": page_size, "pk": found.last_pk}
        self.docs.replace(doc, self.emu.clock.now().timestamp())
        token = doc.key
        links = {"self": f"/v1/customobjectdata/token/{token}/rowset?$page={page}"}
        if page * page_size < total:
            links["next"] = f"/v1/customobjectdata/token/{token}/rowset?$page={page + 1}"
        expires = datetime.fromtimestamp(query["expires"], UTC).replace(tzinfo=None)
        return {
            "links": links, "requestToken": token, "tokenExpireDateUtc": expires.isoformat(timespec="milliseconds"),
            "customObjectId": schema.object_id, "customObjectKey": schema.key, "pageSize": page_size, "page": page,
            "count": total, "top": 0, "items": [_item(schema, row) for row in found.rows],
        }
