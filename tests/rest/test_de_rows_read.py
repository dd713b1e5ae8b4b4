"""GET /data/v1/customobjectdata/.../rowset: SFMC's page shape, $page/$pageSize, $orderBy, $filter (operators,
types, dates) and the requestToken continuation."""

from __future__ import annotations

import pytest

from tests.rest.conftest import assert_error
from tests.rest.test_de_rows import people

READ = "/data/v1/customobjectdata/key/people/rowset"


@pytest.fixture
def filled(api, soap):
    """People rows p00..p29: Age = i, VIP on odd i, Joined on day i+1 of January 2024 (p00..p29)."""
    object_id = people(soap)
    rows = [{"keys": {"Key": f"p{i:02d}"}, "values": {"Email": f"p{i}@example.com", "Age": i, "VIP": i % 2 == 1,
                                                      "Joined": f"1/{i + 1}/2024 {i % 12 + 1}:00:00 PM"}}
            for i in range(30)]
    response = api.post("/hub/v1/dataevents/key:people/rowset", json=rows)
    assert response.status_code == 200, response.text
    return object_id


def keys(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["keys"]["key"] for item in response.json()["items"]]


def test_pages_and_the_token_continuation(api, filled):
    first = api.get(READ, params={"$pageSize": 12})
    body = first.json()
    assert (body["page"], body["pageSize"], body["count"]) == (1, 12, 30)
    assert body["customObjectId"] == filled and body["customObjectKey"] == "people"
    assert body["links"]["next"] == f"/v1/customobjectdata/token/{body['requestToken']}/rowset?$page=2"
    seen = keys(first)
    link = body["links"].get("next")
    while link:
        page = api.get(f"/data{link}")
        seen += keys(page)
        link = page.json()["links"].get("next")
        assert page.json()["pageSize"] == 12
    assert seen == [f"p{i:02d}" for i in range(30)]  # every row once, insertion order
    assert keys(api.get(READ, params={"$page": 3, "$pageSize": 12})) == [f"p{i}" for i in range(24, 30)]
    assert keys(api.get(READ, params={"$page": 9, "$pageSize": 12})) == []
    assert_error(api.get("/data/v1/customobjectdata/token/00000000-0000-0000-0000-000000000000/rowset"), 404, 10000)


def test_by_id_and_paging_parameter_checks(api, filled):
    assert len(keys(api.get(f"/data/v1/customobjectdata/{filled}/rowset"))) == 30
    assert_error(api.get(READ, params={"$pageSize": 0}), 400, 10000, "$pageSize")
    assert_error(api.get(READ, params={"$page": "two"}), 400, 10000, "$page")
    assert_error(api.get(READ, params={"$pageSize": 2501}), 400, 10000)


def test_order_by(api, filled):
    assert keys(api.get(READ, params={"$orderBy": "Age desc", "$pageSize": 3})) == ["p29", "p28", "p27"]
    by_vip = keys(api.get(READ, params={"$orderBy": "VIP desc, age DESC", "$pageSize": 2}))
    assert by_vip == ["p29", "p27"]
    assert keys(api.get(READ, params={"$orderBy": "Joined", "$pageSize": 2})) == ["p00", "p01"]
    assert_error(api.get(READ, params={"$orderBy": "Shoe asc"}), 400, 10000, "Shoe")


@pytest.mark.parametrize(("expression", "expected"), [
    ("Age eq 5", ["p05"]),
    ("age gt 26", ["p27", "p28", "p29"]),
    ("Age ge 28 or Age lt 1", ["p00", "p28", "p29"]),
    ("Age lte 3 and VIP eq true", ["p01", "p03"]),
    ("not (Age gt 1)", ["p00", "p01"]),
    ("(Age lt 2 or Age gt 28) and VIP eq 'True'", ["p01", "p29"]),
    ("Email eq 'P7@EXAMPLE.COM'", ["p07"]),  # text compares case-insensitively
    ("Email like 'p2%'", ["p02"] + [f"p{i}" for i in range(20, 30)]),
    ("Key ne 'p00' and Age lt 2", ["p01"]),
    ('"Age" neq 0 and [Age] lt 2', ["p01"]),
    ("Joined lt '2024-01-03'", ["p00", "p01"]),  # dates as dates, ISO accepted
    ("Joined ge '1/29/2024 5:00 PM'", ["p28", "p29"]),
    ("Joined eq '1/2/2024 2:00:00 PM'", ["p01"]),
    ("Score eq null and Age eq 0", ["p00"]),
])
def test_filter(api, filled, expression, expected):
    assert sorted(keys(api.get(READ, params={"$filter": expression}))) == sorted(expected)


@pytest.mark.parametrize("expression", [
    "Shoe eq 1", "Age eq 'old'", "Age bigger 3", "Age eq", "(Age eq 1", "Age eq 1 and", "Joined gt 'soon'",
    "Age gt null", "Email eq 'unterminated", "and",
])
def test_bad_filter_is_a_400(api, filled, expression):
    assert_error(api.get(READ, params={"$filter": expression}), 400, 10000, "$filter")


def test_filter_count_and_continuation_keep_the_query(api, filled):
    first = api.get(READ, params={"$filter": "VIP eq true", "$orderBy": "Age desc", "$pageSize": 10}).json()
    assert first["count"] == 15
    second = api.get(f"/data{first['links']['next']}").json()
    assert [i["keys"]["key"] for i in second["items"]] == ["p09", "p07", "p05", "p03", "p01"]
    assert "next" not in second["links"]


def test_values_are_strings_lower_cased_alphabetical(api, soap):
    people(soap)
    api.post("/hub/v1/dataevents/key:people/rowset", json=[{"keys": {"Key": "a"}, "values": {
        "Email": "a@example.com", "Score": 1.5, "VIP": True, "Joined": "2024-05-06"}}])
    item = api.get(READ).json()["items"][0]
    assert list(item["values"]) == ["age", "email", "joined", "score", "vip"]
    assert item["values"] == {"age": "", "email": "a@example.com", "joined": "5/6/2024 12:00:00 AM", "score": "1.50",
                              "vip": "True"}


def test_rows_of_another_business_unit_are_not_seen(api, mc, soap, filled):
    child = type(api)(mc, account_id=mc.child_mid)
    assert child.get(READ).status_code == 404
