"""Imports (seed 002): the Import folder, ImportDefinition create/start, ImportResultsSummary."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import requests

from tests.audiences.test_data_extensions import DE_XML
from tests.audiences.test_subscribers import make_list
from tests.soap_helpers import NS, PARTNER, readable, request_body, simple_filter, texts

# Doc page 002's requests, kept byte for byte in seed_envelopes/ (annotations included): their bodies, made
# readable (soap_helpers.readable), with the page's list ID (123) and task ID (129159023) replaced by ours.
# The List retrieve is tests/soap/test_seed_envelopes.py's; test_seed_002_literal.py posts the whole page.
ENVELOPES = Path(__file__).with_name("seed_envelopes")


def _seed_body(name: str) -> str:
    return request_body(readable((ENVELOPES / f"002_{name}_request.xml").read_text()))


SEED_CREATE_IMPORT, SEED_START, SEED_SUMMARY = map(_seed_body, ("create_import", "start_import", "import_summary"))


def seed_create_import(list_id: str) -> str:
    return SEED_CREATE_IMPORT.replace("<ID>123</ID>", f"<ID>{list_id}</ID>")


def seed_summary(task_id: str) -> str:
    return SEED_SUMMARY.replace("<Value>129159023</Value>", f"<Value>{task_id}</Value>")


SAP_CSV = (b"ID,NAME_FIRST,NAME_LAST,TITLE_TEXT,Email Address\r\n"
           b"1,Ann,Lee,Dr,ann@example.com\r\n"
           b"2,Bob,\"Ray, Jr\",,bob@example.com\r\n"
           b"3,Cy,Doe,,not-an-email\r\n"
           b"4,Ann,Again,,ann@example.com\r\n")


def upload(mc, name: str, data: bytes) -> requests.Response:
    return requests.put(f"{mc.base_url}/_emulator/ftp/Import/{name}", data=data, timeout=30)


def summary(soap, task_id: str, props=("ImportStatus", "NumberSuccessful", "NumberErrors", "NumberDuplicated",
                                       "TotalRows", "ImportType", "DestinationID", "ImportDefinitionCustomerKey")):
    resp = soap.retrieve("ImportResultsSummary", list(props), simple_filter("TaskResultID", "equals", task_id))
    return {p: (texts(resp, f"p:Results/p:{p}") or [None])[0] for p in props}


def start(soap, key: str) -> str:
    resp = soap.call("Perform", f'<PerformRequestMsg xmlns="{PARTNER}"><Action>start</Action><Definitions>'
                     f'<Definition xsi:type="ImportDefinition"><CustomerKey>{key}</CustomerKey></Definition>'
                     "</Definitions></PerformRequestMsg>")
    assert texts(resp, "p:OverallStatus") == ["OK"], texts(resp, "p:Results/p:Result/p:StatusMessage")
    return texts(resp, "p:Results/p:Result/p:Task/p:ID")[0]


def test_seed_002_workflow(soap, mc):
    make_list(soap, "Sample_List")
    found = soap.retrieve("List", ["ID"], simple_filter("ListName", "equals", "Sample_List"))
    list_id = texts(found, "p:Results/p:ID")[0]
    assert upload(mc, "SAP_List.csv", SAP_CSV).status_code == 201
    created = soap.call("Create", seed_create_import(list_id))
    assert texts(created, "p:Results/p:StatusMessage") == ["ImportDefinition created."]
    assert texts(created, "p:Results/p:NewID") == ["0"]
    assert texts(created, "p:Results/p:Object/p:FieldMaps/p:FieldMap/p:SourceOrdinal") == ["0", "1", "2", "3", "4"]
    performed = soap.call("Perform", SEED_START)
    message = texts(performed, "p:Results/p:Result/p:StatusMessage")[0]
    task_id = texts(performed, "p:Results/p:Result/p:Task/p:ID")[0]
    assert message == f"ImportDefinition performed AsyncID:{task_id}"
    assert texts(performed, "p:Results/p:Result/p:Object/p:CustomerKey") == ["SAP_IMP_KEY_1"]
    mc.wait_for_job(int(task_id))
    resp = soap.call("Retrieve", seed_summary(task_id))
    result = resp.find("p:Results", NS)
    assert result.get(f"{{{NS['xsi']}}}type") == "ImportResultsSummary"
    assert texts(result, "p:ImportDefinitionCustomerKey") == ["SAP_IMP_KEY_1"]
    assert texts(result, "p:ImportType") == ["Subscriber List"]
    assert texts(result, "p:ImportStatus") == ["Completed"]
    assert texts(result, "p:DestinationID") == [list_id]
    assert texts(result, "p:NumberSuccessful") == ["2"]
    full = summary(soap, task_id)
    assert (full["NumberErrors"], full["NumberDuplicated"], full["TotalRows"]) == ("1", "1", "4")
    job = mc.http.get(f"{mc.base_url}/_emulator/jobs/{task_id}", timeout=10).json()
    assert "invalid email address 'not-an-email'" in " ".join(job["detail"]["rejected"])
    members = soap.retrieve("ListSubscriber", ["SubscriberKey"], simple_filter("ListID", "equals", list_id))
    assert sorted(texts(members, "p:Results/p:SubscriberKey")) == ["ann@example.com", "bob@example.com"]
    bob = soap.retrieve("Subscriber", ["Attributes"], simple_filter("SubscriberKey", "equals", "bob@example.com"))
    attrs = dict(zip(texts(bob, "p:Results/p:Attributes/p:Name"), texts(bob, "p:Results/p:Attributes/p:Value"),
                     strict=True))
    assert attrs["NAME_LAST"] == "Ray, Jr" and attrs["NAME_FIRST"] == "Bob"


def de_import_xml(key: str, file_spec: str, update_type: str = "AddAndUpdate", extra: str = "",
                  mapping: str = "InferFromColumnHeadings") -> str:
    return (f'<Objects xsi:type="ImportDefinition"><CustomerKey>{key}</CustomerKey><Name>{key}</Name>'
            '<DestinationObject xsi:type="DataExtension"><CustomerKey>people</CustomerKey></DestinationObject>'
            f"<FieldMappingType>{mapping}</FieldMappingType>{extra}<FileSpec>{file_spec}</FileSpec>"
            f"<FileType>TAB</FileType><UpdateType>{update_type}</UpdateType></Objects>")


def test_de_import_types_duplicates_and_update_types(soap, mc):
    soap.create(DE_XML)
    upload(mc, "people.tsv", b"Key\tEmail\tAge\tIgnored\n"
                             b"k1\ta@example.com\t30\tx\n"
                             b"k2\tb@example.com\told\tx\n"
                             b"\n"
                             b"k3\t\t5\tx\n"
                             b"K1\tdup@example.com\t31\tx\n"
                             b"k4\tc@example.com\t44\n")
    assert texts(soap.create(de_import_xml("imp-de", "people.tsv")), "p:Results/p:StatusCode") == ["OK"]
    task = start(soap, "imp-de")
    mc.wait_for_job(int(task))
    got = summary(soap, task)
    assert got["ImportStatus"] == "Completed" and got["ImportType"] == "Data Extensions"
    assert (got["NumberSuccessful"], got["NumberErrors"], got["NumberDuplicated"], got["TotalRows"]) == \
        ("1", "3", "1", "5")
    reasons = mc.emu.jobs.get(int(task))["detail"]["rejected"]
    assert any("not a valid Number" in r for r in reasons)
    assert any("Email is required" in r for r in reasons)
    assert any("expected 4 columns, found 3" in r for r in reasons)
    # AddAndDoNotUpdate leaves k1 alone (a duplicate) and adds k9.
    upload(mc, "more.tsv", b"Key\tEmail\tAge\nk1\tz@example.com\t99\nk9\tn@example.com\t9\n\tm@example.com\t5\n")
    soap.create(de_import_xml("imp-2", "more.tsv", "AddAndDoNotUpdate"))
    second = start(soap, "imp-2")
    mc.wait_for_job(int(second))
    got = summary(soap, second)
    assert (got["NumberSuccessful"], got["NumberDuplicated"], got["NumberErrors"]) == ("1", "1", "1")
    assert mc.emu.jobs.get(int(second))["detail"]["rejected"] == ["Line 4: The field Key is required and cannot be null."]
    ages = soap.retrieve("DataExtensionObject[people]", ["Key", "Age"])
    assert texts(ages, "p:Results/p:Properties/p:Property/p:Value") == ["k1", "30", "k9", "9"]
    # UpdateButDoNotAdd updates k1 and refuses the unknown k7; Overwrite replaces everything.
    upload(mc, "upd.tsv", b"Key\tEmail\tAge\nk1\tz@example.com\t99\nk7\tq@example.com\t7\n")
    soap.create(de_import_xml("imp-3", "upd.tsv", "UpdateButDoNotAdd"))
    third = start(soap, "imp-3")
    mc.wait_for_job(int(third))
    assert (summary(soap, third)["NumberSuccessful"], summary(soap, third)["NumberErrors"]) == ("1", "1")
    soap.create(de_import_xml("imp-4", "upd.tsv", "Overwrite"))
    fourth = start(soap, "imp-4")
    mc.wait_for_job(int(fourth))
    rows = soap.retrieve("DataExtensionObject[people]", ["Key", "Age"])
    assert texts(rows, "p:Results/p:Properties/p:Property/p:Value") == ["k1", "99", "k7", "7"]


def test_manual_map_and_other_delimiter(soap, mc):
    soap.create(DE_XML)
    upload(mc, "pipes.txt", b"Ident|Mail\nx1|x1@example.com\n")
    maps = ("<FieldMaps><FieldMap><SourceName>Ident</SourceName><DestinationName>Key</DestinationName></FieldMap>"
            "<FieldMap><SourceName>Mail</SourceName><DestinationName>Email</DestinationName></FieldMap></FieldMaps>")
    xml = de_import_xml("imp-m", "pipes.txt", extra=maps, mapping="ManualMap").replace(
        "<FileType>TAB</FileType>", "<FileType>Other</FileType><Delimiter>|</Delimiter>")
    # Delimiter follows FileType in the WSDL's order; the decoder does not mind.
    assert texts(soap.create(xml), "p:Results/p:StatusCode") == ["OK"]
    task = start(soap, "imp-m")
    mc.wait_for_job(int(task))
    assert summary(soap, task)["NumberSuccessful"] == "1"


def test_missing_file_ends_in_error_and_unknown_definition(soap, mc):
    soap.create(DE_XML)
    soap.create(de_import_xml("imp-x", "nothing-here.csv"))
    task = start(soap, "imp-x")
    job = mc.wait_for_job(int(task))
    assert job["status"] == "Error" and "nothing-here.csv" in job["detail"]["error"]
    assert summary(soap, task)["ImportStatus"] == "Error"
    resp = soap.call("Perform", f'<PerformRequestMsg xmlns="{PARTNER}"><Action>start</Action><Definitions>'
                     '<Definition xsi:type="ImportDefinition"><CustomerKey>ghost</CustomerKey></Definition>'
                     "</Definitions></PerformRequestMsg>")
    assert texts(resp, "p:Results/p:Result/p:ErrorCode") == ["43010"]


def test_file_spec_and_uploads_stay_in_the_folder(soap, mc, tmp_path):
    soap.create(DE_XML)
    for spec in ("../etc/passwd", "/etc/passwd", "a/../../b.csv", "..\\x.csv"):
        resp = soap.create(de_import_xml("bad", spec))
        assert texts(resp, "p:Results/p:ErrorCode") == ["43060"], spec
    elsewhere = soap.create(de_import_xml("bad", "f.csv", extra="<RetrieveFileTransferLocation><CustomerKey>"
                                                            "Partner FTP</CustomerKey></RetrieveFileTransferLocation>"))
    assert texts(elsewhere, "p:Results/p:ErrorCode") == ["43060"]
    assert "Partner FTP" in texts(elsewhere, "p:Results/p:StatusMessage")[0]
    dup = soap.create(de_import_xml("ok", "f.csv") + de_import_xml("ok", "f.csv"))
    assert texts(dup, "p:Results/p:ErrorCode") == ["43030"]
    assert upload(mc, "..%2Fescape.csv", b"x").status_code == 400
    assert upload(mc, "sub/inner.csv", b"a\n").status_code == 201
    outside = tmp_path / "secret.csv"
    outside.write_text("Key,Email\ns1,s@example.com\n")
    folder = mc.emu.import_folder.path
    os.symlink(outside, folder / "link.csv")
    assert upload(mc, "link.csv", b"x").status_code == 400
    assert requests.get(f"{mc.base_url}/_emulator/ftp/Import/link.csv", timeout=10).status_code == 400
    soap.create(de_import_xml("via-link", "link.csv"))
    job = mc.wait_for_job(int(start(soap, "via-link")))
    assert job["status"] == "Error" and "outside the Import folder" in job["detail"]["error"]
    os.symlink(tmp_path, folder / "out")  # a linked directory leads outside just as well
    assert upload(mc, "out/new.csv", b"x").status_code == 400 and not (tmp_path / "new.csv").exists()
    soap.create(de_import_xml("via-dir", "out/secret.csv"))
    job = mc.wait_for_job(int(start(soap, "via-dir")))
    assert job["status"] == "Error" and "outside the Import folder" in job["detail"]["error"]
    listing = requests.get(f"{mc.base_url}/_emulator/ftp/Import/", timeout=10).json()
    names = [i["name"] for i in listing["items"]]
    assert "sub/inner.csv" in names and "link.csv" not in names and not any(n.startswith("out/") for n in names)
    assert requests.get(f"{mc.base_url}/_emulator/ftp/Import/sub/inner.csv", timeout=10).content == b"a\n"
    assert requests.delete(f"{mc.base_url}/_emulator/ftp/Import/sub/inner.csv", timeout=10).status_code == 200
    assert requests.get(f"{mc.base_url}/_emulator/ftp/Import/sub/inner.csv", timeout=10).status_code == 404


def test_reset_empties_the_import_folder(mc, monkeypatch):
    assert upload(mc, "left-over.csv", b"a\n").status_code == 201
    mc.reset()
    assert requests.get(f"{mc.base_url}/_emulator/ftp/Import/", timeout=10).json()["items"] == []
    removed: list[object] = []
    monkeypatch.setattr(shutil, "rmtree", lambda path, *a, **k: removed.append(path))
    mc.reset()  # already empty: left as it is (no rmtree and mkdir per test)
    assert removed == [] and mc.emu.import_folder.path.is_dir()


def test_rejected_rows_and_errors_are_retrievable_as_partner_properties(soap, mc):
    make_list(soap, "Reasons")
    list_id = texts(soap.retrieve("List", ["ID"], simple_filter("ListName", "equals", "Reasons")), "p:Results/p:ID")[0]
    assert upload(mc, "SAP_List.csv", SAP_CSV).status_code == 201
    soap.call("Create", seed_create_import(list_id))
    task_id = start(soap, "SAP_IMP_KEY_1")
    mc.wait_for_job(int(task_id))
    props = ["ImportStatus", "PartnerProperties"]
    resp = soap.retrieve("ImportResultsSummary", props, simple_filter("TaskResultID", "equals", task_id))
    assert texts(resp, "p:Results/p:PartnerProperties/p:Name") == ["RejectedRow"]
    assert texts(resp, "p:Results/p:PartnerProperties/p:Value") == ["Line 4: invalid email address 'not-an-email'"]
    # Not asked for, not answered: the seed's summary retrieve stays as the page shows it.
    plain = soap.call("Retrieve", seed_summary(task_id))
    assert texts(plain, "p:Results/p:PartnerProperties/p:Name") == []
    requests.delete(f"{mc.base_url}/_emulator/ftp/Import/SAP_List.csv", timeout=10)
    failed = start(soap, "SAP_IMP_KEY_1")
    mc.wait_for_job(int(failed))
    resp = soap.retrieve("ImportResultsSummary", props, simple_filter("TaskResultID", "equals", failed))
    assert texts(resp, "p:Results/p:ImportStatus") == ["Error"]
    assert texts(resp, "p:Results/p:PartnerProperties/p:Name") == ["ImportError"]
    assert "SAP_List.csv" in texts(resp, "p:Results/p:PartnerProperties/p:Value")[0]


class _Crash(BaseException):
    """The process 'dies' between a batch's two writes."""


