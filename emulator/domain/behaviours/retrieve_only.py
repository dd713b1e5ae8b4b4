"""Types SFMC only retrieves (membership views, field lists, import summaries): Create/Update/Delete are
refused with SFMC's code 5 "Cannot perform {method} on objects of type {object}"."""

from __future__ import annotations

from typing import Any

from .. import codes
from ..context import CallContext
from ..errors import Unsupported
from ..objects import ObjectResult
from . import Behaviour


class RetrieveOnly(Behaviour):
    hint = ""  # appended to the refusal, e.g. where to make the change instead

    def _refuse(self, method: str) -> ObjectResult:
        raise Unsupported(f"Cannot perform {method} on objects of type {self.type_name}{self.hint}",
                          code=codes.SOAP.UNSUPPORTED_METHOD)

    def create(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int) -> ObjectResult:
        return self._refuse("Create")

    def update(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int,
               options: dict[str, Any]) -> ObjectResult:
        return self._refuse("Update")

    def delete(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int) -> ObjectResult:
        return self._refuse("Delete")
