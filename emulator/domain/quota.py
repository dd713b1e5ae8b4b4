"""The one email-definition quota: REST transactional definitions and SOAP TriggeredSendDefinitions
together, at most N per business unit in any rolling window of the emulator clock (500 per 7 days)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import QuotaExceeded

if TYPE_CHECKING:
    from ..core import Emulator


class DefinitionQuota:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    def reserve(self, mid: int, kind: str, key: str) -> None:
        """Count one creation against the quota, or raise QuotaExceeded. Call inside the transaction that
        creates the definition, so a refused or failed create reserves nothing."""
        limit = self.emu.config.definition_quota
        days = self.emu.config.definition_quota_window_days
        now = self.emu.clock.now().timestamp()
        with self.emu.store.transaction() as conn:
            used = conn.execute(
                "SELECT COUNT(*) FROM definition_quota WHERE mid=? AND created > ?",
                (mid, now - days * 86400),
            ).fetchone()[0]
            if used >= limit:
                raise QuotaExceeded(
                    f"Definition limit exceeded: at most {limit} email transactional send definitions plus "
                    f"email triggered send definitions can be created per business unit in {days} days.",
                    code=None,
                    limit=limit,
                    window_days=days,
                )
            conn.execute(
                "INSERT INTO definition_quota(mid, kind, key, created) VALUES (?,?,?,?)", (mid, kind, key, now)
            )

    def used(self, mid: int) -> int:
        days = self.emu.config.definition_quota_window_days
        now = self.emu.clock.now().timestamp()
        with self.emu.store.reading() as conn:
            return conn.execute(
                "SELECT COUNT(*) FROM definition_quota WHERE mid=? AND created > ?", (mid, now - days * 86400)
            ).fetchone()[0]
