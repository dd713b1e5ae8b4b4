"""Which hosts the proxy serves, as what, and which it refuses (emulator/proxy/hosts.py)."""

from __future__ import annotations

import pytest

from emulator.proxy.hosts import AUTH, REST, SOAP, route, split_host_port

SUB = "mc563885gzs27c5t9-63k636ttgm"


@pytest.mark.parametrize(("host", "kind", "subdomain"), [
    (f"{SUB}.auth.marketingcloudapis.com", AUTH, SUB),
    (f"{SUB}.soap.marketingcloudapis.com", SOAP, SUB),
    (f"{SUB}.rest.marketingcloudapis.com", REST, SUB),
    (f"{SUB.upper()}.REST.marketingcloudapis.com.", REST, SUB),  # any case, a trailing dot
    ("auth.exacttargetapis.com", AUTH, None),
    ("www.exacttargetapis.com", REST, None),
    ("webservice.exacttarget.com", SOAP, None),
    ("webservice.s7.exacttarget.com", SOAP, None),
    ("webservice.s10.exacttarget.com", SOAP, None),
])
def test_marketing_cloud_hosts_are_routed(host, kind, subdomain):
    found = route(host)
    assert found is not None and (found.kind, found.subdomain) == (kind, subdomain)


@pytest.mark.parametrize("host", [
    "example.com", "marketingcloudapis.com", "auth.marketingcloudapis.com", f"{SUB}.ftp.marketingcloudapis.com",
    f"{SUB}.auth.marketingcloudapis.com.evil.example", f"evil-{SUB}.auth.marketingcloudapis.com.example",
    f"a.{SUB}.rest.marketingcloudapis.com", f"{SUB}.rest.marketingcloudapis.co", "webservice.sx.exacttarget.com",
    "exacttarget.com", "api.exacttargetapis.com", "127.0.0.1", "localhost", "-bad.rest.marketingcloudapis.com",
])
def test_other_hosts_are_not_served(host):
    assert route(host) is None


def test_instance_urls_follow_the_subdomain_or_the_legacy_hosts():
    assert route(f"{SUB}.auth.marketingcloudapis.com").instance_urls == {
        "soap": f"https://{SUB}.soap.marketingcloudapis.com/", "rest": f"https://{SUB}.rest.marketingcloudapis.com/"}
    assert route("auth.exacttargetapis.com").instance_urls == {
        "soap": "https://webservice.exacttarget.com/", "rest": "https://www.exacttargetapis.com/"}
    assert route("webservice.s7.exacttarget.com").instance_urls["soap"] == "https://webservice.s7.exacttarget.com/"


# host -> (the paths it serves, the paths it refuses)
PATHS = {
    f"{SUB}.auth.marketingcloudapis.com": (
        ["/v2/token", "//v2/token"],  # the second: FuelSDK's authenticationurl + '/v2/token'
        ["/messaging/v1/email/definitions"]),
    "auth.exacttargetapis.com": (["/v1/requestToken"], []),
    f"{SUB}.soap.marketingcloudapis.com": (
        ["/Service.asmx", "/service.asmx", "/etframework.wsdl", "/ETFrameworkFault.xsd"], ["/v2/token"]),
    f"{SUB}.rest.marketingcloudapis.com": (
        ["/messaging/v1/email/definitions", "//platform/v1/endpoints/soap"],
        # The emulator's own admin API and inspector are never reachable through Marketing Cloud's names.
        ["/Service.asmx", "/_emulator/journal", "//_emulator/ca.pem", "/"]),
}


@pytest.mark.parametrize(("host", "path", "served"), [
    (host, path, served) for host, answers in PATHS.items()
    for served, paths in zip((True, False), answers, strict=True) for path in paths])
def test_each_host_serves_only_its_own_paths(host, path, served):
    assert route(host).serves(path) is served


@pytest.mark.parametrize(("authority", "parts"), [
    ("x.rest.marketingcloudapis.com:443", ("x.rest.marketingcloudapis.com", 443)),
    ("x.rest.marketingcloudapis.com", ("x.rest.marketingcloudapis.com", 443)),
    ("[::1]:8443", ("::1", 8443)),
])
def test_split_host_port(authority, parts):
    assert split_host_port(authority, 443) == parts
    with pytest.raises(ValueError):
        split_host_port("host:https", 443)
