"""zeep loading the served WSDL (no network) and driving the generic object API with a UsernameToken."""

from __future__ import annotations

import pytest
import zeep
from zeep.wsse.username import UsernameToken


@pytest.fixture
def partner(zeep_client):
    return zeep_client


def _list(partner, **props):
    return partner.get_type("ns0:List")(**props)


def test_wsdl_address_points_at_the_emulator(partner, server):
    address = partner.wsdl.services["PartnerAPI"].ports["Soap"].binding_options["address"]
    assert address == f"{server.base_url}/Service.asmx"


def test_create_retrieve_update_delete(partner, mc):
    created = partner.service.Create(partner.get_type("ns0:CreateOptions")(), [_list(partner, CustomerKey="z1", ListName="Zeep list")])
    assert created.OverallStatus == "OK"
    result = created.Results[0]
    assert result.StatusCode == "OK" and result.NewID > 0
    assert result.Object.ListName == "Zeep list"

    simple = partner.get_type("ns0:SimpleFilterPart")(Property="ListName", SimpleOperator="equals",
                                                        Value=["zeep LIST"])
    request = partner.get_type("ns0:RetrieveRequest")(ObjectType="List", Properties=["ID", "ListName"],
                                                       Filter=simple)
    found = partner.service.Retrieve(request)
    assert found.OverallStatus == "OK"
    assert [(r.ID, r.ListName) for r in found.Results] == [(result.NewID, "Zeep list")]

    updated = partner.service.Update(partner.get_type("ns0:UpdateOptions")(), [_list(partner, ID=result.NewID, Description="changed")])
    assert updated.Results[0].StatusCode == "OK"
    deleted = partner.service.Delete(partner.get_type("ns0:DeleteOptions")(), [_list(partner, CustomerKey="z1")])
    assert deleted.OverallStatus == "OK"
    assert partner.service.Retrieve(request).Results == []


def test_complex_filter_and_partial_failure(partner, mc):
    objects = [_list(partner, CustomerKey=f"c{i}", ListName=f"Complex {i}") for i in range(5)]
    objects.append(_list(partner, CustomerKey="c0", ListName="duplicate"))
    created = partner.service.Create(partner.get_type("ns0:CreateOptions")(), objects)
    assert created.OverallStatus == "Has Errors"
    assert [r.StatusCode for r in created.Results] == ["OK"] * 5 + ["Error"]
    part = partner.get_type("ns0:SimpleFilterPart")
    complex_part = partner.get_type("ns0:ComplexFilterPart")(
        LeftOperand=part(Property="CustomerKey", SimpleOperator="IN", Value=["c1", "c2", "c3"]),
        LogicalOperator="OR",
        RightOperand=part(Property="ListName", SimpleOperator="equals", Value=["Complex 4"]),
    )
    request = partner.get_type("ns0:RetrieveRequest")(ObjectType="List", Properties=["CustomerKey"],
                                                       Filter=complex_part)
    keys = sorted(r.CustomerKey for r in partner.service.Retrieve(request).Results)
    assert keys == ["c1", "c2", "c3", "c4"]


def test_describe(partner, mc):
    request = partner.get_type("ns0:ObjectDefinitionRequest")(ObjectType="EmailSendDefinition")
    answer = partner.service.Describe({"ObjectDefinitionRequest": [request]})
    names = {p.Name for p in answer.ObjectDefinition[0].Properties}
    assert {"SendClassification", "SendDefinitionList", "Email", "CustomerKey"} <= names


def test_bad_credentials_are_a_security_fault(server, mc):
    client = zeep.Client(server.wsdl_url, wsse=UsernameToken(server.username, "wrong"))
    request = client.get_type("ns0:RetrieveRequest")(ObjectType="List", Properties=["ID"])
    with pytest.raises(zeep.exceptions.Fault) as raised:
        client.service.Retrieve(request)
    assert raised.value.message == "Login failed"
    assert raised.value.code == "q0:Security"
