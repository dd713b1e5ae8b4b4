"""Journeys as integrators drive them: Node's sfmc-sdk REST helper creates the event definition and the
journey, publishes it, fires the entry event and reads the journey back; and a contact waiting in a journey
is still waiting, and moves on, after the emulator restarts on the same database."""

from __future__ import annotations

import json

from emulator.app import create_app
from emulator.config import Config
from emulator.core import Emulator
from tests.clients.node import run_node
from tests.rest.journey_helpers import ENTRY_DE, email_activity, journey_body, wait_activity
from tests.soap_helpers import envelope

SDK_SCRIPT = """
import SDK from 'sfmc-sdk';
const sdk = new SDK({client_id: process.env.CLIENT_ID, client_secret: process.env.CLIENT_SECRET,
  auth_url: 'https://mcaaaaaaaaaaaaaaaaaaaaaaaaaa.auth.marketingcloudapis.com/', account_id: process.env.ACCOUNT_ID},
  {eventHandlers: {}, requestAttempts: 1, retryOnConnectionError: false});
sdk.auth.authObject.auth_url = process.env.EMULATOR_URL + '/';
const out = {};
out.event = await sdk.rest.post('/interaction/v1/eventDefinitions', {type: 'APIEvent', name: 'Node signup',
  eventDefinitionKey: 'node-signup', dataExtensionId: process.env.DE_ID, mode: 'Production'});
const journey = await sdk.rest.post('/interaction/v1/interactions', JSON.parse(process.env.JOURNEY));
const publish = await sdk.rest.post(`/interaction/v1/interactions/publishAsync/${journey.id}?versionNumber=1`, {});
out.publishStatus = await sdk.rest.get(`/interaction/v1/interactions/publishStatus/${publish.statusId}`);
out.fired = await sdk.rest.post('/interaction/v1/events', {ContactKey: 'node-1', EventDefinitionKey: 'node-signup',
  Data: {EmailAddress: 'node@example.com', FirstName: 'Node'}});
out.journey = await sdk.rest.get(`/interaction/v1/interactions/key:${journey.key}`);
try {
  await sdk.rest.post('/interaction/v1/events', {ContactKey: 'node-2', EventDefinitionKey: 'node-signup',
    Data: {FirstName: 'far too long for twenty'}});
} catch (error) {
  out.error = {status: error.response?.status, body: error.response?.data};
}
console.log(JSON.stringify(out));
"""


def test_node_sfmc_sdk_fires_a_journey(api, mc, world):
    de_id = world.create(ENTRY_DE.format(key="node_entries"))["NewObjectID"]
    email_id = world.email(key="node-email", subject="Hello %%FirstName%%")
    body = journey_body("node-journey", [email_activity("EMAILV2-1", email_id)], event_key="node-signup")
    out = run_node(SDK_SCRIPT, {"CLIENT_ID": mc.client_id, "CLIENT_SECRET": mc.client_secret,
                                "EMULATOR_URL": mc.base_url, "ACCOUNT_ID": str(mc.account_id),
                                "DE_ID": de_id, "JOURNEY": json.dumps(body)})
    assert out["event"]["eventDefinitionKey"] == "node-signup" and out["event"]["dataExtensionId"] == de_id
    assert out["publishStatus"]["status"] == "PublishCompleted"
    assert set(out["fired"]) == {"eventInstanceId"}
    assert out["journey"]["status"] == "Published" and out["journey"]["stats"]["cumulativePopulation"] == 1
    assert out["error"]["status"] == 400 and out["error"]["body"]["errorcode"] == 10006
    sent = mc.outbox()
    assert [(m["subscriber_key"], m["subject"]) for m in sent] == [("node-1", "Hello Node")]
    assert sent[0]["source"]["journey"]["name"] == "Journey node-journey"


def _client(emu: Emulator):
    client = create_app(emu).test_client()
    package = emu.tenant["installed_package"]
    token = client.post("/v2/token", json={"grant_type": "client_credentials", "client_id": package["client_id"],
                                           "client_secret": package["client_secret"]}).get_json()["access_token"]
    return client, {"Authorization": f"Bearer {token}"}


def test_a_waiting_contact_moves_on_after_a_restart(tmp_path):
    config = Config(db_path=str(tmp_path / "state.db"))
    first = Emulator(config)
    client, headers = _client(first)
    client.post("/Service.asmx", data=envelope('<CreateRequest xmlns="http://exacttarget.com/wsdl/partnerAPI">'
                                               f'{ENTRY_DE.format(key="entries")}</CreateRequest>'),
                headers={"SOAPAction": "Create", "Content-Type": "text/xml"})
    client.post("/Service.asmx", data=envelope(
        '<CreateRequest xmlns="http://exacttarget.com/wsdl/partnerAPI"><Objects xsi:type="Email"><CustomerKey>e'
        "</CustomerKey><Name>e</Name><Subject>Later %%FirstName%%</Subject><HTMLBody>Hi</HTMLBody>"
        "<EmailType>HTML</EmailType><IsHTMLPaste>true</IsHTMLPaste></Objects></CreateRequest>"),
        headers={"SOAPAction": "Create", "Content-Type": "text/xml"})
    mid = first.enterprise_mid
    de_id = first.objects.find_one(mid, "DataExtension", "CustomerKey", "entries").data["ObjectID"]
    email_id = first.objects.find_one(mid, "Email", "CustomerKey", "e").data["ID"]
    assert client.post("/interaction/v1/eventDefinitions", headers=headers, json={
        "name": "signup", "eventDefinitionKey": "signup", "dataExtensionId": de_id}).status_code == 200
    journey = client.post("/interaction/v1/interactions", headers=headers, json=journey_body("later", [
        wait_activity("WAIT-1", "EMAILV2-1", 2, "HOURS"), email_activity("EMAILV2-1", email_id)])).get_json()
    client.post(f"/interaction/v1/interactions/publishAsync/{journey['id']}?versionNumber=1", headers=headers)
    fired = client.post("/interaction/v1/events", headers=headers, json={
        "ContactKey": "c", "EventDefinitionKey": "signup", "Data": {"EmailAddress": "c@example.com", "FirstName": "C"}})
    assert fired.status_code == 201
    first.close()

    second = Emulator(config)  # a new process on the same file: the clock is back at wall time
    try:
        waiting = second.journeys.overview()[0]["contacts"]
        assert [(c["contactKey"], c["status"], c["activityKey"]) for c in waiting] == [("c", "Waiting", "WAIT-1")]
        second.clock.advance(2 * 3600 + 5)
        second.jobs.wait_idle()
        assert second.journeys.overview()[0]["contacts"][0]["status"] == "Finished"
        assert [m["subject"] for m in second.outbox.query(mid)[0]] == ["Later C"]
    finally:
        second.close()
