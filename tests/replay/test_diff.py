"""The structural diff: namespace-aware XML (prefixes and white space do not count), JSON key paths,
matchers for volatile values, exact vs subset."""

from __future__ import annotations

import pytest

from emulator.replay.diff import BodyError, diff_body
from emulator.replay.template import UnknownVariable, lookup_in, matches, substitute

NO_VARS = lookup_in({})
ACTUAL = b"""<?xml version="1.0"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body>
 <CreateResponse xmlns="http://exacttarget.com/wsdl/partnerAPI">
  <Results><StatusCode>OK</StatusCode><NewID>0</NewID><NewObjectID>7e2a4dca-a4ad-4438-9d7a-734b41d17fdb</NewObjectID>
   <Object xsi:type="EmailSendDefinition"><Name>X</Name></Object></Results>
  <Results><StatusCode>Error</StatusCode><NewID>0</NewID></Results>
  <RequestID>82ae03f2-6aca-4d10-8dd2-86f1f208f8c6</RequestID><OverallStatus>Has Errors</OverallStatus>
 </CreateResponse></soap:Body></soap:Envelope>"""


def expected(results: str, overall: str = "Has Errors") -> str:
    return f"""<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="http://www.w3.org/2001/XMLSchema-instance">
      <e:Body>
        <p:CreateResponse xmlns:p="http://exacttarget.com/wsdl/partnerAPI">
          {results}
          <p:RequestID>{{{{guid}}}}</p:RequestID>
          <p:OverallStatus>{overall}</p:OverallStatus>
        </p:CreateResponse>
      </e:Body>
    </e:Envelope>"""


FULL = ("<p:Results><p:StatusCode>OK</p:StatusCode><p:NewID>{{int}}</p:NewID><p:NewObjectID>{{guid}}</p:NewObjectID>"
        '<p:Object x:type="p:EmailSendDefinition"><p:Name>X</p:Name></p:Object></p:Results>'
        "<p:Results><p:StatusCode>Error</p:StatusCode><p:NewID>0</p:NewID></p:Results>")


def test_prefixes_whitespace_and_xsi_type_prefixes_do_not_count():
    assert diff_body(expected(FULL), ACTUAL, NO_VARS) == []


def test_value_mismatch_is_reported_with_its_element_path():
    wrong = FULL.replace("<p:StatusCode>Error", "<p:StatusCode>OK")
    assert diff_body(expected(wrong, "OK"), ACTUAL, NO_VARS) == [
        "/Envelope/Body/CreateResponse/Results[2]/StatusCode: expected 'OK', got 'Error'",
        "/Envelope/Body/CreateResponse/OverallStatus: expected 'OK', got 'Has Errors'",
    ]


def test_namespace_difference_is_a_mismatch():
    other = expected(FULL).replace('xmlns:p="http://exacttarget.com/wsdl/partnerAPI"', 'xmlns:p="urn:other"')
    [message] = diff_body(other, ACTUAL, NO_VARS)
    assert message == ("/Envelope/Body/CreateResponse: expected element {urn:other}CreateResponse at position 1, "
                       "got {http://exacttarget.com/wsdl/partnerAPI}CreateResponse")


def test_exact_reports_missing_and_unexpected_elements_subset_does_not():
    one = FULL.split("</p:Results>")[0] + "</p:Results>"
    assert diff_body(expected(one), ACTUAL, NO_VARS, "exact") == [
        "/Envelope/Body/CreateResponse/RequestID: expected element "
        "{http://exacttarget.com/wsdl/partnerAPI}RequestID at position 2, got "
        "{http://exacttarget.com/wsdl/partnerAPI}Results"]
    assert diff_body(expected(one), ACTUAL, NO_VARS, "subset") == []
    missing = expected(one.replace("</p:Results>", "<p:ErrorCode>1</p:ErrorCode></p:Results>"))
    assert diff_body(missing, ACTUAL, NO_VARS, "subset") == ["/Envelope/Body/CreateResponse/Results/ErrorCode: missing"]


def test_subset_finds_the_matching_repeated_element():
    second_only = "<p:Results><p:StatusCode>Error</p:StatusCode></p:Results>"
    assert diff_body(expected(second_only), ACTUAL, NO_VARS, "subset") == []


def test_any_skips_a_subtree_and_variables_match_their_value():
    body = FULL.replace("<p:Name>X</p:Name>", "{{any}}").replace("<p:NewObjectID>{{guid}}", "<p:NewObjectID>{{esd}}")
    variables = lookup_in({"esd": "7e2a4dca-a4ad-4438-9d7a-734b41d17fdb"})
    assert diff_body(expected(body), ACTUAL, variables) == []
    wrong = lookup_in({"esd": "00000000-a4ad-4438-9d7a-734b41d17fdb"})
    assert len(diff_body(expected(body), ACTUAL, wrong)) == 1


def test_unreadable_answers_and_expectations():
    assert diff_body("<a/>", b"not xml", NO_VARS)[0].startswith("body: expected XML, got something unreadable")
    with pytest.raises(BodyError):
        diff_body("<a><b></a>", b"<a/>", NO_VARS)


def test_json_key_paths_types_and_modes():
    actual = b'{"requestId": "82ae03f2-6aca-4d10-8dd2-86f1f208f8c6", "count": 2, "ok": true, ' \
             b'"responses": [{"messageKey": "m1"}, {"messageKey": "m2", "errorcode": 109106}]}'
    want = {"requestId": "{{guid}}", "count": "{{int}}", "ok": True,
            "responses": [{"messageKey": "m1"}, {"messageKey": "m2", "errorcode": 109106}]}
    assert diff_body(want, actual, NO_VARS) == []
    assert diff_body({**want, "count": "2"}, actual, NO_VARS) == ["$.count: expected '2', got 2"]
    assert diff_body({"responses": [{"messageKey": "m1"}]}, actual, NO_VARS, "exact") == [
        "$.responses: 1 unexpected item(s) after index 0",
        "$.requestId: unexpected key ('82ae03f2-6aca-4d10-8dd2-86f1f208f8c6')",
        "$.count: unexpected key (2)", "$.ok: unexpected key (True)"]
    assert diff_body('{"responses": [{"messageKey": "m9"}]}', actual, NO_VARS, "subset") == [
        "$.responses[0].messageKey: expected 'm9', got 'm1'"]
    assert diff_body({"ok": 1}, actual, NO_VARS) != []  # true is not 1


def test_templates():
    assert matches("urn:uuid:{{guid}}", "urn:uuid:7e2a4dca-a4ad-4438-9d7a-734b41d17fdb", NO_VARS)
    assert matches("AsyncID:{{int}}", "AsyncID:129159023", NO_VARS)
    assert not matches("AsyncID:{{int}}", "AsyncID:12x", NO_VARS)
    assert matches("{{date}}", "2018-08-03T13:41:18.55", NO_VARS) and matches("{{date}}", "2011-07-12T15:13:12Z", NO_VARS)
    assert matches("a.b", "a.b", NO_VARS) and not matches("a.{{token}}", "a.", NO_VARS)
    assert substitute("Bearer {{t}}", lookup_in({"t": "x"})) == "Bearer x"
    with pytest.raises(UnknownVariable):
        substitute("{{nope}}", NO_VARS)
