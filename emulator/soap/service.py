"""The SOAP endpoint: Spyne parses the envelope, dispatches on the body element and carries faults.

Each partner-API operation is one Spyne method taking the raw body (``AnyXml``, bare); it authenticates
from the SOAP header, hands the body to soap/operations.py and keeps the response element on the context.
``PartnerSoap11`` then writes the envelope the way SFMC does (soap: prefix, WS-Addressing and
WS-Security timestamp headers, faults with faultactor) — Spyne's own envelope differs in small ways
clients and replays notice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.message import Message
from functools import lru_cache
from typing import TYPE_CHECKING

from lxml import etree
from spyne import AnyXml, Application, Fault, ServiceBase, const, rpc
from spyne.const.http import HTTP_405
from spyne.error import RequestNotAllowed
from spyne.protocol.soap import Soap11
from spyne.protocol.soap.mime import collapse_swa
from spyne.server.wsgi import WsgiApplication

from ..clock import iso_utc
from ..domain.errors import DomainError, Unauthorized
from ..domain.schema import PARTNER_NS
from ..web import record_unexpected
from .auth import authenticate, scope_refusal
from .codec import XSI_NS, DecodeError
from .envelope import EnvelopeError, check_envelope, parse_request
from .operations import OPERATIONS

if TYPE_CHECKING:
    from ..core import Emulator

log = logging.getLogger(__name__)
# Spyne logs every Fault with a traceback; ours are answers, not errors (unexpected ones are logged above).
logging.getLogger("spyne.application").setLevel(logging.CRITICAL)
# Spyne runs a full gc.collect() at the end of a request at most once a second (MIN_GC_INTERVAL), to close
# file descriptors of SwA attachments we never keep. With a loaded heap one collection holds the GIL for tens
# of milliseconds: under concurrent load it was a quarter of the server's CPU (issue 13). Python's own
# generational collector still runs.
const.MIN_GC_INTERVAL = float("inf")

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
XSD = "http://www.w3.org/2001/XMLSchema"
ENVELOPE_NSMAP = {"soap": SOAP_ENV, "xsi": XSI_NS, "xsd": XSD, "wsa": WSA, "wsse": WSSE, "wsu": WSU}
FAULT_ACTION = "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault"

# operation name (= SOAPAction) -> (request element, response element). The WSDL names them two ways:
# Create/Update/Delete take <CreateRequest> and answer <CreateResponse>; the rest use ...RequestMsg and
# ...ResponseMsg, two of them after another noun than the operation's.
_BARE = ("Create", "Update", "Delete")
_NOUN = {"Describe": "Definition", "GetSystemStatus": "SystemStatus"}
MESSAGES = {
    op: (f"{op}Request", f"{op}Response") if op in _BARE
    else (f"{_NOUN.get(op, op)}RequestMsg", f"{_NOUN.get(op, op)}ResponseMsg")
    for op in ("Create", "Retrieve", "Update", "Delete", "Query", "Describe", "Execute", "Perform",
               "Configure", "Schedule", "VersionInfo", "Extract", "GetSystemStatus")
}


class SecurityFault(Fault):
    """WS-Security refusal: faultcode q0:Security, no detail (doc:SOAP/soap_faults). "Login failed", or
    "Token Expired" for an expired token (fixtures/sfmc-sdk expiredToken: what SDKs refresh on)."""

    def __init__(self, faultstring: str = "Login failed") -> None:
        super().__init__(faultcode="Security", faultstring=faultstring)


def _handle(ctx, operation: str):
    emu: Emulator = ctx.app.emulator
    ctx.udc = {"operation": operation}
    try:
        call = authenticate(emu, ctx.in_header_doc)
    except Unauthorized as exc:
        raise SecurityFault(exc.message) from exc
    ctx.udc["call"] = call
    ctx.transport.req_env["sfmc.mid"] = call.mid  # for the request journal (journal.py)
    refusal = scope_refusal(emu, call, operation, MESSAGES[operation][1], ctx.in_body_doc)
    if refusal is not None:  # the package lacks a scope the operation needs (domain/scopes.py)
        ctx.udc["response"] = refusal
        return None
    try:
        response = OPERATIONS[operation](emu, call, ctx.in_body_doc)
    except DecodeError as exc:
        raise Fault("Client", f"Server was unable to read request. ---> {exc}") from exc
    except DomainError as exc:
        raise Fault("Client", exc.message) from exc
    except Exception as exc:  # a bug of ours: SFMC's generic server fault, the traceback in our log only
        error_id = record_unexpected(emu, f"SOAP {operation}")  # counted on emu.guard_hits too
        raise Fault("Server", f"Exception occurred during [{operation}] ErrorID: {error_id}") from exc
    ctx.udc["response"] = response
    return None


def _make_method(operation: str, request: str, response: str):
    def method(ctx, body):
        return _handle(ctx, operation)

    method.__name__ = method.__qualname__ = operation  # Spyne keys methods by function name
    return rpc(AnyXml, _body_style="bare", _in_message_name=request, _returns=AnyXml,
               _out_message_name=response, _operation_name=operation)(method)


PartnerAPI = type(
    "PartnerAPI",
    (ServiceBase,),
    {op: _make_method(op, req, resp) for op, (req, resp) in MESSAGES.items()},
)


class PartnerSoap11(Soap11):
    """Soap11 whose envelope looks like SFMC's, and which refuses DTDs (no entity expansion, no external
    entities: lxml is already told not to resolve them; a document that declares any is refused outright,
    as .NET does)."""

    def create_in_document(self, ctx, charset=None):
        """Read the bytes ourselves (soap/envelope.py): Spyne's reader lets empty bodies and encoding errors
        escape as Python exceptions. `charset` (Spyne's reading of Content-Type) is re-read there."""
        environ = ctx.transport.req_env
        content_type = environ.get("CONTENT_TYPE")
        if environ.get("REQUEST_METHOD") != "POST" or not content_type:
            ctx.transport.resp_code = HTTP_405
            raise RequestNotAllowed("You must issue a POST request with the Content-Type header properly set.")
        chunks = collapse_swa(ctx, _parse_header(content_type), self.ns_soap_env)
        data = b"".join(c if isinstance(c, bytes) else c.encode("utf-8") for c in chunks)
        try:
            root, ids = parse_request(data, content_type, self.parser_kwargs)
        except EnvelopeError as exc:
            raise Fault("Client", str(exc)) from None
        ctx.in_document = (root, ids)
        if root.getroottree().docinfo.doctype:
            raise Fault("Client", "Server was unable to read request. ---> For security reasons DTD is "
                                  "prohibited in this XML document.")

    def decompose_incoming_envelope(self, ctx, message=Soap11.REQUEST):
        action = (ctx.transport.req_env.get("HTTP_SOAPACTION") or "").strip().strip('"').strip()
        expected = MESSAGES.get(action.rsplit("/", 1)[-1], (None,))[0] if action else None  # gate vetted the name
        try:
            check_envelope(ctx.in_document[0], expected)
        except EnvelopeError as exc:
            raise Fault("Client", str(exc)) from None
        super().decompose_incoming_envelope(ctx, message)

    def serialize(self, ctx, message):
        emu: Emulator = self.app.emulator
        udc = ctx.udc or {}
        envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=ENVELOPE_NSMAP)
        header = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Header")
        body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
        if ctx.out_error is not None:
            action = FAULT_ACTION
            fault_element(ctx.out_error, emu.base_url + "/Service.asmx", parent=body)
        else:
            action = MESSAGES[udc["operation"]][1].replace("Msg", "")
            body.append(udc["response"])
        _add_headers(emu, header, action, ctx.in_header_doc)
        ctx.out_document = envelope
        ctx.out_body_doc = body
        ctx.out_header_doc = header


