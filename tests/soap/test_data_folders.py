"""DataFolder: the default tree, its rules, and CategoryID on DataExtension/Email/List, over raw SOAP."""

from __future__ import annotations

from tests.soap_helpers import NS, PARTNER, simple_filter, texts

FOLDER_PROPS = ["ID", "Name", "ContentType", "ParentFolder.ID", "CustomerKey", "IsEditable", "AllowChildren",
                "IsActive", "ObjectID"]


def _folders(soap, filter_xml: str = "") -> list[dict[str, str]]:
    resp = soap.retrieve("DataFolder", FOLDER_PROPS, filter_xml)
    out = []
    for r in resp.findall("p:Results", NS):
        out.append({"ID": r.findtext("p:ID", namespaces=NS), "Name": r.findtext("p:Name", namespaces=NS),
                    "ContentType": r.findtext("p:ContentType", namespaces=NS),
                    "Parent": r.findtext("p:ParentFolder/p:ID", namespaces=NS),
                    "IsEditable": r.findtext("p:IsEditable", namespaces=NS),
                    "AllowChildren": r.findtext("p:AllowChildren", namespaces=NS),
                    "CustomerKey": r.findtext("p:CustomerKey", namespaces=NS)})
    return out


def _root(soap, content_type: str) -> dict[str, str]:
    found = [f for f in _folders(soap, simple_filter("ContentType", "equals", content_type)) if f["Parent"] == "0"]
    assert len(found) == 1, found
    return found[0]


def _folder_xml(name: str, content_type: str, parent_id: str, key: str = "") -> str:
    key_xml = f"<CustomerKey>{key}</CustomerKey>" if key else ""
    return (f'<Objects xsi:type="DataFolder">{key_xml}<Name>{name}</Name><Description>d</Description>'
            f"<ContentType>{content_type}</ContentType><ParentFolder><ID>{parent_id}</ID></ParentFolder></Objects>")


def _call(soap, action: str, objects: str):
    return soap.call(action, f'<{action}Request xmlns="{PARTNER}">{objects}</{action}Request>')


def test_default_tree_has_one_system_root_per_content_type(soap):
    folders = _folders(soap)
    roots = {f["ContentType"]: f for f in folders if f["Parent"] == "0"}
    for content_type in ("dataextension", "email", "list", "template", "asset", "media", "queryactivity",
                         "importdefinition", "filterdefinition", "triggered_send"):
        assert content_type in roots, content_type
        assert roots[content_type]["IsEditable"] == "false"
    assert roots["dataextension"]["Name"] == "Data Extensions"
    assert roots["dataextension"]["CustomerKey"] == "dataextension_default"
    assert roots["list"]["Name"] == "my lists"
    shared = [f for f in folders if f["ContentType"] == "shared_dataextension"]
    assert shared and shared[0]["Parent"] == roots["shared_data"]["ID"]
    assert roots["shared_data"]["AllowChildren"] == "false"


def test_create_update_delete_with_rules(soap):
    de_root = _root(soap, "dataextension")
    made = _call(soap, "Create", _folder_xml("Mine", "dataextension", de_root["ID"], "mine"))
    assert texts(made, "p:Results/p:StatusMessage") == ["Folder created successfully."]
    new_id = texts(made, "p:Results/p:NewID")[0]
    assert int(new_id) > 0
    child = _call(soap, "Create", _folder_xml("Child", "dataextension", new_id))
    assert texts(child, "p:Results/p:StatusCode") == ["OK"]
    # Rules: wrong content type, missing parent, parent refusing children, no name, a taken key.
    email_root = _root(soap, "email")
    shared = _root(soap, "shared_data")
    bad = _call(soap, "Create", _folder_xml("X", "email", new_id) + _folder_xml("Y", "dataextension", "999999")
                + _folder_xml("Z", "shared_data", shared["ID"]) + _folder_xml("", "email", email_root["ID"])
                + _folder_xml("W", "dataextension", de_root["ID"], "mine")
                + _folder_xml("V", "", de_root["ID"]))
    assert texts(bad, "p:Results/p:ErrorCode") == ["396005", "396007", "396007", "396003", "396002", "396004"]
    # A system folder cannot be changed or deleted; a non-empty one cannot be deleted.
    upd = _call(soap, "Update", f'<Objects xsi:type="DataFolder"><ID>{de_root["ID"]}</ID><Name>N</Name></Objects>')
    assert texts(upd, "p:Results/p:ErrorCode") == ["396001"]
    rename = _call(soap, "Update", f'<Objects xsi:type="DataFolder"><ID>{new_id}</ID><Name>Renamed</Name></Objects>')
    assert texts(rename, "p:Results/p:StatusMessage") == ["Folder updated successfully."]
    cycle = _call(soap, "Update", f'<Objects xsi:type="DataFolder"><ID>{new_id}</ID>'
                                  f'<ParentFolder><ID>{texts(child, "p:Results/p:NewID")[0]}</ID></ParentFolder></Objects>')
    assert texts(cycle, "p:Results/p:ErrorCode") == ["396007"]
    refused = _call(soap, "Delete", f'<Objects xsi:type="DataFolder"><ID>{de_root["ID"]}</ID></Objects>'
                                    f'<Objects xsi:type="DataFolder"><ID>{new_id}</ID></Objects>')
    assert texts(refused, "p:Results/p:ErrorCode") == ["396001", "396001"]
    assert "sub-folders" in texts(refused, "p:Results/p:StatusMessage")[1]
    gone = _call(soap, "Delete", f'<Objects xsi:type="DataFolder"><ID>{texts(child, "p:Results/p:NewID")[0]}</ID>'
                                 f'</Objects><Objects xsi:type="DataFolder"><ID>{new_id}</ID></Objects>')
    assert texts(gone, "p:Results/p:StatusCode") == ["OK", "OK"]
    assert [f for f in _folders(soap) if f["Name"] in ("Renamed", "Child")] == []


