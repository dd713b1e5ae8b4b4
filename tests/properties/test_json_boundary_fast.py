"""The compiled happy-path check of a request body (jsonbody.BodySchema.is_valid, generated code) and the
full jsonschema check that builds SFMC's error answers agree on every body: the compiled one never accepts a
body the full one refuses (which would let a wrong body through unanswered), nor refuses one it accepts.

Bodies are drawn from every declared schema (rest/schemas/), then some are mutated at a random spot: a value
swapped for any JSON value (numbers past the 64-bit bounds, floats, booleans where numbers go, ...), nested
in a list or object, or removed. Only what the strict reader lets through reaches a check, so numbers are
finite."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.jsonbody import INT64, BodySchema
from emulator.rest.schemas import assets as asset_schemas
from emulator.rest.schemas import transactional as tx_schemas
from tests.properties.test_rest_hostile import from_schema, paths, replaced

SCHEMAS = {f"{module.__name__}.{name}": value for module in (asset_schemas, tx_schemas)
           for name, value in vars(module).items() if isinstance(value, BodySchema)}
EDGES = st.sampled_from([INT64, INT64 + 1, -INT64, -INT64 - 1, 2**63, float(2**63), 9.223372036854775e18,
                         1.0, 0.5, True, False, "", "x" * 300])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8) | EDGES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8)


@st.composite
def bodies(draw, schema: BodySchema) -> Any:
    body = draw(from_schema(schema.schema))
    spots = paths(body)
    kind = draw(st.sampled_from(["as-is", "swap", "swap", "nest", "remove"]))
    if kind == "as-is" or not spots:
        return body
    spot = draw(st.sampled_from(spots))
    if kind == "swap":
        return replaced(body, spot, draw(VALUES))
    if kind == "nest":
        old = body
        for part in spot:
            old = old[part]
        return replaced(body, spot, draw(st.sampled_from([[old], {"value": old}])))
    return replaced(body, spot, None, remove=True)


def test_every_declared_schema_is_covered():
    assert {"emulator.rest.schemas.transactional.SEND_SINGLE", "emulator.rest.schemas.assets.ASSET"} <= set(SCHEMAS)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_compiled_check_agrees_with_the_full_one(name: str, data: st.DataObject):
    schema = SCHEMAS[name]
    body = data.draw(bodies(schema))
    assert schema.is_valid(body) == (schema.errors(body) == []), (body, schema.errors(body))


@pytest.mark.parametrize("body, valid", [
    ({"definitionKey": "k", "recipient": {"contactKey": "c", "attributes": {"n": INT64}}}, True),
    ({"definitionKey": "k", "recipient": {"contactKey": "c", "attributes": {"n": INT64 + 1}}}, False),
    ({"definitionKey": "k", "recipient": {"contactKey": "c", "attributes": {"n": [1]}}}, False),
    ({"definitionKey": 7, "recipient": None}, False),
])
def test_the_compiled_check_decides_edges_as_the_full_one(body: dict, valid: bool):
    assert tx_schemas.SEND_SINGLE.is_valid(body) is valid
    assert (tx_schemas.SEND_SINGLE.errors(body) == []) is valid
