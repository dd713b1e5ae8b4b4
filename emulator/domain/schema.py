"""The partner API's type system, read once from the real WSDL.

Every SOAP object type, its properties in schema order (inherited ones first, following
``complexContent/extension``), the simple types and enumerations. The generic object store, the SOAP
codec and Describe all read this one model, so a type the WSDL defines works without code of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from lxml import etree

from ..config import fixtures_dir

PARTNER_NS = "http://exacttarget.com/wsdl/partnerAPI"
XSD_NS = "http://www.w3.org/2001/XMLSchema"

# xsd built-ins we convert; anything else xsd:* is carried as a string.
XSD_INT_TYPES = {"int", "long", "short", "integer", "unsignedInt", "unsignedLong", "byte", "unsignedShort",
                 "unsignedByte"}
XSD_FLOAT_TYPES = {"double", "float", "decimal"}

# The value space of each integer type as SFMC's .NET deserialiser holds it (xsd:int is Int32, xsd:byte is
# SByte...). .NET reads xsd:integer as a string; we keep it a number, so it gets Int64's range, the most a
# stored value can hold.
XSD_INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "byte": (-(2**7), 2**7 - 1),
    "short": (-(2**15), 2**15 - 1),
    "int": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
    "integer": (-(2**63), 2**63 - 1),
    "unsignedByte": (0, 2**8 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedLong": (0, 2**63 - 1),  # .NET allows 2**64 - 1; SQLite's integers stop at 2**63 - 1
}
# System.Decimal's magnitude limit (96-bit mantissa); xsd:double/float are bounded by being finite.
XSD_DECIMAL_MAX = 2**96 - 1


@dataclass(frozen=True)
class SimpleType:
    """What a simple-typed property accepts: the xsd primitive its lexical form and value space come from,
    and the facets a .NET deserialiser enforces (integer bounds, enumerations; patterns and lengths are
    not checked by XmlSerializer, so they are not carried)."""

    name: str  # the declared type: "int", "ListTypeEnum", "instanceid"...
    primitive: str  # xsd local name: "int", "boolean", "dateTime", "string"...
    bounds: tuple[int, int] | None = None
    enumeration: tuple[str, ...] | None = None


class InvalidEnumValue(str):
    """A value outside its enumeration, carried as the string it was so the type's behaviour can answer
    with its own Error result (EmailSendDefinition) or the adapter can refuse the request (everything else,
    as .NET's deserializer does)."""

    enum: str = ""
    path: str = ""

    def __new__(cls, value: str, enum: str, path: str) -> InvalidEnumValue:
        obj = super().__new__(cls, value)
        obj.enum, obj.path = enum, path
        return obj


def first_invalid_enum(value: object, path: str = "") -> InvalidEnumValue | None:
    """The first out-of-enumeration value anywhere in a decoded payload, with its property path."""
    if isinstance(value, InvalidEnumValue):
        return value
    if isinstance(value, dict):
        for key, item in value.items():
            found = first_invalid_enum(item, f"{path}.{key}" if path else key)
            if found is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            found = first_invalid_enum(item, path)
            if found is not None:
                return found
    return None


def without_invalid_enums(value: object) -> object:
    """A copy of a decoded payload with out-of-enumeration values left out (for echoing it back)."""
    if isinstance(value, dict):
        return {k: without_invalid_enums(v) for k, v in value.items() if not isinstance(v, InvalidEnumValue)}
    if isinstance(value, list):
        return [without_invalid_enums(v) for v in value if not isinstance(v, InvalidEnumValue)]
    return value


@dataclass(frozen=True)
class Field:
    name: str
    type_name: str  # local name: "string", "int", "List", "ListTypeEnum"...
    is_xsd: bool  # True for xsd:* built-ins
    is_array: bool
    nillable: bool


@dataclass
class ComplexType:
    name: str
    base: str | None
    own_fields: list[Field] = field(default_factory=list)
    is_abstract: bool = False


@dataclass
class Schema:
    types: dict[str, ComplexType]
    enums: dict[str, list[str]]
    simple_bases: dict[str, str]  # simpleType without enumeration -> base xsd local name
    _fields_cache: dict[str, list[Field]] = field(default_factory=dict, repr=False)
    _field_index: dict[str, dict[str, Field]] = field(default_factory=dict, repr=False)

    # -- type questions -------------------------------------------------
    def has_type(self, name: str) -> bool:
        return name in self.types

    def lineage(self, name: str) -> list[str]:
        """The type and its ancestors, most derived first."""
        chain = []
        current: str | None = name
        while current is not None and current in self.types:
            chain.append(current)
            current = self.types[current].base
        return chain

    def is_a(self, name: str, ancestor: str) -> bool:
        return ancestor in self.lineage(name)

    def is_api_object(self, name: str) -> bool:
        return self.is_a(name, "APIObject")

    def fields(self, name: str) -> list[Field]:
        """All properties of a type in schema order: the base type's first."""
        cached = self._fields_cache.get(name)
        if cached is None:
            cached = []
            for type_name in reversed(self.lineage(name)):
                cached.extend(self.types[type_name].own_fields)
            self._fields_cache[name] = cached
            self._field_index[name] = {f.name: f for f in cached}
        return cached

    def field(self, type_name: str, prop: str) -> Field | None:
        if type_name not in self._field_index:
            self.fields(type_name)
        return self._field_index.get(type_name, {}).get(prop)

    def field_path(self, type_name: str, path: str) -> list[Field] | None:
        """Resolve a dotted property path such as ``SenderProfile.CustomerKey``; None if any part is unknown."""
        resolved = []
        current = type_name
        for part in path.split("."):
            f = self.field(current, part)
            if f is None:
                return None
            resolved.append(f)
            current = f.type_name
        return resolved

    def simple_type(self, f: Field) -> SimpleType | None:
        """The simple type of a property (None for a complex one), following simpleType restrictions."""
        type_name = f.type_name
        if not f.is_xsd:
            if type_name in self.enums:
                return SimpleType(type_name, "string", enumeration=tuple(self.enums[type_name]))
            if type_name in self.types:
                return None
            base = self.simple_bases.get(type_name, "string")
            return SimpleType(type_name, base, XSD_INTEGER_RANGES.get(base))
        return SimpleType(type_name, type_name, XSD_INTEGER_RANGES.get(type_name))

    def scalar_kind(self, f: Field) -> str:
        """'int', 'float', 'bool', 'datetime', 'enum', 'string' or 'complex'."""
        type_name = f.type_name
        if not f.is_xsd:
            if type_name in self.enums:
                return "enum"
            if type_name in self.simple_bases:
                type_name = self.simple_bases[type_name]
            elif type_name in self.types:
                return "complex"
            else:
                return "string"
        if type_name in XSD_INT_TYPES:
            return "int"
        if type_name in XSD_FLOAT_TYPES:
            return "float"
        if type_name == "boolean":
            return "bool"
        if type_name == "dateTime":
            return "datetime"
        return "string"


def _local(qname: str | None) -> tuple[str, bool]:
    """'tns:List' -> ('List', False); 'xsd:int' -> ('int', True)."""
    if not qname:
        return "string", True
    prefix, _, local = qname.rpartition(":")
    # Unprefixed names are XML Schema's: the WSDL's schema element declares it as the default namespace.
    return local, prefix in ("xsd", "xs", "s", "")


def parse_schema(wsdl_bytes: bytes) -> Schema:
    root = etree.fromstring(wsdl_bytes)
    xs = f"{{{XSD_NS}}}"
    types: dict[str, ComplexType] = {}
    enums: dict[str, list[str]] = {}
    simple_bases: dict[str, str] = {}
    for schema_el in root.iter(f"{xs}schema"):
        for ct in schema_el.findall(f"{xs}complexType"):
            name = ct.get("name")
            base = None
            seq_parent = ct
            ext = ct.find(f"{xs}complexContent/{xs}extension")
            if ext is not None:
                base, _ = _local(ext.get("base"))
                seq_parent = ext
            ctype = ComplexType(name=name, base=base, is_abstract=ct.get("abstract") == "true")
            ctype.own_fields = _sequence_fields(types, name, _particles(seq_parent.find(f"{xs}sequence"), xs), xs)
            types[name] = ctype
        # Top-level elements with an anonymous type (CreateResponse, RetrieveRequestMsg...) become types
        # named after the element, so whole request and response bodies use the same codec.
        for el in schema_el.findall(f"{xs}element"):
            if el.get("type") is None and el.find(f"{xs}complexType") is not None:
                _inline_wrapper(types, el.get("name"), el, xs)
        for st in schema_el.findall(f"{xs}simpleType"):
            restriction = st.find(f"{xs}restriction")
            if restriction is None:
                continue
            values = [e.get("value") for e in restriction.findall(f"{xs}enumeration")]
            if values:
                enums[st.get("name")] = values
            else:
                simple_bases[st.get("name")], _ = _local(restriction.get("base"))
    return Schema(types=types, enums=enums, simple_bases=simple_bases)


def _inline_wrapper(types: dict[str, ComplexType], name: str, el: etree._Element, xs: str) -> None:
    """Anonymous complex types (e.g. ImportDefinition.FieldMaps holding FieldMap*) get a synthetic name."""
    ctype = ComplexType(name=name, base=None)
    ctype.own_fields = _sequence_fields(types, name, _particles(el.find(f"{xs}complexType/{xs}sequence"), xs), xs)
    types[name] = ctype


def _particles(sequence: etree._Element | None, xs: str):
    """The elements of a sequence in order, including those inside nested `choice`/`sequence` groups
    (e.g. FieldMap's SourceName | SourceOrdinal)."""
    if sequence is None:
        return
    for child in sequence:
        if child.tag == f"{xs}element":
            yield child
        elif child.tag in (f"{xs}choice", f"{xs}sequence"):
            yield from _particles(child, xs)


def _sequence_fields(types: dict[str, ComplexType], owner: str, elements, xs: str) -> list[Field]:
    """The fields of a sequence; an element with an anonymous type registers it as `Owner.Element`."""
    fields = []
    for el in elements:
        type_name, is_xsd = _local(el.get("type"))
        if el.get("type") is None and el.find(f"{xs}complexType") is not None:
            type_name, is_xsd = f"{owner}.{el.get('name')}", False
            _inline_wrapper(types, type_name, el, xs)
        fields.append(Field(name=el.get("name"), type_name=type_name, is_xsd=is_xsd,
                            is_array=el.get("maxOccurs") == "unbounded", nillable=el.get("nillable") == "true"))
    return fields


def fixture_bytes(name: str) -> bytes:
    return (fixtures_dir() / name).read_bytes()


@cache
def partner_schema() -> Schema:
    """The schema of the shipped real WSDL (parsed once per process)."""
    return parse_schema(fixture_bytes("etframework.wsdl"))
