"""Delivering transactional messages through the one delivery path: content and sender of a definition,
the audience rules (unsubscribed, held, list membership; subscriber add/update), then outbox rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...store import content_versions
from ...store.audience import SubscriberRecord
from ...store.document_query import DocumentQuery
from ...store.rest_documents import TxMessage
from ..content import KIND as ASSET_KIND
from ..content import block_fetcher
from ..delivery import Batch, Content, Message, Sender, email_content
from ..render import compile_template, lookup_table
from ..subscribers import ALL_SUBSCRIBERS
from .common import DEFAULT_CLASSIFICATION, StatusWriter, TxDeps, mark_not_sent

MAX_LOOKED_UP = 256  # definitions' looked-up content kept at once


@dataclass
class Recipient:
    message_key: str
    contact_key: str | None
    to: str | None
    attributes: dict[str, Any]
    error: tuple[int, str] | None = None  # response-level (errorcode, message)
    not_sent: str | None = None  # recorded as NotSent with this reason


class ChannelDelivery:
    """What delivering a channel's messages shares (email here, SMS in sms.py): what the definition sends is
    looked up once (`plan`), then each recipient either gets its message added to the batch or a reason
    not to be sent (`add`); the batch goes through the one delivery path and every message's status is
    written: Sent, or NotSent with its reason (in the order of the reasons' first appearance)."""

    def __init__(self, deps: TxDeps) -> None:
        self.x = deps

    def deliver(self, mid: int, definition: dict[str, Any], recipients: list[Recipient],
                messages: list[TxMessage], write: StatusWriter | None = None) -> None:
        """Render and outbox what an active definition sends; record Sent/NotSent per message through
        `write` (by default the message repository's set_status: the messages are stored)."""
        if not messages:
            return
        now = self.x.now()
        batch, sent, dropped = Batch(), [], {}
        with self.x.store.transaction():
            plan = self.plan(mid, definition)
            for recipient, message in zip(recipients, messages, strict=True):
                reason = self.add(plan, recipient, message, batch, now)
                if reason:
                    dropped.setdefault(reason, []).append(message)
                else:
                    sent.append((message.pk, "Sent", None, None, message.payload, now))
            self.x.delivery.deliver(batch)
            (write or self.x.messages.set_status)(sent)
            for reason, group in dropped.items():
                mark_not_sent(self.x, group, reason, now, write)

    def plan(self, mid: int, definition: dict[str, Any]) -> Any:
        raise NotImplementedError

    def add(self, plan: Any, recipient: Recipient, message: TxMessage, batch: Batch, now: float) -> str | None:
        """Add the recipient's message (and notices) to `batch`, or return the NotSent reason."""
        raise NotImplementedError


@dataclass
class EmailPlan:
    """What an email definition sends, looked up once per delivery."""

    mid: int
    definition: dict[str, Any]
    content: Content | None
    sender: Sender
    list_id: int | None
    options: dict[str, Any]


class TxDelivery(ChannelDelivery):
    def __init__(self, deps: TxDeps) -> None:
        super().__init__(deps)
        # (mid, content key, classification, content versions) -> (content, sender): what a definition's
        # sends look up and compile, kept until a row it is made of changes (store/content_versions.py).
        # Filled and read only while the store is held (deliver's transaction).
        self._looked_up: dict[tuple[Any, ...], tuple[Content | None, Sender]] = {}

    def content_for(self, mid: int, customer_key: str) -> Content | None:
        """Subject, html and text of an Email object or a Content Builder asset, by customer key."""
        email = self.x.objects.find_one(mid, "Email", "CustomerKey", customer_key)
        if email is not None:
            return email_content(email.data)
        asset = self.x.docs.find(mid, ASSET_KIND, "customerKey", customer_key)
        if asset is None:
            return None
        views = asset.data.get("views") or {}

        def view(name: str) -> str:
            value = views.get(name) or {}
            return str(value.get("content") or "") if isinstance(value, dict) else ""

        blocks = block_fetcher(self.x.docs, DocumentQuery(self.x.store), mid)  # ContentBlockBy* includes
        return Content(compile_template(view("subjectline"), blocks),
                       compile_template(view("html") or str(asset.data.get("content") or ""), blocks),
                       compile_template(view("text"), blocks),
                       {"asset_id": asset.data.get("id"), "customer_key": customer_key})

    def plan(self, mid: int, definition: dict[str, Any]) -> EmailPlan:
        subs = definition["subscriptions"]
        content, sender = self._content_and_sender(mid, definition["content"]["customerKey"],
                                                   definition.get("classification") or DEFAULT_CLASSIFICATION)
        # All Subscribers is every subscriber: no list to look up, no membership to check or add
        list_obj = None if subs["list"] == ALL_SUBSCRIBERS else self.x.objects.find_one(
            mid, "List", "CustomerKey", subs["list"])
        return EmailPlan(mid, definition, content, sender, list_obj.data.get("ID") if list_obj else None,
                         definition.get("options") or {})

    def _content_and_sender(self, mid: int, content_key: str, classification: str) -> tuple[Content | None, Sender]:
        key = (mid, content_key, classification, content_versions.current(self.x.store))
        found = self._looked_up.get(key)
        if found is None:
            if len(self._looked_up) >= MAX_LOOKED_UP:  # stale entries are never matched again: start over
                self._looked_up.clear()
            delivery = self.x.delivery
            found = self._looked_up[key] = (self.content_for(mid, content_key),
                                            delivery.sender(mid, delivery.classification(mid, classification)))
        return found

    def add(self, plan: EmailPlan, recipient: Recipient, message: TxMessage, batch: Batch, now: float) -> str | None:
        content, definition, mid = plan.content, plan.definition, plan.mid
        if content is None:
            return "build_error"
        subscriber, reason = self._audience(mid, definition["subscriptions"], plan.list_id, recipient, now)
        if reason:
            return reason
        values = {**(subscriber.attributes if subscriber else {}), **recipient.attributes,
                  "SubscriberKey": recipient.contact_key, "EmailAddress": recipient.to}
        subject, html, text = content.render(lookup_table(values))
        # Links are wrapped (options.trackLinks) and the pixel added by the delivery path.
        batch.sent(Message(
            mid, recipient.to, recipient.contact_key, subject, html, text, plan.sender.name, plan.sender.address,
            {**content.source, "definition_key": definition["definitionKey"],
             "definition_id": definition.get("definitionId"),
             "cc": plan.options.get("cc", []), "bcc": plan.options.get("bcc", []), "values": values},
            now, message_key=message.message_key, definition_key=definition["definitionKey"],
            track_links=bool(plan.options.get("trackLinks", True))))
        return None

    def _audience(self, mid: int, subs: dict[str, Any], list_id: int | None, recipient: Recipient,
                  now: float) -> tuple[SubscriberRecord | None, str | None]:
        """Check the contact may receive mail; add or update it on the definition's list as configured."""
        audience = self.x.audience
        subscriber = audience.get_subscriber(mid, recipient.contact_key)
        if subscriber is not None:
            if subscriber.status == "Unsubscribed":
                return subscriber, "unsubscribed"
            if subscriber.status in ("Held", "Bounced"):
                return subscriber, "held"
            if list_id is not None and audience.membership(mid, list_id, recipient.contact_key) == "Unsubscribed":
                return subscriber, "list_unsubscribed"
            if subs.get("updateSubscriber", True):
                known = {k.casefold(): k for k in subscriber.attributes}
                changed = {known[k.casefold()]: str(v) for k, v in recipient.attributes.items()
                           if k.casefold() in known}
                if subscriber.email != recipient.to or changed:
                    subscriber.email = recipient.to or subscriber.email
                    subscriber.attributes.update(changed)
                    audience.put_subscriber(mid, subscriber, now)
        elif subs.get("autoAddSubscriber", True):
            # looked up just above, in deliver()'s write transaction: it is new
            subscriber = audience.put_subscriber(mid, SubscriberRecord(recipient.contact_key, recipient.to or ""), now,
                                                 new=True)
        if list_id is not None and subs.get("autoAddSubscriber", True) and \
                audience.membership(mid, list_id, recipient.contact_key) is None and subscriber:
            audience.set_membership(mid, list_id, recipient.contact_key, "Active", now)
        return subscriber, None
