"""EmailSendDefinition over raw SOAP: the seed pages' literal envelopes, references, codes, Perform start."""

from __future__ import annotations

import re
from pathlib import Path

import requests

from tests.soap_helpers import NS, PARTNER, post_envelope, simple_filter, texts, validate_body

ENVELOPES = Path(__file__).parent / "seed_envelopes"  # verbatim from ../shared/seeds pages 000 and 001


def seed_envelope(name: str) -> str:
    return (ENVELOPES / f"{name}.xml").read_text()


def post_raw(mc, action: str, envelope: str):
    envelope = envelope.replace(">username<", f">{mc.username}<").replace(">password<", f">{mc.password}<")
    response = post_envelope(mc.soap_url, action, envelope)
    return response.status_code, validate_body(response.content)


def esd_xml(key: str, email_id: int, entries: str, extra: str = "") -> str:
    return (f'<Objects xsi:type="EmailSendDefinition"><CustomerKey>{key}</CustomerKey><Name>{key} name</Name>'
            f"<SendClassification><CustomerKey>Default Commercial</CustomerKey></SendClassification>"
            f"{entries}<Email><ID>{email_id}</ID></Email>{extra}</Objects>")


def list_entry(list_id: int, kind: str = "SourceList") -> str:
    return (f"<SendDefinitionList><List><ID>{list_id}</ID></List><SendDefinitionListType>{kind}"
            "</SendDefinitionListType><DataSourceTypeID>List</DataSourceTypeID></SendDefinitionList>")


def start(soap, key: str, extra: str = "", options: str = "", **auth):
    return soap.call("Perform", f'<PerformRequestMsg xmlns="{PARTNER}">{options}<Action>start</Action><Definitions>'
                     f'<Definition xsi:type="EmailSendDefinition"><CustomerKey>{key}</CustomerKey>{extra}'
                     "</Definition></Definitions></PerformRequestMsg>", **auth)


def test_seed_000_create_envelope_literal_and_with_our_ids(mc, world):
    envelope = seed_envelope("000_create_request")
    status, resp = post_raw(mc, "Create", envelope)
    # As given, the page's references do not exist here: an Error result naming the first one, not a fault.
    assert status == 200
    assert texts(resp, "p:OverallStatus") == ["Error"]
    assert texts(resp, "p:Results/p:ErrorCode") == ["42004"]
    assert "794527" in texts(resp, "p:Results/p:StatusMessage")[0]

    email_id = world.email("Market2Lead")
    de_object_id = world.data_extension("m2l_de", [{"SubscriberKey": "k1", "EmailAddress": "k1@example.com"}])
    sc = mc.emu.objects.find_one(mc.parent_mid, "SendClassification", "CustomerKey", "Default Commercial").data
    ours = (envelope.replace("4819efef-4527-dd11-8126-001a4be9433a", sc["ObjectID"])
            .replace("<CustomerKey>3542</CustomerKey>", "<CustomerKey>Default Commercial</CustomerKey>")
            .replace("1a3e2c14-580e-de11-b30f-001cc494ae9e", de_object_id)
            .replace("<ID>794527</ID>", f"<ID>{email_id}</ID>"))
    status, resp = post_raw(mc, "Create", ours)
    assert status == 200, resp
    assert texts(resp, "p:OverallStatus") == ["OK"]
    result = resp.find("p:Results", NS)
    assert texts(result, "p:StatusMessage") == ["EmailSendDefinition created"]
    assert texts(result, "p:NewID") == ["0"]
    new_object_id = texts(result, "p:NewObjectID")[0]
    assert re.fullmatch(r"[0-9a-f-]{36}", new_object_id)
    obj = result.find("p:Object", NS)
    assert obj.get(f"{{{NS['xsi']}}}type") == "EmailSendDefinition"
    assert texts(obj, "p:ObjectID") == [new_object_id]
    assert texts(obj, "p:Email/p:ID") == [str(email_id)]
    assert texts(obj, "p:SendClassification/p:CustomerKey") == ["Default Commercial"]
    assert texts(obj, "p:SendDefinitionList/p:CustomObjectID") == [de_object_id]
    assert texts(obj, "p:SendDefinitionList/p:DataSourceTypeID") == ["CustomObject"]
    assert texts(obj, "p:IsMultipart") == ["true"]

    # Seed 000's literal start envelope, then the send to the data extension.
    status, resp = post_raw(mc, "Perform", seed_envelope("000_start_request"))
    assert status == 200
    assert texts(resp, "p:OverallStatus") == ["OK"]
    result = resp.find("p:Results/p:Result", NS)
    assert texts(result, "p:StatusCode") == ["OK"]
    assert texts(result, "p:StatusMessage") == ["EmailSendDefinition performed"]
    assert texts(result, "p:Object/p:CustomerKey") == ["Market2Lead_Email_Definition_Key"]
    assert texts(result, "p:Object/p:Name") == ["Market2Lead_Email_Definition"]
    assert texts(result, "p:Object/p:ObjectID") == [new_object_id]
    assert texts(result, "p:Task/p:StatusCode") == ["OK"] and texts(result, "p:Task/p:StatusMessage") == ["OK"]
    task_id = int(texts(result, "p:Task/p:ID")[0])
    assert re.fullmatch(r"[0-9a-f-]{36}", texts(result, "p:Task/p:InteractionObjectID")[0])
    assert mc.wait_for_job(task_id)["status"] == "Complete"
    [message] = mc.outbox(job_id=task_id)
    assert message["to"] == "k1@example.com" and message["subscriber_key"] == "k1"


