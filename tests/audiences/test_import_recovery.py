"""Imports after a crash: a Queued one runs on restart, an Importing one ends as Error with the reason; and
each instance's Import folder is its own (named after its --db file)."""

from __future__ import annotations

import re
import sqlite3
import time

import requests

from emulator.config import Config
from emulator.core import Emulator
from emulator.domain.context import CallContext
from emulator.domain.imports import INTERRUPTED
from tests.audiences.test_data_extensions import DE_XML
from tests.audiences.test_imports import de_import_xml
from tests.serving import free_port, kill_hard, killed_on_exit, serve
from tests.soap_helpers import PARTNER, post_soap

CREATE = f'<CreateRequest xmlns="{PARTNER}">{{}}</CreateRequest>'
START = (f'<PerformRequestMsg xmlns="{PARTNER}"><Action>start</Action><Definitions>'
         '<Definition xsi:type="ImportDefinition"><CustomerKey>{}</CustomerKey></Definition>'
         "</Definitions></PerformRequestMsg>")


def _soap(base: str, action: str, body: str) -> str:
    response = post_soap(f"{base}/Service.asmx", action, body)
    assert "<StatusCode>OK</StatusCode>" in response.text, response.text
    return response.text


def _definition(emu: Emulator, rows: int) -> dict:
    """The DE `people`, a file of `rows` rows in the Import folder, and a stored definition importing it."""
    mid = emu.enterprise_mid
    ctx = CallContext(mid, "test")
    emu.import_folder.write("p.tsv", b"Key\tEmail\n" + b"".join(f"k{i}\tk{i}@example.com\n".encode()
                                                               for i in range(rows)))
    service = emu.object_service
    de = {"__type__": "DataExtension", "CustomerKey": "people", "Name": "People",
          "Fields": {"Field": [{"Name": "Key", "FieldType": "Text", "MaxLength": 20, "IsPrimaryKey": True},
                               {"Name": "Email", "FieldType": "EmailAddress"}]}}
    assert service.create(ctx, "DataExtension", [de])[0].ok
    imp = {"__type__": "ImportDefinition", "CustomerKey": "imp", "Name": "imp",
           "DestinationObject": {"__type__": "DataExtension", "CustomerKey": "people"},
           "FieldMappingType": "InferFromColumnHeadings", "FileSpec": "p.tsv", "FileType": "TAB",
           "UpdateType": "AddAndUpdate"}
    created = service.create(ctx, "ImportDefinition", [imp])[0]
    assert created.ok, created.message
    return created.object


def test_queued_import_runs_after_restart_and_importing_one_ends_as_error(tmp_path):
    config = Config(port=0, db_path=str(tmp_path / "emulator.db"))
    emu = Emulator(config)
    definition = _definition(emu, 10)
    detail = {"ImportDefinitionCustomerKey": "imp", "ImportDefinitionObjectID": definition["ObjectID"],
              "ImportType": "Data Extensions", "NumberSuccessful": 0, "TotalRows": 0}
    # Two jobs as a killed process leaves them: one never started, one mid-way (no worker ran them).
    queued = emu.jobs.submit(emu.enterprise_mid, "import", lambda _job_id: None, detail, status="Queued")
    running = emu.jobs.submit(emu.enterprise_mid, "import", lambda _job_id: None, detail, status="Queued")
    emu.jobs.wait_idle()
    emu.jobs.update(running, status="Importing")
    emu.close()

    restarted = Emulator(config)
    try:
        done = restarted.jobs.wait(queued, timeout=30)
        assert done["status"] == "Completed" and done["detail"]["NumberSuccessful"] == 10
        failed = restarted.jobs.get(running)
        assert failed["status"] == "Error" and failed["detail"]["error"] == INTERRUPTED
        assert failed["finished"] is not None
    finally:
        restarted.close()


