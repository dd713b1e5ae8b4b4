"""Journeys over REST: an entry event fires a published journey whose email reaches the outbox, a WAIT is
released by advancing the clock, a decision split reads the entry data, a stopped journey enters nobody,
and bad event data is refused with nothing written."""

from __future__ import annotations

import requests

from tests.rest.conftest import assert_error
from tests.rest.journey_helpers import (
    decision,
    email_activity,
    fire,
    journey_body,
    published,
    setup_entry,
    wait_activity,
)
from tests.soap_helpers import simple_filter, texts


def _contacts(mc) -> dict[str, dict]:
    response = requests.get(f"{mc.base_url}/_emulator/journeys", timeout=30)
    assert response.status_code == 200, response.text
    return {c["contactKey"]: {**c, "journey": j["key"], "version": j["version"]}
            for j in response.json()["items"] for c in j["contacts"]}


def test_event_fires_a_published_journey_whose_email_reaches_the_outbox(api, mc, world, soap):
    _, email_id = setup_entry(api, world)
    journey = published(api, journey_body("welcome", [email_activity("EMAILV2-1", email_id, subject="Hi %%FirstName%%")]))
    response = fire(api, "c-1", {"EmailAddress": "ada@example.com", "FirstName": "Ada"})
    assert response.status_code == 201, response.text
    assert set(response.json()) == {"eventInstanceId"}
    sent = [m for m in mc.outbox() if m["subscriber_key"] == "c-1"]
    assert len(sent) == 1
    message = sent[0]
    assert message["to"] == "ada@example.com" and message["subject"] == "Hi Ada"
    assert message["source"]["journey"] == {"id": journey["id"], "key": "welcome", "name": "Journey welcome",
                                            "version": 1, "activityKey": "EMAILV2-1"}
    assert "/_emulator/click?ref=" in message["html"]  # tracked links, as every tracked send
    # the Sent event under the activity's send id, retrieved over SOAP like any SentEvent
    events = soap.retrieve("SentEvent", ["SendID", "SubscriberKey", "EventType"],
                           simple_filter("SendID", "equals", str(message["job_id"])))
    assert texts(events, "p:Results/p:SubscriberKey") == ["c-1"]
    # the row is in the event's data extension, as a SOAP/REST read sees it
    rows = api.get("/data/v1/customobjectdata/key/signup_entries/rowset").json()["items"]
    assert len(rows) == 1, rows
    assert {k.lower(): v for k, v in rows[0]["keys"].items()} == {"contactkey": "c-1"}
    assert {k.lower(): v for k, v in rows[0]["values"].items()}["firstname"] == "Ada"
    assert _contacts(mc)["c-1"]["status"] == "Finished"
    stats = api.get(f"/interaction/v1/interactions/{journey['id']}").json()["stats"]
    assert stats["cumulativePopulation"] == 1 and stats["currentPopulation"] == 0


def test_a_wait_is_released_by_advancing_the_clock(api, mc, world):
    _, email_id = setup_entry(api, world)
    published(api, journey_body("drip", [
        email_activity("EMAILV2-1", email_id, "WAIT-1"),
        wait_activity("WAIT-1", "EMAILV2-2", duration=2, unit="DAYS"),
        email_activity("EMAILV2-2", email_id, subject="Day two, %%FirstName%%")]))
    mc.clock.freeze()
    assert fire(api, "c-2", {"EmailAddress": "bo@example.com", "FirstName": "Bo"}).status_code == 201
    where = _contacts(mc)["c-2"]
    assert where["status"] == "Waiting" and where["activityKey"] == "WAIT-1" and where["waitingUntil"]
    assert len([m for m in mc.outbox() if m["subscriber_key"] == "c-2"]) == 1
    mc.clock.advance(86400)  # one day: still waiting
    mc.emu.jobs.wait_idle()
    assert _contacts(mc)["c-2"]["status"] == "Waiting"
    response = requests.post(f"{mc.base_url}/_emulator/clock", json={"advance": 86400 + 1}, timeout=30)
    assert response.status_code == 200
    mc.emu.jobs.wait_idle()
    subjects = [m["subject"] for m in mc.outbox() if m["subscriber_key"] == "c-2"]
    assert subjects == ["Welcome Bo", "Day two, Bo"]
    assert _contacts(mc)["c-2"]["status"] == "Finished"


