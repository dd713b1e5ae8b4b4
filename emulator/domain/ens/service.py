"""The Event Notification Service: callbacks (registered, verified), subscriptions (which events go to
which callback), and publishing events into the delivery queue (worker.py delivers them).

Answers follow the ENS reference pages: create/update take and return arrays; a callback is verified by the
two-step handshake (on creation the emulator POSTs `{"callbackId", "verificationKey"}` to its URL; the
client sends that body to `POST /platform/v1/ens-verify`); subscriptions need a verified callback; a paused
subscription drops what happens meanwhile [doc:ens-get-started].
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...clock import Clock
from ...ids import IdSource
from ...store.audience import AudienceRepository
from ...store.engagement import EngagementRepository
from ...store.ens import EnsRepository
from .. import codes
from ..delivery import Batch
from ..errors import Conflict, Invalid, NotFound
from . import payloads
from .worker import TIMEOUT, DeliveryWorker, host_allowed, post_json

MIN_BATCH, MAX_BATCH = 100, 1000  # maxBatchSize bounds [swag RequestCreateCallback]
MAX_SUBSCRIPTIONS = 200  # per callback [swag createSubscription]
VERIFY_TIMEOUT = 5.0


@dataclass(frozen=True)
class EnsDeps:
    repo: EnsRepository
    engagement: EngagementRepository
    audience: AudienceRepository
    clock: Clock
    ids: IdSource
    enterprise_mid: Callable[[], int]
    allowed_hosts: Callable[[], tuple[str, ...]]


def _bad(message: str) -> Invalid:
    return Invalid(message, code=codes.REST.VALIDATION)


class EventNotifications:
    def __init__(self, deps: EnsDeps, post: Callable[..., tuple[int | None, str | None]] = post_json) -> None:
        self.x = deps
        self.post = post
        self.worker = DeliveryWorker(deps.repo, deps.clock, deps.allowed_hosts, post)

    # -- callbacks ---------------------------------------------------------------------------------------
    def create_callback(self, mid: int, item: dict[str, Any]) -> dict[str, Any]:
        url = item["url"]
        if not host_allowed(url, self.x.allowed_hosts()):
            raise _bad(f"Callback url '{url}' is not allowed: the emulator only calls loopback hosts and those "
                       "`serve --ens-allow-host` names.")
        if self.x.repo.callback_by_url(mid, url):
            raise Conflict(f"A callback with url '{url}' is already registered.", code=codes.REST.ALREADY_EXISTS)
        size = item.get("maxBatchSize", MAX_BATCH)
        row = {"callback_id": self.x.ids.guid(), "mid": mid, "name": item["callbackName"], "url": url,
               "max_batch_size": size, "signature_key": _key(), "verification_key": _key(),
               "status": "unverified", "status_reason": "none", "created": self.x.clock.now().timestamp()}
        self.x.repo.add_callback(row)
        # The liveness probe: the verification details go to the URL at once [doc:createCallback].
        body = json.dumps({"callbackId": row["callback_id"], "verificationKey": row["verification_key"]}).encode()
        status, error = self.post(url, body, {}, VERIFY_TIMEOUT)
        if status != 200:
            why = error or f"Status: {status}"
            self.x.repo.update_callback(row["callback_id"], status_reason=f"verification post failed: {why}")
            raise _bad(f"MCMS_UWH_Runtime_GeneralFailure_probeCallbackLiveness: CallbackId is {row['callback_id']}."
                       f" Could not verify callback url `'{url}'`. Please test that the url is reachable with a "
                       f"https POST call and returns a 200 http status code. To retry please delete the callback "
                       f"and create it again. {why}")
        return {"callbackName": row["name"], "callbackId": row["callback_id"], "url": url,
                "signatureKey": row["signature_key"], "maxBatchSize": size}

    def callback(self, mid: int, callback_id: str) -> dict[str, Any]:
        found = self.x.repo.callback(mid, callback_id)
        if found is None:
            raise NotFound(f"Callback {callback_id} doesn't exist.", code=codes.REST.NOT_FOUND)
        return found

    def callback_json(self, mid: int, callback_id: str) -> dict[str, Any]:
        return _callback_json(self.callback(mid, callback_id))

    def callbacks(self, mid: int) -> list[dict[str, Any]]:
        return [_callback_json(c) for c in self.x.repo.callbacks(mid)]

    def update_callback(self, mid: int, item: dict[str, Any]) -> dict[str, Any]:
        found = self.callback(mid, item["callbackId"])
        changes = {"name": item["callbackName"]}
        if "maxBatchSize" in item:
            changes["max_batch_size"] = item["maxBatchSize"]
        self.x.repo.update_callback(found["callback_id"], **changes)
        found.update(changes)
        return {"callbackId": found["callback_id"], "callbackName": found["name"], "url": found["url"],
                "maxBatchSize": found["max_batch_size"]}

    def delete_callback(self, mid: int, callback_id: str) -> None:
        found = self.callback(mid, callback_id)
        if self.x.repo.subscriptions(mid, callback_id):
            raise Conflict("Subscriptions exist for the callback. Delete all subscriptions for the callback "
                           "before deleting the callback.", code=codes.REST.ALREADY_EXISTS)
        self.x.repo.delete_callback(found["callback_id"])

    def verify(self, mid: int, callback_id: str, verification_key: str) -> dict[str, Any]:
        found = self.x.repo.callback(mid, callback_id)
        if found is None or not secrets.compare_digest(str(found["verification_key"] or ""), verification_key):
            raise NotFound("Incorrect callback ID, verification key, or both.", code=codes.REST.NOT_FOUND)
        # single use: the key is spent once verified
        self.x.repo.update_callback(callback_id, status="verified", status_reason="none", verification_key="")
        return {"callbackId": callback_id, "callbackName": found["name"], "url": found["url"],
                "maxBatchSize": found["max_batch_size"], "status": "verified", "statusReason": "none"}

    def regenerate(self, mid: int, callback_id: str) -> dict[str, Any]:
        found = self.callback(mid, callback_id)
        key = _key()
        self.x.repo.update_callback(callback_id, signature_key=key)
        return {"callbackName": found["name"], "callbackId": callback_id, "url": found["url"], "signatureKey": key}

    # -- subscriptions -----------------------------------------------------------------------------------
    def create_subscription(self, mid: int, item: dict[str, Any]) -> dict[str, Any]:
        callback = self.callback(mid, item["callbackId"])
        if callback["status"] != "verified":
            raise _bad(f"Callback {callback['callback_id']} is not verified: verify it before subscribing.")
        if len(self.x.repo.subscriptions(mid, callback["callback_id"])) >= MAX_SUBSCRIPTIONS:
            raise _bad(f"A callback has at most {MAX_SUBSCRIPTIONS} subscriptions.")
        if self.x.repo.subscription_by_name(mid, item["subscriptionName"]):
            raise Conflict(f"A subscription named '{item['subscriptionName']}' already exists.",
                           code=codes.REST.ALREADY_EXISTS)
        types = _event_types(item["eventCategoryTypes"])
        filters = _filters(item.get("filters") or [])
        row = {"subscription_id": self.x.ids.guid(), "mid": mid, "callback_id": callback["callback_id"],
               "name": item["subscriptionName"], "event_types": types, "filters": filters, "status": "active",
               "status_reason": "none", "created": self.x.clock.now().timestamp()}
        self.x.repo.add_subscription(row)
        out = _subscription_json(row, callback)
        return {k: out[k] for k in ("callbackId", "callbackName", "subscriptionName", "eventCategoryTypes",
                                    "subscriptionId", "filters", "status")}

    def subscription(self, mid: int, subscription_id: str) -> dict[str, Any]:
        found = self.x.repo.subscription(mid, subscription_id)
        if found is None:
            raise NotFound(f"Subscription {subscription_id} doesn't exist.", code=codes.REST.NOT_FOUND)
        return _subscription_json(found, self.x.repo.callback(mid, found["callback_id"]) or {})

    def subscriptions_for(self, mid: int, callback_id: str) -> list[dict[str, Any]]:
        callback = self.callback(mid, callback_id)
        return [_subscription_json(s, callback) for s in self.x.repo.subscriptions(mid, callback_id)]

    def update_subscription(self, mid: int, item: dict[str, Any]) -> dict[str, Any]:
        """Names, event types and filters; `status` active/paused pauses or resumes [swag updateSubscription]."""
        found = self.x.repo.subscription(mid, item["subscriptionId"])
        if found is None:
            raise NotFound(f"Subscription {item['subscriptionId']} doesn't exist.", code=codes.REST.NOT_FOUND)
        changes: dict[str, Any] = {"event_types": _event_types(item["eventCategoryTypes"])}
        if "filters" in item:
            changes["filters"] = _filters(item["filters"])
        if item.get("subscriptionName") and item["subscriptionName"] != found["name"]:
            other = self.x.repo.subscription_by_name(mid, item["subscriptionName"])
            if other:
                raise Conflict(f"A subscription named '{item['subscriptionName']}' already exists.",
                               code=codes.REST.ALREADY_EXISTS)
            changes["name"] = item["subscriptionName"]
        if "status" in item:
            changes["status"] = item["status"]
            changes["status_reason"] = item.get("statusReason") or "none"
        self.x.repo.update_subscription(found["subscription_id"], **changes)
        found.update(changes)
        if found["status"] == "active":
            self.worker.wake()  # what waited behind a pause goes out
        return _subscription_json(found, self.x.repo.callback(mid, found["callback_id"]) or {})

    def delete_subscription(self, mid: int, subscription_id: str) -> None:
        found = self.x.repo.subscription(mid, subscription_id)
        if found is None:
            raise NotFound(f"Subscription {subscription_id} doesn't exist.", code=codes.REST.NOT_FOUND)
        self.x.repo.delete_subscription(subscription_id)

    # -- publishing ----------------------------------------------------------------------------------------
    def publish(self, mid: int, events: list[dict[str, Any]]) -> int:
        """Queue ENS payloads (SFMC's shape: payloads.py) for every active subscription of business unit
        `mid` that wants them; returns how many deliveries were queued. Other channels (SMS) call this."""
        subscriptions = self.x.repo.subscriptions(mid, status="active")
        if not subscriptions or not events:
            return 0
        rows = [(s["subscription_id"], s["callback_id"], event) for event in events for s in subscriptions
                if payloads.matches(event, s["event_types"], s["filters"])]
        if rows:
            self.x.repo.enqueue(rows, self.x.clock.now().timestamp())
            self.worker.wake()
        return len(rows)

    def on_delivery(self, batch: Batch) -> None:
        """Delivery listener: what a batch of messages and events means to ENS, published per business unit."""
        mids = {m.mid for m in batch.messages} | {e.mid for e in batch.events} | {n.mid for n in batch.notices}
        if not any(self.x.repo.subscriptions(mid, status="active") for mid in mids):
            return  # the common case: nobody listens, nothing is built
        by_mid: dict[int, list[dict[str, Any]]] = {}
        for mid, event in payloads.from_batch(batch, self.x.enterprise_mid(), self._subscriber_id,
                                              self.x.engagement.message):
            by_mid.setdefault(mid, []).append(event)
        for mid, events in by_mid.items():
            self.publish(mid, events)

    def _subscriber_id(self, mid: int, key: str | None) -> int | None:
        found = self.x.audience.get_subscriber(mid, key) if key else None
        return found.id if found else None

    def deliveries(self, mid: int | None = None, callback_id: str | None = None, limit: int = 100
                   ) -> list[dict[str, Any]]:
        return self.x.repo.deliveries(mid, callback_id, limit)

    def recover(self) -> None:
        """Events a previous process left queued go out (the worker starts when any are pending)."""
        self.worker.wake()


def _key() -> str:
    import base64

    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _event_types(types: list[str]) -> list[str]:
    unknown = [t for t in types if t not in payloads.SUPPORTED]
    if unknown or not types:
        raise _bad(f"Unsupported eventCategoryTypes: {', '.join(map(str, unknown)) or 'none given'}. Supported: "
                   f"{', '.join(payloads.SUPPORTED)}.")
    return list(dict.fromkeys(types))


def _filters(filters: list[str]) -> list[str]:
    bad = [f for f in filters if "=" not in f or not f.partition("=")[0].strip()]
    if bad:
        raise _bad(f"Filters are name=value pairs: {', '.join(bad)}.")
    return filters


def _callback_json(c: dict[str, Any]) -> dict[str, Any]:
    return {"callbackId": c["callback_id"], "callbackName": c["name"], "url": c["url"],
            "maxBatchSize": c["max_batch_size"], "status": c["status"], "statusReason": c["status_reason"]}


def _subscription_json(s: dict[str, Any], callback: dict[str, Any]) -> dict[str, Any]:
    return {"callbackId": s["callback_id"], "callbackName": callback.get("name"), "url": callback.get("url"),
            "maxBatchSize": callback.get("max_batch_size"), "subscriptionId": s["subscription_id"],
            "subscriptionName": s["name"], "eventCategoryTypes": s["event_types"], "filters": s["filters"],
            "status": s["status"], "statusReason": s["status_reason"]}


__all__ = ["EventNotifications", "EnsDeps", "TIMEOUT"]
