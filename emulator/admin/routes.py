"""The admin API under /_emulator: health, reset, clock, jobs and the outbox (what would have been sent)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, request

from ..clock import iso_from_timestamp, iso_utc, parse_datetime
from ..domain import codes
from ..domain.eml import to_eml
from ..domain.errors import Invalid, NotFound
from ..web import emulator

bp = Blueprint("admin", __name__, url_prefix="/_emulator")  # guarded by web.install_admin_guard


@bp.get("/health")
def health():
    return jsonify(status="ok")


@bp.get("/click")
def click():
    """Where options.trackLinks sends a link (render.wrap_links): on to the original http(s) URL, with a
    ClickEvent for the message `ref` names (domain/engagement.py)."""
    target = request.args.get("url", "")
    if not target.lower().startswith(("http://", "https://")):
        raise Invalid("The click redirect needs an http(s) url.", code=codes.REST.INVALID_VALUE)
    emulator().engagement.clicked(request.args.get("ref", ""), target)
    return redirect(target)  # 302 Found


@bp.post("/reset")
def reset():
    emulator().reset()
    return jsonify(status="reset")


@bp.get("/clock")
def clock_get():
    clock = emulator().clock
    return jsonify(now=iso_utc(clock.now()), frozen=clock.frozen)


@bp.post("/clock")
def clock_post():
    """Body: {"freeze": true|false}, {"set": ISO-8601}, {"advance": seconds} (any combination, in that order)."""
    body = request.get_json(silent=True, force=True) or {}
    clock = emulator().clock
    try:
        if body.get("freeze") is True:
            clock.freeze()
        if body.get("set"):
            clock.set(parse_datetime(str(body["set"])))
        if body.get("advance") is not None:
            clock.advance(float(body["advance"]))
        if body.get("freeze") is False:
            clock.unfreeze()
        if body.get("reset"):
            clock.reset()
    except (TypeError, ValueError) as exc:
        raise Invalid(f"Invalid clock change: {exc}", code=codes.REST.INVALID_VALUE) from exc
    return jsonify(now=iso_utc(clock.now()), frozen=clock.frozen)


def _job_json(job: dict) -> dict:
    out = dict(job)
    for key in ("created", "started", "finished"):
        if out.get(key) is not None:
            out[key] = iso_from_timestamp(out[key])
    return out


@bp.get("/jobs")
def jobs():
    mid = request.args.get("mid", type=int)
    return jsonify(items=[_job_json(j) for j in emulator().jobs.list(mid, request.args.get("limit", 100, int))])


@bp.get("/jobs/<int:job_id>")
def job(job_id: int):
    emu = emulator()
    wait = request.args.get("wait", type=float)
    found = emu.jobs.wait(job_id, timeout=min(wait, 120.0)) if wait else emu.jobs.get(job_id)
    if found is None:
        raise NotFound(f"No job {job_id}.", code=codes.REST.NOT_FOUND)
    return jsonify(_job_json(found))


def _message_json(row: dict) -> dict:
    return {
        "id": row["id"], "mid": row["mid"], "job_id": row["job_id"], "message_key": row["message_key"],
        "definition_key": row["definition_key"], "subscriber_key": row["subscriber_key"], "to": row["to_addr"],
        "from_name": row["from_name"], "from_address": row["from_addr"], "subject": row["subject"],
        "html": row["html"], "text": row["text"], "source": row["source"],
        "created": iso_from_timestamp(row["created"]),
    }


@bp.get("/outbox")
def outbox():
    args = request.args
    rows, total = emulator().outbox.query(
        mid=args.get("mid", type=int), job_id=args.get("job_id", type=int), to=args.get("to"),
        message_key=args.get("message_key"), subject_contains=args.get("subject"), search=args.get("q"),
        limit=min(args.get("limit", 100, int), 10000), offset=args.get("offset", 0, int))
    # Issue 6's contract: a JSON list of messages; the total (for paging) travels in X-Total-Count.
    response = jsonify([_message_json(r) for r in rows])
    response.headers["X-Total-Count"] = str(total)
    return response


def _outbox_row(message_id: int) -> dict:
    row = emulator().outbox.get(message_id)
    if row is None:
        raise NotFound(f"No message {message_id} in the outbox.", code=codes.REST.NOT_FOUND)
    return row


@bp.get("/outbox/<int:message_id>")
def outbox_message(message_id: int):
    return jsonify(_message_json(_outbox_row(message_id)))


@bp.get("/outbox/<int:message_id>.eml")
def outbox_eml(message_id: int):
    row = _outbox_row(message_id)
    return Response(to_eml(row), mimetype="message/rfc822",
                    headers={"Content-Disposition": f"attachment; filename=message-{message_id}.eml"})
