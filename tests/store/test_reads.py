"""The store's shared read helpers: `where` for a listing's optional filters, Store.one/rows/scalar."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.store.db import Store, where


def test_where_keeps_the_fixed_conditions_and_the_given_optional_ones_in_order() -> None:
    assert where("mid = ?", [7], ("status = ?", None), ("name = ?", "a"), ("id > ?", 0)) == (
        " WHERE mid = ? AND name = ? AND id > ?", [7, "a", 0])  # 0 and "" are given values; None is not
    assert where("", [], ("mid = ?", None)) == ("", [])
    assert where("", [], ("mid = ?", 3)) == (" WHERE mid = ?", [3])
    assert where("mid = ? AND kind = ?", [1, "k"]) == (" WHERE mid = ? AND kind = ?", [1, "k"])


@pytest.fixture
def store(tmp_path: Path):
    store = Store(tmp_path / "reads.db", durable=False)
    with store.transaction() as conn:
        conn.executemany("INSERT INTO counter(name, value) VALUES (?, ?)", [("a", 1), ("b", 2), ("c", 3)])
    yield store
    store.close()


def test_one_decodes_the_first_row_or_answers_none(store: Store) -> None:
    assert store.one("SELECT * FROM counter WHERE value > ? ORDER BY value", (1,)) == {"name": "b", "value": 2}
    assert store.one("SELECT value FROM counter WHERE name = ?", ("c",), lambda row: row[0] * 10) == 30
    assert store.one("SELECT * FROM counter WHERE name = ?", ("zz",), lambda row: 1 / 0) is None  # not decoded


def test_rows_decodes_every_row_in_order_and_scalar_answers_the_first_column(store: Store) -> None:
    assert store.rows("SELECT name FROM counter ORDER BY value DESC") == [{"name": "c"}, {"name": "b"},
                                                                           {"name": "a"}]
    assert store.rows("SELECT value FROM counter WHERE value < ? ORDER BY value", (3,), lambda r: r[0]) == [1, 2]
    assert store.rows("SELECT * FROM counter WHERE name = 'zz'") == []
    assert store.scalar("SELECT COUNT(*) FROM counter") == 3
    assert store.scalar("SELECT MAX(value) FROM counter WHERE name != ?", ("c",)) == 2
