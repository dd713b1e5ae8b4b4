"""Content blocks for rendering: what `%%=ContentBlockByKey("k")=%%`, `ContentBlockByName("Content
Builder\\folder\\name")` and `ContentBlockById(id)` include (render.resolve_content_blocks calls this)."""

from __future__ import annotations

import re
from collections.abc import Callable

from ...store.document_query import DocumentQuery
from ...store.rest_documents import Document, RestDocumentRepository
from .assets import KIND
from .categories import CATEGORY_KIND

BlockFetcher = Callable[[str, str], str | None]


def _content(doc: Document | None) -> str | None:
    if doc is None:
        return None
    views = doc.data.get("views") or {}
    html = views.get("html") if isinstance(views, dict) else None
    if isinstance(html, dict) and isinstance(html.get("content"), str):
        return html["content"]
    content = doc.data.get("content")
    return content if isinstance(content, str) else ""


def block_fetcher(docs: RestDocumentRepository, query: DocumentQuery, mid: int) -> BlockFetcher:
    """fetch(by, ref) -> the asset's content, or None when the BU has no such asset. `by` is key, name or
    id; a name is a path from the root category, segments separated by backslashes."""

    def by_name(path: str) -> Document | None:
        parts = [p for p in re.split(r"\\+", path) if p]
        if not parts:
            return None
        *folders, name = parts
        parent: int | None = None
        for index, folder in enumerate(folders):
            where = ("cmp", ("name",), "eq", folder)
            parent_cond = ("cmp", ("parentId",), "eq", 0 if index == 0 else parent)
            found, _ = query.page(mid, CATEGORY_KIND, ("and", where, parent_cond), [], 1, 0)
            if not found:
                return None
            parent = found[0].data["id"]
        where = ("cmp", ("name",), "eq", name)
        if parent is not None:
            where = ("and", where, ("cmp", ("category", "id"), "eq", parent))
        found, _ = query.page(mid, KIND, where, [(("id",), False)], 1, 0)
        return found[0] if found else None

    def fetch(by: str, ref: str) -> str | None:
        if by == "key":
            return _content(docs.find(mid, KIND, "customerKey", ref))
        if by == "id":
            return _content(docs.get(mid, KIND, ref.strip()))
        return _content(by_name(ref))

    return fetch