def test_waiting_contacts_survive_a_restart(api, mc, world):
    _, email_id = setup_entry(api, world)
    published(api, journey_body("later", [wait_activity("WAIT-1", "EMAILV2-1", 1, "HOURS"),
                                          email_activity("EMAILV2-1", email_id)]))
    mc.clock.freeze()
    assert fire(api, "c-r", {"EmailAddress": "r@example.com", "FirstName": "R"}).status_code == 201
    mc.emu.jobs.clear_scheduled()  # what a stopped process forgets: the in-memory schedule
    assert mc.emu.journeys.recover()  # what start does: the waits are scheduled again from the store
    mc.clock.advance(3601)
    mc.emu.jobs.wait_idle()
    assert [m["subject"] for m in mc.outbox() if m["subscriber_key"] == "c-r"] == ["Welcome R"]


def test_a_decision_split_reads_the_entry_data(api, mc, world):
    _, email_id = setup_entry(api, world)
    gold = world.email(key="gold-email", subject="Gold %%FirstName%%")
    split = {"key": "SPLIT-1", "type": "MULTICRITERIADECISION",
             "outcomes": [{"key": "gold", "next": "EMAIL-GOLD"}, {"key": "remainder_path", "next": "EMAIL-STD"}],
             "configurationArguments": {"criteria": {"gold": decision("Tier", "Equal", "gold")}}}
    published(api, journey_body("tiers", [split, email_activity("EMAIL-GOLD", gold),
                                          email_activity("EMAIL-STD", email_id)]))
    fire(api, "g", {"EmailAddress": "g@example.com", "FirstName": "G", "Tier": "Gold"})
    fire(api, "s", {"EmailAddress": "s@example.com", "FirstName": "S", "Tier": "silver"})
    subjects = {m["subscriber_key"]: m["subject"] for m in mc.outbox()}
    assert subjects == {"g": "Gold G", "s": "Welcome S"}


def test_a_stopped_journey_enters_nobody(api, mc, world):
    _, email_id = setup_entry(api, world)
    journey = published(api, journey_body("stopme", [wait_activity("WAIT-1", "EMAILV2-1", 1, "DAYS"),
                                                     email_activity("EMAILV2-1", email_id)]))
    mc.clock.freeze()
    fire(api, "early", {"EmailAddress": "e@example.com", "FirstName": "E"})
    stop = api.post(f"/interaction/v1/interactions/stop/{journey['id']}?versionNumber=1")
    assert stop.status_code == 200 and stop.text == ""
    assert api.get(f"/interaction/v1/interactions/{journey['id']}").json()["status"] == "Stopped"
    response = fire(api, "late", {"EmailAddress": "l@example.com", "FirstName": "L"})
    assert response.status_code == 201  # the event is accepted (its row written) but enters no journey
    mc.clock.advance(2 * 86400)
    mc.emu.jobs.wait_idle()
    contacts = _contacts(mc)
    assert "late" not in contacts and contacts["early"]["status"] == "Exited"
    assert mc.outbox() == []
    api.refresh()  # the clock moved past the token's life
    again = api.post(f"/interaction/v1/interactions/stop/{journey['id']}?versionNumber=1")
    assert_error(again, 400, 30001, "Stopped")


def test_bad_event_data_is_refused_and_nothing_is_written(api, mc, world):
    _, email_id = setup_entry(api, world)
    published(api, journey_body("strict", [email_activity("EMAILV2-1", email_id)]))
    too_long = fire(api, "c-x", {"EmailAddress": "x@example.com", "FirstName": "x" * 21})
    body = assert_error(too_long, 400, 10006, "Unable to save rows")
    assert body["additionalErrors"] and "FirstName" in body["additionalErrors"][0]["message"]
    bad_number = fire(api, "c-y", {"EmailAddress": "y@example.com", "Points": "many"})
    assert_error(bad_number, 400, 10006)
    unknown_column = fire(api, "c-z", {"Nope": "1"})
    assert_error(unknown_column, 400, 10006)
    assert_error(fire(api, "c-q", {}, event_key="no-such-event"), 400, 10005, "no-such-event")
    assert_error(api.post("/interaction/v1/events", json={"EventDefinitionKey": "signup"}), 400, 10000)
    assert_error(api.post("/interaction/v1/events", data="{not json"), 400, 10004)
    assert api.get("/data/v1/customobjectdata/key/signup_entries/rowset").json()["count"] == 0
    assert _contacts(mc) == {} and mc.outbox() == []


