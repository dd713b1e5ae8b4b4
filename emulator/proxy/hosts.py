"""Which hosts the proxy serves, as what, and the instance URLs a token answer given through it carries.

Marketing Cloud has three logical hosts per tenant (`{sub}.auth|soap|rest.marketingcloudapis.com`) and the
legacy hosts SDKs still default to (API-FACTS 1). Every subdomain is this emulator's tenant. Anything else is
refused: the proxy never resolves or contacts a host it does not serve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AUTH, SOAP, REST = "auth", "soap", "rest"

# A DNS label (Marketing Cloud's subdomains are 28 characters starting with "mc", but any label is accepted).
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_TENANT = re.compile(rf"^({_LABEL})\.(auth|soap|rest)\.marketingcloudapis\.com$")
_LEGACY_SOAP = re.compile(r"^webservice(?:\.s\d{1,3})?\.exacttarget\.com$")
_LEGACY = {"auth.exacttargetapis.com": AUTH, "www.exacttargetapis.com": REST}
LEGACY_REST_URL = "https://www.exacttargetapis.com/"
LEGACY_SOAP_URL = "https://webservice.exacttarget.com/"

# What GET /_emulator/proxy lists.
HOST_PATTERNS = [
    "{subdomain}.auth.marketingcloudapis.com",
    "{subdomain}.soap.marketingcloudapis.com",
    "{subdomain}.rest.marketingcloudapis.com",
    "auth.exacttargetapis.com",
    "www.exacttargetapis.com",
    "webservice.exacttarget.com",
    "webservice.s{N}.exacttarget.com",
]

# WSGI environ key: the instance URLs answers given to this request advertise (auth/routes.py reads it).
ENV_INSTANCE_URLS = "sfmc.instance_urls"

_SLASHES = re.compile(r"/{2,}")
_SOAP_PATHS = frozenset({"/service.asmx", "/etframework.wsdl", "/etframeworkfault.xsd"})


@dataclass(frozen=True)
class Route:
    host: str  # lower case, no port
    kind: str  # AUTH, SOAP or REST
    subdomain: str | None  # None on the legacy hosts

    @property
    def instance_urls(self) -> dict[str, str]:
        """`soap` and `rest` base URLs (with the trailing slash SFMC's token answers have) for this tenant."""
        if self.subdomain is None:
            soap = f"https://{self.host}/" if self.kind == SOAP else LEGACY_SOAP_URL
            return {"soap": soap, "rest": LEGACY_REST_URL}
        return {"soap": f"https://{self.subdomain}.soap.marketingcloudapis.com/",
                "rest": f"https://{self.subdomain}.rest.marketingcloudapis.com/"}

    def serves(self, path: str) -> bool:
        """Whether this host answers `path` at all: the token host only tokens, the SOAP host only SOAP and
        the WSDL, the REST host the REST API. The emulator's own admin API and inspector are never proxied."""
        lower = _SLASHES.sub("/", path.lower())  # FuelSDK writes `https://host//v2/token`; SFMC takes it
        if lower == "/_emulator" or lower.startswith(("/_emulator/", "/static/")) or lower == "/":
            return False
        if self.kind == SOAP:
            return lower in _SOAP_PATHS
        if self.kind == AUTH:
            return lower.startswith("/v2/") or lower == "/v1/requesttoken"
        return lower not in _SOAP_PATHS


def route(host: str) -> Route | None:
    """The Route for `host` (any case, with or without a trailing dot), or None: not a Marketing Cloud host."""
    name = host.strip().lower().rstrip(".")
    match = _TENANT.match(name)
    if match:
        return Route(name, match.group(2), match.group(1))
    if name in _LEGACY:
        return Route(name, _LEGACY[name], None)
    if _LEGACY_SOAP.match(name):
        return Route(name, SOAP, None)
    return None


def split_host_port(authority: str, default_port: int) -> tuple[str, int]:
    """`host[:port]` (or `[v6]:port`) into its parts; ValueError if the port is not a number."""
    authority = authority.strip()
    if authority.startswith("["):
        host, _, rest = authority[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else default_port
    host, sep, port = authority.rpartition(":")
    if not sep:
        return authority, default_port
    return host, int(port)
