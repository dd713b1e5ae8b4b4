"""EmailSendDefinition (create/update/delete with SFMC's 42000-range codes, Perform start), Send (create
sends at once; retrieve shows the job) and the tracking events SentEvent/NotSentEvent/BounceEvent.

References are validated and stored the way SFMC echoes them (seed 000, fixtures emailSendDefinition/*);
the send itself is emulator.domain.sends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .. import codes
from ..context import CallContext
from ..errors import Invalid, NotFound, Unsupported
from ..objects import ObjectResult, PerformOutcome
from ..query import required_range
from ..sends import SendService, audience_plan, event_object, ref_text
from . import Behaviour, behaviour
from .profiles import reference as key_reference

if TYPE_CHECKING:
    from ..objects import ObjectService, RetrieveQuery

MAX_KEY = 36  # ESD/TSD keys, API-FACTS section 9
IDENTIFIERS = ("ObjectID", "CustomerKey", "ID", "Name")


def has_identifier(ref: Any, props: tuple[str, ...] = IDENTIFIERS) -> bool:
    return isinstance(ref, dict) and any(ref.get(p) not in (None, "") for p in props)


def sender_override(ref: Any) -> dict[str, str]:
    """FromName/FromAddress given inline on a SenderProfile (seed 001: send-time override)."""
    if not isinstance(ref, dict):
        return {}
    return {k: ref[k] for k in ("FromName", "FromAddress") if ref.get(k)}


def check_key(service: ObjectService, mid: int, type_name: str, key: Any, code: codes.SOAP, prefix: str,
              current_key: str | None = None) -> None:
    if key is None:
        return
    if not str(key).strip() or len(str(key)) > MAX_KEY:
        raise Invalid(f"{prefix}Customer Key Invalid: the CustomerKey must be 1 to {MAX_KEY} characters.", code=code)
    if key != current_key and service.repo.find_one(mid, type_name, "CustomerKey", key):
        raise Invalid(f"{prefix}Customer Key Invalid: a {type_name} with CustomerKey '{key}' already exists.",
                      code=code)


def resolve_references(sends: SendService, mid: int, props: dict[str, Any], email_error: codes.SOAP,
                       classification_error: codes.SOAP) -> None:
    """A send definition's Email, SendClassification, SenderProfile and DeliveryProfile, resolved and stored as
    SFMC echoes them; a missing one raises NotFound with the definition type's code and text."""
    if "Email" in props:
        email = sends.find(mid, "Email", props["Email"], ("ID", "ObjectID", "CustomerKey"))
        if email is None:
            raise NotFound(f"{email_error.message}: no Email with {ref_text(props['Email'])}.",
                           code=email_error)
        props["Email"] = {"__type__": "Email", "ID": email["ID"]}
    if "SendClassification" in props:
        found = sends.find(mid, "SendClassification", props["SendClassification"], ("CustomerKey", "ObjectID", "Name"))
        if found is None:
            raise NotFound(f"{classification_error.message}: no SendClassification with "
                           f"{ref_text(props['SendClassification'])}.", code=classification_error)
        props["SendClassification"] = key_reference(found)
    profiles = (("SenderProfile", codes.SOAP.SP_NOT_FOUND), ("DeliveryProfile", codes.SOAP.DP_NOT_FOUND))
    for prop, code in profiles:
        ref = props.get(prop)
        if has_identifier(ref, ("ObjectID", "CustomerKey", "Name")):
            found = sends.find(mid, prop, ref, ("CustomerKey", "ObjectID", "Name"))
            if found is None:
                raise NotFound(f"{prop} Not Found: no {prop} with {ref_text(ref)}.", code=code)
            props[prop] = {**key_reference(found), **sender_override(ref)}


