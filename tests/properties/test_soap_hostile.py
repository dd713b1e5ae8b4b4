"""Hostile and careless SOAP input, generated: never a 5xx but a well-formed soap:Client fault, never a change.

Three suites, all posting through the in-process WSGI app (Flask's test client, no sockets):

- objects generated from the WSDL's types (emulator.domain.schema): any concrete APIObject type, a random
  subset of its properties (nested complex ones to depth 2, abstract ones as a derived xsi:type), each value
  either valid for its simple type or hostile (integers past their type's bounds up to a googol, wrong
  lexical forms, "True", dates at year 1 or past 9999 once in UTC, out-of-enumeration values, elements
  inside strings), sent as Create, Update or Delete;
- Retrieve requests with generated filters on every property kind, hostile values included;
- byte-level mutations of valid envelopes: truncation, bytes replaced, latin-1/cp1252/UTF-16 bytes labelled
  UTF-8, overlong and stray UTF-8 sequences, names that are not charsets, a foreign body namespace, an
  undeclared prefix, no Body, a SOAPAction naming another operation.

Every answer must be a SOAP envelope; a 500 must carry faultcode soap:Client (or q0:Security when a mutation
hit the credentials), never soap:Server. A request holding a hostile value must be refused (a fault or an
all-Error result), and every refusal must leave the store as it was (row counts per table, and the object
rows themselves, compared before and after; the journal is left out since it records every request).

Profile: ``SFMC_HOSTILE_EXAMPLES`` examples per test, 300 by default (the module runs in well under 30 s on
one core); ``SFMC_HOSTILE_EXAMPLES=5000 pytest tests/properties/test_soap_hostile.py`` for a long run.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cache

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from emulator.app import create_app
from emulator.core import Emulator
from emulator.domain.schema import PARTNER_NS, Field, SimpleType, partner_schema
from emulator.soap.codec import XSI_NS
from tests.soap_helpers import envelope, retrieve_request

EXAMPLES = int(os.environ.get("SFMC_HOSTILE_EXAMPLES", "300"))
PROFILE = settings(max_examples=EXAMPLES, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.function_scoped_fixture])
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
SCHEMA = partner_schema()
P = f"{{{PARTNER_NS}}}"


@pytest.fixture(scope="module")
def wire():
    emu = Emulator()
    client = create_app(emu).test_client()
    yield emu, client
    emu.close()


def fingerprint(emu: Emulator) -> str:
    """Row counts per table and a digest of the object rows (the journal records every request)."""
    db = emu.store.db
    with emu.store.reading():
        counts = sorted((t.name, t.count) for t in db.tables if t.name != "journal")
        objects = hashlib.sha256(repr(list(db["object"].rows)).encode()).hexdigest()
    return f"{counts}|{objects}"


@dataclass
class Answer:
    status: int
    fault: str | None  # faultcode, when the body is a Fault
    statuses: list[str]  # the StatusCode of every result (empty for a fault)
    overall: str | None


def post(client, action: str, data: bytes, content_type: str = "text/xml; charset=utf-8") -> Answer:
    response = client.post("/Service.asmx", data=data, headers={"SOAPAction": action, "Content-Type": content_type})
    assert response.status_code in (200, 500), (response.status_code, response.data[:300])
    assert response.content_type.startswith("text/xml"), response.data[:300]
    root = etree.fromstring(response.data)  # a well-formed envelope, whatever came in
    assert root.tag == f"{{{SOAP}}}Envelope"
    body = root.find(f"{{{SOAP}}}Body")
    assert body is not None and len(body) == 1
    payload = body[0]
    if payload.tag == f"{{{SOAP}}}Fault":
        assert response.status_code == 500
        assert b"Traceback" not in response.data
        return Answer(500, payload.findtext("faultcode"), [], None)
    assert response.status_code == 200
    return Answer(200, None, [e.text for e in payload.iter(f"{P}StatusCode") if e.getparent().tag == f"{P}Results"],
                  payload.findtext(f"{P}OverallStatus"))


def refused(answer: Answer) -> bool:
    overall = answer.overall or ""
    verdict = answer.fault is not None or overall.startswith("Error") or bool(answer.statuses) and all(
        s == "Error" for s in answer.statuses)
    event(f"answer: {answer.fault or 'fault-free'}, {'refused' if verdict else 'accepted'}")  # --hypothesis-show-statistics
    return verdict


def assert_no_server_fault(answer: Answer) -> None:
    assert answer.fault in (None, "soap:Client", "q0:Security"), answer


# -- values from the WSDL's simple types ---------------------------------------------------------------
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
                   max_size=40)
GOOGOL = 10**100


def valid_values(simple: SimpleType) -> st.SearchStrategy[str]:
    if simple.bounds is not None:
        low, high = simple.bounds
        return st.integers(low, high).map(str) | st.sampled_from([str(low), str(high), f" +{high} ", "007"])
    if simple.enumeration is not None:
        return st.sampled_from(simple.enumeration)
    kind = simple.primitive
    if kind == "boolean":
        return st.sampled_from(["true", "false", "1", "0", " true "])
    if kind == "dateTime":
        from datetime import datetime
        stamps = st.datetimes(datetime(1753, 1, 2), datetime(9999, 12, 30))
        return stamps.map(lambda d: d.isoformat() + "Z") | stamps.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S"))
    if kind == "time":
        return st.sampled_from(["00:00:00", "23:59:59", "12:30:00.5", "08:00:00Z"])
    if kind in ("double", "float", "decimal"):
        return st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr).filter(lambda t: "e" not in t
                                                                                         or kind != "decimal")
    return XML_TEXT


def hostile_values(simple: SimpleType) -> st.SearchStrategy[str] | None:
    """Values .NET's deserialiser refuses for this type (None for plain strings: any text is a string)."""
    if simple.bounds is not None:
        low, high = simple.bounds
        return (st.integers(high + 1, high + 2**70).map(str) | st.integers(low - 2**70, low - 1).map(str)
                | st.sampled_from([str(GOOGOL), str(-GOOGOL), "1.5", "1e3", "0x10", "", " ", "abc", "1_000",
                                   "\u0661\u0662", "--1", "+", "2147483648", "9223372036854775808"]))
    if simple.enumeration is not None:
        return XML_TEXT.filter(lambda t: t.strip(" \t\n\r") not in simple.enumeration)
    kind = simple.primitive
    if kind == "boolean":
        return st.sampled_from(["True", "FALSE", "yes", "2", "", "tru"])
    if kind == "dateTime":
        return st.sampled_from(["0001-01-01T00:00:00", "0001-01-01T00:00:00Z", "1752-12-31T23:59:59Z",
                                "9999-12-31T23:59:59", "9999-12-31T23:59:59-05:00", "2024-02-30T00:00:00",
                                "2024-13-01T00:00:00", "yesterday", "2024-01-01T24:00:00", "20240101T000000",
                                "2024-W01-1", ""])
    if kind == "time":
        return st.sampled_from(["25:00:00", "noon", "12:60:00", ""])
    if kind in ("double", "float", "decimal"):
        return st.sampled_from(["1e400", "-1e400", "NaN", "INF", "1,5", "0x1p3", "", "inf"])
    return None


