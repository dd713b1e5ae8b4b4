"""The generic partner-API object service: Create/Retrieve/Update/Delete/Perform/Describe for every
APIObject type of the WSDL, delegating to per-type behaviours (domain/behaviours/) where SFMC does more.

Protocol-free: it takes decoded property dicts and returns result dataclasses; soap/ turns them into XML.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..clock import iso_utc, parse_datetime_in_range
from ..store.jobs import ContinuationRepository
from ..store.objects import LOOKUP_COLUMNS
from . import codes
from .behaviours import Behaviour, behaviour_class
from .context import CallContext
from .errors import DomainError, Forbidden, Invalid, Unsupported
from .query import FilterCompiler
from .schema import first_invalid_enum, without_invalid_enums

if TYPE_CHECKING:
    from ..core import Emulator

MAX_PAGE = 2500
MAX_OBJECTS_PER_CALL = 32767  # SFMC error 218 at or above this count
FIRST_INTEGER_ID = 1001


@dataclass
class ObjectResult:
    ok: bool
    message: str
    ordinal: int = 0
    error_code: int | None = None
    new_id: int | None = None
    new_object_id: str | None = None
    object: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. ParentPropertyName, nested results


@dataclass
class PerformOutcome:
    message: str
    object: dict[str, Any]
    task_id: int | None = None
    interaction_object_id: str | None = None
    ok: bool = True
    error_code: int | None = None


@dataclass
class RetrieveQuery:
    object_type: str  # as requested, e.g. "DataExtensionObject[MyKey]"
    type_name: str  # the WSDL type, e.g. "DataExtensionObject"
    type_argument: str | None  # the part in brackets, if any
    properties: list[str]
    filter: dict[str, Any] | None
    mids: list[int]
    batch_size: int = MAX_PAGE

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str) -> RetrieveQuery:
        return cls(**json.loads(text))


@dataclass
class RetrievePage:
    status: str  # "OK", "MoreDataAvailable" or "Error: ..."
    request_id: str
    rows: list[dict[str, Any]]


def split_object_type(object_type: str) -> tuple[str, str | None]:
    """'DataExtensionObject[Key]' -> ('DataExtensionObject', 'Key')."""
    if object_type.endswith("]") and "[" in object_type:
        base, _, arg = object_type[:-1].partition("[")
        return base, arg
    return object_type, None


class ObjectService:
    def __init__(self, emu: Emulator, continuations: ContinuationRepository) -> None:
        self.emu = emu  # the behaviours reach the other services through it
        self.schema = emu.schema
        self.repo = emu.objects
        self.continuations = continuations

    # -- helpers ----------------------------------------------------------
    def behaviour_for(self, type_name: str) -> Behaviour:
        return behaviour_class(type_name)(self, type_name)

    def now_iso(self) -> str:
        return iso_utc(self.emu.clock.now())

    def target_mid(self, ctx: CallContext, props: dict[str, Any] | None) -> int:
        """The BU an object or call targets: its Client.ID if given (must be one the caller may act in)."""
        client = (props or {}).get("Client") or {}
        requested = client.get("ID") or client.get("ClientID")
        if requested is None:
            return ctx.mid
        if not ctx.can_act_in(int(requested)):
            raise Forbidden(
                f"The client ID {requested} is not accessible to the calling account {ctx.mid}.",
                code=codes.SOAP.CLIENT_NOT_ACCESSIBLE
            )
        return int(requested)

    def check_type(self, type_name: str) -> None:
        if (not self.schema.has_type(type_name) or not self.schema.is_api_object(type_name)
                or type_name == "APIObject"):
            raise Invalid(f"Unsupported APIObject type: {type_name}", code=codes.SOAP.UNSUPPORTED_TYPE)

    def find_existing(self, mid: int, type_name: str, props: dict[str, Any]) -> Any:
        """The stored object an update/delete names, by ObjectID, CustomerKey or ID."""
        return self.repo.find_named(mid, type_name, props, ("ObjectID", "CustomerKey", "ID"))

    @staticmethod
    def identity(props: dict[str, Any]) -> str:
        for prop in ("ObjectID", "CustomerKey", "ID"):
            if props.get(prop) not in (None, ""):
                return f"{prop} '{props[prop]}'"
        return "no identifying property (ObjectID, CustomerKey or ID)"

    # -- Create / Update / Delete ------------------------------------------
    def create(self, ctx: CallContext, type_name: str, objects: list[dict[str, Any]],
               options: dict[str, Any] | None = None) -> list[ObjectResult]:
        def create_one(b: Behaviour, mid: int, props: dict[str, Any], i: int) -> ObjectResult:
            b.options = options or {}  # CreateOptions: a Subscriber create with SaveAction UpdateAdd upserts
            return b.create(ctx, mid, props, i)

        return self._each(ctx, type_name, objects, create_one)

    def update(self, ctx: CallContext, objects: list[dict[str, Any]],
               options: dict[str, Any] | None = None) -> list[ObjectResult]:
        return self._each(ctx, None, objects,
                          lambda b, mid, props, i: b.update(ctx, mid, props, i, options or {}))

    def delete(self, ctx: CallContext, objects: list[dict[str, Any]]) -> list[ObjectResult]:
        return self._each(ctx, None, objects, lambda b, mid, props, i: b.delete(ctx, mid, props, i))

    def _each(self, ctx, type_name, objects, operation) -> list[ObjectResult]:
        if len(objects) >= MAX_OBJECTS_PER_CALL:
            raise Invalid("The number of objects in the request must be less than 32767.",
                          code=codes.SOAP.TOO_MANY_OBJECTS)
        results = []
        for ordinal, props in enumerate(objects):
            props = dict(props)
            this_type = props.get("__type__") or type_name
            try:
                self.check_type(this_type)
                mid = self.target_mid(ctx, props)
                b = self.behaviour_for(this_type)
                bad = first_invalid_enum(props)
                if bad is not None:
                    raise Invalid(f"'{bad}' is not a valid value for {bad.path} ({bad.enum}).",
                                  code=b.invalid_value_code)
                result = operation(b, mid, props, ordinal)
            except DomainError as error:
                result = ObjectResult(ok=False, message=error.message, error_code=error.code,
                                      object=without_invalid_enums(props))
            result.ordinal = ordinal
            results.append(result)
        return results

    def generic_create(self, b: Behaviour, ctx: CallContext, mid: int, props: dict[str, Any],
                       ordinal: int) -> ObjectResult:
        with self.emu.store.transaction():
            props = b.prepare_create(ctx, mid, props)
            for prop in ("ObjectID", "ID"):
                props.pop(prop, None)
            key = props.get("CustomerKey")
            if key:
                if self.repo.find_one(mid, b.type_name, "CustomerKey", key):
                    raise Invalid(
                        f"A {b.type_name} with CustomerKey '{key}' already exists.",
                        code=b.duplicate_key_code,
                    )
            stored = self.store_new(mid, b.type_name, props)
            b.after_create(ctx, mid, stored)
        return ObjectResult(
            ok=True,
            message=b.message("created"),
            new_id=stored["ID"] if b.id_style == "int" else 0,
            new_object_id=stored["ObjectID"],
            object=stored,
        )

    def store_new(self, mid: int, type_name: str, props: dict[str, Any]) -> dict[str, Any]:
        """Assign ID, ObjectID, CustomerKey and dates, and store: the one place objects are born."""
        now = self.now_iso()
        data = dict(props)
        data["__type__"] = type_name
        data["ID"] = self.emu.store.next_value(f"id:{type_name}", FIRST_INTEGER_ID)
        data["ObjectID"] = self.emu.ids.guid()
        data.setdefault("CustomerKey", data["ObjectID"])
        data["CreatedDate"] = now
        data["ModifiedDate"] = now
        data["Client"] = {"__type__": "ClientID", "ID": mid}
        self.repo.insert(mid, type_name, data, self.emu.clock.now().timestamp())
        return data

    def generic_update(self, b: Behaviour, ctx: CallContext, mid: int, props: dict[str, Any],
                       ordinal: int, options: dict[str, Any]) -> ObjectResult:
        with self.emu.store.transaction():
            existing = self.find_existing(mid, b.type_name, props)
            if existing is None:
                if save_action(options) in ("UpdateAdd", "AddOnly"):
                    return b.create(ctx, mid, props, ordinal)
                raise b.not_found(self.identity(props))
            changes = {k: v for k, v in props.items() if k not in ("ID", "ObjectID", "__type__", "Client")}
            if not (props.get("ObjectID") or props.get("ID")):  # the CustomerKey named the object: not a change
                changes.pop("CustomerKey", None)
            changes = b.prepare_update(ctx, mid, existing.data, changes)
            new_key = changes.get("CustomerKey")
            if new_key and new_key != existing.customer_key:
                if self.repo.find_one(mid, b.type_name, "CustomerKey", new_key):
                    raise Invalid(f"A {b.type_name} with CustomerKey '{new_key}' already exists.",
                                  code=codes.SOAP.DUPLICATE_CUSTOMER_KEY)
            existing.data.update(changes)
            existing.data["ModifiedDate"] = self.now_iso()
            self.repo.replace(existing, self.emu.clock.now().timestamp())
        return ObjectResult(ok=True, message=b.message("updated"), object=existing.data)

    def generic_delete(self, b: Behaviour, ctx: CallContext, mid: int, props: dict[str, Any],
                       ordinal: int) -> ObjectResult:
        with self.emu.store.transaction():
            existing = self.find_existing(mid, b.type_name, props)
            if existing is None:
                raise b.not_found(self.identity(props))
            b.before_delete(ctx, mid, existing.data)
            self.repo.delete(existing)
        echo = {k: existing.data[k] for k in ("__type__", "ObjectID", "CustomerKey", "ID") if k in existing.data}
        return ObjectResult(ok=True, message=b.message("deleted"), object=echo)

    def generic_rows(self, b: Behaviour, mids: list[int], query: RetrieveQuery | None = None
                     ) -> list[dict[str, Any]]:
        narrowed = _indexed_equality(query.filter) if query else None
        if narrowed:
            prop, values = narrowed
            return [o.data for o in self.repo.find_any(mids, [b.type_name], prop, values)]
        return [o.data for o in self.repo.all(mids, [b.type_name])]

    # -- Retrieve ------------------------------------------------------------
    def retrieve(self, ctx: CallContext, request: dict[str, Any]) -> RetrievePage:
        request_id = self.emu.ids.guid()
        continue_id = request.get("ContinueRequest")
        if continue_id:
            return self._continue(ctx, continue_id, request_id)
        object_type = (request.get("ObjectType") or "").strip()
        type_name, argument = split_object_type(object_type)
        if not self.schema.has_type(type_name):
            return RetrievePage(f"Error: Unable to find an object of type {object_type}", request_id, [])
        mids = self._retrieve_mids(ctx, request)
        batch = MAX_PAGE
        options = request.get("Options") or {}
        if options.get("BatchSize"):
            batch = max(1, min(MAX_PAGE, int(options["BatchSize"])))
        query = RetrieveQuery(object_type, type_name, argument, list(request.get("Properties") or []),
                              request.get("Filter"), mids, batch)
        return self._run(ctx, query, None, request_id)

    def _retrieve_mids(self, ctx: CallContext, request: dict[str, Any]) -> list[int]:
        if request.get("QueryAllAccounts"):
            return ctx.accessible_mids
        client_ids = [c.get("ID") or c.get("ClientID") for c in request.get("ClientIDs") or []]
        client_ids = [int(c) for c in client_ids if c is not None]
        if client_ids:
            return [m for m in client_ids if ctx.can_act_in(m)]
        return [ctx.mid]

    def _run(self, ctx: CallContext, query: RetrieveQuery, after: Any, request_id: str) -> RetrievePage:
        """One page: the matching rows after keyset position `after` (None: from the start). Rows stream
        from the behaviour's keyed_rows, so a page reads about its own rows, whichever page it is."""
        b = self.behaviour_for(query.type_name)
        unknown = [p for p in query.properties if b.property_kind(self.schema, query, p) is None]
        if unknown:
            return RetrievePage(
                f"Error: The Request Property(s) {', '.join(unknown)} do not match with the fields of "
                f"{query.type_name} retrieve", request_id, [])
        try:
            predicate = FilterCompiler(lambda p: b.property_kind(self.schema, query, p)).compile(query.filter)
            # One row past the page tells whether more data is available.
            page = list(islice(((cursor, row) for cursor, row in b.keyed_rows(ctx, query.mids, query, after)
                                if predicate(row)), query.batch_size + 1))
        except DomainError as error:
            message = error.message if error.message.startswith("Error") else f"Error: {error.message}"
            return RetrievePage(message, request_id, [])
        status = "OK"
        if len(page) > query.batch_size:
            page = page[:query.batch_size]
            status = "MoreDataAvailable"
            self.continuations.add(request_id, ctx.mid, query.to_json(), page[-1][0],
                                   self.emu.clock.now().timestamp())
        return RetrievePage(status, request_id, [b.present(row, query) for _, row in page])

    def _continue(self, ctx: CallContext, continue_id: str, request_id: str) -> RetrievePage:
        found = self.continuations.get(continue_id, ctx.mid)
        if found is None:
            return RetrievePage(f"Error: The ContinueRequest '{continue_id}' is not valid or has expired.",
                                request_id, [])
        query, after = found
        return self._run(ctx, RetrieveQuery.from_json(query), after, request_id)

    def generic_keyed_rows(self, b: Behaviour, mids: list[int], query: RetrieveQuery, after: Any
                           ) -> Iterator[tuple[int, dict[str, Any]]]:
        """(pk, data) of the generic object store in pk order after pk `after`, narrowed in SQL by an
        equality on an indexed property when the filter requires one."""
        narrowed = _indexed_equality(query.filter)
        prop, values = narrowed if narrowed else (None, None)
        for stored in self.repo.iter_after(mids, [b.type_name], -1 if after is None else int(after), prop, values):
            yield stored.pk, stored.data

    # -- Perform -------------------------------------------------------------
    def perform(self, ctx: CallContext, action: str, definitions: list[dict[str, Any]],
                options: dict[str, Any]) -> list[PerformOutcome]:
        return self._each_interaction(definitions, lambda b, props: b.perform(
            ctx, self.target_mid(ctx, options or {}), action, props, options or {}))

    # -- Schedule ------------------------------------------------------------
    def schedule(self, ctx: CallContext, action: str, interactions: list[dict[str, Any]],
                 schedule: dict[str, Any], options: dict[str, Any]) -> list[PerformOutcome]:
        """One-time schedules: each interaction's action runs when the emulator clock reaches StartDateTime."""
        def schedule_one(b: Behaviour, props: dict[str, Any]) -> PerformOutcome:
            run_at = _one_time_start(schedule)
            return b.schedule(ctx, self.target_mid(ctx, options or {}), action, props, run_at)

        return self._each_interaction(interactions, schedule_one)

    def _each_interaction(self, interactions: list[dict[str, Any]],
                          operation: Callable[[Behaviour, dict[str, Any]], PerformOutcome]) -> list[PerformOutcome]:
        """Perform/Schedule: `operation` on each interaction of a WSDL type; a refused one is an Error outcome
        echoing its identity, and the rest still run."""
        outcomes = []
        for props in interactions:
            type_name = props.get("__type__", "APIObject")
            try:
                self.check_type(type_name)
                outcome = operation(self.behaviour_for(type_name), props)
            except DomainError as error:
                echo = {k: v for k, v in props.items() if k in ("__type__", "ObjectID", "CustomerKey", "ID")}
                outcome = PerformOutcome(message=error.message, object=echo, ok=False, error_code=error.code)
            outcomes.append(outcome)
        return outcomes

    # -- Describe ------------------------------------------------------------
    def describe(self, type_name: str) -> dict[str, Any]:
        base, _ = split_object_type(type_name)
        self.check_type(base)
        properties = []
        for f in self.schema.fields(base):
            kind = self.schema.scalar_kind(f)
            properties.append({
                "__type__": "PropertyDefinition",
                "Name": f.name,
                "DataType": f.type_name,
                "IsUpdatable": f.name not in ("ID", "ObjectID", "CreatedDate", "ModifiedDate"),
                "IsRetrievable": True,
                "IsNillable": f.nillable or None,
                "IsRequired": False,
                "IsViewable": True,
                "IsEditable": kind != "complex" or None,
            })
        return {
            "ObjectType": base,
            "Name": base,
            "IsCreatable": True,
            "IsUpdatable": True,
            "IsRetrievable": True,
            "IsQueryable": False,
            "Properties": properties,
        }


