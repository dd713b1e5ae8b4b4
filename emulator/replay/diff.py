"""Structural comparison of an expected body (with `{{matchers}}`) against an actual one.

XML is compared as a tree of namespace-qualified elements: prefixes, namespace declarations, comments and
insignificant white space do not count; `xsi:type` values are compared by local name (``ns1:List`` ==
``List``). JSON is compared as values. Each difference is one line: the element path (``/Envelope/Body/
CreateResponse/Results[2]/StatusCode``) or key path (``$.responses[0].messageKey``) and what differs.

Two modes: ``exact`` (the default: the same elements/keys, in order) and ``subset`` (every expected element
or key must be there, in order; extra ones in the answer are fine — for documented examples that show only
part of an answer).
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from .template import ANY, Lookup, has_placeholder, matches

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_PARSER = etree.XMLParser(remove_blank_text=True, remove_comments=True, remove_pis=True,
                          resolve_entities=False, no_network=True, huge_tree=True)


class BodyError(ValueError):
    """The expected body itself cannot be read (a scenario bug, not a mismatch)."""


def body_kind(text: str) -> str:
    head = text.lstrip()[:1]
    return "xml" if head == "<" else "json" if head in "{[" and head else "text"


def diff_body(expected: Any, actual: bytes, lookup: Lookup, mode: str = "exact") -> list[str]:
    """Differences between an expected body (XML/JSON text, or a YAML structure for JSON) and the answer."""
    if expected is None:
        return []
    if not isinstance(expected, str):
        return diff_json(expected, actual, lookup, mode)
    if expected.strip() == ANY:
        return []
    kind = body_kind(expected)
    if kind == "xml":
        return diff_xml(expected, actual, lookup, mode)
    if kind == "json":
        try:
            return diff_json(json.loads(expected), actual, lookup, mode)
        except json.JSONDecodeError as exc:
            raise BodyError(f"expected body is not JSON: {exc}") from exc
    text = actual.decode("utf-8", errors="replace")
    return [] if matches(expected.strip(), text.strip(), lookup) else [
        f"body: expected {_short(expected.strip())}, got {_short(text.strip())}"]


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…'"


# -- XML ----------------------------------------------------------------------
def parse_xml(text: str | bytes) -> etree._Element:
    data = text.encode() if isinstance(text, str) else text
    return etree.fromstring(data, _PARSER)


def diff_xml(expected: str, actual: bytes, lookup: Lookup, mode: str = "exact") -> list[str]:
    try:
        want = parse_xml(expected.strip())
    except etree.XMLSyntaxError as exc:
        raise BodyError(f"expected body is not well-formed XML: {exc}") from exc
    try:
        got = parse_xml(actual.strip())
    except etree.XMLSyntaxError as exc:
        return [f"body: expected XML, got something unreadable ({exc}): {_short(actual[:200])}"]
    out: list[str] = []
    _compare(want, got, "/" + _name(want), lookup, mode, out)
    return out


def _name(el: etree._Element) -> str:
    return etree.QName(el).localname


def _qualified(el: etree._Element) -> str:
    q = etree.QName(el)
    return f"{{{q.namespace}}}{q.localname}" if q.namespace else q.localname


def _children(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)]


def _attr_value(name: str, value: str) -> str:
    return value.rpartition(":")[2] if name == XSI_TYPE else value


def _attr_label(name: str) -> str:
    return "xsi:type" if name == XSI_TYPE else etree.QName(name).localname


def _compare(want: etree._Element, got: etree._Element, path: str, lookup: Lookup, mode: str,
             out: list[str]) -> None:
    if want.tag != got.tag:
        out.append(f"{path}: expected element {_qualified(want)}, got {_qualified(got)}")
        return
    for name, value in want.attrib.items():
        actual = got.get(name)
        if actual is None:
            out.append(f"{path}/@{_attr_label(name)}: expected {_short(value)}, attribute missing")
        elif not matches(_attr_value(name, value), _attr_value(name, actual), lookup):
            out.append(f"{path}/@{_attr_label(name)}: expected {_short(value)}, got {_short(actual)}")
    if mode == "exact":
        for name in got.attrib:
            if name not in want.attrib:
                out.append(f"{path}/@{_attr_label(name)}: unexpected attribute ({_short(got.get(name))})")
    want_children, got_children = _children(want), _children(got)
    want_text = (want.text or "").strip()
    if not want_children:
        if want_text == ANY:
            return
        got_text = (got.text or "").strip()
        if not matches(want_text, got_text, lookup):
            out.append(f"{path}: expected {_short(want_text)}, got {_short(got_text)}")
        if got_children and mode == "exact":
            out.append(f"{path}: expected no child elements, got {', '.join(_name(c) for c in got_children)}")
        return
    if mode == "exact":
        _exact_children(want_children, got_children, path, lookup, out)
    else:
        _subset_children(want_children, got_children, path, lookup, out)


def _label(children: list[etree._Element], el: etree._Element, path: str) -> str:
    same = [c for c in children if c.tag == el.tag]
    name = _name(el)
    return f"{path}/{name}[{same.index(el) + 1}]" if len(same) > 1 else f"{path}/{name}"


def _exact_children(want: list, got: list, path: str, lookup: Lookup, out: list[str]) -> None:
    for index, (w, g) in enumerate(zip(want, got, strict=False)):
        if w.tag != g.tag:
            out.append(f"{_label(want, w, path)}: expected element {_qualified(w)} at position {index + 1}, "
                       f"got {_qualified(g)}")
            return
        _compare(w, g, _label(want, w, path), lookup, "exact", out)
    for w in want[len(got):]:
        out.append(f"{_label(want, w, path)}: missing")
    for g in got[len(want):]:
        out.append(f"{_label(got, g, path)}: unexpected element")


def _subset_children(want: list, got: list, path: str, lookup: Lookup, out: list[str]) -> None:
    start = 0
    for w in want:
        candidates = [i for i in range(start, len(got)) if got[i].tag == w.tag]
        if not candidates:
            out.append(f"{_label(want, w, path)}: missing")
            continue
        chosen, chosen_diff = candidates[0], None
        for i in candidates:
            attempt: list[str] = []
            _compare(w, got[i], _label(want, w, path), lookup, "subset", attempt)
            if not attempt:
                chosen, chosen_diff = i, []
                break
            if chosen_diff is None:
                chosen_diff = attempt
        out.extend(chosen_diff or [])
        start = chosen + 1


# -- JSON ---------------------------------------------------------------------
def diff_json(expected: Any, actual: bytes | Any, lookup: Lookup, mode: str = "exact") -> list[str]:
    if isinstance(actual, bytes | bytearray):
        try:
            actual = json.loads(actual.decode("utf-8") or "null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return [f"body: expected JSON, got something unreadable ({exc}): {_short(actual[:200])}"]
    out: list[str] = []
    _compare_json(expected, actual, "$", lookup, mode, out)
    return out


def _scalar_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _compare_json(want: Any, got: Any, path: str, lookup: Lookup, mode: str, out: list[str]) -> None:
    if isinstance(want, str) and want.strip() == ANY:
        return
    if isinstance(want, dict):
        if not isinstance(got, dict):
            out.append(f"{path}: expected an object, got {_short(got)}")
            return
        for key, value in want.items():
            if key not in got:
                out.append(f"{path}.{key}: missing")
            else:
                _compare_json(value, got[key], f"{path}.{key}", lookup, mode, out)
        if mode == "exact":
            out.extend(f"{path}.{key}: unexpected key ({_short(got[key])})" for key in got if key not in want)
        return
    if isinstance(want, list):
        if not isinstance(got, list):
            out.append(f"{path}: expected a list, got {_short(got)}")
            return
        for index, value in enumerate(want):
            if index >= len(got):
                out.append(f"{path}[{index}]: missing")
            else:
                _compare_json(value, got[index], f"{path}[{index}]", lookup, mode, out)
        if mode == "exact" and len(got) > len(want):
            out.append(f"{path}: {len(got) - len(want)} unexpected item(s) after index {len(want) - 1}")
        return
    if isinstance(want, str) and (isinstance(got, str) or has_placeholder(want) and
                                  isinstance(got, int | float | bool) and got is not None):
        # a matcher such as {{int}} may stand for a number; a plain string only equals a string
        if not matches(want, _scalar_text(got), lookup):
            out.append(f"{path}: expected {_short(want)}, got {_short(got)}")
        return
    if want != got or isinstance(want, bool) != isinstance(got, bool) or isinstance(want, str) != isinstance(got, str):
        out.append(f"{path}: expected {_short(want)}, got {_short(got)}")
