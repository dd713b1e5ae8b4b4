"""Content Builder assets: emails (htmlemail and friends, with subjectline/html/text views), content
blocks (html, text, freeform) and templates, created, read, listed, searched, patched and deleted by
integer id. Each sits in a category (categories.py), answered as {id, name, parentId}.

Stored as REST documents (kind "asset", key = the id); transactional definitions reference them by
customerKey, emails include blocks with ContentBlockByKey/Name/Id (blocks.py). A name is unique within a
category and asset type: SFMC refuses a second one with 10006 and a 118039 validation error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ...clock import SFMC_TZ, Clock
from ...ids import IdSource
from ...store.db import Store
from ...store.document_query import DocumentQuery
from ...store.rest_documents import Document, RestDocumentRepository
from .. import codes
from ..context import CallContext
from ..errors import Invalid, NotFound
from .categories import CategoryService
from .documents import DocumentService
from .queries import bad, paging, parse_filter, parse_order, parse_query, parse_sort

KIND = "asset"
FIRST_ASSET_ID = 10001
# The asset types served (id -> name, displayName) [doc:asset_type, fx:sfmc-devtools asset answers].
ASSET_TYPES = {
    4: ("template", "Template"),
    195: ("freeformblock", "Free Form Block"),
    196: ("textblock", "Text Block"),
    197: ("htmlblock", "HTML Block"),
    207: ("templatebasedemail", "Template-Based Email"),
    208: ("htmlemail", "HTML Email"),
    209: ("textonlyemail", "Text Only Email"),
}
EMAIL_TYPES = {type_id: names[0] for type_id, names in ASSET_TYPES.items()}
TYPE_IDS = {name: type_id for type_id, name in EMAIL_TYPES.items()}
BLOCK_TYPES = frozenset({195, 196, 197})
# Searchable / sortable properties (lower-cased name -> JSON path).
PROPERTIES = {p.lower(): tuple(p.split(".")) for p in (
    "id", "customerKey", "objectID", "name", "description", "assetType.id", "assetType.name",
    "assetType.displayName", "category.id", "status.id", "status.name", "createdDate", "modifiedDate",
    "memberId", "enterpriseId", "version", "content", "contentType")}
# Fields a query answers without being asked [doc:assetAdvancedQuery, fx:assets/query].
STANDARD_FIELDS = ("id", "customerKey", "objectID", "assetType", "name", "description", "createdDate",
                   "modifiedDate", "status", "category", "availableViews", "modelVersion")
VIEWS = ("subjectline", "preheader", "html", "text")
MAX_NAME = 200


def _asset_time(ts: float) -> str:
    """Content Builder dates carry the Central-time offset (2019-06-05T09:56:46.443-06:00)."""
    local = datetime.fromtimestamp(ts, UTC).astimezone(SFMC_TZ)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}-06:00"


class AssetService(DocumentService):
    def __init__(self, store: Store, clock: Clock, ids: IdSource, docs: RestDocumentRepository,
                 query: DocumentQuery, categories: CategoryService, enterprise_mid: int) -> None:
        self.store, self.clock, self.ids, self.docs = store, clock, ids, docs
        self.query, self.categories = query, categories
        self.enterprise_mid = enterprise_mid

    def _get(self, mid: int, asset_id: int) -> Document:
        doc = self.docs.get(mid, KIND, str(asset_id))
        if doc is None:
            raise NotFound(f"Asset with id {asset_id} not found.", code=codes.REST.NOT_FOUND)
        return doc

    def _public(self, doc: Document) -> dict[str, Any]:
        category = self.categories.summary(doc.mid, (doc.data.get("category") or {}).get("id"))
        return {**doc.data, "category": category, "availableViews": sorted(doc.data.get("views") or {}),
                "createdDate": _asset_time(doc.created), "modifiedDate": _asset_time(doc.modified)}

    def _check_unique_name(self, mid: int, data: dict[str, Any], pk: int | None) -> None:
        same = ("and", ("and", ("cmp", ("name",), "eq", data["name"]),
                        ("cmp", ("assetType", "id"), "eq", data["assetType"]["id"])),
                ("cmp", ("category", "id"), "eq", data["category"]["id"]))
        docs, _ = self.query.page(mid, KIND, same, [], 2, 0)
        if any(doc.pk != pk for doc in docs):
            error = {"message": f"{codes.REST.ASSET_NAME_NOT_UNIQUE.message}. {data['name']} is already taken.",
                     "errorcode": int(codes.REST.ASSET_NAME_NOT_UNIQUE), "documentation": ""}
            raise Invalid("Request contained some validation errors.", code=codes.REST.UNABLE_TO_SAVE_ROWS,
                          validationErrors=[error])

    def _check(self, mid: int, body: dict[str, Any], creating: bool, pk: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if creating or "name" in body:
            name = body.get("name")
            if not isinstance(name, str) or not name.strip():
                raise Invalid("name is required.", code=codes.REST.MISSING_FIELD)
            if len(name) > MAX_NAME:
                raise Invalid(f"name must be at most {MAX_NAME} characters.", code=codes.REST.INVALID_VALUE)
            out["name"] = name
        if creating or "assetType" in body:
            out["assetType"] = _asset_type(body.get("assetType"))
        if body.get("customerKey") is not None:
            key = body["customerKey"]
            if not isinstance(key, str) or not key.strip() or len(key) > 36:
                raise Invalid("customerKey must be a string of 1 to 36 characters.",
                              code=codes.REST.INVALID_VALUE)
            clash = self.docs.find(mid, KIND, "customerKey", key)
            if clash is not None and clash.pk != pk:
                raise Invalid(f"Customer key '{key}' must be unique.", code=codes.REST.INVALID_VALUE)
            out["customerKey"] = key
        for field in ("description", "content"):
            if body.get(field) is not None:
                if not isinstance(body[field], str):
                    raise Invalid(f"{field} must be a string.", code=codes.REST.INVALID_DATA_TYPE)
                out[field] = body[field]
        if body.get("category") is not None:
            category = body["category"]
            if not isinstance(category, dict) or isinstance(category.get("id", 0), bool) \
                    or not isinstance(category.get("id", 0), int):
                raise Invalid("category must be an object with a numeric id.",
                              code=codes.REST.INVALID_DATA_TYPE)
            found = self.categories.find(mid, category.get("id", 0))
            if found is None:
                raise bad(f"Category with id {category.get('id')} not found.")
            out["category"] = {"id": found.data["id"]}
        if body.get("views") is not None:
            views = body["views"]
            if not isinstance(views, dict):
                raise Invalid("views must be an object.", code=codes.REST.INVALID_DATA_TYPE)
            checked = {}
            for name, view in views.items():
                if not isinstance(view, dict) or not isinstance(view.get("content", ""), str):
                    raise Invalid(f"views.{name} must be an object whose content is a string.",
                                  code=codes.REST.INVALID_DATA_TYPE)
                checked[name] = view
            out["views"] = checked
        return out

    def create(self, ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
        mid = ctx.mid
        now = self.clock.now().timestamp()
        with self.store.transaction():
            fields = self._check(mid, body, creating=True)
            fields.setdefault("category", {"id": self.categories.root(mid).data["id"]})
            asset_id = self.store.next_value("id:asset", FIRST_ASSET_ID)
            data = {
                "id": asset_id, "customerKey": fields.pop("customerKey", None) or self.ids.guid(),
                "objectID": self.ids.guid(), "assetType": fields.pop("assetType"), "name": fields.pop("name"),
                "description": fields.pop("description", ""), "category": fields.pop("category", {"id": 0}),
                "views": fields.pop("views", {}), **fields,
                "status": {"id": 1, "name": "Draft"}, "memberId": mid, "enterpriseId": self.enterprise_mid,
                "modelVersion": 2,
            }
            self._check_unique_name(mid, data, None)
            doc = self.docs.insert(mid, KIND, str(asset_id), data, now)
        return self._public(doc)

    def update(self, ctx: CallContext, asset_id: int, body: dict[str, Any]) -> dict[str, Any]:
        with self.store.transaction():
            doc = self._to_update(ctx.mid, asset_id, body)
            fields = self._check(ctx.mid, body, creating=False, pk=doc.pk)
            if "views" in fields:  # views merge one by one, as a PATCH of one view keeps the others
                fields["views"] = {**(doc.data.get("views") or {}), **fields["views"]}
            doc.data.update(fields)
            if "name" in fields or "category" in fields or "assetType" in fields:
                doc.data.setdefault("category", {"id": 0})
                if not doc.data["category"].get("id"):
                    doc.data["category"] = {"id": self.categories.root(ctx.mid).data["id"]}
                self._check_unique_name(ctx.mid, doc.data, doc.pk)
            self.docs.replace(doc, self.clock.now().timestamp())
        return self._public(doc)

    def delete(self, ctx: CallContext, asset_id: int) -> None:
        with self.store.transaction():
            self.docs.delete(self._get(ctx.mid, asset_id))

    # -- lists and searches --------------------------------------------------------------------------
    def _page(self, mid: int, where: tuple | None, order: list, page_no: int, size: int,
              fields: list[str] | None) -> dict[str, Any]:
        self.categories.root(mid)
        docs, total = self.query.page(mid, KIND, where, order, size, (page_no - 1) * size)
        items = [self._public(doc) for doc in docs]
        if fields is not None:
            keep = set(STANDARD_FIELDS) | set(fields)
            items = [{k: v for k, v in item.items() if k in keep} for item in items]
        # `count` is the total that matched (sfmc-sdk pages assets on count vs collected items)
        return {"count": total, "page": page_no, "pageSize": size, "links": {}, "items": items}

    def list(self, ctx: CallContext, filter_text: str | None, page: Any, page_size: Any,
             order_by: str | None) -> dict[str, Any]:
        """GET /asset/v1/content/assets: $filter (one comparison), $orderBy, $page, $pageSize."""
        page_no, size = paging(page, page_size)
        where = parse_filter(PROPERTIES, filter_text)
        return self._page(ctx.mid, where, parse_order(PROPERTIES, order_by, ("id",)), page_no, size, None)

    def search(self, ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
        """POST /asset/v1/content/assets/query: {page: {page, pageSize}, query, sort, fields}."""
        unknown = set(body) - {"page", "query", "sort", "fields"}
        if unknown:
            raise bad(f"Unknown field(s) in the query body: {', '.join(sorted(map(str, unknown)))}.")
        page = body.get("page") or {}
        if not isinstance(page, dict):
            raise bad("page must be an object {page, pageSize}.")
        page_no, size = paging(page.get("page"), page.get("pageSize"))
        where = parse_query(PROPERTIES, body["query"]) if body.get("query") is not None else None
        order = parse_sort(PROPERTIES, body.get("sort"), ("id",))
        fields = body.get("fields")
        if fields is not None and (not isinstance(fields, list) or len(fields) > 100
                                   or not all(isinstance(f, str) for f in fields)):
            raise bad("fields must be a list of property names.")
        return self._page(ctx.mid, where, order, page_no, size, fields if fields is not None else [])


def _asset_type(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or (value.get("id") is None and value.get("name") is None):
        raise Invalid("assetType is required (id or name).", code=codes.REST.MISSING_FIELD)
    type_id, name = value.get("id"), value.get("name")
    if type_id is not None and (isinstance(type_id, bool) or not isinstance(type_id, int | float)):
        raise Invalid("assetType.id must be a number.", code=codes.REST.INVALID_DATA_TYPE)
    if name is not None and not isinstance(name, str):
        raise Invalid("assetType.name must be a string.", code=codes.REST.INVALID_DATA_TYPE)
    whole = type_id is not None and (isinstance(type_id, int) or type_id.is_integer())
    if whole and int(type_id) in EMAIL_TYPES:
        resolved = int(type_id)
    elif type_id is None and name in TYPE_IDS:
        resolved = TYPE_IDS[name]
    else:
        raise Invalid(f"Asset type {type_id if type_id is not None else name} is not supported: the emulator "
                      f"serves {', '.join(EMAIL_TYPES.values())}.", code=codes.REST.INVALID_VALUE)
    if name is not None and name != EMAIL_TYPES[resolved]:
        raise Invalid(f"assetType.name '{name}' does not match assetType.id {resolved}.",
                      code=codes.REST.INVALID_VALUE)
    return {"id": resolved, "name": EMAIL_TYPES[resolved], "displayName": ASSET_TYPES[resolved][1]}
