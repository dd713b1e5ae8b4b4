"""rest/routes.py on a bare Flask app: what a view's result becomes on the wire, and the five routes
`resource` declares (statuses, scopes, methods, the collection's trailing slash); web.query_args."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from flask import Blueprint, Flask, Response

from emulator.rest.routes import add, answer, resource
from emulator.web import install_error_handlers, json_body, query_args


class Caller:
    mid = 7

    def __init__(self, scopes: set[str]) -> None:
        self.scopes = scopes

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class Things:
    """A service with the five methods `resource` calls; it records what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def list(self, call: Caller, *args: Any) -> dict[str, Any]:
        self.calls.append(("list", call.mid, *args))
        return {"items": list(args)}

    def create(self, call: Caller, body: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(("create", body))
        return {"id": 1, **body}

    def get(self, call: Caller, ref: Any) -> dict[str, Any]:
        self.calls.append(("get", ref))
        return {"id": ref}

    def update(self, call: Caller, ref: Any, body: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(("update", ref, body))
        return {"id": ref, **body}

    def delete(self, call: Caller, ref: Any) -> None:
        self.calls.append(("delete", ref))


def _app(things: Things, scopes: set[str], **options: Any) -> Flask:
    app = Flask(__name__)
    auth = SimpleNamespace(context_for_token=lambda token, kinds: Caller(scopes))
    app.config["EMULATOR"] = SimpleNamespace(auth=auth)
    install_error_handlers(app)
    bp = Blueprint("things", __name__, url_prefix="/v1/things")
    resource(bp, lambda: things, "", "/<int:ref>", names=("thing", "things"), read="r", write="w",
             listing=lambda: query_args("$page", "$pageSize"), **options)
    add(bp, "plain", "GET", "/plain", "r", lambda: Response("text", mimetype="text/plain"), 201)
    app.register_blueprint(bp)
    return app


def test_a_view_result_becomes_json_an_empty_200_or_passes_through() -> None:
    with Flask(__name__).app_context():
        created = answer({"a": 1}, 201)
        assert (created.status_code, created.get_json(), created.mimetype) == (201, {"a": 1}, "application/json")
        empty = answer(None)
        assert (empty.status_code, empty.get_data(), empty.mimetype) == (200, b"", "text/html")
        ready = Response("x", status=202)
        assert answer(ready, 201) is ready


def test_resource_declares_list_create_get_update_delete() -> None:
    things = Things()
    client = _app(things, {"r", "w"}, created=201, deleted={"message": "gone"}, update="PATCH POST").test_client()
    listed = client.get("/v1/things/?$PAGESIZE=5&$page=2")  # the collection with a trailing slash too
    assert (listed.status_code, listed.get_json()) == (200, {"items": ["2", "5"]})
    assert client.post("/v1/things", json={"name": "n"}).status_code == 201
    assert client.get("/v1/things/3").get_json() == {"id": 3}
    assert client.patch("/v1/things/3", json={"name": "p"}).get_json() == {"id": 3, "name": "p"}
    assert client.post("/v1/things/3", json={"name": "q"}).status_code == 200
    deleted = client.delete("/v1/things/3")
    assert (deleted.status_code, deleted.get_json()) == (200, {"message": "gone"})
    assert client.put("/v1/things/3", json={}).status_code == 405
    assert things.calls == [("list", 7, "2", "5"), ("create", {"name": "n"}), ("get", 3), ("update", 3, {"name": "p"}),
                            ("update", 3, {"name": "q"}), ("delete", 3)]
    plain = client.get("/v1/things/plain")
    assert (plain.status_code, plain.get_data(), plain.mimetype) == (200, b"text", "text/plain")  # as it was


def test_resource_defaults_answer_200_and_an_empty_delete() -> None:
    client = _app(Things(), {"r", "w"}).test_client()
    assert client.post("/v1/things", json={}).status_code == 200
    deleted = client.delete("/v1/things/1")
    assert (deleted.status_code, deleted.get_data()) == (200, b"")
    assert client.post("/v1/things/1", json={}).status_code == 405  # updates are PATCH unless told


@pytest.mark.parametrize(("scopes", "method", "path", "status"), [
    ({"r"}, "post", "/v1/things", 403),
    ({"r"}, "delete", "/v1/things/1", 403),
    ({"w"}, "get", "/v1/things", 403),
    ({"c"}, "post", "/v1/things", 200),  # create_scope replaces write for creating
    ({"c"}, "patch", "/v1/things/1", 403),
])
def test_each_route_needs_its_scope(scopes: set[str], method: str, path: str, status: int) -> None:
    client = _app(Things(), scopes, create_scope="c").test_client()
    assert getattr(client, method)(path, json={}).status_code == status


def test_the_body_reader_is_the_routes_own() -> None:
    client = _app(Things(), {"r", "w"}, body=lambda: {"read": json_body()["x"] * 2}).test_client()
    assert client.post("/v1/things", json={"x": 2}).get_json() == {"id": 1, "read": 4}
    assert client.post("/v1/things", data="[1]", content_type="application/json").status_code == 400


def test_query_args_match_any_case_and_an_exact_spelling_wins() -> None:
    with Flask(__name__).test_request_context("/?$PAGESIZE=5&$page=2&$pageSize=9"):
        assert query_args("$page", "$pageSize", "$orderBy") == ("2", "9", None)  # an exact spelling wins
    with Flask(__name__).test_request_context("/?$PAGESIZE=5&$Page=2"):
        assert query_args("$page", "$pageSize") == ("2", "5")
