"""One function per partner-API operation: decode the body, call the domain, encode the response.

No business rules here: ObjectService decides, this module only translates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lxml import etree

from ..domain import codes
from ..domain.behaviours import behaviour_class
from ..domain.context import CallContext
from ..domain.errors import DomainError, Invalid
from ..domain.objects import ObjectResult, PerformOutcome
from ..domain.schema import PARTNER_NS, partner_schema
from .codec import NIL, Codec, P

if TYPE_CHECKING:
    from ..core import Emulator

codec = Codec(partner_schema())

Operation = Callable[["Emulator", CallContext, etree._Element], etree._Element]


def overall_status(emu: Emulator, oks: list[bool]) -> str:
    if all(oks):
        return "OK"
    if not any(oks):
        return "Error"
    return emu.config.overall_status_partial


def _response(tag: str, data: dict[str, Any]) -> etree._Element:
    el = etree.Element(P + tag, nsmap={None: PARTNER_NS})
    codec.encode_into(el, data, tag)
    return el


def _result_dict(result: ObjectResult, kind: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "StatusCode": "OK" if result.ok else "Error",
        "StatusMessage": result.message,
        "OrdinalID": result.ordinal,
    }
    if not result.ok:
        out["ErrorCode"] = result.error_code if result.error_code is not None else codes.SOAP.ERROR
    if kind == "Create":
        out["NewID"] = result.new_id or 0  # required by the schema, 0 on errors
        if result.ok and result.new_object_id:
            out["NewObjectID"] = result.new_object_id
    if result.object is not None:
        out["Object"] = result.object
    out.update(result.extra)
    return out


def _with_placeholders(value: Any, top: bool = True) -> Any:
    """An echoed object as SFMC writes it: a referenced sub-object without an ObjectID shows
    ``<ObjectID xsi:nil="true"/>`` (seed 000's ESD echo, seed 002's DestinationObject)."""
    if isinstance(value, list):
        return [_with_placeholders(v, top=False) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _with_placeholders(v, top=False) for k, v in value.items()}
    type_name = out.get("__type__")
    if not top and type_name and codec.schema.has_type(type_name) and codec.schema.is_api_object(type_name):
        out.setdefault("ObjectID", NIL)
    return out


TOO_MANY_OBJECTS = codes.SOAP.TOO_MANY_OBJECTS  # [doc:SOAP/200_299_asynchronous_operation]


def too_many(emu: Emulator, body: etree._Element, *path: str) -> str | None:
    """The refusal message when the request holds more objects (elements at `path` below the request
    element, counted before anything is decoded) than Config.soap_max_objects, else None."""
    items = [body]
    for name in path:
        items = [child for item in items for child in item if etree.QName(child).localname == name]
    limit = emu.config.soap_max_objects
    if len(items) <= limit:
        return None
    return f"Too many objects: {len(items)} in one request; use fewer than {limit + 1:,} API objects."


def _objects_operation(kind: str) -> Operation:
    request_tag, response_tag = f"{kind}Request", f"{kind}Response"

    def operation(emu: Emulator, call: CallContext, body: etree._Element) -> etree._Element:
        refusal = too_many(emu, body, "Objects")
        if refusal is not None:  # refused whole, nothing decoded or written
            result = ObjectResult(ok=False, message=refusal, error_code=TOO_MANY_OBJECTS)
            return _response(response_tag, {"Results": [_result_dict(result, kind)], "RequestID": emu.ids.guid(),
                                             "OverallStatus": "Error"})
        request = codec.decode(body, request_tag)
        codec.require_valid(request.get("Options"))
        objects = request.get("Objects") or []
        for obj in objects:  # out-of-enum values reach only the types that answer them with an Error result
            if behaviour_class(obj.get("__type__", "APIObject")).invalid_value_code is None:
                codec.require_valid(obj)
        service = emu.object_service
        if kind == "Create":
            results = service.create(call, "APIObject", objects, request.get("Options"))
        elif kind == "Update":
            results = service.update(call, objects, request.get("Options"))
        else:
            results = service.delete(call, objects)
        for result in results:
            if result.object is not None:
                result.object = _with_placeholders({"__type__": "APIObject", **result.object})
        return _response(response_tag, {
            "Results": [_result_dict(r, kind) for r in results],
            "RequestID": emu.ids.guid(),
            "OverallStatus": overall_status(emu, [r.ok for r in results]),
        })

    return operation


def retrieve(emu: Emulator, call: CallContext, body: etree._Element) -> etree._Element:
    request = codec.decode(body, "RetrieveRequestMsg").get("RetrieveRequest") or {}
    codec.require_valid(request)
    page = emu.object_service.retrieve(call, request)
    el = etree.Element(P + "RetrieveResponseMsg", nsmap={None: PARTNER_NS})
    etree.SubElement(el, P + "OverallStatus").text = page.status
    etree.SubElement(el, P + "RequestID").text = page.request_id
    for row in page.rows:
        # SFMC always writes PartnerKey, and ObjectID when it has none to give, as xsi:nil.
        row = {"PartnerKey": NIL, "ObjectID": NIL, **{k: v for k, v in row.items() if v is not None}}
        codec.encode(el, "Results", row, "APIObject", force_xsi_type=True)
    return el


def _refused_outcomes(message: str) -> list[PerformOutcome]:
    return [PerformOutcome(message=message, object={}, ok=False, error_code=TOO_MANY_OBJECTS)]


def perform(emu: Emulator, call: CallContext, body: etree._Element) -> etree._Element:
    refusal = too_many(emu, body, "Definitions", "Definition")
    if refusal is not None:
        return _response("PerformResponseMsg", _outcomes_body(emu, _refused_outcomes(refusal), lambda outcome: {
            "__type__": "APIObject", "ObjectID": NIL}))
    request = codec.decode(body, "PerformRequestMsg")
    codec.require_valid(request)
    definitions = (request.get("Definitions") or {}).get("Definition") or []
    action = (request.get("Action") or "").strip()
    outcomes = emu.object_service.perform(call, action, definitions, request.get("Options") or {})
    return _response("PerformResponseMsg", _outcomes_body(emu, outcomes, lambda outcome: {
        "__type__": "APIObject", "ObjectID": NIL, **{k: v for k, v in outcome.object.items() if v is not None}}))


def schedule(emu: Emulator, call: CallContext, body: etree._Element) -> etree._Element:
    refusal = too_many(emu, body, "Interactions", "Interaction")
    if refusal is not None:
        return _response("ScheduleResponseMsg", _outcomes_body(emu, _refused_outcomes(refusal), lambda outcome: {
            "__type__": "ScheduleDefinition"}))
    request = codec.decode(body, "ScheduleRequestMsg")
    codec.require_valid(request)
    interactions = (request.get("Interactions") or {}).get("Interaction") or []
    definition = request.get("Schedule") or {}
    outcomes = emu.object_service.schedule(call, (request.get("Action") or "").strip(), interactions, definition,
                                           request.get("Options") or {})
    # ScheduleResult's Object is the ScheduleDefinition itself (the WSDL types it so).
    echo = {"Recurrence": {"__type__": "DailyRecurrence", "DailyRecurrencePatternType": "Interval", "DayInterval": 1},
            **definition, "__type__": "ScheduleDefinition"}
    return _response("ScheduleResponseMsg", _outcomes_body(emu, outcomes, lambda outcome: echo))


def _outcomes_body(emu: Emulator, outcomes, object_of) -> dict[str, Any]:
    """Perform and Schedule answer alike: a Result per definition with its Task, then the overall status."""
    results = []
    for outcome in outcomes:
        result: dict[str, Any] = {"StatusCode": "OK" if outcome.ok else "Error",
                                  "StatusMessage": outcome.message}
        if not outcome.ok:
            result["ErrorCode"] = outcome.error_code if outcome.error_code is not None else codes.SOAP.ERROR
        result["Object"] = object_of(outcome)
        # Task is required by the schema: the job's id when one was started, the outcome otherwise.
        if outcome.ok:
            result["Task"] = {"StatusCode": "OK", "StatusMessage": "OK", "ID": outcome.task_id,
                              "InteractionObjectID": outcome.interaction_object_id}
        else:
            result["Task"] = {"StatusCode": "Error", "StatusMessage": outcome.message,
                              "ErrorCode": result["ErrorCode"]}
        results.append(result)
    return {
        "Results": {"Result": results},
        "OverallStatus": overall_status(emu, [o.ok for o in outcomes]),
        "OverallStatusMessage": "",
        "RequestID": emu.ids.guid(),
    }


def describe(emu: Emulator, call: CallContext, body: etree._Element) -> etree._Element:
    request = codec.decode(body, "DefinitionRequestMsg")
    codec.require_valid(request)
    wanted = (request.get("DescribeRequests") or {}).get("ObjectDefinitionRequest") or []
    definitions = []
    for item in wanted:
        try:
            definitions.append(emu.object_service.describe(item.get("ObjectType") or ""))
        except DomainError as error:
            raise Invalid(f"Unable to describe {item.get('ObjectType')}: {error.message}") from error
    return _response("DefinitionResponseMsg", {"ObjectDefinition": definitions, "RequestID": emu.ids.guid()})


def version_info(emu: Emulator, call: CallContext, body: etree._Element) -> etree._Element:
    return _response("VersionInfoResponseMsg", {
        "VersionInfo": {"Version": "1.0", "VersionDate": "2024-01-01T00:00:00",
                        "Notes": "sfmc-emulator"},
        "RequestID": emu.ids.guid(),
    })


def system_status(emu: Emulator, call: CallContext, body: etree._Element) -> etree._Element:
    return _response("SystemStatusResponseMsg", {
        "Results": {"Result": [{"StatusCode": "OK", "StatusMessage": "System Status Retrieved",
                                "SystemStatus": "OK"}]},
        "OverallStatus": "OK", "OverallStatusMessage": "", "RequestID": emu.ids.guid(),
    })


def execute(emu: Emulator, call: CallContext, body: etree._Element) -> etree._Element:
    """Execute: LogUnsubEvent (unsubscribe and log an UnsubEvent; domain/engagement.py); any other request
    name is answered with an Error result."""
    request = codec.decode(body, "ExecuteRequestMsg")
    codec.require_valid(request)
    results = []
    for ordinal, item in enumerate(request.get("Requests") or []):
        name = (item.get("Name") or "").strip()
        params = {str(p.get("Name") or ""): str(p.get("Value") or "") for p in item.get("Parameters") or []}
        try:
            if name.casefold() != "logunsubevent":
                raise Invalid(f"The Execute request {name!r} is not supported by sfmc-emulator.",
                              code=codes.SOAP.UNSUPPORTED_ACTION)
            mid = emu.object_service.target_mid(call, item)
            outcome = emu.engagement.log_unsub_event(mid, params)
            event = outcome["event"]
            result: dict[str, Any] = {"StatusCode": "OK", "StatusMessage": "Event posted" if event else
                                      "Subscriber unsubscribed (no job context: no UnsubEvent)",
                                      "OrdinalID": ordinal}
        except DomainError as error:
            result = {"StatusCode": "Error", "StatusMessage": error.message, "OrdinalID": ordinal,
                      "ErrorCode": int(error.code) if error.code is not None else int(codes.SOAP.ERROR)}
        results.append(result)
    return _response("ExecuteResponseMsg", {
        "OverallStatus": overall_status(emu, [r["StatusCode"] == "OK" for r in results]),
        "RequestID": emu.ids.guid(), "Results": results})


def not_emulated(name: str) -> Operation:
    def operation(emu: Emulator, call: CallContext, body: etree._Element) -> etree._Element:
        raise Invalid(f"The {name} operation is not supported by sfmc-emulator.")

    return operation


OPERATIONS: dict[str, Operation] = {
    "Create": _objects_operation("Create"),
    "Update": _objects_operation("Update"),
    "Delete": _objects_operation("Delete"),
    "Retrieve": retrieve,
    "Perform": perform,
    "Describe": describe,
    "VersionInfo": version_info,
    "GetSystemStatus": system_status,
    "Schedule": schedule,
    "Execute": execute,
    **{name: not_emulated(name) for name in ("Query", "Configure", "Extract")},
}