@behaviour("EmailSendDefinition")
class EmailSendDefinitionBehaviour(Behaviour):
    # The issue asks for an Error result on a bad enum value; the enums an ESD carries live in its
    # SendDefinitionList (DataSourceTypeID, SendDefinitionListType): ESD_Send Definition List Invalid.
    invalid_value_code = codes.SOAP.ESD_LIST_INVALID
    not_found_code = codes.SOAP.ESD_NOT_FOUND
    not_found_text = "{message}: no {type} with {what}."

    @property
    def sends(self) -> SendService:
        return self.service.emu.sends

    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        check_key(self.service, mid, self.type_name, props.get("CustomerKey"), codes.SOAP.ESD_KEY_INVALID,
                  "ESD_")
        if not (props.get("Name") or "").strip():
            raise Invalid("ESD_Name Invalid: Name is required.", code=codes.SOAP.ESD_NAME_INVALID)
        if not has_identifier(props.get("Email"), ("ID", "ObjectID", "CustomerKey")):
            raise Invalid("ESD_Email Not Specified: the definition needs an Email (ID, ObjectID or CustomerKey).",
                          code=codes.SOAP.ESD_EMAIL_NOT_SPECIFIED)
        props.setdefault("SendClassification", {"__type__": "SendClassification", "CustomerKey": "Default Commercial"})
        self._references(mid, props)
        for prop, value in (("IsMultipart", False), ("IsWrapped", True), ("DeduplicateByEmail", False),
                            ("IsSendLogging", False), ("SuppressTracking", False)):
            props.setdefault(prop, value)
        if props.get("EmailSubject") and not props.get("DynamicEmailSubject"):
            props["DynamicEmailSubject"] = props["EmailSubject"]
        return props

    def prepare_update(self, ctx: CallContext, mid: int, current: dict[str, Any],
                       changes: dict[str, Any]) -> dict[str, Any]:
        check_key(self.service, mid, self.type_name, changes.get("CustomerKey"), codes.SOAP.ESD_KEY_INVALID, "ESD_",
                  current.get("CustomerKey"))
        if "Name" in changes and not (changes.get("Name") or "").strip():
            raise Invalid("ESD_Name Invalid: Name cannot be empty.", code=codes.SOAP.ESD_NAME_INVALID)
        self._references(mid, changes)
        return changes

    def _references(self, mid: int, props: dict[str, Any]) -> None:
        """Resolve every reference the definition names; store them as SFMC echoes them."""
        resolve_references(self.sends, mid, props, codes.SOAP.ESD_EMAIL_NOT_FOUND,
                           codes.SOAP.ESD_CLASSIFICATION_NOT_FOUND)
        if "SendDefinitionList" in props:
            props["SendDefinitionList"] = [self._list_entry(mid, e) for e in props["SendDefinitionList"] or []]

    def _list_entry(self, mid: int, entry: dict[str, Any]) -> dict[str, Any]:
        entry = dict(entry)
        if not entry.get("DataSourceTypeID"):
            entry["DataSourceTypeID"] = ("FilterDefinition" if entry.get("FilterDefinition") else
                                         "CustomObject" if entry.get("CustomObjectID") else "List")
        entry.setdefault("SendDefinitionListType", "SourceList")
        if entry["SendDefinitionListType"] not in ("SourceList", "ExclusionList"):
            raise Invalid("ESD_Send Definition List Invalid: SendDefinitionListType "
                          f"'{entry['SendDefinitionListType']}' is not supported.",
                          code=codes.SOAP.ESD_LIST_INVALID)
        source = self.sends.audience_source(mid, entry, honour_unsubscribe=True)  # raises 42007/42008/42110
        kind = entry["DataSourceTypeID"]
        if kind == "List" or entry.get("List"):
            found = self.sends.find(mid, "List", entry.get("List"), ("ID", "ObjectID", "CustomerKey"))
            if found is not None:
                entry["List"] = {"__type__": "List", "ID": found["ID"]}
        if kind == "CustomObject":
            de = self.service.repo.find_one(mid, "DataExtension", "CustomerKey", source["de_key"])
            entry["CustomObjectID"] = de.data["ObjectID"] if de else entry.get("CustomObjectID")
        if kind == "FilterDefinition":
            fd = self.sends.find(mid, "FilterDefinition", entry.get("FilterDefinition"), ("ObjectID", "CustomerKey"))
            if fd is not None:
                entry["FilterDefinition"] = key_reference(fd)
        entry["ObjectID"] = self.service.emu.ids.guid()
        entry.setdefault("IsTestObject", False)
        return entry

    # -- Perform --------------------------------------------------------------------
    def schedule(self, ctx: CallContext, mid: int, action: str, props: dict[str, Any],
                 run_at: float) -> PerformOutcome:
        """SOAP Schedule `start`: the same send as Perform start, held as "Scheduled" until the emulator
        clock reaches the schedule's StartDateTime (a time already past sends at once)."""
        if action != "start":
            raise Unsupported(f"The Schedule action '{action}' is not supported for the EmailSendDefinition "
                              "object by sfmc-emulator (supported: start).",
                              code=codes.SOAP.UNSUPPORTED_ACTION)
        outcome = self.perform(ctx, mid, action, props, {}, run_at=run_at)
        outcome.message = "EmailSendDefinition scheduled"
        return outcome

    def perform(self, ctx: CallContext, mid: int, action: str, props: dict[str, Any],
                options: dict[str, Any], run_at: float | None = None) -> PerformOutcome:
        if action != "start":
            raise Unsupported(f"The Perform action '{action}' is not supported for the EmailSendDefinition object "
                              "by sfmc-emulator (supported: start).", code=codes.SOAP.UNSUPPORTED_ACTION)
        if not has_identifier(props, ("ObjectID", "CustomerKey")):
            raise Invalid("ESD_Not Specified: give the definition's CustomerKey or ObjectID.",
                          code=codes.SOAP.ESD_NOT_SPECIFIED)
        stored = self.sends.find(mid, self.type_name, props, ("ObjectID", "CustomerKey"))
        if stored is None:
            raise NotFound(f"ESD_Not Found: no EmailSendDefinition with {ref_text(props)}.",
                           code=codes.SOAP.ESD_NOT_FOUND)
        override = sender_override(props.get("SenderProfile"))
        plan = self.plan(mid, stored, override)
        job_id = self.sends.start(mid, plan, run_at=run_at)
        echo: dict[str, Any] = {"ObjectID": stored["ObjectID"], "CustomerKey": stored["CustomerKey"],
                                "Name": stored.get("Name")}
        if override:
            echo["SenderProfile"] = {"__type__": "SenderProfile", **override}
        return PerformOutcome(message="EmailSendDefinition performed", object={"__type__": self.type_name, **echo},
                              task_id=job_id, interaction_object_id=self.service.emu.ids.guid())

    def plan(self, mid: int, esd: dict[str, Any], override: dict[str, str]) -> dict[str, Any]:
        """Everything the send needs, resolved now: a reference that no longer exists is an Error result."""
        sends = self.sends
        classification = None
        if esd.get("SendClassification"):
            classification = sends.find(mid, "SendClassification", esd["SendClassification"],
                                        ("ObjectID", "CustomerKey", "Name"))
            if classification is None:
                raise NotFound("ESD_Send Classification Not Found: the definition's SendClassification "
                               f"{ref_text(esd['SendClassification'])} no longer exists.",
                               code=codes.SOAP.ESD_CLASSIFICATION_NOT_FOUND)
        profile = esd.get("SenderProfile") if has_identifier(esd.get("SenderProfile"), ("ObjectID", "CustomerKey")) \
            else None
        from_name, from_address, honour = sends.sender(mid, classification, profile)
        inline = {**sender_override(esd.get("SenderProfile")), **override}
        email = sends.plan_email(mid, esd.get("Email"), NotFound(
            f"ESD_Email Not Found: the definition's Email {ref_text(esd.get('Email'))} no longer exists.",
            code=codes.SOAP.ESD_EMAIL_NOT_FOUND))
        sources, exclusions = audience_plan(sends, mid, esd.get("SendDefinitionList") or [], honour)
        return {
            "email": email, "subject": esd.get("EmailSubject") or esd.get("DynamicEmailSubject") or email["Subject"],
            "from_name": inline.get("FromName", from_name), "from_address": inline.get("FromAddress", from_address),
            "honour_unsubscribe": honour, "sources": sources, "exclusions": exclusions,
            "dedupe_by_email": bool(esd.get("DeduplicateByEmail")), "is_multipart": bool(esd.get("IsMultipart")),
            "definition_key": esd.get("CustomerKey"), "additional": esd.get("Additional"),
            "definition": {"ObjectID": esd["ObjectID"], "CustomerKey": esd.get("CustomerKey"), "Name": esd.get("Name")},
        }


