"""Moving contacts through a running journey: entry, email sends, waits and decision splits.

A contact enters at the version's first activity and moves on at once until it reaches a WAIT or the end.
A WAIT is a job on the job runner due at `now + duration` on the emulator clock, the mechanism scheduled
sends use (domain/jobs.py): advancing the clock releases it and the contact moves on. Where each contact is
lives in the store (journey_contact), and the wait jobs are queued again at start, so progress survives a
restart. EMAILV2 sends through the one delivery path (domain/delivery.py) with a Sent event under the
activity's send id. Activity types the emulator does not run pass the contact to their first outcome and
say so in its history.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ...clock import iso_utc
from ...store.journeys import JourneyContact, JourneyVersion
from ...store.rest_documents import Document
from ..delivery import DEFAULT_PROFILE, Batch, Event, Message, email_content
from ..jobs import FIRST_JOB_ID
from ..render import lookup_table
from ..sends import UNDELIVERABLE_STATUSES, magic_kind
from . import criteria
from .common import WAIT_JOB, JourneyDeps, defaults, trigger_event_keys

EMAIL_TYPES = ("EMAILV2", "EMAIL")
DECISION_TYPES = ("MULTICRITERIADECISION", "MULTICRITERIADECISIONV2")
MAX_STEPS = 200  # a flow that loops without a WAIT stops here
MAX_WAIT = 10 * 366 * 86400


def wait_seconds(config: dict[str, Any]) -> int:
    """A WAIT's duration in seconds (waitDuration x waitUnit); ValueError for what cannot be waited."""
    units = defaults()["waitUnits"]
    unit = config.get("waitUnit", "DAYS")
    duration = config.get("waitDuration", 1)
    if not isinstance(unit, str) or unit.upper() not in units:
        raise ValueError(f"waitUnit must be one of {', '.join(units)}")
    if isinstance(duration, bool) or not isinstance(duration, int | str):
        raise ValueError("waitDuration must be a positive integer")
    try:
        number = int(duration)
    except ValueError:
        raise ValueError("waitDuration must be a positive integer") from None
    if number < 1 or number * units[unit.upper()] > MAX_WAIT:
        raise ValueError("waitDuration must be a positive integer of at most ten years")
    return number * units[unit.upper()]


