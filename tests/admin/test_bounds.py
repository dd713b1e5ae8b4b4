"""Paging parameters clamped, ids beyond SQLite's int64, ?mid= confinement, and the inputs that used to be a
500 (an .eml of a CR/LF Subject, FTP names, seed counts, too many SOAP objects): each a clean SFMC answer."""

from __future__ import annotations

import pytest
import requests

from emulator.ftp.routes import MAX_SEGMENT_BYTES

HUGE = "9" * 20  # beyond 2**63


def _messages(mc, count: int, mid: int | None = None, subject: str = "s", job_id: int | None = None) -> None:
    now = mc.emu.clock.now().timestamp()
    mc.emu.outbox.add_many([{"mid": mid or mc.parent_mid, "job_id": job_id, "message_key": f"k{n}",
                             "definition_key": "d", "subscriber_key": f"s{n}", "to_addr": f"a{n}@example.com",
                             "from_name": "From\r\nBcc: x@evil.example", "from_addr": "f@example.com",
                             "subject": subject, "html": "<p>x</p>", "text": "x", "source": {}, "created": now}
                            for n in range(count)])


def _get(mc, path: str, **params) -> requests.Response:
    return requests.get(f"{mc.base_url}{path}", params=params, timeout=10)


def test_negative_and_huge_limits_are_clamped(mc):
    _messages(mc, 3)
    for limit in ("-1", "0", "-99999999999999999999999"):
        got = _get(mc, "/_emulator/outbox", limit=limit, offset="-5")
        assert got.status_code == 200 and len(got.json()) == 1 and got.headers["X-Total-Count"] == "3"
    assert len(_get(mc, "/_emulator/outbox", limit=HUGE * 3).json()) == 3
    assert _get(mc, "/_emulator/journal", limit="-1").json()["items"] == []
    assert _get(mc, "/_emulator/jobs", limit="-1").status_code == 200
    assert _get(mc, "/_emulator/sends", limit="-1").status_code == 200
    assert _get(mc, "/_emulator/ui/journal", limit="-1").status_code == 200
    assert _get(mc, "/_emulator/ui/outbox", offset="-1").status_code == 200


@pytest.mark.parametrize("path", [f"/_emulator/jobs/{HUGE}", f"/_emulator/outbox/{HUGE}",
                                  f"/_emulator/outbox/{HUGE}.eml", f"/_emulator/outbox/{HUGE}.html",
                                  f"/_emulator/sends/{HUGE}", f"/_emulator/journal/{HUGE}",
                                  f"/_emulator/ui/jobs/{HUGE}", f"/_emulator/ui/outbox/{HUGE}"])
def test_ids_beyond_int64_are_404(mc, path):
    got = _get(mc, path)
    assert got.status_code == 404
    assert requests.delete(f"{mc.base_url}/_emulator/faults/{HUGE}", timeout=5).status_code == 404
    assert mc.emu.guard_hits == 0


@pytest.mark.parametrize("params", [{"mid": HUGE}, {"mid": "abc"}, {"job_id": HUGE}, {"since_id": HUGE}])
def test_id_filters_that_fit_no_row_are_400(mc, params):
    for path in ("/_emulator/outbox", "/_emulator/jobs", "/_emulator/journal", "/_emulator/sends"):
        got = _get(mc, path, **params)
        if got.status_code != 200:  # a filter a route does not know is ignored
            assert got.status_code == 400 and got.json()["errorcode"] == 10005, (path, got.text)
    assert _get(mc, "/_emulator/outbox", **params).status_code == 400 or "since_id" in params
    assert mc.emu.guard_hits == 0


def test_mid_filters_never_show_another_bu(mc):
    token = requests.post(f"{mc.base_url}/v2/token", timeout=10,
                          json={"grant_type": "client_credentials", **mc.credentials}).json()["access_token"]
    journal = _get(mc, "/_emulator/journal", mid=str(mc.child_mid)).json()["items"]
    assert all(entry["mid"] == mc.child_mid for entry in journal)
    assert token not in str(journal)
    assert token in str(_get(mc, "/_emulator/journal").json()["items"])  # unfiltered: the operator's view
    _messages(mc, 1)
    [message] = _get(mc, "/_emulator/outbox").json()
    assert _get(mc, f"/_emulator/outbox/{message['id']}", mid=str(mc.child_mid)).status_code == 404
    assert _get(mc, f"/_emulator/outbox/{message['id']}", mid=str(mc.parent_mid)).status_code == 200
    job_id = mc.emu.jobs.submit(mc.parent_mid, "send", lambda job: mc.emu.jobs.update(job, status="Complete"))
    mc.emu.jobs.wait(job_id)
    assert _get(mc, f"/_emulator/sends/{job_id}", mid=str(mc.child_mid)).status_code == 404
    assert _get(mc, f"/_emulator/jobs/{job_id}", mid=str(mc.child_mid)).status_code == 404
    assert _get(mc, f"/_emulator/sends/{job_id}", mid=str(mc.parent_mid)).status_code == 200


