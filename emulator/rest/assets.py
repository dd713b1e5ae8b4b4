"""Content Builder (/asset/v1/content): assets (list, search, create, read, patch, delete) and categories.
Translation only: behaviour lives in domain/content/. Scopes per SFMC's table [doc:rest-permissions-and-
scopes]: creating an asset needs saved_content_write; reading, searching, updating and deleting assets and
every category route need documents_and_images_read/_write."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from ..web import emulator, json_body, query_arg, requires_token
from .schemas.assets import ASSET

bp = Blueprint("assets", __name__, url_prefix="/asset/v1/content")

CREATE = "saved_content_write"
READ, WRITE = "documents_and_images_read", "documents_and_images_write"


def _assets():
    return emulator().assets


def _categories():
    return emulator().categories


def _paging() -> tuple[str | None, str | None, str | None, str | None]:
    return query_arg("$filter"), query_arg("$page"), query_arg("$pageSize"), query_arg("$orderBy")


@bp.post("/assets", strict_slashes=False)
@requires_token(CREATE)
def create_asset():
    response = jsonify(_assets().create(g.call, json_body(ASSET)))
    response.status_code = 201
    return response


@bp.get("/assets", strict_slashes=False)
@requires_token(READ)
def list_assets():
    return jsonify(_assets().list(g.call, *_paging()))


@bp.post("/assets/query")
@requires_token(READ)
def query_assets():
    return jsonify(_assets().search(g.call, json_body()))


@bp.get("/assets/<int:asset_id>")
@requires_token(READ)
def get_asset(asset_id: int):
    return jsonify(_assets().get(g.call, asset_id))


@bp.patch("/assets/<int:asset_id>")
@requires_token(WRITE)
def patch_asset(asset_id: int):
    return jsonify(_assets().update(g.call, asset_id, json_body(ASSET)))


@bp.delete("/assets/<int:asset_id>")
@requires_token(WRITE)
def delete_asset(asset_id: int):
    _assets().delete(g.call, asset_id)
    return jsonify(message="Asset deleted.")


# -- categories (folders) ---------------------------------------------------------------------------------

@bp.get("/categories", strict_slashes=False)
@requires_token(READ)
def list_categories():
    return jsonify(_categories().list(g.call, *_paging()))


@bp.post("/categories", strict_slashes=False)
@requires_token(WRITE)
def create_category():
    return jsonify(_categories().create(g.call, json_body()))


@bp.get("/categories/<int:category_id>")
@requires_token(READ)
def get_category(category_id: int):
    return jsonify(_categories().get(g.call, category_id))


@bp.put("/categories/<int:category_id>")
@requires_token(WRITE)
def update_category(category_id: int):
    return jsonify(_categories().update(g.call, category_id, json_body()))


@bp.delete("/categories/<int:category_id>")
@requires_token(WRITE)
def delete_category(category_id: int):
    _categories().delete(g.call, category_id)
    return "", 200
