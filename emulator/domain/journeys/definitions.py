"""Journeys (/interaction/v1/interactions): validation, versions, publish and stop.

A journey is an id and a key with numbered versions (each with its own definitionId; version 1's is the
journey's id). A version is Draft until published, then Published, and Stopped once stopped (its contacts
exit): the statuses SFMC's journey list documents. When several versions are Published, new entries go to
the newest; the older ones keep moving the contacts they hold.

PUT changes a Draft version only (a stale `modifiedDate` is refused, as SFMC refuses it); a new version is
a POST with the journey's key once its newest version is no longer Draft. That is how sfmc-devtools deploys
a published journey ("not in Draft status. Will create new version") [mcdev lib/metadataTypes/Journey.js].
"""

from __future__ import annotations

import copy
from typing import Any

from ...store.journeys import JourneyVersion
from ..codes import REST
from ..context import CallContext
from ..errors import Conflict, NotFound
from . import criteria
from .common import (
    KEY_RE,
    PUBLISH_KIND,
    JourneyDeps,
    defaults,
    invalid,
    paging,
    stamp,
    text_field,
    trigger_event_keys,
    version_number,
)
from .runner import EMAIL_TYPES, Runner, wait_seconds

DECISION_TYPES = ("MULTICRITERIADECISION", "MULTICRITERIADECISIONV2")
RUNNING = ("Published",)
STALE = "Another user recently modified this journey. Refresh to edit the latest version."  # [mcdev Journey.js]
KEY_NOT_FOUND = "Journey matching key not found."  # [mcdev Journey.js: the API's answer to an unknown key]
READ_ONLY = ("id", "definitionId", "status", "createdDate", "modifiedDate", "lastPublishedDate", "version",
             "scheduledStatus", "stats")
EMAIL_NOT_VALID = "121008"  # publish error of an email activity [fx: publishStatus get-response-failed]


