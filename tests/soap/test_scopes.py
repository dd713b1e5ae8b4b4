"""Scopes on SOAP (issue 10 item 6): an OAuth2 token needs the scope SFMC's table names for the operation on
the object family; a missing one answers OverallStatus "Error: API Permission Failed" for the whole request
and changes nothing. UsernameToken callers keep full rights."""

from __future__ import annotations

import pytest

from emulator.domain.scopes import missing_scopes, required_scope
from tests.soap_helpers import PARTNER, texts

DENIED = "Error: API Permission Failed"
LIST = '<Objects xsi:type="List"><CustomerKey>{key}</CustomerKey><ListName>{key}</ListName></Objects>'


def _create_list(soap, key: str, **auth):
    return soap.post("Create", f'<CreateRequest xmlns="{PARTNER}">{LIST.format(key=key)}</CreateRequest>', **auth)


def _delete_list(soap, key: str, **auth):
    return soap.post("Delete", f'<DeleteRequest xmlns="{PARTNER}"><Objects xsi:type="List">'
                               f"<CustomerKey>{key}</CustomerKey></Objects></DeleteRequest>", **auth)


def _list_keys(soap) -> list[str]:
    return texts(soap.retrieve("List", ["CustomerKey"]), "p:Results/p:CustomerKey")


def _perform_start(soap, **auth):
    return soap.post("Perform", f'<PerformRequestMsg xmlns="{PARTNER}"><Action>start</Action><Definitions>'
                                '<Definition xsi:type="EmailSendDefinition"><CustomerKey>nope</CustomerKey>'
                                "</Definition></Definitions></PerformRequestMsg>", **auth)


def test_email_read_token_cannot_delete_a_list(mc, soap):
    soap.create(LIST.format(key="keep-me"))
    status, answer = _delete_list(soap, "keep-me", token=mc.token(scope="email_read"))
    assert status == 200  # a normal response (validated against the WSDL), not a fault
    assert texts(answer, "p:OverallStatus") == [DENIED]
    assert texts(answer, "p:Results/p:StatusCode") == ["Error"] and texts(answer, "p:RequestID")[0]
    assert texts(answer, "p:Results/p:StatusMessage") == ["API Permission Failed"]
    assert "keep-me" in _list_keys(soap)


def test_list_write_scope_can_delete_and_create(mc, soap):
    soap.create(LIST.format(key="doomed"))
    token = mc.token(scope="list_and_subscribers_write")
    _, answer = _delete_list(soap, "doomed", token=token)
    assert texts(answer, "p:OverallStatus") == ["OK"]
    _, created = _create_list(soap, "fresh", token=token)
    assert texts(created, "p:OverallStatus") == ["OK"]
    assert "doomed" not in _list_keys(soap) and "fresh" in _list_keys(soap)


def test_read_scope_retrieves_but_cannot_create(mc, soap):
    token = mc.token(scope="list_and_subscribers_read")
    _, retrieved = soap.post("Retrieve", f'<RetrieveRequestMsg xmlns="{PARTNER}"><RetrieveRequest><ObjectType>List'
                                         "</ObjectType><Properties>ID</Properties></RetrieveRequest>"
                                         "</RetrieveRequestMsg>", token=token)
    assert texts(retrieved, "p:OverallStatus") == ["OK"]
    _, created = _create_list(soap, "not-allowed", token=token)
    assert texts(created, "p:OverallStatus") == [DENIED]
    assert "not-allowed" not in _list_keys(soap)


def test_token_without_scope_cannot_perform_a_send(mc, soap):
    _, answer = _perform_start(soap, token=mc.token(scope=""))
    assert texts(answer, "p:OverallStatus") == [DENIED]
    assert mc.outbox() == []
    # with email_send the request gets past the permission check (to the definition look-up)
    _, allowed = _perform_start(soap, token=mc.token(scope="email_send"))
    assert texts(allowed, "p:OverallStatus") != [DENIED]