def test_eml_of_a_subject_with_line_breaks(mc):
    _messages(mc, 1, subject="Hello\r\nBcc: victim@example.com\nX: y")
    [message] = _get(mc, "/_emulator/outbox").json()
    eml = _get(mc, f"/_emulator/outbox/{message['id']}.eml")
    assert eml.status_code == 200
    head = eml.content.split(b"\n\n", 1)[0]
    assert b"Subject: Hello Bcc: victim@example.com X: y" in head.replace(b"\r", b"")
    assert not any(line.startswith((b"Bcc:", b"X:")) for line in head.splitlines())


def _put(mc, name: str, data: bytes = b"a,b\n") -> requests.Response:
    return requests.put(f"{mc.base_url}/_emulator/ftp/Import/{name}", data=data, timeout=10)


def test_ftp_names_the_file_system_would_refuse(mc):
    too_long = "n" * (MAX_SEGMENT_BYTES + 1)
    for name in (too_long, f"dir/{too_long}.csv", "é" * 200, "/".join(["d"] * 600)):
        got = _put(mc, name)
        assert got.status_code == 400 and got.json()["errorcode"] == 10005, got.text
        assert _get(mc, f"/_emulator/ftp/Import/{name}").status_code in (400, 404)
        assert requests.delete(f"{mc.base_url}/_emulator/ftp/Import/{name}", timeout=5).status_code in (400, 404)
    assert _put(mc, "n" * MAX_SEGMENT_BYTES).status_code == 201
    assert _put(mc, "folder/inner.csv").status_code == 201
    onto_dir = _put(mc, "folder")
    assert onto_dir.status_code == 409 and onto_dir.json()["errorcode"] == 10005
    under_file = _put(mc, "folder/inner.csv/deeper.csv")
    assert under_file.status_code == 409
    assert _get(mc, "/_emulator/ftp/Import/folder/inner.csv").content == b"a,b\n"
    assert mc.emu.guard_hits == 0


@pytest.mark.parametrize("body", [{"list_id": 1, "count": 1e308}, {"list_id": 1, "count": -1},
                                  {"list_id": 1, "count": True}, {"list_id": 1e20, "count": 1},
                                  {"list_id": 1, "count": 1, "attributes": []},
                                  {"list_id": 1, "count": 1, "prefix": {"a": 1}},
                                  {"list_id": "1", "count": 1}])
def test_seed_bodies_out_of_shape_are_400(mc, body):
    got = requests.post(f"{mc.base_url}/_emulator/seed/list-members", json=body, timeout=10)
    assert got.status_code == 400 and got.json()["errorcode"] == 10005
    assert mc.emu.audience.count_subscribers(mc.parent_mid) == 0


def test_too_many_soap_objects_are_refused_whole(mc, soap, monkeypatch):
    monkeypatch.setattr(mc.emu.config, "soap_max_objects", 3)
    lists = "".join(f'<Objects xsi:type="List"><ListName>many {n}</ListName></Objects>' for n in range(4))
    response = soap.create(lists)
    ns = "{http://exacttarget.com/wsdl/partnerAPI}"
    assert response.findtext(f"{ns}OverallStatus") == "Error"
    assert [r.findtext(f"{ns}ErrorCode") for r in response.iter(f"{ns}Results")] == ["218"]
    assert "Too many objects" in response.findtext(f".//{ns}StatusMessage")
    names = [e.text for e in soap.retrieve("List", ["ListName"]).iter(f"{ns}ListName")]
    assert not any(name.startswith("many") for name in names)
    # At the limit, it goes through.
    assert soap.create(lists[:lists.rindex("<Objects")]).findtext(f"{ns}OverallStatus") == "OK"
