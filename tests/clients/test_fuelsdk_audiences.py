"""FuelSDK-Python against the emulator: subscribers (AddSubscriberToList) and data-extension rows."""

from __future__ import annotations

import pytest

FuelSDK = pytest.importorskip("FuelSDK")


@pytest.fixture(scope="module")
def fuel(server, tmp_path_factory):
    # Building a client loads the WSDL through suds: slow, so one per module. FuelSDK keeps its WSDL copy
    # (whose fault-XSD import names our port) in site-packages unless told otherwise: use a fresh file.
    params = server.fuel_params()
    params["wsdl_file_local_loc"] = str(tmp_path_factory.mktemp("fuel") / "ExactTargetWSDL.xml")
    return FuelSDK.ET_Client(params=params)


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
