"""ENS delivery: batches of queued events POSTed to each subscription's callback, signed, at least once.

Per subscription, events leave in queue order, up to the callback's maxBatchSize at a time; a batch is
acknowledged by 200-204 within `TIMEOUT` seconds [doc:ens-retries-suspensions]. Otherwise it is retried
after each of `RETRY_DELAYS` (seconds on the emulator clock: move the clock to make a retry due), then
dropped; while a batch waits, the subscription's later events wait behind it (order is kept). The queue is
in SQLite, so a restart resumes where the process stopped.

The emulator never calls out: a callback URL must name a loopback host or one `serve --ens-allow-host`
allows (checked at creation and again before every POST), and redirects are not followed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from ...clock import Clock
from ...store.ens import DELIVERED, DROPPED, PENDING, EnsRepository

SIGNATURE_HEADER = "x-sfmc-ens-signature"
TIMEOUT = 2.0  # seconds a callback has to answer [doc:ens-retries-suspensions]
RETRY_DELAYS = (30.0, 120.0, 600.0)  # three retries [doc]; the spacing is the emulator's (SFMC gives none)
ACCEPTED = (200, 201, 202, 203, 204)


def sign(key: str, body: bytes) -> str:
    """`x-sfmc-ens-signature`: base64 of HMAC-SHA256 over the whole body, keyed by the callback's signature
    key as its UTF-8 text (the docs leave open whether the key is decoded first; see docs/engagement.md)."""
    return base64.b64encode(hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest()).decode("ascii")


def host_allowed(url: str, allowed: Iterable[str]) -> bool:
    """Loopback (localhost, *.localhost, 127.0.0.0/8, ::1) or a host named in `allowed`; http(s) only; never
    a path under /_emulator."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    if parts.path.lower().startswith("/_emulator"):  # never the emulator's own admin API (a reset by webhook)
        return False
    if host == "localhost" or host.endswith(".localhost") or host in {h.lower() for h in allowed}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # a 3xx is an answer, not a detour
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str | None]:
    """POST `body`; (HTTP status, None) or (None, what went wrong)."""
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(65536)
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, None
    except (OSError, ValueError) as error:  # refused, timed out, unreachable
        return None, f"{type(error).__name__}: {error}"


class DeliveryWorker:
    """Drains the ENS queue on a daemon thread; `pump()` does one pass (tests call it, the thread loops)."""

    def __init__(self, repo: EnsRepository, clock: Clock, allowed_hosts: Callable[[], tuple[str, ...]],
                 post: Callable[[str, bytes, dict[str, str], float], tuple[int | None, str | None]] = post_json
                 ) -> None:
        self.repo, self.clock, self.allowed_hosts, self.post = repo, clock, allowed_hosts, post
        self._wake = threading.Event()
        self._pump_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False
        clock.subscribe(self.wake)  # moving the clock can make a retry due

    def wake(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            if self._stopping or not self.repo.pending_count():
                return
            self._thread = threading.Thread(target=self._run, name="sfmc-ens", daemon=True)
            self._thread.start()
        self._wake.set()

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """No delivery in flight while the block runs (a reset wipes the queue under it)."""
        with self._pump_lock:
            yield

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=TIMEOUT + 1)

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(0.5)
            self._wake.clear()
            try:
                self.pump()
            except Exception:  # noqa: BLE001 - a store hiccup must not end delivery; the next pass retries
                continue

    def pump(self) -> int:
        """Deliver every batch that is due now; returns how many batches were attempted."""
        attempted = 0
        with self._pump_lock:
            for head in self.repo.pending_heads():
                if head["subscription_status"] != "active" or head["next_at"] > self.clock.now().timestamp():
                    continue
                self._attempt(head)
                attempted += 1
        return attempted

    def _attempt(self, head: dict[str, Any]) -> None:
        rows = self.repo.batch(head["subscription_id"], int(head["max_batch_size"] or 1000))
        if not rows:
            return
        body = json.dumps([r["event"] for r in rows], separators=(",", ":")).encode("utf-8")
        attempt = max(r["attempts"] for r in rows) + 1
        if host_allowed(head["url"], self.allowed_hosts()):
            status, error = self.post(head["url"], body, {SIGNATURE_HEADER: sign(head["signature_key"], body)},
                                      TIMEOUT)
        else:
            status, error = None, "callback host not allowed (serve --ens-allow-host)"
        now = self.clock.now().timestamp()
        ids = [r["id"] for r in rows]
        if status in ACCEPTED:
            outcome, next_at = DELIVERED, None
            self.repo.settle(ids, DELIVERED, attempt, now)
        elif attempt > len(RETRY_DELAYS):
            outcome, next_at = DROPPED, None
            self.repo.settle(ids, DROPPED, attempt, now)
        else:
            outcome, next_at = "retrying", now + RETRY_DELAYS[attempt - 1]
            self.repo.settle(ids, PENDING, attempt, next_at)
        self.repo.log({"mid": head["mid"], "callback_id": head["callback_id"],
                       "subscription_id": head["subscription_id"], "at": now, "attempt": attempt,
                       "events": len(rows), "first_event": ids[0], "last_event": ids[-1], "outcome": outcome,
                       "status": status, "error": error if status is None else None, "next_at": next_at})
