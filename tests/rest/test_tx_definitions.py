"""Transactional send definitions over REST: create/read/list/patch/delete, their errors, the queue and
the shared 500-per-7-days definition quota."""

from __future__ import annotations

import re

import pytest
import requests

from tests.rest.conftest import Api, assert_error, bearer_session, race

DEFS = "/messaging/v1/email/definitions"
DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:00$")


def body(key: str = "k1", **extra) -> dict:
    return {"definitionKey": key, "name": f"name {key}", "content": {"customerKey": "order-email"},
            "subscriptions": {"list": "All Subscribers"}, **extra}


@pytest.fixture
def api_asset(api: Api) -> Api:
    api.asset()
    return api


def test_create_answers_201_with_the_documented_fields_and_defaults(api_asset: Api):
    response = api_asset.post(DEFS + "/", json=body(description="Created via REST",
                                                    options={"cc": ["a@example.com", "b@example.com"],
                                                             "bcc": "c@example.com;d@example.com"}))
    assert response.status_code == 201, response.text
    got = response.json()
    assert list(got)[:10] == ["requestId", "name", "definitionKey", "definitionId", "description",
                              "classification", "status", "createdDate", "modifiedDate", "content"]
    assert got["classification"] == "Default Transactional" and got["status"] == "Active"
    assert got["subscriptions"] == {"list": "All Subscribers", "autoAddSubscriber": True, "updateSubscriber": True}
    assert got["options"] == {"trackLinks": True, "cc": ["a@example.com", "b@example.com"],
                              "bcc": ["c@example.com", "d@example.com"]}
    assert DATE.match(got["createdDate"]) and DATE.match(got["modifiedDate"])
    assert re.fullmatch(r"[0-9a-f-]{36}", got["definitionId"])
    again = api_asset.get(f"{DEFS}/k1").json()
    assert {k: v for k, v in again.items() if k != "requestId"} == {k: v for k, v in got.items() if k != "requestId"}


def test_an_email_object_is_valid_content(api: Api, mc):
    mc.emu.object_service.store_new(mc.parent_mid, "Email", {"CustomerKey": "soap-email", "Name": "E",
                                                             "Subject": "S", "HTMLBody": "<p>x</p>"})
    response = api.post(DEFS, json=body(content={"customerKey": "soap-email"}))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(("drop", "code", "field"), [
    ("definitionKey", 109107, "definitionKey"), ("name", 10002, "name"),
    ("content", 10002, "content.customerKey"), ("subscriptions", 10002, "subscriptions.list")])
def test_a_missing_required_field_is_a_400_naming_it(api_asset: Api, drop, code, field):
    sent = body()
    del sent[drop]
    assert_error(api_asset.post(DEFS, json=sent), 400, code, field)


@pytest.mark.parametrize(("change", "code", "word"), [
    ({"content": {"customerKey": "nope"}}, 10005, "content.customerKey"),
    ({"subscriptions": {"list": "no-such-list"}}, 10005, "subscriptions.list"),
    ({"subscriptions": {"list": "All Subscribers", "dataExtension": "no-de"}}, 10005, "dataExtension"),
    ({"classification": "Default Commercial"}, 109123, "transactional"),
    ({"classification": "missing"}, 10005, "classification"),
    ({"status": "paused"}, 10005, "status"),
    ({"name": 7}, 10001, "name"),
    ({"subscriptions": {"list": "All Subscribers", "autoAddSubscriber": "yes"}}, 109113, "autoAddSubscriber"),
    ({"subscriptions": {"list": "All Subscribers", "updateSubscriber": 1}}, 109125, "updateSubscriber"),
    ({"options": {"trackLinks": "no"}}, 109112, "trackLinks"),
    ({"options": {"cc": ["not-an-address"]}}, 109124, "cc"),
    ({"definitionKey": "x" * 37}, 10005, "definitionKey"),
])
def test_invalid_values_are_400_with_the_documented_code(api_asset: Api, change, code, word):
    assert_error(api_asset.post(DEFS, json={**body(), **change}), 400, code, word)


def test_malformed_json_is_400_10004(api_asset: Api):
    assert_error(api_asset.post(DEFS, data=b"{not json", headers={"Content-Type": "application/json"}),
                 400, 10004)


def test_duplicate_key_is_409_30004_and_duplicate_name_is_409(api_asset: Api):
    assert api_asset.post(DEFS, json=body()).status_code == 201
    assert_error(api_asset.post(DEFS, json=body()), 409, 30004, "MCMS_UTM_Runtime_ObjectAlreadyExists", "k1")
    assert_error(api_asset.post(DEFS, json={**body("k2"), "name": "name k1"}), 409, 30004, "name k1")