def test_seed_001_start_with_sender_override(mc, world, soap):
    email_id = world.email()
    list_id = world.list("news", [("s1", "s1@example.com", {"FirstName": "Ann"})])
    world.create(esd_xml("Definition_Key", email_id, list_entry(list_id)))
    status, resp = post_raw(mc, "Perform", seed_envelope("001_start_request"))
    assert status == 200
    result = resp.find("p:Results/p:Result", NS)
    assert texts(result, "p:StatusMessage") == ["EmailSendDefinition performed"]
    assert texts(result, "p:Object/p:SenderProfile/p:FromName") == ["FromName"]
    assert texts(result, "p:Object/p:SenderProfile/p:FromAddress") == ["johndoe@example.com"]
    task_id = int(texts(result, "p:Task/p:ID")[0])
    mc.wait_for_job(task_id)
    [message] = mc.outbox(job_id=task_id)
    assert (message["from_name"], message["from_address"]) == ("FromName", "johndoe@example.com")
    assert message["subject"] == "Hello Ann"
    assert message["html"] == "<p>Hi Ann (s1@example.com) key=s1</p>"
    eml = requests.get(f"{mc.base_url}/_emulator/outbox/{message['id']}.eml", timeout=10).text
    assert "Subject: Hello Ann" in eml and "To: s1@example.com" in eml and "From: FromName <johndoe@example.com>" in eml
    # The override is for that send only: a plain start uses the classification's sender profile again.
    again = start(soap, "Definition_Key")
    job = mc.wait_for_job(int(texts(again, "p:Results/p:Result/p:Task/p:ID")[0]))
    [message] = mc.outbox(job_id=job["id"])
    assert (message["from_name"], message["from_address"]) == ("Emulator Sender", "sender@emulator.example")


