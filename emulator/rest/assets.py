"""Content Builder (/asset/v1/content): assets (list, search, create, read, patch, delete) and categories.
Translation only: behaviour lives in domain/content/. Scopes per SFMC's table [doc:rest-permissions-and-
scopes]: creating an asset needs saved_content_write; reading, searching, updating and deleting assets and
every category route need documents_and_images_read/_write."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from ..web import emulator, json_body, query_args, requires_token
from .routes import resource
from .schemas.assets import ASSET

bp = Blueprint("assets", __name__, url_prefix="/asset/v1/content")

CREATE = "saved_content_write"
READ, WRITE = "documents_and_images_read", "documents_and_images_write"


def _assets():
    return emulator().assets


def _paging() -> tuple[str | None, ...]:
    return query_args("$filter", "$page", "$pageSize", "$orderBy")


# `_assets` looked up at each call, as a route body would (a test plants a failing one there).
resource(bp, lambda: _assets(), "/assets", "/<int:ref>", names=("asset", "assets"), read=READ, write=WRITE,
         create_scope=CREATE, created=201, body=lambda: json_body(ASSET), listing=_paging,
         deleted={"message": "Asset deleted."})


@bp.post("/assets/query")
@requires_token(READ)
def query_assets():
    return jsonify(_assets().search(g.call, json_body()))


# -- categories (folders): deleting one answers an empty 200 ----------------------------------------------
resource(bp, lambda: emulator().categories, "/categories", "/<int:ref>", names=("category", "categories"),
         read=READ, write=WRITE, listing=_paging, update="PUT")
