"""Simple values are decoded against their WSDL types, as SFMC's .NET deserialiser reads them.

A value outside its type (an xsd:int of 2**31, a byte of 300, "True" for a boolean, year 1, an element
inside a string, an xsi:type that is not the declared type's) is a soap:Client fault and nothing is written.
"""

from __future__ import annotations

import pytest
from lxml import etree

from emulator.domain.schema import XSD_INTEGER_RANGES, partner_schema
from emulator.soap.codec import Codec, DecodeError
from tests.soap_helpers import NS, PARTNER, envelope, post_envelope, retrieve_request, texts, validate_body

codec = Codec(partner_schema())


def _create(mc, objects: str, options: str = "") -> tuple[int, etree._Element]:
    body = f'<CreateRequest xmlns="{PARTNER}">{options}{objects}</CreateRequest>'
    response = post_envelope(mc.soap_url, "Create", envelope(body))
    return response.status_code, validate_body(response.content)


def _client_fault(mc, objects: str, options: str = "") -> str:
    status, payload = _create(mc, objects, options)
    assert status == 500 and payload.tag == f"{{{NS['soap']}}}Fault", etree.tostring(payload)
    assert payload.findtext("faultcode") == "soap:Client"
    return payload.findtext("faultstring")


def _list_names(soap) -> list[str]:
    return texts(soap.retrieve("List", ["ListName"]), "p:Results/p:ListName")


def _list(extra: str) -> str:
    return f'<Objects xsi:type="List"><ListName>typed</ListName>{extra}</Objects>'


@pytest.mark.parametrize("value", [str(2**31), str(-(2**31) - 1), str(2**63), str(10**100), "9" * 5000])
def test_int_out_of_range_is_a_client_fault(mc, soap, value):
    message = _client_fault(mc, _list(f"<Category>{value}</Category>"))
    assert "too large or too small" in message and "Category (int)" in message
    assert len(message) < 400  # a 5000-digit value is shown shortened
    assert _list_names(soap) == ["All Subscribers"]


@pytest.mark.parametrize("value", ["1.5", "1e3", "0x10", "1_000", "\u0661\u0662", "", "+", "12abc"])
def test_int_in_a_wrong_lexical_form_is_a_client_fault(mc, soap, value):
    assert "was not in a correct format for Category (int)" in _client_fault(mc, _list(f"<Category>{value}</Category>"))
    assert _list_names(soap) == ["All Subscribers"]


def test_byte_typed_priority_of_300_is_a_client_fault(mc, soap):
    message = _client_fault(mc, _list(""), "<Options><Priority>300</Priority></Options>")
    assert "Priority (byte)" in message and "-128 to 127" in message
    assert _list_names(soap) == ["All Subscribers"]


@pytest.mark.parametrize("value", ["True", "FALSE", "yes", "2", ""])
def test_boolean_accepts_only_the_xsd_forms(mc, value):
    options = f'<Options><SendResponseTo><ResponseType>email</ResponseType><ResponseAddress>a@b.c</ResponseAddress>' \
              f"<IncludeResults>{value}</IncludeResults></SendResponseTo></Options>"
    assert "IncludeResults (boolean)" in _client_fault(mc, _list(""), options)


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00", "1752-12-31T23:59:59Z", "9999-12-31T23:59:59",
                                   "9999-12-31T23:59:59-05:00", "2024-02-30T00:00:00", "2024-01-01T24:00:00",
                                   "20240101T000000", "2024-W01-1", "tomorrow"])
def test_datetime_outside_its_form_or_range_is_a_client_fault(mc, value):
    message = _client_fault(mc, '<Objects xsi:type="SMSSharedKeyword"><CustomerKey>k</CustomerKey>'
                                f"<ExpireDate>{value}</ExpireDate></Objects>")
    assert "ExpireDate (dateTime)" in message


