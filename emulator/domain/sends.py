"""Email sends: audience -> render -> outbox, with SFMC's counts and tracking events.

A send is a job (its id is the Task ID / JobID / Send ID). `plan_*` resolve everything a send needs while
the caller waits (so a missing email or audience is an Error result, not a failed job) and snapshot it in
the job's detail; `run(job_id)` then works in two crash-safe phases:

1. **Materialise** the audience into `send_recipient` in one transaction: union of the sources (by
   subscriber key), minus exclusion lists, minus unsubscribed/held/bounced subscribers, de-duplicated by
   address when asked. The same transaction flips the Send to "Sending" and records `materialized`.
2. **Deliver** `Pending` recipients in batches; each batch's outbox rows, events, recipient states and
   counters commit together. The Send becomes "Complete" in the transaction that finds nothing pending.

A crash leaves the Send "Scheduled" or "Sending" (never "Complete" with messages missing); on start-up
`recover()` re-queues such jobs and they continue from the first recipient still `Pending` — nobody is
sent twice, nobody is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..clock import iso_utc
from ..store.sends import BOUNCED, DUPLICATE, ERRORED, EXCLUDED, PENDING, SENT, Pending, SendRepository
from . import codes, filters
from .collector import collector_paused
from .content import block_fetcher
from .delivery import Batch, Event, email_content
from .errors import Invalid, NotFound
from .render import tracked_links
from .subscribers import ALL_SUBSCRIBERS
from .substitutions import Composer

if TYPE_CHECKING:
    from ..core import Emulator

BATCH = 2000
MAGIC_DOMAIN = "sfmc-emulator.test"
MAGIC_KINDS = ("bounce", "held", "error")
UNSUBSCRIBE_STATUSES = ("Unsubscribed",)
UNDELIVERABLE_STATUSES = ("Held", "Bounced")
STOPPED = ("Paused", "Canceled", "Complete", "Error")  # statuses a running send stops at


class SimulatedCrash(BaseException):
    """Raised by the test hook `SendService.crash_after_batches`: the process 'dies' mid-send."""


def magic_kind(email: str | None) -> str | None:
    """'bounce', 'held' or 'error' for the emulator's magic recipients (see README), else None."""
    local, _, domain = (email or "").lower().partition("@")
    # a kind matches by its domain, or by the local part before any '+' (bounce, bounce+1@...); when both
    # name a kind, the first in MAGIC_KINDS wins. Two dict lookups: this runs once per recipient.
    by_domain, by_local = _MAGIC_BY_DOMAIN.get(domain), local.partition("+")[0]
    by_local = by_local if by_local in _MAGIC_ORDER else None
    if by_domain is None or by_local is None:
        return by_domain or by_local
    return by_domain if _MAGIC_ORDER[by_domain] <= _MAGIC_ORDER[by_local] else by_local


_MAGIC_BY_DOMAIN = {f"{kind}.{MAGIC_DOMAIN}": kind for kind in MAGIC_KINDS}
_MAGIC_ORDER = {kind: n for n, kind in enumerate(MAGIC_KINDS)}


def _norm(name: str) -> str:
    return re.sub(r"[\s_]", "", name).casefold()


def de_fields(de: dict[str, Any]) -> list[dict[str, Any]]:
    fields = de.get("Fields") or []
    if isinstance(fields, dict):
        fields = fields.get("Field") or []
    return [f for f in fields if isinstance(f, dict) and f.get("Name")]


