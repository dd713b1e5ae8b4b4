"""The inspector's message view: the Events tab offers the simulate buttons and lists engagement events,
for a transactional message too (events recorded against the message, not a job); the delivery log is in
the admin API."""

from __future__ import annotations


def test_events_tab_has_buttons_and_shows_engagement(mc, api):
    api.asset()
    api.definition()
    api.send("i-1")
    [message] = mc.outbox(message_key="i-1")
    page = mc.http.get(f"{mc.base_url}/_emulator/ui/outbox/{message['id']}?tab=events")
    assert page.status_code == 200
    for kind in ("open", "click", "unsubscribe", "bounce", "complaint"):
        assert f'data-engage="{kind}"' in page.text
    assert f'data-events-url="/_emulator/outbox/{message["id"]}/events"' in page.text
    assert mc.http.post(f"{mc.base_url}/_emulator/outbox/{message['id']}/events", json={"type": "open"}).ok
    page = mc.http.get(f"{mc.base_url}/_emulator/ui/outbox/{message['id']}?tab=events")
    assert "Events (1)" in page.text and ">Open<" in page.text


def test_the_ens_page_lists_callbacks_subscriptions_and_deliveries(mc, api, receiver):
    from tests.engagement.test_ens import register, wait_log

    register(api, receiver, types=["TransactionalSendEvents.EmailSent"])
    api.asset()
    api.definition()
    api.send("i-2")
    wait_log(mc, 1)
    page = mc.http.get(f"{mc.base_url}/_emulator/ui/ens")
    assert page.status_code == 200
    assert receiver.url in page.text and "TransactionalSendEvents.EmailSent" in page.text
    assert "delivered" in page.text
