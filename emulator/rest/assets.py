"""Content Builder assets (/asset/v1/content/assets): the email assets transactional definitions use.
Translation only: behaviour lives in domain/assets.py."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from ..web import emulator, json_body, requires_token
from .schemas.assets import ASSET

bp = Blueprint("assets", __name__, url_prefix="/asset/v1/content/assets")

READ, WRITE = "saved_content_read", "saved_content_write"


def _assets():
    return emulator().assets


@bp.post("", strict_slashes=False)
@requires_token(WRITE)
def create_asset():
    response = jsonify(_assets().create(g.call, json_body(ASSET)))
    response.status_code = 201
    return response


@bp.get("/<int:asset_id>")
@requires_token(READ)
def get_asset(asset_id: int):
    return jsonify(_assets().get(g.call, asset_id))


@bp.patch("/<int:asset_id>")
@requires_token(WRITE)
def patch_asset(asset_id: int):
    return jsonify(_assets().update(g.call, asset_id, json_body(ASSET)))


@bp.delete("/<int:asset_id>")
@requires_token(WRITE)
def delete_asset(asset_id: int):
    _assets().delete(g.call, asset_id)
    return jsonify(message="Asset deleted.")