def test_no_token_expired_token_and_missing_scope(api_asset: Api, mc):
    assert_error(requests.post(mc.base_url + DEFS, json=body(), timeout=10), 401, 0, "Not Authorized")
    assert_error(requests.get(mc.base_url + DEFS, headers={"Authorization": "Bearer bogus"}, timeout=10), 401, 0)
    read_only = Api(mc, scope="email_read")
    assert_error(read_only.post(DEFS, json=body()), 403, 20001, "email_write")
    assert read_only.get(DEFS).status_code == 200
    mc.clock.advance(1201)
    assert_error(api_asset.get(DEFS), 401, 0)


def test_definitions_belong_to_their_business_unit(api_asset: Api, mc):
    assert api_asset.post(DEFS, json=body()).status_code == 201
    child = Api(mc, account_id=mc.child_mid)
    assert_error(child.get(f"{DEFS}/k1"), 404, 30003)
    assert child.get(DEFS).json()["definitions"] == []
    # the child BU has no asset 'order-email': the content reference is checked per BU
    assert_error(child.post(DEFS, json=body()), 400, 10005, "content.customerKey")


def test_list_pages_orders_and_filters(api_asset: Api):
    for i, key in enumerate(["c", "a", "b"]):
        assert api_asset.post(DEFS, json=body(key, status="Inactive" if i == 0 else "Active")).status_code == 201
    listed = api_asset.get(DEFS, params={"$orderBy": "definitionKey", "$pageSize": 2, "$page": 1}).json()
    assert [d["definitionKey"] for d in listed["definitions"]] == ["a", "b"]
    # count: the definitions on this page, not the total (docs/decisions.md)
    assert listed["count"] == 2 and listed["page"] == 1 and listed["pageSize"] == 2
    assert set(listed["definitions"][0]) == {"name", "definitionKey", "status", "createdDate", "modifiedDate",
                                            "content", "subscriptions"}
    assert "definitionId" not in listed["definitions"][0]
    second = api_asset.get(DEFS, params={"$orderBy": "definitionKey", "$pageSize": 2, "$page": 2}).json()
    assert [d["definitionKey"] for d in second["definitions"]] == ["c"] and second["count"] == 1
    desc = api_asset.get(DEFS, params={"$orderBy": "name desc"}).json()
    assert [d["definitionKey"] for d in desc["definitions"]] == ["c", "b", "a"]
    active = api_asset.get(DEFS, params={"$filter": "status eq active"}).json()
    assert sorted(d["definitionKey"] for d in active["definitions"]) == ["a", "b"]
    inactive = api_asset.get(DEFS, params={"$filter": "status neq active"}).json()
    assert [d["definitionKey"] for d in inactive["definitions"]] == ["c"]
    assert_error(api_asset.get(DEFS, params={"$filter": "name eq x"}), 400, 10005, "$filter")
    assert_error(api_asset.get(DEFS, params={"$orderBy": "bogus"}), 400, 10005, "$orderBy")
    assert_error(api_asset.get(DEFS, params={"$pageSize": "0"}), 400, 10005, "$pageSize")


def test_patch_updates_what_is_given_and_keeps_the_key(api_asset: Api):
    api_asset.post(DEFS, json=body(options={"bcc": ["x@example.com"]}))
    response = api_asset.patch(f"{DEFS}/k1", json={"status": "Inactive", "description": "updated",
                                                   "options": {"cc": []}})
    assert response.status_code == 200, response.text
    got = response.json()
    assert got["status"] == "Inactive" and got["description"] == "updated"
    assert got["options"] == {"trackLinks": True, "bcc": ["x@example.com"], "cc": []}
    assert got["definitionKey"] == "k1"
    assert_error(api_asset.patch(f"{DEFS}/k1", json={"definitionKey": "other"}), 400, 10005, "definitionKey")
    assert_error(api_asset.patch(f"{DEFS}/nope", json={"description": "x"}), 404, 30003)
    assert_error(api_asset.patch(f"{DEFS}/k1", json={"content": {"customerKey": "gone"}}), 400, 10005)
    flags = api_asset.patch(f"{DEFS}/k1", json={"subscriptions": {"autoAddSubscriber": False}}).json()
    assert flags["subscriptions"] == {"list": "All Subscribers", "autoAddSubscriber": False,
                                      "updateSubscriber": True}


def test_delete_archives_under_a_new_key_and_frees_the_old_one(api_asset: Api):
    api_asset.post(DEFS, json=body())
    response = api_asset.delete(f"{DEFS}/k1")
    assert response.status_code == 200
    got = response.json()
    assert got["message"] == "Success" and set(got) == {"requestId", "message", "deletedDefinitionKey"}
    assert got["deletedDefinitionKey"] != "k1"
    assert_error(api_asset.get(f"{DEFS}/k1"), 404, 30003)
    assert_error(api_asset.delete(f"{DEFS}/k1"), 404, 30003)
    archived = api_asset.get(f"{DEFS}/{got['deletedDefinitionKey']}").json()
    assert archived["status"] == "Deleted"
    deleted = api_asset.get(DEFS, params={"$filter": "status eq deleted"}).json()["definitions"]
    assert [d["definitionKey"] for d in deleted] == [got["deletedDefinitionKey"]]
    assert api_asset.post(DEFS, json=body()).status_code == 201  # the key (and name) can be reused