@behaviour("Send")
class SendBehaviour(Behaviour):
    """A Send is the job of one email send: Create sends at once (seed 002); Retrieve shows status and counts."""

    id_style = "int"

    def create(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int) -> ObjectResult:
        sends: SendService = self.service.emu.sends
        if not has_identifier(props.get("Email"), ("ID", "ObjectID", "CustomerKey")):
            raise Invalid("An email ID, Partner Key, or body must be specified",
                          code=codes.SOAP.SEND_EMAIL_NOT_SPECIFIED)
        email = sends.plan_email(mid, props["Email"], NotFound(
            f"Unable to load email: no Email with {ref_text(props['Email'])}.",
            code=codes.SOAP.SEND_EMAIL_NOT_LOADED))
        lists = props.get("List") or []
        if not lists:
            raise Invalid("A list must be specified", code=codes.SOAP.SEND_LIST_NOT_SPECIFIED)
        classification = sends.find(mid, "SendClassification", {"CustomerKey": "Default Commercial"})
        from_name, from_address, honour = sends.sender(mid, classification, None)
        sources = []
        for ref in lists:
            try:
                sources.append(sends.audience_source(mid, {"DataSourceTypeID": "List", "List": ref}, honour))
            except NotFound as error:
                raise Invalid(f"Error creating/updating lists. List creations failed: List with {ref_text(ref)} "
                              "not found", code=codes.SOAP.SEND_LIST_FAILED) from error
        plan = {"email": email, "subject": props.get("Subject") or email["Subject"],
                "from_name": props.get("FromName") or from_name, "from_address": props.get("FromAddress") or from_address,
                "honour_unsubscribe": honour, "sources": sources, "exclusions": [],
                "dedupe_by_email": True, "is_multipart": bool(props.get("IsMultipart", True)),
                "definition_key": None, "additional": props.get("Additional")}
        job_id = sends.start(mid, plan)
        return ObjectResult(ok=True, message=self.message("created"), new_id=job_id,
                            object=sends.send_objects([mid], job_id)[0])

    def rows(self, ctx: CallContext, mids: list[int], query: RetrieveQuery) -> list[dict[str, Any]]:
        return self.service.emu.sends.send_objects(mids)

    def perform(self, ctx: CallContext, mid: int, action: str, props: dict[str, Any],
                options: dict[str, Any]) -> PerformOutcome:
        """pause / resume / cancel a send by its ID (doc: SOAP/perform)."""
        sends: SendService = self.service.emu.sends
        if action not in ("pause", "resume", "cancel"):
            raise Unsupported(f"The Perform action '{action}' is not supported for the Send object "
                              "(supported: pause, resume, cancel).", code=codes.SOAP.UNSUPPORTED_ACTION)
        if props.get("ID") is None or not sends.repo.send_jobs([mid], int(props["ID"])):
            raise NotFound(f"Send Not Found: no Send with ID '{props.get('ID')}'.", code=codes.SOAP.ERROR)
        status = sends.control(int(props["ID"]), action)
        return PerformOutcome(message="Send performed", task_id=int(props["ID"]),
                              object={"__type__": "Send", "ID": int(props["ID"]), "Status": status})

    def not_found(self, what: str) -> Exception:
        return NotFound(f"Send Not Found: no Send with {what}.", code=codes.SOAP.ERROR)