class Interactions:
    def __init__(self, deps: JourneyDeps, runner: Runner) -> None:
        self.x = deps
        self.runner = runner

    # -- lookup ----------------------------------------------------------------------------------------
    def _id(self, mid: int, ref: str) -> str:
        by_key = ref[:4].lower() == "key:"
        journey_id = self.x.repo.id_for_key(mid, ref[4:]) if by_key else ref
        if not journey_id or not self.x.repo.versions(mid, journey_id):
            raise NotFound(KEY_NOT_FOUND if by_key else f"Journey matching id '{ref}' not found.", code=REST.NOT_FOUND)
        return journey_id

    def version(self, mid: int, ref: str, number: int | None = None) -> JourneyVersion:
        versions = self.x.repo.versions(mid, self._id(mid, ref))
        if number is None:
            return versions[-1]
        found = next((v for v in versions if v.version == number), None)
        if found is None:
            raise NotFound(f"Version {number} of journey '{ref}' was not found.", code=REST.NOT_FOUND)
        return found

    # -- answers ---------------------------------------------------------------------------------------
    def public(self, v: JourneyVersion, extras: bool = True) -> dict[str, Any]:
        data = v.data
        current, cumulative = self.x.repo.population(v.mid, v.id, v.version)
        out: dict[str, Any] = {"id": v.id, "key": v.key, "name": v.name,
                               "lastPublishedDate": data.get("lastPublishedDate") or "0001-01-01T00:00:00",
                               "description": data.get("description", ""), "version": v.version,
                               "workflowApiVersion": data.get("workflowApiVersion", 1),
                               "createdDate": stamp(v.created), "modifiedDate": stamp(v.modified)}
        if extras:
            out["activities"] = data.get("activities") or []
            out["triggers"] = data.get("triggers") or []
        for field in ("goals", "exits", "notifiers"):
            out[field] = data.get(field) or []
        out["stats"] = {"currentPopulation": current, "cumulativePopulation": cumulative, "metGoal": 0,
                        "metExitCriteria": 0, "goalPerformance": 0}
        for field in ("entryMode", "definitionType", "channel", "defaults", "metaData", "executionMode",
                      "categoryId"):
            if field in data:
                out[field] = data[field]
        out.update({"status": v.status, "definitionId": data.get("_definition_id") or v.id, "scheduledStatus": "Draft"})
        return out

    # -- validation ------------------------------------------------------------------------------------
    def _check(self, body: dict[str, Any], creating: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        key = text_field(body, "key", required=creating)
        if key is not None:
            if not KEY_RE.match(key):
                raise invalid("key may hold letters, digits, '-', '_' and '.' only (at most 200).", REST.INVALID_VALUE)
            out["key"] = key
        name = text_field(body, "name", required=creating)
        if name is not None:
            if not name.strip():
                raise invalid("name must not be empty.", REST.INVALID_VALUE)
            out["name"] = name
        for field in ("description", "channel", "definitionType", "executionMode"):
            value = text_field(body, field, max_length=4000)
            if value is not None:
                out[field] = value
        mode = text_field(body, "entryMode")
        if mode is not None:
            if mode not in defaults()["entryModes"]:
                raise invalid(f"entryMode must be one of {', '.join(defaults()['entryModes'])}.", REST.INVALID_VALUE)
            out["entryMode"] = mode
        if "workflowApiVersion" in body:
            value = body["workflowApiVersion"]
            # [swag: RequestPutUpdateInteraction "Possible values: 0.5, 1.0"]; True == 1 in Python, not on the wire
            if isinstance(value, bool) or value not in (0.5, 1):
                raise invalid("workflowApiVersion must be 0.5 or 1.0.", REST.INVALID_VALUE)
            out["workflowApiVersion"] = value
        for field in ("defaults", "metaData"):
            if body.get(field) is not None:
                if not isinstance(body[field], dict):
                    raise invalid(f"{field} must be an object.", REST.INVALID_DATA_TYPE)
                out[field] = body[field]
        for field in ("goals", "exits", "notifiers"):
            if body.get(field) is not None:
                if not isinstance(body[field], list):
                    raise invalid(f"{field} must be an array.", REST.INVALID_DATA_TYPE)
                out[field] = body[field]
        if "categoryId" in body and body["categoryId"] is not None:
            if not isinstance(body["categoryId"], int) or isinstance(body["categoryId"], bool):
                raise invalid("categoryId must be an integer.", REST.INVALID_DATA_TYPE)
            out["categoryId"] = body["categoryId"]
        for field in ("triggers", "activities"):
            if body.get(field) is not None:
                out[field] = self._steps(body[field], field)
        if "activities" in out:
            _check_flow(out["activities"])
        return out

    def _steps(self, value: Any, field: str) -> list[dict[str, Any]]:
        if not isinstance(value, list) or len(value) > 500:
            raise invalid(f"{field} must be an array (at most 500).", REST.INVALID_DATA_TYPE)
        steps, seen = [], set()
        for index, step in enumerate(value):
            where = f"{field}[{index}]"
            if not isinstance(step, dict):
                raise invalid(f"{where} must be an object.", REST.INVALID_DATA_TYPE)
            step = copy.deepcopy(step)
            for name in ("key", "type"):
                if not isinstance(step.get(name), str) or not step[name]:
                    raise invalid(f"{where}.{name} is required.", REST.MISSING_FIELD)
            if step["key"] in seen:
                raise invalid(f"{where}.key '{step['key']}' is used twice.", REST.INVALID_VALUE)
            seen.add(step["key"])
            for name, kind in (("outcomes", list), ("arguments", dict), ("configurationArguments", dict),
                               ("metaData", dict)):
                if step.get(name) is None:
                    step[name] = kind()
                elif not isinstance(step[name], kind):
                    raise invalid(f"{where}.{name} must be {'an array' if kind is list else 'an object'}.",
                                  REST.INVALID_DATA_TYPE)
            for number, outcome in enumerate(step["outcomes"]):
                if not isinstance(outcome, dict) or not isinstance(outcome.get("next", ""), str | None):
                    raise invalid(f"{where}.outcomes[{number}] must be an object whose next is an activity key.",
                                  REST.INVALID_DATA_TYPE)
            step.setdefault("id", self.x.emu.ids.guid())
            step.setdefault("name", "")
            step.setdefault("description", "")
            if field == "activities":
                _check_activity(step, where)
            steps.append(step)
        return steps

    # -- CRUD ------------------------------------------------------------------------------------------
    def create(self, ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
        with self.x.emu.store.transaction():
            checked = self._check(body, creating=True)
            data = {**copy.deepcopy(defaults()["interaction"]), **checked}
            existing = self.x.repo.id_for_key(ctx.mid, checked["key"])
            if existing is None:
                journey_id, number = self.x.emu.ids.guid(), 1
            else:  # the key of a journey: its next version, once the newest is no longer a Draft
                newest = self.x.repo.versions(ctx.mid, existing)[-1]
                if newest.status == "Draft":
                    raise Conflict(f"Journey '{checked['key']}' already has a Draft version ({newest.version}); "
                                   "change it with PUT.", code=REST.ALREADY_EXISTS)
                journey_id, number = existing, newest.version + 1
                data["_definition_id"] = self.x.emu.ids.guid()
            v = self.x.repo.insert(ctx.mid, journey_id, data["key"], number, data["name"], "Draft", data, self.x.now())
        return self.public(v)

    def get(self, ctx: CallContext, ref: str, number: Any) -> dict[str, Any]:
        return self.public(self.version(ctx.mid, ref, version_number(number, required=False)))

    def list(self, ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
        number, size = paging(args.get("$page"), args.get("$pageSize"), max_size=500)
        status = text_field(args, "status")
        search = text_field(args, "nameOrDescription")
        found, total = self.x.repo.latest_page(ctx.mid, status, size, (number - 1) * size, search,
                                               _order(args.get("$orderBy")))
        extras = str(args.get("$extras") or args.get("extras") or "").lower()
        with_steps = extras in ("all", "activities", "activities,triggers", "triggers")
        return {"count": total, "page": number, "pageSize": size, "links": {},
                "items": [self.public(v, extras=with_steps) for v in found]}

    def update(self, ctx: CallContext, body: dict[str, Any], ref: str | None = None) -> dict[str, Any]:
        """PUT /interactions (or /interactions/{id | key:K}): one Draft version changed in place."""
        if ref is None:
            ref = body.get("id") if isinstance(body.get("id"), str) and body.get("id") else None
        if ref is None:
            key = text_field(body, "key", required=True)
            ref = f"key:{key}"
        number = version_number(body.get("version"), required=False)
        stamp_given = text_field(body, "modifiedDate", max_length=40)
        changes = self._check({k: v for k, v in body.items() if k not in READ_ONLY}, creating=False)
        with self.x.emu.store.transaction():
            target = self.version(ctx.mid, ref, number)
            if target.status != "Draft":
                raise invalid(f"Version {target.version} of the journey is {target.status}, not Draft: create a new "
                              "version (POST with its key) to change it.", REST.INVALID_OPERATION)
            if stamp_given is not None and stamp_given != stamp(target.modified):
                raise invalid(STALE, REST.INVALID_OPERATION)
            if "key" in changes and changes["key"] != target.key:
                other = self.x.repo.id_for_key(ctx.mid, changes["key"])
                if other and other != target.id:
                    raise Conflict(f"A journey with key '{changes['key']}' already exists.", code=REST.ALREADY_EXISTS)
            target.data.update(changes)
            target.key, target.name = target.data["key"], target.data["name"]
            self.x.repo.replace(target, self.x.now())
        return self.public(target)

    def delete(self, ctx: CallContext, ref: str, number: Any) -> str:
        wanted = version_number(number, required=False)
        with self.x.emu.store.transaction():
            journey_id = self._id(ctx.mid, ref)
            versions = [v for v in self.x.repo.versions(ctx.mid, journey_id) if wanted in (None, v.version)]
            if not versions:
                raise NotFound(f"Version {wanted} of journey '{ref}' was not found.", code=REST.NOT_FOUND)
            running = [v.version for v in versions if v.status in RUNNING]
            if running:
                raise invalid(f"Version {running[0]} of the journey is running; stop it before deleting it.",
                              REST.INVALID_OPERATION)
            self.x.repo.delete(ctx.mid, journey_id, wanted)
        return journey_id

    # -- publish and stop ------------------------------------------------------------------------------
    def publish(self, ctx: CallContext, ref: str, number: Any) -> dict[str, Any]:
        """publishAsync: the outcome is recorded at once under a status id the caller polls."""
        wanted = version_number(number)
        emu = self.x.emu
        with emu.store.transaction():
            target = self.version(ctx.mid, ref, wanted)
            if target.status != "Draft":
                raise invalid(f"Version {target.version} is {target.status}; only a Draft version can be published.",
                              REST.INVALID_OPERATION)
            errors = self._publish_errors(ctx.mid, target)
            status_id = emu.ids.guid()
            if not errors:
                now = self.x.now()
                target.status = "Published"
                target.data["lastPublishedDate"] = stamp(now)
                target.data["_send_ids"] = self.runner.send_ids(target)
                self.x.repo.replace(target, now)
            self.x.docs.insert(ctx.mid, PUBLISH_KIND, status_id, {
                "status": "Error" if errors else "PublishCompleted", "errors": errors, "warnings": []}, self.x.now())
        return {"statusUrl": f"/interaction/v1/interactions/publishStatus/{status_id}", "statusId": status_id}

    def _publish_errors(self, mid: int, v: JourneyVersion) -> list[dict[str, Any]]:
        keys = trigger_event_keys(v.data)
        if not keys:
            raise invalid("The journey has no entry event: a trigger's metaData.eventDefinitionKey names none.",
                          REST.INVALID_OPERATION)
        for key in keys:
            if self.x.emu.journeys.events.by_key(mid, key) is None:
                raise invalid(f"The journey's entry event '{key}' does not exist.", REST.INVALID_OPERATION)
        errors = []
        for activity in v.data.get("activities") or []:
            if activity["type"] in EMAIL_TYPES and self.runner.email_for(mid, activity) is None:
                errors.append({"errorDetail": f"Email Activity: {activity.get('name') or activity['key']} -- The "
                               "email specified for the job did not pass validation.", "errorCode": EMAIL_NOT_VALID,
                               "errorType": "Error", "additionalInfo": {
                                   "activityKey": activity["key"], "activityId": activity["id"],
                                   "activityType": activity["type"], "definitionId": v.id}})
        return errors

    def publish_status(self, ctx: CallContext, status_id: str) -> dict[str, Any]:
        doc = self.x.docs.get(ctx.mid, PUBLISH_KIND, status_id)
        if doc is None:
            raise NotFound(f"Publish status '{status_id}' was not found.", code=REST.NOT_FOUND)
        return doc.data

    def stop(self, ctx: CallContext, ref: str, number: Any) -> None:
        wanted = version_number(number)
        with self.x.emu.store.transaction():
            target = self.version(ctx.mid, ref, wanted)
            if target.status not in RUNNING:
                raise invalid(f"Version {target.version} is {target.status}; only a running version can be stopped.",
                              REST.INVALID_OPERATION)
            now = self.x.now()
            target.status = "Stopped"
            self.x.repo.replace(target, now)
            self.x.repo.exit_all(ctx.mid, target.id, target.version, now)


def _order(text: Any) -> tuple[str, bool]:
    """$orderBy: ModifiedDate (default) or Name, then DESC (default) or ASC [swag: getInteractionCollection]."""
    if text in (None, ""):
        return "modified", True
    parts = str(text).split()
    columns = {"modifieddate": "modified", "name": "name"}
    if not 1 <= len(parts) <= 2 or parts[0].lower() not in columns or \
            (len(parts) == 2 and parts[1].upper() not in ("ASC", "DESC")):
        raise invalid("$orderBy must be ModifiedDate or Name, then ASC or DESC.", REST.INVALID_VALUE)
    return columns[parts[0].lower()], len(parts) == 1 or parts[1].upper() == "DESC"


def _check_activity(step: dict[str, Any], where: str) -> None:
    """What the runner needs of the activities it runs, refused at once (SFMC's editor refuses them too)."""
    config = step["configurationArguments"]
    if step["type"] == "WAIT":
        try:
            wait_seconds(config)
        except ValueError as exc:
            raise invalid(f"{where}.configurationArguments: {exc}", REST.INVALID_VALUE) from None
    elif step["type"] in DECISION_TYPES:
        rules = config.get("criteria") or {}
        if not isinstance(rules, dict):
            raise invalid(f"{where}.configurationArguments.criteria must be an object.", REST.INVALID_DATA_TYPE)
        for outcome, xml in rules.items():
            try:
                criteria.parse(xml)
            except ValueError as exc:
                raise invalid(f"{where}.configurationArguments.criteria.{outcome}: {exc}", REST.INVALID_VALUE) from None


def _check_flow(activities: list[dict[str, Any]]) -> None:
    keys = {a["key"] for a in activities}
    for activity in activities:
        for outcome in activity["outcomes"]:
            target = outcome.get("next")
            if target and target not in keys:
                raise invalid(f"Activity '{activity['key']}' leads to '{target}', which is not an activity of "
                              "the journey.", REST.INVALID_VALUE)
