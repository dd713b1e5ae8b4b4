"""Journey entry: event definitions (/interaction/v1/eventDefinitions) and the entry event itself
(POST /interaction/v1/events), which writes one row to the event's data extension with the data-extension
rules every other write follows and enters the contact into every running journey the event triggers."""

from __future__ import annotations

import re
from typing import Any

from ...store.rest_documents import Document
from .. import data_extensions as des
from ..codes import REST
from ..context import CallContext
from ..data_rows import GUID_RE, _save_failed
from ..errors import Conflict, NotFound
from .common import EVENT_KIND, MAX_PAGING, JourneyDeps, defaults, invalid, paging, stamp, text_field

MODES = ("Production", "Test")
# Data-extension field types as an event definition's schema names them [fx: key_testExisting_event get]
SCHEMA_TYPES = {"EmailAddress": "Email"}
CONTACT_COLUMNS = ("contactkey", "subscriberkey")  # filled from ContactKey when Data leaves them out
# "Don't include special characters" [swag: RequestCreateEventDefinition]; "Don't include a period" [doc: postEvent]
EVENT_KEY_RE = re.compile(r"^[A-Za-z0-9_\-]{1,200}$")
RESERVED = "eventinstanceid"  # a Data field of this name is ignored; the DE gets the instance id [doc: postEvent]


