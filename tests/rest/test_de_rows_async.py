"""Asynchronous rows: /data/v1/async/dataextensions/.../rows (202 requestId), /status moving Pending →
Complete on the job runner, /results with per-row errors; /hub/v1/dataeventsasync rowset."""

from __future__ import annotations

from tests.rest.test_de_rows import people, soap_rows

ASYNC = "/data/v1/async/dataextensions/key:people/rows"


def submit(api, method: str, items: list[dict], path: str = ASYNC) -> str:
    response = api.request(method, path, json={"items": items})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["resultMessages"] == [] and body["requestId"]
    return body["requestId"]


def finished(api, mc, request_id: str) -> dict:
    mc.emu.jobs.wait_idle()
    response = api.get(f"/data/v1/async/{request_id}/status")
    assert response.status_code == 200, response.text
    return response.json()


def test_put_upserts_good_rows_and_reports_bad_ones(api, mc, soap):
    people(soap)
    request_id = submit(api, "PUT", [
        {"Key": "a1", "Email": "a1@example.com", "Age": 3},
        {"Key": "a2", "Email": "nope"},
        {"Key": "a3", "Email": "a3@example.com", "Ghost": 1},
        {"Key": "a4", "Email": "a4@example.com"},
    ])
    status = finished(api, mc, request_id)
    assert status["requestId"] != request_id  # the answer's own id; the request's is inside
    assert status["status"]["requestId"] == request_id
    assert status["status"]["requestStatus"] == "Complete"
    assert status["status"]["resultStatus"] == "Has Errors" and status["status"]["hasErrors"] is True
    for stamp in ("callDateTime", "pickupDateTime", "completionDateTime"):
        assert status["status"][stamp] and "T" in status["status"][stamp]
    results = api.get(f"/data/v1/async/{request_id}/results").json()
    assert (results["page"], results["pageSize"], results["count"], results["requestId"]) == (1, 50, 4, request_id)
    assert [r["status"] for r in results["items"]] == ["OK", "Error", "Error", "OK"]
    assert results["items"][1] == {"errorCode": "UnexpectedError", "status": "Error",
                                   "message": "The value 'nope' for field Email is not a valid email address."}
    assert "Ghost" in results["items"][2]["message"]
    assert [r["Key"] for r in soap_rows(soap, "Key")] == ["a1", "a4"]  # the good rows are in the DE
    # PUT again: an upsert of a stored key is no error
    again = finished(api, mc, submit(api, "PUT", [{"Key": "A1", "Age": 4}]))
    assert (again["status"]["resultStatus"], again["status"]["hasErrors"]) == ("OK", False)
    assert soap_rows(soap, "Key", "Age")[0]["Age"] == "4"


def test_post_inserts_and_a_stored_key_is_a_duplicate_key_error(api, mc, soap):
    object_id = people(soap)
    first = finished(api, mc, submit(api, "POST", [{"Key": "d1", "Email": "d1@example.com"}],
                                     f"/data/v1/async/dataextensions/{object_id}/rows"))
    assert first["status"]["resultStatus"] == "OK"
    second = submit(api, "POST", [{"Key": "D1", "Email": "other@example.com"}, {"Key": "d2", "Email": "d2@x.io"}])
    assert finished(api, mc, second)["status"]["resultStatus"] == "Has Errors"
    items = api.get(f"/data/v1/async/{second}/results").json()["items"]
    assert items[0]["status"] == "Error" and "Violation of PRIMARY KEY constraint" in items[0]["message"]
    assert sorted((r["Key"], r["Email"]) for r in soap_rows(soap, "Key", "Email")) == [
        ("d1", "d1@example.com"), ("d2", "d2@x.io")]


def test_status_is_pending_until_the_job_runner_picks_the_request_up(api, mc, soap, monkeypatch):
    people(soap)
    held: list = []
    jobs = mc.emu.jobs
    monkeypatch.setattr(jobs, "_enqueue", lambda job_id, work, run_at: held.append((job_id, work)))
    request_id = submit(api, "PUT", [{"Key": "p1", "Email": "p1@example.com"}])
    pending = api.get(f"/data/v1/async/{request_id}/status").json()["status"]
    assert (pending["requestStatus"], pending["hasErrors"], pending["pickupDateTime"]) == ("Pending", False, None)
    assert soap_rows(soap) == []
    assert api.get(f"/data/v1/async/{request_id}/results").json()["count"] == 0
    job_id, work = held[0]
    work(job_id)  # what the worker thread does when it takes the job
    done = api.get(f"/data/v1/async/{request_id}/status").json()["status"]
    assert (done["requestStatus"], done["resultStatus"]) == ("Complete", "OK")
    assert [r["Key"] for r in soap_rows(soap, "Key")] == ["p1"]


