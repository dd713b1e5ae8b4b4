"""The one delivery path: resolve the sender, render, write the outbox rows and their tracking events.

Every way of sending (SOAP sends and triggered sends, REST transactional and classic triggered sends) ends
here: it builds `Message`s (and `Event`s) with the helpers below and hands them to `Delivery.deliver` as one
`Batch`: one executemany for the outbox and one for the events, in one transaction. A new channel (SMS) is
a new `Message.channel`; a new event type (open, click, unsubscribe) is a new `Event.event_type`; whatever
must react to a delivery (webhooks, live views) registers in `Delivery.listeners`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..store.db import Store
from ..store.objects import ObjectRepository
from ..store.outbox import OutboxRepository
from ..store.sends import SendRepository
from .render import Template, add_open_pixel, compile_template, html_to_text, wrap_links

DEFAULT_PROFILE = "Default"  # the business unit's default SenderProfile (CustomerKey)
PROFILE_REF = ("ObjectID", "CustomerKey", "ID", "Name")  # how a reference to a SenderProfile is resolved
MAGIC_BOUNCE = {"SMTPCode": "550", "BounceCategory": "Hard bounce",
                "SMTPReason": "550 5.1.1 user unknown (magic address)"}


@dataclass(slots=True)
class Message:
    """One message as it lands in the outbox."""

    mid: int
    to: str | None
    subscriber_key: str | None
    subject: str
    html: str
    text: str
    from_name: str | None
    from_addr: str | None
    source: dict[str, Any]
    created: float
    job_id: int | None = None
    message_key: str | None = None
    definition_key: str | None = None
    channel: str = "email"  # or "sms": `to` is then the mobile number, `text` the message, no subject/html
    track_links: bool = True  # wrap http(s) links in the click-tracking redirect (options.trackLinks)
    track_opens: bool = True  # an HTML body gets the open-tracking pixel
    id: int | None = None  # the outbox id, given by Delivery.deliver
    source_json: str | None = None  # `source` as json.dumps gives it, when the sender built it already

    @property
    def ref(self) -> str:
        """How tracked links, the pixel and the unsubscribe links name this message (engagement.resolve):
        its message key when it has one (REST sends), else its outbox id as `m<id>`."""
        return self.message_key or f"m{self.id}"

    def row(self) -> dict[str, Any]:
        return {"id": self.id, "mid": self.mid, "job_id": self.job_id, "message_key": self.message_key,
                "definition_key": self.definition_key, "subscriber_key": self.subscriber_key,
                "to_addr": self.to, "from_name": self.from_name, "from_addr": self.from_addr,
                "subject": self.subject, "html": self.html, "text": self.text, "source": self.source,
                "created": self.created, "channel": self.channel}

    def values(self) -> tuple[Any, ...]:
        """The outbox row as store/outbox.py's COLUMNS order it (built straight, the hot loop of a send)."""
        return (self.id, self.mid, self.job_id, self.message_key, self.definition_key, self.subscriber_key,
                self.to, self.from_name, self.from_addr, self.subject, self.html, self.text,
                self.source_json or json.dumps(self.source),
                self.created, self.channel)


