"""TriggeredSendDefinition (17000-range codes, status machine, the shared definition quota),
TriggeredSend (FuelSDK's ET_TriggeredSend.send(): one rendered message per subscriber, while Active), and
the same definition sent over REST (messageDefinitionSends)."""

from __future__ import annotations

from typing import Any

from ...clock import Clock
from ...ids import IdSource
from ...store.audience import AudienceRepository
from ...store.objects import ObjectRepository
from .. import codes
from ..content import block_fetcher
from ..context import CallContext
from ..delivery import Batch, Delivery, Event, Message, Sender, email_content
from ..errors import Invalid, NotFound, Unsupported
from ..jobs import FIRST_JOB_ID
from ..objects import ObjectResult, PerformOutcome
from ..render import lookup_table
from ..sends import UNDELIVERABLE_STATUSES, SendService, magic_kind, ref_text
from ..transactional.common import DEFAULT_CLASSIFICATION, EMAIL, invalid
from . import Behaviour, behaviour
from .email_send_definition import check_key, has_identifier, resolve_references

# Allowed TriggeredSendStatus changes (SFMC: Canceled and Deleted are final; New can only move forward).
TRANSITIONS = {
    "New": {"New", "Active", "Inactive", "Canceled", "Deleted"},
    "Active": {"Active", "Inactive", "Canceled", "Deleted"},
    "Inactive": {"Inactive", "Active", "Canceled", "Deleted"},
    "Moved": {"Moved", "Active", "Inactive", "Canceled", "Deleted"},
}
TRANSITION_ERRORS = {"Active": codes.SOAP.TSD_CANNOT_ACTIVATE, "Canceled": codes.SOAP.TSD_CANNOT_CANCEL,
                     "Inactive": codes.SOAP.TSD_CANNOT_DEACTIVATE}
# What may change while a definition is Active; anything else needs pausing first (as in SFMC's UI).
LIVE_CHANGES = {"TriggeredSendStatus", "Name", "Description", "RefreshContent", "CustomerKey", "ModifiedDate"}


def _sends(behaviour: Behaviour) -> SendService:
    return behaviour.service.emu.sends


