"""Campaigns (/hub/v1/campaigns) and their assets. Translation only: behaviour lives in
domain/campaigns.py. Scopes per SFMC's table: campaign_read / campaign_write [doc:rest-permissions-and-
scopes]. Statuses: 200 as the OpenAPI document answers (the doc pages' examples print 202 for every call,
reads included; FuelSDK counts only a 200 as success). Deletes answer 200 `{}`: FuelSDK parses every REST
answer as JSON, so SFMC's delete answer was JSON; its content is not recorded anywhere."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from ..web import emulator, json_body, query_arg, query_args, requires_token
from .routes import resource

bp = Blueprint("campaigns", __name__, url_prefix="/hub/v1/campaigns")

READ, WRITE = "campaign_read", "campaign_write"


def _campaigns():
    return emulator().campaigns


# POST on a campaign also updates it: updateCampaign in SFMC's Swagger document.
resource(bp, _campaigns, "", "/<ref>", names=("campaign", "campaigns"), read=READ, write=WRITE,
         listing=lambda: query_args("$page", "$pageSize", "$orderBy"), update="PATCH POST", deleted={})


@bp.get("/<ref>/assets")
@requires_token(READ)
def list_campaign_assets(ref: str):
    return jsonify(_campaigns().assets(g.call, ref, query_arg("$page"), query_arg("$pageSize")))


@bp.post("/<ref>/assets")
@requires_token(WRITE)
def add_campaign_assets(ref: str):
    return jsonify(_campaigns().add_assets(g.call, ref, json_body()))


@bp.get("/<ref>/assets/<asset_ref>")
@requires_token(READ)
def get_campaign_asset(ref: str, asset_ref: str):
    return jsonify(_campaigns().asset(g.call, ref, asset_ref))


@bp.delete("/<ref>/assets/<asset_ref>")
@requires_token(WRITE)
def remove_campaign_asset(ref: str, asset_ref: str):
    _campaigns().remove_asset(g.call, ref, asset_ref)
    return jsonify({})
