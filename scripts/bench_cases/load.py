"""Issue 13: server-side throughput with `wrk` at 16 connections: /_emulator/health, SOAP Create (one List),
SOAP Retrieve (a List by key), REST single send, REST batch of 100 recipients; and moto_server's SES
SendEmail in the same run. Each as requests/s and p99 latency, with the ratios to health and to moto.
The cases take turns (ROUNDS rounds, every case once a round): each figure is the mean over its rounds, and
each ratio comes with its spread over the rounds (`_min`, `_max`). Every response is checked (status and an
OK marker in the body): a figure counts only work that succeeded."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

PARTNER = "http://exacttarget.com/wsdl/partnerAPI"
ROUNDS, SECONDS_PER_ROUND = 3, 3.0  # each case measured in 3 rounds of 3 s (after a 1 s warm-up each)
SES_AUTH = ("AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/ses/aws4_request, "
            "SignedHeaders=host, Signature=0")  # moto does not check signatures; it routes on the scope


def _definition(bench) -> str:
    """A transactional email definition to send through; returns a bearer token for the REST calls."""
    return bench.email_definition("load", "Load").headers["Authorization"].removeprefix("Bearer ")


@contextmanager
def _moto_ses(bench) -> Iterator[tuple[str, dict]]:
    """moto_server running, with a verified sender: (url, wrk arguments) of its SES SendEmail."""
    port = _free_port()
    exe = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen([str(exe), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, proc)
        headers = {"Authorization": SES_AUTH, "Content-Type": "application/x-www-form-urlencoded"}
        verified = requests.post(base, data="Action=VerifyEmailIdentity&EmailAddress=from%40example.com",
                                 headers=headers, timeout=10)
        assert verified.status_code == 200, verified.text
        body = ("Action=SendEmail&Source=from%40example.com&Destination.ToAddresses.member.1=to-{KEY}%40example.com"
                "&Message.Subject.Data=Order+{KEY}&Message.Body.Text.Data=Hi+Ada&Message.Body.Html.Data=%3Cp%3EHi%3C%2Fp%3E")
        yield base + "/", {"method": "POST", "path": "/", "body": body, "headers": headers, "marker": "<MessageId>"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(base: str, proc: subprocess.Popen) -> None:
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(base + "/moto-api/", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("moto_server did not start")


def _cases(bench) -> dict[str, tuple[str, dict]]:
    """name -> (url, wrk arguments) of every emulator case, health first."""
    base = bench.base_url
    cases: dict[str, tuple[str, dict]] = {"health": (f"{base}/_emulator/health", {"marker": "ok"})}
    soap_headers = {"Content-Type": "text/xml", "SOAPAction": "Create"}
    create = bench.envelope(f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="List">'
                            "<CustomerKey>{KEY}</CustomerKey><ListName>L {KEY}</ListName></Objects></CreateRequest>")
    cases["soap_create"] = (bench.soap_url, {"method": "POST", "path": "/Service.asmx", "body": create,
                                             "headers": soap_headers, "marker": "<StatusCode>OK</StatusCode>"})
    for i in range(50):  # the Lists the Retrieve looks up by key
        bench.soap("Create", f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="List">'
                             f"<CustomerKey>find-{i}</CustomerKey><ListName>Find {i}</ListName></Objects></CreateRequest>")
    retrieve = bench.envelope(f'<RetrieveRequestMsg xmlns="{PARTNER}"><RetrieveRequest><ObjectType>List</ObjectType>'
                              "<Properties>ID</Properties><Properties>ListName</Properties>"
                              '<Filter xsi:type="SimpleFilterPart"><Property>CustomerKey</Property>'
                              "<SimpleOperator>equals</SimpleOperator><Value>find-7</Value></Filter>"
                              "</RetrieveRequest></RetrieveRequestMsg>")
    cases["soap_retrieve"] = (bench.soap_url, {"method": "POST", "path": "/Service.asmx", "body": retrieve,
                                               "headers": {**soap_headers, "SOAPAction": "Retrieve"},
                                               "marker": "<ListName>Find 7</ListName>"})
    token = _definition(bench)
    rest_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    single = json.dumps({"definitionKey": "load", "recipient": {
        "contactKey": "c-{KEY}", "to": "c-{KEY}@example.com", "attributes": {"FirstName": "Ada", "OrderNo": "{KEY}"}}})
    cases["rest_single_send"] = (f"{base}/messaging/v1/email/messages/x", {
        "method": "POST", "path": "/messaging/v1/email/messages/{KEY}", "body": single, "headers": rest_headers,
        "expect": 202})
    batch = json.dumps({"definitionKey": "load", "recipients": [
        {"contactKey": f"b{i}-{{KEY}}", "to": f"b{i}@example.com", "messageKey": f"{{KEY}}-{i}",
         "attributes": {"FirstName": "B", "OrderNo": str(i)}} for i in range(100)]})
    cases["rest_batch_100"] = (f"{base}/messaging/v1/email/messages", {
        "method": "POST", "path": "/messaging/v1/email/messages", "body": batch, "headers": rest_headers,
        "expect": 202})
    return cases


def run(bench) -> dict[str, float]:
    rounds = 1 if bench.quick else ROUNDS
    seconds = None if bench.quick else SECONDS_PER_ROUND  # quick: Bench.wrk's own short default
    measured: dict[str, list[dict[str, float]]] = {}
    with _moto_ses(bench) as moto:
        cases = {**_cases(bench), "moto_ses": moto}
        # Round-robin: every case once per round, so a drift of this shared machine's speed over the minute
        # the load takes weighs on every case alike instead of on whichever ran during it.
        for _ in range(rounds):
            for name, (url, arguments) in cases.items():
                measured.setdefault(name, []).append(bench.wrk(url, seconds=seconds, **arguments))

    out: dict[str, float] = {}
    for name, runs in measured.items():
        out[f"{name}_wrk_rps"] = statistics.fmean(run["rps"] for run in runs)
        out[f"{name}_wrk_p99_ms"] = statistics.median(run["p99_ms"] for run in runs)
        out[f"{name}_wrk_p50_ms"] = statistics.median(run["p50_ms"] for run in runs)
        out[f"{name}_wrk_bad"] = sum(run["bad"] for run in runs)
    health, moto_rps = out["health_wrk_rps"], out["moto_ses_wrk_rps"]
    for name in ("soap_create", "soap_retrieve", "rest_single_send", "rest_batch_100"):
        out[f"{name}_wrk_vs_health"] = out[f"{name}_wrk_rps"] / health
        out[f"{name}_wrk_vs_moto_ses"] = out[f"{name}_wrk_rps"] / moto_rps
        # the spread of the ratio over the rounds, each against its own round's health: the noise to read it by
        per_round = [case["rps"] / health_run["rps"]
                     for case, health_run in zip(measured[name], measured["health"], strict=True)]
        out[f"{name}_wrk_vs_health_min"], out[f"{name}_wrk_vs_health_max"] = min(per_round), max(per_round)
    out["rest_batch_100_wrk_recipients_per_s"] = out["rest_batch_100_wrk_rps"] * 100
    out["wrk_connections"] = 16
    out["wrk_rounds"] = rounds
    return out