def test_event_definitions_crud(api, mc, world):
    de_id, _ = setup_entry(api, world)
    by_key = api.get("/interaction/v1/eventDefinitions/key:signup")
    assert by_key.status_code == 200, by_key.text
    event = by_key.json()
    assert event["eventDefinitionKey"] == "signup" and event["dataExtensionId"] == de_id
    assert event["type"] == "APIEvent" and event["mode"] == "Production"
    assert [f["name"] for f in event["schema"]["fields"]][:2] == ["ContactKey", "EmailAddress"]
    assert api.get(f"/interaction/v1/eventDefinitions/{event['id']}").json()["id"] == event["id"]
    listed = api.get("/interaction/v1/eventDefinitions").json()
    assert listed["count"] == 1 and listed["items"][0]["eventDefinitionKey"] == "signup"
    dup = api.post("/interaction/v1/eventDefinitions", json={"name": "again", "eventDefinitionKey": "signup",
                                                             "dataExtensionId": de_id})
    assert_error(dup, 409, 30004)
    missing_de = api.post("/interaction/v1/eventDefinitions", json={"name": "x", "dataExtensionId": "nope"})
    assert_error(missing_de, 400, 10005)
    updated = api.request("PUT", "/interaction/v1/eventDefinitions/key:signup", json={"name": "Renamed"})
    assert updated.status_code == 200 and updated.json()["name"] == "Renamed"
    assert api.delete("/interaction/v1/eventDefinitions/key:signup").status_code == 200
    assert_error(api.get("/interaction/v1/eventDefinitions/key:signup"), 404, 30003)


def test_journey_versions_publish_and_delete(api, mc, world):
    _, email_id = setup_entry(api, world)
    body = journey_body("versions", [email_activity("EMAILV2-1", email_id)])
    created = api.post("/interaction/v1/interactions", json=body).json()
    assert created["status"] == "Draft" and created["version"] == 1 and created["definitionId"] == created["id"]
    assert_error(api.post("/interaction/v1/interactions", json=body), 409, 30004, "Draft")
    renamed = api.request("PUT", "/interaction/v1/interactions", json={
        "key": "versions", "name": "Draft rename", "version": 1, "modifiedDate": created["modifiedDate"]})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["version"] == 1 and renamed.json()["name"] == "Draft rename"
    stale = api.request("PUT", "/interaction/v1/interactions/key:versions", json={
        "key": "versions", "name": "x", "version": 1, "modifiedDate": "2001-01-01T00:00:00"})
    assert_error(stale, 400, 30001, "Another user recently modified this journey")
    assert_error(api.post(f"/interaction/v1/interactions/publishAsync/{created['id']}"), 400, 10002)
    status_id = api.post("/interaction/v1/interactions/publishAsync/key:versions?versionNumber=1").json()["statusId"]
    assert api.get(f"/interaction/v1/interactions/publishStatus/{status_id}").json()["status"] == "PublishCompleted"
    published_put = api.request("PUT", "/interaction/v1/interactions", json={"id": created["id"], "name": "No"})
    assert_error(published_put, 400, 30001, "not Draft")
    v2 = api.post("/interaction/v1/interactions", json={**body, "name": "Second"}).json()  # the next version
    assert (v2["id"], v2["version"], v2["status"]) == (created["id"], 2, "Draft")
    assert v2["definitionId"] != created["id"]
    api.post(f"/interaction/v1/interactions/publishAsync/{created['id']}?versionNumber=2")
    fire(api, "v-contact", {"EmailAddress": "v@example.com", "FirstName": "V"})
    versions = {c["contactKey"]: c["version"] for c in _contacts_by_version(mc)}
    assert versions == {"v-contact": 2}  # entries go to the newest published version
    listed = api.get("/interaction/v1/interactions?$page=1&$pageSize=10").json()
    assert listed["count"] == 1 and listed["items"][0]["version"] == 2 and "activities" not in listed["items"][0]
    assert_error(api.delete(f"/interaction/v1/interactions/{created['id']}"), 400, 30001, "running")
    for version in (1, 2):
        api.post(f"/interaction/v1/interactions/stop/{created['id']}?versionNumber={version}")
    deleted = api.delete(f"/interaction/v1/interactions/{created['id']}")
    assert deleted.status_code == 200 and deleted.text == created["id"]
    assert_error(api.get(f"/interaction/v1/interactions/{created['id']}"), 404, 30003)
    assert_error(api.get("/interaction/v1/interactions/key:versions"), 404, 30003, "Journey matching key not found.")