def test_one_forbidden_object_refuses_the_whole_request(mc, soap):
    token = mc.token(scope="list_and_subscribers_write")  # may write Lists, not DataExtensions
    body = (f'<CreateRequest xmlns="{PARTNER}">{LIST.format(key="mixed")}'
            '<Objects xsi:type="DataExtension"><CustomerKey>de</CustomerKey><Name>de</Name></Objects></CreateRequest>')
    _, answer = soap.post("Create", body, token=token)
    assert texts(answer, "p:OverallStatus") == [DENIED]
    assert "mixed" not in _list_keys(soap)


def test_username_token_keeps_full_rights(soap):
    soap.create(LIST.format(key="user-owned"))
    _, answer = _delete_list(soap, "user-owned")
    assert texts(answer, "p:OverallStatus") == ["OK"]
    _, performed = _perform_start(soap)
    assert texts(performed, "p:OverallStatus") != [DENIED]


def test_data_extension_rows_need_the_data_extension_scopes(mc, soap):
    body = (f'<RetrieveRequestMsg xmlns="{PARTNER}"><RetrieveRequest><ObjectType>DataExtensionObject[x]</ObjectType>'
            "<Properties>a</Properties></RetrieveRequest></RetrieveRequestMsg>")
    _, answer = soap.post("Retrieve", body, token=mc.token(scope="email_read"))
    assert texts(answer, "p:OverallStatus") == [DENIED]


# scope -> the (operation, object type) calls that need it: a sample across families and operation kinds
SCOPE_TABLE = {
    "list_and_subscribers_write": [("Create", "List"), ("Delete", "Subscriber"), ("Execute", "LogUnsubEvent")],
    "list_and_subscribers_read": [("Retrieve", "List")],
    "email_send": [("Perform", "EmailSendDefinition"), ("Perform", "TriggeredSendDefinition"),
                   ("Create", "TriggeredSend")],
    "email_write": [("Update", "Email")],
    "tracking_events_read": [("Retrieve", "SentEvent")],
    "data_extensions_write": [("Create", "DataExtensionObject")],
    "data_extensions_read": [("Retrieve", "DataExtensionObject")],
    "automations_execute": [("Perform", "ImportDefinition")],
    "accounts_read": [("Retrieve", "BusinessUnit")],
}


@pytest.mark.parametrize(("operation", "object_type", "scope"), [
    (operation, object_type, scope) for scope, calls in SCOPE_TABLE.items() for operation, object_type in calls])
def test_the_scope_table(operation, object_type, scope):
    assert required_scope(operation, object_type) == scope


def test_untabled_types_and_operations_need_no_scope():
    assert required_scope("Retrieve", "NoSuchType") is None
    assert required_scope("VersionInfo", "List") is None
    assert missing_scopes(frozenset({"email_read"}), "Create", ["List", "List", "Email"]) == [
        "list_and_subscribers_write", "email_write"]


@pytest.mark.parametrize(("action", "body"), [
    ("Schedule", '<ScheduleRequestMsg xmlns="{p}"><Action>start</Action><Schedule><StartDateTime>2030-01-01T00:00:00'
                 '</StartDateTime></Schedule><Interactions><Interaction xsi:type="EmailSendDefinition"><CustomerKey>x'
                 "</CustomerKey></Interaction></Interactions></ScheduleRequestMsg>"),
    ("Configure", '<ConfigureRequestMsg xmlns="{p}"><Action>create</Action><Configurations><Configuration '
                  'xsi:type="DataExtension"><CustomerKey>x</CustomerKey></Configuration></Configurations>'
                  "</ConfigureRequestMsg>"),
    ("Execute", '<ExecuteRequestMsg xmlns="{p}"><Requests><Name>LogUnsubEvent</Name></Requests></ExecuteRequestMsg>'),
    ("Update", '<UpdateRequest xmlns="{p}"><Objects xsi:type="Email"><CustomerKey>x</CustomerKey></Objects>'
               "</UpdateRequest>"),
])
def test_every_refusal_is_a_wsdl_valid_response(mc, soap, action, body):
    status, answer = soap.post(action, body.format(p=PARTNER), token=mc.token(scope=""))  # validated by post()
    assert status == 200 and texts(answer, "p:OverallStatus") == [DENIED]
