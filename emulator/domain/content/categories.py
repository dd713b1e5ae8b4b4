"""Content Builder categories (folders): a root "Content Builder" (parentId 0) in every business unit,
created the first time the BU's content is touched; children by parentId; names unique under a parent
(118090, as SFMC answers); a category holding assets or categories cannot be deleted, nor can the root.

Wire shape as captured: {id, description, enterpriseId, memberId, name, parentId, categoryType} [fx:
sfmc-devtools asset/v1/content/categories/post-response.json]. Request bodies spell the fields either way
(the docs write Name/ParentId, clients name/parentId): keys match case-insensitively.
"""

from __future__ import annotations

from typing import Any

from ...clock import Clock
from ...store.db import Store
from ...store.document_query import DocumentQuery
from ...store.rest_documents import Document, RestDocumentRepository
from .. import codes
from ..context import CallContext
from ..errors import Invalid, NotFound
from .queries import bad, paging, parse_filter, parse_order

CATEGORY_KIND = "category"
ASSET_KIND = "asset"
ROOT_NAME = "Content Builder"
FIRST_CATEGORY_ID = 5001
MAX_NAME = 120
MAX_DEPTH = 50
PROPERTIES = {"id": ("id",), "name": ("name",), "parentid": ("parentId",), "description": ("description",)}
FILTER_PROPERTIES = {"parentid": ("parentId",)}  # "ParentId is the only allowed field" [swag getCategories]


def _lower_keys(body: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in body.items()}


