"""The generic object API over raw SOAP: Create/Retrieve/Update/Delete/Describe for any WSDL type."""

from __future__ import annotations

from tests.soap_helpers import NS, simple_filter, texts


def test_default_tenant_send_classification_by_name(soap):
    resp = soap.retrieve("SendClassification", ["ObjectID", "Name", "CustomerKey", "SenderProfile.CustomerKey",
                                                "Client.ID"], simple_filter("Name", "equals", "Default Commercial"))
    assert texts(resp, "p:OverallStatus") == ["OK"]
    results = resp.findall("p:Results", NS)
    assert len(results) == 1
    assert results[0].get(f"{{{NS['xsi']}}}type") == "SendClassification"
    assert texts(results[0], "p:Name") == ["Default Commercial"]
    assert texts(results[0], "p:SenderProfile/p:CustomerKey") == ["Default"]
    assert texts(results[0], "p:Client/p:ID") == ["100000001"]


def test_create_list_then_retrieve_by_name_and_duplicate_key(soap):
    resp = soap.create('<Objects xsi:type="List"><CustomerKey>news</CustomerKey><ListName>News</ListName></Objects>'
                       '<Objects xsi:type="List"><CustomerKey>news</CustomerKey><ListName>Again</ListName></Objects>')
    assert texts(resp, "p:Results/p:StatusCode") == ["OK", "Error"]
    assert texts(resp, "p:OverallStatus") == ["Has Errors"]
    new_id = int(texts(resp, "p:Results/p:NewID")[0])
    assert new_id > 0
    assert texts(resp, "p:Results/p:ErrorCode") == ["1"]
    found = soap.retrieve("List", ["ID", "ListName"], simple_filter("ListName", "equals", "Again"))
    assert texts(found, "p:Results/p:ID") == []  # the refused duplicate was not stored
    found = soap.retrieve("List", ["ID", "ListName"], simple_filter("ListName", "equals", "NEWS"))
    assert texts(found, "p:Results/p:ID") == [str(new_id)]


def test_update_and_delete(soap):
    soap.create('<Objects xsi:type="SenderProfile"><CustomerKey>sp1</CustomerKey><Name>One</Name>'
                "<FromName>A</FromName><FromAddress>a@example.com</FromAddress></Objects>")
    upd = soap.call("Update", '<UpdateRequest xmlns="http://exacttarget.com/wsdl/partnerAPI">'
                    '<Objects xsi:type="SenderProfile"><CustomerKey>sp1</CustomerKey><FromName>B</FromName></Objects>'
                    "</UpdateRequest>")
    assert texts(upd, "p:Results/p:StatusMessage") == ["SenderProfile updated"]
    got = soap.retrieve("SenderProfile", ["FromName"], simple_filter("CustomerKey", "equals", "sp1"))
    assert texts(got, "p:Results/p:FromName") == ["B"]
    dele = soap.call("Delete", '<DeleteRequest xmlns="http://exacttarget.com/wsdl/partnerAPI">'
                     '<Objects xsi:type="SenderProfile"><CustomerKey>sp1</CustomerKey></Objects></DeleteRequest>')
    assert texts(dele, "p:OverallStatus") == ["OK"]
    again = soap.call("Delete", '<DeleteRequest xmlns="http://exacttarget.com/wsdl/partnerAPI">'
                      '<Objects xsi:type="SenderProfile"><CustomerKey>sp1</CustomerKey></Objects></DeleteRequest>')
    assert texts(again, "p:OverallStatus") == ["Error"]
    assert texts(again, "p:Results/p:ErrorCode") == ["40100"]


def test_unknown_property_is_sfmc_error(soap):
    resp = soap.retrieve("List", ["ID", "Bogus"])
    assert texts(resp, "p:OverallStatus") == [
        "Error: The Request Property(s) Bogus do not match with the fields of List retrieve"]
    assert resp.findall("p:Results", NS) == []


def test_describe(soap):
    resp = soap.call("Describe", '<DefinitionRequestMsg xmlns="http://exacttarget.com/wsdl/partnerAPI">'
                     "<DescribeRequests><ObjectDefinitionRequest><ObjectType>List</ObjectType>"
                     "</ObjectDefinitionRequest></DescribeRequests></DefinitionRequestMsg>")
    names = texts(resp, "p:ObjectDefinition/p:Properties/p:Name")
    assert "ListName" in names and "CustomerKey" in names
