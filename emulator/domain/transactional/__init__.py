"""Transactional messaging (REST /messaging/v1/email/... and /messaging/v1/sms/...), by responsibility:

- ``definitions``: send definitions, their validation and CRUD;
- ``queue``: what an inactive definition holds and how messages leave it;
- ``messages``: accepting a send, and message status / the NotSent feed;
- ``sending``: delivery of a definition's messages through the one delivery path (domain/delivery.py);
- ``sms``: the SMS channel's definitions, recipients and delivery, on the same machinery.

One service per channel (``TransactionalService`` for email, ``sms_service`` for SMS), each with its own
``TxDeps`` (``channel``, and a message repository scoped to it).

Protocol-free: takes decoded JSON dicts, returns dicts shaped as SFMC answers them, raises typed errors
whose messages carry SFMC's symbolic MCMS_UTM_* prefix (domain/codes.py) [doc:transactional-send-response].
The classic triggered send over REST (messageDefinitionSends) lives with the triggered-send behaviour.
"""

from __future__ import annotations

from typing import Any

from ..context import CallContext
from .common import SMS_CHANNEL, TxDeps
from .definitions import Definitions
from .messages import Messages
from .queue import Queue
from .sending import ChannelDelivery, TxDelivery
from .sms import SmsDefinitions, SmsDelivery, SmsMessages


class TransactionalService:
    """The REST adapter's one entry point for a channel; each call goes to the part that owns it. The
    parts default to email's; a channel passes its own classes (the same constructors)."""

    def __init__(self, deps: TxDeps, delivery: type[ChannelDelivery] = TxDelivery,
                 definitions: type[Definitions] = Definitions, messages: type[Messages] = Messages) -> None:
        self.deps = deps
        self.delivery = delivery(deps)
        self.queue = Queue(deps, self.delivery)
        self.definitions = definitions(deps, self.queue)
        self.messages = messages(deps, self.queue, self.delivery)

    def create_definition(self, ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
        return self.definitions.create(ctx, body)

    def get_definition(self, ctx: CallContext, key: str) -> dict[str, Any]:
        return self.definitions.get(ctx, key)

    def list_definitions(self, ctx: CallContext, filter_text: str | None, page: Any, page_size: Any,
                         order_by: str | None) -> dict[str, Any]:
        return self.definitions.list(ctx, filter_text, page, page_size, order_by)

    def update_definition(self, ctx: CallContext, key: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.definitions.update(ctx, key, body)

    def delete_definition(self, ctx: CallContext, key: str) -> dict[str, Any]:
        return self.definitions.delete(ctx, key)

    def queue_metrics(self, ctx: CallContext, key: str) -> dict[str, Any]:
        return self.definitions.queue_metrics(ctx, key)

    def clear_queue(self, ctx: CallContext, key: str) -> dict[str, Any]:
        return self.definitions.clear_queue(ctx, key)

    def send(self, ctx: CallContext, body: dict[str, Any], path_key: str | None = None) -> dict[str, Any]:
        return self.messages.send(ctx, body, path_key)

    def message_status(self, ctx: CallContext, message_key: str) -> dict[str, Any]:
        return self.messages.status(ctx, message_key)

    def not_sent(self, ctx: CallContext, type_: str | None, page_size: Any, last_event_id: Any) -> dict[str, Any]:
        return self.messages.not_sent(ctx, type_, page_size, last_event_id)

    def expire(self, mid: int) -> None:
        self.queue.expire(mid)


def sms_service(deps: TxDeps) -> TransactionalService:
    """Transactional SMS: `deps.channel` is SMS_CHANNEL and `deps.messages` scoped to "sms"."""
    return TransactionalService(deps, SmsDelivery, SmsDefinitions, SmsMessages)


__all__ = ["SMS_CHANNEL", "TransactionalService", "TxDeps", "sms_service"]
