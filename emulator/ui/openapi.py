"""The admin API's own OpenAPI 3.1 document (`GET /_emulator/openapi.json`), built from one table.

One row per route: method, path (OpenAPI form), summary, the response's media type and schema, and query
parameters. Response schemas are JSON Schema (OpenAPI 3.1 uses draft 2020-12), so tests validate the
server's answers against them with `jsonschema`. tests/ui/test_openapi.py checks that every Flask rule
under /_emulator appears here: a new admin route must be added to ROUTES.
"""

from __future__ import annotations

import re
from typing import Any

NULL_STR = {"type": ["string", "null"]}
NULL_INT = {"type": ["integer", "null"]}
INT = {"type": "integer"}
STR = {"type": "string"}
OBJ = {"type": "object"}


def _obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": {**required, **(optional or {})}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _items(name: str) -> dict[str, Any]:
    return _obj({"items": {"type": "array", "items": _ref(name)}})


SCHEMAS: dict[str, Any] = {
    "Error": _obj({"message": STR, "errorcode": INT}, {"documentation": STR}),
    "Status": _obj({"status": STR}),
    "Clock": _obj({"now": STR, "frozen": {"type": "boolean"}}),
    "EngagementEvent": _obj({"id": NULL_INT, "type": STR, "message_id": NULL_INT, "job_id": NULL_INT,
                             "subscriber_key": NULL_STR, "at": STR, "detail": OBJ}),
    "EnsDelivery": _obj({"id": INT, "callback_id": STR, "subscription_id": STR, "at": STR, "attempt": INT,
                         "events": INT, "outcome": STR, "status": NULL_INT, "error": NULL_STR,
                         "next_at": NULL_STR}),
    "Job": _obj({"id": INT, "mid": INT, "kind": STR, "status": STR, "created": NULL_STR, "started": NULL_STR,
                 "finished": NULL_STR}, {"detail": OBJ}),
    "Message": _obj({"id": INT, "mid": INT, "job_id": NULL_INT, "message_key": NULL_STR,
                     "definition_key": NULL_STR, "subscriber_key": NULL_STR, "to": NULL_STR,
                     "from_name": NULL_STR, "from_address": NULL_STR, "subject": NULL_STR, "html": NULL_STR,
                     "text": NULL_STR, "source": OBJ, "created": NULL_STR,
                     "channel": {"enum": ["email", "sms"]}}),
    "MessageAnalysis": _obj({
        "id": INT, "status": {"enum": ["Sent", "Bounced"]},
        "headers": {"type": "array", "items": {"type": "array", "items": STR, "minItems": 2, "maxItems": 2}},
        "links": {"type": "array", "items": _obj({"text": STR, "href": STR, "target": STR, "tracked": NULL_STR,
                                                  "problems": {"type": "array", "items": STR}})},
        "check": _obj({"score": {"type": "integer", "minimum": 0, "maximum": 100},
                       "findings": {"type": "array", "items": _obj({"rule": STR, "label": STR, "count": INT,
                                                                    "examples": {"type": "array"}})},
                       "images": INT, "remote_images": INT}),
        "data": _obj({"values": OBJ, "audience": {}, "recipient": {"type": ["object", "null"]}, "source": OBJ}),
        "events": {"type": "array", "items": _obj({"event_type": STR, "time": NULL_STR})},
        "transactional": {"type": ["object", "null"]}}),
    "Deleted": _obj({"deleted": INT}),
    "JourneyContact": _obj({"contactKey": STR, "status": {"enum": ["Active", "Waiting", "Finished", "Exited"]},
                            "activityKey": NULL_STR, "waitingUntil": NULL_STR, "entered": NULL_STR,
                            "eventInstanceId": STR, "history": {"type": "array", "items": OBJ}}),
    "Journey": _obj({"mid": INT, "id": STR, "key": STR, "name": STR, "version": INT, "status": STR,
                     "events": {"type": "array", "items": STR}, "activities": {"type": "array", "items": OBJ},
                     "contacts": {"type": "array", "items": _ref("JourneyContact")}}),
    "JournalEntry": _obj({"id": INT, "ts": {"type": "number"}, "time": NULL_STR, "method": STR, "path": STR,
                          "status": INT, "ms": {"type": "number"}, "mid": NULL_INT, "action": NULL_STR,
                          "object_type": NULL_STR, "fault": NULL_STR},
                         {"request": NULL_STR, "response": NULL_STR, "headers": NULL_STR}),
    "Journal": _obj({"count": INT, "cap": INT, "items": {"type": "array", "items": _ref("JournalEntry")}}),
    "FaultRule": _obj({"id": INT}),
    "BusinessUnit": _obj({"mid": INT, "name": STR, "parent_mid": NULL_INT}, {"counts": OBJ}),
    "Overview": _obj({"mid": INT, "name": STR, "summary": OBJ, "objects": OBJ, "jobs": OBJ, "rest_objects": OBJ,
                      "rows": OBJ}),
    "Definition": _obj({"api": {"enum": ["SOAP", "REST"]}, "type": STR, "key": NULL_STR, "name": NULL_STR,
                        "status": NULL_STR, "messages": INT, "data": OBJ,
                        "setup": _obj({"audience": {"type": "array", "items": STR},
                                       "classification": NULL_STR, "sender": NULL_STR})}),
    "DefinitionDetail": {"allOf": [_ref("Definition"), _obj({
        "jobs": {"type": "array", "items": _ref("JobSummary")}, "message_count": INT,
        "recent_messages": {"type": "array"}, "transactional_messages": OBJ,
        "recent_transactional_messages": {"type": "array"}})]},
    "JobSummary": _obj({"id": INT, "mid": INT, "kind": STR, "status": STR, "running": {"type": "boolean"},
                        "created": NULL_STR, "progress": _obj({"done": NULL_INT, "total": NULL_INT,
                                                               "percent": NULL_INT}),
                        "messages": INT, "events": OBJ, "counts": OBJ, "detail": OBJ}),
    "Recipients": _obj({"states": OBJ, "not_sent": {"type": "array", "items": _obj(
        {"subscriber_key": NULL_STR, "email": NULL_STR, "state": STR, "reason": NULL_STR})}}),
    "Imports": _obj({"definitions": {"type": "array"}, "jobs": {"type": "array", "items": _ref("JobSummary")}}),
    "Files": _obj({"folder": STR, "count": INT, "items": {"type": "array"}}),
}

