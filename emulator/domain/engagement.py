"""Engagement: what a recipient does with a message once it is out — opens, clicks, unsubscribes, bounces,
spam complaints — recorded as tracking events against the outbox message, for every kind of send.

Events are written through the delivery path (`Delivery.deliver` of a `Batch` holding only events), so the
listeners (ENS webhooks, live views) see them exactly as they see Sent events. The ways in: the tracked-link
redirect (a ClickEvent), the open pixel (an OpenEvent), the unsubscribe and profile-center links and SOAP
`Execute LogUnsubEvent` (an UnsubEvent), and the admin call `POST /_emulator/outbox/{id}/events`, which
simulates any of them deterministically.

Unsubscribing follows SFMC: with a list context (the message came from a list send) the subscriber is
unsubscribed from that list; without one (data-extension, triggered, transactional sends) or when asked for
"all", the subscriber is master-unsubscribed (status Unsubscribed). A complaint master-unsubscribes too.
The audience rules (store/sends.py, transactional/sending.py) then keep later sends from them.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..store.audience import AudienceRepository, SubscriberRecord
from ..store.engagement import CLICK, COMPLAINT, HARD_BOUNCE, OPEN, UNSUBSCRIBE, EngagementRepository
from ..store.jobs import JobRepository
from . import codes
from .delivery import Batch, Delivery, Event
from .errors import Invalid, NotFound
from .render import wrapped_link

KINDS = {"open": OPEN, "click": CLICK, "unsubscribe": UNSUBSCRIBE, "bounce": HARD_BOUNCE, "complaint": COMPLAINT}
SIMULATED_BOUNCE = {"SMTPCode": "550", "BounceCategory": "Hard bounce",
                    "SMTPReason": "550 5.1.1 user unknown (simulated)"}
DEFAULT_UNSUB_REASON = "Unsubscribed via Log Unsub Event Execute call"  # [doc:LogUnsubEvent]


@dataclass(frozen=True)
class EngagementDeps:
    rows: EngagementRepository
    audience: AudienceRepository
    jobs: JobRepository
    clock: Clock
    delivery: Delivery


def url_id(url: str) -> int:
    """A link's URLID: stable for the same URL (SFMC numbers each distinct link of a job)."""
    return zlib.crc32(url.encode("utf-8")) & 0x7FFFFFFF


