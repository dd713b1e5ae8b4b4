"""The documentation's Retrieve envelopes (doc pages 000 and 002), posted as literally as XML allows.

Page 002's List retrieve is kept byte for byte in seed_envelopes/. As printed it has two defects an XML
parser cannot read (no space between two attributes) and a misspelled WS-Security namespace
(`docs.oasisopen.org`). We insert the missing spaces and keep the misspelling: the emulator matches the
WS-Security header by local name, as lenient SOAP stacks do. Page 000 shows its SendClassification and
Email retrieves as Java; we post what that code puts on the wire (Axis 1.4 style, typed filter) inside the
page's one printed envelope, so its header is the page's own.
"""

from __future__ import annotations

from pathlib import Path

from tests.soap_helpers import (
    NS,
    PARTNER,
    post_envelope,
    readable,
    retrieve_request,
    simple_filter,
    texts,
    validate_body,
    with_body,
    with_credentials,
)

TESTS = Path(__file__).resolve().parents[1]
SEED_002_RETRIEVE_LIST = (TESTS / "soap" / "seed_envelopes" / "002_retrieve_list_request.xml").read_text()
SEED_000_CREATE = (TESTS / "sends" / "seed_envelopes" / "000_create_request.xml").read_text()


def _axis_retrieve(object_type: str, properties: list[str], prop: str, value: str) -> str:
    """Page 000's envelope carrying the RetrieveRequestMsg its Java builds (Axis types the filter)."""
    typed = simple_filter(prop, "equals", value).replace(
        'xsi:type="SimpleFilterPart"', f'xsi:type="ns1:SimpleFilterPart" xmlns:ns1="{PARTNER}"')
    return with_body(SEED_000_CREATE, retrieve_request(object_type, properties, typed))


def _post(mc, envelope: str, action: str = "Retrieve"):
    response = post_envelope(mc.soap_url, action, with_credentials(envelope, mc.username, mc.password))
    return response.status_code, validate_body(response.content)


def test_seed_002_retrieve_list_by_name(mc, soap):
    soap.create('<Objects xsi:type="List"><ListName>Sample_List</ListName></Objects>')
    status, body = _post(mc, readable(SEED_002_RETRIEVE_LIST))
    assert status == 200
    assert body.tag == f"{{{NS['p']}}}RetrieveResponseMsg"
    assert [child.tag.split("}")[1] for child in body] == ["OverallStatus", "RequestID", "Results"]
    result = body.find("p:Results", NS)
    assert result.get(f"{{{NS['xsi']}}}type") == "List"
    assert [child.tag.split("}")[1] for child in result] == ["PartnerKey", "ID", "ObjectID"]
    assert int(texts(result, "p:ID")[0]) > 0
    assert result.find("p:ObjectID", NS).get(f"{{{NS['xsi']}}}nil") == "true"


def test_seed_002_as_printed_is_refused_with_a_client_fault(mc):
    status, body = _post(mc, SEED_002_RETRIEVE_LIST)
    assert status == 500
    assert body.findtext("faultcode") == "soap:Client"


def test_seed_000_send_classification_by_name(mc):
    props = ["ObjectID", "Name", "Description", "CustomerKey", "SenderProfile.CustomerKey", "Client.ID",
             "Client.PartnerClientKey", "PartnerKey"]
    status, body = _post(mc, _axis_retrieve("SendClassification", props, "Name", "Default Commercial"))
    assert status == 200 and texts(body, "p:OverallStatus") == ["OK"]
    result = body.find("p:Results", NS)
    assert texts(result, "p:Name") == ["Default Commercial"]
    assert texts(result, "p:CustomerKey") == ["Default Commercial"]
    assert texts(result, "p:SenderProfile/p:CustomerKey") == ["Default"]
    assert texts(result, "p:Client/p:ID") == ["100000001"]


def test_seed_000_email_by_name(mc, soap):
    soap.create('<Objects xsi:type="Email"><Name>Market2Lead</Name><Subject>Market2Lead-Email</Subject>'
                "<HTMLBody>&lt;p&gt;Hi&lt;/p&gt;</HTMLBody><Status>New</Status></Objects>")
    status, body = _post(mc, _axis_retrieve("Email", ["ID", "Name", "Subject", "Status", "PartnerKey"],
                                            "Name", "Market2Lead"))
    assert status == 200
    result = body.find("p:Results", NS)
    assert result.get(f"{{{NS['xsi']}}}type") == "Email"
    assert texts(result, "p:Subject") == ["Market2Lead-Email"]
    assert texts(result, "p:Status") == ["New"]
