"""Per-recipient personalisation of a send's compiled templates, and its messages (domain/sends.py's hot loop).

`Substitutions` resolves, once per send, which names the email's templates use and where each value comes
from; per recipient it then builds one list of values (one slot per name) and fills every template with a
single `str.format` call. The result is what `render.render(template, render.lookup_table(values))` gives
for the same values: same case-insensitive names, same aliases, unknown names empty.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring_ascii as _json_str
from typing import TYPE_CHECKING, Any

from .delivery import Message
from .render import ALIASES, Template, html_to_text

if TYPE_CHECKING:
    from .delivery import Content

# The values every recipient brings (sends.py passes them positionally to `values`).
RECIPIENT = ("subscriberkey", "emailaddress", "subscriberid")


def _text(value: Any) -> str:
    return value if type(value) is str else "" if value is None else str(value)


def _brace(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


class Substitutions:
    """Per-recipient personalization values, limited to the names a send's templates use (no case-folding of
    every attribute of every recipient), with `render.lookup_table`'s semantics: the send's `base` values,
    then the subscriber's attributes, then the data-extension row, then the recipient's own key/address/id,
    a later layer overriding an earlier one; an alias (emailaddr...) shows its target's value unless a value
    of its own name exists; a value shows as `str(value)`, None as empty, a missing name as empty."""

    def __init__(self, names: dict[str, str], base: dict[str, Any]) -> None:
        self.names = names  # casefolded -> spelling in the template
        order = list(names)
        self.slot = {name: n for n, name in enumerate(order)}
        # source key -> the slots it fills: its own name's, and the fallback slot of each alias showing it
        self._slots: dict[str, list[int]] = {}
        start: list[str | None] = [""] * len(order)  # "": nothing to fall back to, so missing shows empty
        self._fallbacks: list[tuple[int, int]] = []  # (alias slot, its target's slot), past the names' slots
        for n, name in enumerate(order):
            self._slots.setdefault(name, []).append(n)
            target = ALIASES.get(name, name).casefold()
            if target != name:
                fallback = len(start)
                start[n] = None  # None: no value of the alias's own name (yet)
                start.append("")
                self._slots.setdefault(target, []).append(fallback)
                self._fallbacks.append((n, fallback))
        for key, value in base.items():
            for slot in self._slots.get(key.casefold(), ()):
                start[slot] = _text(value)
        self._start = start
        self._fixed = [(n, slot) for n, name in enumerate(RECIPIENT) for slot in self._slots.get(name, ())]
        self._keys: dict[tuple[str, ...], list[tuple[str, int]]] = {}
        # the values as a JSON object (the outbox row's "values"), keys encoded once
        self._values_json = "{{" + ", ".join(f"{_brace(_json_str(names[name]))}: {{{n}}}"
                                             for n, name in enumerate(order)) + "}}"

    def _pick(self, data: dict[str, Any]) -> list[tuple[str, int]]:
        """(key, slot) for each of `data`'s keys a slot shows, in the data's order (a later key wins)."""
        keys = tuple(data)
        picked = self._keys.get(keys)
        if picked is None:
            picked = [(k, slot) for k in keys for slot in self._slots.get(k.casefold(), ())]
            if len(self._keys) < 1024:  # attribute sets repeat; a bounded cache keeps memory flat if they don't
                self._keys[keys] = picked
        return picked

    def values(self, attributes: dict[str, Any] | None, row: dict[str, Any] | None, *recipient: Any) -> list[Any]:
        """One recipient's value of each name, in `names` order (a few working slots may follow: `used`, the
        templates and `used_json` read the first len(names)); `recipient`: the RECIPIENT values."""
        found = self._start.copy()
        for layer in (attributes, row):
            if layer:
                for key, slot in self._pick(layer):
                    value = layer[key]
                    found[slot] = value if type(value) is str else _text(value)
        for n, slot in self._fixed:
            value = recipient[n]
            found[slot] = value if type(value) is str else _text(value)
        for alias, target in self._fallbacks:
            if found[alias] is None:
                found[alias] = found[target]
        return found

    def table(self, values: list[str]) -> dict[str, str]:
        """The values as a `lookup_table`-style table (casefolded name -> value)."""
        return dict(zip(self.names, values, strict=False))

    def used(self, values: list[str]) -> dict[str, str]:
        """The substitution values a message was rendered with, by their names in the templates."""
        return dict(zip(self.names.values(), values, strict=False))

    def used_json(self, values: list[str]) -> str:
        """`used(values)` as `json.dumps` encodes it, without building the dict (the outbox row's hot path)."""
        return self._values_json.format(*map(_json_str, values))

    def compile(self, template: Template) -> Callable[..., str]:
        """`template` as one format string over this send's value slots: call it with a recipient's values
        unpacked (`fill(*values)` is `Template.fill(table)` for the same values)."""
        return "".join(_brace(p) if isinstance(p, str) else f"{{{self.slot[p[0]]}}}" for p in template.parts).format


class Renderer:
    """An email's subject, HTML and text compiled against one send's `Substitutions` (delivery.Content's
    `render`, for a list of values): the text part derives from the HTML when the email has none and the
    send is multipart."""

    def __init__(self, values: Substitutions, content: Content, derive_text: bool) -> None:
        self.subject, self.html = values.compile(content.subject), values.compile(content.html)
        self.text = None if derive_text and not content.has_text else values.compile(content.text)

    def __call__(self, values: list[str]) -> tuple[str, str, str]:
        html = self.html(*values)
        return self.subject(*values), html, html_to_text(html) if self.text is None else self.text(*values)


class Composer:
    """One send's outbox messages: a pending recipient's values, rendered content and outbox source (with
    the substitution values it was rendered with, its JSON built from a per-audience head, not re-encoded)."""

    def __init__(self, mid: int, job_id: int, plan: dict[str, Any], content: Content) -> None:
        email = plan["email"]
        self.mid, self.job_id, self.definition_key = mid, job_id, plan.get("definition_key")
        self.from_name, self.from_address = plan.get("from_name"), plan.get("from_address")
        self.values = Substitutions({**content.subject.names, **content.html.names, **content.text.names}, {
            "JobID": job_id, "_JobSubscriberBatchID": 1, "_EmailID": email.get("ID"), "emailname_": email.get("Name"),
            "MemberID": mid, "replyname": self.from_name, "replyemailaddress": self.from_address})
        self.render = Renderer(self.values, content, plan.get("is_multipart", True))
        self.origin = {"email_id": email.get("ID"), "email_key": email.get("CustomerKey"),
                       "send_definition": self.definition_key}
        self._heads: dict[str, str] = {}  # per audience source: the source JSON up to its values

    @property
    def uses_data(self) -> bool:
        """Do the templates name anything (else no recipient's attributes or row need decoding)?"""
        return bool(self.values.names)

    def message(self, key: str, address: str, audience: str, subscriber_id: int | None,
                attributes: dict[str, Any] | None, row: dict[str, Any] | None, now: float) -> Message:
        values = self.values
        found = values.values(attributes, row, key, address, subscriber_id)
        subject, html, text = self.render(found)
        head = self._heads.get(audience)
        if head is None:
            head = self._heads[audience] = json.dumps({**self.origin, "audience": audience})[:-1]
        return Message(self.mid, address, key, subject, html, text, self.from_name, self.from_address,
                       {**self.origin, "audience": audience, "values": values.used(found)}, now,
                       job_id=self.job_id, definition_key=self.definition_key,
                       source_json=f'{head}, "values": {values.used_json(found)}}}')