@behaviour("TriggeredSendDefinition")
class TriggeredSendDefinitionBehaviour(Behaviour):
    not_found_code = codes.SOAP.TSD_NOT_FOUND
    not_found_text = "{message}: no {type} with {what}."

    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        check_key(self.service, mid, self.type_name, props.get("CustomerKey"), codes.SOAP.TSD_KEY_INVALID,
                  "Triggered Send Definition ")
        if not (props.get("Name") or "").strip():
            raise Invalid("Triggered Send Definition Name Invalid: Name is required.",
                          code=codes.SOAP.TSD_NAME_INVALID)
        if not has_identifier(props.get("Email"), ("ID", "ObjectID", "CustomerKey")):
            raise Invalid("Triggered Send Definition Email ID or Partner Key Not Found: the definition needs an "
                          "Email.", code=codes.SOAP.TSD_EMAIL_NOT_SPECIFIED)
        status = props.setdefault("TriggeredSendStatus", "New")
        if status not in ("New", "Active", "Inactive"):
            raise Invalid(f"Triggered Send Definition Cannot Be Updated: a new definition cannot be {status}.",
                          code=codes.SOAP.TSD_CANNOT_UPDATE)
        props.setdefault("SendClassification",
                         {"__type__": "SendClassification", "CustomerKey": "Default Transactional"})
        props.setdefault("TriggeredSendType", "Continuous")
        for prop, value in (("AutoAddSubscribers", True), ("AutoUpdateSubscribers", True), ("IsMultipart", False),
                            ("IsWrapped", True), ("SuppressTracking", False), ("BatchInterval", 0)):
            props.setdefault(prop, value)
        self._references(mid, props)
        # The one email-definition quota, shared with REST transactional definitions (same transaction).
        self.service.emu.quota.reserve(mid, "triggered_send", props.get("CustomerKey") or props["Name"])
        return props

    def prepare_update(self, ctx: CallContext, mid: int, current: dict[str, Any],
                       changes: dict[str, Any]) -> dict[str, Any]:
        status = current.get("TriggeredSendStatus") or "New"
        if status in ("Canceled", "Deleted"):
            raise Invalid(f"Triggered Send Definition Cannot Be Updated: it is {status}.",
                          code=codes.SOAP.TSD_CANNOT_UPDATE)
        wanted = changes.get("TriggeredSendStatus")
        if wanted:
            self.check_transition(status, wanted)
        check_key(self.service, mid, self.type_name, changes.get("CustomerKey"), codes.SOAP.TSD_KEY_INVALID,
                  "Triggered Send Definition ", current.get("CustomerKey"))
        content = set(changes) - LIVE_CHANGES
        if status == "Active" and wanted in (None, "Active") and content:
            raise Invalid("Triggered Send Definition Cannot Be Updated while Active: pause it (TriggeredSendStatus "
                          f"Inactive) first; changed: {', '.join(sorted(content))}.",
                          code=codes.SOAP.TSD_CANNOT_UPDATE)
        self._references(mid, changes)
        return changes

    @staticmethod
    def check_transition(status: str, wanted: str) -> None:
        if wanted not in TRANSITIONS.get(status, set()):
            code = TRANSITION_ERRORS.get(wanted, codes.SOAP.TSD_CANNOT_UPDATE)
            raise Invalid(f"{code.message}: it is {status}.", code=code)

    def _references(self, mid: int, props: dict[str, Any]) -> None:
        sends = _sends(self)
        resolve_references(sends, mid, props, codes.SOAP.TSD_EMAIL_NOT_FOUND,
                           codes.SOAP.TSD_CLASSIFICATION_NOT_FOUND)
        if props.get("List"):
            found = sends.find(mid, "List", props["List"], ("ID", "ObjectID", "CustomerKey"))
            if found is None:
                raise NotFound(f"Triggered Send Definition List Not Found: no List with {ref_text(props['List'])}.",
                               code=codes.SOAP.TSD_LIST_NOT_FOUND)
            props["List"] = {"__type__": "List", "ID": found["ID"]}

    def perform(self, ctx: CallContext, mid: int, action: str, props: dict[str, Any],
                options: dict[str, Any]) -> PerformOutcome:
        if action not in ("start", "pause", "publish"):
            raise Unsupported(f"The Perform action '{action}' is not supported for the TriggeredSendDefinition "
                              "object (supported: start, pause, publish).",
                              code=codes.SOAP.UNSUPPORTED_ACTION)
        if not has_identifier(props, ("ObjectID", "CustomerKey")):
            raise Invalid("Triggered Send Definition Object ID or Customer Key Not Found",
                          code=codes.SOAP.TSD_KEY_NOT_SPECIFIED)
        with self.service.emu.store.transaction():
            existing = self.service.find_existing(mid, self.type_name, props)
            if existing is None:
                raise self.not_found(ref_text(props))
            status = existing.data.get("TriggeredSendStatus") or "New"
            if action == "publish":
                if status in ("Canceled", "Deleted"):
                    raise Invalid(f"Triggered Send Definition Content Cannot Be Refreshed: it is {status}.",
                                  code=codes.SOAP.TSD_CANNOT_REFRESH)
            else:
                wanted = "Active" if action == "start" else "Inactive"
                if action == "pause" and status != "Active":
                    raise Invalid(f"Triggered Send Definition Cannot Be Deactivated: it is {status}.",
                                  code=codes.SOAP.TSD_CANNOT_DEACTIVATE)
                self.check_transition(status, wanted)
                existing.data["TriggeredSendStatus"] = wanted
            existing.data["ModifiedDate"] = self.service.now_iso()
            self.service.repo.replace(existing, self.service.emu.clock.now().timestamp())
        data = existing.data
        echo = {"__type__": self.type_name, "ObjectID": data["ObjectID"], "CustomerKey": data["CustomerKey"],
                "Name": data.get("Name"), "TriggeredSendStatus": data["TriggeredSendStatus"]}
        return PerformOutcome(message="TriggeredSendDefinition performed", object=echo)