def test_kill_9_mid_import_then_restart_ends_it_as_error(tmp_path):
    db, rows = tmp_path / "kill.db", 150_000
    port = free_port()
    proc, base = serve(db, port, capture=False), f"http://127.0.0.1:{port}"
    with killed_on_exit(proc):
        _soap(base, "Create", CREATE.format(DE_XML))
        data = b"Key\tEmail\n" + b"".join(f"k{i}\tk{i}@example.com\n".encode() for i in range(rows))
        requests.put(f"{base}/_emulator/ftp/Import/big.tsv", data=data, timeout=60).raise_for_status()
        _soap(base, "Create", CREATE.format(de_import_xml("big", "big.tsv")))
        answer = _soap(base, "Perform", START.format("big"))
        job_id = int(re.search(r"<Task>.*?<ID>(\d+)</ID>", answer, re.S).group(1))
        while requests.get(f"{base}/_emulator/jobs/{job_id}", timeout=30).json()["status"] == "Queued":
            time.sleep(0.005)
        kill_hard(proc)  # SIGKILL mid-import: no shutdown code runs
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM job WHERE id=?", (job_id,)).fetchone()[0] == "Importing"
    port = free_port()
    proc, base = serve(db, port, capture=False), f"http://127.0.0.1:{port}"
    try:
        job = requests.get(f"{base}/_emulator/jobs/{job_id}", timeout=30).json()
        assert job["status"] == "Error" and job["detail"]["error"] == INTERRUPTED
        summary = post_soap(f"{base}/Service.asmx", "Retrieve",
                            f'<RetrieveRequestMsg xmlns="{PARTNER}"><RetrieveRequest>'
                            "<ObjectType>ImportResultsSummary</ObjectType><Properties>ImportStatus</Properties>"
                            "<Filter xsi:type=\"SimpleFilterPart\"><Property>TaskResultID</Property>"
                            f"<SimpleOperator>equals</SimpleOperator><Value>{job_id}</Value></Filter>"
                            "</RetrieveRequest></RetrieveRequestMsg>").text
        assert "<ImportStatus>Error</ImportStatus>" in summary
        # Started again, the whole file imports (an upsert: the batches written before the kill are updates).
        answer = _soap(base, "Perform", START.format("big"))
        again = int(re.search(r"<Task>.*?<ID>(\d+)</ID>", answer, re.S).group(1))
        job = requests.get(f"{base}/_emulator/jobs/{again}", params={"wait": 60}, timeout=90).json()
        assert job["status"] == "Completed" and job["detail"]["NumberSuccessful"] == rows
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_two_databases_in_one_directory_have_their_own_import_folders(tmp_path):
    legacy = tmp_path / "ftp" / "Import"
    legacy.mkdir(parents=True)
    (legacy / "old.csv").write_text("a\n")  # a sandbox made before the folder was per database
    first = Emulator(Config(port=0, db_path=str(tmp_path / "a.db")))
    second = Emulator(Config(port=0, db_path=str(tmp_path / "b.db")))
    try:
        assert first.import_folder.path != second.import_folder.path
        assert first.import_folder.path == tmp_path / "a.db.ftp" / "Import"
        # Each starts with a copy of the legacy folder's files; the legacy folder stays.
        assert [f["name"] for f in first.import_folder.list()] == ["old.csv"]
        assert [f["name"] for f in second.import_folder.list()] == ["old.csv"]
        second.import_folder.write("mine.csv", b"b\n")
        first.reset()  # a reset empties only its own folder
        assert first.import_folder.list() == []
        assert sorted(f["name"] for f in second.import_folder.list()) == ["mine.csv", "old.csv"]
        assert (legacy / "old.csv").exists()
    finally:
        first.close()
        second.close()


def test_a_restart_keeps_the_folder_and_does_not_copy_the_legacy_one_again(tmp_path):
    legacy = tmp_path / "ftp" / "Import"
    legacy.mkdir(parents=True)
    (legacy / "old.csv").write_text("a\n")
    emu = Emulator(Config(port=0, db_path=str(tmp_path / "a.db")))
    emu.import_folder.path.joinpath("old.csv").unlink()
    emu.import_folder.write("new.csv", b"n\n")
    emu.close()
    again = Emulator(Config(port=0, db_path=str(tmp_path / "a.db")))
    try:
        assert [f["name"] for f in again.import_folder.list()] == ["new.csv"]
    finally:
        again.close()
