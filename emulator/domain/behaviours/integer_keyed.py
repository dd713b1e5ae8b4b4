"""Types SFMC keys by integer ID: a Create answers NewID with it (List, Email, DataFolder: behaviours/data_folder.py...)."""

from __future__ import annotations

from typing import Any

from .. import codes
from ..context import CallContext
from ..errors import Invalid
from . import Behaviour, behaviour

MAX_LIST_NAME = 50  # error 13010 [doc:SOAP/13000_13099_list_object]


class _FiledBehaviour(Behaviour):
    """An integer-keyed type that sits in a folder: Create places it, an Update that names a folder moves it."""
    id_style = "int"
    not_found_text = "{message}: no {type} with {what}."
    folder_field = "Category"  # the property an Update names the folder in

    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        self.service.emu.folders.place(mid, self.type_name, props)
        return props

    def prepare_update(self, ctx: CallContext, mid: int, current: dict[str, Any],
                       changes: dict[str, Any]) -> dict[str, Any]:
        if self.folder_field in changes:
            self.service.emu.folders.place(mid, self.type_name, changes)
        return changes


@behaviour("List")
class ListBehaviour(_FiledBehaviour):
    not_found_code = codes.SOAP.LIST_NOT_FOUND

    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        name = props.get("ListName") or ""
        if len(name) > MAX_LIST_NAME:
            raise Invalid("List Name Too Long", code=codes.SOAP.LIST_NAME_TOO_LONG)
        return super().prepare_create(ctx, mid, props)


@behaviour("Email")
class EmailBehaviour(_FiledBehaviour):
    folder_field = "CategoryID"
    not_found_code = codes.SOAP.EMAIL_NOT_FOUND


@behaviour("ContentArea", "Template", "Portfolio", "Campaign", "Group", "Account", "AccountUser")
class IntegerKeyedBehaviour(Behaviour):
    id_style = "int"