DE = ('<Objects xsi:type="DataExtension"><CustomerKey>{key}</CustomerKey><Name>{key}</Name>{cat}'
      "<Fields><Field><Name>A</Name><FieldType>Text</FieldType></Field></Fields></Objects>")


def test_category_id_defaults_to_the_root_is_validated_and_retrievable(soap):
    de_root, list_root = _root(soap, "dataextension"), _root(soap, "list")
    made = soap.create(DE.format(key="plain", cat=""))
    assert texts(made, "p:Results/p:StatusCode") == ["OK"]
    got = soap.retrieve("DataExtension", ["CustomerKey", "CategoryID"], simple_filter("CustomerKey", "equals", "plain"))
    assert texts(got, "p:Results/p:CategoryID") == [de_root["ID"]]
    sub = texts(_call(soap, "Create", _folder_xml("Sub", "dataextension", de_root["ID"])), "p:Results/p:NewID")[0]
    placed = soap.create(DE.format(key="placed", cat=f"<CategoryID>{sub}</CategoryID>")
                         + DE.format(key="wrongtype", cat=f"<CategoryID>{list_root['ID']}</CategoryID>")
                         + DE.format(key="missing", cat="<CategoryID>987654</CategoryID>"))
    assert texts(placed, "p:Results/p:StatusCode") == ["OK", "Error", "Error"]
    assert texts(placed, "p:Results/p:ErrorCode") == ["310007", "310007"]
    got = soap.retrieve("DataExtension", ["CategoryID"], simple_filter("CategoryID", "equals", sub))
    assert texts(got, "p:Results/p:CategoryID") == [sub]
    # A folder that holds a DE cannot be deleted.
    refused = _call(soap, "Delete", f'<Objects xsi:type="DataFolder"><ID>{sub}</ID></Objects>')
    assert "not empty" in texts(refused, "p:Results/p:StatusMessage")[0]
    lists = soap.create('<Objects xsi:type="List"><ListName>L1</ListName></Objects>'
                        f'<Objects xsi:type="List"><ListName>L2</ListName><Category>{sub}</Category></Objects>'
                        '<Objects xsi:type="Email"><Name>E</Name><Subject>s</Subject><HTMLBody>h</HTMLBody>'
                        f"<CategoryID>{list_root['ID']}</CategoryID></Objects>")
    assert texts(lists, "p:Results/p:StatusCode") == ["OK", "Error", "Error"]
    assert texts(lists, "p:Results/p:ErrorCode") == ["13009", "4002"]
    got = soap.retrieve("List", ["ListName", "Category"], simple_filter("ListName", "equals", "L1"))
    assert texts(got, "p:Results/p:Category") == [list_root["ID"]]


def test_each_bu_has_its_own_tree(soap, mc):
    parent_roots = {f["ContentType"]: f["ID"] for f in _folders(soap) if f["Parent"] == "0"}
    child_mid = 100000002
    child = mc.emu.folders.root(child_mid, "dataextension")
    assert child is not None and str(child["ID"]) != parent_roots["dataextension"]
    assert mc.emu.folders.root(child_mid, "DataExtension")["ID"] == child["ID"]  # case-blind