def test_missing_references_and_keys_are_error_results(world, soap):
    email_id = world.email()
    list_id = world.list("news")
    cases = [
        (esd_xml("a", 999999, list_entry(list_id)), "42004"),
        (esd_xml("b", email_id, list_entry(424242)), "42007"),
        (esd_xml("c", email_id, "<SendDefinitionList><CustomObjectID>nope</CustomObjectID>"
                                "<DataSourceTypeID>CustomObject</DataSourceTypeID></SendDefinitionList>"), "42008"),
        (esd_xml("d", email_id, list_entry(list_id)).replace("Default Commercial", "Nope"), "42003"),
        (esd_xml("x" * 37, email_id, list_entry(list_id)), "42100"),
        (esd_xml("e", email_id, list_entry(list_id)).replace("<Email><ID>", "<Nothing><ID>")
         .replace("</ID></Email>", "</ID></Nothing>"), "42005"),
    ]
    resp = soap.create("".join(xml for xml, _ in cases))
    assert texts(resp, "p:OverallStatus") == ["Error"]
    assert texts(resp, "p:Results/p:ErrorCode") == [code for _, code in cases]
    assert "999999" in texts(resp, "p:Results/p:StatusMessage")[0]
    ok = soap.create(esd_xml("dup", email_id, list_entry(list_id)) + esd_xml("dup", email_id, list_entry(list_id)))
    assert texts(ok, "p:Results/p:StatusCode") == ["OK", "Error"]
    assert texts(ok, "p:Results/p:ErrorCode") == ["42100"]
    assert "already exists" in texts(ok, "p:Results/p:StatusMessage")[1]


def test_update_retrieve_delete_and_not_found_codes(world, soap):
    email_id = world.email()
    list_id = world.list("news")
    world.create(esd_xml("esd1", email_id, list_entry(list_id), "<EmailSubject>First</EmailSubject>"))
    upd = soap.call("Update", f'<UpdateRequest xmlns="{PARTNER}"><Objects xsi:type="EmailSendDefinition">'
                    "<CustomerKey>esd1</CustomerKey><EmailSubject>Second</EmailSubject>"
                    "<DeduplicateByEmail>true</DeduplicateByEmail></Objects></UpdateRequest>")
    assert texts(upd, "p:Results/p:StatusMessage") == ["EmailSendDefinition updated"]
    got = soap.retrieve("EmailSendDefinition", ["CustomerKey", "EmailSubject", "DeduplicateByEmail",
                                                "SendDefinitionList", "Email.ID"],
                        simple_filter("CustomerKey", "equals", "esd1"))
    assert texts(got, "p:Results/p:EmailSubject") == ["Second"]
    assert texts(got, "p:Results/p:DeduplicateByEmail") == ["true"]
    assert texts(got, "p:Results/p:SendDefinitionList/p:List/p:ID") == [str(list_id)]
    assert texts(got, "p:Results/p:SendDefinitionList/p:SendDefinitionListType") == ["SourceList"]
    bad = soap.call("Update", f'<UpdateRequest xmlns="{PARTNER}"><Objects xsi:type="EmailSendDefinition">'
                    "<CustomerKey>esd1</CustomerKey><Email><ID>31337</ID></Email></Objects></UpdateRequest>")
    assert texts(bad, "p:Results/p:ErrorCode") == ["42004"]
    delete = f'<DeleteRequest xmlns="{PARTNER}"><Objects xsi:type="EmailSendDefinition">' \
             "<CustomerKey>esd1</CustomerKey></Objects></DeleteRequest>"
    assert texts(soap.call("Delete", delete), "p:Results/p:StatusMessage") == ["EmailSendDefinition deleted"]
    again = soap.call("Delete", delete)
    assert texts(again, "p:Results/p:ErrorCode") == ["42002"]
    missing = start(soap, "esd1")
    assert texts(missing, "p:OverallStatus") == ["Error"]
    assert texts(missing, "p:Results/p:Result/p:ErrorCode") == ["42002"]


def test_start_fails_when_the_audience_is_gone(world, soap):
    email_id = world.email()
    list_id = world.list("news")
    world.create(esd_xml("esd1", email_id, list_entry(list_id)))
    soap.call("Delete", f'<DeleteRequest xmlns="{PARTNER}"><Objects xsi:type="List"><ID>{list_id}</ID>'
              "</Objects></DeleteRequest>")
    resp = start(soap, "esd1")
    assert texts(resp, "p:Results/p:Result/p:StatusCode") == ["Error"]
    assert texts(resp, "p:Results/p:Result/p:ErrorCode") == ["42007"]
    assert texts(resp, "p:Results/p:Result/p:Task/p:StatusCode") == ["Error"]
    assert texts(resp, "p:Results/p:Result/p:Task/p:ID") == []