@dataclass
class Built:
    element: etree._Element
    hostile: bool


@cache
def concrete_types(declared: str) -> tuple[str, ...]:
    return tuple(sorted(name for name, t in SCHEMA.types.items()
                        if not t.is_abstract and "." not in name and SCHEMA.is_a(name, declared)))


@cache
def api_object_types() -> tuple[str, ...]:
    return tuple(name for name in concrete_types("APIObject") if name != "APIObject")


@st.composite
def value_element(draw, f: Field, depth: int) -> Built:
    el = etree.Element(P + f.name)
    simple = SCHEMA.simple_type(f)
    if simple is None:
        candidates = concrete_types(f.type_name) or (f.type_name,)
        actual = draw(st.sampled_from(candidates))
        if actual != f.type_name:
            el.set(f"{{{XSI_NS}}}type", actual)
        if depth <= 0:
            return Built(el, False)
        return draw(object_body(actual, depth - 1, el))
    bad = hostile_values(simple)
    if simple.primitive == "string" and simple.enumeration is None and draw(st.integers(0, 9)) == 0:
        etree.SubElement(el, P + "b").text = draw(XML_TEXT)  # an element inside a string: refused
        return Built(el, True)
    if bad is not None and draw(st.integers(0, 3)) == 0:
        el.text = draw(bad)
        return Built(el, True)
    el.text = draw(valid_values(simple))
    return Built(el, False)


