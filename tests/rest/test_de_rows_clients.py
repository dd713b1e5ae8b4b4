"""REST-written rows used where SOAP rows are: a sendable DE filled over REST is a send's audience; Node's
sfmc-sdk REST helper writes and reads rows as integrators do."""

from __future__ import annotations

import json

from tests.clients.node import SDK_PRELUDE, run_node
from tests.rest.test_de_rows import people
from tests.sends.test_email_send_definition import esd_xml, start
from tests.sends.test_send_audience import task_id


def test_rest_written_sendable_de_is_a_send_audience(api, mc, world, soap):
    email_id = world.email(subject="Hi %%FirstName%%")
    de_id = world.data_extension("orders", [{"SubscriberKey": "seed", "EmailAddress": "seed@example.com",
                                             "FirstName": "Seed"}])
    rows = [{"SubscriberKey": f"r{i}", "EmailAddress": f"r{i}@example.com", "FirstName": f"R{i}"} for i in range(3)]
    accepted = api.request("PUT", "/data/v1/async/dataextensions/key:orders/rows", json={"items": rows[:2]})
    assert accepted.status_code == 202, accepted.text
    mc.emu.jobs.wait_idle()
    # orders has no primary key: the hub rowset (keys required) cannot name one; the async API appends rows
    more = api.request("POST", "/data/v1/async/dataextensions/key:orders/rows", json={"items": rows[2:]})
    assert more.status_code == 202, more.text
    mc.emu.jobs.wait_idle()
    entries = (f"<SendDefinitionList><CustomObjectID>{de_id}</CustomObjectID><DataSourceTypeID>CustomObject"
               "</DataSourceTypeID><SendDefinitionListType>SourceList</SendDefinitionListType></SendDefinitionList>")
    world.create(esd_xml("rest-rows", email_id, entries))
    job = mc.wait_for_job(task_id(start(soap, "rest-rows")))
    messages = {m["subscriber_key"]: m for m in mc.outbox(job_id=job["id"])}
    assert sorted(messages) == ["r0", "r1", "r2", "seed"]
    assert messages["r2"]["subject"] == "Hi R2" and messages["r2"]["to"] == "r2@example.com"


def test_rest_upserted_keyed_sendable_de_is_a_send_audience(api, mc, world, soap):
    email_id = world.email(subject="Tier %%Tier%%")
    world.create('<Objects xsi:type="DataExtension"><CustomerKey>keyed</CustomerKey><Name>keyed</Name>'
                 "<IsSendable>true</IsSendable><SendableDataExtensionField><Name>SubscriberKey</Name>"
                 "</SendableDataExtensionField><SendableSubscriberField><Name>Subscriber Key</Name><Value></Value>"
                 "</SendableSubscriberField><Fields><Field><Name>SubscriberKey</Name><FieldType>Text</FieldType>"
                 "<IsPrimaryKey>true</IsPrimaryKey><IsRequired>true</IsRequired><MaxLength>50</MaxLength></Field>"
                 "<Field><Name>EmailAddress</Name><FieldType>EmailAddress</FieldType></Field>"
                 "<Field><Name>Tier</Name><FieldType>Text</FieldType></Field></Fields></Objects>")
    response = api.post("/hub/v1/dataevents/key:keyed/rowset", json=[
        {"keys": {"SubscriberKey": "k1"}, "values": {"EmailAddress": "k1@example.com", "Tier": "gold"}},
        {"keys": {"SubscriberKey": "k2"}, "values": {"EmailAddress": "k2@example.com", "Tier": "basic"}}])
    assert response.status_code == 200, response.text
    api.request("PUT", "/hub/v1/dataevents/key:keyed/rows/SubscriberKey:k2", json={"values": {"Tier": "silver"}})
    entries = ("<SendDefinitionList><CustomObjectID>keyed</CustomObjectID><DataSourceTypeID>CustomObject"
               "</DataSourceTypeID><SendDefinitionListType>SourceList</SendDefinitionListType></SendDefinitionList>")
    world.create(esd_xml("keyed-send", email_id, entries))
    job = mc.wait_for_job(task_id(start(soap, "keyed-send")))
    assert sorted((m["subscriber_key"], m["subject"]) for m in mc.outbox(job_id=job["id"])) == [
        ("k1", "Tier gold"), ("k2", "Tier silver")]


SDK_SCRIPT = SDK_PRELUDE + """out.rowset = await sdk.rest.post('/hub/v1/dataevents/key:people/rowset', JSON.parse(process.env.ROWS));
const queued = await sdk.rest.put('/data/v1/async/dataextensions/key:people/rows',
  {items: [{Key: 'n3', Email: 'n3@example.com'}, {Key: 'n4', Email: 'broken'}]});
out.requestId = queued.requestId;
let status;
for (let i = 0; i < 200; i++) {
  status = await sdk.rest.get(`/data/v1/async/${queued.requestId}/status`);
  if (status.status.requestStatus !== 'Pending' && status.status.requestStatus !== 'Executing') break;
  await new Promise((r) => setTimeout(r, 50));
}
out.status = status.status;
out.results = await sdk.rest.get(`/data/v1/async/${queued.requestId}/results`);
out.page = await sdk.rest.get("/data/v1/customobjectdata/key/people/rowset?$filter=Age%20gt%201&$orderBy=Age%20desc");
try {
  await sdk.rest.post('/hub/v1/dataevents/key:people/rowset', [{keys: {Key: 'x'}, values: {Age: 'many'}}]);
} catch (error) {
  out.error = {status: error.response?.status, body: error.response?.data};
}
console.log(JSON.stringify(out));
"""


def test_node_sfmc_sdk_writes_and_reads_rows(api, mc, soap):
    people(soap)
    rows = [{"keys": {"Key": "n1"}, "values": {"Email": "n1@example.com", "Age": 2}},
            {"keys": {"Key": "n2"}, "values": {"Email": "n2@example.com", "Age": 5}}]
    out = run_node(SDK_SCRIPT, {"CLIENT_ID": mc.client_id, "CLIENT_SECRET": mc.client_secret,
                                "EMULATOR_URL": mc.base_url, "ACCOUNT_ID": str(mc.account_id),
                                "ROWS": json.dumps(rows)})
    assert out["rowset"] == rows
    assert (out["status"]["requestStatus"], out["status"]["resultStatus"]) == ("Complete", "Has Errors")
    assert [r["status"] for r in out["results"]["items"]] == ["OK", "Error"]
    assert [i["keys"]["key"] for i in out["page"]["items"]] == ["n2", "n1"]
    assert out["error"]["status"] == 400 and out["error"]["body"]["errorcode"] == 10006