@dataclass(slots=True)
class Event:
    """A tracking event of a send job (Sent, NotSent, HardBounce; retrieved as SentEvent, BounceEvent...)."""

    mid: int
    job_id: int | None  # None: a message without a send job (REST transactional)
    subscriber_key: str
    email: str | None
    event_type: str
    event_date: float
    batch_id: int = 1
    triggered_send_key: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    message_id: int | None = None  # the outbox message it belongs to (set by deliver from `message`)
    message: Message | None = None  # the message of this batch it belongs to (Batch.sent links them)

    def row(self) -> dict[str, Any]:
        return {"mid": self.mid, "job_id": self.job_id, "subscriber_key": self.subscriber_key,
                "email": self.email, "event_type": self.event_type, "event_date": self.event_date,
                "triggered_send_key": self.triggered_send_key, "batch_id": self.batch_id, "detail": self.detail,
                "message_id": self.message_id}

    def values(self) -> tuple[Any, ...]:
        """The send_event row in store/sends.py's EVENT_COLUMNS order (most events carry no detail)."""
        return (self.mid, self.job_id, self.subscriber_key, self.email, self.event_type, self.event_date,
                self.triggered_send_key, self.batch_id, json.dumps(self.detail) if self.detail else "{}",
                self.message_id)

    def repeats(self, message: Message) -> bool:
        """Is this `message`'s plain Sent event, its every column already in the message's outbox row? Delivery
        copies such events from the outbox in SQL rather than binding each value (a send writes one each)."""
        return (self.event_type == "Sent" and not self.detail and self.triggered_send_key is None
                and self.batch_id == 1 and self.mid == message.mid and self.job_id == message.job_id
                and self.subscriber_key == message.subscriber_key and self.email == message.to
                and self.event_date == message.created)

    def but(self, event_type: str, **detail: Any) -> Event:
        """The same recipient's next event (a Sent's HardBounce), with more detail."""
        return Event(self.mid, self.job_id, self.subscriber_key, self.email, event_type, self.event_date,
                     self.batch_id, self.triggered_send_key, {**self.detail, **detail}, self.message_id,
                     self.message)


@dataclass(slots=True)
class Notice:
    """What a transactional message's subscribers (ENS) hear about it, beyond the outbox row: one per outcome
    (status "Sent", "NotSent", "Delivered", "Undeliverable"). Not stored; listeners get them with the batch."""

    mid: int
    channel: str  # "email" or "sms"
    status: str
    definition_key: str
    message_key: str
    contact_key: str | None
    to: str | None  # the address or mobile number
    at: float
    status_code: int | None = None
    status_message: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)  # e.g. the SMS short code and country code


@dataclass
class Batch:
    """What one delivery writes together (and the notices its listeners hear)."""

    messages: list[Message] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def sent(self, message: Message, event: Event | None = None, bounce: bool = False) -> None:
        """A message out, with its Sent event (and a magic address's HardBounce) when the send tracks them."""
        self.messages.append(message)
        if event is not None:
            event.message = message
            self.events.append(event)
            if bounce:
                self.events.append(event.but("HardBounce", **MAGIC_BOUNCE))


@dataclass(frozen=True)
class Sender:
    name: str
    address: str
    honour_unsubscribe: bool = True  # a non-Operational (commercial) classification honours unsubscribes


@dataclass
class Content:
    """An email's templates, compiled once per send, and where it came from (kept in the outbox row)."""

    subject: Template
    html: Template
    text: Template
    source: dict[str, Any]
    has_text: bool = True

    def render(self, table: dict[str, str], derive_text: bool = False, track: tuple[str, str] | None = None
               ) -> tuple[str, str, str]:
        """(subject, html, text) for one recipient's `lookup_table`. `derive_text`: a missing text part is
        derived from the HTML (multipart sends); `track`: (base URL, ref) wraps links for click tracking."""
        html = self.html(table)
        if track is not None:
            html = wrap_links(html, *track)
        text = html_to_text(html) if derive_text and not self.has_text else self.text(table)
        return self.subject(table), html, text


def email_content(email: dict[str, Any], subject: str | None = None, source: dict[str, Any] | None = None,
                  blocks: Callable[[str, str], str | None] | None = None) -> Content:
    """The content of a SOAP Email object (`subject` overrides its Subject, as a definition may); `blocks`
    includes the BU's Content Builder blocks (ContentBlockByKey/Name/Id, render.resolve_content_blocks)."""
    return Content(compile_template(subject or str(email.get("Subject") or ""), blocks),
                   compile_template(str(email.get("HTMLBody") or ""), blocks),
                   compile_template(str(email.get("TextBody") or ""), blocks),
                   source if source is not None else {"email_id": email.get("ID"),
                                                      "customer_key": email.get("CustomerKey")},
                   has_text=bool(email.get("TextBody")))


