"""Transactional send definitions (/messaging/v1/email/definitions): validation and CRUD.

A definition names its content (an Email or a Content Builder asset), its list (and optional triggered send
data extension) and its options; it counts against the shared email-definition quota. Status changes move
its queue: re-activation delivers what waited, deletion drops it.
"""

from __future__ import annotations

import re
from typing import Any

from ...store.rest_documents import Document
from ..codes import REST
from ..content import KIND as ASSET_KIND
from ..context import CallContext
from ..errors import Conflict, Invalid, NotFound, QuotaExceeded
from .common import (
    DEFAULT_CLASSIFICATION,
    EMAIL,
    ORDER_BY,
    QUOTA_KIND,
    STATUSES,
    TxDeps,
    header_fields,
    invalid,
    mcms,
    positive,
    quota_refusal,
    require_header,
    sfmc_minute,
    subscriber_flags,
)
from .queue import Queue


class Definitions:
    """Email definitions, and the CRUD, list and queue rules every channel's definitions share (SMS
    overrides the hooks: validate, new_data, reserve, merge_update and the field lists; see sms.py)."""

    # What a definition answers (in this order), and what a list item shows. The wire shows five fields per
    # list item; the spec's item schema (EmailDefinition) also requires content and subscriptions, so they
    # are added (clients ignore extra fields; see README).
    PUBLIC_FIELDS: tuple[str, ...] = (
        "name", "definitionKey", "definitionId", "description", "classification", "status", "createdDate",
        "modifiedDate", "content", "subscriptions", "options", "journey")
    LIST_FIELDS: tuple[str, ...] = ("name", "definitionKey", "status", "createdDate", "modifiedDate", "content",
                                    "subscriptions")

    def __init__(self, deps: TxDeps, queue: Queue) -> None:
        self.x = deps
        self.queue = queue
        self.kind = deps.channel.definition_kind

    def get_doc(self, mid: int, key: str) -> Document:
        doc = self.x.docs.get(mid, self.kind, key)
        if doc is None:
            raise NotFound(mcms(REST.NOT_FOUND, f"Definition with key '{key}' not found."), code=REST.NOT_FOUND)
        return doc

    def public(self, doc: Document, request_id: str | None = None) -> dict[str, Any]:
        data = {k: v for k, v in doc.data.items() if not k.startswith("_")}
        data["createdDate"], data["modifiedDate"] = sfmc_minute(doc.created), sfmc_minute(doc.modified)
        out = {"requestId": request_id or self.x.ids.guid()}
        for field in self.PUBLIC_FIELDS:
            if field in data:
                out[field] = data[field]
        return out

    def content_exists(self, mid: int, customer_key: str) -> bool:
        return (self.x.objects.find_one(mid, "Email", "CustomerKey", customer_key) is not None
                or self.x.docs.find(mid, ASSET_KIND, "customerKey", customer_key) is not None)

    # ------------------------------------------------------------------ validation
    def validate(self, mid: int, body: dict[str, Any], creating: bool) -> dict[str, Any]:
        """Check and normalise a definition body (create: all of it; update: what is present). Its JSON types
        are checked at the boundary (rest/schemas/transactional.py); these are SFMC's rules on values."""
        out: dict[str, Any] = {}
        if creating:
            require_header(body)
            for parent, field in (("content", "customerKey"), ("subscriptions", "list")):
                section = body.get(parent)
                if not isinstance(section, dict) or section.get(field) in (None, ""):
                    raise invalid(REST.MISSING_FIELD, f"{parent}.{field} is required.")
        header_fields(body, out, creating)
        if body.get("classification") is not None or creating:
            key = body.get("classification") or DEFAULT_CLASSIFICATION
            found = self.x.objects.find_one(mid, "SendClassification", "CustomerKey", key)
            if found is None:
                raise invalid(REST.INVALID_VALUE, f"classification '{key}' does not exist.")
            if found.data.get("SendClassificationType") != "Operational":
                raise invalid(REST.CLASSIFICATION_NOT_TRANSACTIONAL,
                              f"classification '{key}' is not a transactional classification.")
            out["classification"] = key
        if "content" in body:
            content = body["content"]
            if not isinstance(content, dict) or not isinstance(content.get("customerKey"), str) \
                    or not content["customerKey"]:
                raise invalid(REST.MISSING_FIELD, "content.customerKey is required.")
            if not self.content_exists(mid, content["customerKey"]):
                raise invalid(REST.INVALID_VALUE, f"content.customerKey '{content['customerKey']}' does not name "
                              "an email in this business unit.")
            out["content"] = {"customerKey": content["customerKey"]}
        if "subscriptions" in body:
            out["subscriptions"] = self._subscriptions(mid, body["subscriptions"])
        if "options" in body or creating:
            out["options"] = _options(body.get("options", {}))
        return out

    def _subscriptions(self, mid: int, subs: Any) -> dict[str, Any]:
        if not isinstance(subs, dict):
            raise invalid(REST.INVALID_DATA_TYPE, "subscriptions must be an object.")
        list_key = subs.get("list")
        if not isinstance(list_key, str) or not list_key:
            raise invalid(REST.MISSING_FIELD, "subscriptions.list is required.")
        if self.x.objects.find_one(mid, "List", "CustomerKey", list_key) is None:
            raise invalid(REST.INVALID_VALUE, f"subscriptions.list '{list_key}' does not exist.")
        out: dict[str, Any] = {}
        de_key = subs.get("dataExtension")
        if de_key not in (None, ""):
            if not isinstance(de_key, str) or \
                    self.x.objects.find_one(mid, "DataExtension", "CustomerKey", de_key) is None:
                raise invalid(REST.INVALID_VALUE, f"subscriptions.dataExtension '{de_key}' does not exist.")
            out["dataExtension"] = de_key
        out["list"] = list_key
        subscriber_flags(subs, out)
        return out

    # ------------------------------------------------------------------ CRUD
    def create(self, ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
        mid = ctx.mid
        fields = self.validate(mid, body, creating=True)
        key = fields["definitionKey"]
        now = self.x.now()
        data = self.new_data(fields, body)
        with self.x.store.transaction():
            if self.x.docs.get(mid, self.kind, key) is not None:
                raise Conflict(mcms(REST.ALREADY_EXISTS, f"A definition with key '{key}' already exists."),
                               code=REST.ALREADY_EXISTS)
            self._check_name_free(mid, data["name"], None)
            self.reserve(mid, key)
            doc = self.x.docs.insert(mid, self.kind, key, data, now)
        return self.public(doc)

    def new_data(self, fields: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """The stored document of a definition being created from its validated fields."""
        data = {
            "name": fields["name"], "definitionKey": fields["definitionKey"], "definitionId": self.x.ids.guid(),
            "description": fields.get("description", ""), "classification": fields["classification"],
            "status": fields.get("status", "Active"), "content": fields["content"],
            "subscriptions": fields["subscriptions"], "options": fields["options"],
        }
        if isinstance(body.get("options"), dict) and body["options"].get("createJourney") is True:
            data["journey"] = {"interactionKey": self.x.ids.guid()}
        return data

    def reserve(self, mid: int, key: str) -> None:
        """Count the creation against the email-definition quota (inside the creating transaction)."""
        try:
            self.x.quota.reserve(mid, QUOTA_KIND, key)
        except QuotaExceeded as error:
            raise quota_refusal(error) from error

    def _check_name_free(self, mid: int, name: str, pk: int | None) -> None:
        doc = self.x.docs.find(mid, self.kind, "name", name)
        if doc is not None and doc.pk != pk and doc.data.get("status") != "Deleted":
            raise Conflict(mcms(REST.ALREADY_EXISTS, f"A definition named '{name}' already exists."),
                           code=REST.ALREADY_EXISTS)

    def get(self, ctx: CallContext, key: str) -> dict[str, Any]:
        return self.public(self.get_doc(ctx.mid, key))

    def list(self, ctx: CallContext, filter_text: str | None, page: Any, page_size: Any,
             order_by: str | None) -> dict[str, Any]:
        page_no, size = positive(page, "$page", 1), positive(page_size, "$pageSize", 50)
        status, equal = None, True
        if filter_text:
            match = re.fullmatch(r"\s*status\s+(eq|neq)\s+'?(\w+)'?\s*", filter_text, re.IGNORECASE)
            if match is None or match.group(2).lower() not in STATUSES:
                raise invalid(REST.INVALID_VALUE, "$filter must be 'status eq|neq active|inactive|deleted'.")
            status, equal = match.group(2), match.group(1).lower() == "eq"
        order = order_by or "createdDate"
        # names in any case: fuel-rest lower-cases the whole URL, values included (docs/decisions.md 11)
        field = next((f for f in ORDER_BY if f.lower() == order.split()[0].lower()), "") if order.split() else ""
        if field not in ORDER_BY:
            raise invalid(REST.INVALID_VALUE, f"$orderBy must be one of {', '.join(ORDER_BY)}.")
        descending = order.lower().endswith(" desc")  # ordered in SQL, so every page follows the order
        docs, _ = self.x.docs.page(ctx.mid, self.kind, status, equal, field, size, (page_no - 1) * size,
                                   descending)
        items = []
        for doc in docs:
            public = self.public(doc)
            items.append({k: public[k] for k in self.LIST_FIELDS if k in public})
        # `count` is the number of definitions on this page, not the total: SFMC answers so (a Salesforce
        # support case sfmc-sdk cites; docs/decisions.md), and sfmc-sdk stops paging on count != pageSize.
        return {"requestId": self.x.ids.guid(), "definitions": items, "count": len(items), "page": page_no,
                "pageSize": size}

    def update(self, ctx: CallContext, key: str, body: dict[str, Any]) -> dict[str, Any]:
        mid = ctx.mid
        if "definitionKey" in body and body["definitionKey"] != key:
            raise invalid(REST.INVALID_VALUE, "definitionKey cannot be changed.")
        with self.x.store.transaction():
            doc = self.get_doc(mid, key)
            if doc.data.get("status") == "Deleted":
                raise Invalid(mcms(REST.INVALID_OPERATION, "A deleted definition cannot be updated."),
                              code=REST.INVALID_OPERATION)
            if isinstance(body.get("subscriptions"), dict):  # omitted sub-fields keep their stored values
                body = {**body, "subscriptions": {**doc.data["subscriptions"], **body["subscriptions"]}}
            fields = self.validate(mid, body, creating=False)
            fields.pop("definitionKey", None)
            if "name" in fields:
                self._check_name_free(mid, fields["name"], doc.pk)
            was = doc.data.get("status")
            self.merge_update(doc, body, fields)
            doc.data.update(fields)
            self.x.docs.replace(doc, self.x.now())
            now_status = doc.data["status"]
            if was != now_status:
                if now_status == "Active":
                    self.queue.release(doc)
                elif now_status == "Deleted":
                    self.queue.drop(mid, key, "definition_deleted")
        return self.public(doc)

    def merge_update(self, doc: Document, body: dict[str, Any], fields: dict[str, Any]) -> None:
        """Options given in a PATCH change only the options named; createJourney adds a journey once."""
        if "options" in fields:
            merged = dict(doc.data.get("options") or {})
            given = body["options"] if isinstance(body.get("options"), dict) else {}
            merged.update({k: v for k, v in fields["options"].items() if k in given})
            fields["options"] = merged
            if given.get("createJourney") is True and not doc.data.get("journey"):
                doc.data["journey"] = {"interactionKey": self.x.ids.guid()}

    def delete(self, ctx: CallContext, key: str) -> dict[str, Any]:
        """Archive the definition under a new GUID key (the old key becomes reusable) [swag]."""
        with self.x.store.transaction():
            doc = self.get_doc(ctx.mid, key)
            archive_key = self.x.ids.guid()
            self.queue.drop(ctx.mid, key, "definition_deleted")
            doc.data.update(status="Deleted", definitionKey=archive_key, _deletedKey=key)
            doc.key = archive_key
            self.x.docs.replace(doc, self.x.now())
        return {"requestId": self.x.ids.guid(), "message": "Success", "deletedDefinitionKey": archive_key}

    # ------------------------------------------------------------------ the queue, by definition
    def queue_metrics(self, ctx: CallContext, key: str) -> dict[str, Any]:
        self.get_doc(ctx.mid, key)
        return {"requestId": self.x.ids.guid(), **self.queue.metrics(ctx.mid, key)}

    def clear_queue(self, ctx: CallContext, key: str) -> dict[str, Any]:
        with self.x.store.transaction():
            doc = self.get_doc(ctx.mid, key)
            if doc.data.get("status") != "Inactive":
                raise Invalid(mcms(REST.INVALID_OPERATION, "Definition status must be inactive to delete queue"),
                              code=REST.INVALID_OPERATION)
            self.queue.drop(ctx.mid, key, "queue_cleared")
        return {"requestId": self.x.ids.guid(), "message": "Queued"}


def _options(options: Any) -> dict[str, Any]:
    if not isinstance(options, dict):
        raise invalid(REST.INVALID_OPTIONS, "options must be an object.")
    out: dict[str, Any] = {"trackLinks": options.get("trackLinks", True)}
    for field in ("cc", "bcc"):
        if field not in options:
            continue
        value = options[field]
        if value is None:
            continue
        if isinstance(value, str):  # "a@x.com;b@x.com" (the seed's semicolon form) or one address
            value = [a.strip() for a in value.split(";") if a.strip()]
        for address in value:
            if not address.startswith("%%") and not EMAIL.match(address):
                raise invalid(REST.INVALID_EMAIL, f"options.{field} address '{address}' is not valid.")
        out[field] = value
    return out
