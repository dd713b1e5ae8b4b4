"""Request bodies of transactional messaging (/messaging/v1/email/...) and the classic triggered send over
REST: the OpenAPI document's schemas, with SFMC's specific codes for the fields that have one
[doc:transactional-send-response] and what the document leaves open declared here."""

from __future__ import annotations

from ...domain.codes import REST
from ...domain.transactional.common import MAX_RECIPIENTS
from . import SCALARS, declare, openapi

_ADDRESSES = {"type": ["string", "array", "null"], "items": {"type": "string", "x-errorcode": REST.INVALID_OPTIONS},
              "x-errorcode": REST.INVALID_OPTIONS}  # "a@x.com;b@x.com" or a list
_DEFINITION = {
    "subscriptions.autoAddSubscriber": {"x-errorcode": REST.INVALID_AUTO_ADD},
    "subscriptions.updateSubscriber": {"type": "boolean", "x-errorcode": REST.INVALID_UPDATE_SUBSCRIBER},
    "options": {"type": "object", "x-errorcode": REST.INVALID_OPTIONS},
    "options.trackLinks": {"x-errorcode": REST.INVALID_OPTIONS},
    "options.cc": _ADDRESSES,
    "options.bcc": _ADDRESSES,
    "options.createJourney": {"type": "boolean", "x-errorcode": REST.INVALID_OPTIONS},
}

CREATE_DEFINITION = openapi("EmailDefinition", _DEFINITION, mcms=True)
UPDATE_DEFINITION = openapi("UpdateEmailDefinitionRequest", {
    **_DEFINITION, "definitionKey": {"type": ["string", "null"]}}, mcms=True)

_SEND = {
    "definitionKey": {"x-errorcode": REST.INVALID_DEFINITION_KEY},
    "attributes": {**SCALARS, "type": ["object", "null"]},  # shared by every recipient of the request
}
_RECIPIENT = {"attributes": {**SCALARS, "type": ["object", "null"]}}

SEND_SINGLE = openapi("SendEmailToSingleRecipientRequest", {
    **_SEND, **{f"recipient.{k}": v for k, v in _RECIPIENT.items()}}, mcms=True)
SEND_BATCH = openapi("SendEmailToMultipleRecipientsRequest", {
    **_SEND, "recipients": {"maxItems": MAX_RECIPIENTS, "x-errorcode": {"maxItems": REST.TOO_MANY_RECIPIENTS}},
    "recipients.*": {"type": "object"},  # a recipient is an object, never null
    **{f"recipients.*.{k}": v for k, v in _RECIPIENT.items()}}, mcms=True)

# The classic triggered send (messageDefinitionSends) is not in the document: declared from its doc page.
_TEXT = {"type": ["string", "null"]}
TRIGGERED_SEND = declare("messageDefinitionSend", {"type": "object", "properties": {
    "From": {"type": ["object", "null"], "properties": {"Address": _TEXT, "Name": _TEXT}},
    "To": {"type": ["object", "null"], "properties": {
        "Address": _TEXT, "SubscriberKey": _TEXT,
        "ContactAttributes": {"type": ["object", "null"], "properties": {
            "SubscriberAttributes": {**SCALARS, "type": ["object", "null"]}}}}},
    "Options": {"type": ["object", "null"], "properties": {"RequestType": _TEXT}},
}})
