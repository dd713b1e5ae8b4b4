"""Subscribers and list membership: the audience sends go to.

Subscribers live in the ``subscriber`` / ``list_subscriber`` tables (emu.audience), not the generic object
store: imports write them by the hundred thousand and sends stream them. This module holds the rules
(email syntax, statuses, the "All Subscribers" list, SFMC's 12000/13000 codes); the behaviours in
domain/behaviours/subscriber.py only adapt them to Create/Update/Delete/Retrieve.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..clock import iso_from_timestamp
from ..store.audience import SubscriberRecord
from . import codes
from .errors import Invalid, NotFound

if TYPE_CHECKING:
    from ..core import Emulator

ALL_SUBSCRIBERS = "All Subscribers"
STATUSES = ("Active", "Unsubscribed", "Held", "Bounced", "Deleted")
# Deliberately permissive (SFMC accepts plus-addressing, subdomains, long TLDs); refuses what has no
# local part, no domain or no dot-separated extension: "username@domain.extension" [doc:12000].
EMAIL_RE = re.compile(r"^[^@\s\"<>,;]+@[^@\s\"<>,;]+\.[A-Za-z0-9-]{2,}$")


def valid_email(address: str | None) -> bool:
    return bool(address) and len(address) <= 254 and EMAIL_RE.match(address) is not None


def check_email(address: str | None) -> str:
    address = (address or "").strip()
    if not valid_email(address):
        raise Invalid("InvalidEmailAddress", code=codes.SOAP.INVALID_EMAIL_ADDRESS,
                      detail=f"'{address}' is not a valid email address")
    return address


_iso = iso_from_timestamp


# -- lists ------------------------------------------------------------------------------------------
def find_list(emu: Emulator, mid: int, ref: dict[str, Any]) -> dict[str, Any]:
    """The List a SubscriberList / reference names (ID, ObjectID, CustomerKey or ListName); 13000 if none."""
    for prop in ("ID", "ObjectID", "CustomerKey"):
        value = ref.get(prop)
        if value not in (None, ""):
            found = emu.objects.find_one(mid, "List", prop, int(value) if prop == "ID" else value)
            if found:
                return found.data
            raise NotFound(f"List Not Found: no List with {prop} '{value}'.", code=codes.SOAP.LIST_NOT_FOUND)
    if ref.get("ListName"):
        found = emu.objects.find_one(mid, "List", "Name", ref["ListName"])
        if found:
            return found.data
        raise NotFound(f"List Not Found: no List named '{ref['ListName']}'.", code=codes.SOAP.LIST_NOT_FOUND)
    raise Invalid("List ID Not Specified", code=codes.SOAP.LIST_ID_NOT_SPECIFIED)


def is_all_subscribers(list_obj: dict[str, Any]) -> bool:
    return list_obj.get("CustomerKey") == ALL_SUBSCRIBERS or list_obj.get("ListName") == ALL_SUBSCRIBERS


def iter_list_audience(emu: Emulator, mid: int, list_id: int) -> Iterator[tuple[SubscriberRecord, str]]:
    """(subscriber, status on the list) for every member of a list, streamed.

    "All Subscribers" holds every subscriber of the BU with the account-wide status; other lists use
    their membership rows.
    """
    found = emu.objects.find_one(mid, "List", "ID", int(list_id))
    if found is not None and is_all_subscribers(found.data):
        for _, record in emu.audience.iter_subscribers([mid]):
            yield record, record.status
        return
    yield from emu.audience.iter_list_members(mid, int(list_id))


# -- subscribers ------------------------------------------------------------------------------------
def subscriber_key_of(props: dict[str, Any]) -> str:
    return (props.get("SubscriberKey") or props.get("EmailAddress") or "").strip()


def find_subscriber(emu: Emulator, mid: int, props: dict[str, Any]) -> SubscriberRecord | None:
    key = subscriber_key_of(props)
    if key:
        return emu.audience.get_subscriber(mid, key)
    if props.get("ID"):
        return emu.audience.get_subscriber_by_id(mid, int(props["ID"]))
    return None


def _attributes(props: dict[str, Any]) -> dict[str, str]:
    out = {}
    for attr in props.get("Attributes") or []:
        if attr.get("Name"):
            out[attr["Name"]] = attr.get("Value") or ""
    return out


def _apply_lists(emu: Emulator, mid: int, key: str, lists: list[dict[str, Any]], default_status: str,
                 now: float) -> None:
    for entry in lists:
        ref = dict(entry)
        if isinstance(entry.get("List"), dict):
            ref = {**entry["List"], **{k: v for k, v in entry.items() if k in ("ID", "ObjectID", "CustomerKey")}}
        list_obj = find_list(emu, mid, ref)
        if is_all_subscribers(list_obj):
            continue  # membership of All Subscribers is implied by being a subscriber
        action = (entry.get("Action") or "").lower()
        if action == "delete":
            emu.audience.remove_membership(mid, int(list_obj["ID"]), key)
            continue
        status = entry.get("Status") or default_status
        if status not in STATUSES:
            raise Invalid("Invalid List Status", code=codes.SOAP.LIST_STATUS_INVALID)
        emu.audience.set_membership(mid, int(list_obj["ID"]), key, status, now)


def create_subscriber(emu: Emulator, mid: int, props: dict[str, Any]) -> SubscriberRecord:
    email = check_email(props.get("EmailAddress"))
    key = (props.get("SubscriberKey") or "").strip() or email
    status = props.get("Status") or "Active"
    if status in ("Bounced", "Deleted"):
        raise Invalid(f'Subscriber.Status: when creating a subscriber the status cannot be "{status}"',
                      code=codes.SOAP.SUBSCRIBER_STATUS_INVALID)
    now = emu.clock.now().timestamp()
    with emu.store.transaction():
        if emu.audience.get_subscriber(mid, key) is not None:
            raise Invalid("SubscriberAlreadyExists", code=codes.SOAP.SUBSCRIBER_ALREADY_EXISTS)
        record = SubscriberRecord(subscriber_key=key, email=email, status=status, attributes=_attributes(props),
                                  email_type=props.get("EmailTypePreference") or "HTML")
        emu.audience.put_subscriber(mid, record, now)
        _apply_lists(emu, mid, key, props.get("Lists") or [], "Active", now)
    return record


def update_subscriber(emu: Emulator, mid: int, props: dict[str, Any]) -> SubscriberRecord:
    now = emu.clock.now().timestamp()
    with emu.store.transaction():
        record = find_subscriber(emu, mid, props)
        if record is None:
            raise NotFound("SubscriberNotFound", code=codes.SOAP.SUBSCRIBER_NOT_FOUND)
        if props.get("EmailAddress"):
            record.email = check_email(props["EmailAddress"])
        if props.get("Status"):
            if props["Status"] == "Deleted":
                raise Invalid('Subscriber.Status: the status cannot be set to "Deleted"',
                              code=codes.SOAP.SUBSCRIBER_STATUS_INVALID)
            record.status = props["Status"]
        if props.get("EmailTypePreference"):
            record.email_type = props["EmailTypePreference"]
        record.attributes.update(_attributes(props))
        emu.audience.put_subscriber(mid, record, now)
        _apply_lists(emu, mid, record.subscriber_key, props.get("Lists") or [], "Active", now)
    return record


def delete_subscriber(emu: Emulator, mid: int, props: dict[str, Any]) -> SubscriberRecord:
    with emu.store.transaction():
        record = find_subscriber(emu, mid, props)
        if record is None:
            raise NotFound("SubscriberNotFound", code=codes.SOAP.SUBSCRIBER_NOT_FOUND)
        emu.audience.delete_subscriber(mid, record.subscriber_key)
    return record


def subscriber_row(mid: int, record: SubscriberRecord, lists: list[dict[str, Any]] | None = None
                   ) -> dict[str, Any]:
    """A subscriber as a partner-API Subscriber object."""
    row: dict[str, Any] = {
        "__type__": "Subscriber",
        "Client": {"__type__": "ClientID", "ID": mid},
        "CreatedDate": _iso(record.created),
        "ModifiedDate": _iso(record.modified),
        "ID": record.id,
        "EmailAddress": record.email,
        "SubscriberKey": record.subscriber_key,
        "Status": record.status,
        "EmailTypePreference": record.email_type,
        "Attributes": [{"__type__": "Attribute", "Name": k, "Value": v} for k, v in record.attributes.items()],
    }
    if record.status == "Unsubscribed":
        row["UnsubscribedDate"] = _iso(record.modified)  # no own column: the last change is the closest
    if lists is not None:
        row["Lists"] = lists
    return row


def subscriber_rows(emu: Emulator, mids: list[int], with_lists: bool = False, after: int | None = None,
                    subscriber_key: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(id, Subscriber) in id order after id `after`, streamed; `subscriber_key` narrows in SQL."""
    for mid, record in emu.audience.iter_subscribers_after(mids, -1 if after is None else after, subscriber_key):
        lists = None
        if with_lists:
            lists = [{"__type__": "SubscriberList", "ID": m["list_id"], "Status": m["status"]}
                     for m in emu.audience.memberships_of(mid, record.subscriber_key)]
        yield record.id, subscriber_row(mid, record, lists)