def _pushdown(part: dict[str, Any] | None, prop: str) -> str | None:
    """The value of an `equals` on `prop` that the whole filter requires (a simple part or an AND)."""
    if not part:
        return None
    if part.get("__type__") == "ComplexFilterPart":
        if (part.get("LogicalOperator") or "AND").upper() != "AND":
            return None
        operands = [part.get("LeftOperand"), part.get("RightOperand"),
                    *((part.get("AdditionalOperands") or {}).get("Operand") or [])]
        return next((v for v in (_pushdown(p, prop) for p in operands) if v is not None), None)
    values = part.get("Value") or []
    if (part.get("Property") or "").casefold() == prop.casefold() and part.get("SimpleOperator") == "equals" \
            and len(values) == 1:
        return str(values[0])
    return None


@behaviour("SentEvent", "NotSentEvent", "BounceEvent", "OpenEvent", "ClickEvent", "UnsubEvent")
class TrackingEventBehaviour(Behaviour):
    """Read-only views of `send_event`; SendID/SubscriberKey equality filters are pushed down to SQL.
    Opens, clicks and unsubscribes are written by domain/engagement.py."""

    EVENT_TYPES = {"SentEvent": ("Sent",), "NotSentEvent": ("NotSent",), "BounceEvent": ("HardBounce",),
                   "OpenEvent": ("Open",), "ClickEvent": ("Click",), "UnsubEvent": ("Unsubscribe",)}

    def keyed_rows(self, ctx: CallContext, mids: list[int], query: RetrieveQuery, after: Any
                   ) -> Iterator[tuple[Any, dict[str, Any]]]:
        """Events in id order after `after` (with an EventDate bound: in (EventDate, id) order, through the
        date index); SendID, SubscriberKey and EventDate bounds the filter requires narrow in SQL."""
        send_id = _pushdown(query.filter, "SendID")
        if send_id is not None and not send_id.lstrip("-").isdigit():
            return
        for e in self.service.emu.sends.repo.iter_events(
                mids, self.EVENT_TYPES[query.type_name], int(send_id) if send_id is not None else None,
                _pushdown(query.filter, "SubscriberKey"), batch=500, after=after,
                dates=required_range(query.filter, "EventDate")):
            yield e["_cursor"], event_object(e, query.type_name)

    def create(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int) -> ObjectResult:
        raise Unsupported(f"Cannot perform Create on objects of type {self.type_name}",
                          code=codes.SOAP.UNSUPPORTED_METHOD)

    def update(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int,
               options: dict[str, Any]) -> ObjectResult:
        raise Unsupported(f"Cannot perform Update on objects of type {self.type_name}",
                          code=codes.SOAP.UNSUPPORTED_METHOD)

    def delete(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int) -> ObjectResult:
        raise Unsupported(f"Cannot perform Delete on objects of type {self.type_name}",
                          code=codes.SOAP.UNSUPPORTED_METHOD)
