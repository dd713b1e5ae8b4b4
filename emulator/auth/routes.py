"""Token endpoints: /v2/token (OAuth2), /v1/requestToken (legacy) and the platform endpoints routes."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..domain.errors import Unauthorized
from ..journal import ENV_MID
from ..web import base_url, emulator, error_response, requires_token

bp = Blueprint("auth", __name__)


def _body() -> dict:
    if request.is_json or (request.data and request.data.lstrip()[:1] == b"{"):
        data = request.get_json(silent=True, force=True)
        return data if isinstance(data, dict) else {}
    return request.form.to_dict()


@bp.post("/v2/token")
def token_v2():
    body = _body()
    if body.get("grant_type") not in ("client_credentials", None):
        return jsonify(error="unsupported_grant_type", error_description="Use client_credentials.",
                       error_uri="https://developer.salesforce.com/docs"), 400
    account_id = body.get("account_id")
    try:
        issued = emulator().auth.issue_oauth2(
            body.get("client_id"), body.get("client_secret"),
            int(account_id) if account_id not in (None, "") else None, body.get("scope"))
    except (Unauthorized, ValueError) as exc:
        return jsonify(error="invalid_client", error_description=getattr(exc, "message", str(exc)),
                       error_uri="https://developer.salesforce.com/docs"), 401
    request.environ[ENV_MID] = issued.mid  # the journal files the exchange under the BU it was granted for
    root = base_url() + "/"
    return jsonify(access_token=issued.access_token, token_type="Bearer", expires_in=issued.expires_in,
                   scope=issued.scope, soap_instance_url=root, rest_instance_url=root)


@bp.post("/v1/requestToken")
def request_token():
    body = _body()
    try:
        issued = emulator().auth.issue_legacy(body.get("clientId"), body.get("clientSecret"))
    except Unauthorized:
        return error_response(401, "Unauthorized", 1)
    request.environ[ENV_MID] = issued.mid
    out = {"accessToken": issued.access_token, "expiresIn": issued.expires_in}
    if request.args.get("legacy") == "1":
        out["legacyToken"] = issued.legacy_token
    return jsonify(out)


def _endpoints() -> dict[str, str]:
    root = base_url()
    return {"soap": f"{root}/Service.asmx", "rest": f"{root}/", "ftp": f"{root}/_emulator/ftp"}


@bp.get("/platform/v1/endpoints")
@requires_token()
def endpoints():
    items = [{"type": t, "url": u} for t, u in _endpoints().items()]
    return jsonify(page=1, pageSize=50, count=len(items), items=items)


@bp.get("/platform/v1/endpoints/<kind>")
@requires_token()
def endpoint(kind: str):
    url = _endpoints().get(kind.lower())
    if url is None:
        return error_response(404, f"No endpoint exists for key '{kind}'.", 30003)
    return jsonify(type=kind.lower(), url=url)