def test_seed_000_profile_attribute_filter_envelope(mc, world, soap):
    """The page's third envelope: a List source narrowed by a FilterDefinition over profile attributes."""
    email_id = world.email("filtered")
    list_id = world.list("tiers", [("g1", "g1@example.com", {"Tier": "gold"}), ("s1", "s1@example.com", {"Tier": "silver"}),
                                   ("g2", "g2@example.com", {"Tier": "Gold"})])
    world.list("elsewhere", [("g3", "g3@example.com", {"Tier": "gold"})])  # gold, but not on the source list
    world.create('<Objects xsi:type="SendClassification"><CustomerKey>12345</CustomerKey><Name>Seed SC</Name>'
                 "<SenderProfile><CustomerKey>Default</CustomerKey></SenderProfile></Objects>")
    fd = world.create('<Objects xsi:type="FilterDefinition"><CustomerKey>gold-only</CustomerKey><Name>Gold</Name>'
                      '<DataFilter xsi:type="SimpleFilterPart"><Property>Tier</Property>'
                      "<SimpleOperator>equals</SimpleOperator><Value>gold</Value></DataFilter></Objects>")
    envelope = seed_envelope("000_create_with_data_filter_request")
    envelope = (envelope.replace("<wsse:Username>XXXXX<", f"<wsse:Username>{mc.username}<")
                .replace("PasswordText\">XXXXX<", f"PasswordText\">{mc.password}<")
                .replace("<ns1:ObjectID>12345</ns1:ObjectID>", f"<ns1:ObjectID>{fd['NewObjectID']}</ns1:ObjectID>"))
    list_part, _, email_part = envelope.partition("<ns1:FilterDefinition>")
    envelope = (list_part.replace("<ns1:ID>12345</ns1:ID>", f"<ns1:ID>{list_id}</ns1:ID>") + "<ns1:FilterDefinition>"
                + email_part.replace("<ns1:ID>12345</ns1:ID>", f"<ns1:ID>{email_id}</ns1:ID>"))
    status, resp = post_raw(mc, "Create", envelope)
    assert status == 200 and texts(resp, "p:OverallStatus") == ["OK"], texts(resp, "p:Results/p:StatusMessage")
    assert texts(resp, "p:Results/p:Object/p:SendDefinitionList/p:DataSourceTypeID") == ["FilterDefinition"]
    assert texts(resp, "p:Results/p:Object/p:SendDefinitionList/p:FilterDefinition/p:CustomerKey") == ["gold-only"]
    new_object_id = texts(resp, "p:Results/p:NewObjectID")[0]  # no CustomerKey given: it is the ObjectID
    job = mc.wait_for_job(int(texts(start(soap, new_object_id), "p:Results/p:Result/p:Task/p:ID")[0]))
    assert sorted(m["subscriber_key"] for m in mc.outbox(job_id=job["id"])) == ["g1", "g2"]
    assert {m["source"]["audience"] for m in mc.outbox(job_id=job["id"])} == {"filter:gold-only"}


def test_unsupported_and_invalid_enum_values(world, soap):
    email_id = world.email()
    resp = soap.create(esd_xml("sf", email_id, "<SendDefinitionList><DataSourceTypeID>SalesForceReport"
                                               "</DataSourceTypeID></SendDefinitionList>"))
    assert texts(resp, "p:Results/p:ErrorCode") == ["42110"]
    assert "SalesForceReport" in texts(resp, "p:Results/p:StatusMessage")[0]
    # A value the WSDL's enumeration does not have is an Error result too (issue 6), naming the problem.
    resp = soap.create(esd_xml("bad", email_id, "<SendDefinitionList><DataSourceTypeID>Nope</DataSourceTypeID>"
                                                "</SendDefinitionList>"))
    assert texts(resp, "p:Results/p:StatusCode") == ["Error"]
    assert texts(resp, "p:Results/p:ErrorCode") == ["42110"]
    message = texts(resp, "p:Results/p:StatusMessage")[0]
    assert "Nope" in message and "DataSourceTypeID" in message and "DataSourceTypeEnum" in message
    assert "bad" not in texts(soap.retrieve("EmailSendDefinition", ["CustomerKey"]), "p:Results/p:CustomerKey")