def _one_time_start(schedule: dict[str, Any]) -> float:
    """The timestamp a one-time ScheduleDefinition starts at; recurring schedules are not emulated."""
    # A one-time schedule is how SFMC clients write it: a (required) Recurrence, RecurrenceRangeType EndAfter,
    # Occurrences 1. More occurrences, or a range that ends on a date, would recur.
    if (schedule.get("Occurrences") or 1) != 1 or schedule.get("RecurrenceRangeType") == "EndOn":
        raise Unsupported("Schedule_Validation Error: recurring schedules are not emulated by sfmc-emulator; "
                          "schedule one occurrence.", code=codes.SOAP.SCHEDULE_VALIDATION)
    if not schedule.get("StartDateTime"):
        raise Invalid("Schedule_Recurrence_Start DateTime Not Specified", code=codes.SOAP.SCHEDULE_START_NOT_SPECIFIED)
    try:  # a date the clock can never reach (9999-12-31) is refused, not stored
        return parse_datetime_in_range(str(schedule["StartDateTime"])).timestamp()
    except ValueError as exc:
        raise Invalid(f"Schedule_Validation Error: StartDateTime {exc}", code=codes.SOAP.SCHEDULE_VALIDATION) from exc


def _indexed_equality(part: dict[str, Any] | None) -> tuple[str, list[Any]] | None:
    """(property, values) when the filter is `equals`/`IN` on a property the object table indexes."""
    if not part or part.get("__type__", "SimpleFilterPart") != "SimpleFilterPart":
        return None
    prop = part.get("Property")
    if part.get("SimpleOperator") not in ("equals", "IN") or prop not in LOOKUP_COLUMNS:
        return None
    values = list(part.get("Value") or [])
    if not values:
        return None
    if prop == "ID":
        try:
            values = [int(v) for v in values]
        except ValueError:
            return None
        if any(not -(2**63) <= v < 2**63 for v in values):  # no stored ID is that big; SQLite can't take it
            return None
    return prop, values


def save_action(options: dict[str, Any]) -> str | None:
    """The SaveAction the request's SaveOptions give for every property ('*' or no PropertyName), e.g.
    UpdateAdd; None if unsaid."""
    for save in ((options.get("SaveOptions") or {}).get("SaveOption") or []):
        if save.get("PropertyName") in ("*", None):
            return save.get("SaveAction")
    return None
