"""Rows of the generic object store: one APIObject per row, its properties as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .db import Store

LOOKUP_COLUMNS = {"ID": "id", "ObjectID": "object_id", "CustomerKey": "customer_key", "Name": "name",
                  "ListName": "name"}
# Keys and names compare case-insensitively (SFMC's collation); ids exactly.
CASE_INSENSITIVE = {"customer_key", "name", "object_id"}


@dataclass
class StoredObject:
    pk: int
    mid: int
    type: str
    data: dict[str, Any]

    @property
    def id(self) -> int | None:
        return self.data.get("ID")

    @property
    def object_id(self) -> str | None:
        return self.data.get("ObjectID")

    @property
    def customer_key(self) -> str | None:
        return self.data.get("CustomerKey")


def _row(row) -> StoredObject:
    return StoredObject(pk=row["pk"], mid=row["mid"], type=row["type"], data=json.loads(row["data"]))


def _name_of(data: dict[str, Any]) -> str | None:
    return data.get("Name") or data.get("ListName")


class ObjectRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def insert(self, mid: int, type_name: str, data: dict[str, Any], now: float) -> StoredObject:
        with self.store.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO object(mid, type, id, object_id, customer_key, name, data, created, modified)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    mid,
                    type_name,
                    data.get("ID"),
                    data.get("ObjectID"),
                    data.get("CustomerKey"),
                    _name_of(data),
                    json.dumps(data),
                    now,
                    now,
                ),
            )
            return StoredObject(pk=cur.lastrowid, mid=mid, type=type_name, data=data)

    def replace(self, obj: StoredObject, now: float) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE object SET id=?, object_id=?, customer_key=?, name=?, data=?, modified=? WHERE pk=?",
                (
                    obj.data.get("ID"),
                    obj.data.get("ObjectID"),
                    obj.data.get("CustomerKey"),
                    _name_of(obj.data),
                    json.dumps(obj.data),
                    now,
                    obj.pk,
                ),
            )

    def delete(self, obj: StoredObject) -> None:
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM object WHERE pk=?", (obj.pk,))

    def find(self, mids: Iterable[int], types: Iterable[str], prop: str, value: Any) -> list[StoredObject]:
        """Objects of the given types whose indexed property (ID, ObjectID, CustomerKey, Name) equals value."""
        return self.find_any(mids, types, prop, [value])

    def find_any(self, mids: Iterable[int], types: Iterable[str], prop: str, values: list[Any]) -> list[StoredObject]:
        """Objects whose indexed property equals any of the values, oldest first."""
        column = LOOKUP_COLUMNS[prop]
        collate = " COLLATE NOCASE" if column in CASE_INSENSITIVE else ""
        mids, types = list(mids), list(types)
        sql = (
            f"SELECT * FROM object WHERE mid IN ({','.join('?' * len(mids))})"
            f" AND type IN ({','.join('?' * len(types))})"
            f" AND {column}{collate} IN ({','.join('?' * len(values))}) ORDER BY pk"
        )
        return self.store.rows(sql, (*mids, *types, *values), _row)

    def find_one(self, mid: int, type_name: str, prop: str, value: Any) -> StoredObject | None:
        found = self.find([mid], [type_name], prop, value)
        return found[0] if found else None

    def find_named(self, mid: int, type_name: str, ref: dict[str, Any], by: tuple[str, ...]) -> StoredObject | None:
        """The object a reference names by the first property of `by` it gives (later ones are not tried)."""
        for prop in by:
            if ref.get(prop) not in (None, ""):
                return self.find_one(mid, type_name, prop, ref[prop])
        return None

    def all(self, mids: Iterable[int], types: Iterable[str]) -> list[StoredObject]:
        mids, types = list(mids), list(types)
        sql = (
            f"SELECT * FROM object WHERE mid IN ({','.join('?' * len(mids))})"
            f" AND type IN ({','.join('?' * len(types))}) ORDER BY pk"
        )
        return self.store.rows(sql, (*mids, *types), _row)

    def iter_after(self, mids: Iterable[int], types: Iterable[str], after: int = -1, prop: str | None = None,
                   values: list[Any] | None = None, batch: int = 500) -> Iterator[StoredObject]:
        """Objects in pk order after pk `after`, fetched a batch at a time (a continued Retrieve); `prop` and
        `values` narrow to an indexed property as find_any does."""
        mids, types = list(mids), list(types)
        sql = (f"SELECT * FROM object WHERE mid IN ({','.join('?' * len(mids))})"
               f" AND type IN ({','.join('?' * len(types))})")
        args: list[Any] = [*mids, *types]
        if prop is not None and values:
            column = LOOKUP_COLUMNS[prop]
            collate = " COLLATE NOCASE" if column in CASE_INSENSITIVE else ""
            sql += f" AND {column}{collate} IN ({','.join('?' * len(values))})"
            args += values
        for rows in self.store.pages(sql, args, "pk", "pk", batch, after):
            yield from (_row(r) for r in rows)

    def count(self, mid: int, type_name: str) -> int:
        return self.store.scalar("SELECT COUNT(*) FROM object WHERE mid=? AND type=?", (mid, type_name))
