"""The routes transactional messaging has for each channel (email under /messaging/v1/email, SMS under
/messaging/v1/sms): definitions, their queue, sends and message status, the same eleven for both. The
channel's service (domain/transactional/) answers with the same method names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import Blueprint, g

from .routes import add

# (endpoint = the service method, methods, rule, scope): routes answering service.method(call, path value)
_BY_KEY = (
    ("get_definition", "GET", "/definitions/<ref>", "read"),
    ("delete_definition", "DELETE", "/definitions/<ref>", "write"),
    ("queue_metrics", "GET", "/definitions/<ref>/queue", "read"),
    ("clear_queue", "DELETE", "/definitions/<ref>/queue", "write"),
    ("message_status", "GET", "/messages/<path:ref>", "read"),
)


def channel_routes(bp: Blueprint, prefix: str, service: Callable[[], Any], scopes: dict[str, str],
                   body: Callable[[str], dict[str, Any]], listing: Callable[[], Sequence[Any]],
                   not_sent: Callable[[], Sequence[Any]]) -> None:
    """Register the channel's routes on `bp` under `prefix`. `scopes` maps read/write/send to the channel's
    scope names; `body(kind)` reads the request body of kind create/update/single/batch; `listing()` and
    `not_sent()` give the query arguments of the definition list and of the not-sent list."""
    for endpoint, methods, rule, scope in _BY_KEY:
        add(bp, endpoint, methods, prefix + rule, scopes[scope],
            lambda ref, method=endpoint: getattr(service(), method)(g.call, ref))
    definitions, messages = prefix + "/definitions", prefix + "/messages"
    add(bp, "create_definition", "POST", definitions, scopes["write"],
        lambda: service().create_definition(g.call, body("create")), 201, strict_slashes=False)
    add(bp, "list_definitions", "GET", definitions, scopes["read"],
        lambda: service().list_definitions(g.call, *listing()), strict_slashes=False)
    add(bp, "update_definition", "PATCH", definitions + "/<ref>", scopes["write"],
        lambda ref: service().update_definition(g.call, ref, body("update")))
    add(bp, "send_single", "POST", messages + "/<path:ref>", scopes["send"],
        lambda ref: service().send(g.call, body("single"), path_key=ref), 202)
    add(bp, "send_batch", "POST", messages, scopes["send"], lambda: service().send(g.call, body("batch")), 202,
        strict_slashes=False)
    add(bp, "not_sent", "GET", messages, scopes["read"], lambda: service().not_sent(g.call, *not_sent()),
        strict_slashes=False)
