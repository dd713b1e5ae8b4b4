"""ImportDefinition (create, start) and ImportResultsSummary (retrieve) — rules in domain/imports.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import codes, imports
from ..context import CallContext
from ..errors import Invalid, Unsupported
from ..objects import PerformOutcome
from . import Behaviour, behaviour
from .retrieve_only import RetrieveOnly

if TYPE_CHECKING:
    from ..objects import RetrieveQuery


@behaviour("ImportDefinition")
class ImportDefinitionBehaviour(Behaviour):
    duplicate_key_code = codes.SOAP.IMPORT_EXISTS

    message_text = "{type} {operation}."

    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        return imports.check_definition(self.service.emu, mid, props)

    def prepare_update(self, ctx: CallContext, mid: int, current: dict[str, Any],
                       changes: dict[str, Any]) -> dict[str, Any]:
        imports.check_definition(self.service.emu, mid, {**current, **changes})
        return changes

    not_found_code = codes.SOAP.IMPORT_NOT_FOUND

    def perform(self, ctx: CallContext, mid: int, action: str, props: dict[str, Any],
                options: dict[str, Any]) -> PerformOutcome:
        if action.lower() != "start":
            raise Unsupported(f"The Perform method does not support the action '{action}' for ImportDefinition.",
                              code=codes.SOAP.UNSUPPORTED_ACTION)
        if not any(props.get(k) for k in ("ObjectID", "CustomerKey")):
            raise Invalid("ImportDefinition Customer Key Not Specified",
                          code=codes.SOAP.IMPORT_KEY_NOT_SPECIFIED)
        stored = self.service.find_existing(mid, "ImportDefinition", props)
        if stored is None:
            raise self.not_found(self.service.identity(props))
        task_id = imports.start_import(self.service.emu, mid, stored.data)
        echo = {"__type__": "ImportDefinition", "CustomerKey": stored.data.get("CustomerKey")}
        return PerformOutcome(message=f"ImportDefinition performed AsyncID:{task_id}", object=echo,
                              task_id=task_id, interaction_object_id=self.service.emu.ids.guid())


@behaviour("ImportResultsSummary")
class ImportResultsSummaryBehaviour(RetrieveOnly):
    """Retrieve-only: one per started import (its job)."""

    def rows(self, ctx: CallContext, mids: list[int], query: RetrieveQuery) -> list[dict[str, Any]]:
        return imports.results_summaries(self.service.emu, mids)
