"""Transactional messages (/messaging/v1/email/messages): accepting a send, and its status afterwards.

A message to an active definition is delivered during the request (SFMC's transactional path is
near-immediate); to an inactive one it is queued (see queue.py). Each recipient succeeds or fails on its
own: the answer lists a per-recipient errorcode, and what is accepted but cannot be sent is NotSent.
Bodies arrive of the declared shape (the REST boundary checks JSON types first: rest/schemas/), so what is
checked here are SFMC's rules on values: presence, lengths, addresses, keys, definitions.
"""

from __future__ import annotations

from typing import Any

from ...store.rest_documents import Document, TxMessage
from ..codes import REST
from ..context import CallContext
from ..errors import NotFound
from .common import (
    EMAIL,
    EVENT,
    MAX_MESSAGE_KEY,
    StatusUpdate,
    TxDeps,
    event_time,
    invalid,
    mark_not_sent,
    mcms,
    non_negative,
    positive,
    recipient_error,
)
from .queue import Queue
from .sending import ChannelDelivery, Recipient


class Messages:
    def __init__(self, deps: TxDeps, queue: Queue, delivery: ChannelDelivery) -> None:
        self.x = deps
        self.queue = queue
        self.delivery = delivery

    def send(self, ctx: CallContext, body: dict[str, Any], path_key: str | None = None) -> dict[str, Any]:
        """POST /messages/{messageKey} (path_key set, body.recipient) or POST /messages (body.recipients)."""
        mid = ctx.mid
        definition_key = body.get("definitionKey")
        if definition_key in (None, ""):
            raise invalid(REST.MISSING_DEFINITION_KEY, "definitionKey is required.")
        if "recipient" in body and "recipients" in body:
            raise invalid(REST.INVALID_VALUE, "Use either recipient or recipients, not both.")
        if path_key is not None:
            raw = body.get("recipient")
            if raw is None:
                raise invalid(REST.NO_RECIPIENTS, "recipient is required.")
            raw_list = [raw]
        else:
            raw_list = body.get("recipients")
            if raw_list is None or raw_list == []:
                raise invalid(REST.NO_RECIPIENTS, "recipients is required.")
        shared = body.get("attributes") or {}

        with self.x.store.transaction():  # one hold of the store for the whole send
            doc, deleted = self._definition(mid, definition_key)
            recipients = [self._recipient(mid, raw, shared, path_key) for raw in raw_list]
            extra = self.accept(mid, body, doc, recipients)
            request_id = self.x.ids.guid()
            now = self.x.now()
            self._mark_duplicates(mid, recipients)
            accepted = [r for r in recipients if r.error is None or r.not_sent]
            self._record(mid, definition_key, request_id, doc, deleted, accepted, extra, now)
        responses = []
        for r in recipients:
            item: dict[str, Any] = {"messageKey": r.message_key}
            if r.error:
                item["errorcode"], item["message"] = r.error
            responses.append(item)
        failed = sum(1 for r in recipients if r.error)
        if not failed:
            return {"requestId": request_id, "errorcode": 0, "responses": responses}
        return {"requestId": request_id, "errorcode": REST.RESPONSES_HAVE_ERRORS,
                "message": mcms(REST.RESPONSES_HAVE_ERRORS,
                                f"{failed} subscribers failed to queue out of {len(recipients)}"),
                "responses": responses}

    def _definition(self, mid: int, definition_key: str) -> tuple[Document | None, bool]:
        """The definition a send names, and whether it was deleted (then its messages are NotSent)."""
        kind = self.x.channel.definition_kind
        doc = self.x.docs.get(mid, kind, definition_key)
        deleted = (doc is not None and doc.data.get("status") == "Deleted") or (
            doc is None and self.x.docs.find(mid, kind, "_deletedKey", definition_key) is not None)
        if doc is None and not deleted:
            raise invalid(REST.INVALID_DEFINITION_KEY, f"No definition with key '{definition_key}' exists.")
        return doc, deleted

    def _record(self, mid: int, definition_key: str, request_id: str, doc: Document | None, deleted: bool,
                accepted: list[Recipient], extra: dict[str, Any], now: float) -> None:
        """Decide every accepted message's fate (NotSent for what cannot be sent, Sent for what an active
        definition delivers now, else Queued), then store each message once, in that final state. The
        statuses are decided in the order they always were (so the listeners hear the same, and NotSent
        event ids run the same); nothing reads the messages before they are stored (one transaction)."""
        final: dict[int, StatusUpdate] = {}  # position in `accepted` -> its status update

        def write(updates: list[StatusUpdate]) -> None:
            final.update((update[0], update) for update in updates)

        # Not stored yet: a message's pk is its position until insert_many gives the real one.
        pending = [TxMessage(i, mid, r.message_key, definition_key, request_id, r.contact_key, r.to, "Queued",
                             None, None, {"attributes": r.attributes, **extra}, now, now)
                   for i, r in enumerate(accepted)]
        invalid_ = [(m, r) for m, r in zip(pending, accepted, strict=True) if r.not_sent]
        for reason in {r.not_sent for _, r in invalid_}:
            mark_not_sent(self.x, [m for m, r in invalid_ if r.not_sent == reason], reason, now, write)
        valid = [(m, r) for m, r in zip(pending, accepted, strict=True) if not r.not_sent]
        if deleted:
            mark_not_sent(self.x, [m for m, _ in valid], "definition_deleted", now, write)
        elif valid:
            de_key = doc.data["subscriptions"].get("dataExtension")
            if de_key:  # one row per request in the triggered send data extension
                self.x.audience.insert_rows(mid, de_key, [
                    (None, {"SubscriberKey": r.contact_key, "EmailAddress": r.to, **r.attributes})
                    for _, r in valid], now)
            if doc.data.get("status") == "Active":
                self.delivery.deliver(mid, doc.data, [r for _, r in valid], [m for m, _ in valid], write)
        rows = []
        for m in pending:
            _, status, code, text, payload, updated = final.get(m.pk, (m.pk, "Queued", None, None, m.payload, now))
            rows.append({"mid": mid, "message_key": m.message_key, "definition_key": definition_key,
                         "request_id": request_id, "contact_key": m.contact_key, "to_addr": m.to_addr,
                         "status": status, "status_code": code, "status_message": text, "payload": payload,
                         "created": now, "updated": updated})
        self.x.messages.insert_many(rows)

    def _recipient(self, mid: int, raw: dict[str, Any], shared: dict[str, Any], path_key: str | None) -> Recipient:
        """Per-recipient rules of a body already of the declared shape (rest/schemas/transactional.py:
        strings are strings, attributes an object of scalars)."""
        key = path_key if path_key is not None else raw.get("messageKey")
        key = self.x.ids.guid() if key in (None, "") else key
        recipient = Recipient(key, raw.get("contactKey"), raw.get("to"), {**shared, **(raw.get("attributes") or {})})
        if len(key) > MAX_MESSAGE_KEY:
            recipient.error = recipient_error(REST.INVALID_MESSAGE_KEY)
            return recipient
        unknown = set(raw) - {"contactKey", "to", "messageKey", "attributes"}
        if unknown:
            recipient.error = recipient_error(REST.UNKNOWN_FIELD, sorted(unknown)[0])
            return recipient
        if recipient.contact_key in (None, ""):
            recipient.error = recipient_error(REST.MISSING_CONTACT_KEY)
            recipient.contact_key = None
            recipient.not_sent = "missing_key"
            return recipient
        return self.check_address(mid, recipient)

    def accept(self, mid: int, body: dict[str, Any], doc: Document | None, recipients: list[Recipient]
               ) -> dict[str, Any]:
        """Channel rules on a send's recipients before they are recorded (SMS: the subscriber must exist when
        the definition does not add it); returns what each stored message keeps besides its attributes."""
        return {}

    def check_address(self, mid: int, recipient: Recipient) -> Recipient:
        """The recipient's `to` (email: an address, or the known subscriber's when left out)."""
        if recipient.to in (None, ""):
            known = self.x.audience.get_subscriber(mid, recipient.contact_key)
            recipient.to = known.email if known and known.email else None
            if recipient.to is None:
                recipient.error = recipient_error(REST.MISSING_TO)
                recipient.not_sent = "missing_email"
            return recipient
        if not EMAIL.match(recipient.to):
            recipient.error = recipient_error(REST.INVALID_TO)
            recipient.not_sent = "invalid_email"
        return recipient

    def _mark_duplicates(self, mid: int, recipients: list[Recipient]) -> None:
        """A messageKey used before (in this BU) or twice in this request is refused: nothing is sent twice."""
        used = self.x.messages.existing_keys(mid, [r.message_key for r in recipients])
        seen: set[str] = set()
        for r in recipients:
            if r.error is not None and not r.not_sent:
                continue
            if r.message_key in used or r.message_key in seen:
                r.error = recipient_error(REST.DUPLICATE_MESSAGE_KEY)
                r.not_sent = None
            seen.add(r.message_key)

    # ------------------------------------------------------------------ status
    def status(self, ctx: CallContext, message_key: str) -> dict[str, Any]:
        self.queue.expire(ctx.mid)
        message = self.x.messages.get(ctx.mid, message_key)
        if message is None:
            raise NotFound(mcms(REST.NOT_FOUND, f"No message with messageKey '{message_key}'."), code=REST.NOT_FOUND)
        answer: dict[str, Any] = {"requestId": self.x.ids.guid()}
        answer["eventCategoryType"] = EVENT + self.x.channel.event + message.status
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
            raise invalid(REST.INVALID_VALUE, "type must be notSent.")
        size = min(positive(page_size, "$pageSize", 50), 500)
        after = non_negative(last_event_id, "lastEventId")
        self.queue.expire(ctx.mid)
        rows = self.x.messages.not_sent_after(ctx.mid, after, size)
        channel = self.x.channel
        messages = [{
            "statusCode": m.status_code, "statusMessage": m.status_message,
            "eventCategoryType": EVENT + channel.event + "NotSent", "timestamp": event_time(m.updated),
            "definitionKey": m.definition_key, "eventID": m.payload["eventId"],
            "info": {"messageKey": m.message_key, **({"contactKey": m.contact_key or ""}
                                                     if channel.not_sent_contact else {})},
        } for m in rows]
        return {"lastEventID": messages[-1]["eventID"] if messages else after, "messages": messages,
                "count": len(messages)}
