"""Campaigns (/hub/v1/campaigns) and the assets associated with them (/hub/v1/campaigns/{id}/assets).

Wire shapes from the docs and sfmc-devtools' captured answer: ids are strings ("231"), dates zone-less
Central time (2021-05-17T05:52:40); lists page with $page/$pageSize/$orderBy and carry `count` (the
total), `page`, `pageSize` and `links` [doc:getCampaignCollection, fx:hub/v1/campaigns/get-response.json];
asset lists answer {page, pageSize, totalCount, entities} [doc:getCampaignAssetCollection]. A campaign id
that is not a number is refused as SFMC does: 400 "Campaign ID is invalid", errorcode 10000
[fx:sfmc-sdk hub-v1-campaigns-abc-http400-response.json].
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from ..clock import SFMC_TZ, Clock
from ..store.db import Store
from ..store.document_query import DocumentQuery
from ..store.rest_documents import Document, RestDocumentRepository
from . import codes
from .content.documents import DocumentService
from .content.queries import paging, parse_order
from .context import CallContext
from .errors import Invalid, NotFound

KIND, ASSET_KIND = "campaign", "campaign_asset"
FIRST_ID, FIRST_ASSET_ID = 201, 11
LIMITS = {"name": 128, "description": 512, "campaignCode": 36}
COLOR = re.compile(r"^[0-9A-Fa-f]{6}$")
ORDER = {p.lower(): (p,) for p in ("id", "name", "campaignCode", "createdDate", "modifiedDate", "color")}
# The association types SFMC lists [swag RequestAssociateAssetToCampaign]. An id of digits is answered as
# `itemID` (an email's id), any other (a triggered send's or an automation's GUID) as `objectID`, as the
# doc examples show.
ASSET_TYPES = frozenset({"EMAIL", "AUTOMATION_DEFINITION", "CALENDAR_EVENT", "TRIGGERED", "LIST", "GROUP",
                         "DATA_EXTENSION", "SENDABLE_CUSTOM_OBJECT", "LANDING_PAGE", "FACEBOOK_TAB",
                         "CT_FACEBOOK_POST", "CT_TWITTER_POST", "SMS_MESSAGE", "PUSH_MESSAGE", "CMS_ASSET"})
# "Default value of ModifiedDate DESC" [swag RequestGetCampaignCollection]
DEFAULT_ORDER = "modifiedDate desc"
MAX_IDS = 500


def _time(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).astimezone(SFMC_TZ).strftime("%Y-%m-%dT%H:%M:%S")


def invalid(message: str, code: codes.REST = codes.REST.VALIDATION) -> Invalid:
    return Invalid(message, code=code)


def _digits(text: str) -> bool:
    return 0 < len(text) <= 18 and text.isascii() and text.isdigit()  # str.isdigit alone accepts '²'


def campaign_id(text: str) -> int:
    if not _digits(text):
        raise invalid("Campaign ID is invalid")
    return int(text)


class CampaignService(DocumentService):
    text_ids = True

    def __init__(self, store: Store, clock: Clock, docs: RestDocumentRepository, query: DocumentQuery) -> None:
        self.store, self.clock, self.docs, self.query = store, clock, docs, query

    def _public(self, doc: Document) -> dict[str, Any]:
        return {"id": str(doc.data["id"]), "createdDate": _time(doc.created), "modifiedDate": _time(doc.modified),
                **{k: v for k, v in doc.data.items() if k != "id"}}

    def _get(self, mid: int, ref: str) -> Document:
        doc = self.docs.get(mid, KIND, str(campaign_id(ref)))
        if doc is None:
            raise NotFound(f"Campaign {ref} not found.", code=codes.REST.NOT_FOUND)
        return doc

    def _fields(self, body: dict[str, Any], creating: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, limit in LIMITS.items():
            if name not in body:
                if creating:
                    out[name] = ""
                continue
            value = body[name]
            if value is None:
                value = ""
            if not isinstance(value, str) or len(value) > limit:
                raise invalid(f"{name} must be a string of at most {limit} characters.", codes.REST.INVALID_VALUE)
            out[name] = value
        if creating and not out["name"].strip():
            raise invalid("name is required.", codes.REST.MISSING_FIELD)
        if "name" in out and not out["name"].strip():
            raise invalid("name cannot be empty.", codes.REST.INVALID_VALUE)
        if "color" in body:
            if not isinstance(body["color"], str) or not COLOR.match(body["color"]):
                raise invalid("color must be a six-digit hex value (0000ff).", codes.REST.INVALID_VALUE)
            out["color"] = body["color"].lower()
        elif creating:
            out["color"] = ""
        if "favorite" in body:
            if not isinstance(body["favorite"], bool):
                raise invalid("favorite must be true or false.", codes.REST.INVALID_DATA_TYPE)
            out["favorite"] = body["favorite"]
        elif creating:
            out["favorite"] = False
        return out

    def create(self, ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("id") not in (None, ""):
            # A POST naming an id updates that campaign: FuelSDK's ET_Campaign.patch posts so, its comment
            # recording that the back end served updates by POST (swaggerdoc's updateCampaign is a POST too).
            return self.update(ctx, str(body["id"]), body)
        fields = self._fields(body, creating=True)
        with self.store.transaction():
            new_id = self.store.next_value("id:campaign", FIRST_ID)
            data = {"id": new_id, "name": fields["name"], "description": fields["description"],
                    "campaignCode": fields["campaignCode"], "color": fields["color"], "favorite": fields["favorite"]}
            doc = self.docs.insert(ctx.mid, KIND, str(new_id), data, self.clock.now().timestamp())
        return self._public(doc)

    def update(self, ctx: CallContext, ref: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.store.transaction():
            doc = self._to_update(ctx.mid, ref, body)
            doc.data.update(self._fields(body, creating=False))
            self.docs.replace(doc, self.clock.now().timestamp())
        return self._public(doc)

    def delete(self, ctx: CallContext, ref: str) -> None:
        with self.store.transaction():
            doc = self._get(ctx.mid, ref)
            linked, _ = self.query.page(ctx.mid, ASSET_KIND, ("cmp", ("campaignId",), "eq", doc.data["id"]),
                                        [], MAX_IDS * 100, 0)
            for link in linked:
                self.docs.delete(link)
            self.docs.delete(doc)

    def list(self, ctx: CallContext, page: Any, page_size: Any, order_by: str | None) -> dict[str, Any]:
        page_no, size = paging(page, page_size)
        order = parse_order(ORDER, order_by or DEFAULT_ORDER, ("id",))
        docs, total = self.query.page(ctx.mid, KIND, None, order, size, (page_no - 1) * size)
        query = f"$page={{}}&$pagesize={size}" + (f"&$orderby={order_by}" if order_by else "")
        links: dict[str, Any] = {"self": {"href": "/v1/campaigns?" + query.format(page_no)}}
        if page_no * size < total:
            links["next"] = {"href": "/v1/campaigns?" + query.format(page_no + 1)}
        if page_no > 1:
            links["prev"] = {"href": "/v1/campaigns?" + query.format(page_no - 1)}
        return {"count": total, "page": page_no, "pageSize": size, "links": links,
                "items": [self._public(doc) for doc in docs]}

    # -- campaign assets ---------------------------------------------------------------------------------
    def _asset_public(self, doc: Document) -> dict[str, Any]:
        return {"id": str(doc.data["id"]), **{k: v for k, v in doc.data.items() if k != "id"},
                "createdDate": _time(doc.created)}

    def add_assets(self, ctx: CallContext, ref: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        ids, kind = body.get("ids"), body.get("type")
        if kind is None:
            raise invalid("type is required (EMAIL, TRIGGERED, AUTOMATION_DEFINITION, ...).", codes.REST.MISSING_FIELD)
        if not isinstance(kind, str) or kind.upper() not in ASSET_TYPES:
            raise invalid(f"type must be one of {', '.join(sorted(ASSET_TYPES))}.", codes.REST.INVALID_VALUE)
        if not isinstance(ids, list) or not ids or len(ids) > MAX_IDS:
            raise invalid(f"ids must be a list of 1 to {MAX_IDS} asset ids.", codes.REST.MISSING_FIELD)
        kind = kind.upper()
        for item in ids:
            ok = isinstance(item, str) and 0 < len(item) <= 64 and re.fullmatch(r"[A-Za-z0-9_.{}-]+", item)
            ok = ok or (isinstance(item, int) and not isinstance(item, bool) and 0 < item < 2**63)
            if not ok or (kind == "EMAIL" and not _digits(str(item))):
                raise invalid(f"Invalid asset id {item!r} for type {kind}.", codes.REST.INVALID_VALUE)
        with self.store.transaction():
            campaign = self._get(ctx.mid, ref)
            now, out = self.clock.now().timestamp(), []
            for item in ids:
                link_id = self.store.next_value("id:campaign_asset", FIRST_ASSET_ID)
                data: dict[str, Any] = {"id": link_id, "campaignId": campaign.data["id"], "type": kind}
                data.update({"itemID": int(item)} if _digits(str(item)) else {"objectID": str(item)})
                out.append(self._asset_public(self.docs.insert(ctx.mid, ASSET_KIND, str(link_id), data, now)))
        return out

    def _link(self, mid: int, ref: str, asset_ref: str) -> Document:
        campaign = self._get(mid, ref)
        doc = self.docs.get(mid, ASSET_KIND, asset_ref) if _digits(asset_ref) else None
        if doc is None or doc.data["campaignId"] != campaign.data["id"]:
            raise NotFound(f"Campaign asset {asset_ref} not found.", code=codes.REST.NOT_FOUND)
        return doc

    def assets(self, ctx: CallContext, ref: str, page: Any, page_size: Any) -> dict[str, Any]:
        campaign = self._get(ctx.mid, ref)
        page_no, size = paging(page, page_size)
        docs, total = self.query.page(ctx.mid, ASSET_KIND, ("cmp", ("campaignId",), "eq", campaign.data["id"]),
                                      [(("id",), True)], size, (page_no - 1) * size)
        return {"page": page_no, "pageSize": size, "totalCount": total,
                "entities": [self._asset_public(doc) for doc in docs]}

    def asset(self, ctx: CallContext, ref: str, asset_ref: str) -> dict[str, Any]:
        return self._asset_public(self._link(ctx.mid, ref, asset_ref))

    def remove_asset(self, ctx: CallContext, ref: str, asset_ref: str) -> None:
        with self.store.transaction():
            self.docs.delete(self._link(ctx.mid, ref, asset_ref))
