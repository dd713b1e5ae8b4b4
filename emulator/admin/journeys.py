"""GET /_emulator/journeys: every journey version, its contacts and where each contact is (activity key,
waiting until...). Guarded like every /_emulator route (web.install_admin_guard)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..web import emulator

bp = Blueprint("admin_journeys", __name__, url_prefix="/_emulator")


@bp.get("/journeys")
def journeys():
    return jsonify(items=emulator().journeys.overview(request.args.get("mid", type=int)))
