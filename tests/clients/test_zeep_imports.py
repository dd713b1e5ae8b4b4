"""Seed 002 (the list-based workflow, send included) driven by zeep from the served WSDL."""

from __future__ import annotations

import time

import pytest
import requests

zeep = pytest.importorskip("zeep")


@pytest.fixture
def client(zeep_client):
    return zeep_client


def test_seed_002_with_zeep(mc, client):
    factory = client.type_factory("ns0")
    service = client.service
    lst = factory.List(CustomerKey="Sample_List", ListName="Sample_List")
    created = service.Create({}, [lst])
    assert created.OverallStatus == "OK"
    found = service.Retrieve({"ObjectType": "List", "Properties": ["ID"],
                              "Filter": factory.SimpleFilterPart(Property="ListName", SimpleOperator="equals",
                                                                 Value=["Sample_List"])})
    assert found.OverallStatus == "OK"
    list_id = found.Results[0].ID
    requests.put(f"{mc.base_url}/_emulator/ftp/Import/SAP_List.csv",
                 data=b"ID,NAME_FIRST,Email Address\n1,Ann,ann@example.com\n2,Bob,bob@example.com\n",
                 timeout=10).raise_for_status()
    maps = [factory.FieldMap(SourceOrdinal=i, DestinationName=name) for i, name in enumerate(["ID", "NAME_FIRST",
                                                                                     "Email Address"])]
    definition = factory.ImportDefinition(
        CustomerKey="SAP_IMP_KEY_1", Name="SAP_IMP_1", Description="Import to SAP Sample List",
        DestinationObject=factory.List(ID=list_id), FieldMappingType="MapByOrdinal",
        FieldMaps={"FieldMap": maps}, FileSpec="SAP_List.csv", FileType="CSV",
        Notification=factory.AsyncResponse(ResponseType="email", ResponseAddress="help@example.com"),
        RetrieveFileTransferLocation=factory.FileTransferLocation(CustomerKey="ExactTarget Enhanced FTP"),
        UpdateType="AddAndUpdate")
    made = service.Create({}, [definition])
    assert made.OverallStatus == "OK", made.Results[0].StatusMessage
    assert made.Results[0].StatusMessage == "ImportDefinition created."
    performed = service.Perform(Action="start", Options={},
                                Definitions={"Definition": [factory.ImportDefinition(CustomerKey="SAP_IMP_KEY_1")]})
    result = performed.Results.Result[0]
    task_id = result.Task.ID
    assert result.StatusMessage == f"ImportDefinition performed AsyncID:{task_id}"
    deadline = time.monotonic() + 20
    while True:
        summary = service.Retrieve({
            "ObjectType": "ImportResultsSummary",
            "Properties": ["ImportDefinitionCustomerKey", "ImportType", "ImportStatus", "DestinationID",
                           "NumberSuccessful"],
            "Filter": factory.SimpleFilterPart(Property="TaskResultID", SimpleOperator="equals", Value=[task_id]),
            "QueryAllAccounts": True})
        status = summary.Results[0].ImportStatus
        if status in ("Completed", "Error") or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    row = summary.Results[0]
    assert (status, row.ImportType, row.DestinationID, row.NumberSuccessful) == \
        ("Completed", "Subscriber List", str(list_id), 2)
    # The seed's last step: a Send of an email to the list the import filled.
    email = factory.Email(CustomerKey="sap", Name="sap", Subject="Hello %%NAME_FIRST%%", HTMLBody="Hi",
                          EmailType="HTML", IsHTMLPaste=True)
    email_id = service.Create({}, [email]).Results[0].NewID
    sent = service.Create({}, [factory.Send(Email=factory.Email(ID=email_id), List=[factory.List(ID=list_id)])])
    assert sent.OverallStatus == "OK" and sent.Results[0].StatusMessage == "Send created"
    send_id = sent.Results[0].NewID
    assert mc.wait_for_job(send_id)["status"] == "Complete"
    assert sorted((m["to"], m["subject"]) for m in mc.outbox(job_id=send_id)) == [
        ("ann@example.com", "Hello Ann"), ("bob@example.com", "Hello Bob")]
