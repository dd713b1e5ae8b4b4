"""Bounded growth: what a long-running sandbox forgets. With `Config.retain_days` set (`serve --retain-days`,
default 30 for the sandbox; the test fixture keeps everything), jobs finished more than that many days ago
(emulator clock), their outbox messages and their send events are purged, and the freed file space given
back. Running or scheduled jobs keep everything they wrote.

The purge runs at start, after every clock move (so advancing the clock 31 days purges at once), and hourly
on a background tick.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from ..store import retention as store_retention
from .jobs import FINISHED

if TYPE_CHECKING:
    from ..core import Emulator

log = logging.getLogger(__name__)

TICK_SECONDS = 3600.0
DAY = 86_400.0


class Retention:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.days = emu.config.retain_days
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._running = threading.Lock()
        if self.days is None:
            return
        if self.days <= 0:
            raise ValueError("retain_days must be positive")
        emu.clock.subscribe(self.purge)
        self.purge()
        self._thread = threading.Thread(target=self._tick, name="sfmc-retention", daemon=True)
        self._thread.start()

    def purge(self) -> dict[str, int]:
        """Drop what is older than the retention window; returns the counts (empty when retention is off or
        a purge is already running)."""
        if self.days is None or not self._running.acquire(blocking=False):
            return {}
        try:
            cutoff = self.emu.clock.now().timestamp() - self.days * DAY
            counts = store_retention.purge_before(self.emu.store, cutoff, FINISHED)
            if any(counts.values()):
                store_retention.reclaim(self.emu.store)
                log.info("retention (%s days): purged %s", self.days, counts)
            return counts
        finally:
            self._running.release()

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            try:
                self.purge()
            except Exception:  # a failed purge must not end the tick; the next one tries again
                log.exception("retention purge failed")

    def stop(self) -> None:
        self._stop.set()
