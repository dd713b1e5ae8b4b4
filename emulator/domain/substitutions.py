"""Per-recipient personalisation values for a send's compiled templates (domain/sends.py's hot loop)."""

from __future__ import annotations

from typing import Any

from .render import ALIASES


class Substitutions:
    """Per-recipient personalization values, limited to the names a send's templates use (the hot loop of a
    send: no case-folding of every attribute of every recipient). Matches `render.lookup_table` semantics."""

    def __init__(self, names: dict[str, str], base: dict[str, Any]) -> None:
        self.names = names  # casefolded -> spelling in the template
        self.source = {n: ALIASES.get(n, n).casefold() for n in names}  # alias -> the value it shows
        self.wanted = set(self.source.values())
        self.base = {k.casefold(): v for k, v in base.items() if k.casefold() in self.wanted}
        self._keys: dict[tuple[str, ...], list[tuple[str, str]]] = {}

    def _pick(self, data: dict[str, Any]) -> list[tuple[str, str]]:
        keys = tuple(data)
        picked = self._keys.get(keys)
        if picked is None:
            picked = [(k, k.casefold()) for k in keys if k.casefold() in self.wanted]
            if len(self._keys) < 1024:  # attribute sets repeat; a bounded cache keeps memory flat if they don't
                self._keys[keys] = picked
        return picked

    def table(self, attributes: dict[str, Any], row: dict[str, Any] | None, fixed: dict[str, Any]) -> dict[str, str]:
        found = dict(self.base)
        for layer in (attributes, row or {}):
            for key, folded in self._pick(layer):
                found[folded] = layer[key]
        found.update(fixed)
        return {name: "" if (v := found.get(src)) is None else str(v) for name, src in self.source.items()}

    def used(self, table: dict[str, str]) -> dict[str, str]:
        """The substitution values a message was rendered with, by their names in the templates."""
        return {spelling: table[name] for name, spelling in self.names.items()}
