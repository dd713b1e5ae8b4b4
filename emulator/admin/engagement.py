"""What a recipient's mail client and clicks reach, and the admin calls around engagement (docs/engagement.md):
the open pixel, the unsubscribe and profile-center links, simulated events on an outbox message, and the
ENS delivery log. Translation only: behaviour lives in domain/engagement.py and domain/ens."""

from __future__ import annotations

import base64
from html import escape

from flask import Blueprint, Response, jsonify, request

from ..clock import iso_from_timestamp, parse_datetime
from ..domain import codes
from ..domain.engagement import KINDS
from ..domain.errors import Invalid, NotFound
from ..web import emulator, validated_json

bp = Blueprint("engagement", __name__, url_prefix="/_emulator")  # guarded by web.install_admin_guard

# The smallest transparent GIF: what an open pixel answers, whatever its ref.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

EVENT_SCHEMA = {"type": "object", "required": ["type"], "additionalProperties": False, "properties": {
    "type": {"enum": sorted(KINDS)},
    "url": {"type": "string", "pattern": "^[hH][tT][tT][pP][sS]?://", "minLength": 8, "maxLength": 8192},
    "at": {"type": "string", "minLength": 1, "maxLength": 64},
    "all": {"type": "boolean"}}}


def _event_body() -> dict:
    """The JSON body of a simulated event, checked against EVENT_SCHEMA like every admin body."""
    return validated_json(EVENT_SCHEMA)


def _event_json(event: dict) -> dict:
    return {"id": event.get("id"), "type": event["event_type"], "message_id": event.get("message_id"),
            "job_id": event.get("job_id"), "subscriber_key": event["subscriber_key"],
            "at": iso_from_timestamp(event["event_date"]), "detail": event.get("detail") or {}}


@bp.get("/open/<ref>.gif")
def open_pixel(ref: str):
    """The open pixel of message `ref`: records an OpenEvent, answers a transparent GIF."""
    engagement = emulator().engagement
    message = engagement.resolve(ref)
    if message is not None:
        engagement.record(message, "open")
    return Response(PIXEL, mimetype="image/gif", headers={"Cache-Control": "no-store"})


@bp.get("/unsub/<ref>")
def unsubscribe(ref: str):
    """%%unsub_center_url%%: unsubscribes the recipient (from the send's list, or with ?all=1 from
    everything) and records an UnsubEvent."""
    engagement = emulator().engagement
    message = engagement.resolve(ref)
    if message is None:
        raise NotFound("This unsubscribe link names no message.", code=codes.REST.NOT_FOUND)
    event = engagement.record(message, "unsubscribe", everywhere=request.args.get("all") in ("1", "true"))
    scope = "all mailings" if event["detail"].get("IsMasterUnsubscribed") else "this list"
    return Response(f"<!doctype html><title>Unsubscribed</title><p>{escape(message['to_addr'] or '')} is "
                    f"unsubscribed from {scope}.</p>", mimetype="text/html")


@bp.get("/profile/<ref>")
def profile_center(ref: str):
    """%%profile_center_url%%: the recipient's page, with the way to unsubscribe from everything."""
    message = emulator().engagement.resolve(ref)
    if message is None:
        raise NotFound("This profile center link names no message.", code=codes.REST.NOT_FOUND)
    return Response(f"<!doctype html><title>Profile center</title><p>Profile of "
                    f"{escape(message['to_addr'] or '')}.</p><p><a href=\"../unsub/{escape(ref)}?all=1\">"
                    "Unsubscribe from all</a></p>", mimetype="text/html")


@bp.get("/outbox/<int:message_id>/events")
def message_events(message_id: int):
    engagement = emulator().engagement
    engagement.message(message_id)
    return jsonify([_event_json(e) for e in engagement.events_of(message_id)])


@bp.post("/outbox/<int:message_id>/events")
def simulate_event(message_id: int):
    """Body {"type": open|click|unsubscribe|bounce|complaint, "url"?, "at"?, "all"?}: the event happens now
    (or at `at`, ISO-8601) exactly as if the recipient had acted."""
    body = _event_body()
    engagement = emulator().engagement
    message = engagement.message(message_id)
    at = None
    if body.get("at"):
        try:
            at = parse_datetime(body["at"]).timestamp()
        except (TypeError, ValueError, OverflowError) as exc:
            raise Invalid(f"Invalid event time: {exc}", code=codes.REST.INVALID_VALUE) from exc
    if body["type"] == "click" and not body.get("url"):
        raise Invalid("A click needs the url clicked.", code=codes.REST.INVALID_VALUE)
    event = engagement.record(message, body["type"], url=body.get("url"), at=at, everywhere=bool(body.get("all")),
                              method="Admin")
    return jsonify(_event_json(event)), 201


@bp.get("/ens/deliveries")
def ens_deliveries():
    """The ENS delivery log, newest first: each attempt to POST a batch to a callback."""
    rows = emulator().ens.deliveries(request.args.get("mid", type=int), request.args.get("callback_id"),
                                     min(max(request.args.get("limit", 100, int), 1), 1000))
    return jsonify([{**r, "at": iso_from_timestamp(r["at"]),
                     "next_at": iso_from_timestamp(r["next_at"]) if r["next_at"] else None} for r in rows])
