"""FilterDefinition: validated against its data source (domain/filters.py) and stored."""

from __future__ import annotations

from typing import Any

from .. import codes, filters
from ..context import CallContext
from ..errors import Invalid, NotFound
from . import Behaviour, behaviour


@behaviour("FilterDefinition")
class FilterDefinitionBehaviour(Behaviour):
    duplicate_key_code = codes.SOAP.FILTER_KEY_EXISTS

    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        if props.get("ObjectID"):
            raise Invalid("Filter definition create calls cannot specify the ObjectID property",
                          code=codes.SOAP.FILTER_OBJECT_ID_ON_CREATE)
        name = (props.get("Name") or "").strip()
        if not name:
            raise Invalid("Filter definition name is required for Create calls",
                          code=codes.SOAP.FILTER_NAME_REQUIRED)
        if self.service.repo.find_one(mid, "FilterDefinition", "Name", name):
            raise Invalid("Filter definition name already exists. Please specify a unique name",
                          code=codes.SOAP.FILTER_NAME_EXISTS)
        key = props.get("CustomerKey")
        if key and self.service.repo.find_one(mid, "FilterDefinition", "CustomerKey", key):
            raise Invalid("Filter definition customer key already exists. Please specify a unique customer key",
                          code=codes.SOAP.FILTER_KEY_EXISTS)
        # No DataSource: a filter on profile attributes, applied to whatever list a send names (or to every
        # subscriber); it stays without one. A given DataSource is checked and stored as a reference.
        source = filters.source_of(self.service.emu, mid, props.get("DataSource"))
        if props.get("DataSource"):
            props["DataSource"] = source
        filters.check_filter(self.service.emu, mid, source, props.get("DataFilter"))
        return props

    def prepare_update(self, ctx: CallContext, mid: int, current: dict[str, Any],
                       changes: dict[str, Any]) -> dict[str, Any]:
        if "DataSource" in changes:
            changes["DataSource"] = filters.source_of(self.service.emu, mid, changes["DataSource"])
        if "DataSource" in changes or "DataFilter" in changes:
            source = changes.get("DataSource") or filters.source_of(self.service.emu, mid, current.get("DataSource"))
            filters.check_filter(self.service.emu, mid, source, changes.get("DataFilter") or current.get("DataFilter"))
        return changes

    def not_found(self, what: str) -> Exception:
        return NotFound("Filter definition was not found using either the ID or the name",
                        code=codes.SOAP.FILTER_NOT_FOUND)
