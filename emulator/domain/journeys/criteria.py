"""A decision split's criteria: Journey Builder's FilterDefinition XML over the entry data.

<FilterDefinition><ConditionSet Operator="AND|OR"><Condition Key="Event.{eventKey}.{Field}"
Operator="Equal" ...><Value><![CDATA[x]]></Value></Condition>...</ConditionSet></FilterDefinition>
[fx: key_testExisting_journey_Multistep MULTICRITERIADECISION]. Only `Event.` keys (the entry data) are
read; any other attribute (Contact data) is unknown here and matches nothing.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
MAX_XML = 100_000


def parse(xml: Any) -> etree._Element:
    if not isinstance(xml, str) or not xml.strip() or len(xml) > MAX_XML:
        raise ValueError("a criterion must be a FilterDefinition XML string")
    try:
        root = etree.fromstring(xml.encode("utf-8"), _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        raise ValueError("a criterion must be well-formed FilterDefinition XML") from None
    if root.tag != "FilterDefinition":
        raise ValueError("a criterion's root element must be FilterDefinition")
    return root


def matches(xml: str, data: dict[str, Any]) -> bool:
    root = parse(xml)
    lowered = {str(k).casefold(): v for k, v in data.items()}
    sets = [child for child in root if child.tag in ("ConditionSet", "Condition")]
    return all(_node(child, lowered) for child in sets)


def _node(node: etree._Element, data: dict[str, Any]) -> bool:
    if node.tag == "Condition":
        return _condition(node, data)
    results = [_node(child, data) for child in node if child.tag in ("ConditionSet", "Condition")]
    return any(results) if (node.get("Operator") or "AND").upper() == "OR" else all(results)


def _number(text: Any) -> float | None:
    try:
        return float(str(text))
    except ValueError:
        return None


def _condition(node: etree._Element, data: dict[str, Any]) -> bool:
    key = node.get("Key") or ""
    if not key.startswith("Event."):
        return False
    field = key.rsplit(".", 1)[-1].strip('"').casefold()
    value = data.get(field)
    actual = "" if value is None else str(value)
    wanted_node = node.find("Value")
    wanted = (wanted_node.text or "") if wanted_node is not None else ""
    operator = (node.get("Operator") or "").casefold()
    if operator == "isnull":
        return actual == ""
    if operator == "isnotnull":
        return actual != ""
    a, w = _number(actual), _number(wanted)
    numeric = a is not None and w is not None
    comparisons = {
        "equal": lambda: a == w if numeric else actual.casefold() == wanted.casefold(),
        "notequal": lambda: a != w if numeric else actual.casefold() != wanted.casefold(),
        "greaterthan": lambda: numeric and a > w,
        "lessthan": lambda: numeric and a < w,
        "greaterthanorequal": lambda: numeric and a >= w,
        "lessthanorequal": lambda: numeric and a <= w,
        "contains": lambda: wanted.casefold() in actual.casefold(),
        "doesnotcontain": lambda: wanted.casefold() not in actual.casefold(),
        "beginswith": lambda: actual.casefold().startswith(wanted.casefold()),
        "endswith": lambda: actual.casefold().endswith(wanted.casefold()),
    }
    check = comparisons.get(operator)
    return bool(check()) if check else False
