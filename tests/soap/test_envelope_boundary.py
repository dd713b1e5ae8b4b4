"""Requests that are not a readable SOAP envelope: every one a soap:Client fault, nothing changed.

Each case is a class of client mistake (issue 10): empty bodies, envelopes without a Body or an operation,
bytes that are not in the declared charset, UTF-16 mislabelled as UTF-8 (read by its BOM), body elements
outside the partner namespace and undeclared prefixes.
"""

from __future__ import annotations

import pytest

from emulator.soap.envelope import EnvelopeError, check_envelope, decode_request, request_encoding
from tests.soap_helpers import NS, PARTNER, envelope, post_envelope, validate_body

SOAP_OPEN = '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
CREATE = envelope(f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="List"><ListName>Liste é ✓</ListName>'
                  "</Objects></CreateRequest>")


def _lists(soap) -> list[str]:
    answer = soap.retrieve("List", ["ListName"])
    return [e.text for e in answer.findall("p:Results/p:ListName", NS)]


def _client_fault(mc, data: bytes, content_type: str = "text/xml; charset=utf-8") -> str:
    response = post_envelope(mc.soap_url, "Create", data, content_type)
    assert response.status_code == 500, response.text
    assert response.headers["Content-Type"].startswith("text/xml")
    fault = validate_body(response.content)
    assert fault.tag == f"{{{NS['soap']}}}Fault"
    assert fault.findtext("faultcode") == "soap:Client"
    assert fault.findtext("faultactor")
    return fault.findtext("faultstring")


def _utf8_with(replacement: bytes) -> bytes:
    """The Create envelope with its é replaced by raw bytes."""
    return CREATE.encode("utf-8").replace("é".encode(), replacement)


@pytest.mark.parametrize(("label", "data", "says"), [
    ("empty body", b"", "Root element is missing"),
    ("only whitespace", b"  \r\n ", "Root element is missing"),
    ("envelope without Body", (SOAP_OPEN + "<soapenv:Header/></soapenv:Envelope>").encode(), "no Body"),
    ("empty envelope", (SOAP_OPEN + "</soapenv:Envelope>").encode(), "no Body"),
    ("Body without an operation", envelope("").encode(), "no operation element"),
    ("not an envelope", f'<CreateRequest xmlns="{PARTNER}"/>'.encode(), "not a SOAP 1.1 Envelope"),
    ("SOAP 1.2 envelope", b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>',
     "not a SOAP 1.1 Envelope"),
    ("latin-1 bytes", CREATE.encode("latin-1", "replace"), "Invalid character in the given encoding (utf-8)"),
    ("cp1252 bytes", CREATE.replace("✓", "€").encode("cp1252", "replace"), "Invalid character"),
    ("stray continuation byte", _utf8_with(b"\x80"), "Invalid character"),
    ("overlong sequence", _utf8_with(b"\xc0\xa9"), "Invalid character"),
    ("encoded surrogate", _utf8_with(b"\xed\xa0\x80"), "Invalid character"),
    ("truncated multibyte", _utf8_with(b"\xe2\x9c"), "Invalid character"),
    ("foreign body namespace", CREATE.replace(PARTNER, "urn:not-partner").encode(),
     "<CreateRequest xmlns='urn:not-partner'> was not expected"),
    ("no namespace at all", CREATE.replace(f' xmlns="{PARTNER}"', "").encode(), "was not expected"),
    ("undeclared prefix", CREATE.replace("<CreateRequest", "<q:Wrap><CreateRequest")
     .replace("</CreateRequest>", "</CreateRequest></q:Wrap>").encode(), "Namespace prefix q"),
    ("truncated document", CREATE.encode()[:-30], "There is an error in XML document"),
])
def test_unreadable_requests_are_client_faults_and_change_nothing(mc, soap, label, data, says):
    before = _lists(soap)
    assert says in _client_fault(mc, data)
    assert _lists(soap) == before


def test_the_body_must_be_the_operation_the_soapaction_names(mc, soap):
    response = post_envelope(mc.soap_url, "Delete", CREATE)
    assert response.status_code == 500
    fault = validate_body(response.content)
    assert fault.findtext("faultcode") == "soap:Client"
    assert "the SOAPAction header asks for <DeleteRequest>" in fault.findtext("faultstring")
    assert _lists(soap) == ["All Subscribers"]
    assert post_envelope(mc.soap_url, None, CREATE).status_code == 200  # no SOAPAction: the body decides


