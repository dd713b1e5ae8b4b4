"""Transactional Messaging REST (/messaging/v1/email/...) and the classic triggered send over REST
(/messaging/v1/messageDefinitionSends/...). Translation only: behaviour lives in domain/transactional/ and
domain/behaviours/triggered_send.py. Every JSON body is checked against its route's schema (rest/schemas/) first."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from ..web import emulator, json_body, query_arg, requires_token
from .schemas import transactional as schemas

bp = Blueprint("transactional", __name__, url_prefix="/messaging/v1")

READ, WRITE, SEND = "email_read", "email_write", "email_send"


def _tx():
    return emulator().transactional


def _answer(body: dict, status: int = 200):
    response = jsonify(body)
    response.status_code = status
    return response


@bp.post("/email/definitions", strict_slashes=False)
@requires_token(WRITE)
def create_definition():
    return _answer(_tx().create_definition(g.call, json_body(schemas.CREATE_DEFINITION)), 201)


@bp.get("/email/definitions", strict_slashes=False)
@requires_token(READ)
def list_definitions():
    return _answer(_tx().list_definitions(g.call, query_arg("$filter"), query_arg("$page"),
                                          query_arg("$pageSize"), query_arg("$orderBy")))


@bp.get("/email/definitions/<key>")
@requires_token(READ)
def get_definition(key: str):
    return _answer(_tx().get_definition(g.call, key))


@bp.patch("/email/definitions/<key>")
@requires_token(WRITE)
def update_definition(key: str):
    return _answer(_tx().update_definition(g.call, key, json_body(schemas.UPDATE_DEFINITION)))


@bp.delete("/email/definitions/<key>")
@requires_token(WRITE)
def delete_definition(key: str):
    return _answer(_tx().delete_definition(g.call, key))


@bp.get("/email/definitions/<key>/queue")
@requires_token(READ)
def queue_metrics(key: str):
    return _answer(_tx().queue_metrics(g.call, key))


@bp.delete("/email/definitions/<key>/queue")
@requires_token(WRITE)
def clear_queue(key: str):
    return _answer(_tx().clear_queue(g.call, key))


@bp.post("/email/messages/<path:message_key>")
@requires_token(SEND)
def send_single(message_key: str):
    return _answer(_tx().send(g.call, json_body(schemas.SEND_SINGLE), path_key=message_key), 202)


@bp.post("/email/messages", strict_slashes=False)
@requires_token(SEND)
def send_batch():
    return _answer(_tx().send(g.call, json_body(schemas.SEND_BATCH)), 202)


@bp.get("/email/messages/<path:message_key>")
@requires_token(READ)
def message_status(message_key: str):
    return _answer(_tx().message_status(g.call, message_key))


@bp.get("/email/messages", strict_slashes=False)
@requires_token(READ)
def not_sent():
    return _answer(_tx().not_sent(g.call, query_arg("type"), query_arg("$pageSize"), query_arg("lastEventId")))


@bp.post("/messageDefinitionSends/<path:ref>/send")
@requires_token(SEND)
def message_definition_send(ref: str):
    return _answer(emulator().triggered_sends.send(g.call, ref, json_body(schemas.TRIGGERED_SEND)), 202)
