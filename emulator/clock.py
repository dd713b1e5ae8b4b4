"""The emulator's one clock. Token expiry, quota windows, queued-message expiry and scheduled sends all read
it, so tests and the admin API can freeze, set or advance time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

# SFMC reports dates in US Central Standard Time without DST and without a zone suffix.
SFMC_TZ = timezone(timedelta(hours=-6))


class Clock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frozen_at: datetime | None = None
        self._offset = timedelta()
        self._listeners: list[Callable[[], object]] = []

    def subscribe(self, listener: Callable[[], object]) -> None:
        """Call `listener()` after every freeze, set, advance or reset (scheduled jobs fall due this way)."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    def now(self) -> datetime:
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return datetime.now(UTC) + self._offset

    def freeze(self, at: datetime | None = None) -> datetime:
        with self._lock:
            base = at or (self._frozen_at or datetime.now(UTC) + self._offset)
            self._frozen_at = base.astimezone(UTC)
            frozen = self._frozen_at
        self._changed()
        return frozen

    def unfreeze(self) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - datetime.now(UTC)
            self._frozen_at = None
        self._changed()

    def set(self, at: datetime) -> None:
        with self._lock:
            at = at.astimezone(UTC)
            if self._frozen_at is not None:
                self._frozen_at = at
            else:
                self._offset = at - datetime.now(UTC)
        self._changed()

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            delta = timedelta(seconds=seconds)
            if self._frozen_at is not None:
                self._frozen_at += delta
            else:
                self._offset += delta
        self._changed()
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._frozen_at = None
            self._offset = timedelta()
        self._changed()

    def floor(self) -> datetime:
        """The earlier of now() and the wall clock: what now() reads again after a reset(). State that must
        survive a reset (issued tokens) is judged against it, so moving the clock ahead purges nothing a
        reset brings back to life."""
        return min(self.now(), datetime.now(UTC))

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None


def sfmc_datetime(value: datetime) -> str:
    """SOAP/REST date as SFMC writes it: Central time, no zone, two fractional digits trimmed."""
    local = value.astimezone(SFMC_TZ)
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    hundredths = local.microsecond // 10000
    return f"{text}.{hundredths:02d}" if hundredths else text


def parse_datetime(text: str) -> datetime:
    """An xsd:dateTime; without a zone it is taken as SFMC Central time."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=SFMC_TZ)
    return value.astimezone(UTC)


def iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iso_from_timestamp(value: float | None) -> str | None:
    """A stored epoch timestamp as ISO-8601 UTC (admin JSON, the inspector), None stays None."""
    return iso_utc(datetime.fromtimestamp(value, UTC)) if value is not None else None