class Runner:
    def __init__(self, deps: JourneyDeps) -> None:
        self.x = deps

    # -- entry -------------------------------------------------------------------------------------------
    def enter_all(self, mid: int, event: Document, contact_key: str, data: dict[str, Any], instance_id: str) -> int:
        """Enter the contact into every Published version the event triggers; how many it entered."""
        entered = 0
        newest: dict[str, JourneyVersion] = {}
        for v in self.x.repo.running(mid):  # entries go to a journey's newest Published version
            if v.id not in newest or v.version > newest[v.id].version:
                newest[v.id] = v
        for v in newest.values():
            if event.key not in trigger_event_keys(v.data) or not self._may_enter(v, contact_key):
                continue
            activities = v.data.get("activities") or []
            contact = self.x.repo.add_contact(mid, v.id, v.version, contact_key, instance_id, data,
                                              activities[0]["key"] if activities else None, self.x.now())
            self._note(contact, "TRIGGER", "Entry", f"entered by event {event.key}")
            self.advance(v, contact)
            entered += 1
        return entered

    def _may_enter(self, v: JourneyVersion, contact_key: str) -> bool:
        mode = v.data.get("entryMode") or "MultipleEntries"
        if mode == "SingleEntryAcrossAllVersions":
            return not self.x.repo.has_entered(v.mid, v.id, contact_key)
        if mode == "NoReentry":  # again only once it has left the journey
            return not self.x.repo.has_entered(v.mid, v.id, contact_key, only_active=True)
        return True

    # -- moving on ---------------------------------------------------------------------------------------
    def advance(self, v: JourneyVersion, contact: JourneyContact) -> None:
        """Run the contact from its current activity until it waits or leaves the journey."""
        activities = {a["key"]: a for a in v.data.get("activities") or []}
        with self.x.emu.store.transaction():
            for _ in range(MAX_STEPS):
                activity = activities.get(contact.activity_key or "")
                if activity is None:
                    contact.status, contact.activity_key, contact.wait_until = "Finished", None, None
                    break
                kind = activity["type"]
                if kind == "WAIT":
                    self._wait(v, contact, activity)
                    return
                if kind in EMAIL_TYPES:
                    self._send(v, contact, activity)
                    contact.activity_key = _next(activity)
                elif kind in DECISION_TYPES:
                    contact.activity_key = self._decide(contact, activity)
                else:
                    self._note(contact, activity["key"], kind, "not run by the emulator: passed to its first outcome")
                    contact.activity_key = _next(activity)
            else:
                contact.status = "Exited"
                self._note(contact, contact.activity_key or "", "Exit", f"more than {MAX_STEPS} steps without a wait")
            self.x.repo.save_contact(contact, self.x.now())

    def _note(self, contact: JourneyContact, key: str, kind: str, what: str) -> None:
        contact.history.append({"activityKey": key, "type": kind, "at": iso_utc(self.x.emu.clock.now()), "what": what})

    def _decide(self, contact: JourneyContact, activity: dict[str, Any]) -> str | None:
        rules = activity["configurationArguments"].get("criteria") or {}
        chosen = None
        for outcome in activity["outcomes"]:
            rule = rules.get(outcome.get("key"))
            if rule is None or criteria.matches(rule, contact.data):
                chosen = outcome
                break
        label = chosen.get("key") if chosen else "no outcome"
        self._note(contact, activity["key"], activity["type"], f"took {label}")
        return chosen.get("next") if chosen else None

    # -- WAIT --------------------------------------------------------------------------------------------
    def _wait(self, v: JourneyVersion, contact: JourneyContact, activity: dict[str, Any]) -> None:
        emu = self.x.emu
        until = self.x.now() + wait_seconds(activity["configurationArguments"])
        contact.status, contact.wait_until = "Waiting", until
        self._note(contact, activity["key"], "WAIT", f"waiting until {iso_utc(_utc(until))}")
        self.x.repo.save_contact(contact, self.x.now())
        emu.jobs.submit(v.mid, WAIT_JOB, self._released(contact.pk),
                        {"contact": contact.pk, "journey": v.id, "version": v.version, "until": until},
                        run_at=until)

    def _released(self, pk: int):
        return lambda job_id: self.release(pk, job_id)

    def release(self, pk: int, job_id: int) -> None:
        """A wait job fell due: the contact moves on, unless it left meanwhile (a stopped journey). One
        transaction: a stop cannot slip between the check and the move, and a crash leaves it waiting."""
        emu = self.x.emu
        with emu.store.transaction():
            contact = self.x.repo.contact(pk)
            v = None
            if contact is not None:
                v = next((x for x in self.x.repo.versions(contact.mid, contact.journey_id)
                          if x.version == contact.version), None)
            if contact is None or v is None or contact.status != "Waiting" or \
                    v.status != "Published":
                emu.jobs.update(job_id, status="Complete", skipped=True)
                return
            activity = next((a for a in v.data.get("activities") or [] if a["key"] == contact.activity_key), None)
            contact.status, contact.wait_until = "Active", None
            contact.activity_key = _next(activity) if activity else None
            self.advance(v, contact)
            emu.jobs.update(job_id, status="Complete")

    def recover(self) -> list[int]:
        """Queue again the waits a previous process left (called once at start, beside sends.recover)."""
        jobs = self.x.emu.jobs.repo.unfinished(WAIT_JOB)
        for job in jobs:
            self.x.emu.jobs.requeue(job["id"], self._released(int(job["detail"]["contact"])))
        return [job["id"] for job in jobs]

    # -- EMAILV2 -----------------------------------------------------------------------------------------
    def send_ids(self, v: JourneyVersion) -> dict[str, int]:
        """One send (job) id per email activity of a version being published: its events' SendID."""
        return {a["key"]: self.x.emu.store.next_value("job", FIRST_JOB_ID)
                for a in v.data.get("activities") or [] if a["type"] in EMAIL_TYPES}

    def email_for(self, mid: int, activity: dict[str, Any]) -> dict[str, Any] | None:
        """The SOAP Email an email activity sends: triggeredSend.emailId, else its triggered send's Email."""
        config = activity.get("configurationArguments") or {}
        send = config.get("triggeredSend") if isinstance(config.get("triggeredSend"), dict) else {}
        objects = self.x.emu.objects
        if send.get("emailId") not in (None, ""):
            found = objects.find_one(mid, "Email", "ID", _int(send["emailId"]))
            return found.data if found else None
        for prop, value in (("CustomerKey", config.get("triggeredSendKey")), ("ObjectID", config.get("triggeredSendId"))):
            if isinstance(value, str) and value:
                tsd = objects.find_one(mid, "TriggeredSendDefinition", prop, value)
                ref = (tsd.data.get("Email") or {}) if tsd else {}
                for email_prop in ("ID", "ObjectID", "CustomerKey"):
                    if ref.get(email_prop) not in (None, ""):
                        found = objects.find_one(mid, "Email", email_prop, ref[email_prop])
                        return found.data if found else None
        return None

    def _send(self, v: JourneyVersion, contact: JourneyContact, activity: dict[str, Any]) -> None:
        emu, mid = self.x.emu, v.mid
        config = activity["configurationArguments"]
        send = config.get("triggeredSend") if isinstance(config.get("triggeredSend"), dict) else {}
        email = self.email_for(mid, activity)
        if email is None:
            self._note(contact, activity["key"], activity["type"], "not sent: its email no longer exists")
            return
        known = emu.audience.get_subscriber(mid, contact.contact_key)
        address = _address(v, contact.data) or (known.email if known else None)
        send_id = int((v.data.get("_send_ids") or {}).get(activity["key"]) or 0)
        now = self.x.now()
        event = Event(mid, send_id, contact.contact_key, address, "Sent", now,
                      triggered_send_key=config.get("triggeredSendKey") or f"{v.key}.{activity['key']}",
                      detail={"journey_id": v.id, "version": v.version, "activity_key": activity["key"]})
        batch = Batch()
        magic = magic_kind(address)
        if not address or "@" not in address:
            batch.events.append(event.but("NotSent", reason="no email address"))
            self._note(contact, activity["key"], activity["type"], "not sent: no email address")
        elif (known and known.status in (*UNDELIVERABLE_STATUSES, "Unsubscribed")) or magic == "held":
            status = known.status if known else "Held"
            batch.events.append(event.but("NotSent", reason=f"subscriber status {status}"))
            self._note(contact, activity["key"], activity["type"], f"not sent: subscriber {status}")
        else:
            content = email_content(email, send.get("emailSubject") or None)
            values = {**(known.attributes if known else {}), **contact.data, "SubscriberKey": contact.contact_key,
                      "EmailAddress": address, "JobID": send_id, "emailname_": email.get("Name"), "MemberID": mid}
            message_key = emu.ids.guid()
            track = (emu.base_url, message_key) if send.get("isTrackingClicks", True) else None
            subject, html, text = content.render(lookup_table(values), derive_text=True, track=track)
            sender = self._sender(mid, send)
            source = {**content.source, "journey": {"id": v.id, "key": v.key, "name": v.name, "version": v.version,
                                                    "activityKey": activity["key"]},
                      "audience": "journey", "values": {k: val for k, val in values.items() if val is not None}}
            batch.sent(Message(mid, address, contact.contact_key, subject, html, text, sender.name, sender.address,
                               source, now, job_id=send_id, message_key=message_key), event, bounce=magic == "bounce")
            self._note(contact, activity["key"], activity["type"], f"sent to {address}")
        emu.delivery.deliver(batch)

    def _sender(self, mid: int, send: dict[str, Any]):
        delivery, objects = self.x.emu.delivery, self.x.emu.objects
        classification = None
        if isinstance(send.get("sendClassificationId"), str):
            found = objects.find_one(mid, "SendClassification", "ObjectID", send["sendClassificationId"])
            classification = found.data if found else None
        classification = classification or delivery.classification(mid, "Default Commercial")
        profile = {"ObjectID": send["senderProfileId"]} if isinstance(send.get("senderProfileId"), str) else None
        return delivery.sender(mid, classification, profile or {"CustomerKey": DEFAULT_PROFILE})


def _next(activity: dict[str, Any] | None) -> str | None:
    outcomes = (activity or {}).get("outcomes") or []
    return outcomes[0].get("next") if outcomes else None


def _address(v: JourneyVersion, data: dict[str, Any]) -> str | None:
    """The entry data's email: the field the journey's defaults.email names, else EmailAddress or Email."""
    lowered = {str(k).casefold(): v for k, v in data.items()}
    names = []
    for template in ((v.data.get("defaults") or {}).get("email") or []):
        if isinstance(template, str) and "." in template:
            names.append(template.strip("{} ").rsplit(".", 1)[-1].strip('"'))
    for name in (*names, "EmailAddress", "Email"):
        value = lowered.get(name.casefold())
        if isinstance(value, str) and value:
            return value
    return None


def _int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