@behaviour("TriggeredSend")
class TriggeredSendBehaviour(Behaviour):
    """One message per subscriber, rendered at once; SendID of the events is the definition's send job id."""

    def create(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int) -> ObjectResult:
        emu = self.service.emu
        sends = _sends(self)
        ref = props.get("TriggeredSendDefinition") or {}
        subscribers = props.get("Subscribers") or []
        # An error result echoes `props`: keep the elements the WSDL requires there so the answer validates.
        props["TriggeredSendDefinition"] = ref or {"__type__": "TriggeredSendDefinition"}
        props["Subscribers"] = subscribers or [{"__type__": "Subscriber"}]
        if not has_identifier(ref, ("ObjectID", "CustomerKey")):
            raise Invalid("The Triggered Send Object must contain the Triggered Send ID or the Customer Key",
                          code=codes.SOAP.TS_DEFINITION_INVALID)
        with emu.store.transaction():
            existing = self.service.find_existing(mid, "TriggeredSendDefinition", ref)
            if existing is None:
                raise Invalid(f"Invalid Customer Key: no TriggeredSendDefinition with {ref_text(ref)}.",
                              code=codes.SOAP.TS_DEFINITION_INVALID)
            tsd = existing.data
            status = tsd.get("TriggeredSendStatus") or "New"
            if status == "New":
                raise Invalid("The Triggered Send Definition is not completely configured or in a new status",
                              code=codes.SOAP.TS_NOT_CONFIGURED)
            if status != "Active":
                raise Invalid(f"Triggered Send must be in an Active status to send (it is {status}).",
                              code=codes.SOAP.TS_DEFINITION_INVALID)
            if not subscribers:
                raise Invalid("The Triggered Send Object must have subscribers associated with it",
                              code=codes.SOAP.TS_NO_SUBSCRIBERS)
            email = sends.plan_email(mid, tsd.get("Email"), Invalid(
                "The Triggered Send Definition is not completely configured: its Email no longer exists.",
                code=codes.SOAP.TS_NOT_CONFIGURED))
            classification = sends.find(mid, "SendClassification", tsd.get("SendClassification"),
                                        ("ObjectID", "CustomerKey", "Name"))
            from_name, from_address, honour = sends.sender(mid, classification, tsd.get("SenderProfile"))
            from_name, from_address = tsd.get("FromName") or from_name, tsd.get("FromAddress") or from_address
            if not tsd.get("_send_id"):
                tsd["_send_id"] = emu.store.next_value("job", FIRST_JOB_ID)
                self.service.repo.replace(existing, emu.clock.now().timestamp())
            failures = self._send_each(mid, tsd, email, subscribers, props.get("Attributes") or [],
                                       (from_name, from_address), honour)
        result_type = {"__type__": "TriggeredSendCreateResult"}
        if failures:
            result_type["SubscriberFailures"] = failures
        echo = {"__type__": "TriggeredSend", "TriggeredSendDefinition": {
            "__type__": "TriggeredSendDefinition", "ObjectID": tsd["ObjectID"], "CustomerKey": tsd["CustomerKey"]},
            "Subscribers": subscribers}
        if len(failures) == len(subscribers):
            return ObjectResult(ok=False, error_code=codes.SOAP.TS_NOT_QUEUED, object=echo, extra=result_type,
                                message="Unable to queue Triggered Send request. There are no valid subscribers.")
        return ObjectResult(ok=True, message="Created TriggeredSend", new_id=0, object=echo, extra=result_type)

    def _send_each(self, mid: int, tsd: dict[str, Any], email: dict[str, Any], subscribers: list[dict[str, Any]],
                   send_attributes: list[dict[str, Any]], sender: tuple[str, str],
                   honour: bool) -> list[dict[str, Any]]:
        emu = self.service.emu
        content = email_content(email, tsd.get("EmailSubject") or tsd.get("DynamicEmailSubject"),
                                blocks=block_fetcher(emu.documents, emu.document_query, mid))
        now = emu.clock.now().timestamp()
        send_id, batch, failures = tsd["_send_id"], Batch(), []
        shared = {a.get("Name"): a.get("Value") for a in send_attributes if a.get("Name")}
        for ordinal, sub in enumerate(subscribers):
            address = (sub.get("EmailAddress") or "").strip()
            key = sub.get("SubscriberKey") or address
            if not address or "@" not in address:
                failures.append(_failure(sub, ordinal, codes.SOAP.TS_NOT_QUEUED, "The subscriber has no valid "
                                         "EmailAddress."))
                continue
            known = emu.audience.get_subscriber(mid, key)
            event = Event(mid, send_id, key, address, "Sent", now, triggered_send_key=tsd["CustomerKey"],
                          detail={"tsd_object_id": tsd["ObjectID"]})
            magic = magic_kind(address)
            skip = (known and (known.status in UNDELIVERABLE_STATUSES or
                               (honour and known.status == "Unsubscribed"))) or magic == "held"
            if skip:  # SFMC accepts the request and suppresses the message: a NotSent event, no outbox row
                status = known.status if known else "Held"
                batch.events.append(event.but("NotSent", reason=f"subscriber status {status}"))
                continue
            if magic == "error":
                failures.append(_failure(sub, ordinal, codes.SOAP.TS_SUBSCRIBER_ERROR, "Unhandled exception related "
                                         "to TriggeredSend subscriber processing (magic error address)."))
                batch.events.append(event.but("NotSent"))
                continue
            values = {**(known.attributes if known else {}), **shared,
                      **{a.get("Name"): a.get("Value") for a in sub.get("Attributes") or [] if a.get("Name")},
                      "EmailAddress": address, "SubscriberKey": key, "JobID": send_id, "_EmailID": email["ID"],
                      "emailname_": email["Name"], "MemberID": mid}
            owner = sub.get("Owner") or {}
            subject, html, text = content.render(lookup_table(values), derive_text=True)
            batch.sent(Message(
                mid, address, key, subject, html, text, owner.get("FromName") or sender[0],
                owner.get("FromAddress") or sender[1],
                {"email_id": email["ID"], "email_key": email["CustomerKey"],
                 "triggered_send_definition": tsd["CustomerKey"], "audience": "triggered",
                 "values": {k: v for k, v in values.items() if v is not None}},
                now, job_id=send_id, definition_key=tsd["CustomerKey"]), event, bounce=magic == "bounce")
        emu.delivery.deliver(batch)
        return failures


