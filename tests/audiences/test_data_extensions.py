"""Data extensions, their fields and rows over raw SOAP."""

from __future__ import annotations

from tests.soap_helpers import NS, PARTNER, simple_filter, texts

DE_XML = """<Objects xsi:type="DataExtension"><CustomerKey>people</CustomerKey><Name>People</Name>
<IsSendable>true</IsSendable>
<SendableDataExtensionField><Name>Email</Name></SendableDataExtensionField>
<SendableSubscriberField><Name>Subscriber Key</Name></SendableSubscriberField>
<Fields>
 <Field><Name>Key</Name><FieldType>Text</FieldType><MaxLength>20</MaxLength><IsPrimaryKey>true</IsPrimaryKey>
  <IsRequired>true</IsRequired></Field>
 <Field><Name>Email</Name><FieldType>EmailAddress</FieldType><IsRequired>true</IsRequired></Field>
 <Field><Name>Age</Name><FieldType>Number</FieldType></Field>
 <Field><Name>Joined</Name><FieldType>Date</FieldType></Field>
 <Field><Name>VIP</Name><FieldType>Boolean</FieldType><DefaultValue>false</DefaultValue></Field>
 <Field><Name>Score</Name><FieldType>Decimal</FieldType><MaxLength>10</MaxLength><Scale>2</Scale></Field>
</Fields></Objects>"""


def row_xml(**values: str) -> str:
    props = "".join(f"<Property><Name>{k}</Name><Value>{v}</Value></Property>" for k, v in values.items())
    return (f'<Objects xsi:type="DataExtensionObject"><CustomerKey>people</CustomerKey>'
            f"<Properties>{props}</Properties></Objects>")


def test_create_de_messages_duplicate_name_and_fields_retrieve(soap):
    resp = soap.create(DE_XML)
    assert texts(resp, "p:Results/p:StatusMessage") == ["Data Extension created."]
    assert texts(resp, "p:Results/p:NewID") == ["0"]
    assert texts(resp, "p:Results/p:NewObjectID")[0]
    dup = soap.create(DE_XML.replace("<CustomerKey>people</CustomerKey>", "<CustomerKey>other</CustomerKey>"))
    assert texts(dup, "p:Results/p:ErrorCode") == ["310007"]
    assert texts(dup, "p:Results/p:StatusMessage") == ["A data extension named People already exists."]
    fields = soap.retrieve("DataExtensionField", ["Name", "FieldType", "IsPrimaryKey", "MaxLength"],
                           simple_filter("DataExtension.CustomerKey", "equals", "people"))
    assert texts(fields, "p:Results/p:Name") == ["Key", "Email", "Age", "Joined", "VIP", "Score"]
    assert texts(fields, "p:Results/p:IsPrimaryKey")[:2] == ["true", "false"]
    got = soap.retrieve("DataExtension", ["Name", "IsSendable", "SendableDataExtensionField.Name"],
                        simple_filter("CustomerKey", "equals", "people"))
    assert texts(got, "p:Results/p:SendableDataExtensionField/p:Name") == ["Email"]


def test_bad_definitions_refused(soap):
    bad_send = DE_XML.replace("<SendableDataExtensionField><Name>Email</Name>",
                              "<SendableDataExtensionField><Name>Nope</Name>")
    assert texts(soap.create(bad_send), "p:Results/p:ErrorCode") == ["310007"]
    twice = DE_XML.replace("<Name>Age</Name>", "<Name>email</Name>")
    assert texts(soap.create(twice), "p:Results/p:ErrorCode") == ["310007"]


