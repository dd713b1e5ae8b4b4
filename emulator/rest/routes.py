"""How the REST blueprints declare a route, once: the bearer token checked for the route's scope, then the
view's result answered as JSON with the route's status. And `resource`, the five routes of a collection
every SFMC family repeats (list, create, read, update, delete), written once for assets, categories,
campaigns and journey event definitions.

A view returns the payload (jsonified with the route's status), a ready Response (passed through), or
None: an empty 200, as SFMC answers most deletes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from flask import Blueprint, Response, g, jsonify

from ..web import json_body, requires_token

View = Callable[..., Any]


def answer(payload: Any, status: int = 200) -> Response:
    """`payload` as the JSON answer with `status` (a Response or None: see the module docstring)."""
    if isinstance(payload, Response):
        return payload
    if payload is None:
        return Response("", status=status)
    response = jsonify(payload)
    response.status_code = status
    return response


def add(bp: Blueprint, endpoint: str, methods: str, rule: str, scope: str, view: View, status: int = 200,
        **options: Any) -> None:
    """Register `view` on `rule` for `methods` (space-separated), behind a token with `scope`."""

    @wraps(view)
    def answered(**path: Any) -> Response:
        return answer(view(**path), status)

    bp.add_url_rule(rule, endpoint, requires_token(scope)(answered), methods=methods.split(), **options)


def resource(bp: Blueprint, service: Callable[[], Any], rule: str, item: str, *, names: tuple[str, str],
             read: str, write: str, create_scope: str | None = None, created: int = 200,
             listing: Callable[[], Sequence[Any]], body: Callable[[], Any] = json_body, update: str = "PATCH",
             deleted: Any = None) -> None:
    """A collection at `rule` and its items at `rule + item` (`item` names the path value `ref`): list
    (`listing()` gives the domain's paging arguments), create (`created` status), get, update (`update`
    methods) and delete (answering `deleted`), each the service method of that name. The collection also
    answers with a trailing slash, as SFMC's does. `names` = (singular, plural) name the endpoints."""
    one, many = names
    add(bp, f"list_{many}", "GET", rule, read, lambda: service().list(g.call, *listing()), strict_slashes=False)
    add(bp, f"create_{one}", "POST", rule, create_scope or write, lambda: service().create(g.call, body()),
        created, strict_slashes=False)
    add(bp, f"get_{one}", "GET", rule + item, read, lambda ref: service().get(g.call, ref))
    add(bp, f"update_{one}", update, rule + item, write, lambda ref: service().update(g.call, ref, body()))

    def delete(ref: Any) -> Any:
        service().delete(g.call, ref)
        return deleted

    add(bp, f"delete_{one}", "DELETE", rule + item, write, delete)
