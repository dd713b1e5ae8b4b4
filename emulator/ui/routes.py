"""The web inspector (server-rendered HTML at / and /_emulator/ui) and the JSON admin endpoints behind it.

Pages and JSON endpoints call the same `Inspector` methods, so every figure on a page is scriptable.
Jinja autoescapes everything; a message's own HTML is only ever served by `/_emulator/outbox/<id>.html`
with a sandboxing Content-Security-Policy, and shown inside a sandboxed iframe.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from flask import (
    Blueprint,
    Response,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
)

from ..clock import iso_from_timestamp
from ..domain import codes
from ..domain.errors import Invalid, NotFound
from ..web import domain_error_response, emulator, id_arg, int_arg, journal_filters
from .inspector import Inspector
from .mail import hold_remote_images

UI = "/_emulator/ui"
bp = Blueprint("ui", __name__, template_folder="templates", static_folder="static",
               static_url_path=f"{UI}/static")

# Scripts only from our own static file (progressive enhancement: every page works without it); the live
# outbox reads its event stream from the same origin.
PAGE_CSP = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; "
            "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'")
# The message itself: no scripts, no forms, no plugins, an opaque origin; remote https images may load,
# but nothing on the emulator's own (http) origin, so previewing never records an open.
MESSAGE_CSP = ("sandbox; default-src 'none'; img-src data: https:; style-src 'unsafe-inline' https:; "
               "font-src data: https:; frame-ancestors 'self'")
PAGE_SIZE = 50
JOURNAL_PAGE = 100
MESSAGE_TABS = ("html", "text", "source", "headers", "links", "checks", "data", "events")
WIDTHS = {"phone": 375, "tablet": 768, "desktop": None}
STREAM_SECONDS = 15.0  # an event stream ends after this (EventSource reconnects): no thread held forever
STREAM_POLL = 0.5


@bp.app_template_filter("pretty")
def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _inspector() -> Inspector:
    return Inspector(emulator())


def _limit(default: int, cap: int) -> int:
    return int_arg("limit", default, 1, cap)


def _offset() -> int:
    return int_arg("offset", 0, 0, 2**62)


def _is_page() -> bool:
    return request.path == "/" or request.path.startswith(UI)


@bp.errorhandler(NotFound)
def _not_found(error: NotFound):
    if _is_page():
        return _page("error.html", status=404, message=error.message, title="Not found")
    return domain_error_response(error)


@bp.after_request
def _headers(response: Response) -> Response:
    if _is_page() and response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _page(template: str, status: int = 200, owner: int | None = None, **context: Any) -> tuple[str, int]:
    """Render a page with the BU selector's data: the selected BU is the shown item's `owner`, else `?mid=`,
    else the parent BU."""
    inspector = _inspector()
    try:
        mid = owner if owner is not None else id_arg("mid")
        bu = inspector.bu(mid)
    except (NotFound, Invalid):
        bu = inspector.bu(None)
    return render_template(f"ui/{template}", bus=inspector.bus(), bu=bu, mid=bu["mid"], **context), status


def _mid() -> int:
    return _inspector().bu(id_arg("mid"))["mid"]


# -- pages -----------------------------------------------------------------------------------------------
@bp.get("/")
@bp.get(f"{UI}/")
@bp.get(UI)
def overview_page():
    inspector = _inspector()
    mid = _mid()
    return _page("overview.html", title="Overview", overview=inspector.overview(mid),
                 definitions=inspector.definitions(mid)[:10], jobs=inspector.sends(mid, limit=10))


@bp.get(f"{UI}/definitions")
def definitions_page():
    return _page("definitions.html", title="Definitions", definitions=_inspector().definitions(_mid()))


@bp.get(f"{UI}/definition")
def definition_page():
    args = request.args
    found = _inspector().definition(_mid(), args.get("api", ""), args.get("type", ""), args.get("key", ""))
    return _page("definition.html", title=f"Definition {found['name'] or found['key']}", d=found)


@bp.get(f"{UI}/sends")
def sends_page():
    kind = request.args.get("kind") or None
    jobs = _inspector().sends(_mid(), kind=kind, limit=_limit(100, 500))
    return _page("sends.html", title="Sends and jobs", jobs=jobs, kind=kind,
                 running=any(j["running"] for j in jobs))


@bp.get(f"{UI}/jobs/<int:job_id>")
def job_page(job_id: int):
    inspector = _inspector()
    job = inspector.job(job_id)
    offset = _offset()
    messages = inspector.outbox(job["mid"], job_id=job_id, limit=PAGE_SIZE, offset=offset)
    return _page("job.html", owner=job["mid"], title=f"Job {job_id}", job=job, messages=messages, offset=offset,
                 page_size=PAGE_SIZE, recipients=inspector.job_recipients(job_id))


@bp.get(f"{UI}/outbox")
def outbox_page():
    args = request.args
    q = (args.get("q") or "").strip()
    job_id = id_arg("job_id")
    message_key = (args.get("message_key") or "").strip() or None
    offset = _offset()
    result = _inspector().search_outbox(_mid(), q, job_id=job_id, message_key=message_key, limit=PAGE_SIZE,
                                        offset=offset)
    return _page("outbox.html", title="Outbox", result=result, q=q, job_id=job_id, message_key=message_key,
                 offset=offset, page_size=PAGE_SIZE)


@bp.get(f"{UI}/outbox/<int:message_id>")
def message_page(message_id: int):
    """The message view. `?tab=` picks the tab, `?width=` the preview width, `?images=1` loads remote images:
    plain links, so all of it works without JavaScript (the script only switches without a reload)."""
    message = _inspector().message_view(message_id)
    tab = request.args.get("tab", "html")
    width = request.args.get("width", "desktop")
    return _page("message.html", owner=message["mid"], title=f"Message {message_id}", m=message,
                 source=_pretty(message["source"]), tab=tab if tab in MESSAGE_TABS else "html",
                 width=width if width in WIDTHS else "desktop", widths=WIDTHS, tabs=MESSAGE_TABS,
                 images=request.args.get("images") == "1")


@bp.get(f"{UI}/ens")
def ens_page():
    """Event Notification Service: the BU's callbacks, subscriptions and delivery log."""
    mid, ens = _mid(), emulator().ens
    callbacks = ens.callbacks(mid)
    subscriptions = [s for c in callbacks for s in ens.subscriptions_for(mid, c["callbackId"])]
    deliveries = [{**d, "time": iso_from_timestamp(d["at"]), "next": iso_from_timestamp(d["next_at"])}
                  for d in ens.deliveries(mid, limit=200)]
    return _page("ens.html", title="ENS", callbacks=callbacks, subscriptions=subscriptions, deliveries=deliveries)


