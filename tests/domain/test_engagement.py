"""The delivery path's tracking (links wrapped, pixel, subscription-center links named after the message)
and the ENS subscription filter, without a server."""

from __future__ import annotations

from emulator.core import Emulator
from emulator.domain.delivery import Batch, Event, Message, track
from emulator.domain.ens.payloads import matches
from emulator.domain.render import compile_template


def _message(html: str, key: str | None = None, **kw) -> Message:
    return Message(1, "a@example.com", "a", "s", html, "Leave: %%unsub_center_url%%", "n", "f@example.com", {}, 0.0,
                   message_key=key, **kw)


def test_late_bound_names_survive_rendering():
    assert compile_template("x %%Unsub_Center_URL%% %%FirstName%%")({"firstname": "Ada"}) == \
        "x %%unsub_center_url%% Ada"


def test_track_fills_links_wraps_others_and_adds_the_pixel():
    message = _message('<html><body><a href="https://e.com/a">a</a><a href="%%unsub_center_url%%">u</a>'
                       "</body></html>", key="k 1")
    message.id = 5
    track(message, "http://emu")
    assert 'href="http://emu/_emulator/click?ref=k%201&url=https%3A%2F%2Fe.com%2Fa"' in message.html
    assert 'href="http://emu/_emulator/unsub/k%201"' in message.html  # the emulator's own link stays unwrapped
    assert message.html.endswith('<img src="http://emu/_emulator/open/k%201.gif" width="1" height="1" alt=""'
                                 ' style="display:block;border:0" /></body></html>')
    assert message.text == "Leave: http://emu/_emulator/unsub/k%201"


def test_a_fragment_gets_no_pixel_and_untracked_links_stay():
    message = _message('<p><a href="https://e.com/a">a</a></p>', track_links=False)
    message.id = 9
    track(message, "http://emu")
    assert message.html == '<p><a href="https://e.com/a">a</a></p>'
    assert message.ref == "m9"


def test_deliver_numbers_messages_and_links_their_events():
    emu = Emulator()
    try:
        batch = Batch()
        for key in ("x", "y"):
            message = _message("<p>h</p>")
            batch.sent(message, Event(emu.enterprise_mid, 1, key, None, "Sent", 0.0))
        emu.delivery.deliver(batch)
        ids = [m.id for m in batch.messages]
        assert ids[1] == ids[0] + 1 and [e.message_id for e in batch.events] == ids
        assert emu.engagement.resolve(f"m{ids[1]}")["id"] == ids[1]
        assert emu.engagement.resolve("m999999") is None
    finally:
        emu.close()


def test_subscription_filters_must_all_hold():
    event = {"eventCategoryType": "TransactionalSendEvents.EmailNotSent", "definitionKey": "d",
             "info": {"statusCode": "1"}}
    kinds = ["TransactionalSendEvents.EmailNotSent"]
    assert matches(event, kinds, [])
    assert matches(event, kinds, ["definitionKey=d", "statusCode=1"])
    assert not matches(event, kinds, ["definitionKey=d", "statusCode=2"])
    assert not matches(event, ["EngagementEvents.EmailOpen"], [])
