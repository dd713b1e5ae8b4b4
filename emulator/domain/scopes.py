"""Which installed-package scope each SOAP operation needs on each object family: the one table.

SFMC applies the package's permissions to SOAP calls as well as to REST routes. Its published table
(docs: mc-apis/rest-permissions-and-scopes) maps each REST resource to the user permission behind it
("Email > Subscribers > Data Extension > Update" -> data_extensions_write, "Email > Content > Email > Send"
-> email_send, ...). The SOAP objects below sit behind the same permissions, so they need the same scopes:

- reading an object (Retrieve, Describe) needs the family's ``read`` scope;
- changing one (Create, Update, Delete, Configure) needs its ``write`` scope;
- creating a TriggeredSend or Send sends email, so it needs email_send;
- acting on one (Perform, Schedule, Execute) needs its ``act`` scope: email_send to start a send,
  automations_execute to start an import or automation, the write scope where the act is a change
  (Execute LogUnsubEvent unsubscribes).

The REST side (web.py ``requires_token(scope)``) names the same scopes. An object type not listed
needs no scope here: the operation answers it as it would anyway (unknown or unsupported type).
DataFolder's scope is not in SFMC's table; it follows the content it holds (saved content), an inference.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    read: str
    write: str
    act: str


_EMAIL = Family("email_read", "email_write", "email_send")
_LISTS = Family("list_and_subscribers_read", "list_and_subscribers_write", "list_and_subscribers_write")
_DATA_EXTENSIONS = Family("data_extensions_read", "data_extensions_write", "data_extensions_write")
_TRACKING = Family("tracking_events_read", "tracking_events_write", "tracking_events_write")
_AUTOMATIONS = Family("automations_read", "automations_write", "automations_execute")
_ACCOUNTS = Family("accounts_read", "accounts_write", "accounts_write")
_USERS = Family("users_read", "users_write", "users_write")
_CONTENT = Family("saved_content_read", "saved_content_write", "saved_content_write")
_FILE_LOCATIONS = Family("file_locations_read", "file_locations_write", "file_locations_write")
_SMS = Family("sms_read", "sms_write", "sms_send")

# object type (the xsi:type / ObjectType on the wire) -> its family
OBJECT_FAMILIES: dict[str, Family] = {
    **dict.fromkeys((
        "Email", "EmailSendDefinition", "TriggeredSendDefinition", "TriggeredSend", "Send", "SendClassification",
        "SenderProfile", "DeliveryProfile", "ContentArea", "Template", "Message", "EmailSend",
        "SendEmailMOKeyword", "ListSend", "LinkSend", "SendSummary", "TriggeredSendSummary", "ReplyMailManagementConfiguration",
    ), _EMAIL),
    **dict.fromkeys((
        "List", "Subscriber", "ListSubscriber", "SubscriberList", "Group", "PublicationList",
        "PublicationSubscriber", "SuppressionListDefinition", "SuppressionListContext", "UnsubscribeFromSMSPublicationMOKeyword",
        "ContactEvent",
    ), _LISTS),
    **dict.fromkeys((
        "DataExtension", "DataExtensionField", "DataExtensionObject", "DataExtensionTemplate",
        "DataExtensionCreateActivity", "DataExtensionUpdateActivity", "DataExtensionDeleteActivity",
    ), _DATA_EXTENSIONS),
    **dict.fromkeys((
        "TrackingEvent", "OpenEvent", "BounceEvent", "UnsubEvent", "ClickEvent", "SentEvent", "NotSentEvent",
        "SurveyEvent", "ForwardedEmailEvent", "ForwardedEmailOptInEvent", "DeliveredEvent", "LinkEvent",
    ), _TRACKING),
    **dict.fromkeys((
        "ImportDefinition", "ImportResultsSummary", "QueryDefinition", "Automation", "AutomationActivity",
        "FileTransferActivity", "ExtractDefinition", "FilterDefinition", "FilterActivity", "ProgramManifestTemplate",
    ), _AUTOMATIONS),
    **dict.fromkeys(("BusinessUnit", "Account", "Role", "BusinessRule"), _ACCOUNTS),
    **dict.fromkeys(("AccountUser",), _USERS),
    **dict.fromkeys(("DataFolder", "Portfolio", "ContentValidation"), _CONTENT),
    **dict.fromkeys(("FileTransferLocation", "FTPLocation"), _FILE_LOCATIONS),
    **dict.fromkeys(("SMSTriggeredSend", "SMSTriggeredSendDefinition", "SMSMTEvent", "SMSMOEvent"), _SMS),
}

_READ = {"Retrieve", "Describe", "Query"}
_WRITE = {"Create", "Update", "Delete", "Configure"}
_ACT = {"Perform", "Schedule", "Execute", "Extract"}

# Creating these objects sends email (SFMC's "Messages > Triggered > Create" permission is email_send).
OVERRIDES: dict[tuple[str, str], str] = {("Create", "TriggeredSend"): "email_send", ("Create", "Send"): "email_send"}

# Execute requests name what they do, not an object type; LogUnsubEvent unsubscribes a subscriber.
EXECUTE_REQUESTS: dict[str, Family] = {"LogUnsubEvent": _LISTS}


def required_scope(operation: str, object_type: str) -> str | None:
    """The scope `operation` needs on `object_type`, or None when SFMC's table puts no scope on it."""
    object_type = object_type.partition("[")[0]  # Retrieve names rows as DataExtensionObject[CustomerKey]
    if (operation, object_type) in OVERRIDES:
        return OVERRIDES[operation, object_type]
    family = OBJECT_FAMILIES.get(object_type) or (EXECUTE_REQUESTS.get(object_type) if operation == "Execute"
                                                  else None)
    if family is None:
        return None
    if operation in _READ:
        return family.read
    if operation in _WRITE:
        return family.write
    if operation in _ACT:
        return family.act
    return None


def missing_scopes(granted: frozenset[str], operation: str, object_types: list[str]) -> list[str]:
    """The scopes `operation` on these object types needs and `granted` lacks (each named once, in order)."""
    missing: list[str] = []
    for object_type in object_types:
        scope = required_scope(operation, object_type)
        if scope is not None and scope not in granted and scope not in missing:
            missing.append(scope)
    return missing