def test_start_by_object_id(mc, world, soap):
    email_id = world.email()
    list_id = world.list("l", [("a", "a@example.com", {"FirstName": "A"})])
    object_id = world.create(esd_xml("by-id", email_id, list_entry(list_id)))["NewObjectID"]
    resp = soap.call("Perform", f'<PerformRequestMsg xmlns="{PARTNER}"><Action>start</Action><Definitions>'
                     f'<Definition xsi:type="EmailSendDefinition"><ObjectID>{object_id}</ObjectID></Definition>'
                     "</Definitions></PerformRequestMsg>")
    assert texts(resp, "p:Results/p:Result/p:Object/p:CustomerKey") == ["by-id"]
    job = mc.wait_for_job(int(texts(resp, "p:Results/p:Result/p:Task/p:ID")[0]))
    assert [m["to"] for m in mc.outbox(job_id=job["id"])] == ["a@example.com"]
    nothing = soap.call("Perform", f'<PerformRequestMsg xmlns="{PARTNER}"><Action>start</Action><Definitions>'
                        '<Definition xsi:type="EmailSendDefinition"><Name>x</Name></Definition>'
                        "</Definitions></PerformRequestMsg>")
    assert texts(nothing, "p:Results/p:Result/p:ErrorCode") == ["42001"]


def test_wsdl_properties_and_profile_references_round_trip(world, soap):
    email_id = world.email()
    list_id = world.list("rt")
    sp = world.create('<Objects xsi:type="SenderProfile"><CustomerKey>rt-sp</CustomerKey><Name>RT sender</Name>'
                      "<FromName>RT</FromName><FromAddress>rt@example.com</FromAddress></Objects>")
    extra = ("<Description>round trip</Description>"
             f"<SenderProfile><ObjectID>{sp['NewObjectID']}</ObjectID></SenderProfile>"
             "<DeliveryProfile><CustomerKey>Default</CustomerKey></DeliveryProfile>"
             "<IsSendLogging>true</IsSendLogging><EmailSubject>Fixed %%FirstName%%</EmailSubject>"
             "<IsMultipart>true</IsMultipart><DeduplicateByEmail>true</DeduplicateByEmail>"
             "<SuppressTracking>true</SuppressTracking><Additional>utm=x</Additional>")
    world.create(esd_xml("rt", email_id, list_entry(list_id) + list_entry(list_id, "ExclusionList"), extra))
    props = ["Description", "SenderProfile.CustomerKey", "DeliveryProfile.CustomerKey", "IsSendLogging",
             "EmailSubject", "DynamicEmailSubject", "IsMultipart", "DeduplicateByEmail", "SuppressTracking",
             "Additional", "SendDefinitionList", "SendClassification.CustomerKey"]
    got = soap.retrieve("EmailSendDefinition", props, simple_filter("CustomerKey", "equals", "rt"))
    row = got.find("p:Results", NS)
    assert {p: texts(row, f"p:{p.replace('.', '/p:')}") for p in props if p != "SendDefinitionList"} == {
        "Description": ["round trip"], "SenderProfile.CustomerKey": ["rt-sp"],
        "DeliveryProfile.CustomerKey": ["Default"], "IsSendLogging": ["true"], "EmailSubject": ["Fixed %%FirstName%%"],
        "DynamicEmailSubject": ["Fixed %%FirstName%%"], "IsMultipart": ["true"], "DeduplicateByEmail": ["true"],
        "SuppressTracking": ["true"], "Additional": ["utm=x"], "SendClassification.CustomerKey": ["Default Commercial"]}
    assert texts(row, "p:SendDefinitionList/p:SendDefinitionListType") == ["SourceList", "ExclusionList"]
    assert texts(row, "p:SendDefinitionList/p:DataSourceTypeID") == ["List", "List"]
    missing = soap.create(esd_xml("rt2", email_id, list_entry(list_id),
                                  "<SenderProfile><CustomerKey>nope</CustomerKey></SenderProfile>")
                          + esd_xml("rt3", email_id, list_entry(list_id),
                                    "<DeliveryProfile><CustomerKey>nope</CustomerKey></DeliveryProfile>"))
    assert texts(missing, "p:Results/p:ErrorCode") == ["40100", "41301"]


