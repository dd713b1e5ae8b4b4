"""Journey Builder over REST (/interaction/v1), by responsibility:

- ``events``: event definitions and the entry event (a data-extension row, then the journeys it triggers);
- ``definitions``: journeys and their versions, publish and stop;
- ``runner``: contacts moving through a running version (EMAILV2, WAIT, decision splits);
- ``criteria``: a decision split's FilterDefinition over the entry data.

Protocol-free: decoded JSON in, dicts shaped as SFMC answers them out, typed errors with named codes.
"""

from __future__ import annotations

from typing import Any

from ...clock import iso_from_timestamp
from ...store.journeys import JourneyVersion
from .common import JourneyDeps, trigger_event_keys
from .definitions import Interactions
from .events import EventDefinitions
from .runner import Runner


class JourneyService:
    def __init__(self, deps: JourneyDeps) -> None:
        self.deps = deps
        self.runner = Runner(deps)
        self.events = EventDefinitions(deps)
        self.interactions = Interactions(deps, self.runner)

    def using_event(self, mid: int, event_key: str) -> list[JourneyVersion]:
        """The journey versions whose trigger is this event definition."""
        return [v for v in self.deps.repo.all(mid) if event_key in trigger_event_keys(v.data)]

    def recover(self) -> list[int]:
        return self.runner.recover()

    def overview(self, mid: int | None = None) -> list[dict[str, Any]]:
        """The admin view: every journey version, its contacts and where each one is."""
        out = []
        for v in self.deps.repo.all(mid):
            contacts = self.deps.repo.contacts(v.mid, v.id, v.version)
            out.append({"mid": v.mid, "id": v.id, "key": v.key, "name": v.name, "version": v.version,
                        "status": v.status, "events": trigger_event_keys(v.data),
                        "activities": [{"key": a["key"], "type": a["type"]} for a in v.data.get("activities") or []],
                        "contacts": [{"contactKey": c.contact_key, "status": c.status, "activityKey": c.activity_key,
                                      "waitingUntil": iso_from_timestamp(c.wait_until),
                                      "entered": iso_from_timestamp(c.entered), "eventInstanceId": c.event_instance_id,
                                      "history": c.history} for c in contacts]})
        return out


__all__ = ["JourneyDeps", "JourneyService"]
