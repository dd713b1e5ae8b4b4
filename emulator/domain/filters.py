"""FilterDefinition: a stored filter over a list (subscriber properties and profile attributes) or a data
extension (its columns), written with the same SimpleFilterPart/ComplexFilterPart as Retrieve.

``filter_matches`` is the one evaluation of a filter; sends use it for a filtered audience.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from . import codes, subscribers
from . import data_extensions as des
from .errors import DomainError, Invalid, NotFound
from .query import FilterCompiler

if TYPE_CHECKING:
    from ..core import Emulator

SUBSCRIBER_PROPERTIES = {"SubscriberKey": "string", "EmailAddress": "string", "Status": "string",
                         "EmailTypePreference": "string", "ID": "int", "Email Address": "string",
                         "Subscriber Key": "string"}


def _parts(part: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    if not part:
        return
    yield part
    if part.get("__type__") == "ComplexFilterPart":
        yield from _parts(part.get("LeftOperand"))
        yield from _parts(part.get("RightOperand"))
        for extra in (part.get("AdditionalOperands") or {}).get("Operand") or []:
            yield from _parts(extra)


def source_of(emu: Emulator, mid: int, data_source: dict[str, Any] | None) -> dict[str, Any]:
    """Resolve DataSource to {"type": "List"|"DataExtension", "ID"/"CustomerKey", ...} (SFMC's 373001/2)."""
    if not data_source or data_source.get("__type__") in (None, "APIObject", "List"):
        if data_source and any(data_source.get(k) for k in ("ID", "ObjectID", "CustomerKey", "ListName")):
            lst = subscribers.find_list(emu, mid, data_source)
            return {"__type__": "List", "ID": lst["ID"], "ObjectID": lst["ObjectID"],
                    "CustomerKey": lst["CustomerKey"]}
        all_list = emu.objects.find_one(mid, "List", "CustomerKey", subscribers.ALL_SUBSCRIBERS)
        if all_list is None:
            raise NotFound("List Not Found: this business unit has no All Subscribers list.",
                           code=codes.SOAP.LIST_NOT_FOUND)
        return {"__type__": "List", "ID": all_list.data["ID"], "ObjectID": all_list.data["ObjectID"],
                "CustomerKey": all_list.data["CustomerKey"]}
    if data_source.get("__type__") == "DataExtension":
        if not (data_source.get("ObjectID") or data_source.get("CustomerKey") or data_source.get("Name")):
            raise Invalid("Either object ID or customer key is required for the DataSource if the DataSource is "
                          "a data extension", code=codes.SOAP.FILTER_DATA_SOURCE_ID_REQUIRED)
        de = des.find_de(emu, mid, key=data_source.get("CustomerKey"), object_id=data_source.get("ObjectID"),
                         name=data_source.get("Name"))
        if de is None:
            raise NotFound("The data extension specified as DataSource was not found",
                           code=codes.SOAP.FILTER_DATA_SOURCE_NOT_FOUND)
        return {"__type__": "DataExtension", "ObjectID": de["ObjectID"], "CustomerKey": de["CustomerKey"],
                "Name": de.get("Name")}
    raise Invalid(f"The type for {data_source.get('__type__')} does not allow the operation specified: "
                  "FilterDefinition DataSource", code=codes.SOAP.FILTER_DATA_SOURCE_TYPE)


def _kind_of(emu: Emulator, mid: int, source: dict[str, Any]) -> Callable[[str], str | None]:
    if source["__type__"] == "DataExtension":
        return des.load_schema(emu, mid, key=source["CustomerKey"]).kind_of
    return lambda prop: SUBSCRIBER_PROPERTIES.get(prop, "string") if prop else None


def check_filter(emu: Emulator, mid: int, source: dict[str, Any], data_filter: dict[str, Any] | None) -> None:
    if not data_filter:
        raise Invalid("DataFilter is required for Create calls", code=codes.SOAP.FILTER_DATA_FILTER_REQUIRED)
    kind_of = _kind_of(emu, mid, source)
    for part in _parts(data_filter):
        if part.get("__type__") not in ("SimpleFilterPart", "ComplexFilterPart"):
            raise Invalid("Invalid filter part. Only filter parts of ComplexFilterPart and SimpleFilterPart are "
                          "allowed for filter definitions", code=codes.SOAP.FILTER_PART_INVALID)
        if part["__type__"] == "SimpleFilterPart" and kind_of(part.get("Property") or "") is None:
            raise Invalid(f"The property provided could not be found: {part.get('Property')}",
                          code=codes.SOAP.FILTER_PROPERTY_NOT_FOUND)
    try:
        FilterCompiler(kind_of).compile(data_filter)
    except DomainError as error:
        raise Invalid(f"The DataFilter that was provided is invalid: {error.message}",
                      code=codes.SOAP.FILTER_DATA_FILTER_INVALID) from error


def member_dict(record: subscribers.SubscriberRecord, status: str) -> dict[str, Any]:
    """A list member as a filterable dict: profile attributes plus the subscriber's own properties."""
    return {**record.attributes, "SubscriberKey": record.subscriber_key, "Subscriber Key": record.subscriber_key,
            "EmailAddress": record.email, "Email Address": record.email, "Status": status,
            "EmailTypePreference": record.email_type, "ID": record.id}


class Caseless(dict):
    """A row whose look-ups ignore case, as SFMC's data filters do ("tier" finds the column "Tier")."""

    def __init__(self, row: dict[str, Any]) -> None:
        super().__init__((str(k).casefold(), v) for k, v in row.items())

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(str(key).casefold(), default)


def filter_members(emu: Emulator, mid: int, filter_definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The members of a FilterDefinition's source that pass its DataFilter, streamed (without a DataSource,
    the BU's subscribers).

    List source: dicts from ``member_dict`` (SubscriberKey, EmailAddress, Status = status on the list, the
    profile attributes). DataExtension source: row dicts {column name: value} (dates as SFMC formats them).
    """
    return (member for _, member in filter_matches(emu, mid, filter_definition))


def filter_matches(emu: Emulator, mid: int, filter_definition: dict[str, Any], list_id: int | None = None
                   ) -> Iterator[tuple[int | None, dict[str, Any]]]:
    """(DE row pk or None, member) for every member ``filter_members`` describes; the one evaluation of a
    FilterDefinition, used by sends too. ``list_id`` is the list a send names beside a filter without a
    DataSource of its own (seed 000's "profile attributes and a data filter"); without either, every
    subscriber of the BU, with the account-wide status."""
    source = filter_definition.get("DataSource") or {}
    data_filter = filter_definition.get("DataFilter")
    if source.get("__type__") == "DataExtension":
        schema = des.load_schema(emu, mid, key=source.get("CustomerKey"), object_id=source.get("ObjectID"))
        predicate = FilterCompiler(schema.kind_of).compile(data_filter)
        names = [c.name for c in schema.columns]
        dates = [c.name for c in schema.columns if c.type == "Date"]
        for pk, stored in emu.audience.iter_rows(mid, schema.key):
            row = {name: stored.get(name) for name in names}
            probe = Caseless(row)
            for name in dates:  # the filter compares dates as ISO datetimes
                stamp = des.parse_date(row[name]) if row.get(name) else None
                probe[name.casefold()] = stamp.isoformat() if stamp else None
            if predicate(probe):
                yield pk, row
        return
    if source.get("ID") or source.get("ObjectID") or source.get("CustomerKey") or source.get("ListName"):
        list_id = int(source["ID"]) if source.get("ID") else int(source_of(emu, mid, source)["ID"])
    predicate = FilterCompiler(_kind_of(emu, mid, {"__type__": "List"})).compile(data_filter)
    members = (subscribers.iter_list_audience(emu, mid, list_id) if list_id is not None
               else ((record, record.status) for _, record in emu.audience.iter_subscribers([mid])))
    for record, status in members:
        member = member_dict(record, status)
        if predicate(Caseless(member)):
            yield None, member


def find_filter_definition(emu: Emulator, mid: int, ref: dict[str, Any]) -> dict[str, Any]:
    for prop in ("ObjectID", "CustomerKey", "Name"):
        if ref.get(prop):
            found = emu.objects.find_one(mid, "FilterDefinition", prop, ref[prop])
            if found is not None:
                return found.data
    raise NotFound("Filter definition was not found using either the ID or the name",
                   code=codes.SOAP.FILTER_NOT_FOUND)
