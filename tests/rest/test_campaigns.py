"""Campaigns and their assets (/hub/v1/campaigns), by plain requests and by sfmc-sdk's REST helper."""

from __future__ import annotations

import json

from tests.clients.node import run_node
from tests.rest.conftest import Api, assert_error

CAMPAIGNS = "/hub/v1/campaigns"
BODY = {"name": "Annual Sale", "description": "Yearly sale", "campaignCode": "annual", "color": "0000ff",
        "favorite": False}


def test_campaign_create_get_patch_list_delete(api: Api):
    created = api.post(CAMPAIGNS, json=BODY)
    assert created.status_code == 200, created.text
    campaign = created.json()
    assert isinstance(campaign["id"], str) and campaign["id"].isdigit()
    assert set(campaign) == {"id", "createdDate", "modifiedDate", "name", "description", "campaignCode",
                             "color", "favorite"}
    assert len(campaign["createdDate"]) == 19  # zone-less, as SFMC writes it
    assert api.get(f"{CAMPAIGNS}/{campaign['id']}").json() == campaign
    patched = api.patch(f"{CAMPAIGNS}/{campaign['id']}", json={"name": "Annual Sale 2013", "favorite": True}).json()
    assert (patched["name"], patched["favorite"], patched["campaignCode"]) == ("Annual Sale 2013", True, "annual")
    for i in range(3):
        api.post(CAMPAIGNS, json={**BODY, "name": f"c{i}"})
    page = api.get(CAMPAIGNS, params={"$page": 1, "$pageSize": 2, "$orderBy": "name desc"}).json()
    assert [c["name"] for c in page["items"]] == ["c2", "c1"]
    assert (page["count"], page["page"], page["pageSize"]) == (4, 1, 2)
    assert page["links"]["next"]["href"].startswith("/v1/campaigns?$page=2&$pagesize=2")
    lowered = api.get(CAMPAIGNS + "?$page=2&$pagesize=2&$orderby=name%20desc").json()
    assert [c["name"] for c in lowered["items"]] == ["c0", "Annual Sale 2013"]
    assert api.delete(f"{CAMPAIGNS}/{campaign['id']}").status_code == 200
    assert_error(api.get(f"{CAMPAIGNS}/{campaign['id']}"), 404, 30003)


def test_campaign_refusals(api: Api, mc):
    invalid = assert_error(api.get(f"{CAMPAIGNS}/abc"), 400, 10000)
    assert invalid["message"] == "Campaign ID is invalid"  # as SFMC answers (sfmc-sdk's captured fixture)
    assert_error(api.post(CAMPAIGNS, json={**BODY, "name": ""}), 400, 10002, "name")
    assert_error(api.post(CAMPAIGNS, json={**BODY, "name": "x" * 129}), 400, 10005, "128")
    assert_error(api.post(CAMPAIGNS, json={**BODY, "color": "blue"}), 400, 10005, "color")
    assert_error(api.post(CAMPAIGNS, json={**BODY, "favorite": "yes"}), 400, 10001, "favorite")
    assert_error(Api(mc, scope="email_read").get(CAMPAIGNS), 403, 20001, "campaign_read")
    assert api.get(CAMPAIGNS).json()["count"] == 0


def test_a_campaign_update_may_repeat_its_id_in_either_form_but_not_change_it(api: Api):
    campaign = api.post(CAMPAIGNS, json=BODY).json()
    url = f"{CAMPAIGNS}/{campaign['id']}"
    assert api.patch(url, json={"id": campaign["id"], "name": "a"}).json()["name"] == "a"
    assert api.patch(url, json={"id": int(campaign["id"]), "name": "b"}).json()["name"] == "b"
    assert_error(api.patch(url, json={"id": int(campaign["id"]) + 1, "name": "c"}), 400, 10005, "id cannot be changed")
    assert api.get(url).json()["name"] == "b"


