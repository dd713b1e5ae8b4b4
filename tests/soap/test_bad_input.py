"""Client mistakes get SOAP faults or SFMC error results; nothing is half-written; no tracebacks."""

from __future__ import annotations

from tests.soap_helpers import NS, envelope, post_envelope, simple_filter, texts, validate_body


def _raw(mc, data: bytes | str, action: str = "Create", content_type: str = "text/xml; charset=utf-8"):
    return post_envelope(mc.soap_url, action, data, content_type)


def _list_count(soap) -> int:
    return len(soap.retrieve("List", ["ID"]).findall("p:Results", NS))


def _fault(response) -> tuple[str, str]:
    body = validate_body(response.content)
    assert body.tag == f"{{{NS['soap']}}}Fault", response.text
    assert b"Traceback" not in response.content
    return body.findtext("faultcode"), body.findtext("faultstring")


def test_malformed_xml_is_a_client_fault_and_changes_nothing(mc, soap):
    before = _list_count(soap)
    text = envelope('<CreateRequest xmlns="http://exacttarget.com/wsdl/partnerAPI"><Objects xsi:type="List">'
                    "<ListName>half</ListName></Objects></CreateRequest>")
    response = _raw(mc, text[:-40])
    assert response.status_code == 500
    code, _ = _fault(response)
    assert code == "soap:Client"
    assert _list_count(soap) == before


def test_entity_declarations_are_refused(mc, soap):
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
              '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
    body = envelope('<CreateRequest xmlns="http://exacttarget.com/wsdl/partnerAPI"><Objects xsi:type="List">'
                    "<ListName>&lol3;</ListName></Objects></CreateRequest>")
    response = _raw(mc, laughs + body)
    assert response.status_code == 500
    code, message = _fault(response)
    assert code == "soap:Client" and "DTD is prohibited" in message
    external = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                + body.replace("&lol3;", "&xxe;"))
    response = _raw(mc, external)
    assert response.status_code == 500 and b"root:" not in response.content
    assert _list_count(soap) == 1  # only All Subscribers


def test_oversized_body_is_refused_with_413(mc):
    limit = mc.emu.config.max_body_bytes
    response = _raw(mc, b"<x>" + b"a" * (limit + 1) + b"</x>")
    assert response.status_code == 413
    code, message = _fault(response)
    assert code == "soap:Client" and str(limit) in message


def test_unknown_soap_action(mc):
    response = _raw(mc, envelope("<Nothing/>"), action="Test")
    assert response.status_code == 500
    assert _fault(response) == ("soap:Client", "Server did not recognize the value of HTTP Header SOAPAction: Test.")


def test_unknown_object_type_in_create_is_a_client_fault(mc):
    body = envelope('<CreateRequest xmlns="http://exacttarget.com/wsdl/partnerAPI"><Objects xsi:type="Gizmo">'
                    "<Name>x</Name></Objects></CreateRequest>")
    code, message = _fault(_raw(mc, body))
    assert code == "soap:Client" and "Gizmo" in message


def test_wrong_value_type_is_a_client_fault(mc, soap):
    body = envelope('<CreateRequest xmlns="http://exacttarget.com/wsdl/partnerAPI"><Objects xsi:type="List">'
                    "<Category>not-a-number</Category><ListName>x</ListName></Objects></CreateRequest>")
    code, message = _fault(_raw(mc, body))
    assert code == "soap:Client" and "not-a-number" in message
    assert _list_count(soap) == 1


def test_bad_enum_value_is_a_client_fault(mc):
    body = envelope('<CreateRequest xmlns="http://exacttarget.com/wsdl/partnerAPI"><Objects xsi:type="List">'
                    "<Type>Secret</Type><ListName>x</ListName></Objects></CreateRequest>")
    code, message = _fault(_raw(mc, body))
    assert code == "soap:Client" and "Secret" in message


def test_unknown_retrieve_type_is_an_error_status(soap):
    answer = soap.retrieve("Gizmo", ["ID"])
    assert texts(answer, "p:OverallStatus")[0].startswith("Error: ")
    assert answer.findall("p:Results", NS) == []


def test_bad_filter_operator_and_property(soap):
    answer = soap.retrieve("List", ["ID"], simple_filter("Nope", "equals", "x"))
    assert texts(answer, "p:OverallStatus")[0].startswith("Error: ")


def test_abstract_apiobject_create_is_an_error_result(soap):
    answer = soap.create("<Objects><Name>untyped</Name></Objects>")
    assert texts(answer, "p:Results/p:StatusCode") == ["Error"]
    assert texts(answer, "p:Results/p:ErrorCode") == ["8"]


def test_not_emulated_operation_is_a_clear_fault(mc):
    body = envelope('<QueryRequestMsg xmlns="http://exacttarget.com/wsdl/partnerAPI"/>')
    code, message = _fault(_raw(mc, body, action="Query"))
    assert code == "soap:Client" and "not supported" in message