MID = {"name": "mid", "in": "query", "schema": INT, "description": "business unit (default: the parent BU)"}
LIMIT = {"name": "limit", "in": "query", "schema": INT}
OFFSET = {"name": "offset", "in": "query", "schema": INT}
HTML, YAML, EML, SSE, OCTET = "text/html", "application/x-yaml", "message/rfc822", "text/event-stream", \
    "application/octet-stream"

# (method, path, summary, media type, schema or None, query parameters, status)
ROUTES: list[tuple[str, str, str, str, Any, list[dict[str, Any]], int]] = [
    ("get", "/_emulator/health", "Readiness probe (open without the admin token)", "json", _ref("Status"), [], 200),
    ("post", "/_emulator/reset", "Back to the fresh default tenant (and seed)", "json", _ref("Status"), [], 200),
    ("get", "/_emulator/clock", "The emulator clock", "json", _ref("Clock"), [], 200),
    ("post", "/_emulator/clock", "Freeze, set, advance or reset the clock (JSON body)", "json", _ref("Clock"),
     [], 200),
    ("get", "/_emulator/click", "Click-tracking redirect to `url`", "json", None,
     [{"name": "url", "in": "query", "schema": STR, "required": True}], 302),
    ("get", "/_emulator/open/{ref}.gif", "Open pixel of message `ref`: records an OpenEvent, answers a GIF",
     "image/gif", None, [], 200),
    ("get", "/_emulator/unsub/{ref}", "Unsubscribe link of message `ref` (`all=1`: from everything); records "
     "an UnsubEvent", HTML, None, [{"name": "all", "in": "query", "schema": STR}], 200),
    ("get", "/_emulator/profile/{ref}", "Profile-center page of message `ref`", HTML, None, [], 200),
    ("get", "/_emulator/outbox/{message_id}/events", "A message's tracking events, oldest first", "json",
     {"type": "array", "items": _ref("EngagementEvent")}, [], 200),
    ("post", "/_emulator/outbox/{message_id}/events", "Simulate an engagement: JSON body {type: open|click|"
     "unsubscribe|bounce|complaint, url?, at?, all?}", "json", _ref("EngagementEvent"), [], 201),
    ("get", "/_emulator/ens/deliveries", "ENS delivery attempts, newest first", "json",
     {"type": "array", "items": _ref("EnsDelivery")},
     [MID, LIMIT, {"name": "callback_id", "in": "query", "schema": STR}], 200),
    ("get", "/_emulator/jobs", "Jobs, newest first", "json", _items("Job"), [MID, LIMIT], 200),
    ("get", "/_emulator/journeys", "Journey versions, their contacts and where each contact is", "json",
     _items("Journey"), [MID], 200),
    ("get", "/_emulator/jobs/{job_id}", "One job; `wait` seconds for it to finish", "json", _ref("Job"),
     [{"name": "wait", "in": "query", "schema": {"type": "number"}}], 200),
    ("get", "/_emulator/outbox", "Messages (oldest first; total in X-Total-Count)", "json",
     {"type": "array", "items": _ref("Message")},
     [MID, LIMIT, OFFSET] + [{"name": n, "in": "query", "schema": STR}
                             for n in ("job_id", "to", "message_key", "subject", "q")], 200),
    ("get", "/_emulator/outbox/{message_id}", "One message", "json", _ref("Message"), [], 200),
    ("get", "/_emulator/outbox/{message_id}.eml", "The message as RFC 822", EML, None, [], 200),
    ("get", "/_emulator/outbox/{message_id}.html", "The message's HTML, sandboxed; remote images held back "
     "unless images=1", HTML, None, [{"name": "images", "in": "query", "schema": STR}], 200),
    ("get", "/_emulator/outbox/{message_id}/analysis", "Links, HTML check, headers, data and events", "json",
     _ref("MessageAnalysis"), [], 200),
    ("post", "/_emulator/outbox/{message_id}/delete", "Delete one message (a form's `next` redirects)", "json",
     _ref("Deleted"), [], 200),
    ("post", "/_emulator/outbox/clear", "Delete every message (of `mid` when given)", "json", _ref("Deleted"),
     [MID], 200),
    ("get", "/_emulator/outbox/stream", "Server-sent events: `outbox` when the newest message changes", SSE,
     None, [MID, {"name": "after", "in": "query", "schema": INT}], 200),
    ("get", "/_emulator/journal", "Journal entries, newest first", "json", _ref("Journal"),
     [LIMIT, OFFSET, MID, {"name": "since_id", "in": "query", "schema": INT},
      {"name": "bodies", "in": "query", "schema": STR}], 200),
    ("delete", "/_emulator/journal", "Forget every exchange", "json", _obj({"cleared": INT}), [], 200),
    ("get", "/_emulator/journal/{entry_id}", "One exchange with its bodies", "json", _ref("JournalEntry"), [], 200),
    ("get", "/_emulator/journal/export", "The journal as a replayable scenario", YAML, None,
     [{"name": "since_id", "in": "query", "schema": INT}], 200),
    ("get", "/_emulator/proxy", "Where the HTTPS proxy for SFMC's host names listens, its CA file, the hosts",
     "json", _obj({"proxy_url": {"type": ["string", "null"]}, "ca_path": {"type": ["string", "null"]},
                   "hosts": {"type": "array", "items": STR}}), [], 200),
    ("get", "/_emulator/ca.pem", "The proxy's CA certificate (PEM; never the key)", "application/x-pem-file",
     None, [], 200),
    ("get", "/_emulator/faults", "Active fault rules", "json", _items("FaultRule"), [], 200),
    ("post", "/_emulator/faults", "Add a fault rule (or a list of them)", "json", _ref("FaultRule"), [], 201),
    ("delete", "/_emulator/faults", "Clear every fault rule", "json", _obj({"cleared": INT}), [], 200),
    ("delete", "/_emulator/faults/{rule_id}", "Remove one fault rule", "json", _obj({"removed": INT}), [], 200),
    ("get", "/_emulator/ftp/Import", "Files in the Import folder", "json", _ref("Files"), [], 200),
    ("get", "/_emulator/ftp/Import/", "Files in the Import folder", "json", _ref("Files"), [], 200),
    ("put", "/_emulator/ftp/Import/{name}", "Upload a file (raw body)", "json", _obj({"name": STR, "size": INT}),
     [], 201),
    ("get", "/_emulator/ftp/Import/{name}", "Download a file", OCTET, None, [], 200),
    ("delete", "/_emulator/ftp/Import/{name}", "Delete a file", "json", _obj({"deleted": STR}), [], 200),
    ("post", "/_emulator/seed/list-members", "Bulk-create Active list members (tests, benchmarks)", "json",
     _obj({"list_id": INT, "mid": INT, "created": INT}), [], 200),
    ("get", "/_emulator/bus", "Business units with their counts", "json", _items("BusinessUnit"), [], 200),
    ("get", "/_emulator/overview", "A BU's counts", "json", _ref("Overview"), [MID], 200),
    ("get", "/_emulator/definitions", "Send definitions (SOAP and REST)", "json", _items("Definition"), [MID], 200),
    ("get", "/_emulator/definition", "One definition with its jobs and messages", "json",
     _ref("DefinitionDetail"), [MID] + [{"name": n, "in": "query", "schema": STR, "required": True}
                                        for n in ("api", "type", "key")], 200),
    ("get", "/_emulator/sends", "Jobs with progress and counts", "json", _items("JobSummary"),
     [MID, LIMIT, {"name": "kind", "in": "query", "schema": STR}], 200),
    ("get", "/_emulator/sends/{job_id}", "One job with progress and counts", "json", _ref("JobSummary"), [], 200),
    ("get", "/_emulator/sends/{job_id}/recipients", "A job's recipients by state, and who was not sent and why",
     "json", _ref("Recipients"), [], 200),
    ("get", "/_emulator/imports", "Import definitions and runs", "json", _ref("Imports"), [MID], 200),
    ("get", "/_emulator/openapi.json", "This document", "json", OBJ, [], 200),
    # The inspector's pages (HTML).
    ("get", "/_emulator/ui", "Inspector: overview", HTML, None, [MID], 200),
    ("get", "/_emulator/ui/", "Inspector: overview", HTML, None, [MID], 200),
    ("get", "/_emulator/ui/definitions", "Inspector: definitions", HTML, None, [MID], 200),
    ("get", "/_emulator/ui/definition", "Inspector: one definition", HTML, None, [MID], 200),
    ("get", "/_emulator/ui/sends", "Inspector: sends and jobs", HTML, None, [MID], 200),
    ("get", "/_emulator/ui/journeys", "Inspector: journeys and where their contacts are", HTML, None, [MID], 200),
    ("get", "/_emulator/ui/jobs/{job_id}", "Inspector: one job", HTML, None, [], 200),
    ("get", "/_emulator/ui/outbox", "Inspector: outbox (q: to: from: subject: job: definition: is:bounced)",
     HTML, None, [MID, {"name": "q", "in": "query", "schema": STR}, OFFSET], 200),
    ("get", "/_emulator/ui/outbox/{message_id}", "Inspector: message view (tab, width, images)", HTML, None,
     [{"name": n, "in": "query", "schema": STR} for n in ("tab", "width", "images")], 200),
    ("get", "/_emulator/ui/imports", "Inspector: imports", HTML, None, [MID], 200),
    ("get", "/_emulator/ui/ens", "Inspector: ENS callbacks, subscriptions and deliveries", HTML, None, [MID], 200),
    ("get", "/_emulator/ui/journal", "Inspector: journal (protocol, action, object_type, status, bu, path, q)",
     HTML, None, [{"name": n, "in": "query", "schema": STR}
                  for n in ("protocol", "action", "object_type", "status", "bu", "path", "q")], 200),
    ("get", "/_emulator/ui/journal/{entry_id}", "Inspector: one journal entry (permalink)", HTML, None, [], 200),
    ("get", "/_emulator/ui/journal/export", "The journal page's selection as a replayable scenario", YAML, None,
     [], 200),
    ("get", "/_emulator/ui/static/{filename}", "Inspector: static files", OCTET, None, [], 200),
]


