"""The request journal's admin API (it lives with replay because its export is a scenario):

- ``GET /_emulator/journal?limit=100&offset=0&since_id=&mid=&bodies=1`` newest first, with the total count
  (the inspector's journal page shows the same entries)
- ``GET /_emulator/journal/<id>`` one exchange with its bodies
- ``DELETE /_emulator/journal`` forget every exchange
- ``GET /_emulator/journal/export?since_id=`` the journal (oldest first) as a replayable scenario YAML
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..domain import codes
from ..domain.errors import NotFound
from ..journal import entry_json
from ..web import emulator, id_arg, int_arg, journal_filters

bp = Blueprint("journal", __name__, url_prefix="/_emulator")


@bp.get("/journal")
def journal_list():
    args = request.args
    journal = emulator().journal
    rows = journal.list(limit=int_arg("limit", 100, 0, 1000), offset=int_arg("offset", 0, 0, 2**62),
                        since_id=id_arg("since_id"), mid=id_arg("mid"))
    bodies = args.get("bodies", "1").lower() not in ("0", "false", "no")
    return jsonify(count=journal.count(), cap=journal.cap, items=[entry_json(r, bodies) for r in rows])


@bp.get("/journal/<int:entry_id>")
def journal_entry(entry_id: int):
    row = emulator().journal.get(entry_id)
    mid = id_arg("mid")
    if row is None or mid is not None and row["mid"] != mid:
        raise NotFound(f"No journal entry {entry_id}.", code=codes.REST.NOT_FOUND)
    return jsonify(entry_json(row))


@bp.delete("/journal")
def journal_clear():
    return jsonify(cleared=emulator().journal.clear())


@bp.get("/journal/export")
def journal_export():
    from .build import scenario_from_journal, to_yaml

    emu = emulator()
    since = id_arg("since_id")
    rows = [r for r in emu.journal.all_in_order() if since is None or r["id"] > since]
    scenario = scenario_from_journal(rows, base_url=emu.base_url, name=request.args.get("name"))
    return Response(to_yaml(scenario), mimetype="application/x-yaml",
                    headers={"Content-Disposition": "attachment; filename=journal-scenario.yaml"})


@bp.get("/ui/journal/export")
def journal_export_selection():
    """The inspector's journal selection (its filters), oldest first, as a replayable scenario."""
    from .build import scenario_from_journal, to_yaml

    emu = emulator()
    rows = emu.inspect.journal(journal_filters(), limit=5000, ascending=True)[0]
    scenario = scenario_from_journal(rows, base_url=emu.base_url, name=request.args.get("name") or
                                     "inspector journal selection")
    return Response(to_yaml(scenario), mimetype="application/x-yaml",
                    headers={"Content-Disposition": "attachment; filename=journal-selection.yaml"})