def _parse_header(value: str) -> tuple[str, dict[str, str]]:
    """A Content-Type as (type, parameters), as Spyne's SwA reader takes it (the cgi module is going)."""
    content_type, params = _parsed_header(value)
    return content_type, dict(params)


@lru_cache(maxsize=256)  # clients send the same few Content-Types: parse each once
def _parsed_header(value: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    message = Message()
    message["content-type"] = value
    return message.get_content_type(), tuple((k.lower(), v) for k, v in message.get_params()[1:])


def fault_element(fault: Fault, actor: str, parent: etree._Element | None = None) -> etree._Element:
    """The soap:Fault, built inside `parent` when given: lxml drops the q0 declaration faultcode's text
    needs when a built element is appended into an envelope that declares the same namespace as wsse."""
    el = etree.Element(f"{{{SOAP_ENV}}}Fault") if parent is None else etree.SubElement(parent, f"{{{SOAP_ENV}}}Fault")
    if isinstance(fault, SecurityFault):
        etree.SubElement(el, "faultcode", nsmap={"q0": WSSE}).text = "q0:Security"
    else:
        head = str(fault.faultcode or "Server").split(".")[0]
        etree.SubElement(el, "faultcode").text = f"soap:{'Client' if head == 'Client' else 'Server'}"
    etree.SubElement(el, "faultstring").text = fault.faultstring or ""
    etree.SubElement(el, "faultactor").text = actor
    detail = getattr(fault, "detail", None)
    if isinstance(detail, etree._Element):
        wrapper = etree.SubElement(el, "detail")
        wrapper.append(detail)
    return el


def _add_headers(emu: Emulator, header: etree._Element, action: str, request_headers) -> None:
    now = emu.clock.now()
    etree.SubElement(header, f"{{{WSA}}}Action").text = action
    etree.SubElement(header, f"{{{WSA}}}MessageID").text = f"urn:uuid:{emu.ids.guid()}"
    relates = _request_message_id(request_headers)
    if relates:
        etree.SubElement(header, f"{{{WSA}}}RelatesTo").text = relates
    etree.SubElement(header, f"{{{WSA}}}To").text = f"{WSA}/role/anonymous"
    security = etree.SubElement(header, f"{{{WSSE}}}Security")
    stamp = etree.SubElement(security, f"{{{WSU}}}Timestamp")
    stamp.set(f"{{{WSU}}}Id", f"Timestamp-{emu.ids.guid()}")
    created, expires = _timestamp_texts(now.replace(microsecond=0))
    etree.SubElement(stamp, f"{{{WSU}}}Created").text = created
    etree.SubElement(stamp, f"{{{WSU}}}Expires").text = expires


@lru_cache(maxsize=4)  # whole seconds: every response within one second carries the same pair
def _timestamp_texts(second: datetime) -> tuple[str, str]:
    return iso_utc(second), iso_utc(second + timedelta(minutes=5))


def _request_message_id(request_headers) -> str | None:
    for el in request_headers or []:
        if isinstance(el.tag, str) and el.tag.endswith("}MessageID"):
            return (el.text or "").strip() or None
    return None


def build_soap_wsgi(emu: Emulator) -> WsgiApplication:
    app = Application([PartnerAPI], tns=PARTNER_NS, name="PartnerAPI",
                      in_protocol=PartnerSoap11(), out_protocol=PartnerSoap11())
    app.emulator = emu
    return WsgiApplication(app)
