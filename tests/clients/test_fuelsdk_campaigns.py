"""FuelSDK-Python's REST campaign helpers (ET_Campaign, ET_Campaign_Asset) against the emulator, unmodified:
create, get one and the collection (its paging reads `count` as the total), patch (FuelSDK posts the body
with its id to /hub/v1/campaigns), associate and remove an asset, delete."""

from __future__ import annotations

import FuelSDK
import pytest


@pytest.fixture
def fuel(server, fuel):
    server.reset()
    yield fuel
    server.reset()


def _helper(client, cls, props):
    obj = cls()
    obj.auth_stub = client
    obj.props = props
    return obj


def test_et_campaign_lifecycle(fuel):
    made = _helper(fuel, FuelSDK.ET_Campaign, {"name": "Fuel", "description": "d", "campaignCode": "fuel",
                                                "color": "0000ff", "favorite": False}).post()
    assert made.status, made.results
    campaign_id = made.results["id"]
    got = _helper(fuel, FuelSDK.ET_Campaign, {"id": campaign_id}).get()
    assert got.status and got.results["name"] == "Fuel"
    for i in range(2):
        _helper(fuel, FuelSDK.ET_Campaign, {"name": f"more{i}"}).post()
    page = _helper(fuel, FuelSDK.ET_Campaign, {"$page": "1", "$pageSize": "2"}).get()
    assert page.status and len(page.results["items"]) == 2 and page.more_results is True
    patched = _helper(fuel, FuelSDK.ET_Campaign, {"id": campaign_id, "name": "Fuel 2"}).patch()
    assert patched.status, patched.results
    assert _helper(fuel, FuelSDK.ET_Campaign, {"id": campaign_id}).get().results["name"] == "Fuel 2"
    assert _helper(fuel, FuelSDK.ET_Campaign, {}).get().results["count"] == 3  # the patch made no new one

    linked = _helper(fuel, FuelSDK.ET_Campaign_Asset, {"id": campaign_id, "ids": ["7897"], "type": "EMAIL"}).post()
    assert linked.status and linked.results[0]["itemID"] == 7897
    assets = _helper(fuel, FuelSDK.ET_Campaign_Asset, {"id": campaign_id}).get()
    assert assets.results["totalCount"] == 1
    link_id = linked.results[0]["id"]
    one = _helper(fuel, FuelSDK.ET_Campaign_Asset, {"id": campaign_id, "assetId": link_id}).get()
    assert one.results["type"] == "EMAIL"
    assert _helper(fuel, FuelSDK.ET_Campaign_Asset, {"id": campaign_id, "assetId": link_id}).delete().status
    assert _helper(fuel, FuelSDK.ET_Campaign, {"id": campaign_id}).delete().status
    assert _helper(fuel, FuelSDK.ET_Campaign, {"id": campaign_id}).get().status is False