def _failure(sub: dict[str, Any], ordinal: int, code: codes.SOAP, description: str) -> dict[str, Any]:
    return {"__type__": "SubscriberResult",
            "Subscriber": {"__type__": "Subscriber", **{k: sub[k] for k in ("EmailAddress", "SubscriberKey")
                                                        if sub.get(k)}},
            "ErrorCode": str(int(code)), "ErrorDescription": description, "Ordinal": ordinal}


class TriggeredSendOverRest:
    """POST /messaging/v1/messageDefinitionSends/{key:K | ObjectID}/send: the classic triggered send of a
    SOAP TriggeredSendDefinition, one recipient, answered in REST's shape (no tracking events)."""

    def __init__(self, objects: ObjectRepository, audience: AudienceRepository, ids: IdSource, clock: Clock,
                 delivery: Delivery) -> None:
        self.objects, self.audience, self.ids, self.clock, self.delivery = objects, audience, ids, clock, delivery

    def send(self, ctx: CallContext, ref: str, body: dict[str, Any]) -> dict[str, Any]:
        mid = ctx.mid
        # key:<CustomerKey>, or the ObjectID bare or as id:<ObjectID> [swag messageDefinitionSends]
        prop, value = ("CustomerKey", ref[4:]) if ref.startswith("key:") else ("ObjectID", ref.removeprefix("id:"))
        tsd = self.objects.find_one(mid, "TriggeredSendDefinition", prop, value)
        if tsd is None:
            raise NotFound(f"Triggered Send Definition Not Found: no TriggeredSendDefinition with {prop} "
                           f"'{value}'.", code=codes.REST.NOT_FOUND)
        request_id = send_id = self.ids.guid()
        to = body.get("To")
        if not isinstance(to, dict) or not isinstance(to.get("Address"), str) or not EMAIL.match(to["Address"]):
            # The documented answer is this bare item, with no requestId/responses wrapper [doc:messageDefinitionSends]
            return {"recipientSendId": "", "hasErrors": True, "messages": ["InvalidOrMissingToAddress"]}
        key = to.get("SubscriberKey") or to["Address"]
        if tsd.data.get("TriggeredSendStatus") != "Active":
            return _rest_error(request_id, send_id, "Unable to queue Triggered Send request. The Triggered "
                               "Send Definition is not active.")
        email_ref = tsd.data.get("Email") or {}
        email = None
        for prop_name in ("ObjectID", "CustomerKey", "ID"):
            if email_ref.get(prop_name) not in (None, ""):
                email = self.objects.find_one(mid, "Email", prop_name, email_ref[prop_name])
                break
        if email is None:
            return _rest_error(request_id, send_id, "Unable to queue Triggered Send request. The email of "
                               "the Triggered Send Definition does not exist.")
        subscriber = self.audience.get_subscriber(mid, key)
        if subscriber is not None and subscriber.status in ("Unsubscribed", "Held", "Bounced"):
            return _rest_error(request_id, send_id, "Unable to queue Triggered Send request. There are no "
                               "valid subscribers.")
        attributes = ((to.get("ContactAttributes") or {}).get("SubscriberAttributes") or {})
        if not isinstance(attributes, dict):
            raise invalid(codes.REST.INVALID_DATA_TYPE, "To.ContactAttributes.SubscriberAttributes must be an "
                          "object.")
        content = email_content(email.data)
        values = {**(subscriber.attributes if subscriber else {}), **attributes, "SubscriberKey": key,
                  "EmailAddress": to["Address"]}
        subject, html, text = content.render(lookup_table(values))
        given = body.get("From") if isinstance(body.get("From"), dict) else {}
        sender = self._sender(mid, tsd.data)
        self.delivery.deliver(Batch([Message(
            mid, to["Address"], key, subject, html, text, given.get("Name") or sender.name,
            given.get("Address") or sender.address,
            {**content.source, "triggered_send_key": tsd.data.get("CustomerKey"), "values": values},
            self.clock.now().timestamp(), message_key=send_id, definition_key=tsd.data.get("CustomerKey"))]))
        return {"requestId": request_id, "responses": [
            {"recipientSendId": send_id, "hasErrors": False, "messages": ["Queued"]}]}

    def _sender(self, mid: int, tsd: dict[str, Any]) -> Sender:
        """The definition's own From name and address when it has both, else its classification's sender."""
        if tsd.get("FromName") and tsd.get("FromAddress"):
            return Sender(str(tsd["FromName"]), str(tsd["FromAddress"]))
        classification = tsd.get("SendClassification") or {}
        key = classification.get("CustomerKey")
        if not key and classification.get("ObjectID"):
            found = self.objects.find_one(mid, "SendClassification", "ObjectID", classification["ObjectID"])
            key = found.data.get("CustomerKey") if found else None
        return self.delivery.sender(mid, self.delivery.classification(mid, key or DEFAULT_CLASSIFICATION))


def _rest_error(request_id: str, send_id: str, status: str) -> dict[str, Any]:
    return {"requestId": request_id, "responses": [{"recipientSendId": send_id, "hasErrors": True, "messageErrors": [
        {"messageErrorCode": codes.REST.TRIGGERED_NOT_QUEUED, "messageErrorStatus": status}]}]}
