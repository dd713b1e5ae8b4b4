"""A send's compiled renderer (domain/substitutions.py) says what the generic path says: `render.render` over
`render.lookup_table` of the same layered values, for any template, attributes, row and recipient; and the
outbox source JSON it builds from a template is what json.dumps gives."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.domain.delivery import email_content
from emulator.domain.render import html_to_text, lookup_table, render
from emulator.domain.substitutions import Composer

NAMES = ["FirstName", "firstname", "FIRSTNAME", "Code", "emailaddr", "EmailAddress", "email address",
         "subscriberkey", "_subscriberkey", "SubscriberID", "JobID", "jobid", "_EmailID", "EmailID", "Last Name",
         "Nope", "x.y", "a-b", "MemberID", "replyname"]
KEYS = ["FirstName", "firstname", "Code", "Last Name", "JobID", "EmailID", "emailaddr", "Other", "SubscriberKey",
        "x.y", "_EmailID"]
VALUES = st.one_of(st.text(max_size=8), st.integers(-5, 5), st.none(), st.booleans())
TEXT = st.text(alphabet="ab {}%<>\n\t\"\\é", max_size=6)


@st.composite
def templates(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.sampled_from(NAMES))
        parts.append(draw(st.sampled_from([f"%%{name}%%", f"%%=v(@{name})=%%", f'%%=AttributeValue("{name}")=%%',
                                           f"%% {name} %%"])))
        parts.append(draw(TEXT))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(subject=templates(), html=templates(), text=templates(), derive=st.booleans(),
       attributes=st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5),
       row=st.none() | st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=4),
       key=st.text(max_size=5), address=st.text(max_size=5), subscriber_id=st.none() | st.integers(1, 9))
def test_the_compiled_renderer_matches_render_over_lookup_table(subject, html, text, derive, attributes, row, key,
                                                                address, subscriber_id):
    email = {"ID": 5, "CustomerKey": "k{1}", "Name": "n\"ame", "Subject": subject, "HTMLBody": html, "TextBody": text}
    plan = {"email": email, "definition_key": "d", "from_name": None, "from_address": "f@x.io", "is_multipart": derive}
    compose = Composer(1, 77, plan, email_content(email))
    message = compose.message(key, address, "list:3", subscriber_id, attributes, row, 2.5)

    merged: dict[str, object] = {}
    base = {"JobID": 77, "_JobSubscriberBatchID": 1, "_EmailID": 5, "emailname_": 'n"ame', "MemberID": 1,
            "replyname": None, "replyemailaddress": "f@x.io"}
    recipient = {"subscriberkey": key, "emailaddress": address, "subscriberid": subscriber_id}
    for layer in (base, attributes, row or {}, recipient):
        merged.update({k.casefold(): v for k, v in layer.items()})
    table = lookup_table(merged)
    want_html = render(html, table)
    want_text = html_to_text(want_html) if derive and not text else render(text, table)
    assert (message.subject, message.html, message.text) == (render(subject, table), want_html, want_text)
    assert message.source["values"] == {spelling: table.get(name, "") for name, spelling in
                                        compose.values.names.items()}
    assert message.source_json == json.dumps(message.source)
