"""Transactional SMS (/messaging/v1/sms/...): what differs from email on the shared machinery.

- Definitions hold `content.message` (the text, with %%attribute%% substitution) and `subscriptions`
  (`shortCode`, `countryCode`, `keyword`, `autoAddSubscriber`, `updateSubscriber`) [swag, mcdev
  TransactionalSMS.definition.js]. They do not count against the email-definition quota: SFMC's limit names
  email transactional and email triggered send definitions only [doc:transactional-messaging-api].
- A recipient's `to` is a mobile number (digits, with the country code; a leading + is accepted). Left out,
  the contact's known mobile number is used. With `autoAddSubscriber: false` a contact that is not yet an SMS
  subscriber is refused [swag].
- Delivery writes one outbox row per message with channel "sms" (to: the number, text: the message, from:
  the short code) and tells the delivery listeners: Sent, then Delivered (4000) or Undeliverable (4500)
  [doc:sms-status-codes]. Magic numbers (docs/sms.md): ending in 0000 -> NotSent; ending in 0001 -> sent but
  undeliverable.

MobileConnect's own state (keywords, opt-outs by MO STOP) is not emulated: `subscriptions.resubscribe` is
accepted and kept with the message, nothing is ever opted out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...store.rest_documents import Document, TxMessage
from ..codes import REST
from ..delivery import Batch, Message, Notice
from ..render import compile_template, lookup_table
from .common import (
    header_fields,
    invalid,
    recipient_error,
    require_header,
    subscriber_flags,
)
from .definitions import Definitions
from .messages import Messages
from .sending import ChannelDelivery, Recipient

SUBSCRIBER_KIND = "sms_subscriber"  # rest_object: one per contact key, {mobileNumber, shortCodes, attributes}
MOBILE = re.compile(r"^\+?[0-9]{6,15}$")
SHORT_CODE = re.compile(r"^[0-9]{3,15}$")  # a short code, or a long code with its country prefix [doc]
COUNTRY_CODE = re.compile(r"^[A-Za-z]{2}$")
KEYWORD = re.compile(r"^\S{1,100}$")
MAGIC_NOT_SENT = "0000"
MAGIC_UNDELIVERABLE = "0001"
DELIVERED = (4000, "Delivered")  # [doc:sms-status-codes]
UNDELIVERABLE = (4500, "Undeliverable")


class SmsDefinitions(Definitions):
    PUBLIC_FIELDS = ("name", "definitionKey", "definitionId", "description", "status", "createdDate",
                     "modifiedDate", "content", "subscriptions")

    def validate(self, mid: int, body: dict[str, Any], creating: bool) -> dict[str, Any]:
        """Check and normalise an SMS definition body (create: all of it; update: what is present)."""
        out: dict[str, Any] = {}
        if creating:
            require_header(body)
            content, subs = body.get("content"), body.get("subscriptions")
            if not isinstance(content, dict) or content.get("message") in (None, ""):
                raise invalid(REST.MISSING_FIELD, "content.message is required.")
            if not isinstance(subs, dict) or subs.get("shortCode") in (None, ""):
                raise invalid(REST.MISSING_FIELD, "subscriptions.shortCode is required.")
            if subs.get("keyword") in (None, ""):
                raise invalid(REST.MISSING_KEYWORD, "subscriptions.keyword is required.")
        for field in ("definitionKey", "name", "description", "status"):
            if field in body and body[field] is not None and not isinstance(body[field], str):
                raise invalid(REST.INVALID_DATA_TYPE, f"{field} must be a string.")
        header_fields(body, out, creating)
        if "content" in body:
            out["content"] = {"message": _message_text(body["content"], "content")}
        if "subscriptions" in body:
            out["subscriptions"] = _subscriptions(body["subscriptions"])
        return out

    def new_data(self, fields: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        return {"name": fields["name"], "definitionKey": fields["definitionKey"], "definitionId": self.x.ids.guid(),
                "description": fields.get("description", ""), "status": fields.get("status", "Active"),
                "content": fields["content"], "subscriptions": fields["subscriptions"]}

    def reserve(self, mid: int, key: str) -> None:
        """SMS definitions are outside the email-definition quota [doc:transactional-messaging-api]."""

    def merge_update(self, doc: Document, body: dict[str, Any], fields: dict[str, Any]) -> None:
        """Nothing to merge: an SMS definition has no options (subscriptions merge in the shared update)."""


def _message_text(content: Any, where: str) -> str:
    if not isinstance(content, dict):
        raise invalid(REST.INVALID_DATA_TYPE, f"{where} must be an object.")
    message = content.get("message")
    if not isinstance(message, str) or not message.strip():
        raise invalid(REST.MISSING_FIELD if message in (None, "") else REST.INVALID_DATA_TYPE,
                      f"{where}.message must be a non-empty string.")
    return message


def _subscriptions(subs: Any) -> dict[str, Any]:
    if not isinstance(subs, dict):
        raise invalid(REST.INVALID_DATA_TYPE, "subscriptions must be an object.")
    short_code = subs.get("shortCode")
    if not isinstance(short_code, str) or not SHORT_CODE.match(short_code):
        raise invalid(REST.INVALID_VALUE if short_code else REST.MISSING_FIELD,
                      "subscriptions.shortCode must be a short code or a long code (digits).")
    out: dict[str, Any] = {"shortCode": short_code}
    country = subs.get("countryCode")
    if country not in (None, ""):
        if not isinstance(country, str) or not COUNTRY_CODE.match(country):
            raise invalid(REST.INVALID_VALUE, "subscriptions.countryCode must be a two-letter country code.")
        out["countryCode"] = country.upper()
    keyword = subs.get("keyword")
    if not isinstance(keyword, str) or not KEYWORD.match(keyword):
        raise invalid(REST.MISSING_KEYWORD if keyword in (None, "") else REST.INVALID_KEYWORD,
                      "subscriptions.keyword must be one word.")
    out["keyword"] = keyword.upper()  # MobileConnect keywords are case-insensitive, shown upper-case
    subscriber_flags(subs, out)
    return out


class SmsMessages(Messages):
    def accept(self, mid: int, body: dict[str, Any], doc: Document | None, recipients: list[Recipient]
               ) -> dict[str, Any]:
        """The send's own content and subscriptions; contacts the definition may not add are refused."""
        extra: dict[str, Any] = {}
        if body.get("content") is not None:
            extra["message"] = _message_text(body["content"], "content")
        subs = body.get("subscriptions")
        if subs is not None:
            if not isinstance(subs, dict):
                raise invalid(REST.INVALID_DATA_TYPE, "subscriptions must be an object.")
            if "resubscribe" in subs:
                if not isinstance(subs["resubscribe"], bool):
                    raise invalid(REST.INVALID_RESUBSCRIBE, "subscriptions.resubscribe must be a boolean.")
                extra["resubscribe"] = subs["resubscribe"]
        if doc is not None and doc.data.get("subscriptions", {}).get("autoAddSubscriber") is False:
            for r in recipients:
                if r.error is None and r.contact_key and self.x.docs.get(mid, SUBSCRIBER_KIND, r.contact_key) is None:
                    r.error = recipient_error(REST.INVALID_CONTACT_KEY, "Subscriber does not exist")
        return extra

    def check_address(self, mid: int, recipient: Recipient) -> Recipient:
        """`to` is a mobile number; left out, the contact's known number."""
        if recipient.to in (None, ""):
            known = self.x.docs.get(mid, SUBSCRIBER_KIND, str(recipient.contact_key))
            recipient.to = known.data.get("mobileNumber") if known else None
            if not recipient.to:
                recipient.to = None
                recipient.error = recipient_error(REST.MISSING_TO)
                recipient.not_sent = "missing_mobile"
            return recipient
        if not isinstance(recipient.to, str) or not MOBILE.match(recipient.to):
            recipient.to = str(recipient.to)
            recipient.error = recipient_error(REST.INVALID_TO)
            recipient.not_sent = "invalid_mobile"
        return recipient


