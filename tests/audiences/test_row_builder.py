"""An import builds each row with domain/row_builder.py (per-column validators resolved once): its row,
key and refusal are exactly those of build_columns then key_of, for any values."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.domain import data_extensions as des
from emulator.domain.row_builder import row_builder

COLUMNS = [
    des.Column("Key", "Text", max_length=8, required=True, primary=True),
    des.Column("Email", "EmailAddress"),
    des.Column("Age", "Number", required=True),
    des.Column("Joined", "Date"),
    des.Column("Flag", "Boolean"),
    des.Column("Price", "Decimal", max_length=6, scale=2),
    des.Column("Phone", "Phone"),
    des.Column("Note", "Text", max_length=5),
]
SCHEMA = des.DESchema(mid=1, key="k", name="K", object_id="o", columns=COLUMNS)
TARGETS = [(i, c) for i, c in enumerate(COLUMNS)]
SAMPLES = ["", " ", "a", "abcdefghij", "12", " 12 ", "1_000", "-5", "99999999999", "2024-01-31", "1/2/2024",
           "2024-13-01", "1/2/1700 10:00 PM", "a@b.co", "not-an-email", "true", "No", "1.239", "1e3", "NaN",
           "555-0100", "ÄÖü", "K1", "k1"]


def _reference(record):
    try:
        row = des.build_columns(SCHEMA, [(c, record[i]) for i, c in TARGETS], fill_defaults=False)
        return ("ok", row, des.key_of(SCHEMA, row))
    except des.RowRejected as exc:
        return ("rejected", exc.message, exc.code)


def _built(build, record):
    try:
        row, key = build(record)
        return ("ok", row, key)
    except des.RowRejected as exc:
        return ("rejected", exc.message, exc.code)


@settings(max_examples=300)
@given(st.lists(st.one_of(st.sampled_from(SAMPLES), st.text(max_size=12)), min_size=len(COLUMNS),
                max_size=len(COLUMNS)))
def test_row_builder_answers_as_build_columns_and_key_of(record):
    build = row_builder(SCHEMA, TARGETS)
    assert _built(build, record) == _reference(record)
    assert _built(build, record) == _reference(record)  # a date's cached conversion answers the same


def test_a_schema_without_primary_key_has_no_key():
    schema = des.DESchema(mid=1, key="k", name="K", object_id="o", columns=[des.Column("A")])
    assert row_builder(schema, [(0, schema.columns[0])])(["x"]) == ({"A": "x"}, None)
