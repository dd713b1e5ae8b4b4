"""A continued Retrieve reads on from where the last page stopped (a keyset in SQL), through an index for the
documented filters, and paging returns every row exactly once, in order."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from emulator.domain.context import CallContext
from emulator.store.audience import SubscriberRecord

ROWS = 2_000
BATCH = 300
BIG_TABLES = ("subscriber", "list_subscriber", "de_row", "send_event", "object")


def _ctx(mc) -> CallContext:
    return CallContext(mid=mc.parent_mid, principal="keyset-test")


def _simple(prop: str, operator: str, *values: Any) -> dict[str, Any]:
    return {"__type__": "SimpleFilterPart", "Property": prop, "SimpleOperator": operator,
            "Value": [str(v) for v in values]}


def _page_all(mc, request: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """Every row of a Retrieve, following ContinueRequests; and how many pages it took."""
    service = mc.emu.object_service
    page = service.retrieve(_ctx(mc), {**request, "Options": {"BatchSize": BATCH}})
    rows, pages = list(page.rows), 1
    while page.status == "MoreDataAvailable":
        page = service.retrieve(_ctx(mc), {"ContinueRequest": page.request_id})
        rows += page.rows
        pages += 1
    assert page.status == "OK", page.status
    return rows, pages


@contextmanager
def _statements(mc) -> Iterator[list[str]]:
    """The SQL the store runs meanwhile (values bound in)."""
    seen: list[str] = []
    conn: sqlite3.Connection = mc.emu.store.conn
    conn.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        conn.set_trace_callback(None)


def _plans_of_continue(mc, request: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(statement, query plan) of each read of a big table while answering the second page."""
    service = mc.emu.object_service
    first = service.retrieve(_ctx(mc), {**request, "Options": {"BatchSize": BATCH}})
    assert first.status == "MoreDataAvailable", first.status
    with _statements(mc) as seen:
        second = service.retrieve(_ctx(mc), {"ContinueRequest": first.request_id})
    assert second.rows
    out = []
    with mc.emu.store.reading() as conn:
        for sql in seen:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            tables = [t for t in BIG_TABLES if f"FROM {t} " in sql or f"JOIN {t} " in sql]
            if not tables:
                continue
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
            out.append((sql, plan))
    return out


def _assert_keyset_by_index(plans: list[tuple[str, list[str]]], index: str | None = None) -> None:
    assert plans, "the continued page read no big table"
    for sql, plan in plans:
        text = " | ".join(plan)
        assert not any(step.startswith("SCAN") for step in plan), (sql, text)  # no walk of a whole table
        assert "TEMP B-TREE" not in text, (sql, text)  # no sort of every match before the LIMIT
    keyset = [(sql, " | ".join(plan)) for sql, plan in plans if ">?" in " | ".join(plan).replace(" ", "")]
    assert keyset, plans  # the page starts after the last row answered: a range in the index, not an offset
    for sql, _ in keyset:  # ... and not from the first row again (an offset would re-read every earlier page)
        assert "> -1 " not in sql and "-Inf" not in sql, sql
    if index:
        assert any(index in text for _, text in keyset), keyset


@pytest.fixture
def audience(mc):
    """ROWS subscribers; the even ones on a list. Returns the list's ID."""
    emu, mid = mc.emu, mc.parent_mid
    ctx = _ctx(mc)
    created = emu.object_service.create(ctx, "List", [{"ListName": "Keyset", "CustomerKey": "keyset"}])
    list_id = created[0].new_id
    emu.audience.put_subscribers(mid, [SubscriberRecord(f"k{i:05d}", f"k{i}@example.com") for i in range(ROWS)], 0)
    emu.audience.set_memberships(mid, list_id, [(f"k{i:05d}", "Active") for i in range(0, ROWS, 2)], 0)
    return list_id


