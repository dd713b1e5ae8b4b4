"""Node's sfmc-sdk (npm), unmodified: SOAP retrieves of the default folders and of DE rows with their
hidden _CustomObjectKey, as extraction tools make them."""

from __future__ import annotations

from tests.audiences.test_data_extensions import DE_XML, row_xml
from tests.clients.node import run_node
from tests.clients.test_token_refresh import FAKE_AUTH_URL

SCRIPT = """
import SDK from 'sfmc-sdk';
const sdk = new SDK(
  {client_id: process.env.CLIENT_ID, client_secret: process.env.CLIENT_SECRET,
   account_id: process.env.ACCOUNT_ID, auth_url: process.env.FAKE_AUTH_URL},
  {requestAttempts: 1, retryOnConnectionError: false});
sdk.auth.authObject.auth_url = process.env.EMULATOR_URL + '/';
const folders = await sdk.soap.retrieveBulk('DataFolder',
  ['ID', 'Name', 'ContentType', 'ParentFolder.ID', 'CustomerKey', 'IsEditable', 'AllowChildren'],
  {filter: {leftOperand: 'ContentType', operator: 'IN', rightOperand: ['dataextension', 'shared_dataextension']}});
const rows = await sdk.soap.retrieveBulk('DataExtensionObject[people]', ['_CustomObjectKey', 'Key', 'Email'], {});
const one = await sdk.soap.retrieve('DataExtensionObject[people]', ['_CustomObjectKey', 'Key'],
  {filter: {leftOperand: '_CustomObjectKey', operator: 'greaterThan', rightOperand: 0}});
console.log(JSON.stringify({
  folders: folders.Results.map((f) => ({name: f.Name, type: f.ContentType, parent: String(f.ParentFolder.ID),
                                        editable: String(f.IsEditable), id: String(f.ID)})),
  rows: rows.Results.map((r) => Object.fromEntries(r.Properties.Property.map((p) => [p.Name, String(p.Value)]))),
  filtered: one.Results.length, status: one.OverallStatus,
}));
"""


def test_sfmc_sdk_retrieves_folders_and_rows_with_custom_object_key(mc, soap):
    soap.create(DE_XML)
    soap.create(row_xml(Key="a", Email="a@example.com") + row_xml(Key="b", Email="b@example.com"))
    out = run_node(SCRIPT, env={"EMULATOR_URL": mc.base_url, "CLIENT_ID": mc.client_id,
                                "CLIENT_SECRET": mc.client_secret, "ACCOUNT_ID": str(mc.account_id),
                                "FAKE_AUTH_URL": FAKE_AUTH_URL})
    roots = [f for f in out["folders"] if f["parent"] == "0"]
    assert [(f["name"], f["type"], f["editable"]) for f in roots] == [("Data Extensions", "dataextension", "false")]
    shared = [f for f in out["folders"] if f["type"] == "shared_dataextension"]
    assert [f["name"] for f in shared] == ["Shared Data Extensions"]
    assert [r["Key"] for r in out["rows"]] == ["a", "b"]
    keys = [int(r["_CustomObjectKey"]) for r in out["rows"]]
    assert len(set(keys)) == 2 and all(k > 0 for k in keys)
    assert out["filtered"] == 2 and out["status"] == "OK"
