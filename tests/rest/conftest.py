"""REST helpers: an authenticated `requests` session against the running emulator, as SFMC users write it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests

from emulator.testing import RunningEmulator

ASSET_VIEWS = {
    "subjectline": {"content": "Order %%OrderNo%% for %%FirstName%%"},
    "html": {"content": '<p>Hi %%FirstName%%</p><a href="https://shop.example/o/%%OrderNo%%">order</a>'},
    "text": {"content": "Hi %%FirstName%%, order %%OrderNo%%"},
}


class Api:
    """`api.post(path, json=...)` etc. with a bearer token for one BU; `.raw` for unauthenticated calls."""

    def __init__(self, mc: RunningEmulator, account_id: int | None = None, scope: str | None = None) -> None:
        self.mc = mc
        self.base_url = mc.base_url
        self.account_id, self.scope = account_id, scope
        self.session = requests.Session()
        self.refresh()

    def refresh(self) -> None:
        """A new token (after the emulator clock moved past the old one's life)."""
        self.token = self.mc.token(self.account_id, self.scope)
        self.session.headers["Authorization"] = f"Bearer {self.token}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, f"{self.base_url}{path}", timeout=30, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    # -- set-up shortcuts ------------------------------------------------------
    def asset(self, key: str = "order-email", views: dict | None = None) -> dict[str, Any]:
        response = self.post("/asset/v1/content/assets", json={
            "name": f"Asset {key}", "customerKey": key, "assetType": {"id": 208, "name": "htmlemail"},
            "views": views or ASSET_VIEWS})
        assert response.status_code == 201, response.text
        return response.json()

    def definition(self, key: str = "order-conf", content: str = "order-email", **extra: Any) -> dict[str, Any]:
        body = {"definitionKey": key, "name": f"Definition {key}", "content": {"customerKey": content},
                "subscriptions": {"list": "All Subscribers"}, **extra}
        response = self.post("/messaging/v1/email/definitions", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def send(self, message_key: str, definition: str = "order-conf", **recipient: Any) -> requests.Response:
        recipient.setdefault("contactKey", f"contact-{message_key}")
        recipient.setdefault("to", f"{message_key}@example.com")
        return self.post(f"/messaging/v1/email/messages/{message_key}",
                         json={"definitionKey": definition, "recipient": recipient})


@pytest.fixture
def api(mc: RunningEmulator) -> Api:
    return Api(mc)


@pytest.fixture
def ready(api: Api) -> Api:
    """An API with the asset 'order-email' and the active definition 'order-conf' in place."""
    api.asset()
    api.definition()
    return api


def assert_error(response: requests.Response, status: int, errorcode: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"message", "errorcode", "documentation"}, body
    assert "errorCode" not in body
    assert body["errorcode"] == errorcode, body
    for word in words:
        assert word in body["message"], body
    return body


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together by one barrier; their results, in call order."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        start.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def bearer_session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session
