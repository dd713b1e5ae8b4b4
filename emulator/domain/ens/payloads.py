"""ENS event payloads in SFMC's shape [doc:ens-supported-events], built from what the delivery path wrote.

Every payload carries `eventCategoryType`, `timestampUTC` (epoch milliseconds), `compositeId`, `composite`
(jobId, batchId, listId, subscriberId — the same for a message's sent and engagement events, which is how
ENS consumers correlate them [doc:ens-sent-to-engagement]), `definitionKey`, `mid`, `eid` and `info`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..delivery import Batch, Event, Message, Notice

SUPPORTED = (
    "TransactionalSendEvents.EmailSent", "TransactionalSendEvents.EmailNotSent",
    "TransactionalSendEvents.EmailBounced", "EngagementEvents.EmailOpen", "EngagementEvents.EmailClick",
    "EngagementEvents.EmailUnsubscribe", "TransactionalSendEvents.SmsSent", "TransactionalSendEvents.SmsNotSent",
    "TransactionalSendEvents.SmsTransient", "TransactionalSendEvents.SmsBounced",
    "TransactionalSendEvents.SmsDelivered",
)
ENGAGEMENT = {"Open": "EngagementEvents.EmailOpen", "Click": "EngagementEvents.EmailClick",
              "Unsubscribe": "EngagementEvents.EmailUnsubscribe"}
# Emulated recipients have no network: the documented fields are present, with these values.
EMULATED_CLIENT = {"ipAddress": "127.0.0.1", "userAgent": "sfmc-emulator", "location": {}}


def _transactional(message: Message | dict[str, Any]) -> bool:
    """A REST transactional message (its ENS sent/bounced events are TransactionalSendEvents)."""
    source = message.source if isinstance(message, Message) else message.get("source") or {}
    job_id = message.job_id if isinstance(message, Message) else message.get("job_id")
    return job_id is None and "definition_key" in source and "cc" in source


def composite(job_id: Any, message_id: int | None, batch_id: int | None, list_id: Any,
              subscriber_id: Any) -> dict[str, str]:
    return {"jobId": str(job_id if job_id is not None else message_id or 0), "batchId": str(batch_id or 1),
            "listId": str(list_id or 0), "subscriberId": str(subscriber_id or 0)}


def payload(category: str, at: float, comp: dict[str, str], mid: int, eid: int, definition_key: str | None,
            info: dict[str, Any], transactional: bool, definition_id: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"eventCategoryType": category, "timestampUTC": int(round(at * 1000)),
                           "compositeId": ".".join((comp["jobId"], comp["listId"], comp["batchId"],
                                                    comp["subscriberId"])),
                           "composite": comp, "definitionKey": definition_key or "NA"}
    if not transactional:
        out.update(definitionId="NA", channel="email")
    out.update(mid=mid, eid=eid, info=info)
    if transactional and definition_id:
        out["definitionId"] = definition_id
    return out


def from_batch(batch: Batch, eid: int, subscriber_id: Callable[[int, str | None], Any],
               message_of: Callable[[int], dict[str, Any] | None]) -> list[tuple[int, dict[str, Any]]]:
    """(mid, payload) for what a delivered batch means to ENS: a transactional message's EmailSent (or
    EmailNotSent), a transactional bounce's EmailBounced, and any message's opens, clicks and unsubscribes."""
    out: list[tuple[int, dict[str, Any]]] = []
    for m in batch.messages:
        if m.channel == "email" and _transactional(m):
            comp = composite(None, m.id, 1, None, subscriber_id(m.mid, m.subscriber_key))
            out.append((m.mid, payload("TransactionalSendEvents.EmailSent", m.created, comp, m.mid, eid,
                                       m.definition_key, {"to": m.to, "subscriberKey": m.subscriber_key,
                                                          "messageKey": m.message_key, "status": "Sent",
                                                          "renderedSubject": m.subject}, True,
                                       m.source.get("definition_id"))))
    for n in batch.notices:
        item = _notice_payload(n, eid, subscriber_id)
        if item is not None:
            out.append((n.mid, item))
    for e in batch.events:
        item = _event_payload(e, eid, subscriber_id, message_of)
        if item is not None:
            out.append((e.mid, item))
    return out


# A transactional SMS's notices (delivery.Notice.status) and the ENS category each is published as; an
# Undeliverable SMS is SFMC's SmsBounced [doc:ens-supported-events].
SMS_CATEGORIES = {"Sent": "TransactionalSendEvents.SmsSent", "NotSent": "TransactionalSendEvents.SmsNotSent",
                  "Delivered": "TransactionalSendEvents.SmsDelivered",
                  "Undeliverable": "TransactionalSendEvents.SmsBounced"}


def _notice_payload(n: Notice, eid: int, subscriber_id: Callable[[int, str | None], Any]) -> dict[str, Any] | None:
    """An email's EmailNotSent, or an SMS's SmsSent / SmsNotSent / SmsDelivered / SmsBounced."""
    comp = composite(None, None, 1, None, subscriber_id(n.mid, n.contact_key))
    info: dict[str, Any] = {"to": n.to, "subscriberKey": n.contact_key, "messageKey": n.message_key}
    if n.channel == "email":
        if n.status != "NotSent":
            return None  # an email's Sent is its outbox message (above)
        info.update(reason=n.status_message, statusCode=str(n.status_code), statusMessage=n.status_message)
        return payload("TransactionalSendEvents.EmailNotSent", n.at, comp, n.mid, eid, n.definition_key, info, True)
    category = SMS_CATEGORIES.get(n.status) if n.channel == "sms" else None
    if category is None:
        return None
    comp = {**comp, "mobileNumber": str(n.to or "")}
    if n.status == "NotSent":
        info.update(reason=n.status_message, statusCode=str(n.status_code))
    elif n.status != "Sent":
        info.update(ordinal="0", statusCode=str(n.status_code), statusMessage=n.status_message,
                    fromAddress=n.detail.get("shortCode"), countryCode=n.detail.get("countryCode"))
    return payload(category, n.at, comp, n.mid, eid, n.definition_key, info, True)


def _event_payload(e: Event, eid: int, subscriber_id: Callable[[int, str | None], Any],
                   message_of: Callable[[int], dict[str, Any] | None]) -> dict[str, Any] | None:
    if e.message_id is None or (e.event_type not in ENGAGEMENT and e.event_type != "HardBounce"):
        return None
    message = message_of(e.message_id) if e.message is None else None
    transactional = _transactional(e.message if e.message is not None else (message or {}))
    source = (e.message.source if e.message is not None else (message or {}).get("source")) or {}
    comp = composite(e.job_id, e.message_id, e.batch_id, e.detail.get("list_id"), subscriber_id(e.mid, e.subscriber_key))
    definition_key = e.detail.get("definition_key")
    if e.event_type == "HardBounce":
        if not transactional:
            return None
        smtp = str(e.detail.get("SMTPReason") or "")
        return payload("TransactionalSendEvents.EmailBounced", e.event_date, comp, e.mid, eid, definition_key,
                       {"to": e.email, "subscriberKey": e.subscriber_key, "messageKey": e.detail.get("message_key"),
                        "bounceCode": "HARD", "bounceMessage": smtp, "smtpReason": smtp.split(" ")[1]
                        if smtp.count(" ") else smtp}, True, source.get("definition_id"))
    if e.event_type == "Click":
        info = {"ipAddress": EMULATED_CLIENT["ipAddress"], "jobUrlId": str(e.detail.get("URLID") or ""),
                "contentLink": e.detail.get("URL"), "impressionRegion": "0",
                "userAgent": EMULATED_CLIENT["userAgent"], "location": {}}
    elif e.event_type == "Open":
        info = dict(EMULATED_CLIENT, location={})
    else:
        email = e.email or ""
        info = {"to": email, "domain": email.rpartition("@")[2], "unsubscribeDate": int(round(e.event_date * 1000)),
                "unsubscribeMethod": str(e.detail.get("method") or "Click")}
    return payload(ENGAGEMENT[e.event_type], e.event_date, comp, e.mid, eid, "NA", info, False)


def matches(event: dict[str, Any], categories: list[str], filters: list[str]) -> bool:
    """Whether a subscription wants an event: its category, and every `name=value` filter true of the
    payload's top level or its info [doc:ens-subscription-filters]."""
    if event.get("eventCategoryType") not in categories:
        return False
    info = event.get("info") or {}
    for item in filters:
        name, _, value = item.partition("=")
        name = name.strip()
        actual = event.get(name, info.get(name))
        if actual is None or str(actual) != value.strip():
            return False
    return True