def _operation(method: str, path: str, summary: str, media: str, schema: Any, params: list[dict[str, Any]],
               status: int) -> dict[str, Any]:
    media_type = "application/json" if media == "json" else media
    ok: dict[str, Any] = {"description": summary}
    if status != 302:
        ok["content"] = {media_type: {"schema": schema} if schema is not None else {}}
    path_params = [{"name": part[1:-1], "in": "path", "required": True,
                    "schema": INT if part[1:-1].endswith("id") else STR}
                   for part in path.replace(".", "/").split("/") if part.startswith("{")]
    return {
        "summary": summary, "operationId": _operation_id(method, path),
        "parameters": path_params + params,
        "responses": {str(status): ok, "4XX": {"description": "SFMC-style error",
                                               "content": {"application/json": {"schema": _ref("Error")}}}},
    }


def _operation_id(method: str, path: str) -> str:
    """get_emulator_jobs_job_id; a trailing slash variant (`/_emulator/ui/`) ends in `_index`."""
    words = re.findall(r"[A-Za-z0-9]+", path.removeprefix("/_emulator"))
    return "_".join([method, *words] + (["index"] if path.endswith("/") else []))


def document(server_url: str | None = None) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for method, path, summary, media, schema, params, status in ROUTES:
        paths.setdefault(path, {})[method] = _operation(method, path, summary, media, schema, params, status)
    return {
        "openapi": "3.1.0",
        "info": {"title": "sfmc-emulator admin API", "version": "1",
                 "description": "The emulator's own API under /_emulator: state, clock, outbox, journal, "
                                "faults, the Import folder, and the web inspector's pages. Open on loopback; "
                                "elsewhere it needs the admin token (Authorization: Bearer TOKEN)."},
        "servers": [{"url": server_url}] if server_url else [],
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }
