"""The queue of transactional messages: what an inactive definition holds (for up to three days), and how
messages leave it as NotSent (cleared, definition deleted, timed out) or delivered (re-activation)."""

from __future__ import annotations

from typing import Any

from ...store.rest_documents import Document
from .common import QUEUE_RETENTION, TxDeps, mark_not_sent, not_sent_updates, record_not_sent
from .sending import ChannelDelivery, Recipient


class Queue:
    def __init__(self, deps: TxDeps, delivery: ChannelDelivery) -> None:
        """`delivery`: the channel's (TxDelivery for email, SmsDelivery for SMS: ChannelDelivery.deliver)."""
        self.x = deps
        self.delivery = delivery

    def drop(self, mid: int, key: str, reason: str) -> None:
        mark_not_sent(self.x, self.x.messages.with_status(mid, "Queued", key), reason, self.x.now())

    def expire(self, mid: int) -> None:
        """Queued messages older than three days are dropped as NotSent (TimedoutInQueue), at the moment
        their three days ran out."""
        cutoff = self.x.now() - QUEUE_RETENTION
        stale = self.x.messages.with_status(mid, "Queued", created_before=cutoff)
        if not stale:
            return
        with self.x.store.transaction():
            updates = not_sent_updates(self.x, stale, "timed_out", 0)
            record_not_sent(self.x, stale, [(pk, s, c, m, p, msg.created + QUEUE_RETENTION)
                                            for (pk, s, c, m, p, _), msg in zip(updates, stale, strict=True)])

    def release(self, doc: Document) -> None:
        """Re-activation: deliver what waited at most three days, drop the rest."""
        self.expire(doc.mid)
        queued = self.x.messages.with_status(doc.mid, "Queued", doc.key)
        recipients = [Recipient(m.message_key, m.contact_key, m.to_addr, m.payload.get("attributes") or {})
                      for m in queued]
        self.delivery.deliver(doc.mid, doc.data, recipients, queued)

    def metrics(self, mid: int, key: str) -> dict[str, Any]:
        self.expire(mid)
        count, oldest = self.x.messages.queue_stats(mid, key)
        age = int(self.x.now() - oldest) if oldest else 0
        return {"count": count, "ageSeconds": max(age, 0)}