class SendService:
    def __init__(self, emu: Emulator, repo: SendRepository) -> None:
        self.emu = emu
        self.repo = repo
        self.crash_after_batches: int | None = None  # test hook: raise SimulatedCrash after N batches

    # -- look-ups shared by the behaviours ---------------------------------------
    def find(self, mid: int, type_name: str, ref: dict[str, Any] | None,
             props: tuple[str, ...] = ("ObjectID", "CustomerKey", "ID", "Name")) -> dict[str, Any] | None:
        """The stored object a reference names (by the first of `props` it gives), or None."""
        found = self.emu.objects.find_named(mid, type_name, ref, props) if isinstance(ref, dict) else None
        return found.data if found else None

    def sendable_columns(self, mid: int, de: dict[str, Any]) -> tuple[str, str | None] | None:
        """(subscriber-key column, email column or None) of a data extension, or None if not sendable.

        SendableDataExtensionField names the column related to the subscriber; SendableSubscriberField says
        whether it relates to the "Subscriber Key" or the "Email Address". Without them, columns named like
        SubscriberKey / EmailAddress are used. Names are matched to the stored rows' spelling."""
        if de.get("IsSendable") is False:  # SFMC sends only to data extensions marked sendable
            return None
        names = [f["Name"] for f in de_fields(de)]
        sample = next(self.emu.audience.iter_rows(mid, de.get("CustomerKey") or "", batch=1), None)
        if sample:
            names += [k for k in sample[1] if k not in names]
        by_norm: dict[str, str] = {}
        for name in names:
            by_norm.setdefault(_norm(name), name)
        if sample:  # prefer the rows' own spelling of a column
            for key in sample[1]:
                by_norm[_norm(key)] = key
        email_col = next((by_norm[_norm(f["Name"])] for f in de_fields(de) if f.get("FieldType") == "EmailAddress"),
                         None)
        email_col = email_col or next((by_norm[n] for n in ("emailaddress", "email") if n in by_norm), None)
        sendable = (de.get("SendableDataExtensionField") or {}).get("Name")
        relation = _norm((de.get("SendableSubscriberField") or {}).get("Name") or "subscriberkey")
        if sendable:
            key_col = by_norm.get(_norm(sendable), sendable)
            if relation == "emailaddress":
                email_col = email_col or key_col
            return key_col, email_col
        key_col = next((by_norm[n] for n in ("subscriberkey", "subscriberid") if n in by_norm), None)
        if key_col is None and email_col is None:
            return None
        return key_col or email_col, email_col

    # -- planning (the caller is waiting; errors become Error results) -------------
    def audience_source(self, mid: int, entry: dict[str, Any], honour_unsubscribe: bool) -> dict[str, Any]:
        """One SendDefinitionList entry as a source the job can build from; raises if it no longer exists."""
        kind = entry.get("DataSourceTypeID") or "List"
        if kind == "List":
            found = self.find(mid, "List", entry.get("List"), ("ID", "ObjectID", "CustomerKey"))
            if found is None:
                raise NotFound(f"ESD_List Not Found: no List with {ref_text(entry.get('List'))}.",
                               code=codes.SOAP.ESD_LIST_NOT_FOUND)
            if found.get("CustomerKey") == ALL_SUBSCRIBERS:
                return {"kind": "all", "label": ALL_SUBSCRIBERS, "list_id": found["ID"]}
            return {"kind": "list", "list_id": found["ID"], "label": found.get("ListName") or found.get("Name")}
        if kind == "CustomObject":
            de = self.find(mid, "DataExtension", {"ObjectID": entry.get("CustomObjectID")}) or self.find(
                mid, "DataExtension", {"CustomerKey": entry.get("CustomObjectID") or entry.get("CustomerKey")})
            if de is None:
                raise NotFound("ESD_Custom Object Not Found: no DataExtension with ObjectID or CustomerKey "
                               f"'{entry.get('CustomObjectID') or entry.get('CustomerKey')}'.",
                               code=codes.SOAP.ESD_DATA_EXTENSION_NOT_FOUND)
            source = self._de_source(mid, de)
            if entry.get("List"):
                publication = self.find(mid, "List", entry["List"], ("ID", "ObjectID", "CustomerKey"))
                if publication is None:
                    raise NotFound(f"ESD_List Not Found: no List with {ref_text(entry['List'])}.",
                                   code=codes.SOAP.ESD_LIST_NOT_FOUND)
                if publication.get("CustomerKey") != ALL_SUBSCRIBERS:
                    source["publication_list_id"] = publication["ID"]
            return source
        if kind == "FilterDefinition":
            fd = self.find(mid, "FilterDefinition", entry.get("FilterDefinition"), ("ObjectID", "CustomerKey"))
            if fd is None:
                raise NotFound("ESD_Send Definition List Invalid: no FilterDefinition with "
                               f"{ref_text(entry.get('FilterDefinition'))}.",
                               code=codes.SOAP.ESD_LIST_INVALID)
            return self._filter_source(mid, fd, entry.get("List"))
        raise Invalid(f"ESD_Send Definition List Invalid: DataSourceTypeID '{kind}' is not supported.",
                      code=codes.SOAP.ESD_LIST_INVALID)

    def _de_source(self, mid: int, de: dict[str, Any]) -> dict[str, Any]:
        columns = self.sendable_columns(mid, de)
        if columns is None:
            raise Invalid(f"ESD_Send Definition List Invalid: the data extension '{de.get('CustomerKey')}' is not "
                          "sendable (no SendableDataExtensionField and no SubscriberKey/EmailAddress column).",
                          code=codes.SOAP.ESD_LIST_INVALID)
        return {"kind": "de", "de_key": de["CustomerKey"], "label": de.get("Name") or de["CustomerKey"],
                "key_column": columns[0], "email_column": columns[1]}

    def _filter_source(self, mid: int, fd: dict[str, Any], list_ref: dict[str, Any] | None) -> dict[str, Any]:
        """A filter over a data extension's rows, or over the profiles of a list's members (the entry's List,
        seed 000's "profile attributes and a data filter") or of every subscriber."""
        data_source = fd.get("DataSource") or {}
        base: dict[str, Any] = {"kind": "subscribers"}
        if data_source.get("__type__") == "List":
            list_ref = data_source
        if list_ref:
            found = self.find(mid, "List", list_ref, ("ID", "ObjectID", "CustomerKey"))
            if found is None:
                raise NotFound(f"ESD_List Not Found: no List with {ref_text(list_ref)}.",
                               code=codes.SOAP.ESD_LIST_NOT_FOUND)
            if found.get("CustomerKey") != ALL_SUBSCRIBERS:
                base = {"kind": "list", "list_id": found["ID"]}
        if data_source.get("__type__") == "DataExtension" or data_source.get("CustomObjectID"):
            de = self.find(mid, "DataExtension", data_source)
            if de is None:
                raise NotFound(f"ESD_Custom Object Not Found: the data source of FilterDefinition "
                               f"'{fd.get('CustomerKey')}' no longer exists.",
                               code=codes.SOAP.ESD_DATA_EXTENSION_NOT_FOUND)
            base = self._de_source(mid, de)
        return {"kind": "filter", "filter_key": fd.get("CustomerKey"), "label": fd.get("Name"),
                "filter": fd.get("DataFilter"), "base": base}

    def plan_email(self, mid: int, ref: dict[str, Any] | None, missing: Exception) -> dict[str, Any]:
        email = self.find(mid, "Email", ref, ("ID", "ObjectID", "CustomerKey", "Name"))
        if email is None:
            raise missing
        return {"ID": email.get("ID"), "CustomerKey": email.get("CustomerKey"), "Name": email.get("Name"),
                "Subject": email.get("Subject") or "", "HTMLBody": email.get("HTMLBody") or "",
                "TextBody": email.get("TextBody") or ""}

    def sender(self, mid: int, classification: dict[str, Any] | None,
               profile_ref: dict[str, Any] | None) -> tuple[str, str, bool]:
        """(from name, from address, honour unsubscribes) from a classification and/or sender profile."""
        sender = self.emu.delivery.sender(mid, classification, profile_ref)
        return sender.name, sender.address, sender.honour_unsubscribe

    def start(self, mid: int, plan: dict[str, Any], extra: dict[str, Any] | None = None,
              run_at: float | None = None) -> int:
        """Queue a planned send, now or at `run_at` on the emulator clock (SOAP Schedule); returns its job id
        (= Send ID) at once. It stays "Scheduled" until it runs."""
        now = iso_utc(self.emu.clock.now())
        send_date = iso_utc(datetime.fromtimestamp(run_at, UTC)) if run_at is not None else now
        detail = {"plan": plan, "CreatedDate": now, "SendDate": send_date, "NumberTargeted": 0, "NumberSent": 0,
                  "NumberErrored": 0, "NumberExcluded": 0, "Duplicates": 0, "HardBounces": 0, **(extra or {})}
        return self.emu.jobs.submit(mid, "send", self.run, detail, status="Scheduled", run_at=run_at)

    def recover(self) -> list[int]:
        """Re-queue sends a previous process left Scheduled/Sending (see module docstring)."""
        ids = self.repo.unfinished_send_jobs()
        for job_id in ids:
            self.emu.jobs.requeue(job_id, self.run)
        return ids

    # -- the job ----------------------------------------------------------------------
    def control(self, job_id: int, action: str) -> str:
        """Send Perform pause/resume/cancel: the new status. A running job notices at its next batch."""
        allowed = {"cancel": ("Scheduled", "Sending", "Paused"), "pause": ("Scheduled", "Sending"),
                   "resume": ("Paused",)}[action]
        with self.emu.store.transaction():
            job = self.emu.jobs.get(job_id)
            if job is None or job["status"] not in allowed:
                raise Invalid(f"The send {job_id} cannot be {action}d: it is {job['status'] if job else 'unknown'}.",
                              code=codes.SOAP.SEND_CANNOT_CHANGE)
            status = {"cancel": "Canceled", "pause": "Paused"}.get(
                action, "Sending" if job["detail"].get("materialized") else "Scheduled")
            self.emu.jobs.update(job_id, status=status, ModifiedDate=iso_utc(self.emu.clock.now()))
        if action == "resume":
            self.emu.jobs.requeue(job_id, self.run)
        return status

    def _stopped(self, job_id: int) -> bool:
        job = self.emu.jobs.get(job_id)
        return job is None or job["status"] in STOPPED

    def run(self, job_id: int) -> None:
        job = self.emu.jobs.get(job_id)
        if job is None or job["status"] in STOPPED:
            return
        plan = job["detail"]["plan"]
        if not job["detail"].get("materialized"):
            self._materialise(job_id, job["mid"], plan)
        self._deliver(job_id, job["mid"], plan)

    def _materialise(self, job_id: int, mid: int, plan: dict[str, Any]) -> None:
        repo = self.repo
        honour = plan.get("honour_unsubscribe", True)
        with self.emu.store.transaction():
            if self._stopped(job_id):
                return
            repo.forget(job_id)
            repo.add_links(job_id, mid, tracked_links((plan.get("email") or {}).get("HTMLBody") or ""))
            for source in plan["sources"]:
                self._add_source(job_id, mid, source, honour)
            for source in plan.get("exclusions", []):
                self._exclude(job_id, mid, source)
            statuses = UNDELIVERABLE_STATUSES + (UNSUBSCRIBE_STATUSES if honour else ())
            repo.exclude_by_subscriber_status(job_id, mid, statuses)
            repo.exclude_by_address(job_id, ["held@%", "held+%", f"%@held.{MAGIC_DOMAIN}"], "held (magic address)")
            if plan.get("dedupe_by_email"):
                repo.dedupe_by_email(job_id)
            counts = repo.state_counts(job_id)
            self.emu.jobs.update(job_id, status="Sending", materialized=True,
                                 NumberTargeted=counts.get(PENDING, 0), NumberExcluded=counts.get(EXCLUDED, 0),
                                 Duplicates=counts.get(DUPLICATE, 0))

    def _add_source(self, job_id: int, mid: int, source: dict[str, Any], honour: bool) -> None:
        repo, kind = self.repo, source["kind"]
        if kind == "list":
            repo.add_list_members(job_id, mid, source["list_id"], f"list:{source['list_id']}", honour)
        elif kind == "all":
            repo.add_all_subscribers(job_id, mid, f"list:{source['list_id']}")
        elif kind == "de":
            repo.add_de_rows(job_id, mid, source["de_key"], f"de:{source['de_key']}", source["key_column"],
                             source["email_column"])
            if source.get("publication_list_id") and honour:
                repo.exclude_list_members(job_id, mid, source["publication_list_id"],
                                          "unsubscribed from the publication list", only_inactive=True)
        elif kind == "filter":
            label = f"filter:{source['filter_key']}"
            chunk: list[tuple[str, str, str, int | None]] = []
            for key, email, pk in self._filter_matches(mid, source):
                chunk.append((key, email, label, pk))
                if len(chunk) >= BATCH:
                    repo.add_recipients(job_id, mid, chunk)
                    chunk = []
            if chunk:
                repo.add_recipients(job_id, mid, chunk)

    def _exclude(self, job_id: int, mid: int, source: dict[str, Any]) -> None:
        kind = source["kind"]
        reason = f"exclusion {source.get('label')}"
        if kind == "list":
            self.repo.exclude_list_members(job_id, mid, source["list_id"], reason)
        elif kind == "all":
            self.repo.exclude_by_address(job_id, ["%"], reason)
        elif kind == "de":
            self.repo.exclude_de_keys(job_id, mid, source["de_key"], source["key_column"], reason)
        elif kind == "filter":
            keys = (key for key, _, _ in self._filter_matches(mid, source))
            chunk: list[str] = []
            for key in keys:
                chunk.append(key)
                if len(chunk) >= BATCH:
                    self.repo.exclude_keys(job_id, chunk, reason)
                    chunk = []
            self.repo.exclude_keys(job_id, chunk, reason)

    def _filter_matches(self, mid: int, source: dict[str, Any]) -> Iterator[tuple[str, str, int | None]]:
        """(subscriber key, email, DE row pk) of every member of the filter's data source it selects, streamed;
        the filter itself is evaluated by domain/filters.py, as for any FilterDefinition."""
        base = source["base"]
        definition: dict[str, Any] = {"DataFilter": source.get("filter")}
        if base["kind"] == "de":
            definition["DataSource"] = {"__type__": "DataExtension", "CustomerKey": base["de_key"]}
        list_id = base.get("list_id") if base["kind"] == "list" else None
        key_col, email_col = base.get("key_column"), base.get("email_column")
        for pk, member in filters.filter_matches(self.emu, mid, definition, list_id=list_id):
            if base["kind"] != "de":
                # A list's unsubscribed/held members are not its audience; account-wide statuses are
                # excluded later, honouring the send classification.
                if list_id is None or member["Status"] == "Active":
                    yield member["SubscriberKey"], member["EmailAddress"], None
                continue
            row = filters.Caseless(member)
            key = row.get(key_col)
            email = row.get(email_col) if email_col else None
            if email is None and key is not None:
                found = self.emu.audience.get_subscriber(mid, str(key))
                email = found.email if found else None
            if key not in (None, "") and email:
                yield str(key), str(email), pk

    def _deliver(self, job_id: int, mid: int, plan: dict[str, Any]) -> None:
        content = email_content(plan["email"], plan.get("subject"), {},
                                block_fetcher(self.emu.documents, self.emu.document_query, mid))
        compose = Composer(mid, job_id, plan, content)
        pending, batches = self.repo.pending_batches(job_id, BATCH, data=compose.uses_data), 0
        while True:
            with collector_paused():
                rows = next(pending, None)
                delivered = rows is not None and self._send_batch(job_id, mid, compose, rows)
            if rows is None:
                break
            if not delivered:  # paused or canceled meanwhile
                return
            batches += 1
            if self.crash_after_batches is not None and batches >= self.crash_after_batches:
                raise SimulatedCrash(f"simulated crash after {batches} batches of job {job_id}")
        with self.emu.store.transaction():
            if self._stopped(job_id):
                return
            counts = self.repo.state_counts(job_id)
            if counts.get(PENDING):  # something was added meanwhile; never claim Complete with work left
                return self._deliver(job_id, mid, plan)
            sent = counts.get(SENT, 0) + counts.get(BOUNCED, 0)
            self.emu.jobs.update(job_id, status="Complete", NumberSent=sent, NumberErrored=counts.get(ERRORED, 0),
                                 NumberTargeted=sent + counts.get(ERRORED, 0), NumberDelivered=counts.get(SENT, 0),
                                 NumberExcluded=counts.get(EXCLUDED, 0), Duplicates=counts.get(DUPLICATE, 0),
                                 HardBounces=counts.get(BOUNCED, 0),
                                 ModifiedDate=iso_utc(self.emu.clock.now()))

    def _send_batch(self, job_id: int, mid: int, compose: Composer, rows: list[Pending]) -> bool:
        """One batch of pending recipients out: messages, events, states and counts in one transaction.
        False (nothing written) when the send was paused or canceled meanwhile."""
        now_dt = self.emu.clock.now()
        now, now_iso = now_dt.timestamp(), iso_utc(now_dt)
        batch, exceptions, errored, bounced = Batch(), [], 0, 0
        for pk, key, address, audience, subscriber_id, attributes, row in rows:
            magic = magic_kind(address)
            event = Event(mid, job_id, key, address, "Sent", now)
            if magic == "error":
                exceptions.append((ERRORED, "error building the email (magic address)", pk))
                batch.events.append(event.but("NotSent", reason="magic error address"))
                errored += 1
                continue
            batch.sent(compose.message(key, address, audience, subscriber_id, attributes, row, now), event,
                       bounce=magic == "bounce")
            if magic == "bounce":
                bounced += 1
                exceptions.append((BOUNCED, None, pk))
        counts = {"NumberSent": len(batch.messages), "NumberErrored": errored, "HardBounces": bounced}
        with self.emu.store.transaction():
            job = self.emu.jobs.get(job_id)
            if job is None or job["status"] in STOPPED:
                return False
            detail = job["detail"]
            self.emu.delivery.deliver(batch)
            self.repo.mark(exceptions)
            self.repo.mark_sent(job_id, rows[0][0], rows[-1][0])
            self.emu.jobs.update(job_id, **{k: detail.get(k, 0) + v for k, v in counts.items()}, SentDate=now_iso)
        return True

    # -- what retrieves show --------------------------------------------------------
    def send_objects(self, mids: list[int], job_id: int | None = None) -> list[dict[str, Any]]:
        jobs = self.repo.send_jobs(mids, job_id)
        counts = self.emu.engagement.send_counts([job["id"] for job in jobs])
        return [send_object(job, counts.get(job["id"])) for job in jobs]

    def events(self, mids: list[int], event_types: tuple[str, ...], job_id: int | None,
               subscriber_key: str | None, type_name: str) -> Iterator[dict[str, Any]]:
        for e in self.repo.iter_events(mids, event_types, job_id, subscriber_key):
            yield event_object(e, type_name)