@bp.get(f"{UI}/imports")
def imports_page():
    return _page("imports.html", title="Imports", imports=_inspector().imports(_mid()))


@bp.get(f"{UI}/journeys")
def journeys_page():
    return _page("journeys.html", title="Journeys", journeys=emulator().journeys.overview(_mid()))


@bp.get(f"{UI}/journal")
def journal_page():
    filters = journal_filters()
    offset = _offset()
    journal = _inspector().journal_view(filters, limit=_limit(JOURNAL_PAGE, 1000), offset=offset)
    shown = {("bu" if k == "mid" else k): v for k, v in filters.items()}
    return _page("journal.html", title="Request journal", journal=journal, filters=shown, offset=offset,
                 page_size=_limit(JOURNAL_PAGE, 1000))


@bp.get(f"{UI}/journal/<int:entry_id>")
def journal_entry_page(entry_id: int):
    entry = _inspector().journal_entry(entry_id)
    return _page("journal_entry.html", title=f"Journal entry {entry_id}", e=entry)


# -- the outbox: delete one, clear all (admin POSTs; a form gets redirected back), and the live stream -------
def _done(payload: dict[str, Any]):
    back = request.form.get("next") or ""
    if back.startswith(UI):  # only our own pages: never an open redirect
        return redirect(back, 303)  # See Other: the form was posted
    return jsonify(payload)


