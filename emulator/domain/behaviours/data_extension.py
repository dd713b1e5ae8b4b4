"""DataExtension, DataExtensionField and DataExtensionObject (rows) — rules in domain/data_extensions.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .. import codes
from .. import data_extensions as des
from ..context import CallContext
from ..errors import DomainError, Invalid, NotFound
from ..objects import ObjectResult, save_action
from . import Behaviour, behaviour
from .retrieve_only import RetrieveOnly

if TYPE_CHECKING:
    from ..objects import RetrieveQuery
    from ..schema import Schema

SENDABLE_SUBSCRIBER_FIELDS = ("Subscriber Key", "Email Address", "_SubscriberKey", "SubscriberKey")


def _prepare_fields(fields: list[dict[str, Any]], first_ordinal: int = 0) -> list[dict[str, Any]]:
    out = []
    for ordinal, f in enumerate(fields, start=first_ordinal):
        f = {k: v for k, v in f.items() if k not in ("ObjectID", "ID")}
        f["__type__"] = "DataExtensionField"
        f.setdefault("FieldType", "Text")
        f.setdefault("Ordinal", ordinal)
        if des._bool(f.get("IsPrimaryKey")):
            f["IsRequired"] = True
        out.append(f)
    return out


@behaviour("DataExtension")
class DataExtensionBehaviour(Behaviour):
    duplicate_key_code = codes.SOAP.DE_VALIDATION

    message_text = "Data Extension {operation}."

    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        if isinstance(props.get("SendableSubscriberField"), dict):  # Attribute.Value is required in answers
            props["SendableSubscriberField"].setdefault("Value", "")
        if props.get("ObjectID"):
            raise Invalid("DataExtensionProcessValidationErrorAddWithObjectID: ObjectID cannot be specified "
                          "on create.", code=codes.SOAP.DE_OBJECT_ID_ON_CREATE)
        name = (props.get("Name") or "").strip()
        if not name:
            raise Invalid("DataExtensionStubValidationErrorNoKeyFound: a data extension needs a Name.",
                          code=codes.SOAP.DE_NO_NAME)
        if self.service.repo.find_one(mid, "DataExtension", "Name", name):
            raise Invalid(f"A data extension named {name} already exists.", code=codes.SOAP.DE_VALIDATION)
        fields = des.fields_of(props)
        des.validate_fields(fields)
        props["Fields"] = {"Field": _prepare_fields(fields)}
        if des._bool(props.get("IsSendable")):
            self._check_sendable(props)
        props.setdefault("IsSendable", False)
        props.setdefault("IsTestable", False)
        self.service.emu.folders.place(mid, "DataExtension", props)
        return props

    @staticmethod
    def _check_sendable(props: dict[str, Any]) -> None:
        send_field = (props.get("SendableDataExtensionField") or {}).get("Name")
        names = {f["Name"].casefold(): f for f in des.fields_of(props)}
        if not send_field or send_field.casefold() not in names:
            raise Invalid("A sendable data extension needs a SendableDataExtensionField that names one of its "
                          "fields.", code=codes.SOAP.DE_VALIDATION)
        subscriber_field = (props.get("SendableSubscriberField") or {}).get("Name")
        if subscriber_field not in SENDABLE_SUBSCRIBER_FIELDS:
            raise Invalid("SendableSubscriberField must be 'Subscriber Key' or 'Email Address'.",
                          code=codes.SOAP.DE_VALIDATION)
        field = names[send_field.casefold()]
        props["SendableDataExtensionField"] = {"__type__": "DataExtensionField", "Name": field["Name"],
                                               "FieldType": field.get("FieldType", "Text")}

    def prepare_update(self, ctx: CallContext, mid: int, current: dict[str, Any],
                       changes: dict[str, Any]) -> dict[str, Any]:
        if changes.get("Name") and changes["Name"].casefold() != (current.get("Name") or "").casefold():
            if self.service.repo.find_one(mid, "DataExtension", "Name", changes["Name"]):
                raise Invalid(f"A data extension named {changes['Name']} already exists.",
                              code=codes.SOAP.DE_VALIDATION)
        if "Fields" in changes:
            # Fields on an update add columns (SFMC cannot change a column's type through the API).
            existing = des.fields_of(current)
            known = {f["Name"].casefold() for f in existing}
            added = [f for f in des.fields_of(changes) if (f.get("Name") or "").casefold() not in known]
            des.validate_fields(existing + added)
            for f in added:
                if des._bool(f.get("IsPrimaryKey")):
                    raise Invalid(f"Field {f['Name']}: a primary key cannot be added to an existing data "
                                  "extension.", code=codes.SOAP.DE_VALIDATION)
            changes["Fields"] = {"Field": existing + _prepare_fields(added, len(existing))}
        if "CategoryID" in changes:
            self.service.emu.folders.place(mid, "DataExtension", changes)
        if changes.get("CustomerKey") and changes["CustomerKey"] != current.get("CustomerKey"):
            self.service.emu.audience.rename_rows(mid, current["CustomerKey"], changes["CustomerKey"])
        merged = {**current, **changes}
        if des._bool(merged.get("IsSendable")):
            self._check_sendable(merged)
            changes["SendableDataExtensionField"] = merged["SendableDataExtensionField"]
        return changes

    def before_delete(self, ctx: CallContext, mid: int, current: dict[str, Any]) -> None:
        self.service.emu.audience.delete_all_rows(mid, current["CustomerKey"])

    def not_found(self, what: str) -> Exception:
        return NotFound(f"DataExtensionProcessValidationErrorDeleteObjectNotFound: no data extension with {what}.",
                        code=codes.SOAP.DE_VALIDATION)


@behaviour("DataExtensionField")
class DataExtensionFieldBehaviour(RetrieveOnly):
    """Fields are retrieved on their own but stored inside their DataExtension."""

    hint = "; change the DataExtension's Fields instead"

    def rows(self, ctx: CallContext, mids: list[int], query: RetrieveQuery) -> list[dict[str, Any]]:
        out = []
        for stored in self.service.repo.all(mids, ["DataExtension"]):
            de = stored.data
            for f in des.fields_of(de):
                row = dict(f)
                row.setdefault("CustomerKey", f"[{de['CustomerKey']}].[{f['Name']}]")
                row["ObjectID"] = row.get("ObjectID") or f"{de['ObjectID']}:{f['Name']}"
                row["Client"] = de.get("Client")
                row["IsRequired"] = bool(row.get("IsRequired"))
                row["IsPrimaryKey"] = bool(row.get("IsPrimaryKey"))
                row["DataExtension"] = {"__type__": "DataExtension", "CustomerKey": de["CustomerKey"],
                                        "Name": de.get("Name"), "ObjectID": de["ObjectID"]}
                out.append(row)
        return out


def _row_values(props: dict[str, Any]) -> dict[str, Any]:
    return des.properties_of((props.get("Properties") or {}).get("Property"))


def _key_values(props: dict[str, Any]) -> dict[str, Any]:
    return des.properties_of((props.get("Keys") or {}).get("Key"))


def _result_type(kind: str) -> str:
    return f"DataExtension{kind}Result"


@behaviour("DataExtensionObject")
class DataExtensionObjectBehaviour(Behaviour):
    """Rows. The DE is named by the object's CustomerKey or Name (or ObjectType ``DataExtensionObject[Key]``
    on Retrieve); columns come as Properties/Property Name+Value, keys for Delete as Keys/Key."""

    def _schema(self, mid: int, props: dict[str, Any]) -> des.DESchema:
        key = props.get("CustomerKey")
        name = props.get("Name")
        if not key and not name:
            raise NotFound("Custom Object Null Or Empty: the DataExtensionObject names no data extension "
                           "(CustomerKey or Name).", code=codes.SOAP.DE_NOT_NAMED)
        return des.load_schema(self.service.emu, mid, key=key, name=name)

    def _run(self, kind: str, props: dict[str, Any], work) -> ObjectResult:
        echo = {k: v for k, v in props.items() if k != "Client"}
        echo["__type__"] = "DataExtensionObject"
        try:
            message = work()
        except des.RowRejected as exc:
            extra: dict[str, Any] = {"__type__": _result_type(kind), "ErrorMessage": exc.message}
            errors = [{"__type__": "DataExtensionError", "Name": e.name, "ErrorCode": e.code,
                       "ErrorMessage": e.message} for e in exc.errors]
            if errors and exc.key_error:
                extra["KeyErrors"] = {"KeyError": errors}
            elif errors and kind != "Delete":  # DataExtensionDeleteResult has no ValueErrors
                extra["ValueErrors"] = {"ValueError": errors}
            return ObjectResult(ok=False, message=exc.message, error_code=exc.code, object=echo, extra=extra)
        except DomainError as error:
            return ObjectResult(ok=False, message=error.message, error_code=error.code, object=echo,
                                extra={"__type__": _result_type(kind), "ErrorMessage": error.message})
        return ObjectResult(ok=True, message=message, object=echo, extra={"__type__": _result_type(kind)})

    def _write(self, schema: des.DESchema, props: dict[str, Any], add: bool, update: bool) -> str:
        emu = self.service.emu
        values = {**_key_values(props), **_row_values(props)}
        with emu.store.transaction():
            key = None
            if schema.primary:
                key_values = {n: v for n, v in values.items() if (c := schema.column(n)) is not None and c.primary}
                key = des.key_of(schema, des.build_row(schema, key_values, fill_defaults=False))
            found = emu.audience.find_row(schema.mid, schema.key, key) if key is not None else None
            existing = {key: found} if found is not None else {}
            exists = found is not None
            if exists and not update:
                raise des.RowRejected(
                    f"Violation of PRIMARY KEY constraint. Cannot insert duplicate key in data extension "
                    f"{schema.name}. The duplicate key value is ({key}).", 2, key_error=True)
            if not exists and not add:
                raise des.RowRejected(f"The row with primary key ({key or ''}) was not found "
                                      f"in data extension {schema.name}.", 2, key_error=True)
            row = des.build_row(schema, values, fill_defaults=not exists)
            counts = des.write_rows(emu, schema, [row], add=add, update=update, existing=existing, keys=[key])
        return "Updated DataExtensionObject" if counts.updated else "Created DataExtensionObject"

    def create(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int) -> ObjectResult:
        upsert = save_action(self.options) == "UpdateAdd"
        return self._run("Create", props, lambda: self._write(self._schema(mid, props), props, add=True,
                                                              update=upsert))

    def update(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int,
               options: dict[str, Any]) -> ObjectResult:
        action = save_action(options)
        add = action in ("UpdateAdd", "AddOnly")
        update = action != "AddOnly"

        def work() -> str:
            schema = self._schema(mid, props)
            if not schema.primary and not add:
                raise des.RowRejected(f"Data extension {schema.name} has no primary key: rows cannot be updated "
                                      "by key.", des.ROW_GENERAL, key_error=True)
            self._write(schema, props, add=add, update=update)
            return "Updated DataExtensionObject"

        return self._run("Update", props, work)

    def delete(self, ctx: CallContext, mid: int, props: dict[str, Any], ordinal: int) -> ObjectResult:
        def work() -> str:
            schema = self._schema(mid, props)
            keys = _key_values(props) or _row_values(props)
            if not des.delete_row(self.service.emu, schema, keys):
                raise des.RowRejected(f"The row with primary key ({'|'.join(map(str, keys.values()))}) was not "
                                      f"found in data extension {schema.name}.", 2, key_error=True)
            return "Deleted DataExtensionObject"

        return self._run("Delete", props, work)

    # -- retrieve --------------------------------------------------------------------------------
    def _query_schema(self, mids: list[int], query: RetrieveQuery) -> des.DESchema | None:
        # One behaviour instance serves one retrieve page: look the DE up once, not per row.
        cached = getattr(self, "_schema_cache", None)
        if cached is not None and cached[0] == (tuple(mids), query.type_argument):
            return cached[1]
        found = None
        for mid in mids if query.type_argument else []:
            de = des.find_de(self.service.emu, mid, query.type_argument)
            if de is not None:
                found = des.schema_of(mid, de)
                break
        self._schema_cache = ((tuple(mids), query.type_argument), found)
        return found

    def property_kind(self, schema: Schema, query: RetrieveQuery, path: str) -> str | None:
        de = self._query_schema(query.mids, query)
        if de is None:
            return "string"  # the missing DE is reported by rows()
        return de.kind_of(path)

    def keyed_rows(self, ctx: CallContext, mids: list[int], query: RetrieveQuery, after: Any
                   ) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row pk, row) in insertion order after pk `after`, streamed from the DE's own index range."""
        de = self._query_schema(mids, query)
        if de is None:
            raise Invalid(f"Error: Data extension '{query.type_argument or ''}' does not exist.", code=des.ROW_BAD_DE)
        dates = [c.name for c in de.columns if c.type == "Date"]
        names = [c.name for c in de.columns]
        for pk, stored in self.service.emu.audience.iter_rows_after(de.mid, de.key, -1 if after is None else after):
            row = {name: stored.get(name) for name in names}  # columns without a value are present as None
            row[des.ROW_KEY] = pk
            for name in dates:  # ISO for the filter's datetime comparison; present() formats them back
                if row.get(name):
                    stamp = des.parse_date(row[name])
                    row[name] = stamp.isoformat() if stamp else row[name]
            yield pk, row

    def present(self, row: dict[str, Any], query: RetrieveQuery) -> dict[str, Any]:
        de = self._query_schema(query.mids, query)
        names = query.properties or ([c.name for c in de.columns] if de else [])
        props = []
        for name in names:
            column = de.column(name) if de else None
            if column is None and des.is_row_key(name):
                props.append({"__type__": "APIProperty", "Name": des.ROW_KEY, "Value": str(row[des.ROW_KEY])})
                continue
            value = row.get(column.name if column else name)
            if column is not None and column.type == "Date" and value:
                stamp = des.parse_date(value)
                value = des.sfmc_date(stamp) if stamp else value
            props.append({"__type__": "APIProperty", "Name": column.name if column else name,
                          "Value": "" if value is None else value})
        return {"__type__": "DataExtensionObject", "Properties": {"Property": props}}

