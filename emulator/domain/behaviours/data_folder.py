"""DataFolder: the folder tree's rules (domain/folders.py holds the tree and the default folders).

- Create needs a Name (396003), a ContentType (396004) and an existing ParentFolder in the same BU that
  allows children (396007); the ContentType must be the parent's (396005); a CustomerKey another folder has
  is refused (396002). New folders are active, editable and allow children unless told otherwise.
- Update cannot touch a system folder (IsEditable false: the default tree) nor change a ContentType; a move
  (ParentFolder) follows Create's parent rules and cannot go below the folder itself.
- Delete refuses a system folder, a folder with sub-folders and a folder that holds objects (CategoryID).
SFMC documents the 396xxx codes without saying which case answers which [doc:SOAP/396000_396999_data_folder];
the mapping above is ours, and 396001 (Data Folder Invalid Call) answers what the table has no code for.
"""

from __future__ import annotations

from typing import Any

from .. import codes, folders
from ..context import CallContext
from ..errors import Invalid, NotFound
from . import Behaviour, behaviour


def _bool(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value is True or str(value).strip().lower() in ("true", "1")


@behaviour("DataFolder")
class DataFolderBehaviour(Behaviour):
    id_style = "int"
    duplicate_key_code = codes.SOAP.FOLDER_KEY_EXISTS

    message_text = "Folder {operation} successfully."

    def not_found(self, what: str) -> Exception:
        return NotFound(f"{codes.SOAP.FOLDER_INVALID_CALL.message}: no folder with {what}.",
                        code=codes.SOAP.FOLDER_INVALID_CALL)

    @property
    def tree(self) -> folders.FolderService:
        return self.service.emu.folders

    def _parent(self, mid: int, ref: Any, content_type: str) -> dict[str, Any]:
        """The folder a ParentFolder names (by ID, ObjectID or CustomerKey), checked to take this child."""
        bad = codes.SOAP.FOLDER_INVALID_PARENT
        ref = ref if isinstance(ref, dict) else {}
        found = self.service.repo.find_named(mid, folders.TYPE, ref, ("ID", "ObjectID", "CustomerKey")) \
            if any(ref.get(k) not in (None, "", 0, "0") for k in ("ID", "ObjectID", "CustomerKey")) else None
        if found is None:
            raise Invalid(f"{bad.message}: a folder needs an existing ParentFolder in its business unit.",
                          code=bad)
        parent = found.data
        if not _bool(parent.get("AllowChildren"), True):
            raise Invalid(f"{bad.message}: folder {parent['ID']} does not allow child folders.", code=bad)
        if not folders.same_type(parent.get("ContentType"), content_type):
            invalid = codes.SOAP.FOLDER_CONTENT_TYPE_INVALID
            raise Invalid(f"{invalid.message}: a child folder's ContentType must be its parent's "
                          f"({parent.get('ContentType')}), not {content_type}.", code=invalid)
        return parent

    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        if not (props.get("Name") or "").strip():
            raise Invalid(codes.SOAP.FOLDER_NAME_REQUIRED.message, code=codes.SOAP.FOLDER_NAME_REQUIRED)
        content_type = (props.get("ContentType") or "").strip()
        if not content_type:
            raise Invalid(codes.SOAP.FOLDER_CONTENT_TYPE_REQUIRED.message,
                          code=codes.SOAP.FOLDER_CONTENT_TYPE_REQUIRED)
        parent = self._parent(mid, props.get("ParentFolder"), content_type)
        props["ContentType"] = parent["ContentType"]  # the parent's spelling (SFMC matches it case-blind)
        props["ParentFolder"] = {"__type__": folders.TYPE, "ID": parent["ID"], "ObjectID": parent["ObjectID"],
                                 "CustomerKey": parent.get("CustomerKey")}
        props["IsActive"] = _bool(props.get("IsActive"), True)
        props["IsEditable"] = _bool(props.get("IsEditable"), True)
        props["AllowChildren"] = _bool(props.get("AllowChildren"), True)
        props.setdefault("Description", "")
        return props

    def prepare_update(self, ctx: CallContext, mid: int, current: dict[str, Any],
                       changes: dict[str, Any]) -> dict[str, Any]:
        invalid = codes.SOAP.FOLDER_INVALID_CALL
        if not _bool(current.get("IsEditable"), True):
            raise Invalid(f"{invalid.message}: folder {current['ID']} is a system folder and cannot be changed.",
                          code=invalid)
        if "ContentType" in changes and not folders.same_type(changes["ContentType"], current.get("ContentType")):
            bad_type = codes.SOAP.FOLDER_CONTENT_TYPE_INVALID
            raise Invalid(f"{bad_type.message}: a folder's ContentType cannot change.", code=bad_type)
        changes.pop("ContentType", None)
        if "Name" in changes and not (changes["Name"] or "").strip():
            raise Invalid(codes.SOAP.FOLDER_NAME_REQUIRED.message, code=codes.SOAP.FOLDER_NAME_REQUIRED)
        if "ParentFolder" in changes:
            parent = self._parent(mid, changes["ParentFolder"], current.get("ContentType") or "")
            if self.tree.is_within(mid, int(parent["ID"]), int(current["ID"])):
                bad = codes.SOAP.FOLDER_INVALID_PARENT
                raise Invalid(f"{bad.message}: a folder cannot move below itself.", code=bad)
            changes["ParentFolder"] = {"__type__": folders.TYPE, "ID": parent["ID"],
                                       "ObjectID": parent["ObjectID"], "CustomerKey": parent.get("CustomerKey")}
        for flag in ("IsActive", "IsEditable", "AllowChildren"):
            if flag in changes:
                changes[flag] = _bool(changes[flag], True)
        return changes

    def before_delete(self, ctx: CallContext, mid: int, current: dict[str, Any]) -> None:
        invalid = codes.SOAP.FOLDER_INVALID_CALL
        if not _bool(current.get("IsEditable"), True) or folders.parent_id(current) == 0:
            raise Invalid(f"{invalid.message}: folder {current['ID']} is a system folder and cannot be deleted.",
                          code=invalid)
        if self.tree.children(mid, int(current["ID"])):
            raise Invalid(f"{invalid.message}: folder {current['ID']} has sub-folders; delete them first.",
                          code=invalid)
        if self.tree.holds_anything(mid, int(current["ID"])):
            raise Invalid(f"{invalid.message}: folder {current['ID']} is not empty; move or delete its items "
                          "first.", code=invalid)
