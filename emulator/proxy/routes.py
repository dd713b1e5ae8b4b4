"""GET /_emulator/proxy (where the proxy listens, the CA file, the hosts it serves) and /_emulator/ca.pem."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ..domain import codes
from ..web import emulator, error_response
from . import SERVICE
from .hosts import HOST_PATTERNS

bp = Blueprint("proxy", __name__)


@bp.get("/_emulator/proxy")
def proxy_info():
    proxy = emulator().services.get(SERVICE)
    if proxy is None:  # started without one (`serve --no-proxy`, or create_app on its own)
        return jsonify(proxy_url=None, ca_path=None, hosts=HOST_PATTERNS)
    return jsonify(proxy.describe())


@bp.get("/_emulator/ca.pem")
def ca_certificate():
    """The CA certificate clients should trust; the key is never served."""
    proxy = emulator().services.get(SERVICE)
    if proxy is None:
        return error_response(404, "This emulator runs no proxy, so it has no CA.", codes.REST.NOT_FOUND)
    return Response(proxy.ca.pem(), mimetype="application/x-pem-file",
                    headers={"Content-Disposition": 'attachment; filename="sfmc-emulator-ca.pem"'})
