"""Subscriber, ListSubscriber and SubscriberList over the audience tables (domain/subscribers.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import codes, subscribers
from ..context import CallContext
from ..objects import ObjectResult, save_action
from ..query import required_values
from . import Behaviour, behaviour
from .retrieve_only import RetrieveOnly

if TYPE_CHECKING:
    from ..objects import RetrieveQuery


def _one(values: list[str] | None) -> str | None:
    """The single value a filter requires, for an index look-up (several values: no narrowing)."""
    return values[0] if values is not None and len(values) == 1 else None


def _narrowing(query: RetrieveQuery, list_property: str, key_property: str
               ) -> tuple[list[int] | None, str | None]:
    """(list ids, subscriber key) the filter requires of a membership, for the indexes to narrow on; the
    filter itself still decides (a value that is no integer narrows nothing)."""
    values = required_values(query.filter, list_property)
    try:
        list_ids = [int(v) for v in values] if values is not None else None
    except ValueError:
        list_ids = None
    return list_ids, _one(required_values(query.filter, key_property))


def _echo(props: dict[str, Any], record) -> dict[str, Any]:
    echo = {k: v for k, v in props.items() if k not in ("Client",)}
    echo.update({"__type__": "Subscriber", "ID": record.id, "SubscriberKey": record.subscriber_key,
                 "EmailAddress": record.email, "Status": record.status})
    return echo


@behaviour("Subscriber")
class SubscriberBehaviour(Behaviour):
    id_style = "int"

    def create(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int) -> ObjectResult:
        emu = self.service.emu
        if save_action(self.options) == "UpdateAdd" and subscribers.find_subscriber(emu, mid, props):
            return self._update(mid, props)
        return self._create(mid, props)

    def update(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int,
               options: dict[str, Any]) -> ObjectResult:
        emu = self.service.emu
        if save_action(options) in ("UpdateAdd", "AddOnly") and not subscribers.find_subscriber(emu, mid, props):
            return self._create(mid, props)
        return self._update(mid, props)

    def _create(self, mid: int, props: dict[str, Any]) -> ObjectResult:
        record = subscribers.create_subscriber(self.service.emu, mid, props)
        return ObjectResult(ok=True, message="Created Subscriber.", new_id=record.id, object=_echo(props, record))

    def _update(self, mid: int, props: dict[str, Any]) -> ObjectResult:
        record = subscribers.update_subscriber(self.service.emu, mid, props)
        return ObjectResult(ok=True, message="Updated Subscriber.", object=_echo(props, record))

    def delete(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int) -> ObjectResult:
        record = subscribers.delete_subscriber(self.service.emu, mid, props)
        return ObjectResult(ok=True, message="Deleted Subscriber.",
                            object={"__type__": "Subscriber", "ID": record.id,
                                    "SubscriberKey": record.subscriber_key})

    def keyed_rows(self, ctx: CallContext, mids: list[int], query: RetrieveQuery, after: Any) -> Any:
        with_lists = any(p == "Lists" or p.startswith("Lists.") for p in query.properties)
        return subscribers.subscriber_rows(self.service.emu, mids, with_lists=with_lists, after=after,
                                           subscriber_key=_one(required_values(query.filter, "SubscriberKey")))

    not_found_code = codes.SOAP.SUBSCRIBER_NOT_FOUND
    not_found_text = "{message}"


# The two views of list membership: type -> (the property naming the list, the one naming the
# subscriber's key, the reader). A SubscriberList's ID is its list's.
MEMBERSHIP_VIEWS = {
    "ListSubscriber": ("ListID", "SubscriberKey", subscribers.list_subscriber_rows),
    "SubscriberList": ("ID", "Subscriber.SubscriberKey", subscribers.subscriber_list_rows),
}


@behaviour(*MEMBERSHIP_VIEWS)
class MembershipBehaviour(RetrieveOnly):
    hint = " (membership changes go through Subscriber.Lists)"

    def keyed_rows(self, ctx: CallContext, mids: list[int], query: RetrieveQuery, after: Any) -> Any:
        list_property, key_property, read = MEMBERSHIP_VIEWS[self.type_name]
        return read(self.service.emu, mids, after, *_narrowing(query, list_property, key_property))
