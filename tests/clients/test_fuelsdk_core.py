"""FuelSDK-Python (salesforce-fuelsdk-sans) in both auth modes against the emulator's generic object API."""

from __future__ import annotations

import FuelSDK
import pytest

from tests.soap_helpers import PARTNER

# suds builds every request object from the 4,500-line WSDL: seconds per FuelSDK call, so these are slow.
pytestmark = pytest.mark.slow


def _post(client, cls, props):
    obj = cls()
    obj.auth_stub = client
    obj.props = props
    return obj.post()


def _get(client, cls, props, search_filter=None):
    obj = cls()
    obj.auth_stub = client
    obj.props = props
    if search_filter:
        obj.search_filter = search_filter
    return obj


@pytest.mark.parametrize("mode", ["fuel", "fuel_legacy"])
def test_list_create_and_filtered_retrieve(mode, request, mc):
    client = request.getfixturevalue(mode)
    created = _post(client, FuelSDK.ET_List, {"ListName": "Newsletter", "CustomerKey": "news", "Description": "x"})
    assert created.status is True and created.code == 200
    assert created.results[0].StatusCode == "OK"
    new_id = created.results[0].NewID
    assert new_id > 0
    getter = _get(client, FuelSDK.ET_List, ["ID", "ListName", "CustomerKey"],
                  {"Property": "CustomerKey", "SimpleOperator": "equals", "Value": "news"})
    got = getter.get()
    assert got.status is True
    assert [(r.ID, r.ListName) for r in got.results] == [(new_id, "Newsletter")]


def test_email_senderprofile_and_folder(fuel, mc):
    email = _post(fuel, FuelSDK.ET_Email, {"CustomerKey": "welcome", "Name": "Welcome", "Subject": "Hi %%FirstName%%",
                                           "HTMLBody": "<p>Hello</p>", "EmailType": "HTML", "IsHTMLPaste": True})
    assert email.results[0].StatusCode == "OK" and email.results[0].NewID > 0
    profile = FuelSDK.ET_Post(fuel, "SenderProfile", {"CustomerKey": "sp", "Name": "Support",
                                                      "FromName": "Support", "FromAddress": "support@example.com"})
    assert profile.status is True and profile.results[0].StatusMessage == "SenderProfile created"
    assert profile.results[0].NewObjectID
    roots = _get(fuel, FuelSDK.ET_Folder, ["ID", "Name", "ContentType", "ParentFolder.ID", "IsEditable"],
                 {"LeftOperand": {"Property": "ContentType", "SimpleOperator": "equals", "Value": "email"},
                  "LogicalOperator": "AND",
                  "RightOperand": {"Property": "ParentFolder.ID", "SimpleOperator": "equals", "Value": "0"}}).get()
    assert roots.status is True and [(r.Name, r.IsEditable) for r in roots.results] == [("my emails", False)]
    folder = _post(fuel, FuelSDK.ET_Folder, {"CustomerKey": "f1", "Name": "Folder one", "Description": "d",
                                             "ContentType": "email", "IsActive": True, "IsEditable": True,
                                             "AllowChildren": True, "ParentFolder": {"ID": roots.results[0].ID}})
    assert folder.results[0].StatusMessage == "Folder created successfully."
    orphan = _post(fuel, FuelSDK.ET_Folder, {"Name": "No parent", "ContentType": "email", "ParentFolder": {"ID": 0}})
    assert orphan.status is False and orphan.results[0].ErrorCode == 396007
    children = _get(fuel, FuelSDK.ET_Folder, ["ID", "Name", "ParentFolder.ID"],
                    {"Property": "ParentFolder.ID", "SimpleOperator": "equals", "Value": str(roots.results[0].ID)}).get()
    assert [(c.Name, c.ParentFolder.ID) for c in children.results] == [("Folder one", roots.results[0].ID)]
    emails = _get(fuel, FuelSDK.ET_Email, ["ID", "Name", "Subject"],
                  {"Property": "Name", "SimpleOperator": "like", "Value": "Welc"}).get()
    assert [e.Subject for e in emails.results] == ["Hi %%FirstName%%"]
    profiles = FuelSDK.ET_Get(fuel, "SenderProfile", ["CustomerKey", "FromAddress"],
                              {"Property": "CustomerKey", "SimpleOperator": "IN", "Value": ["sp", "Default"]})
    assert sorted(p.CustomerKey for p in profiles.results) == ["Default", "sp"]


def test_duplicate_customer_key_is_an_error_result(fuel, mc):
    first = _post(fuel, FuelSDK.ET_List, {"ListName": "A", "CustomerKey": "dup"})
    second = _post(fuel, FuelSDK.ET_List, {"ListName": "B", "CustomerKey": "dup"})
    assert first.status is True
    assert second.status is False
    assert second.results[0].StatusCode == "Error"
    assert second.results[0].ErrorCode == 1


def test_paging_past_2500_with_continue_request(fuel, mc, soap):
    for start in range(0, 2600, 650):
        objects = "".join(f'<Objects xsi:type="List"><CustomerKey>page-{i}</CustomerKey><ListName>Page {i}</ListName>'
                          "</Objects>" for i in range(start, start + 650))
        soap.create(objects)
    getter = _get(fuel, FuelSDK.ET_List, ["ID", "CustomerKey"],
                  {"Property": "CustomerKey", "SimpleOperator": "like", "Value": "page-"})
    first = getter.get()
    assert first.code == 200 and first.more_results is True
    assert len(first.results) == 2500
    rest = getter.getMoreResults()
    assert rest.more_results is False
    keys = {r.CustomerKey for r in first.results} | {r.CustomerKey for r in rest.results}
    assert len(keys) == 2600


def test_business_units_are_invisible_to_each_other(fuel, fuel_child, mc, soap):
    _post(fuel_child, FuelSDK.ET_List, {"ListName": "Child only", "CustomerKey": "child-list"})
    _post(fuel, FuelSDK.ET_List, {"ListName": "Parent only", "CustomerKey": "parent-list"})
    parent_view = _get(fuel, FuelSDK.ET_List, ["ListName"]).get()
    child_view = _get(fuel_child, FuelSDK.ET_List, ["ListName"]).get()
    assert "Child only" not in {r.ListName for r in parent_view.results}
    assert {r.ListName for r in child_view.results} == {"All Subscribers", "Child only"}
    # The same CustomerKey may exist once per BU.
    again = _post(fuel_child, FuelSDK.ET_List, {"ListName": "Parent key in child", "CustomerKey": "parent-list"})
    assert again.status is True
    # The parent sees its children's objects only when it asks for all accounts.
    everything = soap.call("Retrieve", f'<RetrieveRequestMsg xmlns="{PARTNER}"><RetrieveRequest>'
                           "<ObjectType>List</ObjectType><Properties>ListName</Properties>"
                           "<QueryAllAccounts>true</QueryAllAccounts></RetrieveRequest></RetrieveRequestMsg>")
    names = [e.text for e in everything.iter(f"{{{PARTNER}}}ListName")]
    assert "Child only" in names and "Parent only" in names
