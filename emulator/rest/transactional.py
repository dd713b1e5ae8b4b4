"""Transactional Messaging REST (/messaging/v1/email/...) and the classic triggered send over REST
(/messaging/v1/messageDefinitionSends/...). Translation only: behaviour lives in domain/transactional/ and
domain/behaviours/triggered_send.py. Every JSON body is checked against its route's schema (rest/schemas/) first."""

from __future__ import annotations

from flask import Blueprint, g

from ..web import emulator, json_body, query_args
from .messaging import channel_routes
from .routes import add
from .schemas import transactional as schemas

bp = Blueprint("transactional", __name__, url_prefix="/messaging/v1")

_BODIES = {"create": schemas.CREATE_DEFINITION, "update": schemas.UPDATE_DEFINITION,
           "single": schemas.SEND_SINGLE, "batch": schemas.SEND_BATCH}

channel_routes(bp, "/email", lambda: emulator().transactional,
               {"read": "email_read", "write": "email_write", "send": "email_send"},
               body=lambda kind: json_body(_BODIES[kind]),
               listing=lambda: query_args("$filter", "$page", "$pageSize", "$orderBy"),
               not_sent=lambda: query_args("type", "$pageSize", "lastEventId"))

add(bp, "message_definition_send", "POST", "/messageDefinitionSends/<path:ref>/send", "email_send",
    lambda ref: emulator().triggered_sends.send(g.call, ref, json_body(schemas.TRIGGERED_SEND)), 202)
