"""The one email-definition quota: REST transactional definitions and SOAP TriggeredSendDefinitions
together, at most N per business unit in any rolling window of the emulator clock (500 per 7 days)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..clock import Clock
from ..store.db import Store
from ..store.quota import QuotaRepository
from .errors import QuotaExceeded

if TYPE_CHECKING:
    from ..config import Config


class DefinitionQuota:
    def __init__(self, store: Store, clock: Clock, config: Config, rows: QuotaRepository) -> None:
        self.store, self.clock, self.rows = store, clock, rows
        self.config = config  # read at each call: the limit may be changed at run time (tests, admin)

    def reserve(self, mid: int, kind: str, key: str) -> None:
        """Count one creation against the quota, or raise QuotaExceeded. Call inside the transaction that
        creates the definition, so a refused or failed create reserves nothing."""
        limit = self.config.definition_quota
        days = self.config.definition_quota_window_days
        now = self.clock.now().timestamp()
        with self.store.transaction():  # count and insert atomically (BEGIN IMMEDIATE serialises creators)
            if self.rows.count_since(mid, now - days * 86400) >= limit:
                raise QuotaExceeded(
                    f"Definition limit exceeded: at most {limit} email transactional send definitions plus "
                    f"email triggered send definitions can be created per business unit in {days} days.",
                    code=None,
                    limit=limit,
                    window_days=days,
                )
            self.rows.add(mid, kind, key, now)

    def used(self, mid: int) -> int:
        """Creations counted in `mid`'s current window."""
        days = self.config.definition_quota_window_days
        return self.rows.count_since(mid, self.clock.now().timestamp() - days * 86400)
