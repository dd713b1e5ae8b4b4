"""SFMC's error codes, one table per protocol family: every code the emulator answers, by name.

Like moto's per-service exceptions, a raise site names the case (``codes.SOAP.SUBSCRIBER_ALREADY_EXISTS``)
rather than a number; the table says which number SFMC puts on the wire and its default text. Members are
``int`` (an ``IntEnum``), so they encode as the bare number in XML and JSON, unchanged.

- ``SOAP``: the Partner API's ``ErrorCode`` of a result [doc:SOAP/*_object error-code pages].
- ``REST``: the ``errorcode`` of REST JSON errors, and the per-recipient codes of transactional sends;
  ``mcms`` is the symbolic ``MCMS_UTM_*`` prefix SFMC puts before the text [doc:transactional-send-response].
- ``NOT_SENT``: ``statusCode`` of a transactional message that was not sent [doc:transactional-send-subscriber].

``table(family)`` lists a family as (number, name, message) rows, for the docs' error tables.
"""

from __future__ import annotations

from enum import IntEnum, unique


class Code(IntEnum):
    """A wire code with its default message (and, for REST, the MCMS symbolic name)."""

    message: str
    mcms: str | None

    def __new__(cls, number: int, message: str, mcms: str | None = None) -> Code:
        member = int.__new__(cls, number)
        member._value_ = number
        member.message = message
        member.mcms = mcms
        return member


