"""Data-extension rows over REST, synchronous: /hub/v1/dataevents rowset and row upserts, read back over SOAP
and REST, on the same rules as SOAP DataExtensionObject."""

from __future__ import annotations

from tests.audiences.test_data_extensions import DE_XML, row_xml
from tests.rest.conftest import assert_error
from tests.soap_helpers import texts

ROWSET = "/hub/v1/dataevents/key:people/rowset"


def soap_rows(soap, *props: str) -> list[dict[str, str]]:
    resp = soap.retrieve("DataExtensionObject[people]", list(props or ("Key", "Email", "Age", "Joined", "VIP")))
    out = []
    for result in resp.findall(".//{http://exacttarget.com/wsdl/partnerAPI}Results"):
        names = texts(result, "p:Properties/p:Property/p:Name")
        values = texts(result, "p:Properties/p:Property/p:Value")
        out.append({n: v or "" for n, v in zip(names, values, strict=True)})
    return out


def people(soap) -> str:
    """The People DE (Key primary, Email required, Age Number, Joined Date, VIP Boolean default false)."""
    return texts(soap.create(DE_XML), "p:Results/p:NewObjectID")[0]


def test_rowset_upserts_rows_soap_retrieve_sees(api, soap):
    people(soap)
    body = [{"keys": {"Key": "k1"}, "values": {"Email": "a@example.com", "Age": 41, "Joined": "2024-02-03T10:00:00Z",
                                               "VIP": True}},
            {"keys": {"key": "k2"}, "values": {"email": "b@example.com"}}]
    response = api.post(ROWSET, json=body)
    assert response.status_code == 200, response.text
    assert response.json() == body  # SFMC answers the rows as sent
    assert soap_rows(soap) == [
        {"Key": "k1", "Email": "a@example.com", "Age": "41", "Joined": "2/3/2024 10:00:00 AM", "VIP": "True"},
        {"Key": "k2", "Email": "b@example.com", "Age": "", "Joined": "", "VIP": "False"},
    ]
    # an upsert of an existing key (any case) changes only the columns it names
    again = api.post(ROWSET, json=[{"keys": {"KEY": "K1"}, "values": {"Age": "42"}}])
    assert again.status_code == 200, again.text
    rows = soap_rows(soap, "Key", "Email", "Age")
    assert len(rows) == 2 and rows[0]["Key"].casefold() == "k1"  # the same row (the key as last written, as SOAP)
    assert (rows[0]["Email"], rows[0]["Age"]) == ("a@example.com", "42")


def test_rowset_by_object_id_and_the_guid_check(api, soap):
    object_id = people(soap)
    ok = api.post(f"/hub/v1/dataevents/{object_id}/rowset",
                  json=[{"keys": {"Key": "x"}, "values": {"Email": "x@example.com"}}])
    assert ok.status_code == 200, ok.text
    assert [r["Key"] for r in soap_rows(soap, "Key")] == ["x"]
    assert_error(api.post("/hub/v1/dataevents/not-a-guid/rowset", json=[]), 400, 10001, "Parameter {guid} is invalid.")


def test_one_bad_row_fails_the_request_and_writes_nothing(api, soap):
    people(soap)
    soap.create(row_xml(Key="keep", Email="keep@example.com"))
    body = [{"keys": {"Key": "k1"}, "values": {"Email": "fine@example.com"}},
            {"keys": {"Key": "k2"}, "values": {"Email": "not-an-email", "Age": "old"}},
            {"keys": {"Key": "k3"}, "values": {"Nope": "x", "Email": "c@example.com"}},
            {"keys": {"Key": "k4"}, "values": {}}]
    error = assert_error(api.post(ROWSET, json=body), 400, 10006)
    assert error["message"] == f"Unable to save rows for data extension ID {texts_id(soap)}"
    messages = [e["message"] for e in error["additionalErrors"]]
    assert messages == [
        "Email: The value 'not-an-email' for field Email is not a valid email address.",
        "Age: The value 'old' for field Age is not a valid Number.",
        "Nope: The field Nope does not exist in data extension People.",
        "Email: The field Email is required and cannot be null.",
    ]
    assert {e["errorcode"] for e in error["additionalErrors"]} == {10000}
    assert [r["Key"] for r in soap_rows(soap, "Key")] == ["keep"]  # all or nothing