@st.composite
def object_body(draw, type_name: str, depth: int, el: etree._Element) -> Built:
    fields = SCHEMA.fields(type_name)
    chosen = draw(st.lists(st.sampled_from(fields), max_size=6, unique_by=lambda f: f.name)) if fields else []
    hostile = False
    order = {f.name: i for i, f in enumerate(fields)}
    for f in sorted(chosen, key=lambda f: order[f.name]):
        built = draw(value_element(f, depth))
        el.append(built.element)
        hostile = hostile or built.hostile
    return Built(el, hostile)


@st.composite
def objects_request(draw) -> tuple[str, bytes, bool]:
    action = draw(st.sampled_from(["Create", "Update", "Delete"]))
    request = etree.Element(P + f"{action}Request", nsmap={None: PARTNER_NS, "xsi": XSI_NS})
    hostile = False
    for _ in range(draw(st.integers(1, 3))):
        type_name = draw(st.sampled_from(api_object_types()))
        obj = etree.SubElement(request, P + "Objects")
        obj.set(f"{{{XSI_NS}}}type", type_name)
        hostile = draw(object_body(type_name, 1, obj)).hostile or hostile
    return action, envelope(etree.tostring(request, encoding="unicode")).encode("utf-8"), hostile


@given(objects_request())
@PROFILE
def test_generated_objects_are_decoded_or_refused_cleanly(wire, request_and_flag):
    emu, client = wire
    action, data, hostile = request_and_flag
    event(f"{action} with {'a hostile value' if hostile else 'only valid values'}")
    before = fingerprint(emu)
    answer = post(client, action, data)
    assert_no_server_fault(answer)
    if hostile:
        assert refused(answer), answer
    if refused(answer):
        assert fingerprint(emu) == before


@st.composite
def retrieve_with_filter(draw) -> bytes:
    type_name = draw(st.sampled_from(api_object_types()))
    scalars = [f for f in SCHEMA.fields(type_name) if SCHEMA.simple_type(f) is not None] or SCHEMA.fields(type_name)
    f = draw(st.sampled_from(scalars))
    simple = SCHEMA.simple_type(f)
    values = valid_values(simple) if simple is not None else XML_TEXT
    bad = hostile_values(simple) if simple is not None else None
    operator = draw(st.sampled_from(SCHEMA.enums["SimpleOperators"]))
    count = 2 if operator == "between" else draw(st.integers(1, 3))
    chosen = [draw(bad if bad is not None and draw(st.booleans()) else values) for _ in range(count)]
    part = etree.Element(P + "Filter", nsmap={None: PARTNER_NS, "xsi": XSI_NS})
    part.set(f"{{{XSI_NS}}}type", "SimpleFilterPart")
    etree.SubElement(part, P + "Property").text = f.name
    etree.SubElement(part, P + "SimpleOperator").text = operator
    for value in chosen:
        etree.SubElement(part, P + "Value").text = value
    filter_xml = etree.tostring(part, encoding="unicode")
    return envelope(retrieve_request(type_name, [f.name], filter_xml)).encode("utf-8")


@given(retrieve_with_filter())
@PROFILE
def test_generated_retrieve_filters_never_fault_the_server(wire, data):
    emu, client = wire
    before = fingerprint(emu)
    answer = post(client, "Retrieve", data)
    event(f"answer: {answer.fault or (answer.overall or '').split(':')[0]}")
    assert_no_server_fault(answer)
    assert fingerprint(emu) == before


# -- byte-level mutations of valid envelopes ---------------------------------------------------------------
VALID = {
    "Create": envelope(f'<CreateRequest xmlns="{PARTNER_NS}"><Objects xsi:type="List"><ListName>Prøve ✓ list'
                       "</ListName><Description>ünïcödé</Description><Type>Private</Type></Objects>"
                       "</CreateRequest>"),
    "Retrieve": envelope(retrieve_request("List", ["ID", "ListName", "CreatedDate"])),
}


