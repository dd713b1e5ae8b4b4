"""Request bodies of Content Builder assets (/asset/v1/content/assets): the OpenAPI document's Asset, with
the views the emulator renders declared (each an object whose content is a string)."""

from __future__ import annotations

from ...jsonbody import INT64
from . import openapi

_VIEW = {"type": "object", "properties": {"content": {"type": "string"}}}

ASSET = openapi("Asset", {
    "id": {"type": ["number", "null"]},  # PATCH may repeat the asset's own id
    "assetType.id": {"type": ["number", "null"]},
    "views": {"additionalProperties": _VIEW},
    "category.id": {"type": "number", "minimum": -INT64, "maximum": INT64},
})
