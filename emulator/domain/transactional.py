"""Transactional messaging (REST /messaging/v1/email/...): send definitions, messages, the queue of an
inactive definition, send status, and the classic triggered send over REST (messageDefinitionSends).

Protocol-free: takes decoded JSON dicts, returns dicts shaped as SFMC answers them, raises typed errors
whose messages carry SFMC's symbolic MCMS_UTM_* prefix [doc:transactional-send-response].
Messages to an active definition are rendered and put in the outbox during the request (SFMC's
transactional path is near-immediate); to an inactive one they are queued for up to three days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..clock import SFMC_TZ, sfmc_datetime
from ..store.audience import SubscriberRecord
from ..store.rest_documents import Document, RestDocumentRepository, TxMessage, TxMessageRepository
from .assets import KIND as ASSET_KIND
from .context import CallContext
from .errors import Conflict, DomainError, Invalid, NotFound, QuotaExceeded
from .render import lookup_table, render, wrap_links
from .subscribers import ALL_SUBSCRIBERS

if TYPE_CHECKING:
    from ..core import Emulator

DEFINITION_KIND = "email_definition"
QUOTA_KIND = "transactional"
MAX_DEFINITION_KEY = 36  # [mcdev TransactionalEmail.definition.js]
MAX_MESSAGE_KEY = 100  # [swag]
MAX_RECIPIENTS = 2000  # [swag]
MAX_PAGING = 2**31 - 1  # paging numbers beyond this are refused (SQLite integers are 64-bit)
QUEUE_RETENTION = 3 * 86400  # inactive definitions keep messages three days [swag, seed:003]
DEFAULT_CLASSIFICATION = "Default Transactional"
STATUSES = {"active": "Active", "inactive": "Inactive", "deleted": "Deleted"}
ORDER_BY = ("definitionKey", "name", "createdDate", "modifiedDate", "status")
EVENT = "TransactionalSendEvents."
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# NotSent reasons [doc:transactional-send-subscriber]
NOT_SENT = {
    "unsubscribed": (1, "Unsubscribed"),
    "held": (2, "Held"),
    "missing_email": (4, "MissingEmailAddress"),
    "invalid_email": (5, "InvalidEmailAddress"),
    "build_error": (26, "BuildEmailError"),
    "missing_key": (29, "MissingSubscriberKeyValue"),
    "definition_deleted": (37, "QueuedTransactionDeleted"),
    "queue_cleared": (39, "SubscriberQueueCleared"),
    "timed_out": (139, "TimedoutInQueue"),
    "list_unsubscribed": (1000, "UnsubscribedList"),
}


def _v(name: str, detail: str, code: int) -> Invalid:
    return Invalid(f"{name}: {detail}", code=code)


def sfmc_minute(ts: float) -> str:
    """Definition dates as SFMC shows them: Central time, minute precision, no zone (2018-12-17T13:00:00)."""
    return datetime.fromtimestamp(ts, UTC).astimezone(SFMC_TZ).strftime("%Y-%m-%dT%H:%M:00")


def event_time(ts: float) -> str:
    """Send-status timestamps: Central time without zone, fractional seconds [doc:getSendStatusForRecipient]."""
    return sfmc_datetime(datetime.fromtimestamp(ts, UTC))


@dataclass
class Recipient:
    message_key: str
    contact_key: str | None
    to: str | None
    attributes: dict[str, Any]
    error: tuple[int, str] | None = None  # response-level (errorcode, message)
    not_sent: str | None = None  # recorded as NotSent with this reason


class TransactionalService:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.docs = RestDocumentRepository(emu.store)
        self.messages = TxMessageRepository(emu.store)

    # ------------------------------------------------------------------ helpers
    def _now(self) -> float:
        return self.emu.clock.now().timestamp()

    def _definition(self, mid: int, key: str) -> Document:
        doc = self.docs.get(mid, DEFINITION_KIND, key)
        if doc is None:
            raise NotFound(f"MCMS_UTM_Runtime_ObjectNotFound: Definition with key '{key}' not found.", code=30003)
        return doc

    def _public(self, doc: Document, request_id: str | None = None) -> dict[str, Any]:
        data = {k: v for k, v in doc.data.items() if not k.startswith("_")}
        data["createdDate"], data["modifiedDate"] = sfmc_minute(doc.created), sfmc_minute(doc.modified)
        out = {"requestId": request_id or self.emu.ids.guid()}
        for field in ("name", "definitionKey", "definitionId", "description", "classification", "status",
                      "createdDate", "modifiedDate", "content", "subscriptions", "options", "journey"):
            if field in data:
                out[field] = data[field]
        return out

    def content_exists(self, mid: int, customer_key: str) -> bool:
        return (self.emu.objects.find_one(mid, "Email", "CustomerKey", customer_key) is not None
                or self.docs.find(mid, ASSET_KIND, "customerKey", customer_key) is not None)

    def content_for(self, mid: int, customer_key: str) -> dict[str, Any] | None:
        """Subject, html and text of an Email object or a Content Builder asset, by customer key."""
        email = self.emu.objects.find_one(mid, "Email", "CustomerKey", customer_key)
        if email is not None:
            return email_content(email.data)
        asset = self.docs.find(mid, ASSET_KIND, "customerKey", customer_key)
        if asset is not None:
            views = asset.data.get("views") or {}

            def view(name: str) -> str:
                value = views.get(name) or {}
                return str(value.get("content") or "") if isinstance(value, dict) else ""

            return {"subject": view("subjectline"), "html": view("html") or str(asset.data.get("content") or ""),
                    "text": view("text"), "source": {"asset_id": asset.data.get("id"),
                                                     "customer_key": customer_key}}
        return None

    def sender(self, mid: int, classification_key: str | None) -> tuple[str, str]:
        """From name/address of a classification's sender profile (the BU default otherwise)."""
        classification = self.emu.objects.find_one(mid, "SendClassification", "CustomerKey",
                                                   classification_key or DEFAULT_CLASSIFICATION)
        ref = (classification.data.get("SenderProfile") if classification else None) or {}
        profile = self.emu.objects.find_named(mid, "SenderProfile", ref, ("ObjectID", "CustomerKey"))
        profile = profile or self.emu.objects.find_one(mid, "SenderProfile", "CustomerKey", "Default")
        data = profile.data if profile else {}
        return str(data.get("FromName") or ""), str(data.get("FromAddress") or "")

    # ------------------------------------------------------------------ definitions
    def _validate(self, mid: int, body: dict[str, Any], creating: bool) -> dict[str, Any]:
        """Check and normalise a definition body (create: all of it; update: what is present)."""
        out: dict[str, Any] = {}
        if creating:
            for field in ("definitionKey", "name"):
                if body.get(field) in (None, ""):
                    code = 109107 if field == "definitionKey" else 10002
                    name = "MCMS_UTM_Validation_MissingRequiredField" + ("_definitionKey" if code == 109107 else "")
                    raise _v(name, f"{field} is required.", code)
            for parent, field in (("content", "customerKey"), ("subscriptions", "list")):
                section = body.get(parent)
                if not isinstance(section, dict) or section.get(field) in (None, ""):
                    raise _v("MCMS_UTM_Validation_MissingRequiredField", f"{parent}.{field} is required.", 10002)
        for field in ("definitionKey", "name", "description", "classification", "status"):
            if field in body and body[field] is not None and not isinstance(body[field], str):
                raise _v("MCMS_UTM_Validation_InvalidDataType", f"{field} must be a string.", 10001)
        if creating:
            key = body["definitionKey"]
            if len(key) > MAX_DEFINITION_KEY:
                raise _v("MCMS_UTM_Validation_InvalidValue", f"definitionKey must be at most {MAX_DEFINITION_KEY}"
                         " characters.", 10005)
            out["definitionKey"] = key
        if body.get("name") is not None:
            if not body["name"].strip():
                raise _v("MCMS_UTM_Validation_InvalidValue", "name must not be empty.", 10005)
            out["name"] = body["name"]
        if "description" in body:
            out["description"] = body.get("description") or ""
        if body.get("status") is not None:
            status = STATUSES.get(body["status"].lower())
            if status is None:
                raise _v("MCMS_UTM_Validation_InvalidValue", "status must be active, inactive or deleted.", 10005)
            out["status"] = status
        if body.get("classification") is not None or creating:
            key = body.get("classification") or DEFAULT_CLASSIFICATION
            found = self.emu.objects.find_one(mid, "SendClassification", "CustomerKey", key)
            if found is None:
                raise _v("MCMS_UTM_Validation_InvalidValue", f"classification '{key}' does not exist.", 10005)
            if found.data.get("SendClassificationType") != "Operational":
                raise _v("MCMS_UTM_Validation_InvalidValue_classification_IncorrectType",
                         f"classification '{key}' is not a transactional classification.", 109123)
            out["classification"] = key
        if "content" in body:
            content = body["content"]
            if not isinstance(content, dict) or not isinstance(content.get("customerKey"), str) \
                    or not content["customerKey"]:
                raise _v("MCMS_UTM_Validation_MissingRequiredField", "content.customerKey is required.", 10002)
            if not self.content_exists(mid, content["customerKey"]):
                raise _v("MCMS_UTM_Validation_InvalidValue", f"content.customerKey '{content['customerKey']}' "
                         "does not name an email in this business unit.", 10005)
            out["content"] = {"customerKey": content["customerKey"]}
        if "subscriptions" in body:
            out["subscriptions"] = self._subscriptions(mid, body["subscriptions"])
        if "options" in body or creating:
            out["options"] = self._options(body.get("options", {}))
        return out

    def _subscriptions(self, mid: int, subs: Any) -> dict[str, Any]:
        if not isinstance(subs, dict):
            raise _v("MCMS_UTM_Validation_InvalidDataType", "subscriptions must be an object.", 10001)
        list_key = subs.get("list")
        if not isinstance(list_key, str) or not list_key:
            raise _v("MCMS_UTM_Validation_MissingRequiredField", "subscriptions.list is required.", 10002)
        if self.emu.objects.find_one(mid, "List", "CustomerKey", list_key) is None:
            raise _v("MCMS_UTM_Validation_InvalidValue", f"subscriptions.list '{list_key}' does not exist.", 10005)
        out: dict[str, Any] = {}
        de_key = subs.get("dataExtension")
        if de_key not in (None, ""):
            if not isinstance(de_key, str) or \
                    self.emu.objects.find_one(mid, "DataExtension", "CustomerKey", de_key) is None:
                raise _v("MCMS_UTM_Validation_InvalidValue",
                         f"subscriptions.dataExtension '{de_key}' does not exist.", 10005)
            out["dataExtension"] = de_key
        out["list"] = list_key
        for field, code in (("autoAddSubscriber", 109113), ("updateSubscriber", 109125)):
            value = subs.get(field, True)
            if not isinstance(value, bool):
                raise _v(f"MCMS_UTM_Validation_InvalidValue_{field}", f"subscriptions.{field} must be a boolean.",
                         code)
            out[field] = value
        return out

    @staticmethod
    def _options(options: Any) -> dict[str, Any]:
        if not isinstance(options, dict):
            raise _v("MCMS_UTM_Validation_InvalidValue_options", "options must be an object.", 109112)
        track = options.get("trackLinks", True)
        if not isinstance(track, bool):
            raise _v("MCMS_UTM_Validation_InvalidValue_options", "options.trackLinks must be a boolean.", 109112)
        out: dict[str, Any] = {"trackLinks": track}
        for field in ("cc", "bcc"):
            if field not in options:
                continue
            value = options[field]
            if isinstance(value, str):  # "a@x.com;b@x.com" (the seed's semicolon form) or one address
                value = [a.strip() for a in value.split(";") if a.strip()]
            if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
                raise _v("MCMS_UTM_Validation_InvalidValue_options", f"options.{field} must be a list of email "
                         "addresses.", 109112)
            for address in value:
                if not address.startswith("%%") and not _EMAIL.match(address):
                    raise _v("MCMS_UTM_Validation_email_does_not_pass_validation",
                             f"options.{field} address '{address}' is not valid.", 109124)
            out[field] = value
        if "createJourney" in options:
            if not isinstance(options["createJourney"], bool):
                raise _v("MCMS_UTM_Validation_InvalidValue_options", "options.createJourney must be a boolean.",
                         109112)
        return out

    def create_definition(self, ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
        mid = ctx.mid
        fields = self._validate(mid, body, creating=True)
        key = fields["definitionKey"]
        now = self._now()
        data = {
            "name": fields["name"], "definitionKey": key, "definitionId": self.emu.ids.guid(),
            "description": fields.get("description", ""), "classification": fields["classification"],
            "status": fields.get("status", "Active"), "content": fields["content"],
            "subscriptions": fields["subscriptions"], "options": fields["options"],
        }
        if isinstance(body.get("options"), dict) and body["options"].get("createJourney") is True:
            data["journey"] = {"interactionKey": self.emu.ids.guid()}
        with self.emu.store.transaction():
            if self.docs.get(mid, DEFINITION_KIND, key) is not None:
                raise Conflict(f"MCMS_UTM_Runtime_ObjectAlreadyExists: A definition with key '{key}' already "
                               "exists.", code=30004)
            self._check_name_free(mid, data["name"], None)
            try:
                self.emu.quota.reserve(mid, QUOTA_KIND, key)
            except QuotaExceeded as error:
                raise quota_refusal(error) from error
            doc = self.docs.insert(mid, DEFINITION_KIND, key, data, now)
        return self._public(doc)

    def _check_name_free(self, mid: int, name: str, pk: int | None) -> None:
        for doc in (self.docs.find(mid, DEFINITION_KIND, "name", name),):
            if doc is not None and doc.pk != pk and doc.data.get("status") != "Deleted":
                raise Conflict(f"MCMS_UTM_Runtime_ObjectAlreadyExists: A definition named '{name}' already "
                               "exists.", code=30004)

    def get_definition(self, ctx: CallContext, key: str) -> dict[str, Any]:
        return self._public(self._definition(ctx.mid, key))

    def list_definitions(self, ctx: CallContext, filter_text: str | None, page: Any, page_size: Any,
                         order_by: str | None) -> dict[str, Any]:
        page_no, size = _positive(page, "$page", 1), _positive(page_size, "$pageSize", 50)
        status, equal = None, True
        if filter_text:
            match = re.fullmatch(r"\s*status\s+(eq|neq)\s+'?(\w+)'?\s*", filter_text, re.IGNORECASE)
            if match is None or match.group(2).lower() not in STATUSES:
                raise _v("MCMS_UTM_Validation_InvalidValue", "$filter must be 'status eq|neq active|inactive|"
                         "deleted'.", 10005)
            status, equal = match.group(2), match.group(1).lower() == "eq"
        order = order_by or "createdDate"
        field = order.split()[0]
        if field not in ORDER_BY:
            raise _v("MCMS_UTM_Validation_InvalidValue", f"$orderBy must be one of {', '.join(ORDER_BY)}.", 10005)
        docs, total = self.docs.page(ctx.mid, DEFINITION_KIND, status, equal, field, size, (page_no - 1) * size)
        if order.lower().endswith(" desc"):
            docs.reverse()
        items = []
        for doc in docs:
            public = self._public(doc)
            # The wire shows five fields per item; the spec's item schema (EmailDefinition) also requires
            # content and subscriptions, so they are added (clients ignore extra fields; see README).
            items.append({k: public[k] for k in ("name", "definitionKey", "status", "createdDate", "modifiedDate",
                                                 "content", "subscriptions")})
        return {"requestId": self.emu.ids.guid(), "definitions": items, "count": total, "page": page_no,
                "pageSize": size}

    def update_definition(self, ctx: CallContext, key: str, body: dict[str, Any]) -> dict[str, Any]:
        mid = ctx.mid
        if "definitionKey" in body and body["definitionKey"] != key:
            raise _v("MCMS_UTM_Validation_InvalidValue", "definitionKey cannot be changed.", 10005)
        with self.emu.store.transaction():
            doc = self._definition(mid, key)
            if doc.data.get("status") == "Deleted":
                raise Invalid("MCMS_UTM_Runtime_InvalidOperation: A deleted definition cannot be updated.",
                              code=30001)
            if isinstance(body.get("subscriptions"), dict):  # omitted sub-fields keep their stored values
                body = {**body, "subscriptions": {**doc.data["subscriptions"], **body["subscriptions"]}}
            fields = self._validate(mid, body, creating=False)
            fields.pop("definitionKey", None)
            if "name" in fields:
                self._check_name_free(mid, fields["name"], doc.pk)
            was = doc.data.get("status")
            if "options" in fields:
                merged = dict(doc.data.get("options") or {})
                given = body["options"] if isinstance(body.get("options"), dict) else {}
                merged.update({k: v for k, v in fields["options"].items() if k in given})
                fields["options"] = merged
                if given.get("createJourney") is True and not doc.data.get("journey"):
                    doc.data["journey"] = {"interactionKey": self.emu.ids.guid()}
            doc.data.update(fields)
            self.docs.replace(doc, self._now())
            now_status = doc.data["status"]
            if was != now_status:
                if now_status == "Active":
                    self._release_queue(doc)
                elif now_status == "Deleted":
                    self._drop_queue(mid, key, "definition_deleted")
        return self._public(doc)

    def delete_definition(self, ctx: CallContext, key: str) -> dict[str, Any]:
        """Archive the definition under a new GUID key (the old key becomes reusable) [swag]."""
        with self.emu.store.transaction():
            doc = self._definition(ctx.mid, key)
            archive_key = self.emu.ids.guid()
            self._drop_queue(ctx.mid, key, "definition_deleted")
            doc.data.update(status="Deleted", definitionKey=archive_key, _deletedKey=key)
            doc.key = archive_key
            self.docs.replace(doc, self._now())
        return {"requestId": self.emu.ids.guid(), "message": "Success", "deletedDefinitionKey": archive_key}

    def queue_metrics(self, ctx: CallContext, key: str) -> dict[str, Any]:
        self._definition(ctx.mid, key)
        self.expire(ctx.mid)
        count, oldest = self.messages.queue_stats(ctx.mid, key)
        age = int(self._now() - oldest) if oldest else 0
        return {"requestId": self.emu.ids.guid(), "count": count, "ageSeconds": max(age, 0)}

    def clear_queue(self, ctx: CallContext, key: str) -> dict[str, Any]:
        with self.emu.store.transaction():
            doc = self._definition(ctx.mid, key)
            if doc.data.get("status") != "Inactive":
                raise Invalid("MCMS_UTM_Runtime_InvalidOperation: Definition status must be inactive to delete "
                              "queue", code=30001)
            self._drop_queue(ctx.mid, key, "queue_cleared")
        return {"requestId": self.emu.ids.guid(), "message": "Queued"}

    # ------------------------------------------------------------------ the queue
    def _not_sent_updates(self, messages: list[TxMessage], reason: str, at: float
                          ) -> list[tuple[int, str, int | None, str | None, dict[str, Any], float]]:
        code, text = NOT_SENT[reason]
        first = self.emu.store.next_values("tx_event", 1, len(messages)) if messages else 0
        updates = []
        for offset, message in enumerate(messages):
            payload = dict(message.payload, eventId=first + offset)
            updates.append((message.pk, "NotSent", code, text, payload, at))
        return updates

    def _drop_queue(self, mid: int, key: str, reason: str) -> None:
        queued = self.messages.with_status(mid, "Queued", key)
        self.messages.set_status(self._not_sent_updates(queued, reason, self._now()))

    def expire(self, mid: int) -> None:
        """Queued messages older than three days are dropped as NotSent (TimedoutInQueue), at the moment
        their three days ran out."""
        cutoff = self._now() - QUEUE_RETENTION
        stale = self.messages.with_status(mid, "Queued", created_before=cutoff)
        if not stale:
            return
        with self.emu.store.transaction():
            updates = self._not_sent_updates(stale, "timed_out", 0)
            self.messages.set_status([(pk, s, c, m, p, msg.created + QUEUE_RETENTION)
                                      for (pk, s, c, m, p, _), msg in zip(updates, stale, strict=True)])

    def _release_queue(self, doc: Document) -> None:
        """Re-activation: deliver what waited at most three days, drop the rest."""
        self.expire(doc.mid)
        queued = self.messages.with_status(doc.mid, "Queued", doc.key)
        recipients = [Recipient(m.message_key, m.contact_key, m.to_addr, m.payload.get("attributes") or {})
                      for m in queued]
        self._deliver(doc.mid, doc.data, recipients, queued)

    # ------------------------------------------------------------------ sending
    def send(self, ctx: CallContext, body: dict[str, Any], path_key: str | None = None) -> dict[str, Any]:
        """POST /messages/{messageKey} (path_key set, body.recipient) or POST /messages (body.recipients)."""
        mid = ctx.mid
        definition_key = body.get("definitionKey")
        if definition_key in (None, ""):
            raise _v("MCMS_UTM_Validation_MissingRequiredField_definitionKey", "definitionKey is required.", 109107)
        if not isinstance(definition_key, str):
            raise _v("MCMS_UTM_Validation_InvalidValue_definitionKey", "definitionKey must be a string.", 109111)
        if "recipient" in body and "recipients" in body:
            raise _v("MCMS_UTM_Validation_InvalidValue", "Use either recipient or recipients, not both.", 10005)
        if path_key is not None:
            raw = body.get("recipient")
            if raw is None:
                raise _v("MCMS_UTM_Validation_NoSubscribers", "recipient is required.", 109102)
            raw_list = [raw]
        else:
            raw_list = body.get("recipients")
            if raw_list is None or raw_list == []:
                raise _v("MCMS_UTM_Validation_NoSubscribers", "recipients is required.", 109102)
            if not isinstance(raw_list, list):
                raise _v("MCMS_UTM_Validation_InvalidDataType", "recipients must be an array.", 10001)
            if len(raw_list) > MAX_RECIPIENTS:
                raise _v("MCMS_UTM_Validation_TooManySubscribers",
                         f"At most {MAX_RECIPIENTS} recipients per request.", 109101)
        shared = body.get("attributes") or {}
        if not isinstance(shared, dict):
            raise _v("MCMS_UTM_Validation_InvalidDataType", "attributes must be an object.", 10001)

        doc = self.docs.get(mid, DEFINITION_KIND, definition_key)
        deleted = (doc is not None and doc.data.get("status") == "Deleted") or (
            doc is None and self.docs.find(mid, DEFINITION_KIND, "_deletedKey", definition_key) is not None)
        if doc is None and not deleted:
            raise _v("MCMS_UTM_Validation_InvalidValue_definitionKey",
                     f"No definition with key '{definition_key}' exists.", 109111)
        recipients = [self._recipient(mid, raw, shared, path_key) for raw in raw_list]
        request_id = self.emu.ids.guid()
        now = self._now()
        with self.emu.store.transaction():
            self._mark_duplicates(mid, recipients)
            accepted = [r for r in recipients if r.error is None or r.not_sent]
            rows = [{"mid": mid, "message_key": r.message_key, "definition_key": definition_key,
                     "request_id": request_id, "contact_key": r.contact_key, "to_addr": r.to,
                     "status": "Queued", "payload": {"attributes": r.attributes}, "created": now, "updated": now}
                    for r in accepted]
            pks = self.messages.insert_many(rows)
            stored = [TxMessage(pk, mid, row["message_key"], definition_key, request_id, row["contact_key"],
                                row["to_addr"], "Queued", None, None, row["payload"], now, now)
                      for pk, row in zip(pks, rows, strict=True)]
            invalid = [(m, r) for m, r in zip(stored, accepted, strict=True) if r.not_sent]
            for reason in {r.not_sent for _, r in invalid}:
                group = [m for m, r in invalid if r.not_sent == reason]
                self.messages.set_status(self._not_sent_updates(group, reason, now))
            valid = [(m, r) for m, r in zip(stored, accepted, strict=True) if not r.not_sent]
            if deleted:
                self.messages.set_status(self._not_sent_updates([m for m, _ in valid], "definition_deleted", now))
            elif valid:
                de_key = doc.data["subscriptions"].get("dataExtension")
                if de_key:  # one row per request in the triggered send data extension
                    self.emu.audience.insert_rows(mid, de_key, [
                        (None, {"SubscriberKey": r.contact_key, "EmailAddress": r.to, **r.attributes})
                        for _, r in valid], now)
                if doc.data.get("status") == "Active":
                    self._deliver(mid, doc.data, [r for _, r in valid], [m for m, _ in valid])
        responses = []
        for r in recipients:
            item: dict[str, Any] = {"messageKey": r.message_key}
            if r.error:
                item["errorcode"], item["message"] = r.error
            responses.append(item)
        failed = sum(1 for r in recipients if r.error)
        if not failed:
            return {"requestId": request_id, "errorcode": 0, "responses": responses}
        return {"requestId": request_id, "errorcode": 109001,
                "message": f"MCMS_UTM_ResponsesHasErrors: {failed} subscribers failed to queue out of {len(recipients)}",
                "responses": responses}

    def _recipient(self, mid: int, raw: Any, shared: dict[str, Any], path_key: str | None) -> Recipient:
        if not isinstance(raw, dict):
            return Recipient(path_key or self.emu.ids.guid(), None, None, {},
                             error=(10001, "MCMS_UTM_Validation_InvalidDataType: recipient must be an object"))
        key = path_key if path_key is not None else raw.get("messageKey")
        generated = key in (None, "")
        key = self.emu.ids.guid() if generated else key
        attributes = raw.get("attributes") or {}
        recipient = Recipient(str(key), raw.get("contactKey"), raw.get("to"),
                              {**shared, **attributes} if isinstance(attributes, dict) else dict(shared))
        if not isinstance(key, str) or len(key) > MAX_MESSAGE_KEY:
            recipient.message_key = str(key)
            recipient.error = (109108, "MCMS_UTM_Validation_InvalidValue_messageKey: Invalid messageKey")
            return recipient
        if not isinstance(attributes, dict):
            recipient.error = (10001, "MCMS_UTM_Validation_InvalidDataType: attributes must be an object")
            return recipient
        unknown = set(raw) - {"contactKey", "to", "messageKey", "attributes"}
        if unknown:
            recipient.error = (109122, f"MCMS_UTM_Validation_UnknownFieldName: {sorted(unknown)[0]}")
            return recipient
        if recipient.contact_key in (None, "") or not isinstance(recipient.contact_key, str):
            recipient.error = (109105, "MCMS_UTM_Validation_MissingRequiredField_subscriberKey: Invalid subscriber") \
                if recipient.contact_key in (None, "") else \
                (109109, "MCMS_UTM_Validation_InvalidValue_subscriberKey: Invalid subscriber")  # e.g. a number
            recipient.contact_key = None
            recipient.not_sent = "missing_key"
            return recipient
        if recipient.to in (None, ""):
            known = self.emu.audience.get_subscriber(mid, recipient.contact_key)
            recipient.to = known.email if known and known.email else None
            if recipient.to is None:
                recipient.error = (109106, "MCMS_UTM_Validation_MissingRequiredField_to: Invalid subscriber")
                recipient.not_sent = "missing_email"
            return recipient
        if not isinstance(recipient.to, str) or not _EMAIL.match(recipient.to):
            recipient.to = str(recipient.to)
            recipient.error = (109121, "MCMS_UTM_Validation_InvalidValue_to: Invalid subscriber")
            recipient.not_sent = "invalid_email"
        return recipient

    def _mark_duplicates(self, mid: int, recipients: list[Recipient]) -> None:
        """A messageKey used before (in this BU) or twice in this request is refused: nothing is sent twice."""
        used = self.messages.existing_keys(mid, [r.message_key for r in recipients])
        seen: set[str] = set()
        for r in recipients:
            if r.error is not None and not r.not_sent:
                continue
            if r.message_key in used or r.message_key in seen:
                r.error = (109110, "MCMS_UTM_Validation_DuplicateMessageKey: messageKey has already been used")
                r.not_sent = None
            seen.add(r.message_key)

    def _deliver(self, mid: int, definition: dict[str, Any], recipients: list[Recipient],
                 messages: list[TxMessage]) -> None:
        """Render and outbox what an active definition sends; record Sent/NotSent per message."""
        if not messages:
            return
        now = self._now()
        subs = definition["subscriptions"]
        content = self.content_for(mid, definition["content"]["customerKey"])
        from_name, from_addr = self.sender(mid, definition.get("classification"))
        list_obj = self.emu.objects.find_one(mid, "List", "CustomerKey", subs["list"])
        list_id = list_obj.data.get("ID") if list_obj and subs["list"] != ALL_SUBSCRIBERS else None
        options = definition.get("options") or {}
        outbox, sent, dropped = [], [], {}
        with self.emu.store.transaction():
            for recipient, message in zip(recipients, messages, strict=True):
                reason = None
                if content is None:
                    reason = "build_error"
                else:
                    subscriber, reason = self._audience(mid, subs, list_id, recipient, now)
                if reason:
                    dropped.setdefault(reason, []).append(message)
                    continue
                values = {**(subscriber.attributes if subscriber else {}), **recipient.attributes,
                          "SubscriberKey": recipient.contact_key, "EmailAddress": recipient.to}
                table = lookup_table(values)
                html = render(content["html"], table)
                if options.get("trackLinks", True):
                    html = wrap_links(html, self.emu.base_url, message.message_key)
                outbox.append({
                    "mid": mid, "job_id": None, "message_key": message.message_key,
                    "definition_key": definition["definitionKey"], "subscriber_key": recipient.contact_key,
                    "to_addr": recipient.to, "from_name": from_name, "from_addr": from_addr,
                    "subject": render(content["subject"], table), "html": html,
                    "text": render(content["text"], table), "created": now,
                    "source": {**content["source"], "definition_key": definition["definitionKey"],
                               "cc": options.get("cc", []), "bcc": options.get("bcc", []), "values": values},
                })
                sent.append((message.pk, "Sent", None, None, message.payload, now))
            self.emu.outbox.add_many(outbox)
            self.messages.set_status(sent)
            for reason, group in dropped.items():
                self.messages.set_status(self._not_sent_updates(group, reason, now))

    def _audience(self, mid: int, subs: dict[str, Any], list_id: int | None, recipient: Recipient,
                  now: float) -> tuple[SubscriberRecord | None, str | None]:
        """Check the contact may receive mail; add or update it on the definition's list as configured."""
        subscriber = self.emu.audience.get_subscriber(mid, recipient.contact_key)
        if subscriber is not None:
            if subscriber.status == "Unsubscribed":
                return subscriber, "unsubscribed"
            if subscriber.status in ("Held", "Bounced"):
                return subscriber, "held"
            if list_id is not None and \
                    self.emu.audience.membership(mid, list_id, recipient.contact_key) == "Unsubscribed":
                return subscriber, "list_unsubscribed"
            if subs.get("updateSubscriber", True):
                known = {k.casefold(): k for k in subscriber.attributes}
                changed = {known[k.casefold()]: str(v) for k, v in recipient.attributes.items()
                           if k.casefold() in known}
                if subscriber.email != recipient.to or changed:
                    subscriber.email = recipient.to or subscriber.email
                    subscriber.attributes.update(changed)
                    self.emu.audience.put_subscriber(mid, subscriber, now)
        elif subs.get("autoAddSubscriber", True):
            subscriber = self.emu.audience.put_subscriber(
                mid, SubscriberRecord(recipient.contact_key, recipient.to or ""), now)
        if list_id is not None and subs.get("autoAddSubscriber", True) and \
                self.emu.audience.membership(mid, list_id, recipient.contact_key) is None and subscriber:
            self.emu.audience.set_membership(mid, list_id, recipient.contact_key, "Active", now)
        return subscriber, None

    # ------------------------------------------------------------------ status
    def message_status(self, ctx: CallContext, message_key: str) -> dict[str, Any]:
        self.expire(ctx.mid)
        message = self.messages.get(ctx.mid, message_key)
        if message is None:
            raise NotFound(f"MCMS_UTM_Runtime_ObjectNotFound: No message with messageKey '{message_key}'.",
                           code=30003)
        answer: dict[str, Any] = {"requestId": self.emu.ids.guid()}
        category = {"Queued": "EmailQueued", "Sent": "EmailSent", "NotSent": "EmailNotSent"}[message.status]
        answer["eventCategoryType"] = EVENT + category
        answer["timestamp"] = event_time(message.updated)
        if message.status == "Queued":
            return answer
        answer["compositeId"] = f"{message.request_id.upper()}.{ctx.mid}.{message.pk}.1.{message.pk + 100000}"
        info: dict[str, Any] = {"messageKey": message.message_key, "contactKey": message.contact_key or "",
                                "to": message.to_addr or ""}
        if message.status == "NotSent":
            info["statusCode"], info["statusMessage"] = message.status_code, message.status_message
        answer["info"] = info
        return answer

    def not_sent(self, ctx: CallContext, type_: str | None, page_size: Any, last_event_id: Any) -> dict[str, Any]:
        if (type_ or "").lower() != "notsent":
            raise _v("MCMS_UTM_Validation_InvalidValue", "type must be notSent.", 10005)
        size = min(_positive(page_size, "$pageSize", 50), 500)
        after = _non_negative(last_event_id, "lastEventId")
        self.expire(ctx.mid)
        rows = self.messages.not_sent_after(ctx.mid, after, size)
        messages = [{
            "statusCode": m.status_code, "statusMessage": m.status_message,
            "eventCategoryType": EVENT + "EmailNotSent", "timestamp": event_time(m.updated),
            "definitionKey": m.definition_key, "eventID": m.payload["eventId"], "info": {"messageKey": m.message_key},
        } for m in rows]
        return {"lastEventID": messages[-1]["eventID"] if messages else after, "messages": messages,
                "count": len(messages)}

    # ------------------------------------------------------------------ classic triggered send (REST)
    def send_triggered(self, ctx: CallContext, ref: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST /messaging/v1/messageDefinitionSends/{key:K | ObjectID}/send for a SOAP TriggeredSendDefinition."""
        mid = ctx.mid
        # key:<CustomerKey>, or the ObjectID bare or as id:<ObjectID> [swag messageDefinitionSends]
        prop, value = ("CustomerKey", ref[4:]) if ref.startswith("key:") else ("ObjectID", ref.removeprefix("id:"))
        tsd = self.emu.objects.find_one(mid, "TriggeredSendDefinition", prop, value)
        if tsd is None:
            raise NotFound(f"Triggered Send Definition Not Found: no TriggeredSendDefinition with {prop} "
                           f"'{value}'.", code=30003)
        request_id = send_id = self.emu.ids.guid()
        to = body.get("To")
        if not isinstance(to, dict) or not isinstance(to.get("Address"), str) or not _EMAIL.match(to["Address"]):
            # The documented answer is this bare item, with no requestId/responses wrapper [doc:messageDefinitionSends]
            return {"recipientSendId": "", "hasErrors": True, "messages": ["InvalidOrMissingToAddress"]}
        key = to.get("SubscriberKey") or to["Address"]
        if tsd.data.get("TriggeredSendStatus") != "Active":
            return _triggered_error(request_id, send_id, "Unable to queue Triggered Send request. The Triggered "
                                    "Send Definition is not active.")
        email_ref = tsd.data.get("Email") or {}
        email = None
        for prop_name in ("ObjectID", "CustomerKey", "ID"):
            if email_ref.get(prop_name) not in (None, ""):
                email = self.emu.objects.find_one(mid, "Email", prop_name, email_ref[prop_name])
                break
        if email is None:
            return _triggered_error(request_id, send_id, "Unable to queue Triggered Send request. The email of "
                                    "the Triggered Send Definition does not exist.")
        subscriber = self.emu.audience.get_subscriber(mid, key)
        if subscriber is not None and subscriber.status in ("Unsubscribed", "Held", "Bounced"):
            return _triggered_error(request_id, send_id, "Unable to queue Triggered Send request. There are no "
                                    "valid subscribers.")
        attributes = ((to.get("ContactAttributes") or {}).get("SubscriberAttributes") or {})
        if not isinstance(attributes, dict):
            raise _v("MCMS_UTM_Validation_InvalidDataType", "To.ContactAttributes.SubscriberAttributes must be an "
                     "object.", 10001)
        content = email_content(email.data)
        values = {**(subscriber.attributes if subscriber else {}), **attributes, "SubscriberKey": key,
                  "EmailAddress": to["Address"]}
        table = lookup_table(values)
        sender_from = body.get("From") if isinstance(body.get("From"), dict) else {}
        profile_name, profile_addr = self._tsd_sender(mid, tsd.data)
        self.emu.outbox.add_many([{
            "mid": mid, "job_id": None, "message_key": send_id, "definition_key": tsd.data.get("CustomerKey"),
            "subscriber_key": key, "to_addr": to["Address"],
            "from_name": sender_from.get("Name") or profile_name, "from_addr": sender_from.get("Address") or profile_addr,
            "subject": render(content["subject"], table), "html": render(content["html"], table),
            "text": render(content["text"], table), "created": self._now(),
            "source": {**content["source"], "triggered_send_key": tsd.data.get("CustomerKey"), "values": values},
        }])
        return {"requestId": request_id, "responses": [
            {"recipientSendId": send_id, "hasErrors": False, "messages": ["Queued"]}]}

    def _tsd_sender(self, mid: int, tsd: dict[str, Any]) -> tuple[str, str]:
        if tsd.get("FromName") and tsd.get("FromAddress"):
            return str(tsd["FromName"]), str(tsd["FromAddress"])
        classification = tsd.get("SendClassification") or {}
        key = classification.get("CustomerKey")
        if not key and classification.get("ObjectID"):
            found = self.emu.objects.find_one(mid, "SendClassification", "ObjectID", classification["ObjectID"])
            key = found.data.get("CustomerKey") if found else None
        return self.sender(mid, key)


def email_content(email: dict[str, Any]) -> dict[str, Any]:
    """Subject/HTML/text of a SOAP Email object."""
    return {"subject": str(email.get("Subject") or ""), "html": str(email.get("HTMLBody") or ""),
            "text": str(email.get("TextBody") or ""),
            "source": {"email_id": email.get("ID"), "customer_key": email.get("CustomerKey")}}


def quota_refusal(error: QuotaExceeded) -> DomainError:
    """The definition quota's REST answer (SFMC documents none; see README): 400, errorcode 30001."""
    return Invalid(f"MCMS_UTM_Runtime_InvalidOperation: {error.message}", code=30001)


def _triggered_error(request_id: str, send_id: str, status: str) -> dict[str, Any]:
    return {"requestId": request_id, "responses": [{"recipientSendId": send_id, "hasErrors": True, "messageErrors": [
        {"messageErrorCode": 180008, "messageErrorStatus": status}]}]}


def _positive(value: Any, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(float(value))
    except (TypeError, ValueError, OverflowError):
        raise _v("MCMS_UTM_Validation_InvalidValue", f"{name} must be a positive integer.", 10005) from None
    if number < 1 or number != float(value) or number > MAX_PAGING:
        raise _v("MCMS_UTM_Validation_InvalidValue", f"{name} must be a positive integer.", 10005)
    return number


def _non_negative(value: Any, name: str) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _v("MCMS_UTM_Validation_InvalidValue", f"{name} must be an integer.", 10005) from None
    if number < 0 or number > MAX_PAGING:
        raise _v("MCMS_UTM_Validation_InvalidValue", f"{name} must be between 0 and {MAX_PAGING}.", 10005)
    return number


def service(emu: Emulator) -> TransactionalService:
    """The emulator's one TransactionalService (registered in emu.services)."""
    found = emu.services.get("transactional")
    if found is None:
        found = emu.services.setdefault("transactional", TransactionalService(emu))
    return found