def test_every_reference_form_the_issue_lists_resolves(mc, world, soap):
    """Email by ID/ObjectID/CustomerKey; SendClassification by CustomerKey/ObjectID/Name; List by ID (and
    ObjectID/CustomerKey); DataExtension by CustomObjectID or CustomerKey; FilterDefinition by ObjectID/CustomerKey."""
    mid = mc.parent_mid
    email_id = world.email("ref-email")
    list_id = world.list("ref-list", [("r1", "r1@example.com", {"Tier": "gold"})])
    world.data_extension("ref-de", [{"SubscriberKey": "r2", "EmailAddress": "r2@example.com"}])
    fd = world.create('<Objects xsi:type="FilterDefinition"><CustomerKey>ref-fd</CustomerKey><Name>ref fd</Name>'
                      '<DataFilter xsi:type="SimpleFilterPart"><Property>Tier</Property>'
                      "<SimpleOperator>equals</SimpleOperator><Value>gold</Value></DataFilter></Objects>")
    found = {t: mc.emu.objects.find_one(mid, t, "CustomerKey", k).data
             for t, k in (("Email", "ref-email"), ("List", "ref-list"), ("DataExtension", "ref-de"),
                          ("SendClassification", "Default Commercial"))}
    emails = [f"<ID>{email_id}</ID>", f"<ObjectID>{found['Email']['ObjectID']}</ObjectID>",
              "<CustomerKey>ref-email</CustomerKey>"]
    classifications = ["<CustomerKey>Default Commercial</CustomerKey>",
                       f"<ObjectID>{found['SendClassification']['ObjectID']}</ObjectID>",
                       "<Name>Default Commercial</Name>"]
    entries = [f"<List><ID>{list_id}</ID></List>", f"<List><ObjectID>{found['List']['ObjectID']}</ObjectID></List>",
               "<List><CustomerKey>ref-list</CustomerKey></List>",
               f"<CustomObjectID>{found['DataExtension']['ObjectID']}</CustomObjectID>"
               "<DataSourceTypeID>CustomObject</DataSourceTypeID>",
               "<CustomObjectID>ref-de</CustomObjectID><DataSourceTypeID>CustomObject</DataSourceTypeID>",
               f"<DataSourceTypeID>FilterDefinition</DataSourceTypeID><FilterDefinition><ObjectID>{fd['NewObjectID']}"
               "</ObjectID></FilterDefinition>",
               "<DataSourceTypeID>FilterDefinition</DataSourceTypeID><FilterDefinition><CustomerKey>ref-fd"
               "</CustomerKey></FilterDefinition>"]
    expected = ["r1", "r1", "r1", "r2", "r2", "r1", "r1"]
    for i, entry in enumerate(entries):
        xml = (f'<Objects xsi:type="EmailSendDefinition"><CustomerKey>ref-{i}</CustomerKey><Name>ref {i}</Name>'
               f"<SendClassification>{classifications[i % 3]}</SendClassification>"
               f"<SendDefinitionList>{entry}</SendDefinitionList><Email>{emails[i % 3]}</Email></Objects>")
        resp = soap.create(xml)
        assert texts(resp, "p:Results/p:StatusCode") == ["OK"], (i, texts(resp, "p:Results/p:StatusMessage"))
        assert texts(resp, "p:Results/p:Object/p:Email/p:ID") == [str(email_id)]
        assert texts(resp, "p:Results/p:Object/p:SendClassification/p:CustomerKey") == ["Default Commercial"]
        job = mc.wait_for_job(int(texts(start(soap, f"ref-{i}"), "p:Results/p:Result/p:Task/p:ID")[0]))
        assert [m["subscriber_key"] for m in mc.outbox(job_id=job["id"])] == [expected[i]], i