def test_a_data_extension_deleted_before_pick_up_is_an_error_status(api, mc, soap, monkeypatch):
    people(soap)
    held: list = []
    monkeypatch.setattr(mc.emu.jobs, "_enqueue", lambda job_id, work, run_at: held.append((job_id, work)))
    request_id = submit(api, "PUT", [{"Key": "p1", "Email": "p1@example.com"}])
    soap.call("Delete", '<DeleteRequest xmlns="http://exacttarget.com/wsdl/partnerAPI"><Objects '
                        'xsi:type="DataExtension"><CustomerKey>people</CustomerKey></Objects></DeleteRequest>')
    held[0][1](held[0][0])
    status = api.get(f"/data/v1/async/{request_id}/status").json()
    assert status["status"]["requestStatus"] == "Error"
    assert status["resultMessages"][0]["resultCode"] == "CustomObjectNotFound"


def test_unknown_data_extension_and_unknown_request(api, mc):
    refused = api.request("PUT", "/data/v1/async/dataextensions/key:nothing/rows", json={"items": [{"a": 1}]})
    assert refused.status_code == 400
    message = refused.json()["resultMessages"][0]
    assert (message["resultClass"], message["resultCode"]) == ("Error", "CustomObjectNotFound")
    assert message["message"] == ("Failed to resolve the Custom Object from the provided ObjectReferenceIdentifier "
                                  "[Id: , Key: nothing].")
    for what in ("status", "results"):
        unknown = api.get(f"/data/v1/async/11111111-2222-4333-8444-555555555555/{what}")
        assert unknown.status_code == 200
        assert unknown.json()["resultMessages"][0]["resultCode"] == "AsyncRequestStatusNotFound"


def test_another_business_unit_cannot_read_the_request(api, mc, soap):
    people(soap)
    request_id = submit(api, "PUT", [{"Key": "x", "Email": "x@example.com"}])
    child = type(api)(mc, account_id=mc.child_mid)
    body = child.get(f"/data/v1/async/{request_id}/status").json()
    assert body["resultMessages"][0]["resultCode"] == "AsyncRequestStatusNotFound"


def test_results_pages(api, mc, soap):
    people(soap)
    request_id = submit(api, "PUT", [{"Key": f"r{i}", "Email": f"r{i}@example.com" if i % 3 else "bad"}
                                     for i in range(120)])
    finished(api, mc, request_id)
    page3 = api.get(f"/data/v1/async/{request_id}/results", params={"page": 3}).json()
    assert (page3["page"], page3["count"], len(page3["items"])) == (3, 120, 20)
    assert [r["status"] for r in page3["items"][:3]] == ["OK", "OK", "Error"]  # rows 100, 101, 102


def test_hub_async_rowset_answers_202_empty_and_writes_later(api, mc, soap):
    people(soap)
    response = api.post("/hub/v1/dataeventsasync/key:people/rowset", json=[
        {"keys": {"Key": "h1"}, "values": {"Email": "h1@example.com"}},
        {"keys": {"Key": "h2"}, "values": {"Email": "broken"}}])
    assert response.status_code == 202 and response.json() == ""
    mc.emu.jobs.wait_idle()
    assert [r["Key"] for r in soap_rows(soap, "Key")] == ["h1"]


def test_a_request_left_pending_by_a_stopped_process_completes_after_restart(tmp_path):
    from emulator.config import Config
    from emulator.core import Emulator
    from emulator.domain.context import CallContext
    from emulator.domain.data_rows import AsyncRows, DERef

    config = Config(port=0, db_path=str(tmp_path / "emulator.db"))
    emu = Emulator(config)
    mid = emu.enterprise_mid
    created = emu.object_service.create(CallContext(mid, "test"), "DataExtension", [{
        "__type__": "DataExtension", "CustomerKey": "later", "Name": "later",
        "Fields": {"Field": [{"Name": "Key", "IsPrimaryKey": True, "IsRequired": True, "MaxLength": 10}]}}])[0]
    assert created.ok, created.message
    emu.jobs._enqueue = lambda job_id, work, run_at: None  # the process stops before its worker takes the job
    request_id = AsyncRows(emu).submit(mid, DERef(key="later"), [{"Key": "a"}, {"Key": "b"}], upsert=True)["requestId"]
    emu.close()
    again = Emulator(config)
    try:
        rows = AsyncRows(again)  # the Emulator recovered it when it started (core.py)
        again.jobs.wait_idle()
        assert rows.status(mid, request_id)["status"]["resultStatus"] == "OK"
        assert again.audience.count_rows(mid, "later") == 2
        assert rows.recover() == []  # finished requests are not run again
    finally:
        again.close()


def test_hub_async_row_put_answers_202_empty_and_upserts_later(api, mc, soap):
    people(soap)
    response = api.request("PUT", "/hub/v1/dataeventsasync/key:people/rows/Key:r1", json={"values": {
        "Email": "r1@example.com"}})
    assert response.status_code == 202 and response.json() == ""
    mc.emu.jobs.wait_idle()
    assert soap_rows(soap, "Key", "Email") == [{"Key": "r1", "Email": "r1@example.com"}]
