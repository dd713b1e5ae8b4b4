"""zeep on our served WSDL (mc.wsdl_url) with a WS-Security UsernameToken: the send flows end to end."""

from __future__ import annotations

import pytest

P = "{http://exacttarget.com/wsdl/partnerAPI}"


@pytest.fixture
def zclient(zeep_client):
    return zeep_client


def T(client, name: str, **values):
    return client.get_type(P + name)(**values)


def create(client, *objects):
    reply = client.service.Create(Options={}, Objects=list(objects))
    assert reply.OverallStatus == "OK", [(r.StatusMessage, r.ErrorCode) for r in reply.Results]
    return reply.Results


def start(client, key: str, client_id: int | None = None, **sender):
    definition = T(client, "EmailSendDefinition", CustomerKey=key,
                   SenderProfile=T(client, "SenderProfile", **sender) if sender else None)
    options = T(client, "PerformOptions", Client=T(client, "ClientID", ID=client_id)) if client_id else None
    reply = client.service.Perform(Options=options, Action="start", Definitions={"Definition": [definition]})
    assert reply.OverallStatus == "OK", reply
    result = reply.Results.Result[0]
    assert result.StatusMessage == "EmailSendDefinition performed" and result.Task.InteractionObjectID
    return int(result.Task.ID)


def email(client, key: str, **extra) -> int:
    [result] = create(client, T(client, "Email", CustomerKey=key, Name=key, Subject="Hey %%FirstName%%",
                                HTMLBody="<i>%%FirstName%%</i>", TextBody="Text for %%FirstName%%", **extra))
    return result.NewID


def test_list_and_exclusion_with_sender_override(mc, world, zclient):
    email_id = email(zclient, "z-news")
    source = world.list("z-source", [("z1", "z1@example.com", {"FirstName": "Zed"}),
                                     ("z2", "z2@example.com", {"FirstName": "Zoe"})])
    excluded = world.list("z-excl", [("z2", "z2@example.com", {})])
    sdl = zclient.get_type(P + "SendDefinitionList")
    [created] = create(zclient, T(zclient, "EmailSendDefinition", CustomerKey="z-esd", Name="z", Email={"ID": email_id},
                                  SendClassification={"CustomerKey": "Default Commercial"},
                                  SendDefinitionList=[sdl(List={"ID": source}, DataSourceTypeID="List",
                                                          SendDefinitionListType="SourceList"),
                                                      sdl(List={"ID": excluded}, DataSourceTypeID="List",
                                                          SendDefinitionListType="ExclusionList")]))
    assert created.StatusMessage == "EmailSendDefinition created" and created.NewID == 0
    job_id = start(zclient, "z-esd", FromName="Zeep", FromAddress="zeep@example.com")
    assert mc.wait_for_job(job_id)["status"] == "Complete"
    [message] = mc.outbox(job_id=job_id)
    assert (message["to"], message["subject"], message["text"]) == ("z1@example.com", "Hey Zed", "Text for Zed")
    assert (message["from_name"], message["from_address"]) == ("Zeep", "zeep@example.com")
    reply = zclient.service.Retrieve(RetrieveRequest={
        "ObjectType": "SentEvent", "Properties": ["SendID", "SubscriberKey", "EventType"],
        "Filter": T(zclient, "SimpleFilterPart", Property="SendID", SimpleOperator="equals", Value=[str(job_id)])})
    assert reply.OverallStatus == "OK"
    assert [(r.SubscriberKey, r.EventType) for r in reply.Results] == [("z1", "Sent")]
    reply = zclient.service.Retrieve(RetrieveRequest={
        "ObjectType": "Send", "Properties": ["ID", "Status", "NumberSent", "NumberExcluded"],
        "Filter": T(zclient, "SimpleFilterPart", Property="ID", SimpleOperator="equals", Value=[str(job_id)])})
    [send] = reply.Results
    assert (send.Status, send.NumberSent, send.NumberExcluded) == ("Complete", 1, 1)


def test_data_extension_source_in_a_sub_account(mc, world, zclient):
    child = mc.child_mid
    email_id = email(zclient, "z-child", Client={"ID": child})
    rows = [{"SubscriberKey": "d1", "EmailAddress": "d1@example.com", "FirstName": "Dot"}]
    de_id = world.data_extension("z-de", rows, mid=child)
    create(zclient, T(zclient, "EmailSendDefinition", CustomerKey="z-de-esd", Name="z", Email={"ID": email_id},
                      Client={"ID": child},
                      SendDefinitionList=[{"CustomObjectID": de_id, "DataSourceTypeID": "CustomObject"}]))
    job_id = start(zclient, "z-de-esd", client_id=child)
    mc.wait_for_job(job_id)
    [message] = mc.outbox(job_id=job_id)
    assert (message["mid"], message["to"], message["subject"]) == (child, "d1@example.com", "Hey Dot")


def test_triggered_send(mc, world, zclient):
    email_id = email(zclient, "z-ts")
    create(zclient, T(zclient, "TriggeredSendDefinition", CustomerKey="z-tsd", Name="z", Email={"ID": email_id},
                      TriggeredSendStatus="Active"))
    subscriber = T(zclient, "Subscriber", EmailAddress="t@example.com", SubscriberKey="t1",
                   Attributes=[{"Name": "FirstName", "Value": "Tom"}])
    [result] = create(zclient, T(zclient, "TriggeredSend", TriggeredSendDefinition={"CustomerKey": "z-tsd"},
                                 Subscribers=[subscriber]))
    assert result.StatusMessage == "Created TriggeredSend"
    [message] = mc.outbox(to="t@example.com")
    assert (message["subject"], message["html"], message["definition_key"]) == ("Hey Tom", "<i>Tom</i>", "z-tsd")
