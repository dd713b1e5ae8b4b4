"""Versions of what a send's content is made of, so a cache of looked-up and compiled content knows when
it went stale. Triggers (store/migrations.py `_v13_content_versions`) give a table's row in `content_version` a new
random value whenever a row that content depends on changes, however it changes (repository, import,
seed, wipe): SOAP Email objects, send classifications and sender profiles in `object`; Content Builder
assets and categories in `rest_object`. Random, not counted: a rolled-back change puts the old value back,
and the next change can never repeat the value the rolled-back one had (a cache filled meanwhile stays
unmatched). A restored snapshot brings its own values with its content."""

from __future__ import annotations

from typing import Any

from .db import Store

OBJECT_TYPES = ("Email", "SendClassification", "SenderProfile")
DOCUMENT_KINDS = ("asset", "category")


def current(store: Store) -> tuple[Any, ...]:
    """A value that changes whenever any row of OBJECT_TYPES or DOCUMENT_KINDS does (or a reset happens)."""
    with store.reading() as conn:
        rows = conn.execute("SELECT name, version FROM content_version ORDER BY name").fetchall()
    return (store.generation, *(tuple(r) for r in rows))