@bp.post("/_emulator/outbox/<int:message_id>/delete")
def outbox_delete(message_id: int):
    _inspector().delete_message(message_id)
    return _done({"deleted": 1})


@bp.post("/_emulator/outbox/clear")
def outbox_clear():
    mid = id_arg("mid")
    return _done({"deleted": _inspector().clear_outbox(mid)})


@bp.get("/_emulator/outbox/stream")
def outbox_stream():
    """Server-sent events: `outbox` with {"latest_id", "count"} whenever the BU's newest message changes
    (and once at the start). The stream ends after STREAM_SECONDS; the browser's EventSource reconnects."""
    emu = emulator()
    mid = request.args.get("mid", type=int)
    seen = request.args.get("after", -1, int)

    def events() -> Iterator[str]:
        nonlocal seen
        yield "retry: 1000\n\n"
        ends = time.monotonic() + STREAM_SECONDS
        while time.monotonic() < ends:
            try:
                latest = emu.outbox.latest_id(mid)
            except Exception:  # the emulator is shutting down (store closed): end the stream quietly
                return
            if latest != seen:
                seen = latest
                yield f"event: outbox\nid: {latest}\ndata: {json.dumps({'latest_id': latest})}\n\n"
            else:
                yield ":\n\n"  # a comment: lets the server notice a browser that has gone away
            time.sleep(STREAM_POLL)

    return Response(events(), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@bp.get("/_emulator/outbox/<int:message_id>/analysis")
def message_analysis(message_id: int):
    """The message view's links, HTML check, headers, data and events as JSON."""
    view = _inspector().message_view(message_id)
    return jsonify({k: view[k] for k in ("id", "status", "headers", "links", "check", "data", "events",
                                         "transactional")})


@bp.get("/_emulator/sends/<int:job_id>/recipients")
def send_recipients(job_id: int):
    inspector = _inspector()
    inspector.job(job_id)
    return jsonify(inspector.job_recipients(job_id))


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(bp.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)


@bp.get("/_emulator/openapi.json")
def openapi_json():
    from .openapi import document

    return jsonify(document(emulator().base_url))


# -- the message's own HTML, for the sandboxed iframe ------------------------------------------------------
@bp.get("/_emulator/outbox/<int:message_id>.html")
def message_html(message_id: int):
    message = _inspector().message(message_id)
    html = message["html"] or "<p><em>(this message has no HTML part)</em></p>"
    if request.args.get("images") != "1":
        html = hold_remote_images(html)
    return Response(html, mimetype="text/html", headers={
        "Content-Security-Policy": MESSAGE_CSP, "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"})


# -- JSON admin endpoints ----------------------------------------------------------------------------------
@bp.get("/_emulator/bus")
def bus_json():
    inspector = _inspector()
    return jsonify(items=[{**bu, "counts": inspector.overview(bu["mid"])["summary"]} for bu in inspector.bus()])


@bp.get("/_emulator/overview")
def overview_json():
    inspector = _inspector()
    bu = inspector.bu(id_arg("mid"))
    return jsonify(mid=bu["mid"], name=bu["name"], **inspector.overview(bu["mid"]))


@bp.get("/_emulator/definitions")
def definitions_json():
    return jsonify(items=_inspector().definitions(_mid()))


@bp.get("/_emulator/definition")
def definition_json():
    args = request.args
    return jsonify(_inspector().definition(_mid(), args.get("api", ""), args.get("type", ""), args.get("key", "")))


@bp.get("/_emulator/sends")
def sends_json():
    return jsonify(items=_inspector().sends(_mid(), kind=request.args.get("kind") or None,
                                            limit=_limit(100, 500)))


@bp.get("/_emulator/sends/<int:job_id>")
def send_json(job_id: int):
    job = _inspector().job(job_id)
    mid = id_arg("mid")
    if mid is not None and job["mid"] != mid:  # ?mid= never shows another BU's job
        raise NotFound(f"No job {job_id} in business unit {mid}.", code=codes.REST.NOT_FOUND)
    return jsonify(job)


@bp.get("/_emulator/imports")
def imports_json():
    return jsonify(_inspector().imports(_mid()))

