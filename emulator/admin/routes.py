"""The admin API under /_emulator: health, reset, clock, jobs and the outbox (what would have been sent).

Bodies are checked against admin/schemas.py; paging parameters are clamped (web.int_arg) and id filters
must fit SQLite's integers (web.id_arg).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, jsonify, redirect, request

from ..clock import ClockRangeError, advanced, check_in_range, iso_from_timestamp, iso_utc, parse_datetime
from ..domain import codes
from ..domain.eml import to_eml
from ..domain.errors import Invalid, NotFound
from ..web import emulator, id_arg, int_arg
from . import schemas

bp = Blueprint("admin", __name__, url_prefix="/_emulator")  # guarded by web.install_admin_guard


@bp.get("/health")
def health():
    return jsonify(status="ok")


MAX_URL = 8192  # longer click targets are refused before anything parses them
MAX_HOST = 253  # a DNS name's limit
_CONTROL = re.compile(r"[\x00-\x20\x7f]")  # no CR/LF (header injection), no spaces or controls


def _checked_target(target: str) -> str:
    """A click target fit for a Location header: http(s), bounded, without controls, with a sane host."""
    if not target.lower().startswith(("http://", "https://")):
        raise Invalid("The click redirect needs an http(s) url.", code=codes.REST.INVALID_VALUE)
    if len(target) > MAX_URL or _CONTROL.search(target):
        raise Invalid("The click redirect's url is too long or holds control characters.", code=codes.REST.INVALID_VALUE)
    try:
        host = urlsplit(target).hostname or ""
    except ValueError:
        raise Invalid("The click redirect's url is not a URL.", code=codes.REST.INVALID_VALUE) from None
    if not host or len(host) > MAX_HOST:
        raise Invalid("The click redirect's url has no usable host.", code=codes.REST.INVALID_VALUE)
    try:
        target.encode("ascii")
    except UnicodeEncodeError:  # an IRI: keep it a URI so the header stays ASCII
        target = quote(target, safe=":/?#[]@!$&'()*+,;=%~")
    return target


@bp.get("/click")
def click():
    """Where options.trackLinks sends a link (render.wrap_links): on to the original http(s) URL, with a
    ClickEvent for the message `ref` names (domain/engagement.py), if the emulator wrapped that very link in
    that message; else 404 (SFMC JSON)."""
    target = request.args.get("url", "")
    ref = request.args.get("ref", "")
    checked = _checked_target(target)
    if emulator().engagement.clicked(ref, target) is None:  # the ClickEvent, if the emulator wrapped this link
        raise NotFound("No message of the outbox carries this tracked link.", code=codes.REST.NOT_FOUND)
    return redirect(checked)  # 302 Found


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
    """Body (schemas.CLOCK): {"freeze": true|false}, {"set": ISO-8601}, {"advance": seconds}, {"reset": true}
    (any combination, applied in that order). The result must stay in the clock's range (years 2000-2199):
    every move is checked before any is applied, so a refused body changes nothing."""
    body = schemas.body(schemas.CLOCK, empty={})
    clock = emulator().clock
    try:
        target = parse_datetime(body["set"]) if "set" in body else clock.now()
        if "set" in body or "advance" in body:
            check_in_range(advanced(target, body.get("advance", 0)))
    except (ValueError, ClockRangeError) as exc:
        raise Invalid(f"Invalid clock change: {exc}", code=codes.REST.INVALID_VALUE) from exc
    if body.get("freeze") is True:
        clock.freeze()
    if "set" in body:
        clock.set(target)
    if "advance" in body:
        clock.advance(body["advance"])
    if body.get("freeze") is False:
        clock.unfreeze()
    if body.get("reset"):
        clock.reset()
    return jsonify(now=iso_utc(clock.now()), frozen=clock.frozen)


def _job_json(job: dict) -> dict:
    out = dict(job)
    for key in ("created", "started", "finished"):
        if out.get(key) is not None:
            out[key] = iso_from_timestamp(out[key])
    return out


def _same_bu(item: dict | None, what: str) -> dict:
    """`item` unless it is missing or `?mid=` names another BU than its own (then 404, never its body)."""
    mid = id_arg("mid")
    if item is None or mid is not None and item.get("mid") != mid:
        raise NotFound(f"No {what}.", code=codes.REST.NOT_FOUND)
    return item


@bp.get("/jobs")
def jobs():
    return jsonify(items=[_job_json(j) for j in emulator().jobs.list(id_arg("mid"), int_arg("limit", 100, 1, 1000))])


@bp.get("/jobs/<int:job_id>")
def job(job_id: int):
    emu = emulator()
    wait = max(0.0, min(request.args.get("wait", 0.0, float), 120.0))  # NaN fails both comparisons: 0
    found = emu.jobs.wait(job_id, timeout=wait) if wait == wait and wait > 0 else emu.jobs.get(job_id)
    return jsonify(_job_json(_same_bu(found, f"job {job_id}")))


def _message_json(row: dict) -> dict:
    return {
        "id": row["id"], "mid": row["mid"], "job_id": row["job_id"], "message_key": row["message_key"],
        "definition_key": row["definition_key"], "subscriber_key": row["subscriber_key"], "to": row["to_addr"],
        "from_name": row["from_name"], "from_address": row["from_addr"], "subject": row["subject"],
        "html": row["html"], "text": row["text"], "source": row["source"],
        "created": iso_from_timestamp(row["created"]), "channel": row.get("channel") or "email",
    }


@bp.get("/outbox")
def outbox():
    args = request.args
    rows, total = emulator().outbox.query(
        mid=id_arg("mid"), job_id=id_arg("job_id"), to=args.get("to"),
        message_key=args.get("message_key"), subject_contains=args.get("subject"), search=args.get("q"),
        limit=int_arg("limit", 100, 1, 10000), offset=int_arg("offset", 0, 0, 2**62))
    # Issue 6's contract: a JSON list of messages; the total (for paging) travels in X-Total-Count.
    response = jsonify([_message_json(r) for r in rows])
    response.headers["X-Total-Count"] = str(total)
    return response


def _outbox_row(message_id: int) -> dict:
    return _same_bu(emulator().outbox.get(message_id), f"message {message_id} in the outbox")


@bp.get("/outbox/<int:message_id>")
def outbox_message(message_id: int):
    return jsonify(_message_json(_outbox_row(message_id)))


@bp.get("/outbox/<int:message_id>.eml")
def outbox_eml(message_id: int):
    row = _outbox_row(message_id)
    return Response(to_eml(row), mimetype="message/rfc822",
                    headers={"Content-Disposition": f"attachment; filename=message-{message_id}.eml"})
