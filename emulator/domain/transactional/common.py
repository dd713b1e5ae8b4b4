"""What the parts of transactional messaging share: limits, the NotSent reasons, the dependencies, and
SFMC's date and paging rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ...clock import SFMC_TZ, Clock, sfmc_datetime
from ...ids import IdSource
from ...store.audience import AudienceRepository
from ...store.db import Store
from ...store.objects import ObjectRepository
from ...store.rest_documents import RestDocumentRepository, TxMessage, TxMessageRepository
from ..codes import NOT_SENT as NOT_SENT_CODES
from ..codes import REST
from ..delivery import Batch, Delivery, Notice
from ..errors import DomainError, Invalid
from ..quota import DefinitionQuota

DEFINITION_KIND = "email_definition"
QUOTA_KIND = "transactional"
MAX_DEFINITION_KEY = 36  # [mcdev TransactionalEmail.definition.js]
MAX_MESSAGE_KEY = 100  # [swag]
MAX_RECIPIENTS = 2000  # [swag]; enforced by the request schema (rest/schemas/transactional.py)
MAX_PAGING = 2**31 - 1  # paging numbers beyond this are refused (SQLite integers are 64-bit)
QUEUE_RETENTION = 3 * 86400  # inactive definitions keep messages three days [swag, seed:003]
DEFAULT_CLASSIFICATION = "Default Transactional"
STATUSES = {"active": "Active", "inactive": "Inactive", "deleted": "Deleted"}
ORDER_BY = ("definitionKey", "name", "createdDate", "modifiedDate", "status")
EVENT = "TransactionalSendEvents."
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# NotSent reasons -> SFMC's statusCode / statusMessage [doc:transactional-send-subscriber]
NOT_SENT = {
    "unsubscribed": NOT_SENT_CODES.UNSUBSCRIBED,
    "held": NOT_SENT_CODES.HELD,
    "missing_email": NOT_SENT_CODES.MISSING_EMAIL,
    "invalid_email": NOT_SENT_CODES.INVALID_EMAIL,
    "build_error": NOT_SENT_CODES.BUILD_ERROR,
    "missing_key": NOT_SENT_CODES.MISSING_KEY,
    "definition_deleted": NOT_SENT_CODES.DEFINITION_DELETED,
    "queue_cleared": NOT_SENT_CODES.QUEUE_CLEARED,
    "timed_out": NOT_SENT_CODES.TIMED_OUT,
    "list_unsubscribed": NOT_SENT_CODES.LIST_UNSUBSCRIBED,
    # SMS (see docs/sms.md): no mobile number, one that is not a number, the magic not-sent number
    "missing_mobile": NOT_SENT_CODES.MOBILE_NOT_FOUND,
    "invalid_mobile": NOT_SENT_CODES.MOBILE_NOT_FOUND,
    "magic_not_sent": NOT_SENT_CODES.UNSPECIFIED,
}


@dataclass(frozen=True)
class Channel:
    """What tells transactional email and SMS apart in the shared machinery (definitions, queue, status)."""

    name: str  # the outbox's and the message table's channel
    definition_kind: str  # rest_object kind of its definitions
    event: str  # eventCategoryType of the status routes: TransactionalSendEvents.<event>Sent
    not_sent_contact: bool = False  # the not-sent feed's info carries contactKey (SMS's does)


EMAIL_CHANNEL = Channel("email", DEFINITION_KIND, "Email")
SMS_CHANNEL = Channel("sms", "sms_definition", "SMS", not_sent_contact=True)


@dataclass
class TxDeps:
    """What transactional messaging reads and writes (built once in core.py)."""

    store: Store
    clock: Clock
    ids: IdSource
    objects: ObjectRepository
    audience: AudienceRepository
    docs: RestDocumentRepository
    messages: TxMessageRepository
    quota: DefinitionQuota
    delivery: Delivery
    base_url: Callable[[], str]  # read at send time: the port is known only once the server listens
    channel: Channel = EMAIL_CHANNEL

    def now(self) -> float:
        return self.clock.now().timestamp()


StatusUpdate = tuple[int, str, int | None, str | None, dict[str, Any], float]
# Where status updates go: the message repository's set_status for stored messages; a send that writes its
# messages once, in their final state, collects them instead (messages.py).
StatusWriter = Callable[[list[StatusUpdate]], None]


def not_sent_updates(deps: TxDeps, messages: list[TxMessage], reason: str, at: float) -> list[StatusUpdate]:
    """NotSent with `reason`'s code, each with the next event id (what notSent paging walks)."""
    code = NOT_SENT[reason]
    first = deps.store.next_values("tx_event", 1, len(messages)) if messages else 0
    return [(message.pk, "NotSent", code, code.message, dict(message.payload, eventId=first + offset), at)
            for offset, message in enumerate(messages)]


