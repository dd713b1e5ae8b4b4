"""A journal entry as the inspector shows it (ui/exchange.py): secrets masked, bodies pretty, curl."""

from __future__ import annotations

import json
import shlex

from emulator.ui import exchange

SOAP = ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><wsse:Security xmlns:wsse="x">'
        "<wsse:UsernameToken><wsse:Username>api</wsse:Username><wsse:Password Type=\"t\">hunter2</wsse:Password>"
        "</wsse:UsernameToken></wsse:Security><fueloauth>tok-123</fueloauth></s:Header><s:Body><a/></s:Body>"
        "</s:Envelope>")


def test_headers_keep_the_scheme_and_mask_the_secret():
    masked = exchange.mask_headers({"Authorization": "Bearer abc.def", "Content-Type": "application/json",
                                    "Cookie": "sfmc_emulator_admin=s3cret"})
    assert masked == {"Authorization": f"Bearer {exchange.MASK}", "Content-Type": "application/json",
                      "Cookie": exchange.MASK}


def test_bodies_mask_client_secret_passwords_and_tokens():
    body = json.dumps({"grant_type": "client_credentials", "client_id": "cid", "client_secret": "shh",
                       "nested": {"access_token": "tok", "password": "pw"}})
    masked = json.loads(exchange.mask_body(body))
    assert masked["client_secret"] == masked["nested"]["access_token"] == masked["nested"]["password"] == \
        exchange.MASK
    assert masked["client_id"] == "cid"
    soap = exchange.mask_body(SOAP)
    assert "hunter2" not in soap and "tok-123" not in soap and "<wsse:Username>api</wsse:Username>" in soap
    assert f'<wsse:Password Type="t">{exchange.MASK}</wsse:Password>' in soap
    assert exchange.mask_body("username=a&password=b") == f"username=a&password={exchange.MASK}"


def test_pretty_printing_xml_json_and_anything_else():
    assert exchange.pretty('{"a":1,"b":[2]}') == '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}'
    assert exchange.pretty("<a><b>x</b></a>") == "<a>\n  <b>x</b>\n</a>"
    assert exchange.pretty("<a><b>truncated") == "<a><b>truncated"  # does not parse: unchanged
    assert exchange.pretty("plain") == "plain" and exchange.pretty(None) == ""


def test_curl_replays_the_request_with_secrets_masked():
    row = {"method": "POST", "path": "/v2/token?x=1", "request": '{"client_secret": "shh"}',
           "headers": json.dumps({"Content-Type": "application/json", "Authorization": "Bearer t"})}
    command = exchange.curl(row, "http://127.0.0.1:9/")
    words = shlex.split(command)
    assert words[:4] == ["curl", "-X", "POST", "http://127.0.0.1:9/v2/token?x=1"]
    assert words[4:8] == ["-H", "Content-Type: application/json", "-H", f"Authorization: Bearer {exchange.MASK}"]
    assert words[8:] == ["--data-binary", f'{{"client_secret": "{exchange.MASK}"}}']
    assert exchange.curl({"method": "GET", "path": "/x"}, "http://h") == "curl -X GET http://h/x"


def test_protocol_of_a_path():
    assert [exchange.protocol(p) for p in ("/Service.asmx", "/v2/token", "/v1/requestToken", "/asset/v1/x")] \
        == ["soap", "auth", "auth", "rest"]