def test_datetimes_at_the_ends_of_the_range_are_stored_and_read_back(mc):
    # SMSSharedKeyword: a generic type keeping a client-given dateTime. Its echo lacks properties the
    # schema requires, so these answers are read without schema validation.
    for key, value in (("last", "9999-12-31T23:59:59.9999999Z"), ("first", "1753-01-01T00:00:00Z")):
        body = (f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="SMSSharedKeyword"><CustomerKey>{key}'
                f"</CustomerKey><ExpireDate>{value}</ExpireDate></Objects></CreateRequest>")
        response = post_envelope(mc.soap_url, "Create", envelope(body))
        assert response.status_code == 200, response.text
    response = post_envelope(mc.soap_url, "Retrieve", envelope(retrieve_request("SMSSharedKeyword",
                                                                                ["CustomerKey", "ExpireDate"])))
    assert response.status_code == 200, response.text
    results = etree.fromstring(response.content).findall(".//p:Results", NS)
    read = {r.findtext("p:CustomerKey", namespaces=NS): r.findtext("p:ExpireDate", namespaces=NS) for r in results}
    assert read == {"last": "9999-12-31T17:59:59.99", "first": "1752-12-31T18:00:00"}  # Central time


def test_element_inside_a_string_is_refused_not_stored_as_text(mc, soap):
    message = _client_fault(mc, '<Objects xsi:type="List"><ListName>a<b>bold</b>c</ListName></Objects>')
    assert "ListName (string) holds the element <b>" in message
    assert _list_names(soap) == ["All Subscribers"]


def test_out_of_enumeration_value_is_still_a_client_fault(mc):
    assert "'Secret' is not a valid value for ListTypeEnum" in _client_fault(mc, _list("<Type>Secret</Type>"))


@pytest.mark.parametrize(("xsi_type", "says"), [
    ("nope:List", "undeclared prefix 'nope'"),
    ("x:List", "namespace='urn:x'"),
    ("SimpleFilterPart", "does not derive from APIObject"),
])
def test_xsi_type_is_resolved_as_a_qname_and_must_derive(mc, soap, xsi_type, says):
    objects = f'<Objects xmlns:x="urn:x" xsi:type="{xsi_type}"><ListName>t</ListName></Objects>'
    assert says in _client_fault(mc, objects)
    assert _list_names(soap) == ["All Subscribers"]


def test_a_valid_list_still_goes_through(soap):
    answer = soap.create(_list("<Type>Private</Type>"))
    assert texts(answer, "p:Results/p:StatusCode") == ["OK"]
    assert "typed" in _list_names(soap)


# -- the codec on its own ------------------------------------------------------------------------
def _decode(inner: str, type_name: str = "List") -> dict:
    el = etree.fromstring(f'<Objects xmlns="{PARTNER}" xmlns:xsi="{NS["xsi"]}">{inner}</Objects>')
    return codec.decode(el, type_name)


@pytest.mark.parametrize(("text", "value"), [(" 7 ", 7), ("+5", 5), ("-0", 0), ("007", 7),
                                             (str(2**31 - 1), 2**31 - 1), (str(-(2**31)), -(2**31))])
def test_int_lexical_forms_dotnet_accepts(text, value):
    assert _decode(f"<Category>{text}</Category>")["Category"] == value


def test_each_integer_type_gets_its_own_bounds():
    schema = partner_schema()
    priority = schema.field("CreateOptions", "Priority")
    assert schema.simple_type(priority).bounds == XSD_INTEGER_RANGES["byte"] == (-128, 127)
    assert schema.simple_type(schema.field("List", "ID")).bounds == (-(2**31), 2**31 - 1)
    assert schema.simple_type(schema.field("List", "Type")).enumeration[:2] == ("Public", "Private")
    # an unprefixed type in the WSDL's schema is XML Schema's (its default namespace)
    assert schema.simple_type(schema.field("AsyncResponse", "IncludeResults")).primitive == "boolean"


def test_elements_in_other_namespaces_are_skipped_like_unknown_ones():
    decoded = _decode('<x:ListName xmlns:x="urn:x">foreign</x:ListName><Description>mine</Description>')
    assert "ListName" not in decoded and decoded["Description"] == "mine"


def test_comments_inside_a_string_do_not_cut_it():
    parser = etree.XMLParser(remove_comments=True)  # as Spyne parses requests
    el = etree.fromstring(f'<Objects xmlns="{PARTNER}"><ListName>ab<!-- c -->cd</ListName></Objects>', parser)
    assert codec.decode(el, "List")["ListName"] == "abcd"


def test_doubles_must_be_finite():
    for text in ("1e400", "NaN", "INF"):
        with pytest.raises(DecodeError):
            _decode(f"<Score>{text}</Score>", _double_owner())
    assert _decode("<Score>2.5e1</Score>", _double_owner())["Score"] == 25.0


def _double_owner() -> str:
    schema = partner_schema()
    return next(name for name, t in schema.types.items() if any(f.name == "Score" for f in t.own_fields))