def texts_id(soap) -> str:
    resp = soap.retrieve("DataExtension", ["ObjectID"])
    return texts(resp, "p:Results/p:ObjectID")[0]


def test_keys_must_name_primary_key_columns(api, soap):
    people(soap)
    assert_error(api.post(ROWSET, json=[{"keys": {"Email": "a@example.com"}, "values": {"Key": "k"}}]), 400, 10000,
                 "Primary key 'Email' does not exist.")
    error = assert_error(api.post(ROWSET, json=[{"keys": {}, "values": {"Email": "a@example.com"}}]), 400, 10006)
    assert "primary key field Key must have a value" in error["additionalErrors"][0]["message"]
    assert soap_rows(soap) == []


def test_put_row_by_primary_key_upserts_and_answers_keys_and_values(api, soap):
    people(soap)
    put = api.request("PUT", "/hub/v1/dataevents/key:people/rows/Key:k9", json={"values": {"Email": "n@example.com",
                                                                                         "Age": 7}})
    assert put.status_code == 200, put.text
    assert put.json() == {"keys": {"Key": "k9"}, "values": {"Email": "n@example.com", "Age": 7}}
    again = api.request("PUT", "/hub/v1/dataevents/key:people/rows/key:K9", json={"values": {"Age": 8}})
    assert again.status_code == 200, again.text
    assert [(r["Key"].casefold(), r["Email"], r["Age"]) for r in soap_rows(soap, "Key", "Email", "Age")] == [
        ("k9", "n@example.com", "8")]
    bad = api.request("PUT", "/hub/v1/dataevents/key:people/rows/Key:k10", json={"values": {"VIP": "perhaps"}})
    assert_error(bad, 400, 10006)
    assert len(soap_rows(soap, "Key")) == 1


def test_put_row_by_id(api, soap):
    object_id = people(soap)
    put = api.request("PUT", f"/hub/v1/dataevents/{object_id}/rows/Key:byid", json={"values": {"Email": "i@x.io"}})
    assert put.status_code == 200, put.text
    assert soap_rows(soap, "Key") == [{"Key": "byid"}]


def test_unknown_data_extension_and_missing_scope(api, mc, soap):
    assert_error(api.post("/hub/v1/dataevents/key:nothing/rowset", json=[]), 404, 10000, "nothing")
    reader = type(api)(mc, scope="data_extensions_read")
    people(soap)
    assert reader.post(ROWSET, json=[]).status_code == 403
    assert reader.get("/data/v1/customobjectdata/key/people/rowset").status_code == 200
    writer = type(api)(mc, scope="data_extensions_write")
    assert writer.get("/data/v1/customobjectdata/key/people/rowset").status_code == 403


def test_soap_written_rows_read_back_over_rest(api, soap):
    people(soap)
    soap.create(row_xml(Key="s1", Email="s1@example.com", Joined="3/4/2024 1:05:00 PM", Age="5"))
    page = api.get("/data/v1/customobjectdata/key/people/rowset")
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["customObjectKey"] == "people" and body["count"] == 1 and body["page"] == 1
    assert body["pageSize"] == 2500 and body["top"] == 0
    assert body["links"]["self"] == f"/v1/customobjectdata/token/{body['requestToken']}/rowset?$page=1"
    assert body["items"] == [{"keys": {"key": "s1"}, "values": {
        "age": "5", "email": "s1@example.com", "joined": "3/4/2024 1:05:00 PM", "score": "", "vip": "False"}}]
