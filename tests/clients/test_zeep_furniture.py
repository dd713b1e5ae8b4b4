"""zeep on the served WSDL: folders (DataFolder), DE rows' _CustomObjectKey and ListSend, typed as the WSDL
declares them (zeep refuses an answer that does not fit its types)."""

from __future__ import annotations

from tests.audiences.test_data_extensions import DE_XML, row_xml


def _retrieve(partner, object_type, properties, filter_part=None):
    request = partner.get_type("ns0:RetrieveRequest")(ObjectType=object_type, Properties=properties,
                                                       Filter=filter_part)
    return partner.service.Retrieve(request)


def test_folders_create_under_the_root_and_category_id(zeep_client):
    partner = zeep_client
    part = partner.get_type("ns0:SimpleFilterPart")
    roots = _retrieve(partner, "DataFolder", ["ID", "Name", "ContentType", "ParentFolder.ID", "IsEditable"],
                      part(Property="ContentType", SimpleOperator="equals", Value=["list"]))
    assert roots.OverallStatus == "OK"
    [root] = [r for r in roots.Results if r.ParentFolder.ID == 0]
    assert (root.Name, root.IsEditable) == ("my lists", False)
    folder_type = partner.get_type("ns0:DataFolder")
    made = partner.service.Create(partner.get_type("ns0:CreateOptions")(), [folder_type(
        Name="Zeep lists", Description="z", ContentType="list", ParentFolder=folder_type(ID=root.ID))])
    assert made.Results[0].StatusMessage == "Folder created successfully."
    folder_id = made.Results[0].NewID
    lst = partner.get_type("ns0:List")
    created = partner.service.Create(partner.get_type("ns0:CreateOptions")(),
                                     [lst(ListName="In folder", Category=folder_id), lst(ListName="Default")])
    assert [r.StatusCode for r in created.Results] == ["OK", "OK"]
    got = _retrieve(partner, "List", ["ListName", "Category"],
                    part(Property="ListName", SimpleOperator="IN", Value=["In folder", "Default"]))
    assert sorted((r.ListName, r.Category) for r in got.Results) == [("Default", root.ID), ("In folder", folder_id)]
    gone = partner.service.Delete(partner.get_type("ns0:DeleteOptions")(), [folder_type(ID=folder_id)])
    assert gone.Results[0].StatusCode == "Error" and gone.Results[0].ErrorCode == 396001


def test_rows_with_custom_object_key_and_list_send(zeep_client, soap):
    soap.create(DE_XML)
    soap.create(row_xml(Key="a", Email="a@example.com") + row_xml(Key="b", Email="b@example.com"))
    partner = zeep_client
    rows = _retrieve(partner, "DataExtensionObject[people]", ["_CustomObjectKey", "Key"])
    assert rows.OverallStatus == "OK"
    values = [{p.Name: p.Value for p in r.Properties.Property} for r in rows.Results]
    assert [v["Key"] for v in values] == ["a", "b"]
    assert all(v["_CustomObjectKey"].isdigit() for v in values)
    part = partner.get_type("ns0:SimpleFilterPart")
    one = _retrieve(partner, "DataExtensionObject[people]", ["Key"],
                    part(Property="_CustomObjectKey", SimpleOperator="equals", Value=[values[1]["_CustomObjectKey"]]))
    assert [{p.Name: p.Value for p in r.Properties.Property}["Key"] for r in one.Results] == ["b"]
    sends = _retrieve(partner, "ListSend", ["SendID", "List.ID", "NumberSent"],
                      part(Property="SendID", SimpleOperator="equals", Value=["1"]))
    assert sends.OverallStatus == "OK" and sends.Results == []


def test_list_send_and_link_send_after_a_send(zeep_client, mc):
    partner = zeep_client
    options = partner.get_type("ns0:CreateOptions")()
    email = partner.get_type("ns0:Email")(Name="z", Subject="Hi", IsHTMLPaste=True,
                                          HTMLBody='<a alias="Site" href="https://example.com/z">z</a>')
    email_id = partner.service.Create(options, [email]).Results[0].NewID
    list_id = partner.service.Create(options, [partner.get_type("ns0:List")(ListName="zl")]).Results[0].NewID
    member = partner.get_type("ns0:SubscriberList")(ID=list_id)
    subscriber = partner.get_type("ns0:Subscriber")(EmailAddress="z1@example.com", SubscriberKey="z1",
                                                    Lists=[member])
    assert partner.service.Create(options, [subscriber]).Results[0].StatusCode == "OK"
    send = partner.get_type("ns0:Send")(Email=partner.get_type("ns0:Email")(ID=email_id),
                                        List=[partner.get_type("ns0:List")(ID=list_id)])
    send_id = partner.service.Create(options, [send]).Results[0].NewID
    assert mc.wait_for_job(send_id)["status"] == "Complete"
    part = partner.get_type("ns0:SimpleFilterPart")
    by_send = part(Property="SendID", SimpleOperator="equals", Value=[str(send_id)])
    lists = _retrieve(partner, "ListSend", ["SendID", "List.ID", "NumberSent", "NumberDelivered", "UniqueOpens"],
                      by_send)
    assert [(r.SendID, r.List.ID, r.NumberSent, r.NumberDelivered, r.UniqueOpens) for r in lists.Results] == \
        [(send_id, list_id, 1, 1, 0)]
    links = _retrieve(partner, "LinkSend", ["SendID", "Link.URL", "Link.Alias", "Link.TotalClicks"], by_send)
    assert [(r.Link.URL, r.Link.Alias, r.Link.TotalClicks) for r in links.Results] == \
        [("https://example.com/z", "Site", 0)]
