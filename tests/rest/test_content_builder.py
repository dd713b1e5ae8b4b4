"""Content Builder: categories (a root per BU, paging, $filter=parentId, refusals), assets answering their
category as {id, name, parentId}, the asset list ($page/$pageSize/$orderBy/$filter, parameter names in any
case) and query body, content blocks and templates as asset types, and ContentBlockBy* in a sent email."""

from __future__ import annotations

from tests.rest.conftest import Api, assert_error

ASSETS, CATS = "/asset/v1/content/assets", "/asset/v1/content/categories"


def block(api: Api, name: str, content: str, key: str | None = None, category: int | None = None,
          type_id: int = 197) -> dict:
    body = {"name": name, "assetType": {"id": type_id}, "content": content}
    if key:
        body["customerKey"] = key
    if category:
        body["category"] = {"id": category}
    response = api.post(ASSETS, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_every_bu_has_a_root_category_and_children_page_and_filter(api: Api):
    listed = api.get(CATS).json()
    [root] = listed["items"]
    assert (root["name"], root["parentId"], root["categoryType"]) == ("Content Builder", 0, "asset")
    assert set(root) == {"id", "description", "enterpriseId", "memberId", "name", "parentId", "categoryType"}
    made = [api.post(CATS, json={"Name": f"f{i}", "ParentId": root["id"]}).json() for i in range(3)]
    sub = api.post(CATS, json={"name": "sub", "parentId": made[0]["id"]}).json()
    assert sub["parentId"] == made[0]["id"] and api.get(f"{CATS}/{sub['id']}").json() == sub
    children = api.get(CATS, params={"$filter": f"parentId eq {root['id']}", "$pagesize": 2,
                                     "$orderby": "name desc"}).json()
    assert [c["name"] for c in children["items"]] == ["f2", "f1"]
    assert (children["count"], children["page"], children["pageSize"]) == (3, 1, 2)
    assert_error(api.get(CATS, params={"$filter": "name eq 'x'"}), 400, 10005, "name")
    other = Api(api.mc, account_id=api.mc.child_mid)
    assert [c["name"] for c in other.get(CATS).json()["items"]] == ["Content Builder"]
    assert other.get(f"{CATS}/{sub['id']}").status_code == 404


def test_category_rules(api: Api):
    root = api.get(CATS).json()["items"][0]
    folder = api.post(CATS, json={"name": "Emails", "parentId": root["id"]}).json()
    dup = assert_error(api.post(CATS, json={"name": "Emails", "parentId": root["id"]}), 400, 118090)
    assert dup["message"] == f"Category already exists with name: Emails under parentId: {root['id']}"
    assert_error(api.post(CATS, json={"name": "x", "parentId": 999999}), 400, 10005, "999999")
    assert_error(api.post(CATS, json={"parentId": root["id"]}), 400, 10002, "Name")
    child = api.post(CATS, json={"name": "Child", "parentId": folder["id"]}).json()
    assert_error(api.request("PUT", f"{CATS}/{folder['id']}", json={"name": "Emails", "parentId": child["id"]}),
                 400, 10005, "itself")
    renamed = api.request("PUT", f"{CATS}/{child['id']}", json={"id": child["id"], "name": "Renamed",
                                                                 "parentId": root["id"]}).json()
    assert (renamed["name"], renamed["parentId"]) == ("Renamed", root["id"])
    asset = block(api, "b", "<b>x</b>", category=folder["id"])
    assert_error(api.delete(f"{CATS}/{folder['id']}"), 400, 30001, "not empty")
    assert_error(api.delete(f"{CATS}/{root['id']}"), 400, 10005, "root")
    api.delete(f"{ASSETS}/{asset['id']}")
    assert api.delete(f"{CATS}/{folder['id']}").status_code == 200
    assert api.get(f"{CATS}/{folder['id']}").status_code == 404


def test_assets_answer_their_category_and_names_are_unique_per_category_and_type(api: Api):
    root = api.get(CATS).json()["items"][0]
    folder = api.post(CATS, json={"name": "Blocks", "parentId": root["id"]}).json()
    plain = block(api, "Header", "<h1>hi</h1>")
    assert plain["category"] == {"id": root["id"], "name": "Content Builder", "parentId": 0}
    assert plain["assetType"] == {"id": 197, "name": "htmlblock", "displayName": "HTML Block"}
    placed = block(api, "Header", "<h1>hi</h1>", category=folder["id"])  # same name, another category: fine
    assert placed["category"] == {"id": folder["id"], "name": "Blocks", "parentId": root["id"]}
    refused = assert_error(api.post(ASSETS, json={"name": "Header", "assetType": {"id": 197}}), 400, 10006)
    assert refused["validationErrors"][0]["errorcode"] == 118039
    assert block(api, "Header", "x", type_id=196)["assetType"]["name"] == "textblock"  # another type: fine
    assert_error(api.post(ASSETS, json={"name": "n", "assetType": {"id": 197}, "category": {"id": 424242}}),
                 400, 10005, "424242")
    for type_id, name in ((195, "freeformblock"), (4, "template"), (207, "templatebasedemail")):
        assert block(api, f"t{type_id}", "c", type_id=type_id)["assetType"]["name"] == name


def test_an_asset_update_may_repeat_its_id_but_not_change_it(api: Api):
    asset = block(api, "Header", "<h1>hi</h1>")
    url = f"{ASSETS}/{asset['id']}"
    assert api.patch(url, json={"id": asset["id"], "name": "a"}).json()["name"] == "a"
    assert_error(api.patch(url, json={"id": asset["id"] + 1, "name": "b"}), 400, 10005, "id cannot be changed")
    assert api.patch(url, json={"id": str(asset["id"]), "name": "c"}).status_code == 400  # ids are numbers here
    assert api.get(url).json()["name"] == "a"


def test_asset_list_pages_orders_and_filters(api: Api):
    for i, name in enumerate(["beta", "alpha", "gamma hello world", "delta"]):
        block(api, name, f"c{i}", key=f"k{i}", type_id=197 if i % 2 else 196)
    page = api.get(ASSETS, params={"$page": 1, "$pageSize": 2, "$orderBy": "name asc"}).json()
    assert [a["name"] for a in page["items"]] == ["alpha", "beta"]
    assert (page["count"], page["page"], page["pageSize"]) == (4, 1, 2)
    lowered = api.get(ASSETS + "?$page=2&$pagesize=2&$orderby=name%20asc").json()  # fuel-rest's spelling
    assert [a["name"] for a in lowered["items"]] == ["delta", "gamma hello world"]
    like = api.get(ASSETS, params={"$filter": "Name like 'hello world'"}).json()
    assert [a["name"] for a in like["items"]] == ["gamma hello world"]
    typed = api.get(ASSETS, params={"$filter": "assetType.id eq 197", "$orderBy": "id desc"}).json()
    assert [a["customerKey"] for a in typed["items"]] == ["k3", "k1"]
    first = page["items"][0]["id"]
    assert api.get(ASSETS, params={"$filter": f"id gt {first}"}).json()["count"] == 2
    assert api.get(ASSETS, params={"$filter": "name neq 'beta'"}).json()["count"] == 3
    assert_error(api.get(ASSETS, params={"$filter": "name eq 'a' and id eq 1"}), 400, 10005, "query")
    assert_error(api.get(ASSETS, params={"$filter": "name lt 'a'"}), 400, 10005, "numbers")
    assert_error(api.get(ASSETS, params={"$filter": "bogus eq 1"}), 400, 10005, "bogus")
    assert_error(api.get(ASSETS, params={"$pageSize": 0}), 400, 10005, "$pageSize")


def test_asset_query_body(api: Api):
    made = [block(api, f"q{i}", f"c{i}", type_id=197 if i < 3 else 208) for i in range(5)]
    body = {"page": {"page": 1, "pageSize": 2},
            "query": {"leftOperand": {"property": "assetType.name", "simpleOperator": "equal", "value": "htmlblock"},
                      "logicalOperator": "OR",
                      "rightOperand": {"property": "id", "simpleOperator": "in", "value": [made[4]["id"]]}},
            "sort": [{"property": "id", "direction": "DESC"}], "fields": ["content"]}
    found = api.post(f"{ASSETS}/query", json=body).json()
    assert (found["count"], found["pageSize"]) == (4, 2)
    assert [a["id"] for a in found["items"]] == [made[4]["id"], made[2]["id"]]
    assert "content" in found["items"][1] and "views" not in found["items"][1]
    assert found["items"][1]["category"]["name"] == "Content Builder"
    starts = api.post(f"{ASSETS}/query", json={"query": {"property": "name", "simpleOperator": "startsWith",
                                                         "value": "q1"}}).json()
    assert [a["name"] for a in starts["items"]] == ["q1"] and "content" not in starts["items"][0]
    assert_error(api.post(f"{ASSETS}/query", json={"query": {"property": "name", "simpleOperator": "nope"}}),
                 400, 10005, "simpleOperator")
    assert_error(api.post(f"{ASSETS}/query", json={"query": {"leftOperand": {}, "logicalOperator": "XOR"}}),
                 400, 10005, "logicalOperator")


def test_content_blocks_are_included_when_an_email_is_sent(api: Api, mc):
    root = api.get(CATS).json()["items"][0]
    folder = api.post(CATS, json={"name": "Shared", "parentId": root["id"]}).json()
    footer = block(api, "Footer", "<small>Bye %%FirstName%%</small>", category=folder["id"])
    block(api, "Header", '<h1>Hi</h1>%%=ContentBlockByName("Content Builder\\Shared\\Footer")=%%', key="hdr")
    block(api, "Loop", '[%%=ContentBlockByKey("loop")=%%]', key="loop")  # includes itself
    api.asset("with-blocks", views={
        "subjectline": {"content": "Blocks"},
        "html": {"content": '%%=ContentBlockByKey("hdr")=%%|%%=ContentBlockById(' + str(footer["id"])
                            + ')=%%|%%=ContentBlockByKey("loop")=%%|%%=ContentBlockByKey("missing")=%%'}})
    api.definition("blocks-def", content="with-blocks")
    assert api.send("b-1", definition="blocks-def", attributes={"FirstName": "Ann"}).status_code == 202
    [message] = mc.outbox(message_key="b-1")
    assert message["html"] == ("<h1>Hi</h1><small>Bye Ann</small>|<small>Bye Ann</small>|[]|")
