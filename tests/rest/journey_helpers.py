"""Set-up shared by the journey tests: an entry data extension, an email, an event definition and a journey."""

from __future__ import annotations

from typing import Any

ENTRY_DE = ('<Objects xsi:type="DataExtension"><CustomerKey>{key}</CustomerKey><Name>{key}</Name>'
            "<Fields><Field><Name>ContactKey</Name><FieldType>Text</FieldType><MaxLength>50</MaxLength>"
            "<IsPrimaryKey>true</IsPrimaryKey><IsRequired>true</IsRequired></Field>"
            "<Field><Name>EmailAddress</Name><FieldType>EmailAddress</FieldType></Field>"
            "<Field><Name>FirstName</Name><FieldType>Text</FieldType><MaxLength>20</MaxLength></Field>"
            "<Field><Name>Tier</Name><FieldType>Text</FieldType></Field>"
            "<Field><Name>Points</Name><FieldType>Number</FieldType></Field></Fields></Objects>")


def decision(field: str, operator: str, value: str, event_key: str = "signup") -> str:
    return ('<FilterDefinition><ConditionSet Operator="AND" ConditionSetName="Individual Filter Grouping">'
            f'<Condition IsEphemeralAttribute="true" Key="Event.{event_key}.{field}" Operator="{operator}" '
            f'UiMetaData="{{}}"><Value><![CDATA[{value}]]></Value></Condition></ConditionSet></FilterDefinition>')


def email_activity(key: str, email_id: int, next_key: str | None = None, subject: str | None = None) -> dict[str, Any]:
    send: dict[str, Any] = {"emailId": email_id, "isTrackingClicks": True}
    if subject:
        send["emailSubject"] = subject
    return {"key": key, "name": key, "type": "EMAILV2", "outcomes": [{"key": f"{key}-out", "next": next_key}],
            "configurationArguments": {"applicationExtensionKey": "jb-email-activity", "triggeredSend": send}}


def wait_activity(key: str, next_key: str | None, duration: int = 1, unit: str = "DAYS") -> dict[str, Any]:
    return {"key": key, "type": "WAIT", "outcomes": [{"key": f"{key}-out", "next": next_key}],
            "configurationArguments": {"waitDuration": duration, "waitUnit": unit}}


def journey_body(key: str, activities: list[dict[str, Any]], event_key: str = "signup") -> dict[str, Any]:
    return {"key": key, "name": f"Journey {key}", "workflowApiVersion": 1.0, "activities": activities,
            "triggers": [{"key": "TRIGGER", "name": "TRIGGER", "type": "APIEvent",
                          "metaData": {"eventDefinitionKey": event_key}}]}


def setup_entry(api, world, event_key: str = "signup", de_key: str = "signup_entries") -> tuple[str, int]:
    """The entry DE and event definition `event_key`, and an email; (DE ObjectID, email ID)."""
    de_id = world.create(ENTRY_DE.format(key=de_key))["NewObjectID"]
    email_id = world.email(key=f"{event_key}-email", subject="Welcome %%FirstName%%",
                           html='<p>Hi %%FirstName%%</p><a href="https://shop.example/start">start</a>')
    response = api.post("/interaction/v1/eventDefinitions", json={
        "type": "APIEvent", "name": f"Event {event_key}", "eventDefinitionKey": event_key, "dataExtensionId": de_id,
        "mode": "Production"})
    assert response.status_code == 200, response.text
    return de_id, email_id


def published(api, body: dict[str, Any]) -> dict[str, Any]:
    """Create the journey and publish version 1; the created journey."""
    created = api.post("/interaction/v1/interactions", json=body)
    assert created.status_code == 200, created.text
    journey = created.json()
    publish = api.post(f"/interaction/v1/interactions/publishAsync/{journey['id']}?versionNumber=1")
    assert publish.status_code == 200, publish.text
    status = api.get(f"/interaction/v1/interactions/publishStatus/{publish.json()['statusId']}")
    assert status.json() == {"status": "PublishCompleted", "errors": [], "warnings": []}, status.text
    return journey


def fire(api, contact: str, data: dict[str, Any], event_key: str = "signup"):
    return api.post("/interaction/v1/events", json={"ContactKey": contact, "EventDefinitionKey": event_key,
                                                    "Data": data})