def test_campaign_assets(api: Api):
    campaign = api.post(CAMPAIGNS, json=BODY).json()
    base = f"{CAMPAIGNS}/{campaign['id']}/assets"
    added = api.post(base, json={"ids": ["7897", "7888"], "type": "EMAIL"}).json()
    assert [(a["type"], a["itemID"], a["campaignId"]) for a in added] == [("EMAIL", 7897, int(campaign["id"])),
                                                                          ("EMAIL", 7888, int(campaign["id"]))]
    triggered = api.post(base, json={"ids": ["1bef7d61-cb0b-e111-bb7b-1c659d025f52"], "type": "TRIGGERED"}).json()
    assert triggered[0]["objectID"] == "1bef7d61-cb0b-e111-bb7b-1c659d025f52"
    listed = api.get(base).json()
    assert (listed["totalCount"], listed["page"], listed["pageSize"]) == (3, 1, 50)
    assert api.get(f"{base}/{added[0]['id']}").json() == added[0]
    assert api.delete(f"{base}/{added[0]['id']}").status_code == 200
    assert_error(api.get(f"{base}/{added[0]['id']}"), 404, 30003)
    assert_error(api.post(base, json={"ids": [], "type": "EMAIL"}), 400, 10002, "ids")
    assert_error(api.post(base, json={"ids": ["x1"], "type": "EMAIL"}), 400, 10005, "x1")
    other = api.post(CAMPAIGNS, json=BODY).json()
    assert_error(api.get(f"{CAMPAIGNS}/{other['id']}/assets/{added[1]['id']}"), 404, 30003)
    api.delete(f"{CAMPAIGNS}/{campaign['id']}")
    assert_error(api.get(base), 404, 30003)


SDK_SCRIPT = """
import SDK from 'sfmc-sdk';
const env = JSON.parse(process.env.EMU);
const sdk = new SDK({client_id: env.client_id, client_secret: env.client_secret,
  auth_url: 'https://mcaaaaaaaaaaaaaaaaaaaaaaaaaa.auth.marketingcloudapis.com/', account_id: env.mid},
  {requestAttempts: 1, retryOnConnectionError: false});
sdk.auth.authObject.auth_url = env.base + '/';  // the SDK insists on the real host's shape
const made = await sdk.rest.post('/hub/v1/campaigns', {name: 'sdk', description: 'd', campaignCode: 'c',
                                                       color: 'ff0000', favorite: false});
for (let i = 0; i < 3; i++) await sdk.rest.post('/hub/v1/campaigns', {name: 'p' + i});
const all = await sdk.rest.getBulk('/hub/v1/campaigns', 2);
const root = (await sdk.rest.get('/asset/v1/content/categories')).items[0];
const folder = await sdk.rest.post('/asset/v1/content/categories', {name: 'SDK', parentId: root.id});
for (let i = 0; i < 3; i++) await sdk.rest.post('/asset/v1/content/assets',
    {name: 'a' + i, assetType: {id: 197}, content: 'x', category: {id: folder.id}});
const assets = await sdk.rest.getBulk('/asset/v1/content/assets', 2);
const query = await sdk.rest.post('/asset/v1/content/assets/query',
    {query: {property: 'category.id', simpleOperator: 'equal', value: folder.id}});
console.log(JSON.stringify({made, names: all.items.map(c => c.name), assets: assets.items.map(a => a.name),
                            category: assets.items[0].category, query: query.count}));
"""


def test_sfmc_sdk_rest_campaigns_categories_assets(mc):
    env = {"EMU": json.dumps({"client_id": mc.client_id, "client_secret": mc.client_secret, "base": mc.base_url,
                              "mid": mc.parent_mid})}
    out = run_node(SDK_SCRIPT, env)
    assert out["made"]["name"] == "sdk"
    # getBulk pages on count (the total) with $pageSize=2; the default order is ModifiedDate DESC
    assert out["names"] == ["p2", "p1", "p0", "sdk"]
    assert out["assets"] == ["a0", "a1", "a2"]
    assert out["category"]["name"] == "SDK" and out["query"] == 3


def test_default_order_and_association_types(api: Api, mc):
    made = {}
    for name in ("first", "second", "third"):
        made[name] = api.post(CAMPAIGNS, json={"name": name}).json()
        mc.clock.advance(5)
    api.patch(f"{CAMPAIGNS}/{made['second']['id']}", json={"description": "touched"})
    names = [c["name"] for c in api.get(CAMPAIGNS).json()["items"]]
    assert names == ["second", "third", "first"]  # ModifiedDate DESC, neither id nor creation order
    first = made["first"]
    base = f"{CAMPAIGNS}/{first['id']}/assets"
    auto = api.post(base, json={"ids": ["5e8baeea-1cf8-4c84-bf09-655a66afa2d5"], "type": "automation_definition"})
    assert auto.json()[0]["type"] == "AUTOMATION_DEFINITION" and "objectID" in auto.json()[0]
    assert_error(api.post(base, json={"ids": ["1"], "type": "POSTCARD"}), 400, 10005, "type")
    assert_error(api.post(base, json={"ids": ["1"]}), 400, 10002, "type")
    assert_error(api.post(base, json={"ids": ["not-a-number"], "type": "EMAIL"}), 400, 10005, "not-a-number")