@unique
class SOAP(Code):
    """Partner API (SOAP) ``ErrorCode`` values."""

    DUPLICATE_CUSTOMER_KEY = 1, "An object with this CustomerKey already exists"
    ERROR = 2, "Error"  # SFMC's generic code; also an update/delete that matches nothing
    UNSUPPORTED_METHOD = 5, "Cannot perform this method on objects of this type"
    UNSUPPORTED_TYPE = 8, "Unsupported APIObject type"
    CLIENT_NOT_ACCESSIBLE = 11, "The client ID is not accessible to the calling account"
    UNSUPPORTED_ACTION = 100, "The Perform or Schedule action is not supported for the object"
    SCHEDULE_VALIDATION = 140, "Schedule_Validation Error"
    SCHEDULE_START_NOT_SPECIFIED = 151, "Schedule_Recurrence_Start DateTime Not Specified"
    TOO_MANY_OBJECTS = 218, "The number of objects in the request must be less than 32767"
    # [doc:LogUnsubEvent] gives 400-407 to subscriber validation without telling them apart: the first is used.
    LOG_UNSUB_SUBSCRIBER = 400, "Subscriber validation failed"
    EMAIL_NOT_FOUND = 4001, "Email Does Not Exist"
    EMAIL_CATEGORY_INVALID = 4002, "Email Category ID Invalid"
    SEND_EMAIL_NOT_SPECIFIED = 7001, "An email ID, Partner Key, or body must be specified"
    SEND_LIST_NOT_SPECIFIED = 7002, "A list must be specified"
    SEND_LIST_FAILED = 7004, "Error creating/updating lists"
    SEND_EMAIL_NOT_LOADED = 7007, "Unable to load email"
    SEND_CANNOT_CHANGE = 7009, "The send cannot change to that status"
    INVALID_EMAIL_ADDRESS = 12000, "InvalidEmailAddress"
    SUBSCRIBER_NOT_FOUND = 12001, "SubscriberNotFound"
    SUBSCRIBER_ALREADY_EXISTS = 12014, "SubscriberAlreadyExists"
    SUBSCRIBER_STATUS_INVALID = 12016, "Subscriber.Status is not valid here"
    LIST_NOT_FOUND = 13000, "List Not Found"
    LIST_ID_NOT_SPECIFIED = 13001, "List ID Not Specified"
    LIST_CATEGORY_INVALID = 13009, "List Category Invalid"
    LIST_NAME_TOO_LONG = 13010, "List Name Too Long"
    LIST_STATUS_INVALID = 13014, "Invalid List Status"
    TSD_CANNOT_ACTIVATE = 17000, "Triggered Send Definition Cannot Be Activated"
    TSD_CANNOT_CANCEL = 17001, "Triggered Send Definition Cannot Be Canceled"
    TSD_CANNOT_DEACTIVATE = 17002, "Triggered Send Definition Cannot Be Deactivated"
    TSD_CANNOT_UPDATE = 17003, "Triggered Send Definition Cannot Be Updated"
    TSD_CANNOT_REFRESH = 17005, "Triggered Send Definition Content Cannot Be Refreshed"
    TSD_KEY_NOT_SPECIFIED = 17010, "Triggered Send Definition Object ID or Customer Key Not Found"
    TSD_EMAIL_NOT_SPECIFIED = 17013, "Triggered Send Definition Email ID or Partner Key Not Found"
    TSD_CLASSIFICATION_NOT_FOUND = 17014, "Triggered Send Definition Send Classification Not Found"
    TSD_NOT_FOUND = 17015, "Triggered Send Definition Not Found"
    TSD_EMAIL_NOT_FOUND = 17016, "Triggered Send Definition Email Not Found"
    TSD_LIST_NOT_FOUND = 17017, "Triggered Send Definition List Not Found"
    TSD_KEY_INVALID = 17100, "Triggered Send Definition Customer Key Invalid"
    TSD_NAME_INVALID = 17101, "Triggered Send Definition Name Invalid"
    TS_NOT_CONFIGURED = 18001, "The Triggered Send Definition is not completely configured or in a new status"
    TS_DEFINITION_INVALID = 18002, "Invalid Customer Key"
    TS_SUBSCRIBER_ERROR = 18006, "Unhandled exception related to TriggeredSend subscriber processing"
    SC_NOT_FOUND = 24100, "SC_SendClassificationNot Found"
    SC_SENDER_PROFILE_NOT_FOUND = 24101, "SC_Sender Profile Not Found"
    SC_DELIVERY_PROFILE_NOT_FOUND = 24102, "SC_Delivery Profile Not Found"
    SC_NAME_INVALID = 24104, "SC_Name Invalid"
    SP_NOT_FOUND = 40100, "SP_Sender Profile Not Found"
    SP_FROM_NAME_NOT_SPECIFIED = 40101, "SP_From Name Not Specified"
    SP_FROM_ADDRESS_NOT_SPECIFIED = 40102, "SP_From Address Not Specified"
    SP_NAME_INVALID = 40104, "SP_Name Invalid"
    SP_FROM_ADDRESS_INVALID = 40106, "SP_From Address Invalid"
    DP_NAME_INVALID = 41105, "DP_Name Invalid"
    DP_NOT_FOUND = 41301, "DP_Delivery Profile Not Found"
    ESD_NOT_SPECIFIED = 42001, "ESD_Not Specified"
    ESD_NOT_FOUND = 42002, "ESD_Not Found"
    ESD_CLASSIFICATION_NOT_FOUND = 42003, "ESD_Send Classification Not Found"
    ESD_EMAIL_NOT_FOUND = 42004, "ESD_Email Not Found"
    ESD_EMAIL_NOT_SPECIFIED = 42005, "ESD_Email Not Specified"
    ESD_LIST_NOT_FOUND = 42007, "ESD_List Not Found"
    ESD_DATA_EXTENSION_NOT_FOUND = 42008, "ESD_Custom Object Not Found"
    ESD_KEY_INVALID = 42100, "ESD_Customer Key Invalid"
    ESD_NAME_INVALID = 42101, "ESD_Name Invalid"
    ESD_LIST_INVALID = 42110, "ESD_Send Definition List Invalid"
    IMPORT_KEY_NOT_SPECIFIED = 43000, "ImportDefinition Customer Key Not Specified"
    IMPORT_NOT_FOUND = 43010, "ImportDefinition Not Found"
    IMPORT_EXISTS = 43030, "ImportDefinition Exists"
    IMPORT_VALIDATION = 43060, "ImportDefinition Validation Error"
    DE_ROW_INVALID = 70000, "Custom Object row: a value of the wrong type or an unknown column"
    DE_ROW_MISSING_REQUIRED = 70001, "Custom Object row: a required value is missing"
    DE_ROW_TOO_LONG = 70002, "Custom Object row: a value is longer than the column allows"
    DE_ROW_UNKNOWN_DE = 70003, "Custom Object row: the data extension does not exist"
    DE_NOT_NAMED = 70004, "Custom Object Null Or Empty"
    TS_NO_SUBSCRIBERS = 180007, "The Triggered Send Object must have subscribers associated with it"
    TS_NOT_QUEUED = 180008, "Unable to queue Triggered Send request"
    DE_NO_NAME = 310001, "DataExtensionStubValidationErrorNoKeyFound"
    DE_OBJECT_ID_ON_CREATE = 310005, "DataExtensionProcessValidationErrorAddWithObjectID"
    DE_VALIDATION = 310007, "Data extension validation error"
    FILTER_OBJECT_ID_ON_CREATE = 373000, "Filter definition create calls cannot specify the ObjectID"
    FILTER_DATA_SOURCE_ID_REQUIRED = 373001, "Either object ID or customer key is required for the DataSource"
    FILTER_DATA_SOURCE_NOT_FOUND = 373002, "The data extension specified as DataSource was not found"
    FILTER_NAME_REQUIRED = 373003, "Filter definition name is required for Create calls"
    FILTER_NAME_EXISTS = 373004, "Filter definition name already exists"
    FILTER_KEY_EXISTS = 373005, "Filter definition customer key already exists"
    FILTER_NOT_FOUND = 373007, "Filter definition was not found"
    FILTER_DATA_FILTER_REQUIRED = 373008, "DataFilter is required for Create calls"
    FILTER_DATA_FILTER_INVALID = 373009, "The DataFilter that was provided is invalid"
    FILTER_DATA_SOURCE_TYPE = 373010, "The type of the DataSource does not allow filtering"
    FILTER_PROPERTY_NOT_FOUND = 373011, "The property provided could not be found"
    FILTER_PART_INVALID = 373012, "Invalid filter part"
    FOLDER_INVALID_CALL = 396001, "Data Folder Invalid Call"
    FOLDER_KEY_EXISTS = 396002, "Data Folder Customer Key Exists"
    FOLDER_NAME_REQUIRED = 396003, "Data Folder Name Required"
    FOLDER_CONTENT_TYPE_REQUIRED = 396004, "Data Folder Content Type Required"
    FOLDER_CONTENT_TYPE_INVALID = 396005, "Data Folder Content Type Invalid"
    FOLDER_INVALID_PARENT = 396007, "Data Folder Invalid Parent"