def mark_not_sent(deps: TxDeps, messages: list[TxMessage], reason: str, at: float,
                  write: StatusWriter | None = None) -> None:
    record_not_sent(deps, messages, not_sent_updates(deps, messages, reason, at), write)


def record_not_sent(deps: TxDeps, messages: list[TxMessage], updates: list[StatusUpdate],
                    write: StatusWriter | None = None) -> None:
    """Store the NotSent updates (through `write`, by default the message repository) and tell the delivery
    listeners (ENS) about each message."""
    if not messages:
        return
    (write or deps.messages.set_status)(updates)
    deps.delivery.deliver(Batch(notices=[
        Notice(m.mid, deps.channel.name, "NotSent", m.definition_key, m.message_key, m.contact_key, m.to_addr,
               at, code, text)
        for m, (_, _, code, text, _, at) in zip(messages, updates, strict=True)]))


def mcms(code: REST, detail: str) -> str:
    """SFMC's message: the code's symbolic MCMS_UTM_* name, then the detail."""
    return f"{code.mcms}: {detail}"


def invalid(code: REST, detail: str) -> Invalid:
    return Invalid(mcms(code, detail), code=code)


def recipient_error(code: REST, detail: str | None = None) -> tuple[int, str]:
    """A per-recipient (errorcode, message) of a send's responses."""
    return code, mcms(code, detail if detail is not None else code.message)


def quota_refusal(error: DomainError) -> DomainError:
    """The definition quota's REST answer (SFMC documents none; see README): 400, errorcode 30001."""
    return invalid(REST.INVALID_OPERATION, error.message)


def sfmc_minute(ts: float) -> str:
    """Definition dates as SFMC shows them: Central time, minute precision, no zone (2018-12-17T13:00:00)."""
    return datetime.fromtimestamp(ts, UTC).astimezone(SFMC_TZ).strftime("%Y-%m-%dT%H:%M:00")


def event_time(ts: float) -> str:
    """Send-status timestamps: Central time without zone, fractional seconds [doc:getSendStatusForRecipient]."""
    return sfmc_datetime(datetime.fromtimestamp(ts, UTC))


def positive(value: Any, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(float(value))
    except (TypeError, ValueError, OverflowError):
        raise invalid(REST.INVALID_VALUE, f"{name} must be a positive integer.") from None
    if number < 1 or number != float(value) or number > MAX_PAGING:
        raise invalid(REST.INVALID_VALUE, f"{name} must be a positive integer.")
    return number


def non_negative(value: Any, name: str) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise invalid(REST.INVALID_VALUE, f"{name} must be an integer.") from None
    if number < 0 or number > MAX_PAGING:
        raise invalid(REST.INVALID_VALUE, f"{name} must be between 0 and {MAX_PAGING}.")
    return number


def header_fields(body: dict[str, Any], out: dict[str, Any], creating: bool) -> None:
    """The fields every definition has, email and SMS alike: definitionKey (on create), name, description
    and status, checked and copied into `out`."""
    if creating:
        if len(body["definitionKey"]) > MAX_DEFINITION_KEY:
            raise invalid(REST.INVALID_VALUE, f"definitionKey must be at most {MAX_DEFINITION_KEY} characters.")
        out["definitionKey"] = body["definitionKey"]
    if body.get("name") is not None:
        if not body["name"].strip():
            raise invalid(REST.INVALID_VALUE, "name must not be empty.")
        out["name"] = body["name"]
    if "description" in body:
        out["description"] = body.get("description") or ""
    if body.get("status") is not None:
        status = STATUSES.get(body["status"].lower())
        if status is None:
            raise invalid(REST.INVALID_VALUE, "status must be active, inactive or deleted.")
        out["status"] = status


def require_header(body: dict[str, Any]) -> None:
    """A new definition (email or SMS) names its definitionKey (109107 when missing) and its name."""
    for field in ("definitionKey", "name"):
        if body.get(field) in (None, ""):
            code = REST.MISSING_DEFINITION_KEY if field == "definitionKey" else REST.MISSING_FIELD
            raise invalid(code, f"{field} is required.")


def subscriber_flags(subs: dict[str, Any], out: dict[str, Any]) -> None:
    """A definition's autoAddSubscriber and updateSubscriber (email and SMS alike): booleans, true when
    left out, each refused with its own code."""
    for field, code in (("autoAddSubscriber", REST.INVALID_AUTO_ADD),
                        ("updateSubscriber", REST.INVALID_UPDATE_SUBSCRIBER)):
        value = subs.get(field, True)
        if not isinstance(value, bool):
            raise invalid(code, f"subscriptions.{field} must be a boolean.")
        out[field] = value