def test_a_crash_never_leaves_half_a_batch(soap, mc, monkeypatch):
    from emulator.domain import imports

    emu, mid = mc.emu, mc.parent_mid
    list_id = make_list(soap, "Crash")
    emu.import_folder.write("crash.csv", b"Email Address,Subscriber Key\n"
                            + b"".join(b"c%d@example.com,c%d\n" % (i, i) for i in range(6)))
    definition = imports.check_definition(emu, mid, {"CustomerKey": "crash", "FileSpec": "crash.csv",
                                                     "DestinationObject": {"__type__": "List", "ID": list_id}})
    monkeypatch.setattr(imports, "BATCH", 2)
    real, calls = emu.audience.set_memberships, []

    def dying(*args, **kwargs):  # the second batch's subscribers are written, then the process dies
        calls.append(1)
        if len(calls) == 2:
            raise _Crash
        return real(*args, **kwargs)

    monkeypatch.setattr(emu.audience, "set_memberships", dying)
    try:
        imports.run_import(emu, mid, definition, job_id=0)
    except _Crash:
        pass
    else:
        raise AssertionError("the simulated crash did not happen")
    stored = emu.audience.get_subscribers(mid, [f"c{i}" for i in range(6)])
    assert sorted(stored) == ["c0", "c1"]  # batch 1 committed; batch 2's subscriber rows rolled back with it
    assert sorted(r.subscriber_key for r, _ in emu.audience.iter_list_members(mid, list_id)) == ["c0", "c1"]