class EventDefinitions:
    def __init__(self, deps: JourneyDeps) -> None:
        self.x = deps

    # -- lookup ----------------------------------------------------------------------------------------
    def find(self, mid: int, ref: str) -> Document | None:
        """`key:{key}` or the id (GUID)."""
        if ref[:4].lower() == "key:":
            return self.x.docs.get(mid, EVENT_KIND, ref[4:])
        return self.x.docs.find(mid, EVENT_KIND, "id", ref)

    def load(self, mid: int, ref: str) -> Document:
        doc = self.find(mid, ref)
        if doc is None:
            raise NotFound(f"Event definition '{ref}' was not found.", code=REST.NOT_FOUND)
        return doc

    def by_key(self, mid: int, key: str) -> Document | None:
        return self.x.docs.get(mid, EVENT_KIND, key)

    # -- answers ---------------------------------------------------------------------------------------
    def public(self, doc: Document, with_schema: bool = True) -> dict[str, Any]:
        data = doc.data
        out = {"id": data["id"], "type": data["type"], "name": data["name"], "description": data["description"],
               "createdDate": stamp(doc.created), "createdBy": 0, "modifiedDate": stamp(doc.modified),
               "modifiedBy": 0, "mode": data["mode"], "eventDefinitionKey": doc.key}
        for field in ("iconUrl", "sourceApplicationExtensionId", "dataExtensionId", "dataExtensionName"):
            if data.get(field) is not None:
                out[field] = data[field]
        de = des.find_de(self.x.emu, doc.mid, object_id=data["dataExtensionId"])
        if de is not None:
            out["dataExtensionName"] = de.get("Name") or de.get("CustomerKey")
            if with_schema:
                out["schema"] = self._schema(de)
        journeys = self.x.emu.journeys.using_event(doc.mid, doc.key)
        out.update({
            "filterDefinitionId": data["filterDefinitionId"],
            "arguments": {"serializedObjectType": 11, "eventDefinitionKey": doc.key, "eventDefinitionId": data["id"],
                          "dataExtensionId": data["dataExtensionId"]},
            "metaData": data.get("metaData") or {}, "interactionCount": len(journeys),
            "isVisibleInPicker": data["isVisibleInPicker"], "category": data["category"],
            "publishedInteractionCount": sum(1 for j in journeys if j.status == "Published"),
            "automationId": data["automationId"],
        })
        return out

    @staticmethod
    def _schema(de: dict[str, Any]) -> dict[str, Any]:
        fields = []
        for f in des.fields_of(de):
            kind = str(f.get("FieldType") or "Text")
            entry = {"name": f.get("Name"), "dataType": SCHEMA_TYPES.get(kind, kind),
                     "maxLength": str(f.get("MaxLength") or ""), "isNullable": not f.get("IsRequired"),
                     "isPrimaryKey": bool(f.get("IsPrimaryKey")), "isDevicePreference": False}
            if f.get("DefaultValue") not in (None, ""):
                entry["defaultValue"] = f["DefaultValue"]
            fields.append(entry)
        return {"id": de.get("ObjectID"), "name": de.get("Name"), "fields": fields, "isPlatformObject": False}

    # -- CRUD ------------------------------------------------------------------------------------------
    def _check(self, mid: int, body: dict[str, Any], current: Document | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = text_field(body, "name", required=current is None)
        if name is not None:
            if not name.strip():
                raise invalid("name must not be empty.", REST.INVALID_VALUE)
            out["name"] = name
        for field in ("description", "type", "iconUrl", "sourceApplicationExtensionId", "category"):
            value = text_field(body, field, max_length=4000)
            if value is not None:
                out[field] = value
        mode = text_field(body, "mode")
        if mode is not None:
            if mode not in MODES:
                raise invalid("mode must be Production or Test.", REST.INVALID_VALUE)
            out["mode"] = mode
        if "isVisibleInPicker" in body:
            if not isinstance(body["isVisibleInPicker"], bool):
                raise invalid("isVisibleInPicker must be a boolean.", REST.INVALID_DATA_TYPE)
            out["isVisibleInPicker"] = body["isVisibleInPicker"]
        if "metaData" in body and body["metaData"] is not None:
            if not isinstance(body["metaData"], dict):
                raise invalid("metaData must be an object.", REST.INVALID_DATA_TYPE)
            out["metaData"] = body["metaData"]
        de_id = text_field(body, "dataExtensionId", max_length=36)
        if de_id is None and current is None:
            if body.get("schema") is None:
                raise invalid("dataExtensionId (or a schema to create the data extension from) is required.",
                              REST.MISSING_FIELD)
            out["_schema"] = _schema_fields(body["schema"])
        if de_id is not None:
            if not GUID_RE.match(de_id):
                raise invalid("dataExtensionId must be a data extension's ID (a GUID).", REST.INVALID_VALUE)
            de = des.find_de(self.x.emu, mid, object_id=de_id)
            if de is None:
                raise invalid(f"Data extension with ID '{de_id}' was not found.", REST.INVALID_VALUE)
            out["dataExtensionId"] = de["ObjectID"]
        key = text_field(body, "eventDefinitionKey")
        if key is not None:
            if not EVENT_KEY_RE.match(key):
                raise invalid("eventDefinitionKey may hold letters, digits, '-' and '_' only (at most 200).",
                              REST.INVALID_VALUE)
            existing = self.by_key(mid, key)
            if existing is not None and (current is None or existing.pk != current.pk):
                raise Conflict(f"An event definition with key '{key}' already exists.", code=REST.ALREADY_EXISTS)
            out["eventDefinitionKey"] = key
        return out

    def create(self, ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
        with self.x.emu.store.transaction():
            checked = self._check(ctx.mid, body, None)
            event_id = self.x.emu.ids.guid()
            key = checked.pop("eventDefinitionKey", None) or f"APIEvent-{event_id}"
            fields = checked.pop("_schema", None)
            if fields is not None:
                checked["dataExtensionId"] = self._create_de(ctx, checked["name"], fields)
            data = {**defaults()["eventDefinition"], **checked, "id": event_id}
            doc = self.x.docs.insert(ctx.mid, EVENT_KIND, key, data, self.x.now())
        return self.public(doc, with_schema=False)

    def _create_de(self, ctx: CallContext, name: str, fields: list[dict[str, Any]]) -> str:
        """The data extension a `schema` describes, named as SFMC names it ("{event} - {timestamp}")."""
        emu = self.x.emu
        when = emu.clock.now().strftime("%Y-%m-%dT%H%M%S%f")[:-3]
        de_name = f"{name} - {when}"[:128]
        # Journey Builder's own permission creates it: the caller's package scopes are not asked again
        owner = CallContext(mid=ctx.mid, principal=ctx.principal)
        result = emu.object_service.create(owner, "DataExtension", [
            {"CustomerKey": emu.ids.guid(), "Name": de_name, "Fields": {"Field": fields}}])[0]
        if not result.ok:
            raise invalid(f"schema: {result.message}", REST.INVALID_VALUE)
        return str(result.new_object_id)

    def get(self, ctx: CallContext, ref: str) -> dict[str, Any]:
        return self.public(self.load(ctx.mid, ref))

    def list(self, ctx: CallContext, page: Any, page_size: Any, name: str | None) -> dict[str, Any]:
        number, size = paging(page, page_size)
        docs, _ = self.x.docs.page(ctx.mid, EVENT_KIND, limit=MAX_PAGING, offset=0)
        if name:
            docs = [d for d in docs if name.casefold() in str(d.data.get("name", "")).casefold()]
        chosen = docs[(number - 1) * size:number * size]
        return {"count": len(docs), "page": number, "pageSize": size, "links": {},
                "items": [self.public(d, with_schema=False) for d in chosen]}

    def update(self, ctx: CallContext, ref: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.x.emu.store.transaction():
            doc = self.load(ctx.mid, ref)
            checked = self._check(ctx.mid, body, doc)
            new_key = checked.pop("eventDefinitionKey", None)
            if new_key and new_key != doc.key and self.x.emu.journeys.using_event(ctx.mid, doc.key):
                raise invalid("The eventDefinitionKey of an event definition a journey uses cannot change.",
                              REST.INVALID_OPERATION)
            doc.key = new_key or doc.key
            doc.data.update(checked)
            self.x.docs.replace(doc, self.x.now())
        return self.public(doc)

    def delete(self, ctx: CallContext, ref: str) -> None:
        with self.x.emu.store.transaction():
            doc = self.load(ctx.mid, ref)
            if self.x.emu.journeys.using_event(ctx.mid, doc.key):
                raise invalid(f"Event definition '{doc.key}' is used by a journey; delete the journey first.",
                              REST.INVALID_OPERATION)
            self.x.docs.delete(doc)

    # -- the entry event -------------------------------------------------------------------------------
    def fire(self, ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
        """POST /interaction/v1/events: the row written and the contact entered, or nothing at all."""
        contact_key = text_field(body, "ContactKey", required=True, max_length=254)
        key = text_field(body, "EventDefinitionKey", required=True)
        data = body.get("Data") or {}
        if not isinstance(data, dict):
            raise invalid("Data must be an object of field names and values.", REST.INVALID_DATA_TYPE)
        for name, value in data.items():
            if not isinstance(value, str | int | float | bool) and value is not None:
                raise invalid(f"Data.{name} must be a string, number or boolean.", REST.INVALID_DATA_TYPE)
        mid = ctx.mid
        emu = self.x.emu
        with emu.store.transaction():
            doc = self.by_key(mid, str(key))
            if doc is None:
                raise invalid(f"Event definition with key '{key}' was not found.", REST.INVALID_VALUE)
            de = des.find_de(emu, mid, object_id=doc.data["dataExtensionId"])
            if de is None:
                raise invalid(f"The data extension of event definition '{key}' no longer exists.",
                              REST.INVALID_OPERATION)
            schema = des.schema_of(mid, de)
            instance_id = emu.ids.guid()
            row = {k: v for k, v in data.items() if k.casefold() != RESERVED}
            for column in schema.columns:
                if column.name.casefold() in CONTACT_COLUMNS and not any(
                        k.casefold() == column.name.casefold() for k in row):
                    row[column.name] = contact_key
                if column.name.casefold() == RESERVED:
                    row[column.name] = instance_id
            upserts = des.prepare_upserts(emu, schema, [row])
            if upserts.errors:
                raise _save_failed(schema, upserts.errors)
            upserts.write(emu, schema)
            emu.journeys.runner.enter_all(mid, doc, str(contact_key), row, instance_id)
        return {"eventInstanceId": instance_id}


# an event definition schema's dataType -> the DataExtension FieldType [fx: post_withSchema-response.json]
FIELD_TYPES = {"text": "Text", "number": "Number", "date": "Date", "boolean": "Boolean", "email": "EmailAddress",
               "emailaddress": "EmailAddress", "phone": "Phone", "decimal": "Decimal", "locale": "Locale"}


def _schema_fields(schema: Any) -> list[dict[str, Any]]:
    """A `schema: {fields: [{name, dataType, maxLength, isNullable, isPrimaryKey, defaultValue}]}` as the
    DataExtension's Fields (the data-extension rules judge the rest: names, lengths, keys)."""
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list) or not fields or len(fields) > 4000:
        raise invalid("schema.fields must be a non-empty array of fields.", REST.INVALID_DATA_TYPE)
    out = []
    for index, field in enumerate(fields):
        where = f"schema.fields[{index}]"
        if not isinstance(field, dict) or not isinstance(field.get("name"), str) or not field["name"].strip():
            raise invalid(f"{where}.name is required.", REST.MISSING_FIELD)
        kind = FIELD_TYPES.get(str(field.get("dataType") or "Text").casefold())
        if kind is None:
            raise invalid(f"{where}.dataType '{field.get('dataType')}' is not a data extension field type.",
                          REST.INVALID_VALUE)
        entry: dict[str, Any] = {"Name": field["name"], "FieldType": kind,
                                 "IsPrimaryKey": field.get("isPrimaryKey") is True,
                                 "IsRequired": field.get("isNullable") is False or field.get("isPrimaryKey") is True}
        length = field.get("maxLength")
        if length not in (None, ""):
            try:
                entry["MaxLength"] = int(str(length))
            except ValueError:
                raise invalid(f"{where}.maxLength must be a number.", REST.INVALID_VALUE) from None
        if isinstance(field.get("defaultValue"), str | int | float) and field["defaultValue"] != "":
            entry["DefaultValue"] = str(field["defaultValue"])
        out.append(entry)
    return out
