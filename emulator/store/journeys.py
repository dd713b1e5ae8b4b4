"""Journeys: one `journey` row per version of an interaction (its definition as JSON), and one
`journey_contact` row per contact that entered a version (where it is, whether it waits, what happened)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .db import Store, where


@dataclass
class JourneyVersion:
    pk: int
    mid: int
    id: str
    key: str
    version: int
    name: str
    status: str
    data: dict[str, Any]
    created: float
    modified: float


@dataclass
class JourneyContact:
    pk: int
    mid: int
    journey_id: str
    version: int
    contact_key: str
    event_instance_id: str
    data: dict[str, Any]
    activity_key: str | None
    status: str  # Active, Waiting, Finished, Exited
    wait_until: float | None
    history: list[dict[str, Any]]
    entered: float
    updated: float


def _version(row: Any) -> JourneyVersion:
    return JourneyVersion(row["pk"], row["mid"], row["id"], row["key"], row["version"], row["name"], row["status"],
                          json.loads(row["data"]), row["created"], row["modified"])


def _contact(row: Any) -> JourneyContact:
    return JourneyContact(row["pk"], row["mid"], row["journey_id"], row["version"], row["contact_key"],
                          row["event_instance_id"], json.loads(row["data"] or "{}"), row["activity_key"],
                          row["status"], row["wait_until"], json.loads(row["history"] or "[]"), row["entered"],
                          row["updated"])


class JourneyRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- versions ------------------------------------------------------------------------------------
    def insert(self, mid: int, journey_id: str, key: str, version: int, name: str, status: str,
               data: dict[str, Any], now: float) -> JourneyVersion:
        with self.store.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO journey(mid, id, key, version, name, status, data, created, modified) "
                "VALUES (?,?,?,?,?,?,?,?,?)", (mid, journey_id, key, version, name, status, json.dumps(data), now, now))
        return JourneyVersion(cur.lastrowid, mid, journey_id, key, version, name, status, data, now, now)

    def replace(self, version: JourneyVersion, now: float) -> None:
        with self.store.transaction() as conn:
            conn.execute("UPDATE journey SET key=?, name=?, status=?, data=?, modified=? WHERE pk=?",
                         (version.key, version.name, version.status, json.dumps(version.data), now, version.pk))
        version.modified = now

    def versions(self, mid: int, journey_id: str) -> list[JourneyVersion]:
        return self.store.rows("SELECT * FROM journey WHERE mid=? AND id=? ORDER BY version", (mid, journey_id),
                               _version)

    def id_for_key(self, mid: int, key: str) -> str | None:
        return self.store.one("SELECT id FROM journey WHERE mid=? AND key=? COLLATE NOCASE ORDER BY pk LIMIT 1",
                              (mid, key), lambda row: row["id"])

    def latest_page(self, mid: int, status: str | None, limit: int, offset: int, search: str | None = None,
                    order: tuple[str, bool] = ("modified", True)) -> tuple[list[JourneyVersion], int]:
        """The newest version of each journey, optionally only those whose newest version has `status` or
        whose name or description contains `search`; ordered by ("modified" | "name", descending)."""
        where = ("mid=? AND version = (SELECT MAX(version) FROM journey j2 WHERE j2.mid=journey.mid "
             "AND j2.id=journey.id)")
        args: list[Any] = [mid]
        if status is not None:
            where += " AND status=? COLLATE NOCASE"
            args.append(status)
        if search:
            where += " AND (instr(lower(name), lower(?)) > 0 OR instr(lower(json_extract(data, '$.description')), lower(?)) > 0)"
            args.extend([search, search])
        column = {"modified": "modified", "name": "name COLLATE NOCASE"}[order[0]]
        direction = "DESC" if order[1] else "ASC"
        with self.store.reading() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM journey WHERE {where}", args).fetchone()[0]
            rows = conn.execute(f"SELECT * FROM journey WHERE {where} ORDER BY {column} {direction}, pk {direction} LIMIT ? OFFSET ?",
                                (*args, limit, offset)).fetchall()
        return [_version(r) for r in rows], total

    def running(self, mid: int) -> list[JourneyVersion]:
        """Published versions: the ones an entry event may enter contacts into."""
        return self.store.rows("SELECT * FROM journey WHERE mid=? AND status='Published' ORDER BY pk", (mid,),
                               _version)

    def all(self, mid: int | None = None) -> list[JourneyVersion]:
        clause, args = where("", [], ("mid=?", mid))
        return self.store.rows(f"SELECT * FROM journey{clause} ORDER BY mid, id, version", args, _version)

    def delete(self, mid: int, journey_id: str, version: int | None = None) -> int:
        """Delete a journey (every version) or one version, with their contacts; the number of versions."""
        extra, args = ("", [mid, journey_id]) if version is None else (" AND version=?", [mid, journey_id, version])
        with self.store.transaction() as conn:
            deleted = conn.execute(f"DELETE FROM journey WHERE mid=? AND id=?{extra}", args).rowcount
            conn.execute(f"DELETE FROM journey_contact WHERE mid=? AND journey_id=?{extra}", args)
        return deleted

    # -- contacts ------------------------------------------------------------------------------------
    def add_contact(self, mid: int, journey_id: str, version: int, contact_key: str, event_instance_id: str,
                    data: dict[str, Any], activity_key: str | None, now: float) -> JourneyContact:
        with self.store.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO journey_contact(mid, journey_id, version, contact_key, event_instance_id, data, "
                "activity_key, status, wait_until, history, entered, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (mid, journey_id, version, contact_key, event_instance_id, json.dumps(data), activity_key,
                 "Active", None, "[]", now, now))
        return JourneyContact(cur.lastrowid, mid, journey_id, version, contact_key, event_instance_id, data,
                              activity_key, "Active", None, [], now, now)

    def save_contact(self, contact: JourneyContact, now: float) -> None:
        with self.store.transaction() as conn:
            conn.execute("UPDATE journey_contact SET activity_key=?, status=?, wait_until=?, history=?, updated=? "
                         "WHERE pk=?", (contact.activity_key, contact.status, contact.wait_until,
                                        json.dumps(contact.history), now, contact.pk))
        contact.updated = now

    def contact(self, pk: int) -> JourneyContact | None:
        return self.store.one("SELECT * FROM journey_contact WHERE pk=?", (pk,), _contact)

    def contacts(self, mid: int, journey_id: str, version: int | None = None, limit: int = 500) -> list[JourneyContact]:
        clause, args = where("mid=? AND journey_id=?", [mid, journey_id], ("version=?", version))
        return self.store.rows(f"SELECT * FROM journey_contact{clause} ORDER BY pk LIMIT ?", (*args, limit), _contact)

    def has_entered(self, mid: int, journey_id: str, contact_key: str, version: int | None = None,
                    only_active: bool = False) -> bool:
        sql, args = "SELECT 1 FROM journey_contact WHERE mid=? AND journey_id=? AND contact_key=?", \
            [mid, journey_id, contact_key]
        if version is not None:
            sql, args = sql + " AND version=?", [*args, version]
        if only_active:
            sql += " AND status IN ('Active', 'Waiting')"
        with self.store.reading() as conn:
            return conn.execute(sql + " LIMIT 1", args).fetchone() is not None

    def population(self, mid: int, journey_id: str, version: int) -> tuple[int, int]:
        """(contacts in the version now, contacts that ever entered it)."""
        with self.store.reading() as conn:
            row = conn.execute(
                "SELECT SUM(status IN ('Active', 'Waiting')), COUNT(*) FROM journey_contact "
                "WHERE mid=? AND journey_id=? AND version=?", (mid, journey_id, version)).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def exit_all(self, mid: int, journey_id: str, version: int, now: float) -> list[int]:
        """Every contact still in a version exits (a stopped journey); returns their pks."""
        with self.store.transaction() as conn:
            pks = [r[0] for r in conn.execute(
                "SELECT pk FROM journey_contact WHERE mid=? AND journey_id=? AND version=? "
                "AND status IN ('Active', 'Waiting')", (mid, journey_id, version))]
            conn.execute("UPDATE journey_contact SET status='Exited', wait_until=NULL, updated=? WHERE mid=? AND "
                         "journey_id=? AND version=? AND status IN ('Active', 'Waiting')",
                         (now, mid, journey_id, version))
        return pks

    def waiting(self) -> list[JourneyContact]:
        """Every waiting contact of every business unit (their waits are scheduled again at start)."""
        return self.store.rows("SELECT * FROM journey_contact WHERE status='Waiting' ORDER BY wait_until, pk",
                               decode=_contact)