def send_object(job: dict[str, Any], engagement: dict[str, int] | None = None) -> dict[str, Any]:
    """The Send a job shows; `engagement`: its counts from tracking events (Engagement.send_counts)."""
    d, plan = job["detail"], job["detail"].get("plan") or {}
    email = plan.get("email") or {}
    out: dict[str, Any] = {
        "__type__": "Send", "ID": job["id"], "Client": {"__type__": "ClientID", "ID": job["mid"]},
        "CreatedDate": d.get("CreatedDate"), "ModifiedDate": d.get("ModifiedDate") or d.get("CreatedDate"),
        "Email": {"__type__": "Email", "ID": email.get("ID")}, "EmailName": email.get("Name"),
        "Subject": plan.get("subject") or email.get("Subject"), "FromName": plan.get("from_name"),
        "FromAddress": plan.get("from_address"), "SendDate": d.get("SendDate"), "SentDate": d.get("SentDate"),
        "Status": job["status"], "IsMultipart": plan.get("is_multipart"), "Additional": plan.get("additional"),
        "List": [{"__type__": "List", "ID": s["list_id"]} for s in plan.get("sources", []) if s.get("list_id")],
    }
    for key in ("NumberTargeted", "NumberSent", "NumberErrored", "NumberExcluded", "NumberDelivered",
                "Duplicates", "HardBounces"):
        out[key] = d.get(key, 0)
    out.update({"SoftBounces": 0, "OtherBounces": 0, "UniqueOpens": 0, "UniqueClicks": 0, "Unsubscribes": 0,
                "ForwardedEmails": 0, "InvalidAddresses": 0, "MissingAddresses": 0,
                "ExistingUndeliverables": 0, "ExistingUnsubscribes": 0})
    if engagement:
        out.update({k: v for k, v in engagement.items() if k in ("UniqueOpens", "UniqueClicks", "Unsubscribes")})
        out["HardBounces"] = max(out["HardBounces"], engagement["HardBounces"])
    if plan.get("definition"):
        out["EmailSendDefinition"] = {"__type__": "EmailSendDefinition", **plan["definition"]}
    return {k: v for k, v in out.items() if v is not None}


