"""Node's sfmc-sdk REST helper drives a transactional SMS send as integrators write it."""

from __future__ import annotations

from tests.clients.node import SDK_PRELUDE, run_node

SDK_SCRIPT = SDK_PRELUDE + """out.definition = await sdk.rest.post('/messaging/v1/sms/definitions/', {
  definitionKey: 'account-reset', name: 'account-reset',
  content: {message: '%%FirstName%%, your code is %%password%%'},
  subscriptions: {shortCode: '8201221', countryCode: 'US', keyword: 'PASSWORD'}});
out.send = await sdk.rest.post('/messaging/v1/sms/messages/sdk-1', {definitionKey: 'account-reset',
  recipient: {to: '15555551234', contactKey: 'Astro25', attributes: {FirstName: 'Astro', password: '42'}}});
out.status = await sdk.rest.get('/messaging/v1/sms/messages/sdk-1');
try {
  await sdk.rest.post('/messaging/v1/sms/messages/sdk-2', {definitionKey: 'account-reset', recipient: 'x'});
} catch (error) {
  out.error = {status: error.response?.status, body: error.response?.data};
}
console.log(JSON.stringify(out));
"""


def test_node_sfmc_sdk_sends_a_transactional_sms(mc):
    out = run_node(SDK_SCRIPT, {"CLIENT_ID": mc.client_id, "CLIENT_SECRET": mc.client_secret,
                                "EMULATOR_URL": mc.base_url, "ACCOUNT_ID": str(mc.account_id)})
    assert out["definition"]["status"] == "Active"
    assert out["send"] == {"requestId": out["send"]["requestId"], "errorcode": 0,
                           "responses": [{"messageKey": "sdk-1"}]}
    assert out["status"]["eventCategoryType"] == "TransactionalSendEvents.SMSSent"
    [message] = mc.outbox(message_key="sdk-1")
    assert (message["channel"], message["to"], message["text"]) == ("sms", "15555551234", "Astro, your code is 42")
    assert out["error"]["status"] == 400 and out["error"]["body"]["errorcode"] == 10001
