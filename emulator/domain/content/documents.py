"""What the REST services over stored documents (assets, campaigns) share: a document named by the id in
its URL, answered in its wire shape, and an update that may not change that id."""

from __future__ import annotations

from typing import Any

from ...store.rest_documents import Document
from .. import codes
from ..context import CallContext
from ..errors import Invalid


class DocumentService:
    # Where ids answer as strings ("231", campaigns), a body may give its id either way.
    text_ids = False

    def _get(self, mid: int, ref: Any) -> Document:
        """The document the URL names; raise NotFound (or Invalid for a malformed id) otherwise."""
        raise NotImplementedError

    def _public(self, doc: Document) -> dict[str, Any]:
        """The document as the API answers it."""
        raise NotImplementedError

    def get(self, ctx: CallContext, ref: Any) -> dict[str, Any]:
        return self._public(self._get(ctx.mid, ref))

    def _to_update(self, mid: int, ref: Any, body: dict[str, Any]) -> Document:
        """The document an update names; a body naming another id is refused, as SFMC does."""
        doc = self._get(mid, ref)
        same = (doc.data["id"], str(doc.data["id"])) if self.text_ids else (doc.data["id"],)
        if body.get("id") not in (None, *same):
            raise Invalid("id cannot be changed.", code=codes.REST.INVALID_VALUE)
        return doc
