"""Property test: any text for any column type is either stored or refused with a reason, never a crash."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from emulator.domain import data_extensions as des

columns = st.builds(
    des.Column, name=st.just("C"), type=st.sampled_from(des.FIELD_TYPES),
    max_length=st.one_of(st.none(), st.integers(1, 4000)), scale=st.one_of(st.none(), st.integers(0, 8)),
    required=st.booleans(), primary=st.booleans())
values = st.one_of(st.text(max_size=40), st.sampled_from(["1e999999", "NaN", "-Infinity", "2024-02-30",
                                                          "13/45/2020", "12/31/2020 13:00:00 PM", "９",
                                                          "99999999999", "0x10", "1_000", " true "]))


@settings(max_examples=400, deadline=None)
@given(column=columns, value=values)
@example(column=des.Column("C", "Decimal"), value="1e999999")
@example(column=des.Column("C", "Date"), value="12/31/2020 13:00:00 PM")
@example(column=des.Column("C", "Number"), value="９")
@example(column=des.Column("C", "Date"), value="0001-01-01")
def test_coerce_stores_or_refuses(column, value):
    try:
        stored = des.coerce(column, value)
    except des.RowRejected as exc:
        assert exc.message and exc.code in (des.ROW_GENERAL, des.ROW_TOO_LONG)
        return
    if stored is not None:
        assert isinstance(stored, str)
        assert des.coerce(column, stored) == stored  # what we store reads back as itself
