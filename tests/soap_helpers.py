"""Posting SOAP envelopes and checking answers against the real WSDL's schema."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import requests
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
NS = {"soap": "http://schemas.xmlsoap.org/soap/envelope/", "p": "http://exacttarget.com/wsdl/partnerAPI",
      "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
PARTNER = "http://exacttarget.com/wsdl/partnerAPI"


@cache
def partner_xsd() -> etree.XMLSchema:
    """The WSDL's embedded schema (its fault-XSD import pointed at the local copy) as an XMLSchema."""
    wsdl = etree.parse(str(ROOT / "fixtures" / "etframework.wsdl"))
    schema = wsdl.find(".//{http://www.w3.org/2001/XMLSchema}schema")
    schema = etree.fromstring(etree.tostring(schema))
    for imp in schema.findall("{http://www.w3.org/2001/XMLSchema}import"):
        imp.set("schemaLocation", (ROOT / "fixtures" / "ETFrameworkFault.xsd").as_uri())
    return etree.XMLSchema(schema)


def validate_body(envelope: bytes) -> etree._Element:
    """Parse a SOAP response and assert its body element is valid per the WSDL; returns the body child."""
    root = etree.fromstring(envelope)
    body = root.find("soap:Body", NS)
    assert body is not None and len(body), envelope[:500]
    payload = body[0]
    if payload.tag == f"{{{NS['soap']}}}Fault":
        return payload
    schema = partner_xsd()
    if not schema.validate(payload):
        raise AssertionError(f"response does not validate: {schema.error_log}\n{etree.tostring(payload)[:2000]!r}")
    return payload


def envelope(body: str, username: str = "emulator-user", password: str = "emulator-password",
             token: str | None = None) -> str:
    """A SOAP envelope around `body`: a `fueloauth` header when a token is given, else a WS-Security
    UsernameToken (the default tenant's API user)."""
    if token is not None:
        header = f'<fueloauth xmlns="http://exacttarget.com">{token}</fueloauth>'
    else:
        header = f"""<wsse:Security soapenv:mustUnderstand="1"
  xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
  <wsse:UsernameToken><wsse:Username>{username}</wsse:Username>
  <wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">{password}</wsse:Password>
  </wsse:UsernameToken></wsse:Security>"""
    return f"""<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
 <soapenv:Header>{header}</soapenv:Header>
 <soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"""


def post_envelope(url: str, action: str | None, data: str | bytes,
                  content_type: str = "text/xml; charset=utf-8", timeout: float = 60) -> requests.Response:
    """POST a whole envelope as given (literal seed envelopes, malformed bodies); no SOAPAction when None."""
    headers = {"Content-Type": content_type}
    if action is not None:
        headers["SOAPAction"] = action
    return requests.post(url, data=data.encode() if isinstance(data, str) else data, headers=headers,
                         timeout=timeout)


def post_soap(url: str, action: str | None, body: str, **auth: str) -> requests.Response:
    """POST `body` in an `envelope` (keyword arguments as `envelope` takes them) to a SOAP endpoint URL."""
    return post_envelope(url, action, envelope(body, **auth))


def retrieve_request(object_type: str, properties: list[str], filter_xml: str = "", extra: str = "") -> str:
    """A RetrieveRequestMsg body."""
    props = "".join(f"<Properties>{p}</Properties>" for p in properties)
    return (f'<RetrieveRequestMsg xmlns="{PARTNER}"><RetrieveRequest><ObjectType>{object_type}</ObjectType>'
            f"{props}{filter_xml}{extra}</RetrieveRequest></RetrieveRequestMsg>")


# The doc pages' envelopes are kept verbatim in data files beside their tests; these make one postable.
def readable(page_xml: str) -> str:
    """A doc page's XML as a parser reads it: page 002 drops the space before some namespace declarations
    (`"xmlns:x=`), which no XML parser accepts; the space is restored, nothing else changes."""
    return re.sub(r'"(xmlns:)', r'" \1', page_xml)


def with_credentials(page_envelope: str, username: str, password: str) -> str:
    """A doc page's envelope with its masked (`***`) or placeholder (`username`) credentials replaced."""
    for tag, value in (("Username", username), ("Password", password)):
        page_envelope = re.sub(rf"(<wsse:{tag}\b[^>]*>)[^<]*(</wsse:{tag}>)",
                               lambda m, v=value: f"{m[1]}{v}{m[2]}", page_envelope)
    return page_envelope


def request_body(page_envelope: str) -> str:
    """The request inside a doc page envelope's Body (`<CreateRequest ...>...</CreateRequest>`), as printed."""
    found = re.search(r"<(\w+):Body>\s*(.*?)\s*</\1:Body>", page_envelope, re.S)
    assert found, page_envelope[:300]
    return found[2]


def with_body(page_envelope: str, body: str) -> str:
    """A doc page's envelope (its header as printed) carrying another request in its Body."""
    return page_envelope.replace(request_body(page_envelope), body, 1)


class SoapCaller:
    def __init__(self, mc) -> None:
        self.mc = mc

    def post(self, action: str, body: str, **auth) -> tuple[int, etree._Element]:
        response = post_soap(self.mc.soap_url, action, body, **auth)
        return response.status_code, validate_body(response.content)

    def call(self, action: str, body: str, **auth) -> etree._Element:
        status, payload = self.post(action, body, **auth)
        assert status == 200, etree.tostring(payload)
        return payload

    def create(self, objects_xml: str, **auth) -> etree._Element:
        return self.call("Create", f'<CreateRequest xmlns="{PARTNER}">{objects_xml}</CreateRequest>', **auth)

    def retrieve(self, object_type: str, properties: list[str], filter_xml: str = "", extra: str = "",
                 **auth) -> etree._Element:
        return self.call("Retrieve", retrieve_request(object_type, properties, filter_xml, extra), **auth)


def simple_filter(prop: str, operator: str, *values: str) -> str:
    vals = "".join(f"<Value>{v}</Value>" for v in values)
    return (f'<Filter xsi:type="SimpleFilterPart"><Property>{prop}</Property>'
            f"<SimpleOperator>{operator}</SimpleOperator>{vals}</Filter>")


def texts(el: etree._Element, path: str) -> list[str]:
    return [e.text for e in el.findall(path, NS)]
