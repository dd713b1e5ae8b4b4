"""Per-type behaviour: what SFMC does beyond storing an object.

One module per behaving type in this package (``email_send_definition.py``, ``import_definition.py``...),
each registering a ``Behaviour`` subclass with ``@behaviour("TypeName")``. Modules are discovered
automatically: adding a type never edits a shared list. A type without a module gets ``Behaviour`` itself:
plain generic storage.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from .. import codes
from ..errors import Invalid, NotFound, Unsupported

if TYPE_CHECKING:
    from ..context import CallContext
    from ..objects import ObjectResult, ObjectService, PerformOutcome, RetrieveQuery
    from ..schema import Schema

_REGISTRY: dict[str, type[Behaviour]] = {}
_LOADED = False


class Behaviour:
    """Generic storage with SFMC's default messages. Override hooks where a type does more."""

    type_name = "APIObject"
    # "int": NewID carries the integer ID (List, Email, Subscriber...); "guid": NewID is 0 and
    # NewObjectID carries the ObjectID (definitions, profiles, classifications...).
    id_style = "guid"
    # ErrorCode for a property value outside its WSDL enumeration; None: such a request is refused whole
    # (a Client fault, as .NET's deserializer does), so the behaviour never sees it.
    invalid_value_code: int | None = None
    # ErrorCode for a Create whose CustomerKey another object of the type already has.
    duplicate_key_code: int = codes.SOAP.DUPLICATE_CUSTOMER_KEY
    # SFMC's code for an update/delete/perform that matches nothing, and how its message reads ({message}:
    # the code's text, {type}: the type, {what}: how the request named it); None: the generic Error.
    not_found_code: codes.SOAP | None = None
    not_found_text = "{message}: {what}"
    # The Create request's Options (set by ObjectService.create; SaveOptions matter to some types).
    options: dict[str, Any] = {}
    # StatusMessage for a successful create/update/delete ({type}: the type, {operation}: "created"...).
    message_text = "{type} {operation}"

    def __init__(self, service: ObjectService, type_name: str) -> None:
        self.service = service
        self.type_name = type_name

    # -- messages ---------------------------------------------------------
    def message(self, operation: str) -> str:
        """StatusMessage for a successful create/update/delete."""
        return self.message_text.format(type=self.type_name, operation=operation)

    # -- hooks on the generic path ----------------------------------------
    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        """Validate and normalise a new object's properties; raise a DomainError to refuse it."""
        return props

    def after_create(self, ctx: CallContext, mid: int, stored: dict[str, Any]) -> None:
        """Side effects once the object is stored (same transaction)."""

    def prepare_update(self, ctx: CallContext, mid: int, current: dict[str, Any],
                       changes: dict[str, Any]) -> dict[str, Any]:
        return changes

    def before_delete(self, ctx: CallContext, mid: int, current: dict[str, Any]) -> None:
        """Raise to refuse the delete; clean up dependants otherwise."""

    def not_found(self, what: str) -> Exception:
        """The error for an update/delete that matches nothing (types name SFMC's code in not_found_code)."""
        code = self.not_found_code
        if code is None:
            return NotFound(f"Unable to find the {self.type_name} with {what}.", code=codes.SOAP.ERROR)
        text = self.not_found_text.format(message=code.message, type=self.type_name, what=what)
        return NotFound(text, code=code)


    # -- whole-operation overrides (types with their own tables) ----------
    def create(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int) -> ObjectResult:
        return self.service.generic_create(self, ctx, mid, props, ordinal)

    def update(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int,
               options: dict[str, Any]) -> ObjectResult:
        return self.service.generic_update(self, ctx, mid, props, ordinal, options)

    def delete(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int) -> ObjectResult:
        return self.service.generic_delete(self, ctx, mid, props, ordinal)

    def rows(self, ctx: CallContext, mids: list[int], query: RetrieveQuery) -> Iterable[dict[str, Any]]:
        """The stored objects of this type in these BUs that may match, oldest first (the filter is applied
        after; an equality filter on an indexed property narrows the read). A type with its own keyset read
        (keyed_rows) answers that read from the start."""
        if type(self).keyed_rows is not Behaviour.keyed_rows:
            return (row for _, row in self.keyed_rows(ctx, mids, query, None))
        return self.service.generic_rows(self, mids, query)

    def keyed_rows(self, ctx: CallContext, mids: list[int], query: RetrieveQuery, after: Any
                   ) -> Iterator[tuple[Any, dict[str, Any]]]:
        """(position, row) pairs in Retrieve order after position `after` (None: from the start); a
        ContinueRequest resumes from the last position a page answered. Types with their own tables override
        it with a keyset read in SQL; a type that only overrides rows() (small, derived collections) is
        positioned by its index in them, streamed."""
        if type(self).rows is Behaviour.rows:
            yield from self.service.generic_keyed_rows(self, mids, query, after)
            return
        start = 0 if after is None else int(after) + 1
        yield from enumerate(islice(self.rows(ctx, mids, query), start, None), start)

    def property_kind(self, schema: Schema, query: RetrieveQuery, path: str) -> str | None:
        """How to compare a property in filters; None if the type has no such property."""
        from ..query import schema_kind_of

        return schema_kind_of(schema, self.type_name)(path)

    def present(self, row: dict[str, Any], query: RetrieveQuery) -> dict[str, Any]:
        """A matching row as the Retrieve answers it: only the requested properties that have values."""
        from ..query import project

        return project(row, query.properties)

    def perform(self, ctx: CallContext, mid: int, action: str, props: dict[str, Any],
                options: dict[str, Any]) -> PerformOutcome:
        raise Unsupported(f"The Perform method is not supported for the {self.type_name} object",
                          code=codes.SOAP.UNSUPPORTED_ACTION)

    def schedule(self, ctx: CallContext, mid: int, action: str, props: dict[str, Any],
                 run_at: float) -> PerformOutcome:
        """The SOAP Schedule method: `action` on this interaction once the emulator clock reaches run_at."""
        raise Unsupported(f"The Schedule method is not supported for the {self.type_name} object",
                          code=codes.SOAP.UNSUPPORTED_ACTION)


def behaviour(type_name: str, *more: str) -> Callable[[type[Behaviour]], type[Behaviour]]:
    """Register a Behaviour subclass for these WSDL types (the first names it)."""
    def register(cls: type[Behaviour]) -> type[Behaviour]:
        for name in (type_name, *more):
            _REGISTRY[name] = cls
        cls.type_name = type_name
        return cls

    return register


def load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    _LOADED = True


def behaviour_class(type_name: str) -> type[Behaviour]:
    load_all()
    return _REGISTRY.get(type_name, Behaviour)


def require(props: dict[str, Any], *checks: tuple[str, codes.SOAP]) -> None:
    """Refuse a create missing one of these properties, with its code's own message."""
    for prop, code in checks:
        if not props.get(prop):
            raise Invalid(code.message, code=code)