def _contacts_by_version(mc) -> list[dict]:
    items = requests.get(f"{mc.base_url}/_emulator/journeys", timeout=30).json()["items"]
    return [{**c, "version": j["version"]} for j in items for c in j["contacts"]]


def test_publish_reports_an_email_that_does_not_exist(api, mc, world):
    setup_entry(api, world)
    created = api.post("/interaction/v1/interactions",
                       json=journey_body("broken", [email_activity("EMAILV2-1", 987654)])).json()
    status_id = api.post(f"/interaction/v1/interactions/publishAsync/{created['id']}?versionNumber=1").json()["statusId"]
    status = api.get(f"/interaction/v1/interactions/publishStatus/{status_id}").json()
    assert status["status"] == "Error" and status["errors"][0]["errorCode"] == "121008"
    assert status["errors"][0]["additionalInfo"]["activityKey"] == "EMAILV2-1"
    assert api.get(f"/interaction/v1/interactions/{created['id']}").json()["status"] == "Draft"


def test_a_journey_that_leads_nowhere_is_refused(api, mc, world):
    body = journey_body("nowhere", [wait_activity("WAIT-1", "MISSING")])
    assert_error(api.post("/interaction/v1/interactions", json=body), 400, 10005, "MISSING")
    bad_wait = journey_body("badwait", [wait_activity("WAIT-1", None, duration=0)])
    assert_error(api.post("/interaction/v1/interactions", json=bad_wait), 400, 10005, "waitDuration")
    bad_split = journey_body("badsplit", [{"key": "S", "type": "MULTICRITERIADECISION", "outcomes": [],
                                           "configurationArguments": {"criteria": {"a": "<not xml"}}}])
    assert_error(api.post("/interaction/v1/interactions", json=bad_split), 400, 10005)
    assert api.get("/interaction/v1/interactions").json()["count"] == 0


def test_journeys_need_the_journeys_scope(mc):
    from tests.rest.conftest import Api

    limited = Api(mc, scope="email_read")
    assert_error(limited.get("/interaction/v1/interactions"), 403, 20001, "journeys_read")


def test_the_inspector_shows_where_each_contact_is(api, mc, world):
    _, email_id = setup_entry(api, world)
    published(api, journey_body("shown", [wait_activity("WAIT-1", "EMAILV2-1", 1, "DAYS"),
                                          email_activity("EMAILV2-1", email_id)]))
    fire(api, "shown-contact", {"EmailAddress": "s@example.com", "FirstName": "S"})
    page = requests.get(f"{mc.base_url}/_emulator/ui/journeys", timeout=30)
    assert page.status_code == 200
    assert "Journey shown" in page.text and "shown-contact" in page.text and "WAIT-1" in page.text


def test_the_event_instance_id_is_what_the_data_extension_keeps(api, mc, world):
    de_id = world.create('<Objects xsi:type="DataExtension"><CustomerKey>with_id</CustomerKey><Name>with_id</Name>'
                         "<Fields><Field><Name>ContactKey</Name><FieldType>Text</FieldType></Field>"
                         "<Field><Name>eventInstanceId</Name><FieldType>Text</FieldType></Field></Fields></Objects>"
                         )["NewObjectID"]
    assert_error(api.post("/interaction/v1/eventDefinitions", json={
        "name": "dotted", "eventDefinitionKey": "has.period", "dataExtensionId": de_id}), 400, 10005, "letters")
    assert api.post("/interaction/v1/eventDefinitions", json={
        "name": "ids", "eventDefinitionKey": "ids", "dataExtensionId": de_id}).status_code == 200
    fired = fire(api, "k", {"eventInstanceId": "mine"}, event_key="ids")
    assert fired.status_code == 201, fired.text
    row = api.get("/data/v1/customobjectdata/key/with_id/rowset").json()["items"][0]
    values = {k.lower(): v for k, v in {**row["keys"], **row["values"]}.items()}
    assert values == {"contactkey": "k", "eventinstanceid": fired.json()["eventInstanceId"]}