def _replace_body_namespace(text: str) -> str:
    return text.replace(f'xmlns="{PARTNER_NS}"', 'xmlns="http://example.com/not-partner"', 1)


def _undeclared_prefix(text: str) -> str:
    return text.replace("<soapenv:Body>", "<soapenv:Body><q:Wrap>").replace("</soapenv:Body>", "</q:Wrap></soapenv:Body>")


def _drop_body(text: str) -> str:
    start, end = text.index("<soapenv:Body>"), text.index("</soapenv:Body>") + len("</soapenv:Body>")
    return text[:start] + text[end:]


TEXT_MUTATIONS = {
    "foreign namespace": _replace_body_namespace,
    "undeclared prefix": _undeclared_prefix,
    "no Body": _drop_body,
    "empty Body": lambda t: _drop_body(t).replace("</soapenv:Envelope>", "<soapenv:Body/></soapenv:Envelope>"),
    "not an Envelope": lambda t: t.replace("soapenv:Envelope", "soapenv:Envelop"),
}
# (label, encoder, Content-Type): bytes that are not what the label says, or labels that are not encodings
ENCODINGS = [
    ("latin-1 as utf-8", lambda t: t.encode("latin-1", "replace"), "text/xml; charset=utf-8"),
    ("cp1252 as utf-8", lambda t: t.encode("cp1252", "replace"), "text/xml; charset=utf-8"),
    ("utf-16 as utf-8", lambda t: t.encode("utf-16"), "text/xml; charset=utf-8"),
    ("utf-16 without BOM as utf-8", lambda t: t.encode("utf-16-le"), "text/xml; charset=utf-8"),
    ("utf-8 as unknown charset", lambda t: t.encode("utf-8"), "text/xml; charset=x-klingon"),
    ("utf-8 as a transform", lambda t: t.encode("utf-8"), "text/xml; charset=rot13"),
    ("utf-8 as an escape codec", lambda t: t.encode("utf-8"), "text/xml; charset=unicode_escape"),
    ("utf-8 as shift_jis", lambda t: t.encode("utf-8"), "text/xml; charset=shift_jis"),
    ("utf-8 as utf-32", lambda t: t.encode("utf-8"), "text/xml; charset=utf-32"),
    ("utf-8 with no charset", lambda t: t.encode("utf-8"), "text/xml"),
]
BAD_UTF8 = [b"\xc0\xaf", b"\xe0\x80\xaf", b"\x80", b"\xbf\xbf", b"\xc3", b"\xe2\x9c", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80",
            b"\xff", b"\xf4\x90\x80\x80"]


@st.composite
def mutated_envelope(draw) -> tuple[str, bytes, str]:
    action = draw(st.sampled_from(sorted(VALID)))
    text = VALID[action]
    content_type = "text/xml; charset=utf-8"
    how = draw(st.sampled_from(["truncate", "replace bytes", "insert bad utf-8", "encoding", "text", "combined",
                                "wrong SOAPAction"]))
    if how in ("text", "combined"):
        text = TEXT_MUTATIONS[draw(st.sampled_from(sorted(TEXT_MUTATIONS)))](text)
    data = text.encode("utf-8")
    if how == "encoding":
        _, encode, content_type = draw(st.sampled_from(ENCODINGS))
        data = encode(text)
    if how == "truncate":
        data = data[:draw(st.integers(0, len(data) - 1))]
    if how in ("replace bytes", "combined"):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at + draw(st.integers(0, 8)):]
    if how == "insert bad utf-8":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(BAD_UTF8)) + data[at:]
    if how == "wrong SOAPAction":
        action = draw(st.sampled_from(["Create", "Retrieve", "Update", "Delete", "Perform"]).filter(lambda a: a != action))
    return action, data, content_type


@given(mutated_envelope())
@PROFILE
def test_mutated_envelopes_are_client_faults_and_change_nothing(wire, mutation):
    emu, client = wire
    action, data, content_type = mutation
    before = fingerprint(emu)
    answer = post(client, action, data, content_type)
    assert_no_server_fault(answer)
    if refused(answer):
        assert fingerprint(emu) == before