def event_object(e: dict[str, Any], type_name: str) -> dict[str, Any]:
    date = iso_utc(datetime.fromtimestamp(e["event_date"], UTC))
    out: dict[str, Any] = {
        "__type__": type_name, "ID": e["id"], "Client": {"__type__": "ClientID", "ID": e["mid"]},
        "SendID": e["job_id"], "SubscriberKey": e["subscriber_key"], "EventDate": date, "CreatedDate": date,
        "EventType": e["event_type"], "BatchID": e["batch_id"],
        "TriggeredSendDefinitionObjectID": e["detail"].get("tsd_object_id"),
    }
    for key in ("SMTPCode", "BounceCategory", "SMTPReason", "URL", "URLID"):
        if e["detail"].get(key):
            out[key] = e["detail"][key]
    if type_name == "ClickEvent" and e["detail"].get("URLID"):
        out["URLIDLong"] = e["detail"]["URLID"]
    if type_name == "UnsubEvent":
        if e["detail"].get("list_id"):
            out["List"] = {"__type__": "List", "ID": e["detail"]["list_id"]}
        out["IsMasterUnsubscribed"] = bool(e["detail"].get("IsMasterUnsubscribed"))
    if type_name == "BounceEvent":
        out["BounceType"] = "immediate"
    return {k: v for k, v in out.items() if v is not None}


def ref_text(ref: Any) -> str:
    """How an error message names a reference: its first identifying property."""
    if not isinstance(ref, dict):
        return "no identifier"
    for prop in ("ID", "ObjectID", "CustomerKey", "Name"):
        if ref.get(prop) not in (None, ""):
            return f"{prop} '{ref[prop]}'"
    return "no identifier"


def audience_plan(service: SendService, mid: int, entries: list[dict[str, Any]],
                  honour_unsubscribe: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(sources, exclusions) for SendDefinitionList entries; raises the ESD error for a missing one."""
    sources, exclusions = [], []
    for entry in entries:
        source = service.audience_source(mid, entry, honour_unsubscribe)
        kind = entry.get("SendDefinitionListType") or "SourceList"
        if kind == "SourceList":
            sources.append(source)
        elif kind == "ExclusionList":
            exclusions.append(source)
        else:
            raise Invalid(f"ESD_Send Definition List Invalid: SendDefinitionListType '{kind}' is not supported.",
                          code=codes.SOAP.ESD_LIST_INVALID)
    if not sources:
        raise Invalid("ESD_Send Definition List Invalid: the definition has no SourceList to send to.",
                      code=codes.SOAP.ESD_LIST_INVALID)
    return sources, exclusions