@pytest.mark.parametrize("charset", ["x-klingon", "rot13", "base64", "unicode_escape", "idna", "utf-7", "undefined"])
def test_a_name_that_is_not_a_charset_is_refused(mc, charset):
    message = _client_fault(mc, CREATE.encode(), f"text/xml; charset={charset}")
    assert f"charset '{charset}' is not supported" in message


def test_utf16_mislabelled_as_utf8_is_read_by_its_bom(mc, soap):
    """Decision: the byte-order mark wins over the charset label (RFC 7303 section 3), so the list exists."""
    response = post_envelope(mc.soap_url, "Create", CREATE.encode("utf-16"), "text/xml; charset=utf-8")
    assert response.status_code == 200, response.text
    assert "Liste é ✓" in _lists(soap)


def test_utf16_without_a_bom_labelled_utf8_is_refused(mc, soap):
    assert "There is an error in XML document" in _client_fault(mc, CREATE.encode("utf-16-le"))
    assert _lists(soap) == ["All Subscribers"]


def test_the_charset_label_beats_a_stale_xml_declaration(mc, soap):
    data = ('<?xml version="1.0" encoding="utf-16"?>' + CREATE).encode("latin-1", "replace")
    response = post_envelope(mc.soap_url, "Create", data, "text/xml; charset=iso-8859-1")
    assert response.status_code == 200, response.text
    assert any(name.startswith("Liste é") for name in _lists(soap))


def test_without_a_charset_the_xml_declaration_decides(mc, soap):
    data = ('<?xml version="1.0" encoding="windows-1252"?>' + CREATE.replace("✓", "€")).encode("cp1252")
    response = post_envelope(mc.soap_url, "Create", data, "text/xml")
    assert response.status_code == 200, response.text
    assert "Liste é €" in _lists(soap)


@pytest.mark.parametrize(("data", "content_type", "expected"), [
    (b"\xff\xfe<", "text/xml; charset=utf-8", ("utf-16-le", 2)),
    (b"\xfe\xff\x00<", None, ("utf-16-be", 2)),
    (b"\xff\xfe\x00\x00<", "text/xml", ("utf-32-le", 4)),
    (b"\xef\xbb\xbf<x/>", "text/xml; charset=latin-1", ("utf-8", 3)),
    (b"<x/>", 'text/xml; charset="ISO-8859-1"', ("ISO-8859-1", 0)),
    (b"<?xml version='1.0' encoding='cp1252'?><x/>", "text/xml", ("cp1252", 0)),
    (b"<x/>", None, ("utf-8", 0)),
])
def test_request_encoding_order(data, content_type, expected):
    assert request_encoding(data, content_type) == expected


def test_decode_request_never_replaces_bytes():
    with pytest.raises(EnvelopeError, match="at byte 3"):
        decode_request(b"<a>\xe9</a>", "text/xml; charset=utf-8")
    assert decode_request(b"<a>\xe9</a>", "text/xml; charset=latin-1") == "<a>é</a>"


@pytest.mark.parametrize("where", ["username", "password"])
def test_credentials_holding_elements_are_a_login_failure(mc, where):
    """Not the text before the element: a credential is text only, like every string on the wire."""
    user, password = "emulator-user", "emulator-password"
    data = envelope(f'<CreateRequest xmlns="{PARTNER}"/>', username=user + ("<x/>" if where == "username" else ""),
                    password=password + ("<x/>" if where == "password" else ""))
    response = post_envelope(mc.soap_url, "Create", data)
    fault = validate_body(response.content)
    assert (response.status_code, fault.findtext("faultcode")) == (500, "q0:Security")


def test_an_operation_named_with_an_undeclared_prefix_is_a_client_fault():
    """A recovering parse keeps `<q:Wrap>` as a tag with a colon; naming it must not raise past the check."""
    from lxml import etree

    root = etree.fromstring(b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
                            b"<q:Wrap/></s:Body></s:Envelope>", etree.XMLParser(recover=True))
    with pytest.raises(EnvelopeError, match="was not expected"):
        check_envelope(root)