@dataclass
class SmsPlan:
    """What an SMS definition sends, looked up once per delivery."""

    mid: int
    definition: dict[str, Any]
    where: dict[str, Any]  # shortCode, countryCode, keyword: kept with each message and notice
    templates: dict[str, Any]  # message text -> compiled template (a queued message may carry its own)


class SmsDelivery(ChannelDelivery):
    """Renders and outboxes what an active SMS definition sends (the shared ChannelDelivery.deliver)."""

    def plan(self, mid: int, definition: dict[str, Any]) -> SmsPlan:
        subs = definition["subscriptions"]
        return SmsPlan(mid, definition, {"shortCode": subs["shortCode"], "countryCode": subs.get("countryCode"),
                                         "keyword": subs["keyword"]}, {})

    def add(self, plan: SmsPlan, recipient: Recipient, message: TxMessage, batch: Batch, now: float) -> str | None:
        number = recipient.to or ""
        if number.endswith(MAGIC_NOT_SENT):
            return "magic_not_sent"
        mid, definition, where = plan.mid, plan.definition, plan.where
        subs, key = definition["subscriptions"], definition["definitionKey"]
        known = self._subscriber(mid, subs, recipient, now)
        values = {**known, **recipient.attributes, "SubscriberKey": recipient.contact_key, "MobileNumber": number}
        text = message.payload.get("message") or definition["content"]["message"]
        template = plan.templates.get(text)
        if template is None:  # setdefault would compile the text again for every recipient
            template = plan.templates[text] = compile_template(text)
        batch.messages.append(Message(
            mid, number, recipient.contact_key, "", "", template(lookup_table(values)), subs.get("keyword"),
            subs["shortCode"], {"definition_key": key, **where, "values": values}, now,
            message_key=message.message_key, definition_key=key, channel="sms"))
        notice = Notice(mid, "sms", "Sent", key, message.message_key, recipient.contact_key, number, now,
                        detail=where)
        code, status = UNDELIVERABLE if number.endswith(MAGIC_UNDELIVERABLE) else DELIVERED
        batch.notices += [notice, Notice(mid, "sms", status, key, message.message_key, recipient.contact_key,
                                         number, now, code, status, where)]
        return None

    def _subscriber(self, mid: int, subs: dict[str, Any], recipient: Recipient, now: float) -> dict[str, Any]:
        """Add the contact as a subscriber of the short code, or update its number, as the definition says;
        returns its stored attributes (for personalisation)."""
        docs, contact = self.x.docs, str(recipient.contact_key)
        doc = docs.get(mid, SUBSCRIBER_KIND, contact)
        if doc is None:
            if subs.get("autoAddSubscriber", True):
                docs.insert(mid, SUBSCRIBER_KIND, contact, {"contactKey": contact, "mobileNumber": recipient.to,
                                                            "shortCodes": [subs["shortCode"]], "attributes": {}}, now)
            return {}
        changed = False
        if subs.get("updateSubscriber", True) and doc.data.get("mobileNumber") != recipient.to:
            doc.data["mobileNumber"], changed = recipient.to, True
        if subs["shortCode"] not in doc.data.setdefault("shortCodes", []):
            doc.data["shortCodes"].append(subs["shortCode"])
            changed = True
        if changed:
            docs.replace(doc, now)
        return dict(doc.data.get("attributes") or {})