_V = "MCMS_UTM_Validation_"
_R = "MCMS_UTM_Runtime_"


@unique
class REST(Code):
    """REST ``errorcode`` values (JSON errors and transactional per-recipient codes)."""

    NOT_AUTHORIZED = 0, "Not Authorized"
    VALIDATION = 10000, "Validation error"
    INVALID_DATA_TYPE = 10001, "Invalid data type", _V + "InvalidDataType"
    MISSING_FIELD = 10002, "Missing required field", _V + "MissingRequiredField"
    NOT_AN_OBJECT = 10003, "The request body must be a JSON object"
    MALFORMED_JSON = 10004, "Malformed JSON in request body"
    INVALID_VALUE = 10005, "Invalid value", _V + "InvalidValue"
    UNABLE_TO_SAVE_ROWS = 10006, "Unable to save rows for data extension"
    FORBIDDEN = 20000, "Forbidden"
    INSUFFICIENT_SCOPE = 20001, "Insufficient privileges"
    INVALID_OPERATION = 30001, "Invalid operation", _R + "InvalidOperation"
    NOT_FOUND = 30003, "Not found", _R + "ObjectNotFound"
    ALREADY_EXISTS = 30004, "Already exists", _R + "ObjectAlreadyExists"
    RATE_LIMITED = 50100, "Rate limit exceeded"
    SERVICE_UNAVAILABLE = 50300, "Service Unavailable"
    RESPONSES_HAVE_ERRORS = 109001, "Some recipients failed to queue", "MCMS_UTM_ResponsesHasErrors"
    TOO_MANY_RECIPIENTS = 109101, "Too many recipients", _V + "TooManySubscribers"
    NO_RECIPIENTS = 109102, "No recipients", _V + "NoSubscribers"
    MISSING_CONTACT_KEY = 109105, "Invalid subscriber", _V + "MissingRequiredField_subscriberKey"
    MISSING_TO = 109106, "Invalid subscriber", _V + "MissingRequiredField_to"
    MISSING_DEFINITION_KEY = 109107, "definitionKey is required", _V + "MissingRequiredField_definitionKey"
    INVALID_MESSAGE_KEY = 109108, "Invalid messageKey", _V + "InvalidValue_messageKey"
    INVALID_CONTACT_KEY = 109109, "Invalid subscriber", _V + "InvalidValue_subscriberKey"
    DUPLICATE_MESSAGE_KEY = 109110, "messageKey has already been used", _V + "DuplicateMessageKey"
    INVALID_DEFINITION_KEY = 109111, "Invalid definitionKey", _V + "InvalidValue_definitionKey"
    INVALID_OPTIONS = 109112, "Invalid options", _V + "InvalidValue_options"
    INVALID_AUTO_ADD = 109113, "Invalid autoAddSubscriber", _V + "InvalidValue_autoAddSubscriber"
    INVALID_RESUBSCRIBE = 109114, "Invalid resubscribe", _V + "InvalidValue_resubscribe"
    INVALID_KEYWORD = 109115, "Invalid keyword", _V + "InvalidValue_keyword"
    MISSING_KEYWORD = 109120, "keyword is required", _V + "MissingRequiredField_keyword"
    INVALID_TO = 109121, "Invalid subscriber", _V + "InvalidValue_to"
    UNKNOWN_FIELD = 109122, "Unknown field name", _V + "UnknownFieldName"
    CLASSIFICATION_NOT_TRANSACTIONAL = 109123, "The classification is not transactional", \
        _V + "InvalidValue_classification_IncorrectType"
    INVALID_EMAIL = 109124, "Email does not pass validation", _V + "email_does_not_pass_validation"
    INVALID_UPDATE_SUBSCRIBER = 109125, "Invalid updateSubscriber", _V + "InvalidValue_updateSubscriber"
    TRIGGERED_NOT_QUEUED = 180008, "Unable to queue Triggered Send request"
    # Content Builder: 118039 comes inside a 10006 "Request contained some validation errors." answer's
    # validationErrors list, 118090 alone (bodies recorded from real SFMC in FiB3/ssjs-vsc sfmcErrors.md)
    ASSET_NAME_NOT_UNIQUE = 118039, "Asset names within a category and asset type must be unique"
    CATEGORY_EXISTS = 118090, "Category already exists"


