"""store/de_row_pages.py: the REST rowset read filters, orders and pages in SQL over the stored JSON rows."""

from __future__ import annotations

import pytest

from emulator.core import Emulator
from emulator.store.de_row_pages import DERowPages, _date_key


@pytest.fixture
def emu():
    emu = Emulator()
    rows = [(f"k{i}", {"Key": f"k{i}", "N": str(i), "Name": "Ada" if i % 2 else "bob",
                       "When": f"1/{i % 28 + 1}/2024 {i % 12 + 1}:00:00 {'PM' if i % 3 else 'AM'}"})
            for i in range(2000)]
    emu.audience.insert_rows(1, "de", rows, 0.0)
    emu.audience.insert_rows(2, "de", [("x", {"Key": "x", "N": "1"})], 0.0)  # another BU's DE of the same key
    yield emu
    emu.close()


def test_date_key_orders_stored_dates_as_dates():
    assert _date_key("1/2/2024 12:00:00 AM") == "2024-01-02T00:00:00"
    assert _date_key("12/31/2023 12:30:00 PM") == "2023-12-31T12:30:00"
    assert _date_key("11/3/2024 1:05:09 PM") == "2024-11-03T13:05:09"
    assert _date_key("2024-05-06T07:08:09.5") == "2024-05-06T07:08:09"
    assert _date_key("soon") is None and _date_key(None) is None


def test_page_filters_orders_and_cuts_in_sql(emu):
    pages = DERowPages(emu.store)
    where = ("and", [("cmp", "N", "int", "ge", 1990), ("cmp", "Name", "string", "eq", "ADA")])
    page = pages.page(1, "de", where, [("N", "int", True)], 3, 1)
    assert page.total == 5  # 1991, 1993, ..., 1999
    assert [r["N"] for r in page.rows] == ["1997", "1995", "1993"]
    assert pages.page(1, "de", None, [], 10, 1995).total == 2000
    assert len(pages.page(1, "de", None, [], 10, 1995).rows) == 5
    assert pages.page(2, "de", None, [], 10, 0).total == 1  # tenancy: the mid is part of every query


def test_text_number_and_null_comparisons(emu):
    pages = DERowPages(emu.store)
    # numbers compare numerically ("10" > "9"), not as text
    assert pages.page(1, "de", ("cmp", "N", "int", "lt", 10), [], 50, 0).total == 10
    assert pages.page(1, "de", ("cmp", "Missing", "string", "eq", None), [], 50, 0).total == 2000
    assert pages.page(1, "de", ("cmp", "Name", "string", "like", "b%"), [], 50, 0).total == 1000
    assert pages.page(1, "de", ("not", ("cmp", "Name", "string", "ne", "BOB")), [], 50, 0).total == 1000
    assert pages.page(1, "de", ("cmp", "When", "datetime", "lt", "2024-01-02T00:00:00"), [], 50, 0).total > 0


def test_the_page_query_reads_the_de_through_an_index(emu):
    with emu.store.reading() as conn:
        plan = " ".join(row[-1] for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT row FROM de_row WHERE mid=? AND de_key=? ORDER BY pk LIMIT 10", (1, "de")))
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
