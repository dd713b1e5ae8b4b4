"""The minimal Content Builder surface a transactional user needs: email assets (htmlemail and friends)
with subjectline/html/text views, created, read, patched and deleted by integer id.

Stored as REST documents (kind "asset", key = the id); transactional definitions reference them by
customerKey.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..clock import SFMC_TZ, Clock
from ..ids import IdSource
from ..store.db import Store
from ..store.rest_documents import Document, RestDocumentRepository
from . import codes
from .context import CallContext
from .errors import Invalid, NotFound

KIND = "asset"
FIRST_ASSET_ID = 10001
# Content Builder's email asset types (id <-> name).
EMAIL_TYPES = {207: "templatebasedemail", 208: "htmlemail", 209: "textonlyemail"}
TYPE_IDS = {name: type_id for type_id, name in EMAIL_TYPES.items()}
VIEWS = ("subjectline", "preheader", "html", "text")
MAX_NAME = 200


def _asset_time(ts: float) -> str:
    """Content Builder dates carry the Central-time offset (2019-06-05T09:56:46.443-06:00)."""
    local = datetime.fromtimestamp(ts, UTC).astimezone(SFMC_TZ)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}-06:00"


class AssetService:
    def __init__(self, store: Store, clock: Clock, ids: IdSource, docs: RestDocumentRepository,
                 enterprise_mid: int) -> None:
        self.store, self.clock, self.ids, self.docs = store, clock, ids, docs
        self.enterprise_mid = enterprise_mid

    def _get(self, mid: int, asset_id: int) -> Document:
        doc = self.docs.get(mid, KIND, str(asset_id))
        if doc is None:
            raise NotFound(f"Asset with id {asset_id} not found.", code=codes.REST.NOT_FOUND)
        return doc

    def _public(self, doc: Document) -> dict[str, Any]:
        return {**doc.data, "createdDate": _asset_time(doc.created), "modifiedDate": _asset_time(doc.modified)}

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
            if not isinstance(category, dict) or not isinstance(category.get("id", 0), int | float):
                raise Invalid("category must be an object with a numeric id.",
                              code=codes.REST.INVALID_DATA_TYPE)
            out["category"] = {"id": category.get("id", 0)}
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
            asset_id = self.store.next_value("id:asset", FIRST_ASSET_ID)
            data = {
                "id": asset_id, "customerKey": fields.pop("customerKey", None) or self.ids.guid(),
                "objectID": self.ids.guid(), "assetType": fields.pop("assetType"), "name": fields.pop("name"),
                "description": fields.pop("description", ""), "category": fields.pop("category", {"id": 0}),
                "views": fields.pop("views", {}), **fields,
                "status": {"id": 1, "name": "Draft"}, "memberId": mid, "enterpriseId": self.enterprise_mid,
                "modelVersion": 2,
            }
            doc = self.docs.insert(mid, KIND, str(asset_id), data, now)
        return self._public(doc)

    def get(self, ctx: CallContext, asset_id: int) -> dict[str, Any]:
        return self._public(self._get(ctx.mid, asset_id))

    def update(self, ctx: CallContext, asset_id: int, body: dict[str, Any]) -> dict[str, Any]:
        with self.store.transaction():
            doc = self._get(ctx.mid, asset_id)
            if body.get("id") not in (None, asset_id):
                raise Invalid("id cannot be changed.", code=codes.REST.INVALID_VALUE)
            fields = self._check(ctx.mid, body, creating=False, pk=doc.pk)
            if "views" in fields:  # views merge one by one, as a PATCH of one view keeps the others
                fields["views"] = {**(doc.data.get("views") or {}), **fields["views"]}
            doc.data.update(fields)
            self.docs.replace(doc, self.clock.now().timestamp())
        return self._public(doc)

    def delete(self, ctx: CallContext, asset_id: int) -> None:
        with self.store.transaction():
            self.docs.delete(self._get(ctx.mid, asset_id))


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
                      "serves email assets (htmlemail, templatebasedemail, textonlyemail).",
                      code=codes.REST.INVALID_VALUE)
    if name is not None and name != EMAIL_TYPES[resolved]:
        raise Invalid(f"assetType.name '{name}' does not match assetType.id {resolved}.",
                      code=codes.REST.INVALID_VALUE)
    return {"id": resolved, "name": EMAIL_TYPES[resolved], "displayName": EMAIL_TYPES[resolved]}
