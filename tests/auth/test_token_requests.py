"""Every refusal of a /v2/token body (issue 10): SFMC's OAuth JSON error, never a 5xx, nothing issued."""

from __future__ import annotations

import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

OAUTH_ERROR_KEYS = {"error", "error_description", "error_uri"}


def _post(mc, body=None, **kwargs) -> requests.Response:
    if body is not None:
        kwargs["json"] = body
    return requests.post(f"{mc.base_url}/v2/token", timeout=10, **kwargs)


def _creds(mc, **extra):
    return {"grant_type": "client_credentials", "client_id": mc.client_id, "client_secret": mc.client_secret, **extra}


def _assert_refused(response: requests.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == OAUTH_ERROR_KEYS and body["error"] == error
    assert body["error_uri"] == "https://developer.salesforce.com/docs"


def test_no_grant_type_is_unsupported_grant_type(mc):
    body = _creds(mc)
    del body["grant_type"]
    _assert_refused(_post(mc, body), 400, "unsupported_grant_type")
    _assert_refused(_post(mc, {**body, "grant_type": ""}), 400, "unsupported_grant_type")
    _assert_refused(_post(mc, {**body, "grant_type": None}), 400, "unsupported_grant_type")
    _assert_refused(_post(mc, {}), 400, "unsupported_grant_type")
    _assert_refused(_post(mc, {**body, "grant_type": "password"}), 400, "unsupported_grant_type")


@pytest.mark.parametrize("account_id", [
    [100000001], {"mid": 100000001}, 2**31, 2**63, 10**100, -1, 0, 1.5, "abc", "1e3", " 100000001", True,
    "99999999999",
])
def test_account_id_of_the_wrong_shape_is_invalid_request(mc, account_id):
    response = _post(mc, _creds(mc, account_id=account_id))
    _assert_refused(response, 400, "invalid_request")
    assert "account_id" in response.json()["error_description"]


@pytest.mark.parametrize("account_id", [100000002, "100000002", 100000002.0])
def test_account_id_as_number_or_digit_string(mc, account_id):
    response = _post(mc, _creds(mc, account_id=account_id))
    assert response.status_code == 200
    assert response.json()["access_token"]


@pytest.mark.parametrize("scope", [["email_read"], 5, {"a": 1}, True])
def test_scope_of_the_wrong_shape_is_invalid_request(mc, scope):
    _assert_refused(_post(mc, _creds(mc, scope=scope)), 400, "invalid_request")


@pytest.mark.parametrize("field", ["client_id", "client_secret", "grant_type", "code", "refresh_token", "redirect_uri"])
def test_string_fields_of_the_wrong_shape_are_invalid_request(mc, field):
    _assert_refused(_post(mc, _creds(mc, **{field: ["x"]})), 400, "invalid_request")


@pytest.mark.parametrize("data", [
    b"[1, 2]", b'"text"', b"{", b'{"grant_type": NaN}', b'{"account_id": Infinity}', b"\xff\xfe{}",
    b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
])
def test_unreadable_or_non_object_json_is_invalid_request(mc, data):
    response = _post(mc, data=data, headers={"Content-Type": "application/json"})
    _assert_refused(response, 400, "invalid_request")


def test_form_bodies_are_checked_the_same_way(mc):
    form = {"grant_type": "client_credentials", "client_id": mc.client_id, "client_secret": mc.client_secret}
    assert _post(mc, data=form).status_code == 200
    _assert_refused(_post(mc, data={**form, "account_id": "abc"}), 400, "invalid_request")
    _assert_refused(_post(mc, data={k: v for k, v in form.items() if k != "grant_type"}), 400,
                    "unsupported_grant_type")


def test_refusals_issue_nothing(mc):
    before = mc.emu.tokens.count()
    _post(mc, _creds(mc, account_id="abc"))
    _post(mc, _creds(mc, client_secret="wrong"))
    _post(mc, {})
    assert mc.emu.tokens.count() == before


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_FIELDS = ["grant_type", "client_id", "client_secret", "account_id", "scope", "code", "redirect_uri",
           "refresh_token"]


@st.composite
def _token_bodies(draw):
    """Mostly-right bodies with some fields swapped for any JSON value, removed or added."""
    body = {"grant_type": draw(st.sampled_from(["client_credentials", "authorization_code", "refresh_token",
                                                 "other"])),
            "client_id": "emulator-client", "client_secret": "emulator-secret"}
    for field in draw(st.lists(st.sampled_from(_FIELDS), max_size=4, unique=True)):
        if draw(st.booleans()):
            body[field] = draw(_json)
        else:
            body.pop(field, None)
    if draw(st.booleans()):
        return draw(_json)  # not even an object, now and then
    return body


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_token_bodies())
def test_generated_token_bodies_never_5xx_and_refusals_are_oauth_shaped(mc, body):
    before = mc.emu.tokens.count()
    response = requests.post(f"{mc.base_url}/v2/token", data=json.dumps(body), timeout=10,
                             headers={"Content-Type": "application/json"})
    assert response.status_code < 500, response.text
    payload = response.json()
    if response.status_code == 200:
        assert payload["token_type"] == "Bearer" and payload["access_token"]
    else:
        assert response.status_code in (400, 401)
        assert set(payload) == OAUTH_ERROR_KEYS and isinstance(payload["error_description"], str)
        assert mc.emu.tokens.count() <= before  # a refusal issues nothing (a purge may only remove)
