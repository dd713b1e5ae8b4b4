"""Client.ID / ClientIDs targeting of child business units, and Perform on types without actions."""

from __future__ import annotations

from tests.soap_helpers import NS, PARTNER, post_soap, texts, validate_body


def test_parent_creates_in_child_and_retrieves_with_client_ids(soap):
    created = soap.create('<Objects xsi:type="List"><Client><ID>100000002</ID></Client>'
                          "<ListName>For the child</ListName></Objects>")
    assert texts(created, "p:Results/p:StatusCode") == ["OK"]
    own = soap.retrieve("List", ["ListName"])
    assert "For the child" not in texts(own, "p:Results/p:ListName")
    child = soap.retrieve("List", ["ListName", "Client.ID"],
                          extra="<ClientIDs><ID>100000002</ID></ClientIDs>")
    assert texts(child, "p:Results/p:ListName") == ["All Subscribers", "For the child"]
    assert set(texts(child, "p:Results/p:Client/p:ID")) == {"100000002"}


def test_child_cannot_act_for_the_parent(mc, soap):
    token = mc.token(account_id=mc.child_mid)
    body = (f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="List"><Client><ID>{mc.parent_mid}</ID></Client>'
            "<ListName>Sneaky</ListName></Objects></CreateRequest>")
    answer = validate_body(post_soap(mc.soap_url, "Create", body, token=token).content)
    assert texts(answer, "p:Results/p:StatusCode") == ["Error"]
    assert texts(answer, "p:OverallStatus") == ["Error"]
    assert "Sneaky" not in texts(soap.retrieve("List", ["ListName"], extra="<QueryAllAccounts>true</QueryAllAccounts>"),
                                 "p:Results/p:ListName")


def test_perform_on_a_type_without_actions_is_an_error_result(soap):
    answer = soap.call("Perform", f'<PerformRequestMsg xmlns="{PARTNER}"><Action>start</Action><Definitions>'
                       '<Definition xsi:type="List"><CustomerKey>All Subscribers</CustomerKey></Definition>'
                       "</Definitions></PerformRequestMsg>")
    assert texts(answer, "p:OverallStatus") == ["Error"]
    result = answer.find("p:Results/p:Result", NS)
    assert texts(result, "p:StatusCode") == ["Error"]
    assert texts(result, "p:ErrorCode") == ["100"]
    assert "not supported" in texts(result, "p:StatusMessage")[0]


def test_batch_size_and_continue_request(soap):
    soap.create("".join(f'<Objects xsi:type="List"><ListName>L{i}</ListName></Objects>' for i in range(5)))
    first = soap.retrieve("List", ["ListName"], extra="<Options><BatchSize>2</BatchSize></Options>")
    assert texts(first, "p:OverallStatus") == ["MoreDataAvailable"]
    names = texts(first, "p:Results/p:ListName")
    request_id = texts(first, "p:RequestID")[0]
    while True:
        page = soap.call("Retrieve", f'<RetrieveRequestMsg xmlns="{PARTNER}"><RetrieveRequest>'
                         f"<ContinueRequest>{request_id}</ContinueRequest></RetrieveRequest></RetrieveRequestMsg>")
        names += texts(page, "p:Results/p:ListName")
        request_id = texts(page, "p:RequestID")[0]
        if texts(page, "p:OverallStatus") == ["OK"]:
            break
        assert texts(page, "p:OverallStatus") == ["MoreDataAvailable"]
    assert names == ["All Subscribers"] + [f"L{i}" for i in range(5)]
