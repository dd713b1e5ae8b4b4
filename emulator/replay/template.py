"""`{{name}}` placeholders in scenarios.

In a request, `{{name}}` is replaced by a variable: a capture from an earlier response or a built-in
(`base_url`, `username`, `password`, `client_id`, `client_secret`, `access_token`...).
In an expected response, `{{name}}` may also be a matcher for a volatile value:

======== ===========================================================
matcher  matches
======== ===========================================================
any      anything (as a whole element/value: the subtree is not compared)
guid     a GUID such as 7e2a4dca-a4ad-4438-9d7a-734b41d17fdb
date     an ISO date or date-time, with or without fraction and zone
int      an optional minus sign and digits
token    a non-empty run of characters without white space
======== ===========================================================

Matchers and variables mix with literal text: ``urn:uuid:{{guid}}``, ``ImportDefinition performed AsyncID:{{int}}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}")
MATCHERS = {
    "any": r"(?s:.*)",
    "guid": r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}",
    "date": r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?",
    "int": r"-?\d+",
    "token": r"\S+",
}
ANY = "{{any}}"


class UnknownVariable(KeyError):
    def __str__(self) -> str:
        return f"unknown variable {{{{{self.args[0]}}}}} (not captured and not built in)"


Lookup = Callable[[str], str | None]


def lookup_in(variables: Mapping[str, Any], fallback: Lookup | None = None) -> Lookup:
    def find(name: str) -> str | None:
        if name in variables:
            return str(variables[name])
        return fallback(name) if fallback else None

    return find


def substitute(text: str, lookup: Lookup) -> str:
    """A request template with every `{{variable}}` replaced; unknown names raise UnknownVariable."""

    def replace(match: re.Match[str]) -> str:
        value = lookup(match.group(1))
        if value is None:
            raise UnknownVariable(match.group(1))
        return value

    return PLACEHOLDER.sub(replace, text)


def substitute_any(value: Any, lookup: Lookup) -> Any:
    """substitute() through YAML structures (JSON bodies written as mappings)."""
    if isinstance(value, str):
        return substitute(value, lookup)
    if isinstance(value, dict):
        return {substitute(str(k), lookup): substitute_any(v, lookup) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_any(v, lookup) for v in value]
    return value


def has_placeholder(text: str) -> bool:
    return "{{" in text and PLACEHOLDER.search(text) is not None


def matches(expected: str, actual: str, lookup: Lookup) -> bool:
    """Whether `actual` equals the expected template (matchers match their pattern, variables their value)."""
    if not has_placeholder(expected):
        return expected == actual
    pattern = []
    position = 0
    for match in PLACEHOLDER.finditer(expected):
        pattern.append(re.escape(expected[position:match.start()]))
        name = match.group(1)
        if name in MATCHERS:
            pattern.append(MATCHERS[name])
        else:
            value = lookup(name)
            if value is None:
                raise UnknownVariable(name)
            pattern.append(re.escape(value))
        position = match.end()
    pattern.append(re.escape(expected[position:]))
    return re.fullmatch("".join(pattern), actual) is not None