_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
_ALIAS = re.compile(r'\balias\s*=\s*"([^"]*)"', re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def link_name(html: str, url: str) -> str | None:
    """The name SFMC gives a tracked link: its `alias` attribute, else its text."""
    from urllib.parse import quote

    wrapped = quote(url, safe="")
    for match in _ANCHOR.finditer(html or ""):
        attributes = match.group(1)
        if wrapped in attributes or f'"{url}"' in attributes:
            alias = _ALIAS.search(attributes)
            if alias:
                return alias.group(1)
            text = _TAG.sub("", match.group(2)).strip()
            return text or None
    return None


class Engagement:
    def __init__(self, deps: EngagementDeps) -> None:
        self.x = deps

    # -- which message ---------------------------------------------------------------------------------
    def resolve(self, ref: str) -> dict[str, Any] | None:
        """The outbox message a tracked link, pixel or unsubscribe link names (Message.ref)."""
        return self.x.rows.message_by_ref(ref) if ref else None

    def clicked(self, ref: str, url: str) -> dict[str, Any] | None:
        """A tracked link followed: a ClickEvent for the message `ref` names, if the emulator wrapped that
        very link in it (render.wrap_links); None otherwise, and nothing is recorded (no open redirect)."""
        message = self.resolve(ref)
        if message is None or wrapped_link(ref, url) not in (message.get("html") or ""):
            return None
        return self.record(message, "click", url=url)

    def message(self, message_id: int) -> dict[str, Any]:
        found = self.x.rows.message(message_id)
        if found is None:
            raise NotFound(f"No message {message_id} in the outbox.", code=codes.REST.NOT_FOUND)
        return found

    def events_of(self, message_id: int) -> list[dict[str, Any]]:
        return self.x.rows.events_of(message_id)

    # -- recording ---------------------------------------------------------------------------------------
    def record(self, message: dict[str, Any], kind: str, url: str | None = None, at: float | None = None,
               everywhere: bool = False, method: str = "Click", reason: str | None = None) -> dict[str, Any]:
        """Record one engagement (`kind` of KINDS) with `message`; unsubscribes and complaints change the
        subscriber's status as SFMC does. Returns the event as written."""
        event_type = KINDS.get(kind)
        if event_type is None:
            raise Invalid(f"Unknown engagement type {kind!r}.", code=codes.REST.INVALID_VALUE)
        when = at if at is not None else self.x.clock.now().timestamp()
        sent = self.x.rows.sent_event(message["id"]) or {}
        detail: dict[str, Any] = {k: v for k, v in (sent.get("detail") or {}).items() if k == "tsd_object_id"}
        detail["message_key"] = message.get("message_key")
        detail["definition_key"] = message.get("definition_key")
        if event_type == CLICK:
            if not url:
                raise Invalid("A click needs the url clicked.", code=codes.REST.INVALID_VALUE)
            # A send's link has the id its LinkSend shows (send_link); a transactional message's has none.
            link = self.x.rows.link_id(message["job_id"], url) if message.get("job_id") else None
            detail.update(URL=url, URLID=link if link is not None else url_id(url),
                          LinkName=link_name(message.get("html") or "", url))
        elif event_type == HARD_BOUNCE:
            detail.update(SIMULATED_BOUNCE)
        elif event_type in (UNSUBSCRIBE, COMPLAINT):
            detail.update(self._unsubscribe(message, when, everywhere or event_type == COMPLAINT))
            detail["method"] = method
            if reason:
                detail["reason"] = reason
        event = Event(message["mid"], message.get("job_id"), message.get("subscriber_key") or message["to_addr"],
                      message.get("to_addr"), event_type, when, sent.get("batch_id") or 1,
                      sent.get("triggered_send_key") or None, detail, message_id=message["id"])
        self.x.delivery.deliver(Batch(events=[event]))
        return event.row()

    def _unsubscribe(self, message: dict[str, Any], when: float, everywhere: bool) -> dict[str, Any]:
        """Unsubscribe the message's recipient from the list its job was sent to, or from everything."""
        mid, key = message["mid"], message.get("subscriber_key") or message["to_addr"]
        lists = [] if everywhere else self._job_lists(message.get("job_id"))
        if lists:
            for list_id in lists:
                self.x.audience.set_membership(mid, list_id, key, "Unsubscribed", when)
            return {"list_id": lists[0], "IsMasterUnsubscribed": False}
        self.master_unsubscribe(mid, key, message.get("to_addr") or "", when)
        return {"IsMasterUnsubscribed": True}

    def master_unsubscribe(self, mid: int, key: str, email: str, when: float) -> None:
        subscriber = self.x.audience.get_subscriber(mid, key)
        if subscriber is None:  # a transactional or data-extension recipient: All Subscribers learns of it
            subscriber = SubscriberRecord(key, email)
        subscriber.status = "Unsubscribed"
        self.x.audience.put_subscriber(mid, subscriber, when)

    def _job_lists(self, job_id: int | None) -> list[int]:
        job = self.x.jobs.get(job_id) if job_id is not None else None
        plan = ((job or {}).get("detail") or {}).get("plan") or {}
        return [int(s["list_id"]) for s in plan.get("sources") or [] if s.get("list_id")]

    # -- SOAP Execute LogUnsubEvent ----------------------------------------------------------------------
    def log_unsub_event(self, mid: int, params: dict[str, str]) -> dict[str, Any]:
        """Unsubscribe a subscriber and log an UnsubEvent against a job [doc:LogUnsubEvent]: the subscriber by
        SubscriberID, SubscriberKey or EmailAddress (the others must match); the job context from JobID
        (or ListID: the most recent job that reached them). Without a job context no UnsubEvent is logged
        and the subscriber is master-unsubscribed. Raises Invalid with the subscriber-validation code."""
        p = {k.casefold(): v for k, v in params.items() if v not in (None, "")}
        subscriber = self._find_subscriber(mid, p)
        when = self.x.clock.now().timestamp()
        job_id = int(p["jobid"]) if str(p.get("jobid", "")).isdigit() else None
        list_id = int(p["listid"]) if str(p.get("listid", "")).isdigit() else None
        if job_id is None and list_id is not None:
            job_id = self.x.rows.last_sent_job(mid, subscriber.subscriber_key)
        reason = p.get("reason") or DEFAULT_UNSUB_REASON
        if job_id is None:
            self.master_unsubscribe(mid, subscriber.subscriber_key, subscriber.email, when)
            return {"event": None, "master": True}
        lists = [list_id] if list_id is not None else self._job_lists(job_id)
        detail: dict[str, Any] = {"method": "LogUnsubEvent", "reason": reason}
        if lists:
            for each in lists:
                self.x.audience.set_membership(mid, each, subscriber.subscriber_key, "Unsubscribed", when)
            detail.update(list_id=lists[0], IsMasterUnsubscribed=False)
        else:
            self.master_unsubscribe(mid, subscriber.subscriber_key, subscriber.email, when)
            detail["IsMasterUnsubscribed"] = True
        batch_id = int(p["batchid"]) if str(p.get("batchid", "")).isdigit() else 1
        event = Event(mid, job_id, subscriber.subscriber_key, subscriber.email, UNSUBSCRIBE, when, batch_id,
                      None, detail)
        self.x.delivery.deliver(Batch(events=[event]))
        return {"event": event.row(), "master": bool(detail["IsMasterUnsubscribed"])}

    def _find_subscriber(self, mid: int, p: dict[str, str]) -> SubscriberRecord:
        audience = self.x.audience
        found = None
        if str(p.get("subscriberid", "")).isdigit():
            found = audience.get_subscriber_by_id(mid, int(p["subscriberid"]))
        elif p.get("subscriberkey"):
            found = audience.get_subscriber(mid, p["subscriberkey"])
        elif p.get("emailaddress"):
            # An address alone must name one subscriber (with subscriber keys, several may share it)
            keys = self.x.rows.subscriber_keys_by_email(mid, p["emailaddress"])
            if len(keys) > 1:
                raise Invalid("Several subscribers have this EmailAddress: give the SubscriberKey or SubscriberID.",
                              code=codes.SOAP.LOG_UNSUB_SUBSCRIBER)
            found = audience.get_subscriber(mid, keys[0]) if keys else None
        else:
            raise Invalid("LogUnsubEvent needs a SubscriberID, SubscriberKey or EmailAddress.",
                          code=codes.SOAP.LOG_UNSUB_SUBSCRIBER)
        if found is None:
            raise Invalid("Subscriber not found.", code=codes.SOAP.LOG_UNSUB_SUBSCRIBER)
        if p.get("subscriberkey") and found.subscriber_key.casefold() != p["subscriberkey"].casefold() or \
                p.get("emailaddress") and found.email.casefold() != p["emailaddress"].casefold():
            raise Invalid("The subscriber context does not match one subscriber.",
                          code=codes.SOAP.LOG_UNSUB_SUBSCRIBER)
        return found

    # -- Send counts --------------------------------------------------------------------------------------
    def send_counts(self, job_ids: list[int]) -> dict[int, dict[str, int]]:
        """The Send object's engagement counts per job, from its events."""
        out = {}
        for job_id, c in self.x.rows.job_counts(job_ids).items():
            out[job_id] = {"UniqueOpens": c.get("unique:" + OPEN, 0), "UniqueClicks": c.get("unique:" + CLICK, 0),
                           "Unsubscribes": c.get(UNSUBSCRIBE, 0), "HardBounces": c.get(HARD_BOUNCE, 0),
                           "NumberOpened": c.get(OPEN, 0), "NumberClicked": c.get(CLICK, 0)}
        return out
