"""The emulator's one clock. Token expiry, quota windows, queued-message expiry and scheduled sends all read
it, so tests and the admin API can freeze, set or advance time.

The clock stays within EARLIEST..LATEST (years 2000 to 2199, UTC): a set, freeze or advance landing
outside raises ClockRangeError and changes nothing, so every date the emulator writes stays readable
(SFMC's Central-time rendering of year 9999 would overflow; year 1 breaks later reads).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

# SFMC reports dates in US Central Standard Time without DST and without a zone suffix.
SFMC_TZ = timezone(timedelta(hours=-6))


EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2199, 12, 31, 23, 59, 59, tzinfo=UTC)
# No single advance may be longer than the whole range (a bigger one cannot land inside it).
MAX_ADVANCE_SECONDS = (LATEST - EARLIEST).total_seconds()


class ClockRangeError(ValueError):
    """A clock move (or a date) outside EARLIEST..LATEST, or not a finite number of seconds."""


def check_in_range(value: datetime) -> datetime:
    """`value` (aware) if it lies in EARLIEST..LATEST, else ClockRangeError."""
    if not EARLIEST <= value <= LATEST:
        raise ClockRangeError(f"{iso_utc(value) if value.tzinfo else value} is outside the emulator clock's range "
                              f"{iso_utc(EARLIEST)} .. {iso_utc(LATEST)}.")
    return value


def advanced(start: datetime, seconds: float) -> datetime:
    """`start` moved by `seconds`, checked: a non-finite or out-of-range result is a ClockRangeError."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds) \
            or abs(seconds) > MAX_ADVANCE_SECONDS:
        raise ClockRangeError(f"advance must be a finite number of seconds of at most {MAX_ADVANCE_SECONDS:.0f} "
                              "either way.")
    return check_in_range(start + timedelta(seconds=seconds))


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
            self._frozen_at = check_in_range(base.astimezone(UTC))
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
            at = check_in_range(at.astimezone(UTC))
            if self._frozen_at is not None:
                self._frozen_at = at
            else:
                self._offset = at - datetime.now(UTC)
        self._changed()

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            current = self._frozen_at if self._frozen_at is not None else datetime.now(UTC) + self._offset
            moved = advanced(current, seconds)
            if self._frozen_at is not None:
                self._frozen_at = moved
            else:
                self._offset += moved - current
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
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # 9999-12-31T23:00 Central is in year 10000 UTC
        raise ClockRangeError(f"{text} is out of range.") from exc


def parse_datetime_in_range(text: str) -> datetime:
    """parse_datetime, refusing (ClockRangeError, a ValueError) a date the emulator clock could not reach."""
    return check_in_range(parse_datetime(text))


def iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iso_from_timestamp(value: float | None) -> str | None:
    """A stored epoch timestamp as ISO-8601 UTC (admin JSON, the inspector), None stays None."""
    return iso_utc(datetime.fromtimestamp(value, UTC)) if value is not None else None
