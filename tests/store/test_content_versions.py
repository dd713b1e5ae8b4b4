"""The content version (store/content_versions.py): any change to a row a send's content is made of gives it
a new value, whichever way the row changes; other rows leave it alone; a rolled-back change never lets a
later change repeat a value seen meanwhile."""

from __future__ import annotations

import json

import pytest

from emulator.config import Config
from emulator.core import Emulator
from emulator.store import content_versions


@pytest.fixture
def emu():
    made = Emulator(Config())
    yield made
    made.close()


def _sql(emu: Emulator, sql: str, *args) -> None:
    with emu.store.transaction() as conn:
        conn.execute(sql, args)


@pytest.mark.parametrize("change, moves", [
    ("INSERT INTO object(mid, type, data, customer_key) VALUES (1, 'Email', '{}', 'e')", True),
    ("UPDATE object SET data='{}' WHERE type='SenderProfile'", True),
    ("DELETE FROM object WHERE type='SendClassification'", True),
    ("INSERT INTO rest_object(mid, kind, key, data, created, modified) VALUES (1, 'asset', 'a', '{}', 0, 0)", True),
    ("INSERT INTO rest_object(mid, kind, key, data, created, modified) VALUES (1, 'category', 'c', '{}', 0, 0)", True),
    # other rows leave it alone
    ("INSERT INTO object(mid, type, data, customer_key) VALUES (1, 'List', '{}', 'l')", False),
    ("INSERT INTO rest_object(mid, kind, key, data, created, modified) VALUES (1, 'email_definition', 'd', '{}', 0, 0)",
     False),
    ("INSERT INTO subscriber(mid, subscriber_key, id, email, status) VALUES (1, 's', 1, 's@example.com', 'Active')",
     False),
])
def test_a_change_to_content_rows_moves_the_version(emu: Emulator, change: str, moves: bool):
    before = content_versions.current(emu.store)
    _sql(emu, change)
    assert (content_versions.current(emu.store) != before) is moves


def test_a_type_changed_away_from_content_moves_it(emu: Emulator):
    _sql(emu, "INSERT INTO object(mid, type, data, customer_key) VALUES (1, 'Email', '{}', 'gone')")
    before = content_versions.current(emu.store)
    _sql(emu, "UPDATE object SET type='List' WHERE customer_key='gone'")
    assert content_versions.current(emu.store) != before


def test_rolled_back_and_reset_changes(emu: Emulator):
    before = content_versions.current(emu.store)
    seen_inside = []
    with pytest.raises(RuntimeError):
        with emu.store.transaction() as conn:
            conn.execute("INSERT INTO rest_object(mid, kind, key, data, created, modified) "
                         "VALUES (1, 'asset', 'x', ?, 0, 0)", (json.dumps({}),))
            seen_inside.append(content_versions.current(emu.store))
            raise RuntimeError("roll back")
    assert content_versions.current(emu.store) == before != seen_inside[0]
    _sql(emu, "INSERT INTO rest_object(mid, kind, key, data, created, modified) VALUES (1, 'asset', 'y', '{}', 0, 0)")
    assert content_versions.current(emu.store) not in (before, seen_inside[0])
    after = content_versions.current(emu.store)
    emu.store.wipe()
    assert content_versions.current(emu.store) != after