def test_rows_create_types_upsert_delete_and_filtered_retrieve(soap):
    soap.create(DE_XML)
    ok = soap.create(row_xml(Key="k1", Email="a@example.com", Age="41", Joined="2024-02-03", Score="1.5")
                     + row_xml(Key="k2", Email="b@example.com", Age="x")
                     + row_xml(Key="k3", Age="3")
                     + row_xml(Key="K1", Email="c@example.com"))
    assert texts(ok, "p:Results/p:StatusCode") == ["OK", "Error", "Error", "Error"]
    results = ok.findall("p:Results", NS)
    assert results[1].get(f"{{{NS['xsi']}}}type") == "DataExtensionCreateResult"
    assert texts(results[1], "p:ValueErrors/p:ValueError/p:Name") == ["Age"]
    assert "not a valid Number" in texts(results[1], "p:StatusMessage")[0]
    assert texts(results[2], "p:ValueErrors/p:ValueError/p:ErrorCode") == ["70001"]
    assert "PRIMARY KEY" in texts(results[3], "p:StatusMessage")[0]  # keys compare case-insensitively
    upd = soap.call("Update", f'<UpdateRequest xmlns="{PARTNER}">{row_xml(Key="k1", Age="42")}</UpdateRequest>')
    assert texts(upd, "p:Results/p:StatusMessage") == ["Updated DataExtensionObject"]
    missing = soap.call("Update", f'<UpdateRequest xmlns="{PARTNER}">{row_xml(Key="zz", Age="1")}</UpdateRequest>')
    assert texts(missing, "p:Results/p:StatusCode") == ["Error"]
    upsert = soap.call("Update", f'<UpdateRequest xmlns="{PARTNER}"><Options><SaveOptions><SaveOption>'
                       "<PropertyName>*</PropertyName><SaveAction>UpdateAdd</SaveAction></SaveOption></SaveOptions>"
                       f"</Options>{row_xml(Key='zz', Email='z@example.com', Age='7')}</UpdateRequest>")
    assert texts(upsert, "p:Results/p:StatusCode") == ["OK"]
    got = soap.retrieve("DataExtensionObject[people]", ["Key", "Age", "VIP", "Joined", "Score"],
                        simple_filter("Age", "greaterThan", "10"))
    assert texts(got, "p:OverallStatus") == ["OK"]
    values = texts(got, "p:Results/p:Properties/p:Property/p:Value")
    assert values == ["k1", "42", "False", "2/3/2024 12:00:00 AM", "1.50"]
    by_date = soap.retrieve("DataExtensionObject[People]", ["Key"],
                            simple_filter("Joined", "lessThan", "2025-01-01T00:00:00"))
    assert texts(by_date, "p:Results/p:Properties/p:Property/p:Value") == ["k1"]
    dele = soap.call("Delete", f'<DeleteRequest xmlns="{PARTNER}"><Objects xsi:type="DataExtensionObject">'
                     "<CustomerKey>people</CustomerKey><Keys><Key><Name>Key</Name><Value>K1</Value></Key></Keys>"
                     "</Objects></DeleteRequest>")
    assert texts(dele, "p:OverallStatus") == ["OK"]
    rest = soap.retrieve("DataExtensionObject[people]", ["Key"])
    assert texts(rest, "p:Results/p:Properties/p:Property/p:Value") == ["zz"]
    bad = soap.retrieve("DataExtensionObject[people]", ["Nope"])
    assert texts(bad, "p:OverallStatus")[0].startswith("Error: The Request Property(s) Nope")
    unknown = soap.retrieve("DataExtensionObject[ghost]", ["Key"])
    assert texts(unknown, "p:OverallStatus")[0].startswith("Error")


def test_delete_de_drops_rows(soap, mc):
    soap.create(DE_XML)
    soap.create(row_xml(Key="k1", Email="a@example.com"))
    dele = soap.call("Delete", f'<DeleteRequest xmlns="{PARTNER}"><Objects xsi:type="DataExtension">'
                     "<CustomerKey>people</CustomerKey></Objects></DeleteRequest>")
    assert texts(dele, "p:Results/p:StatusMessage") == ["Data Extension deleted."]
    assert mc.emu.audience.count_rows(mc.parent_mid, "people") == 0
    again = soap.call("Delete", f'<DeleteRequest xmlns="{PARTNER}"><Objects xsi:type="DataExtension">'
                      "<CustomerKey>people</CustomerKey></Objects></DeleteRequest>")
    assert texts(again, "p:Results/p:ErrorCode") == ["310007"]


def test_update_adds_fields_and_refuses_new_primary_keys(soap):
    soap.create(DE_XML)
    add = soap.call("Update", f'<UpdateRequest xmlns="{PARTNER}"><Objects xsi:type="DataExtension">'
                    "<CustomerKey>people</CustomerKey><Fields><Field><Name>City</Name><FieldType>Text</FieldType>"
                    "<MaxLength>30</MaxLength></Field></Fields></Objects></UpdateRequest>")
    assert texts(add, "p:Results/p:StatusMessage") == ["Data Extension updated."]
    fields = soap.retrieve("DataExtensionField", ["Name", "Ordinal"],
                           simple_filter("DataExtension.CustomerKey", "equals", "people"))
    assert texts(fields, "p:Results/p:Name")[-1] == "City"
    assert texts(fields, "p:Results/p:Ordinal")[-1] == "6"
    pk = soap.call("Update", f'<UpdateRequest xmlns="{PARTNER}"><Objects xsi:type="DataExtension">'
                   "<CustomerKey>people</CustomerKey><Fields><Field><Name>Id2</Name>"
                   "<IsPrimaryKey>true</IsPrimaryKey></Field></Fields></Objects></UpdateRequest>")
    assert texts(pk, "p:Results/p:ErrorCode") == ["310007"]
    row = soap.create(row_xml(Key="k1", Email="a@example.com", City="x" * 31))
    assert texts(row, "p:Results/p:ErrorCode") == ["70002"]
