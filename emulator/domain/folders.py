"""The account's folders (DataFolder): the default tree every BU starts with, and where objects sit.

In SFMC every DataExtension, Email, List (and Content Builder asset, query, import...) sits in a folder,
named by the object's ``CategoryID``; each content type has one root folder per BU (ParentFolder ID 0),
system folders (IsEditable false) that cannot be changed or deleted. The tree's data is
fixtures/default-folders.yaml. Folders are stored as generic DataFolder objects; this service is what other
domains use to find them (Content Builder categories are DataFolders of ContentType ``asset``):
``root(mid, content_type)``, ``get(mid, id)``, ``children(mid, id)``, ``place(...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from ..config import fixtures_dir, load_yaml
from ..store.objects import ObjectRepository
from . import codes
from .errors import Invalid

TYPE = "DataFolder"
# What a CategoryID may name, per object type: the content types of folders that hold it.
HOLDS: dict[str, tuple[str, ...]] = {
    "DataExtension": ("dataextension", "shared_dataextension"),
    "Email": ("email",),
    "List": ("list", "publication", "suppression_list"),
}
# The property naming the folder (the WSDL's List calls it Category; the others CategoryID).
PROPERTY: dict[str, str] = {"DataExtension": "CategoryID", "Email": "CategoryID", "List": "Category"}
# The error a bad CategoryID gets, per object type (each object's own error table).
CATEGORY_CODES: dict[str, codes.SOAP] = {
    "DataExtension": codes.SOAP.DE_VALIDATION,
    "Email": codes.SOAP.EMAIL_CATEGORY_INVALID,
    "List": codes.SOAP.LIST_CATEGORY_INVALID,
}


@cache
def default_tree() -> tuple[dict[str, Any], ...]:
    """The default folders (fixtures/default-folders.yaml), roots with their `children`."""
    data = load_yaml((fixtures_dir() / "default-folders.yaml").read_text(encoding="utf-8"))
    return tuple(data["folders"])


def parent_id(folder: dict[str, Any]) -> int:
    return int((folder.get("ParentFolder") or {}).get("ID") or 0)


def same_type(a: str | None, b: str | None) -> bool:
    return (a or "").casefold() == (b or "").casefold()


class FolderService:
    """Folders of each BU, read and seeded through the generic object store."""

    def __init__(self, repo: ObjectRepository, store_new: Callable[[int, str, dict[str, Any]], dict[str, Any]]
                 ) -> None:
        self.repo = repo
        self.store_new = store_new  # ObjectService.store_new: the one place objects are born
        # (mid, content type) -> root folder ID: a Create of many Lists looks its root up once, by index
        # after that. Checked on every use (a reset re-seeds the tree with new IDs).
        self._roots: dict[tuple[int, str], int] = {}

    # -- reading ---------------------------------------------------------------------------------
    def all(self, mid: int) -> list[dict[str, Any]]:
        return [o.data for o in self.repo.all([mid], [TYPE])]

    def get(self, mid: int, folder_id: Any) -> dict[str, Any] | None:
        try:
            wanted = int(folder_id)
        except (TypeError, ValueError):
            return None
        found = self.repo.find_one(mid, TYPE, "ID", wanted)
        return found.data if found else None

    def root(self, mid: int, content_type: str) -> dict[str, Any] | None:
        """The BU's root folder of this content type (case-insensitive), or None."""
        key = (mid, content_type.casefold())
        known = self._roots.get(key)
        if known is not None:
            folder = self.get(mid, known)
            if folder is not None and parent_id(folder) == 0 and same_type(folder.get("ContentType"), content_type):
                return folder
        for folder in self.all(mid):
            if parent_id(folder) == 0 and same_type(folder.get("ContentType"), content_type):
                self._roots[key] = int(folder["ID"])
                return folder
        return None

    def children(self, mid: int, folder_id: int) -> list[dict[str, Any]]:
        return [f for f in self.all(mid) if parent_id(f) == int(folder_id)]

    def is_within(self, mid: int, folder_id: int, ancestor_id: int) -> bool:
        """Whether folder_id is ancestor_id or lies below it (a move must not make a cycle)."""
        by_id = {int(f["ID"]): f for f in self.all(mid)}
        seen: set[int] = set()
        current: int | None = int(folder_id)
        while current and current not in seen:
            if current == int(ancestor_id):
                return True
            seen.add(current)
            folder = by_id.get(current)
            current = parent_id(folder) if folder else None
        return False

    # -- seeding ---------------------------------------------------------------------------------
    def seed(self, mid: int) -> int:
        """Create the default tree in a BU that has no folders yet (a new BU, or a sandbox made before
        folders existed); returns how many were created."""
        if self.repo.count(mid, TYPE):
            return 0
        created = 0
        for spec in default_tree():
            created += self._seed_one(mid, spec, {"__type__": TYPE, "ID": 0})
        return created

    def _seed_one(self, mid: int, spec: dict[str, Any], parent: dict[str, Any]) -> int:
        props = {k: v for k, v in spec.items() if k not in ("children", "guessed")}
        props.update({"ParentFolder": parent, "Description": props.get("Description", ""),
                      "IsActive": True, "IsEditable": False})
        props.setdefault("AllowChildren", True)
        stored = self.store_new(mid, TYPE, props)
        ref = {"__type__": TYPE, "ID": stored["ID"], "ObjectID": stored["ObjectID"],
               "CustomerKey": stored["CustomerKey"]}
        return 1 + sum(self._seed_one(mid, child, ref) for child in spec.get("children", []))

    # -- objects in folders ------------------------------------------------------------------------
    def place(self, mid: int, type_name: str, props: dict[str, Any]) -> None:
        """Default an object's CategoryID to its content type's root folder, or check the one it names:
        it must exist in this BU and hold this type of object."""
        allowed, prop = HOLDS[type_name], PROPERTY[type_name]
        given = props.get(prop)
        if given in (None, "", 0, "0"):
            root = self.root(mid, allowed[0])
            if root is not None:  # a tenant without folders (seeded before them) leaves it unset
                props[prop] = root["ID"]
            return
        folder = self.get(mid, given)
        code = CATEGORY_CODES[type_name]
        if folder is None:
            raise Invalid(f"{code.message}: no folder with ID {given} in this business unit.", code=code)
        if not any(same_type(folder.get("ContentType"), t) for t in allowed):
            raise Invalid(f"{code.message}: folder {given} holds {folder.get('ContentType')} items, not "
                          f"{type_name} ({', '.join(allowed)}).", code=code)
        props[prop] = int(folder["ID"])

    def holds_anything(self, mid: int, folder_id: int) -> bool:
        """Whether any object of the BU sits in this folder (its CategoryID or Category)."""
        for type_name, prop in PROPERTY.items():
            for obj in self.repo.all([mid], [type_name]):
                if str(obj.data.get(prop) or "") == str(folder_id):
                    return True
        return False
