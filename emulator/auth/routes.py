"""Token endpoints: /v2/token, /v2/authorize and /v2/userinfo (OAuth2), /v1/requestToken (legacy) and the
platform endpoints routes.

/v2/token answers OAuth errors in the OAuth shape ({error, error_description, error_uri}): 401 for client
authentication (invalid_client, unauthorized_client), 400 for the rest (invalid_request,
unsupported_grant_type, invalid_grant) [doc:access-token-s2s, doc:access-token-app; RFC 6749 5.2].
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, request

from ..domain.errors import DomainError, Unauthorized
from ..journal import ENV_MID
from ..web import base_url, emulator, error_response, requires_token
from .schemas import token_request

bp = Blueprint("auth", __name__)

ERROR_URI = "https://developer.salesforce.com/docs"


class _Unreadable(Exception):
    pass


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _body() -> Any:
    """The request's fields: a JSON document (any value: the schema judges it) or a form."""
    raw = request.get_data(cache=True)
    if request.is_json or raw.lstrip()[:1] in (b"{", b"["):
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:  # bad UTF-8, bad JSON, NaN/Infinity, nesting too deep
            raise _Unreadable from exc
    return request.form.to_dict()


def _oauth_error(error: DomainError) -> Response:
    unauthorized = isinstance(error, Unauthorized)
    code = error.extra.get("oauth_error") or ("invalid_client" if unauthorized else "invalid_request")
    response = jsonify(error=code, error_description=error.message, error_uri=ERROR_URI)
    response.status_code = 401 if unauthorized else 400
    return response


def _unreadable() -> Response:
    response = jsonify(error="invalid_request", error_description="The request body is not valid JSON.",
                       error_uri=ERROR_URI)
    response.status_code = 400
    return response


@bp.post("/v2/token")
def token_v2():
    try:
        issued = emulator().auth.issue(token_request(_body()))
    except _Unreadable:
        return _unreadable()
    except DomainError as exc:
        return _oauth_error(exc)
    request.environ[ENV_MID] = issued.mid  # the journal files the exchange under the BU it was granted for
    urls = _instance_urls()
    out: dict[str, Any] = {"access_token": issued.access_token, "token_type": "Bearer",
                           "expires_in": issued.expires_in, "scope": issued.scope,
                           "soap_instance_url": urls["soap"], "rest_instance_url": urls["rest"]}
    if issued.refresh_token:  # web and public apps only: client_credentials never gets one
        out["refresh_token"] = issued.refresh_token
    return jsonify(out)


@bp.get("/v2/authorize")
def authorize():
    """The emulator's login page approves at once: straight back to redirect_uri with a code and the state."""
    args = request.args
    try:
        target = emulator().auth.authorize(args.get("client_id"), args.get("redirect_uri"),
                                           args.get("response_type"), args.get("scope"), args.get("state"))
    except DomainError as exc:
        return _oauth_error(exc)
    return redirect(target)  # 302 Found


@bp.get("/v2/userinfo")
def userinfo():
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else None
    return jsonify(emulator().auth.userinfo(token, _instance_urls()))


def _instance_urls() -> dict[str, str]:
    """`soap` and `rest` base URLs (trailing slash): this server's own, or, for a request that came through
    the Marketing Cloud host proxy (emulator/proxy), the tenant's SFMC hosts it put into the environ."""
    root = base_url() + "/"
    return request.environ.get("sfmc.instance_urls") or {"soap": root, "rest": root}


@bp.post("/v1/requestToken")
def request_token():
    try:
        body = _body()
    except _Unreadable:
        return error_response(400, "Malformed JSON in request body.", 10004)
    body = body if isinstance(body, dict) else {}
    client_id, client_secret = body.get("clientId"), body.get("clientSecret")
    if not isinstance(client_id, str) or not isinstance(client_secret, str):
        return error_response(401, "Unauthorized", 1)
    try:
        issued = emulator().auth.issue_legacy(client_id, client_secret)
    except Unauthorized:
        return error_response(401, "Unauthorized", 1)
    request.environ[ENV_MID] = issued.mid
    out = {"accessToken": issued.access_token, "expiresIn": issued.expires_in}
    if request.args.get("legacy") == "1":
        out["legacyToken"] = issued.legacy_token
    return jsonify(out)


def _endpoints() -> dict[str, str]:
    urls = _instance_urls()
    # The FTP stand-in is an admin path, which the proxy does not serve: always this server's own URL.
    direct = emulator().base_url if "sfmc.instance_urls" in request.environ else base_url()
    return {"soap": f"{urls['soap']}Service.asmx", "rest": urls["rest"], "ftp": f"{direct}/_emulator/ftp"}


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
