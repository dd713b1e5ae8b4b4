"""Types SFMC keys by integer ID: a Create answers NewID with it (List, Email, DataFolder: behaviours/data_folder.py...)."""

from __future__ import annotations

from typing import Any

from .. import codes
from ..context import CallContext
from ..errors import Invalid
from . import Behaviour, behaviour

MAX_LIST_NAME = 50  # error 13010 [doc:SOAP/13000_13099_list_object]


@behaviour("List")
class ListBehaviour(Behaviour):
    id_style = "int"

    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        name = props.get("ListName") or ""
        if len(name) > MAX_LIST_NAME:
            raise Invalid("List Name Too Long", code=codes.SOAP.LIST_NAME_TOO_LONG)
        self.service.emu.folders.place(mid, "List", props)
        return props

    def prepare_update(self, ctx: CallContext, mid: int, current: dict[str, Any],
                       changes: dict[str, Any]) -> dict[str, Any]:
        if "Category" in changes:
            self.service.emu.folders.place(mid, "List", changes)
        return changes

    not_found_code = codes.SOAP.LIST_NOT_FOUND
    not_found_text = "{message}: no {type} with {what}."


@behaviour("Email")
class EmailBehaviour(Behaviour):
    id_style = "int"

    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        self.service.emu.folders.place(mid, "Email", props)
        return props

    def prepare_update(self, ctx: CallContext, mid: int, current: dict[str, Any],
                       changes: dict[str, Any]) -> dict[str, Any]:
        if "CategoryID" in changes:
            self.service.emu.folders.place(mid, "Email", changes)
        return changes
    not_found_code = codes.SOAP.EMAIL_NOT_FOUND
    not_found_text = "{message}: no {type} with {what}."


@behaviour("ContentArea", "Template", "Portfolio", "Campaign", "Group", "Account", "AccountUser")
class IntegerKeyedBehaviour(Behaviour):
    id_style = "int"