def test_queue_metrics_and_clearing(api_asset: Api, mc):
    api_asset.post(DEFS, json=body(status="Inactive"))
    for key in ("q1", "q2"):
        api_asset.send(key, definition="k1")
    mc.clock.advance(45)
    metrics = api_asset.get(f"{DEFS}/k1/queue").json()
    assert metrics["count"] == 2 and metrics["ageSeconds"] >= 45 and "requestId" in metrics
    cleared = api_asset.delete(f"{DEFS}/k1/queue")
    assert cleared.status_code == 200 and cleared.json()["message"] == "Queued"
    assert api_asset.get(f"{DEFS}/k1/queue").json()["count"] == 0
    status = api_asset.get("/messaging/v1/email/messages/q1").json()
    assert status["info"]["statusCode"] == 39 and status["info"]["statusMessage"] == "SubscriberQueueCleared"
    api_asset.patch(f"{DEFS}/k1", json={"status": "Active"})
    assert_error(api_asset.delete(f"{DEFS}/k1/queue"), 400, 30001,
                 "MCMS_UTM_Runtime_InvalidOperation: Definition status must be inactive to delete queue")
    assert_error(api_asset.get(f"{DEFS}/nope/queue"), 404, 30003)


# -- the definition quota -------------------------------------------------------------------------------

def test_the_501st_definition_is_refused_and_the_window_rolls(api_asset: Api, mc):
    mc.clock.freeze()
    for i in range(500):
        response = api_asset.post(DEFS, json=body(f"q{i}"))
        assert response.status_code == 201, (i, response.text)
    refused = assert_error(api_asset.post(DEFS, json=body("q500")), 400, 30001, "500", "7 days")
    assert refused["message"].startswith("MCMS_UTM_Runtime_InvalidOperation:")
    assert_error(api_asset.get(f"{DEFS}/q500"), 404, 30003)  # the refused create made nothing
    assert api_asset.get(DEFS, params={"$pageSize": 500}).json()["count"] == 500
    mc.clock.advance(7 * 86400 - 1)
    api_asset.refresh()
    assert api_asset.post(DEFS, json=body("q500")).status_code == 400  # still inside the window
    mc.clock.advance(2)
    api_asset.refresh()
    assert api_asset.post(DEFS, json=body("q500")).status_code == 201  # the first creations rolled out


def test_triggered_send_definitions_share_the_quota(api_asset: Api, mc):
    mc.emu.config.definition_quota = 3
    try:
        mc.emu.quota.reserve(mc.parent_mid, "triggered_send", "tsd-1")  # what a SOAP TSD Create does
        mc.emu.quota.reserve(mc.parent_mid, "triggered_send", "tsd-2")
        assert api_asset.post(DEFS, json=body("a")).status_code == 201
        assert_error(api_asset.post(DEFS, json=body("b")), 400, 30001, "3")
        # another BU has its own quota
        child = Api(mc, account_id=mc.child_mid)
        child.asset()
        assert child.post(DEFS, json=body("b")).status_code == 201
    finally:
        mc.emu.config.definition_quota = 500


def test_concurrent_creators_get_exactly_the_quota(api_asset: Api, mc):
    mc.emu.config.definition_quota = 20

    def create(i: int):
        session = bearer_session(api_asset.token)
        return lambda: session.post(mc.base_url + DEFS, json=body(f"c{i}"), timeout=30).status_code

    try:
        statuses = race([create(i) for i in range(50)])
    finally:
        mc.emu.config.definition_quota = 500
    assert sorted(statuses) == [201] * 20 + [400] * 30
    assert api_asset.get(DEFS).json()["count"] == 20
    assert mc.emu.quota.used(mc.parent_mid) == 20


def test_paging_parameter_names_match_in_any_case(api_asset: Api):
    """fuel-rest lower-cases whole URLs; SFMC matches the names case-insensitively (docs/decisions.md 11)."""
    for key in ("b", "a", "c"):
        assert api_asset.post(DEFS, json=body(key)).status_code == 201
    lowered = api_asset.get(DEFS + "?$pagesize=2&$page=2&$orderby=definitionkey").json()
    assert lowered["page"] == 2 and lowered["pageSize"] == 2
    upper = api_asset.get(DEFS + "?$PAGESIZE=1&$ORDERBY=definitionKey%20desc&$FILTER=status%20eq%20active").json()
    assert [d["definitionKey"] for d in upper["definitions"]] == ["c"] and upper["count"] == 1
