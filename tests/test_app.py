"""emulator/app.py: the URL map's rules compile their URL builders on first use, and build as werkzeug would."""

from __future__ import annotations

from flask import url_for
from werkzeug.routing import Map, Rule

from emulator.app import LazyBuildRule, create_app


def test_rules_are_lazy_and_build_the_same_urls(mc) -> None:
    app = create_app(mc.emu)
    rules = list(app.url_map.iter_rules())
    assert rules and all(isinstance(rule, LazyBuildRule) for rule in rules)
    outbox = next(rule for rule in rules if rule.endpoint == "ui.message_page")
    assert outbox._build_unknown.__name__ == "build_on_first_use"  # nothing compiled yet
    with app.test_request_context():
        first = url_for("ui.message_page", message_id=7, mid=5)
        again = url_for("ui.message_page", message_id=8)
    assert outbox._build_unknown.__name__ != "build_on_first_use"  # compiled once, then kept
    plain = Rule(outbox.rule, endpoint="x")
    Map([plain])
    assert first == plain.build({"message_id": 7, "mid": 5})[1]
    assert again == plain.build({"message_id": 8})[1]
    assert first.endswith("?mid=5") and "7" in first
