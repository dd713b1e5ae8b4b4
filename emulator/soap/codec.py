"""XML <-> plain Python for partner-API payloads, driven by the WSDL's schema.

Why not Spyne models: Spyne's schema parser does not resolve the WSDL's ``complexContent/extension``
(every APIObject type derives from another), and modelling 300 types by hand would drift from the WSDL.
So Spyne owns the envelope, dispatch and faults (soap/service.py) and hands the body element here; this
module decodes it into dicts using emulator.domain.schema and encodes results back in schema order.

Decoded objects are dicts of property name -> value; a nested object is a dict whose ``__type__`` key
holds its (xsi:)type; repeated elements become lists. Dates are ISO-8601 UTC strings. Every simple value is
read as its WSDL type says (soap/values.py); one .NET's deserialiser would refuse is a DecodeError, raised
before the domain sees the request, so a refusal writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lxml import etree

from ..clock import parse_datetime, sfmc_datetime
from ..domain.schema import PARTNER_NS, Field, InvalidEnumValue, Schema, first_invalid_enum
from .values import DECODERS, XML_SPACE, ValueRefused

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = f"{{{XSI_NS}}}type"
XSI_NIL = f"{{{XSI_NS}}}nil"
P = f"{{{PARTNER_NS}}}"

TYPE_KEY = "__type__"


class _Nil:
    """A property SFMC writes as ``<X xsi:nil="true"/>`` (e.g. PartnerKey and ObjectID on retrieve results)."""

    def __repr__(self) -> str:
        return "NIL"


NIL = _Nil()


class DecodeError(Exception):
    """The request body cannot be read as the WSDL describes it (a Client fault, as .NET answers)."""


def _local(tag: str) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _xsi_type(el: etree._Element) -> str | None:
    value = el.get(XSI_TYPE)
    if not value:
        return None
    return value.rpartition(":")[2]


def _shown(text: str) -> str:
    return text if len(text) <= 64 else text[:61] + "..."


class Codec:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._order: dict[str, dict[str, int]] = {}

    # -- decoding ---------------------------------------------------------
    def decode(self, el: etree._Element, type_name: str) -> dict[str, Any]:
        actual = self._actual_type(el, type_name)
        out: dict[str, Any] = {TYPE_KEY: actual}
        for child in el:
            if not isinstance(child.tag, str) or not child.tag.startswith(P):
                continue  # .NET's XmlSerializer skips elements it does not know (other namespaces too).
            name = _local(child.tag)
            f = self.schema.field(actual, name)
            if f is None:
                continue
            if child.get(XSI_NIL) in ("true", "1"):
                continue
            value = self._decode_value(child, f)
            if f.is_array:
                out.setdefault(name, []).append(value)
            else:
                out[name] = value
        return out

    def _actual_type(self, el: etree._Element, declared: str) -> str:
        """The element's xsi:type, resolved as a QName, known and derived from the declared type."""
        value = (el.get(XSI_TYPE) or "").strip(XML_SPACE)
        if not value:
            return declared
        prefix, _, name = value.rpartition(":")
        # A prefixed name must resolve to the partner namespace; an unprefixed one is taken as a partner type
        # whatever the default namespace (lenient as before: hand-written envelopes vary).
        namespace = el.nsmap.get(prefix) if prefix else PARTNER_NS
        if prefix and namespace is None:
            raise DecodeError(f"There is an error in XML document. ---> The xsi:type '{_shown(value)}' of "
                              f"<{_local(el.tag)}> uses the undeclared prefix '{prefix}'.")
        if name != declared and (namespace != PARTNER_NS or not self.schema.has_type(name)):
            raise DecodeError(f"The specified type was not recognized: name='{_shown(name)}', "
                              f"namespace='{namespace}', at <{_local(el.tag)} xmlns='{PARTNER_NS}'>.")
        if name != declared and self.schema.has_type(declared) and not self.schema.is_a(name, declared):
            raise DecodeError(f"There is an error in XML document. ---> The type {name} of <{_local(el.tag)}> "
                              f"does not derive from {declared}.")
        return name

    def _decode_value(self, el: etree._Element, f: Field) -> Any:
        simple = self.schema.simple_type(f)
        if simple is None:
            return self.decode(el, f.type_name)
        for child in el:
            if isinstance(child.tag, str):  # .NET: "'Element' is an invalid XmlNodeType" for a string
                raise DecodeError(f"There is an error in XML document. ---> {f.name} ({f.type_name}) holds "
                                  f"the element <{_local(child.tag)}>; it takes text only.")
        raw = (el.text or "") + "".join(child.tail or "" for child in el)
        decoder = DECODERS.get(simple.primitive)
        if decoder is not None:
            text = raw.strip(XML_SPACE)
            try:
                return decoder(text, simple)
            except ValueRefused as exc:
                if exc.reason is None:
                    raise DecodeError(
                        f"There is an error in XML document. ---> Input string '{_shown(text)}' was not in a "
                        f"correct format for {f.name} ({f.type_name}).") from None
                raise DecodeError(f"There is an error in XML document. ---> Value '{_shown(text)}' of {f.name} "
                                  f"({f.type_name}) {exc.reason}.") from None
        if simple.enumeration is not None:
            text = raw.strip(XML_SPACE)
            if text not in simple.enumeration:
                return InvalidEnumValue(text, f.type_name, f.name)
            return text
        return raw

    @staticmethod
    def require_valid(data: object) -> None:
        """Refuse a payload holding a value outside its enumeration, as .NET's deserializer does."""
        bad = first_invalid_enum(data)
        if bad is not None:
            raise DecodeError(f"There is an error in XML document. ---> Instance validation error: '{bad}' is "
                              f"not a valid value for {bad.enum}.")

    # -- encoding ---------------------------------------------------------
    def _field_order(self, type_name: str) -> dict[str, int]:
        order = self._order.get(type_name)
        if order is None:
            order = {f.name: i for i, f in enumerate(self.schema.fields(type_name))}
            self._order[type_name] = order
        return order

    def encode(self, parent: etree._Element, tag: str, data: dict[str, Any], declared_type: str,
               force_xsi_type: bool = False) -> etree._Element:
        """Append ``<tag>`` for ``data`` (of declared_type, or data[__type__]) to parent."""
        actual = data.get(TYPE_KEY, declared_type)
        el = etree.SubElement(parent, P + tag)
        if force_xsi_type or actual != declared_type:
            el.set(XSI_TYPE, actual)
        self.encode_into(el, data, actual)
        return el

    def encode_into(self, el: etree._Element, data: dict[str, Any], type_name: str) -> None:
        order = self._field_order(type_name)
        for name in sorted((k for k in data if k in order), key=order.__getitem__):
            value = data[name]
            if value is None:
                continue
            f = self.schema.field(type_name, name)
            for item in value if isinstance(value, list) else [value]:
                self._encode_value(el, f, item)

    def _encode_value(self, parent: etree._Element, f: Field, value: Any) -> None:
        if value is NIL:
            nil_element(parent, f.name)
            return
        kind = self.schema.scalar_kind(f)
        if kind == "complex":
            if isinstance(value, dict):
                self.encode(parent, f.name, value, f.type_name)
            return
        child = etree.SubElement(parent, P + f.name)
        child.text = self._scalar_text(kind, value)

    @staticmethod
    def _scalar_text(kind: str, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if kind == "datetime" and isinstance(value, str) and value:
            return sfmc_datetime(parse_datetime(value))
        if isinstance(value, datetime):
            return sfmc_datetime(value)
        return str(value)


def nil_element(parent: etree._Element, tag: str) -> etree._Element:
    el = etree.SubElement(parent, P + tag)
    el.set(XSI_NIL, "true")
    return el
