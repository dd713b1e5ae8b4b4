"""FuelSDK-Python against the emulator: subscribers (AddSubscriberToList) and data-extension rows."""

from __future__ import annotations

import pytest

FuelSDK = pytest.importorskip("FuelSDK")

# suds builds every request object from the 4,500-line WSDL: seconds per FuelSDK call, so these are slow.
pytestmark = pytest.mark.slow


def _list(fuel, name: str) -> int:
    lst = FuelSDK.ET_List()
    lst.auth_stub = fuel
    lst.props = {"ListName": name, "CustomerKey": name}
    post = lst.post()
    assert post.status, post.results
    return int(post.results[0]["NewID"])


def test_add_subscriber_to_list_falls_back_to_update_on_12014(mc, fuel):
    first, second = _list(fuel, "First"), _list(fuel, "Second")
    created = fuel.AddSubscriberToList("fuel@example.com", [first], "fuel-key")
    assert created.status, created.results
    assert created.results[0]["StatusMessage"] == "Created Subscriber."
    # Second call: Create answers 12014, FuelSDK then patches (Update) the subscriber onto the new list.
    again = fuel.AddSubscriberToList("fuel@example.com", [second], "fuel-key")
    assert again.status, again.results
    assert again.results[0]["StatusMessage"] == "Updated Subscriber."
    lists = sorted(list_id for list_id, _ in
                   ((m["list_id"], m["status"]) for m in mc.emu.audience.memberships_of(mc.parent_mid, "fuel-key")))
    assert lists == [first, second]
    sub = FuelSDK.ET_Subscriber()
    sub.auth_stub = fuel
    sub.props = ["SubscriberKey", "EmailAddress", "Status"]
    sub.search_filter = {"Property": "SubscriberKey", "SimpleOperator": "equals", "Value": "fuel-key"}
    got = sub.get()
    assert got.status and [r["EmailAddress"] for r in got.results] == ["fuel@example.com"]


def test_data_extension_and_rows_end_to_end(mc, fuel):
    de = FuelSDK.ET_DataExtension()
    de.auth_stub = fuel
    de.props = {"Name": "FuelPeople", "CustomerKey": "fuel-people"}
    de.columns = [
        {"Name": "Key", "FieldType": "Text", "IsPrimaryKey": "true", "MaxLength": "50", "IsRequired": "true"},
        {"Name": "Email", "FieldType": "EmailAddress"},
        {"Name": "Age", "FieldType": "Number"},
    ]
    post = de.post()
    assert post.status, post.results
    assert post.results[0]["StatusMessage"] == "Data Extension created."

    row = FuelSDK.ET_DataExtension_Row()
    row.auth_stub = fuel
    row.CustomerKey = "fuel-people"
    row.props = {"Key": "r1", "Email": "r1@example.com", "Age": "30"}
    created = row.post()
    assert created.status, created.results

    bad = FuelSDK.ET_DataExtension_Row()
    bad.auth_stub = fuel
    bad.CustomerKey = "fuel-people"
    bad.props = {"Key": "r2", "Age": "thirty"}
    refused = bad.post()
    assert not refused.status
    assert refused.results[0]["ErrorCode"] == 70000

    row.props = {"Key": "r1", "Age": "31"}
    patched = row.patch()
    assert patched.status, patched.results

    getter = FuelSDK.ET_DataExtension_Row()
    getter.auth_stub = fuel
    getter.CustomerKey = "fuel-people"  # get() looks the DE's Name up by its CustomerKey first
    getter.props = ["Key", "Email", "Age"]
    getter.search_filter = {"Property": "Age", "SimpleOperator": "greaterThan", "Value": "20"}
    got = getter.get()
    assert got.status, got.message
    assert len(got.results) == 1
    values = {p.Name: p.Value for p in got.results[0].Properties.Property}
    assert values == {"Key": "r1", "Email": "r1@example.com", "Age": "31"}

    # The hidden row key extraction tools always ask for: an integer, filterable, never writable.
    keyed = FuelSDK.ET_DataExtension_Row()
    keyed.auth_stub = fuel
    keyed.CustomerKey = "fuel-people"
    keyed.props = ["_CustomObjectKey", "Key"]
    rows = keyed.get()
    assert rows.status, rows.message
    row_key = {p.Name: p.Value for p in rows.results[0].Properties.Property}["_CustomObjectKey"]
    assert row_key.isdigit()
    keyed.search_filter = {"Property": "_CustomObjectKey", "SimpleOperator": "equals", "Value": row_key}
    assert [{p.Name: p.Value for p in r.Properties.Property}["Key"] for r in keyed.get().results] == ["r1"]
    writer = FuelSDK.ET_DataExtension_Row()
    writer.auth_stub = fuel
    writer.CustomerKey = "fuel-people"
    writer.props = {"Key": "r9", "Email": "r9@example.com", "_CustomObjectKey": "5"}
    assert not writer.post().status

    row.props = {"Key": "r1"}
    deleted = row.delete()
    assert deleted.status, deleted.results
    assert getter.get().results == []

    fields = FuelSDK.ET_DataExtension_Column()
    fields.auth_stub = fuel
    fields.props = ["Name", "FieldType"]
    fields.search_filter = {"Property": "DataExtension.CustomerKey", "SimpleOperator": "equals",
                            "Value": "fuel-people"}
    columns = fields.get()
    assert columns.status and [c["Name"] for c in columns.results] == ["Key", "Email", "Age"]