@unique
class NOT_SENT(Code):  # noqa: N801 - a family named like the others
    """``statusCode`` / ``statusMessage`` of a transactional message that was not sent."""

    UNSUBSCRIBED = 1, "Unsubscribed"
    HELD = 2, "Held"
    MISSING_EMAIL = 4, "MissingEmailAddress"
    INVALID_EMAIL = 5, "InvalidEmailAddress"
    UNSPECIFIED = 15, "UnspecifiedError"
    BUILD_ERROR = 26, "BuildEmailError"
    MISSING_KEY = 29, "MissingSubscriberKeyValue"
    DEFINITION_DELETED = 37, "QueuedTransactionDeleted"
    QUEUE_CLEARED = 39, "SubscriberQueueCleared"
    MOBILE_NOT_FOUND = 47, "Mobile Address not found"  # SMS: the reason ENS gives [doc:ens-supported-events]
    TIMED_OUT = 139, "TimedoutInQueue"
    LIST_UNSUBSCRIBED = 1000, "UnsubscribedList"


FAMILIES: dict[str, type[Code]] = {"SOAP": SOAP, "REST": REST, "NOT_SENT": NOT_SENT}


def table(family: str | type[Code]) -> list[tuple[int, str, str]]:
    """A family's codes as (number, name, default message) rows, by number (for the docs' error tables)."""
    codes = FAMILIES[family] if isinstance(family, str) else family
    return sorted((int(code), code.name, code.message) for code in codes)
