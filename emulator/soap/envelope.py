"""Reading a request's bytes into a SOAP 1.1 envelope, refusing anything that is not one.

Spyne's own reader lets several client mistakes escape as Python exceptions (an empty body raises
StopIteration, bytes that are not in the declared charset raise UnicodeDecodeError, an Envelope with a
Header but no Body an AttributeError), which the WSGI server answers with its text/plain 500. Here every
such request becomes an :class:`EnvelopeError`, which soap/service.py turns into a ``soap:Client`` fault, the
way ASMX answers a request it cannot read ("Server was unable to read request. ---> ...").

Which encoding the bytes are read in (decided here, after RFC 7303 section 3 and XML 1.0 appendix F):

1. A byte-order mark wins over everything: a UTF-16 envelope labelled ``charset=utf-8`` (a common client
   slip) is read as the UTF-16 its BOM announces. The BOM cannot lie about itself, the label can.
2. Otherwise the Content-Type ``charset`` parameter, then the XML declaration's ``encoding``, then UTF-8.
3. The bytes must decode strictly in that encoding: latin-1 or cp1252 bytes in a UTF-8 request, stray
   continuation bytes, overlong sequences, encoded surrogates and truncated multibyte sequences are refused,
   never replaced or guessed at. A name that is not a charset is refused too: unknown names, Python's
   transforms and escapes (base64, rot13, unicode_escape, idna...) and UTF-7 (no XML parser reads it).

Then the envelope must be ``{soap11}Envelope`` with a ``Body`` holding exactly one operation element in the
partner namespace; undeclared prefixes and any other XML error are refused by the parser itself.
"""

from __future__ import annotations

import codecs
import re
import threading

from lxml import etree

from ..domain.schema import PARTNER_NS

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
UNREADABLE = "Server was unable to read request. ---> "

# Longest marks first: UTF-32-LE's BOM starts with UTF-16-LE's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_NOT_CHARSETS = {"unicode-escape", "raw-unicode-escape", "punycode", "idna", "undefined", "utf-7"}
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)


class EnvelopeError(Exception):
    """The request is not a readable SOAP 1.1 envelope for the partner API (a soap:Client fault)."""

    def __init__(self, reason: str) -> None:
        super().__init__(UNREADABLE + reason)


def request_encoding(data: bytes, content_type: str | None) -> tuple[str, int]:
    """The encoding to read `data` in and how many leading BOM bytes to skip (see the module docstring)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    match = _CHARSET.search(content_type or "")
    if match:
        return match.group(1), 0
    declared = _DECLARED.match(data[:512])
    if declared:
        return declared.group(1).decode("ascii"), 0
    return "utf-8", 0


def decode_request(data: bytes, content_type: str | None) -> str:
    """The request's text, strictly decoded; an EnvelopeError for an unknown or violated encoding."""
    encoding, skip = request_encoding(data, content_type)
    try:
        known = codecs.lookup(encoding)
    except LookupError:
        known = None
    # Python also names transforms (base64, rot13) and escapes codecs; none of them is a charset.
    if known is None or not getattr(known, "_is_text_encoding", True) or known.name in _NOT_CHARSETS:
        raise EnvelopeError(f"The charset '{encoding}' is not supported.")
    try:
        return data[skip:].decode(encoding)
    except UnicodeError as exc:  # UnicodeDecodeError, or the bare UnicodeError some codecs raise
        where = f" at byte {exc.start + skip}" if isinstance(exc, UnicodeDecodeError) else ""
        raise EnvelopeError(
            f"There is an error in XML document. ---> Invalid character in the given encoding ({encoding})"
            f"{where}.") from None


_parsers = threading.local()  # lxml parsers are not thread-safe; building one costs more than a small parse


def _parser(options: dict | None) -> etree.XMLParser:
    key = tuple(sorted((options or {}).items()))
    cache = getattr(_parsers, "by_options", None)
    if cache is None:
        cache = _parsers.by_options = {}
    parser = cache.get(key)
    if parser is None:
        parser = cache[key] = etree.XMLParser(**{**(options or {}), "encoding": "utf-8"})
    return parser


def parse_request(data: bytes, content_type: str | None,
                  parser_options: dict | None = None) -> tuple[etree._Element, dict]:
    """Parse the request body into (root, xml ids) with `parser_options` (Spyne's XMLParser keywords);
    the text is re-encoded as UTF-8 and the parser told so, which overrides a stale XML declaration."""
    if not data.strip():
        raise EnvelopeError("Root element is missing.")
    text = decode_request(data, content_type)
    try:
        root, ids = etree.XMLID(text.encode("utf-8"), _parser(parser_options))
    except etree.XMLSyntaxError as exc:
        raise EnvelopeError(f"There is an error in XML document. ---> {exc}") from None
    if root is None:
        raise EnvelopeError("Root element is missing.")
    return root, dict(ids)


def check_envelope(root: etree._Element, expected: str | None = None) -> etree._Element:
    """The operation element of a SOAP 1.1 envelope, or an EnvelopeError saying what is missing; with
    `expected` (the request element the SOAPAction header names) the operation must be that element, as
    ASMX routes on SOAPAction and reads the body as that operation's message."""
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise EnvelopeError(f"The root element {_describe(root)} is not a SOAP 1.1 Envelope ({SOAP_ENV}).")
    bodies = [el for el in root if el.tag == f"{{{SOAP_ENV}}}Body"]
    if len(bodies) != 1:
        raise EnvelopeError("The SOAP Envelope has no Body element." if not bodies
                            else "The SOAP Envelope has more than one Body element.")
    operations = [el for el in bodies[0] if isinstance(el.tag, str)]
    if not operations:
        raise EnvelopeError("The SOAP Body holds no operation element.")
    operation = operations[0]
    if _split(operation)[0] != PARTNER_NS:
        raise EnvelopeError(f"There is an error in XML document. ---> {_describe(operation)} was not expected; "
                            f"request elements are in the namespace '{PARTNER_NS}'.")
    if expected is not None and _split(operation)[1] != expected:
        raise EnvelopeError(f"There is an error in XML document. ---> {_describe(operation)} was not expected; "
                            f"the SOAPAction header asks for <{expected}>.")
    return operation


def _split(el: etree._Element) -> tuple[str | None, str]:
    """(namespace, local name) of an element's tag. Not etree.QName: it refuses a tag lxml itself parsed
    from a name with a colon but no declared prefix (`<q:Wrap>`), which must be a client fault."""
    tag = str(el.tag)
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def _describe(el: etree._Element) -> str:
    namespace, local = _split(el)
    return f"<{local} xmlns='{namespace or ''}'>"