def list_subscriber_rows(emu: Emulator, mids: list[int], after: list[int] | None = None,
                         list_ids: list[int] | None = None, subscriber_key: str | None = None
                         ) -> Iterator[tuple[list[int], dict[str, Any]]]:
    """([mid, list pk, member position], ListSubscriber) for every (list, subscriber) pair, "All
    Subscribers" included for each subscriber: BU by BU, list by list (pk order), members in membership
    order. Reads resume after position `after`; `list_ids` and `subscriber_key` (what a filter requires)
    narrow through the indexes, so a page reads only its own rows."""
    after_mid, after_list, after_pos = after if after else (None, -1, -1)
    started = after_mid is None
    for mid in mids:
        if not started:
            if mid != after_mid:
                continue
            started = True
        else:
            after_list, after_pos = -1, -1
        all_list = emu.objects.find_one(mid, "List", "CustomerKey", ALL_SUBSCRIBERS)
        lists = (emu.objects.find_any([mid], ["List"], "ID", list_ids) if list_ids is not None
                 else emu.objects.all([mid], ["List"]))
        member_of = emu.audience.lists_of(mid, subscriber_key) if subscriber_key is not None else None
        for lst in lists:
            if lst.pk < after_list:
                continue
            since = after_pos if lst.pk == after_list else -1
            list_id = int(lst.data["ID"])
            if all_list is not None and lst.pk == all_list.pk:
                members = ((r.id, r, r.status) for _, r in emu.audience.iter_subscribers_after(
                    [mid], since, subscriber_key))
            elif member_of is not None and list_id not in member_of:
                continue
            else:
                members = emu.audience.iter_memberships_after(mid, list_id, since, subscriber_key)
            for position, record, status in members:
                yield [mid, lst.pk, position], {
                    "__type__": "ListSubscriber",
                    "Client": {"__type__": "ClientID", "ID": mid},
                    "ID": record.id,
                    "ListID": list_id,
                    "SubscriberKey": record.subscriber_key,
                    "Status": status,
                    "CreatedDate": _iso(record.created),
                    "ModifiedDate": _iso(record.modified),
                }


def subscriber_list_rows(emu: Emulator, mids: list[int], after: list[int] | None = None,
                         list_ids: list[int] | None = None, subscriber_key: str | None = None
                         ) -> Iterator[tuple[list[int], dict[str, Any]]]:
    """The same pairs as SubscriberList objects (List and Subscriber as nested references)."""
    for position, row in list_subscriber_rows(emu, mids, after, list_ids, subscriber_key):
        yield position, {
            "__type__": "SubscriberList",
            "Client": row["Client"],
            "ID": row["ListID"],
            "Status": row["Status"],
            "CreatedDate": row["CreatedDate"],
            "List": {"__type__": "List", "ID": row["ListID"]},
            "Subscriber": {"__type__": "Subscriber", "SubscriberKey": row["SubscriberKey"], "ID": row["ID"]},
        }
