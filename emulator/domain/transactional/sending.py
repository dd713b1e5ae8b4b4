"""Delivering transactional messages through the one delivery path: content and sender of a definition,
the audience rules (unsubscribed, held, list membership; subscriber add/update), then outbox rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...store.audience import SubscriberRecord
from ...store.document_query import DocumentQuery
from ...store.rest_documents import TxMessage
from ..content import KIND as ASSET_KIND
from ..content import block_fetcher
from ..delivery import Batch, Content, Message, email_content
from ..render import compile_template, lookup_table
from ..subscribers import ALL_SUBSCRIBERS
from .common import DEFAULT_CLASSIFICATION, TxDeps, mark_not_sent


@dataclass
class Recipient:
    message_key: str
    contact_key: str | None
    to: str | None
    attributes: dict[str, Any]
    error: tuple[int, str] | None = None  # response-level (errorcode, message)
    not_sent: str | None = None  # recorded as NotSent with this reason


class TxDelivery:
    def __init__(self, deps: TxDeps) -> None:
        self.x = deps

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

    def deliver(self, mid: int, definition: dict[str, Any], recipients: list[Recipient],
                messages: list[TxMessage]) -> None:
        """Render and outbox what an active definition sends; record Sent/NotSent per message."""
        if not messages:
            return
        now = self.x.now()
        subs = definition["subscriptions"]
        content = self.content_for(mid, definition["content"]["customerKey"])
        delivery = self.x.delivery
        sender = delivery.sender(mid, delivery.classification(mid, definition.get("classification")
                                                              or DEFAULT_CLASSIFICATION))
        # All Subscribers is every subscriber: no list to look up, no membership to check or add
        list_obj = None if subs["list"] == ALL_SUBSCRIBERS else self.x.objects.find_one(
            mid, "List", "CustomerKey", subs["list"])
        list_id = list_obj.data.get("ID") if list_obj else None
        options = definition.get("options") or {}
        batch, sent, dropped = Batch(), [], {}
        with self.x.store.transaction():
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
                subject, html, text = content.render(lookup_table(values))
                # Links are wrapped (options.trackLinks) and the pixel added by the delivery path.
                batch.sent(Message(
                    mid, recipient.to, recipient.contact_key, subject, html, text, sender.name, sender.address,
                    {**content.source, "definition_key": definition["definitionKey"],
                     "definition_id": definition.get("definitionId"),
                     "cc": options.get("cc", []), "bcc": options.get("bcc", []), "values": values},
                    now, message_key=message.message_key, definition_key=definition["definitionKey"],
                    track_links=bool(options.get("trackLinks", True))))
                sent.append((message.pk, "Sent", None, None, message.payload, now))
            delivery.deliver(batch)
            self.x.messages.set_status(sent)
            for reason, group in dropped.items():
                mark_not_sent(self.x, group, reason, now)

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
