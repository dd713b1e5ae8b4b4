"""What the web inspector shows, as plain JSON-ready dicts: the HTML pages and the JSON admin endpoints
render the same data, so a script sees exactly what a person sees.

Read-only: nothing here changes state. Capabilities write their own shapes into the job detail and the
generic object store; this module summarises them without depending on any one shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..clock import iso_from_timestamp
from ..domain import codes
from ..domain.eml import to_eml
from ..domain.errors import NotFound
from ..domain.jobs import FINISHED
from ..journal import entry_json
from . import exchange, mail
from .search import parse_query

if TYPE_CHECKING:
    from ..core import Emulator

SOAP_DEFINITION_TYPES = ("EmailSendDefinition", "TriggeredSendDefinition")
IMPORT_KINDS = ("import",)
JOB_SCAN_LIMIT = 500
# Job-detail keys (compared lower-case, without "_") that say how much work there is and how much is done.
TOTAL_KEYS = ("total", "totalrows", "numbertargeted", "targeted", "recipients", "expected", "rowstotal")
DONE_KEYS = ("processed", "done", "numbersent", "sent", "rowsprocessed", "completed", "numberdelivered")
OUTCOME_KEYS = ("numbersuccessful", "numberduplicated", "numbererrors")
# Object properties that name a definition's or a job's key.
KEY_PROPS = ("CustomerKey", "customer_key", "definition_key", "definitionKey", "key")


timestamp = iso_from_timestamp


def _norm(key: str) -> str:
    return key.replace("_", "").lower()


def _first_number(detail: dict[str, Any], names: tuple[str, ...]) -> int | None:
    by_name = {_norm(k): v for k, v in detail.items()}
    for name in names:
        value = by_name.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
    return None


def _ref(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class Inspector:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.repo = emu.inspect

    # -- business units --------------------------------------------------------
    def bus(self) -> list[dict[str, Any]]:
        return self.emu.tenants.bus()

    def bu(self, mid: int | None) -> dict[str, Any]:
        """The requested BU, or the enterprise (parent) BU when none is asked for."""
        mid = self.emu.enterprise_mid if mid is None else mid
        found = self.emu.tenants.bu(mid)
        if found is None:
            raise NotFound(f"No business unit with MID {mid}.", code=codes.REST.NOT_FOUND)
        return found

    def overview(self, mid: int) -> dict[str, Any]:
        counts = self.repo.overview_counts(mid)
        objects = counts["objects"]
        jobs = counts["jobs"]
        rows = counts["rows"]
        summary = {
            "emails": objects.get("Email", 0),
            "lists": objects.get("List", 0),
            "data_extensions": objects.get("DataExtension", 0),
            "subscribers": rows["subscriber"],
            "soap_definitions": sum(objects.get(t, 0) for t in SOAP_DEFINITION_TYPES),
            "rest_definitions": sum(n for k, n in counts["rest_objects"].items() if "definition" in k),
            "import_definitions": objects.get("ImportDefinition", 0),
            "jobs": sum(sum(by_status.values()) for by_status in jobs.values()),
            "messages": rows["outbox"],
            "send_events": rows["send_event"],
            "transactional_messages": rows["tx_message"],
            "journal_entries": self.emu.journal.count(),
        }
        return {"summary": summary, **counts}

    # -- definitions -----------------------------------------------------------
    def definitions(self, mid: int) -> list[dict[str, Any]]:
        """SOAP EmailSend/TriggeredSend definitions and REST definitions of the BU, each with its status."""
        messages = self.repo.outbox_counts_by_definition(mid)
        jobs = self.emu.jobs.list(mid, JOB_SCAN_LIMIT)
        out = [self._soap_definition(mid, obj.type, obj.data, messages, jobs)
               for obj in self.emu.objects.all([mid], SOAP_DEFINITION_TYPES)]
        out.extend(self._rest_definition(mid, row, messages) for row in self.repo.rest_definitions(mid))
        return out

    def _soap_definition(self, mid: int, type_name: str, data: dict[str, Any], messages: dict[str, int],
                         jobs: list[dict[str, Any]]) -> dict[str, Any]:
        key = data.get("CustomerKey")
        email = self._email(mid, _ref(data.get("Email")))
        if type_name == "TriggeredSendDefinition":
            status = data.get("TriggeredSendStatus") or "New"
        else:
            # An EmailSendDefinition has no status of its own; its latest send's is what a person asks for.
            latest = next((j for j in jobs if _names_key(j, key)), None)
            status = f"Last send {latest['status']}" if latest else "Not sent"
        return {
            "api": "SOAP", "type": type_name, "key": key, "name": data.get("Name"), "status": status,
            "id": data.get("ID"), "object_id": data.get("ObjectID"), "email": email,
            "subject": data.get("EmailSubject") or (email or {}).get("subject"),
            "messages": messages.get(key, 0) if key else 0, "data": data, "setup": _soap_setup(data),
        }

    def _rest_definition(self, mid: int, row: dict[str, Any], messages: dict[str, int]) -> dict[str, Any]:
        data = row["data"] if isinstance(row["data"], dict) else {"value": row["data"]}
        key = row["key"] or data.get("definitionKey")
        content = _ref(data.get("content"))
        return {
            "api": "REST", "type": row["kind"], "key": key, "name": data.get("name"),
            "status": data.get("status"), "id": data.get("definitionId"), "object_id": None,
            "email": {"key": content.get("customerKey")} if content.get("customerKey") else None,
            "subject": None, "messages": messages.get(key, 0) if key else 0, "data": data,
            "created": timestamp(row["created"]), "modified": timestamp(row["modified"]),
            "setup": _rest_setup(data),
        }

    def _email(self, mid: int, ref: dict[str, Any]) -> dict[str, Any] | None:
        """The Email a definition points at (by ID, CustomerKey or Name), with its name and subject."""
        for prop in ("ID", "CustomerKey", "Name"):
            if ref.get(prop) not in (None, ""):
                value = int(ref[prop]) if prop == "ID" and str(ref[prop]).isdigit() else ref[prop]
                found = self.emu.objects.find_one(mid, "Email", prop, value)
                if found is not None:
                    return {"id": found.data.get("ID"), "key": found.data.get("CustomerKey"),
                            "name": found.data.get("Name"), "subject": found.data.get("Subject")}
                return {"id": ref.get("ID"), "key": ref.get("CustomerKey"), "name": ref.get("Name"),
                        "subject": None}
        return None

    def definition(self, mid: int, api: str, type_name: str, key: str) -> dict[str, Any]:
        """One definition with the jobs that sent it and its latest messages."""
        messages, per_job = self.repo.outbox_for_definition(mid, key)
        counts = {key: sum(per_job.values())}
        jobs = self.emu.jobs.list(mid, JOB_SCAN_LIMIT)
        found = None
        if api == "SOAP" and type_name in SOAP_DEFINITION_TYPES:
            obj = self.emu.objects.find_one(mid, type_name, "CustomerKey", key)
            found = self._soap_definition(mid, type_name, obj.data, counts, jobs) if obj else None
        elif api == "REST":
            row = next((r for r in self.repo.rest_definitions(mid) if r["kind"] == type_name
                        and (r["key"] or _ref(r["data"]).get("definitionKey")) == key), None)
            found = self._rest_definition(mid, row, counts) if row else None
        if found is None:
            raise NotFound(f"No {api} {type_name} with key {key!r} in business unit {mid}.",
                           code=codes.REST.NOT_FOUND)
        job_ids = {i for i in per_job if i is not None} | {j["id"] for j in jobs if _names_key(j, key)}
        sent = [self.emu.jobs.get(i) for i in sorted(job_ids, reverse=True)]
        channel = "sms" if type_name.startswith("sms") else "email"  # sms_definition: the SMS key space
        return {**found, "jobs": self._jobs([j for j in sent if j is not None]),
                "recent_messages": [_message_summary(m) for m in messages], "message_count": counts[key],
                "transactional_messages": self.repo.tx_message_counts(mid, key, channel) if api == "REST" else {},
                "recent_transactional_messages": [
                    {**m, "created": timestamp(m["created"]), "updated": timestamp(m["updated"])}
                    for m in (self.repo.tx_messages(mid, key, channel=channel) if api == "REST" else [])]}

    # -- jobs ------------------------------------------------------------------
    def sends(self, mid: int, kind: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        jobs = [j for j in self.emu.jobs.list(mid, JOB_SCAN_LIMIT) if kind is None or j["kind"] == kind]
        return self._jobs(jobs[:limit])

    def job(self, job_id: int) -> dict[str, Any]:
        found = self.emu.jobs.get(job_id)
        if found is None:
            raise NotFound(f"No job {job_id}.", code=codes.REST.NOT_FOUND)
        return self._jobs([found])[0]

    def job_recipients(self, job_id: int) -> dict[str, Any]:
        """A job's recipients by state and the ones not sent, each with its reason."""
        return {"states": self.repo.recipient_states(job_id), "not_sent": self.repo.not_sent(job_id)}

    def _jobs(self, jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [j["id"] for j in jobs]
        messages = self.repo.outbox_counts(ids)
        events = self.repo.event_counts(ids)
        return [_job_summary(j, messages.get(j["id"], 0), events.get(j["id"], {})) for j in jobs]

    # -- imports ---------------------------------------------------------------
    def imports(self, mid: int) -> dict[str, Any]:
        jobs = [j for j in self.emu.jobs.list(mid, JOB_SCAN_LIMIT) if j["kind"] in IMPORT_KINDS]
        definitions = []
        for obj in self.emu.objects.all([mid], ["ImportDefinition"]):
            data = obj.data
            key = data.get("CustomerKey")
            runs = [j for j in jobs if _names_key(j, key)]
            definitions.append({
                "key": key, "name": data.get("Name"), "id": data.get("ID"), "object_id": data.get("ObjectID"),
                "destination": _destination(data), "file": data.get("FileSpec"),
                "update_type": data.get("UpdateType"), "runs": len(runs),
                "last_status": runs[0]["status"] if runs else None, "data": data,
            })
        return {"definitions": definitions, "jobs": self._jobs(jobs)}

    # -- outbox ----------------------------------------------------------------
    def outbox(self, mid: int, q: str | None = None, job_id: int | None = None, message_key: str | None = None,
               limit: int = 50, offset: int = 0) -> dict[str, Any]:
        rows, total = self.emu.outbox.query(mid=mid, job_id=job_id, message_key=message_key or None,
                                            search=q or None, limit=limit, offset=offset)
        return {"count": total, "items": [_message_summary(r) for r in rows]}

    def search_outbox(self, mid: int, q: str | None, job_id: int | None = None, message_key: str | None = None,
                      limit: int = 50, offset: int = 0) -> dict[str, Any]:
        """The outbox page: `q` in the search syntax (ui/search.py), newest first, with status badges."""
        flt = parse_query(q)
        if job_id is not None:
            flt.job = job_id
        if message_key:
            flt.message_key = message_key
        rows, total = self.emu.outbox.search(mid, flt, limit=limit, offset=offset)
        items = [{**_message_summary(r), "from": r["from_addr"],
                  "status": "Bounced" if r["bounced"] else "Sent"} for r in rows]
        return {"count": total, "items": items, "latest_id": self.emu.outbox.latest_id(mid)}

    def _row(self, message_id: int) -> dict[str, Any]:
        row = self.emu.outbox.get(message_id)
        if row is None:
            raise NotFound(f"No message {message_id} in the outbox.", code=codes.REST.NOT_FOUND)
        return row

    def message(self, message_id: int) -> dict[str, Any]:
        return _message_detail(self._row(message_id))

    def message_view(self, message_id: int) -> dict[str, Any]:
        """Everything the message view's tabs show: the RFC 822 source and headers, links, the HTML check,
        the personalisation data and audience source, and the message's events."""
        row = self._row(message_id)
        eml = to_eml(row)
        source = row["source"] if isinstance(row["source"], dict) else {}
        recipient = self.repo.recipient(row["job_id"], row["subscriber_key"])
        events = [{**e, "time": timestamp(e["event_date"])}
                  for e in self.repo.message_events(row["job_id"], row["subscriber_key"],
                                                   message_id=row["id"])]
        tx = self.repo.tx_message(row["mid"], row["message_key"], row.get("channel") or "email")
        if tx:
            tx = {**tx, "created": timestamp(tx["created"]), "updated": timestamp(tx["updated"])}
        check = mail.check(row["html"], row["text"], row["subject"])
        bounced = any("Bounce" in (e["event_type"] or "") for e in events)
        return {
            **_message_detail(row), "status": "Bounced" if bounced else "Sent",
            "eml": eml.decode("utf-8", errors="replace"), "headers": mail.headers(eml),
            "links": [vars(lk) for lk in mail.links(row["html"])],
            "check": {"score": check.score, "findings": check.findings, "images": check.images,
                      "remote_images": check.remote_images},
            "data": {"values": source.get("values") or {}, "audience": source.get("audience"),
                     "recipient": recipient,
                     "source": {k: v for k, v in source.items() if k not in ("values", "audience")}},
            "events": events, "transactional": tx,
        }

    def delete_message(self, message_id: int) -> None:
        if not self.emu.outbox.delete(message_id):
            raise NotFound(f"No message {message_id} in the outbox.", code=codes.REST.NOT_FOUND)

    def clear_outbox(self, mid: int | None) -> int:
        return self.emu.outbox.clear(mid)

    # -- journal ---------------------------------------------------------------
    def journal(self, limit: int = 100, offset: int = 0, mid: int | None = None) -> dict[str, Any]:
        """The shape of `GET /_emulator/journal` (one endpoint for people and scripts)."""
        entries = self.emu.journal.list(limit, offset, mid=mid)
        return {"count": self.emu.journal.count(), "cap": self.emu.journal.cap,
                "items": [entry_json(e) for e in entries]}

    def journal_view(self, filters: dict[str, Any], limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """The journal page: the filtered entries (newest first), each masked, pretty-printed and as curl."""
        rows, total = self.repo.journal(filters, limit=limit, offset=offset)
        return {"count": total, "kept": self.emu.journal.count(), "cap": self.emu.journal.cap,
                "items": [self.exchange(r) for r in rows], "facets": self.repo.journal_facets()}

    def journal_entry(self, entry_id: int) -> dict[str, Any]:
        row = self.emu.journal.get(entry_id)
        if row is None:
            raise NotFound(f"No journal entry {entry_id}.", code=codes.REST.NOT_FOUND)
        return self.exchange(row)

    def exchange(self, row: dict[str, Any]) -> dict[str, Any]:
        out = entry_json(row)
        out["headers"] = exchange.mask_headers(exchange.parse_headers(row.get("headers")))
        out["request_pretty"] = exchange.pretty(exchange.mask_body(row.get("request")))
        out["response_pretty"] = exchange.pretty(exchange.mask_body(row.get("response")))
        out["request"] = exchange.mask_body(row.get("request")) or None
        out["response"] = exchange.mask_body(row.get("response")) or None
        out["curl"] = exchange.curl(row, self.emu.base_url)
        out["protocol"] = exchange.protocol(row.get("path") or "/")
        return out


def _names_key(job: dict[str, Any], key: str | None) -> bool:
    """Does the job's detail name this definition key (directly or one level down)?"""
    if not key:
        return False
    detail = job.get("detail") or {}
    for name, value in detail.items():
        if isinstance(value, dict):
            if any(value.get(p) == key for p in KEY_PROPS):
                return True
        elif value == key and ("key" in name.lower() or "definition" in name.lower()):
            return True
    return False


def _job_summary(job: dict[str, Any], messages: int, events: dict[str, int]) -> dict[str, Any]:
    detail = job.get("detail") or {}
    total = _first_number(detail, TOTAL_KEYS)
    done = _first_number(detail, DONE_KEYS)
    if done is None:
        # An import's results count rows by outcome; a send's messages are its progress.
        outcomes = [_first_number(detail, (name,)) for name in OUTCOME_KEYS]
        done = sum(n for n in outcomes if n is not None) if any(n is not None for n in outcomes) else None
    if done is None and job["kind"] not in IMPORT_KINDS:
        done = messages
    if job["status"] in ("Complete", "Completed"):
        percent: int | None = 100
    elif total:
        percent = min(100, round(100 * (done or 0) / total))
    else:
        percent = None
    counts = {k: v for k, v in detail.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    return {
        "id": job["id"], "mid": job["mid"], "kind": job["kind"], "status": job["status"],
        "created": timestamp(job["created"]), "started": timestamp(job["started"]),
        "finished": timestamp(job["finished"]),
        "running": job["status"] not in FINISHED,
        "progress": {"done": done, "total": total, "percent": percent},
        "messages": messages, "events": events, "counts": counts, "detail": detail,
    }


def _message_summary(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"], "job_id": row.get("job_id"), "message_key": row.get("message_key"),
        "definition_key": row.get("definition_key"), "subscriber_key": row.get("subscriber_key"),
        "to": row.get("to_addr"), "subject": row.get("subject"), "created": timestamp(row.get("created")),
        "mid": row.get("mid"), "channel": row.get("channel") or "email",
    }


def _label(ref: Any, typed: bool = True) -> str | None:
    """An object reference (`{"CustomerKey": ...}`, `{"ID": ...}`) as one short label."""
    ref = _ref(ref)
    for prop in ("Name", "ListName", "CustomerKey", "ID", "ObjectID"):
        if ref.get(prop) not in (None, ""):
            kind = ref.get("__type__") if typed else None
            return f"{kind} {ref[prop]}" if kind else str(ref[prop])
    return None


def _soap_setup(data: dict[str, Any]) -> dict[str, Any]:
    """Who a SOAP definition sends to, as what, and from whom."""
    entries = data.get("SendDefinitionList") or []
    entries = entries if isinstance(entries, list) else [entries]
    audience = []
    for entry in entries:
        entry = _ref(entry)
        target = entry.get("List") or entry.get("CustomObjectID") or entry.get("SendDefinitionListType")
        source = entry.get("DataSourceTypeID") or ""
        label = _label(entry.get("List")) or (f"DataExtension {entry['CustomObjectID']}"
                                              if entry.get("CustomObjectID") else None)
        if entry.get("FilterDefinition"):
            label = f"{label or ''} filtered by {_label(entry['FilterDefinition'])}".strip()
        label = str(label or target or "")
        audience.append(label if label.startswith(source) else f"{source} {label}".strip())
    if data.get("List"):
        audience.append(f"List {_label(data['List'], typed=False)}")
    sender = _ref(data.get("SenderProfile"))
    return {"audience": audience, "classification": _label(data.get("SendClassification"), typed=False),
            "sender": _label(sender, typed=False) or (" ".join(filter(None, [data.get("FromName"), data.get("FromAddress")]))
                                         or None),
            "delivery_profile": _label(data.get("DeliveryProfile"))}


def _rest_setup(data: dict[str, Any]) -> dict[str, Any]:
    subs = _ref(data.get("subscriptions"))
    audience = [f"{k} {v}" for k, v in subs.items() if k in ("list", "dataExtension") and v]
    options = _ref(data.get("options"))
    return {"audience": audience, "classification": data.get("classification"),
            "sender": options.get("fromAddress") or data.get("fromAddress") or None,
            "delivery_profile": None}


def _message_detail(row: dict[str, Any]) -> dict[str, Any]:
    return {**_message_summary(row), "html": row["html"], "text": row["text"], "source": row["source"],
            "from_name": row["from_name"], "from_address": row["from_addr"]}


def _destination(data: dict[str, Any]) -> str | None:
    dest = _ref(data.get("DestinationObject"))
    if not dest:
        return None
    label = dest.get("CustomerKey") or dest.get("Name") or dest.get("ID") or dest.get("ObjectID")
    return f"{dest.get('__type__', 'Object')} {label}" if label is not None else dest.get("__type__")