def test_subscriber_pages_return_every_row_once_in_order(mc, audience):
    rows, pages = _page_all(mc, {"ObjectType": "Subscriber", "Properties": ["ID", "SubscriberKey"]})
    assert [r["SubscriberKey"] for r in rows] == [f"k{i:05d}" for i in range(ROWS)]
    assert pages == -(-ROWS // BATCH)


def test_list_subscriber_filtered_on_list_id_pages_only_that_list(mc, audience):
    rows, _ = _page_all(mc, {"ObjectType": "ListSubscriber", "Properties": ["ListID", "SubscriberKey"],
                             "Filter": _simple("ListID", "equals", audience)})
    assert [r["SubscriberKey"] for r in rows] == [f"k{i:05d}" for i in range(0, ROWS, 2)]
    assert {r["ListID"] for r in rows} == {audience}


def test_list_subscriber_unfiltered_covers_every_list_once(mc, audience):
    rows, _ = _page_all(mc, {"ObjectType": "ListSubscriber", "Properties": ["ListID", "SubscriberKey"]})
    pairs = [(r["ListID"], r["SubscriberKey"]) for r in rows]
    assert len(pairs) == len(set(pairs)) == ROWS + ROWS // 2  # All Subscribers holds everyone


def test_subscriber_list_filtered_on_subscriber_key(mc, audience):
    rows, _ = _page_all(mc, {"ObjectType": "SubscriberList", "Properties": ["ID", "Status"],
                             "Filter": _simple("Subscriber.SubscriberKey", "equals", "K00004")})
    all_subscribers = mc.emu.objects.find_one(mc.parent_mid, "List", "CustomerKey", "All Subscribers")
    assert sorted(r["ID"] for r in rows) == sorted([audience, all_subscribers.data["ID"]])


def test_continued_subscriber_retrieve_reads_a_keyset_range(mc, audience):
    _assert_keyset_by_index(_plans_of_continue(mc, {"ObjectType": "Subscriber", "Properties": ["ID"]}))


def test_subscriber_key_filter_reads_through_its_index(mc, audience):
    service = mc.emu.object_service
    with _statements(mc) as seen:
        page = service.retrieve(_ctx(mc), {"ObjectType": "Subscriber", "Properties": ["SubscriberKey"],
                                           "Filter": _simple("SubscriberKey", "equals", "K00007")})
    assert [r["SubscriberKey"] for r in page.rows] == ["k00007"]
    with mc.emu.store.reading() as conn:
        reads = [[r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
                 for sql in seen if "FROM subscriber " in sql and sql.startswith("SELECT")]
    assert reads and all("idx_subscriber_key_nocase" in " ".join(plan) for plan in reads), reads


def test_continued_list_subscriber_retrieve_on_list_id_uses_the_membership_index(mc, audience):
    _assert_keyset_by_index(_plans_of_continue(mc, {
        "ObjectType": "ListSubscriber", "Properties": ["SubscriberKey"],
        "Filter": _simple("ListID", "equals", audience)}), "idx_list_subscriber_list")


def test_data_extension_rows_page_by_keyset(mc, soap):
    soap.create('<Objects xsi:type="DataExtension"><CustomerKey>ks-de</CustomerKey><Name>ks-de</Name><Fields>'
                "<Field><Name>Id</Name><FieldType>Text</FieldType><IsPrimaryKey>true</IsPrimaryKey>"
                "<IsRequired>true</IsRequired></Field></Fields></Objects>")
    mc.emu.audience.insert_rows(mc.parent_mid, "ks-de", [(f"r{i}", {"Id": f"r{i}"}) for i in range(ROWS)], 0)
    request = {"ObjectType": "DataExtensionObject[ks-de]", "Properties": ["Id"]}
    rows, _ = _page_all(mc, request)
    assert [r["Properties"]["Property"][0]["Value"] for r in rows] == [f"r{i}" for i in range(ROWS)]
    _assert_keyset_by_index(_plans_of_continue(mc, request), "idx_de_row_de")


def _events(mc, count: int) -> None:
    mc.emu.sends.repo.add_events([
        {"mid": mc.parent_mid, "job_id": 7 + i % 3, "subscriber_key": f"k{i % 50}", "email": "e@example.com",
         "event_type": "Sent", "event_date": 1_700_000_000.0 + i, "batch_id": 1, "detail": {}}
        for i in range(count)])


def test_sent_events_page_by_keyset_for_send_id_and_event_date(mc):
    _events(mc, ROWS)
    by_send = {"ObjectType": "SentEvent", "Properties": ["SendID", "SubscriberKey"],
               "Filter": _simple("SendID", "equals", 7)}
    rows, _ = _page_all(mc, by_send)
    assert len(rows) == len({id(r) for r in rows}) == len(range(0, ROWS, 3))
    assert {r["SendID"] for r in rows} == {7}
    _assert_keyset_by_index(_plans_of_continue(mc, by_send), "idx_send_event_job_id_event_type")

    since = {"ObjectType": "SentEvent", "Properties": ["EventDate"],
             "Filter": _simple("EventDate", "greaterThan", "2023-11-14T22:30:00Z")}
    dated, _ = _page_all(mc, since)
    stamps = [r["EventDate"] for r in dated]
    assert stamps == sorted(stamps) and len(stamps) == len(set(stamps))
    assert len(stamps) == sum(1 for i in range(ROWS) if 1_700_000_000 + i > 1_700_001_000)
    _assert_keyset_by_index(_plans_of_continue(mc, since), "idx_send_event_date")

    by_key = {"ObjectType": "SentEvent", "Properties": ["SubscriberKey"],
              "Filter": _simple("SubscriberKey", "equals", "K7")}
    keyed, _ = _page_all(mc, by_key)
    assert {r["SubscriberKey"] for r in keyed} == {"k7"} and len(keyed) == ROWS // 50
    with _statements(mc) as seen:
        mc.emu.object_service.retrieve(_ctx(mc), by_key)
    with mc.emu.store.reading() as conn:
        plans = [" ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
                 for sql in seen if "FROM send_event" in sql]
    assert plans and all("idx_send_event_key_nocase" in p for p in plans), plans

    every = {"ObjectType": "SentEvent", "Properties": ["SubscriberKey"]}
    assert len(_page_all(mc, every)[0]) == ROWS
    _assert_keyset_by_index(_plans_of_continue(mc, every))


def test_generic_objects_page_by_keyset(mc, soap):
    soap.create("".join(f'<Objects xsi:type="List"><ListName>G{i:04d}</ListName></Objects>' for i in range(700)))
    request = {"ObjectType": "List", "Properties": ["ListName"]}
    rows, _ = _page_all(mc, request)
    assert [r["ListName"] for r in rows] == ["All Subscribers"] + [f"G{i:04d}" for i in range(700)]
    _assert_keyset_by_index(_plans_of_continue(mc, request))


def test_a_python_only_filter_still_pages_every_match_once(mc, audience):
    rows, _ = _page_all(mc, {"ObjectType": "Subscriber", "Properties": ["SubscriberKey"],
                             "Filter": _simple("EmailAddress", "like", "k1%")})
    assert [r["SubscriberKey"] for r in rows] == [f"k{i:05d}" for i in range(ROWS) if str(i).startswith("1")]


def test_list_subscriber_on_a_subscriber_key_reads_its_memberships_only(mc, audience):
    with _statements(mc) as seen:
        rows, _ = _page_all(mc, {"ObjectType": "ListSubscriber", "Properties": ["ListID"],
                                 "Filter": _simple("SubscriberKey", "equals", "k00003")})
    assert len(rows) == 1  # odd: only All Subscribers
    with mc.emu.store.reading() as conn:
        plans = [" ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
                 for sql in seen if "FROM subscriber" in sql or "FROM list_subscriber" in sql]
    assert plans and not any(p.startswith("SCAN") or " SCAN " in p for p in plans), plans
