"""The outbox search syntax (ui/search.py): a pure parser, pinned term by term."""

from __future__ import annotations

from emulator.store.outbox import OutboxFilter
from emulator.ui.search import parse_query


def test_empty_and_free_text():
    assert parse_query("").is_empty() and parse_query(None).is_empty() and parse_query("   ").is_empty()
    assert parse_query("hello world").text == ["hello", "world"]
    assert parse_query('"spring sale"').text == ["spring sale"]


def test_every_field():
    found = parse_query('to:ada@example.com from:news@ subject:"big sale" job:42 definition:welcome-send '
                        "key:msg-1 subscriber:sub-1 is:bounced left")
    assert found == OutboxFilter(to="ada@example.com", from_="news@", subject="big sale", job=42,
                                 definition="welcome-send", message_key="msg-1", subscriber="sub-1",
                                 bounced=True, text=["left"])


def test_names_are_case_insensitive_and_def_is_short_for_definition():
    assert parse_query("TO:x SUBJECT:y Def:z IS:BOUNCED") == OutboxFilter(to="x", subject="y", definition="z",
                                                                         bounced=True)


def test_what_it_does_not_understand_stays_free_text():
    # An unknown name, a job that is not a number, an unknown is: — nothing is silently dropped.
    assert parse_query("color:red job:abc is:read").text == ["color:red", "job:abc", "is:read"]
    assert parse_query("job:abc").job is None


def test_an_unterminated_quote_runs_to_the_end():
    assert parse_query('subject:"half open').subject == "half open"


def test_a_later_term_wins_for_one_field():
    assert parse_query("to:a to:b").to == "b"
