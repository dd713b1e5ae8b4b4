"""The documentation's Retrieve envelopes (seeds 000 and 002), posted as literally as XML allows.

Seed 002's List retrieve is printed with two defects an XML parser cannot read (no space between two
attributes) and a misspelled WS-Security namespace (`docs.oasisopen.org`). We insert the missing space
and keep the misspelling: the emulator matches the WS-Security header by local name, as lenient SOAP
stacks do. Seed 000 shows its SendClassification and Email retrieves as Java; the envelopes below are
what that code puts on the wire (Axis 1.4 style, typed filter).
"""

from __future__ import annotations

from tests.soap_helpers import NS, post_envelope, texts, validate_body

SEED_002_RETRIEVE_LIST = """<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
    <soapenv:Header>
        <wsse:Security soapenv:mustUnderstand="1" xmlns:wsse="http://docs.oasisopen.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
            <wsse:UsernameToken wsu:Id="UsernameToken-24440876" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurityutility-1.0.xsd">
                <wsse:Username>emulator-user</wsse:Username>
                <wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">emulator-password</wsse:Password>
            </wsse:UsernameToken>
        </wsse:Security>
    </soapenv:Header>
    <soapenv:Body>
        <RetrieveRequestMsg xmlns="http://exacttarget.com/wsdl/partnerAPI">
            <RetrieveRequest>
                <ObjectType>List</ObjectType>
                <Properties>ID</Properties>
                <Filter xsi:type="ns1:SimpleFilterPart" xmlns:ns1="http://exacttarget.com/wsdl/partnerAPI">
                    <Property>ListName</Property>
                    <SimpleOperator>equals</SimpleOperator>
                    <Value>Sample_List</Value>
                </Filter>
            </RetrieveRequest>
        </RetrieveRequestMsg>
    </soapenv:Body>
</soapenv:Envelope>"""


def _retrieve_envelope(object_type: str, properties: list[str], prop: str, value: str) -> str:
    props = "".join(f"<Properties>{p}</Properties>" for p in properties)
    return f"""<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
   <soapenv:Header>
      <wsse:Security soapenv:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
         <wsse:UsernameToken wsu:Id="UsernameToken-9560865" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
            <wsse:Username>emulator-user</wsse:Username>
            <wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">emulator-password</wsse:Password>
         </wsse:UsernameToken>
      </wsse:Security>
   </soapenv:Header>
   <soapenv:Body>
      <RetrieveRequestMsg xmlns="http://exacttarget.com/wsdl/partnerAPI">
         <RetrieveRequest>
            <ObjectType>{object_type}</ObjectType>{props}
            <Filter xsi:type="ns1:SimpleFilterPart" xmlns:ns1="http://exacttarget.com/wsdl/partnerAPI">
               <Property>{prop}</Property><SimpleOperator>equals</SimpleOperator><Value>{value}</Value>
            </Filter>
         </RetrieveRequest>
      </RetrieveRequestMsg>
   </soapenv:Body>
</soapenv:Envelope>"""


def _post(mc, envelope: str, action: str = "Retrieve"):
    response = post_envelope(mc.soap_url, action, envelope)
    return response.status_code, validate_body(response.content)


def test_seed_002_retrieve_list_by_name(mc, soap):
    soap.create('<Objects xsi:type="List"><ListName>Sample_List</ListName></Objects>')
    status, body = _post(mc, SEED_002_RETRIEVE_LIST)
    assert status == 200
    assert body.tag == f"{{{NS['p']}}}RetrieveResponseMsg"
    assert [child.tag.split("}")[1] for child in body] == ["OverallStatus", "RequestID", "Results"]
    result = body.find("p:Results", NS)
    assert result.get(f"{{{NS['xsi']}}}type") == "List"
    assert [child.tag.split("}")[1] for child in result] == ["PartnerKey", "ID", "ObjectID"]
    assert int(texts(result, "p:ID")[0]) > 0
    assert result.find("p:ObjectID", NS).get(f"{{{NS['xsi']}}}nil") == "true"


def test_seed_002_as_printed_is_refused_with_a_client_fault(mc):
    broken = SEED_002_RETRIEVE_LIST.replace('wsu:Id="UsernameToken-24440876" xmlns:wsu', 'wsu:Id="UsernameToken-24440876"xmlns:wsu')
    status, body = _post(mc, broken)
    assert status == 500
    assert body.findtext("faultcode") == "soap:Client"


def test_seed_000_send_classification_by_name(mc):
    props = ["ObjectID", "Name", "Description", "CustomerKey", "SenderProfile.CustomerKey", "Client.ID",
             "Client.PartnerClientKey", "PartnerKey"]
    status, body = _post(mc, _retrieve_envelope("SendClassification", props, "Name", "Default Commercial"))
    assert status == 200 and texts(body, "p:OverallStatus") == ["OK"]
    result = body.find("p:Results", NS)
    assert texts(result, "p:Name") == ["Default Commercial"]
    assert texts(result, "p:CustomerKey") == ["Default Commercial"]
    assert texts(result, "p:SenderProfile/p:CustomerKey") == ["Default"]
    assert texts(result, "p:Client/p:ID") == ["100000001"]


def test_seed_000_email_by_name(mc, soap):
    soap.create('<Objects xsi:type="Email"><Name>Market2Lead</Name><Subject>Market2Lead-Email</Subject>'
                "<HTMLBody>&lt;p&gt;Hi&lt;/p&gt;</HTMLBody><Status>New</Status></Objects>")
    status, body = _post(mc, _retrieve_envelope("Email", ["ID", "Name", "Subject", "Status", "PartnerKey"],
                                                "Name", "Market2Lead"))
    assert status == 200
    result = body.find("p:Results", NS)
    assert result.get(f"{{{NS['xsi']}}}type") == "Email"
    assert texts(result, "p:Subject") == ["Market2Lead-Email"]
    assert texts(result, "p:Status") == ["New"]