class Delivery:
    def __init__(self, store: Store, objects: ObjectRepository, outbox: OutboxRepository,
                 events: SendRepository, base_url: Callable[[], str] = lambda: "") -> None:
        self.store = store
        self.objects = objects
        self.outbox = outbox
        self.events = events
        self.base_url = base_url  # read at send time: it is known once the server listens
        # Called with each Batch once written (inside the caller's transaction, if there is one): webhooks,
        # live views. A listener must not raise; what it does with the batch is its own business.
        self.listeners: list[Callable[[Batch], None]] = []

    def sender(self, mid: int, classification: dict[str, Any] | None,
               profile_ref: dict[str, Any] | None = None) -> Sender:
        """From name/address: the sender profile `profile_ref` names, else the classification's, else the
        business unit's default profile."""
        honour = True
        profile = None
        if classification:
            honour = classification.get("SendClassificationType") != "Operational"
            profile = self._profile(mid, classification.get("SenderProfile"))
        if profile_ref:
            profile = self._profile(mid, profile_ref) or profile
        if profile is None:
            profile = self._profile(mid, {"CustomerKey": DEFAULT_PROFILE}) or {}
        return Sender(str(profile.get("FromName") or ""), str(profile.get("FromAddress") or ""), honour)

    def classification(self, mid: int, key: str) -> dict[str, Any] | None:
        found = self.objects.find_one(mid, "SendClassification", "CustomerKey", key)
        return found.data if found else None

    def _profile(self, mid: int, ref: Any) -> dict[str, Any] | None:
        found = self.objects.find_named(mid, "SenderProfile", ref, PROFILE_REF) if isinstance(ref, dict) else None
        return found.data if found else None

    def deliver(self, batch: Batch) -> None:
        """Write a batch's outbox rows and events (one statement each, one transaction), then notify. A batch
        of notices only (messages that were not sent) writes nothing and still notifies."""
        with self.store.transaction():
            if batch.messages:
                first, base = self.outbox.next_id(), self.base_url()
                for offset, message in enumerate(batch.messages):
                    message.id = first + offset
                    if message.channel == "email":
                        track(message, base)
                self.outbox.add_values([m.values() for m in batch.messages])
            if batch.events:
                self._write_events(batch.events)
        for listener in self.listeners:
            listener(batch)

    def _write_events(self, events: list[Event]) -> None:
        """The events in their order (their ids follow it): a run of Sent events that repeat consecutive
        messages' outbox rows is one copy from the outbox, a run of other events one executemany."""
        rows: list[tuple[Any, ...]] = []
        run: list[int] = []  # [first, last] message id of the Sent events being copied
        for event in events:
            message = event.message
            if message is not None:
                event.message_id = message.id
            if message is not None and message.id is not None and event.repeats(message):
                if run and run[1] + 1 == message.id:
                    run[1] = message.id
                    continue
                self._write(rows, run)
                rows, run = [], [message.id, message.id]
                continue
            if run:
                self._write(rows, run)
                rows, run = [], []
            rows.append(event.values())
        self._write(rows, run)

    def _write(self, rows: list[tuple[Any, ...]], run: list[int]) -> None:
        if rows:
            self.events.add_event_values(rows)
        if run:
            self.events.copy_sent_events(run[0], run[1])


def engagement_links(base_url: str, ref: str) -> dict[str, str]:
    """The late-bound personalization strings (render.LATE_BOUND) for message `ref`."""
    from urllib.parse import quote

    ref = quote(ref, safe="")
    profile = f"{base_url}/_emulator/profile/{ref}"
    return {"%%unsub_center_url%%": f"{base_url}/_emulator/unsub/{ref}", "%%profile_center_url%%": profile,
            "%%subscription_center_url%%": profile}


def track(message: Message, base_url: str) -> None:
    """What SFMC does to a message on its way out: the subscription-center links filled in, every http(s)
    link wrapped for click tracking and an open pixel in the HTML body, each naming the message."""
    if "%%" in message.html or "%%" in message.text:  # every late-bound marker is a %%name%%
        for marker, url in engagement_links(base_url, message.ref).items():
            if marker in message.html:
                message.html = message.html.replace(marker, url)
            if marker in message.text:
                message.text = message.text.replace(marker, url)
    if message.html and message.track_links:
        message.html = wrap_links(message.html, base_url, message.ref)
    if message.html and message.track_opens and "</body" in message.html.lower():  # else no pixel: skip the scan
        message.html = add_open_pixel(message.html, base_url, message.ref)
