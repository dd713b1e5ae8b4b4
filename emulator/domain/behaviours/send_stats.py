"""ListSend and LinkSend: a send's statistics per audience list and per tracked link (read-only).

Nothing is copied when a send runs: a ListSend is counted from the send's materialised audience
(``send_recipient``: each recipient's list and final state) and its tracking events (``send_event``), one
per List the send targeted (a list with no recipient still has its row, with zeros); a LinkSend is one per
link the email tracks (``send_link``, recorded when the audience is built), its clicks counted from the
send's ``Click`` events (their detail's ``URL``). Engagement counts read the event table by type, so they
follow whatever events exist: Open, Click, Unsubscribe, SoftBounce, OtherBounce and Forward. A HardBounce
recorded after the message went out (domain/engagement.py's simulated bounce) moves its recipient from
NumberDelivered to HardBounces; a bounce at send time is already the recipient's state.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ...clock import iso_utc
from ...store.sends import BOUNCED, DUPLICATE, SENT, SendRepository
from ..context import CallContext
from . import behaviour
from .email_send_definition import _pushdown
from .retrieve_only import RetrieveOnly

# Engagement event types (send_event.event_type) and the ListSend count each gives: distinct subscribers.
ENGAGEMENT = {"Open": "UniqueOpens", "Click": "UniqueClicks", "Unsubscribe": "Unsubscribes",
              "SoftBounce": "SoftBounces", "OtherBounce": "OtherBounces", "Forward": "ForwardedEmails"}
CLICK = "Click"
HARD_BOUNCE = "HardBounce"  # what domain/engagement.py writes for a bounce (the WSDL's EventType name)


def _send_id(query: Any) -> int | None | bool:
    """The SendID an equality filter requires: an int, None (no such filter) or False (not a number)."""
    value = _pushdown(query.filter, "SendID")
    if value is None:
        return None
    return int(value) if value.lstrip("-").isdigit() else False


def _excluded(states: dict[str, int], *words: str) -> int:
    """Recipients excluded for a reason mentioning one of these words (the subscriber's status)."""
    return sum(n for key, n in states.items()
               if key.startswith("reason:") and any(w in key[7:].casefold() for w in words))


class _PerSendBehaviour(RetrieveOnly):
    """Statistics of the sends in these BUs (of one send, where the filter requires a SendID)."""

    def rows(self, ctx: CallContext, mids: list[int], query: Any) -> list[dict[str, Any]]:
        send_id = _send_id(query)
        if send_id is False:  # a SendID that is no number names no send
            return []
        return self.stats(self.service.emu.send_rows, mids, send_id)

    def stats(self, repo: SendRepository, mids: list[int], send_id: int | None) -> list[dict[str, Any]]:
        raise NotImplementedError


@behaviour("ListSend")
class ListSendBehaviour(_PerSendBehaviour):
    def stats(self, repo: SendRepository, mids: list[int], send_id: int | None) -> list[dict[str, Any]]:
        out = []
        for job in repo.send_jobs(mids, send_id):
            list_ids = [s["list_id"] for s in (job["detail"].get("plan") or {}).get("sources", [])
                        if s.get("list_id")]
            if not list_ids:
                continue
            states = repo.source_states(job["id"])
            engaged = repo.source_event_counts(job["id"], tuple(ENGAGEMENT))
            late = repo.source_event_counts(job["id"], (HARD_BOUNCE,), state=SENT)  # bounced after delivery
            for list_id in dict.fromkeys(list_ids):
                source = f"list:{list_id}"
                counts, events = states.get(source, {}), engaged.get(source, {})
                bounced_later = late.get(source, {}).get(HARD_BOUNCE, 0)
                row = {"__type__": "ListSend", "Client": {"__type__": "ClientID", "ID": job["mid"]},
                       "SendID": job["id"], "List": {"__type__": "List", "ID": list_id},
                       "NumberSent": counts.get(SENT, 0) + counts.get(BOUNCED, 0),
                       "NumberDelivered": counts.get(SENT, 0) - bounced_later,
                       "HardBounces": counts.get(BOUNCED, 0) + bounced_later,
                       "Duplicates": counts.get(DUPLICATE, 0),
                       "ExistingUnsubscribes": _excluded(counts, "unsubscribed"),
                       "ExistingUndeliverables": _excluded(counts, "held", "bounced"),
                       "InvalidAddresses": 0, "MissingAddresses": 0}
                row.update({count: events.get(event_type, 0) for event_type, count in ENGAGEMENT.items()})
                out.append(row)
        return out


@behaviour("LinkSend")
class LinkSendBehaviour(_PerSendBehaviour):
    def stats(self, repo: SendRepository, mids: list[int], send_id: int | None) -> list[dict[str, Any]]:
        clicks: dict[int, dict[str, tuple[int, int, float | None]]] = {}
        out = []
        for link in repo.links(mids, send_id):
            job_id = link["job_id"]
            if job_id not in clicks:
                clicks[job_id] = repo.link_clicks(job_id, CLICK)
            total, unique, last = clicks[job_id].get(link["url"], (0, 0, None))
            tracked = {"__type__": "Link", "ID": link["id"], "URL": link["url"], "Alias": link["alias"],
                       "TotalClicks": total, "UniqueClicks": unique,
                       "LastClicked": iso_utc(datetime.fromtimestamp(last, UTC)) if last else None}
            out.append({"__type__": "LinkSend", "ID": link["id"], "Client": {"__type__": "ClientID", "ID": link["mid"]},
                        "SendID": job_id, "Link": {k: v for k, v in tracked.items() if v is not None}})
        return out