class CategoryService:
    def __init__(self, store: Store, clock: Clock, docs: RestDocumentRepository, query: DocumentQuery,
                 enterprise_mid: int) -> None:
        self.store, self.clock, self.docs, self.query = store, clock, docs, query
        self.enterprise_mid = enterprise_mid

    # -- lookups other Content Builder code shares -------------------------------------------------------
    def root(self, mid: int) -> Document:
        """The BU's root category, created on first use."""
        docs, _ = self.query.page(mid, CATEGORY_KIND, ("cmp", ("parentId",), "eq", 0), [(("id",), False)], 1, 0)
        if docs:
            return docs[0]
        with self.store.transaction():
            docs, _ = self.query.page(mid, CATEGORY_KIND, ("cmp", ("parentId",), "eq", 0), [], 1, 0)
            if docs:
                return docs[0]
            return self._insert(mid, ROOT_NAME, 0, "")

    def find(self, mid: int, category_id: Any) -> Document | None:
        if category_id in (None, 0):
            return self.root(mid)
        if isinstance(category_id, bool) or not isinstance(category_id, int | float) or category_id != int(category_id):
            return None
        self.root(mid)
        return self.docs.get(mid, CATEGORY_KIND, str(int(category_id)))

    def child(self, mid: int, parent_id: int, name: str) -> Document | None:
        docs, _ = self.query.page(mid, CATEGORY_KIND, ("and", ("cmp", ("parentId",), "eq", parent_id),
                                                       ("cmp", ("name",), "eq", name)), [], 1, 0)
        return docs[0] if docs else None

    def summary(self, mid: int, category_id: Any) -> dict[str, Any]:
        """{id, name, parentId}: how an asset shows its category."""
        doc = self.find(mid, category_id) or self.root(mid)
        return {"id": doc.data["id"], "name": doc.data["name"], "parentId": doc.data["parentId"]}

    # -- the API -----------------------------------------------------------------------------------------
    def _insert(self, mid: int, name: str, parent_id: int, description: str) -> Document:
        category_id = self.store.next_value("id:category", FIRST_CATEGORY_ID)
        data = {"id": category_id, "description": description, "enterpriseId": self.enterprise_mid,
                "memberId": mid, "name": name, "parentId": parent_id, "categoryType": "asset"}
        return self.docs.insert(mid, CATEGORY_KIND, str(category_id), data, self.clock.now().timestamp())

    def _get(self, mid: int, category_id: int) -> Document:
        doc = self.find(mid, category_id) if category_id else None
        if doc is None:
            raise NotFound(f"Category with id {category_id} not found.", code=codes.REST.NOT_FOUND)
        return doc

    def _fields(self, mid: int, body: dict[str, Any], current: Document | None) -> tuple[str, int, str]:
        body = _lower_keys(body)
        name = body.get("name", current.data["name"] if current else None)
        if not isinstance(name, str) or not name.strip():
            raise Invalid("Name is required.", code=codes.REST.MISSING_FIELD)
        if len(name) > MAX_NAME:
            raise bad(f"Name must be at most {MAX_NAME} characters.")
        parent_id = body.get("parentid", current.data["parentId"] if current else None)
        if parent_id is None:
            raise Invalid("ParentId is required.", code=codes.REST.MISSING_FIELD)
        if isinstance(parent_id, bool) or not isinstance(parent_id, int):
            raise Invalid("ParentId must be a number.", code=codes.REST.INVALID_DATA_TYPE)
        description = body.get("description", current.data.get("description", "") if current else "")
        if description is None:
            description = ""
        if not isinstance(description, str) or len(description) > 4000:
            raise Invalid("Description must be a string.", code=codes.REST.INVALID_DATA_TYPE)
        if current is not None and current.data["parentId"] == 0:
            if parent_id != 0 or name != current.data["name"]:
                raise bad("The root category cannot be moved or renamed.")
            return name, 0, description
        if parent_id == 0 or self.find(mid, parent_id) is None:
            raise bad(f"Parent category {parent_id} not found.")
        if current is not None:
            self._check_not_descendant(mid, current.data["id"], parent_id)
        clash = self.child(mid, parent_id, name)
        if clash is not None and (current is None or clash.pk != current.pk):
            raise Invalid(f"Category already exists with name: {name} under parentId: {parent_id}",
                          code=codes.REST.CATEGORY_EXISTS)
        return name, parent_id, description

    def _check_not_descendant(self, mid: int, category_id: int, parent_id: int) -> None:
        cursor, steps = parent_id, 0
        while cursor and steps < MAX_DEPTH:
            if cursor == category_id:
                raise bad("A category cannot be moved into itself or one of its subcategories.")
            doc = self.docs.get(mid, CATEGORY_KIND, str(cursor))
            cursor, steps = (doc.data["parentId"] if doc else 0), steps + 1

    def create(self, ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
        self.root(ctx.mid)
        with self.store.transaction():
            name, parent_id, description = self._fields(ctx.mid, body, None)
            return self._insert(ctx.mid, name, parent_id, description).data

    def get(self, ctx: CallContext, category_id: int) -> dict[str, Any]:
        return self._get(ctx.mid, category_id).data

    def update(self, ctx: CallContext, category_id: int, body: dict[str, Any]) -> dict[str, Any]:
        given = _lower_keys(body).get("id")
        with self.store.transaction():
            doc = self._get(ctx.mid, category_id)
            if given is not None and given != category_id:
                raise bad("Id in the body does not match the category in the URL.")
            name, parent_id, description = self._fields(ctx.mid, body, doc)
            doc.data.update(name=name, parentId=parent_id, description=description)
            self.docs.replace(doc, self.clock.now().timestamp())
        return doc.data

    def delete(self, ctx: CallContext, category_id: int) -> None:
        with self.store.transaction():
            doc = self._get(ctx.mid, category_id)
            if doc.data["parentId"] == 0:
                raise bad("The root category cannot be deleted.")
            holds = ("cmp", ("category", "id"), "eq", category_id)
            if self.query.exists(ctx.mid, CATEGORY_KIND, ("cmp", ("parentId",), "eq", category_id)) \
                    or self.query.exists(ctx.mid, ASSET_KIND, holds):
                raise Invalid(f"Category {category_id} is not empty: delete or move its assets and "
                              "subcategories first.", code=codes.REST.INVALID_OPERATION)
            self.docs.delete(doc)

    def list(self, ctx: CallContext, filter_text: str | None, page: Any, page_size: Any,
             order_by: str | None) -> dict[str, Any]:
        self.root(ctx.mid)
        page_no, size = paging(page, page_size)
        where = parse_filter(FILTER_PROPERTIES, filter_text)
        order = parse_order(PROPERTIES, order_by, ("id",))
        docs, total = self.query.page(ctx.mid, CATEGORY_KIND, where, order, size, (page_no - 1) * size)
        return {"count": total, "page": page_no, "pageSize": size, "links": {},
                "items": [doc.data for doc in docs]}
