"""store/audience.json_object is json.dumps, byte for byte, for every dict (its fast path and its fallback)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from emulator.store.audience import json_object

VALUES = st.one_of(st.text(), st.none(), st.integers(), st.booleans(), st.floats(allow_nan=False),
                   st.lists(st.text(), max_size=2))


@given(st.dictionaries(st.text(), VALUES, max_size=6))
def test_json_object_is_json_dumps(values):
    assert json_object(values) == json.dumps(values)


def test_non_str_keys_take_the_general_encoder():
    assert json_object({1: "a", None: "b"}) == json.dumps({1: "a", None: "b"})