def test_the_journey_list_filters_orders_and_pages(api, mc, world):
    mc.clock.freeze()
    for key, name in (("a", "Alpha welcome"), ("b", "Beta winback"), ("c", "Gamma welcome")):
        assert api.post("/interaction/v1/interactions", json=journey_body(key, [])).status_code == 200
        api.request("PUT", f"/interaction/v1/interactions/key:{key}", json={"key": key, "name": name, "version": 1})
        mc.clock.advance(1)
    by_name = api.get("/interaction/v1/interactions?$orderBy=Name%20ASC").json()
    assert [i["name"] for i in by_name["items"]] == ["Alpha welcome", "Beta winback", "Gamma welcome"]
    newest_first = api.get("/interaction/v1/interactions").json()  # ModifiedDate DESC by default
    assert [i["key"] for i in newest_first["items"]] == ["c", "b", "a"]
    found = api.get("/interaction/v1/interactions?nameOrDescription=WELCOME&$orderBy=Name").json()
    assert found["count"] == 2 and [i["key"] for i in found["items"]] == ["c", "a"]
    page = api.get("/interaction/v1/interactions?$page=2&$pageSize=2&$orderBy=Name%20ASC").json()
    assert (page["count"], page["page"], page["pageSize"], [i["key"] for i in page["items"]]) == (3, 2, 2, ["c"])
    assert_error(api.get("/interaction/v1/interactions?$orderBy=Performance%20UP"), 400, 10005)
    any_case = api.get("/interaction/v1/interactions?$PAGE=2&$pagesize=2&$orderby=Name%20ASC").json()
    assert (any_case["page"], any_case["pageSize"], [i["key"] for i in any_case["items"]]) == (2, 2, ["c"])


def test_an_event_definition_with_a_schema_creates_its_data_extension(api, mc, world, soap):
    created = api.post("/interaction/v1/eventDefinitions", json={
        "type": "APIEvent", "name": "withSchema", "eventDefinitionKey": "with-schema", "schema": {"fields": [
            {"name": "ContactId", "dataType": "Text", "maxLength": "18", "isNullable": False, "isPrimaryKey": True},
            {"name": "Email", "dataType": "Email", "isNullable": True, "isPrimaryKey": False},
            {"name": "Points", "dataType": "Number", "isNullable": True}]}})
    assert created.status_code == 200, created.text
    event = api.get("/interaction/v1/eventDefinitions/key:with-schema").json()
    assert event["dataExtensionName"].startswith("withSchema - ")
    assert [(f["name"], f["dataType"], f["isPrimaryKey"]) for f in event["schema"]["fields"]] == [
        ("ContactId", "Text", True), ("Email", "Email", False), ("Points", "Number", False)]
    retrieved = soap.retrieve("DataExtension", ["ObjectID", "Name"],
                              simple_filter("ObjectID", "equals", event["dataExtensionId"]))
    assert texts(retrieved, "p:Results/p:Name") == [event["dataExtensionName"]]
    assert fire(api, "k", {"ContactId": "k", "Points": 3}, event_key="with-schema").status_code == 201
    assert_error(fire(api, "k", {"ContactId": "k", "Points": "x"}, event_key="with-schema"), 400, 10006)
    bad = api.post("/interaction/v1/eventDefinitions", json={"name": "bad", "schema": {"fields": [
        {"name": "A", "dataType": "Hologram"}]}})
    assert_error(bad, 400, 10005, "Hologram")
    assert_error(api.post("/interaction/v1/eventDefinitions", json={"name": "neither"}), 400, 10002)


def test_a_refused_body_names_its_first_wrong_step_in_document_order(api):
    steps = [{"key": f"s{i}", "type": "WAIT"} for i in range(11)]
    steps[9]["type"] = steps[10]["type"] = 7
    refused = api.post("/interaction/v1/interactions", json={"key": "k", "name": "n", "activities": steps})
    assert_error(refused, 400, 10000, "'activities[9].type' has the wrong type")

