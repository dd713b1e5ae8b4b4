"""Run-time settings and the default tenant."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .store.journal import DEFAULT_CAP as JOURNAL_CAP
from .store.journal import DEFAULT_CAP_BYTES as JOURNAL_CAP_BYTES

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8462
DEFAULT_DB = "state/sfmc-emulator.db"
SANDBOX_RETAIN_DAYS = 30  # serve --retain-days default


def fixtures_dir() -> Path:
    """The shipped fixtures (WSDL, default tenant...): `emulator.fixtures` in an installed wheel, ../fixtures
    in a checkout."""
    checkout = Path(__file__).resolve().parents[1] / "fixtures"
    if (checkout / "etframework.wsdl").exists():
        return checkout
    return Path(str(resources.files("emulator.fixtures")))


@dataclass
class Config:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    db_path: str | None = None  # None: a throwaway store in a temporary directory
    tenant_file: str | None = None  # None: fixtures/default-tenant.yaml
    id_seed: int | None = None  # deterministic GUIDs, tokens and request ids when set
    max_body_bytes: int = 10 * 1024 * 1024  # larger SOAP/REST bodies are refused with 413
    definition_quota: int = 500  # email definitions (REST transactional + SOAP TSD) per BU ...
    definition_quota_window_days: int = 7  # ... per rolling window of the emulator clock
    oauth_token_lifetime: int = 1200  # seconds a v2 token really lives (20 min)
    oauth_expires_in: int = 1079  # what /v2/token advertises (live SFMC value)
    legacy_token_lifetime: int = 3600
    overall_status_partial: str = "Has Errors"  # API-FACTS 10.1; see README
    admin_token: str | None = None  # required for /_emulator and the UI when not bound to loopback
    public_base_url: str | None = None  # override the URL the emulator advertises
    proxy_port: int | None = 0  # the SFMC-host proxy (emulator/proxy): 0 any free port, None none
    ca_dir: str | None = None  # where the proxy's CA lives; None: the state directory
    journal_cap: int = JOURNAL_CAP  # request-journal rows kept, oldest dropped first (store/journal.py)
    journal_cap_bytes: int = JOURNAL_CAP_BYTES  # ... and bytes of bodies and paths (store/journal.py)
    journal_body_limit: int = 64 * 1024  # characters of each request/response body the journal keeps
    ens_allowed_hosts: tuple[str, ...] = ()  # ENS callback hosts beyond loopback (serve --ens-allow-host)
    # Extra Host names the admin API and inspector answer on (web.py's DNS-rebinding check).
    allowed_hosts: tuple[str, ...] = ()
    # Days finished jobs, their outbox messages and send events are kept (domain/retention.py); None keeps
    # everything (the test fixture). `serve` defaults to SANDBOX_RETAIN_DAYS.
    retain_days: float | None = None
    # SOAP Create/Update/Delete/Perform/Schedule: SFMC refuses 32,767 objects or more (error 218).
    soap_max_objects: int = 32_766
    extra: dict[str, Any] = field(default_factory=dict)

    def tenant(self) -> dict[str, Any]:
        path = Path(self.tenant_file) if self.tenant_file else fixtures_dir() / "default-tenant.yaml"
        return load_yaml(path.read_text())


# libyaml's parser where PyYAML was built with it: a tenth of the pure-Python parser's time, and a fixture's
# first use parses two files (the default tenant and the default folders).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """yaml.safe_load, through the C parser when there is one."""
    return yaml.load(text, Loader=_SAFE_LOADER)
