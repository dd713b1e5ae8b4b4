"""Every SimpleOperator the WSDL lists, and Complex filters, over plain rows."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.domain.errors import Invalid
from emulator.domain.query import SIMPLE_OPERATORS, FilterCompiler, project
from emulator.domain.schema import partner_schema

KINDS = {"Name": "string", "Count": "int", "When": "datetime", "Flag": "bool"}
ROWS = [
    {"Name": "Alpha list", "Count": 1, "When": "2024-03-05T10:00:00Z", "Flag": True},
    {"Name": "beta", "Count": 5, "When": "2023-03-05T12:00:00Z", "Flag": False},
    {"Name": "Gamma word test", "Count": 10, "When": "2024-07-01T00:00:00Z"},
    {"Count": 7},
]


def _match(prop, op, *values, dates=False):
    part = {"__type__": "SimpleFilterPart", "Property": prop, "SimpleOperator": op,
            ("DateValue" if dates else "Value"): list(values)}
    predicate = FilterCompiler(KINDS.get).compile(part)
    return [i for i, row in enumerate(ROWS) if predicate(row)]


@pytest.mark.parametrize(("op", "values", "expected"), [
    ("equals", ["ALPHA LIST"], [0]),
    ("notEquals", ["beta"], [0, 2, 3]),
    ("like", ["mma"], [2]),
    ("like", ["%a"], [1]),
    ("beginsWith", ["gam"], [2]),
    ("endsWith", ["LIST"], [0]),
    ("contains", ["a"], [0, 1, 2]),
    ("notContains", ["a"], []),
    ("existsInString", ["word"], [2]),
    ("existsInStringAsAWord", ["wor"], []),
    ("existsInStringAsAWord", ["word"], [2]),
    ("notExistsInString", ["word"], [0, 1]),
    ("isNull", [], [3]),
    ("isNotNull", [], [0, 1, 2]),
    ("IN", ["beta", "alpha list"], [0, 1]),
])
def test_string_operators(op, values, expected):
    assert _match("Name", op, *values) == expected


@pytest.mark.parametrize(("op", "values", "expected"), [
    ("greaterThan", ["5"], [2, 3]),
    ("lessThan", ["5"], [0]),
    ("greaterThanOrEqual", ["5"], [1, 2, 3]),
    ("lessThanOrEqual", ["5"], [0, 1]),
    ("between", ["2", "7"], [1, 3]),
    ("IN", ["1", "10"], [0, 2]),
])
def test_numeric_operators(op, values, expected):
    assert _match("Count", op, *values) == expected


def test_date_operators():
    assert _match("When", "greaterThan", "2024-01-01T00:00:00", dates=True) == [0, 2]
    assert _match("When", "isAnniversary", "2020-03-05T00:00:00", dates=True) == [0, 1]
    assert _match("When", "isNotAnniversary", "2020-03-05T00:00:00", dates=True) == [2]
    assert _match("When", "greaterThanAnniversary", "2020-04-01T00:00:00", dates=True) == [2]
    assert _match("When", "lessThanAnniversary", "2020-04-01T00:00:00", dates=True) == [0, 1]


def test_every_wsdl_operator_is_implemented():
    assert set(partner_schema().enums["SimpleOperators"]) == SIMPLE_OPERATORS


def test_complex_filters_with_additional_operands():
    left = {"__type__": "SimpleFilterPart", "Property": "Count", "SimpleOperator": "greaterThan", "Value": ["1"]}
    right = {"__type__": "SimpleFilterPart", "Property": "Name", "SimpleOperator": "isNotNull"}
    extra = {"__type__": "SimpleFilterPart", "Property": "Flag", "SimpleOperator": "equals", "Value": ["false"]}
    both = {"__type__": "ComplexFilterPart", "LeftOperand": left, "LogicalOperator": "AND", "RightOperand": right,
            "AdditionalOperands": {"Operand": [extra]}}
    predicate = FilterCompiler(KINDS.get).compile(both)
    assert [i for i, row in enumerate(ROWS) if predicate(row)] == [1]
    either = {**both, "LogicalOperator": "OR", "AdditionalOperands": None}
    predicate = FilterCompiler(KINDS.get).compile(either)
    assert [i for i, row in enumerate(ROWS) if predicate(row)] == [0, 1, 2, 3]


def test_errors():
    with pytest.raises(Invalid):
        _match("Missing", "equals", "x")
    with pytest.raises(Invalid):
        _match("Count", "between", "1")
    with pytest.raises(Invalid):
        _match("Count", "equals", "not a number")
    with pytest.raises(Invalid):
        _match("Name", "sortOf", "x")


@given(st.integers(-1000, 1000), st.integers(-1000, 1000))
def test_between_agrees_with_comparisons(low, high):
    inside = set(_match("Count", "between", str(low), str(high)))
    expected = {i for i, row in enumerate(ROWS) if "Count" in row and low <= row["Count"] <= high}
    assert inside == expected


def test_projection_of_nested_properties():
    row = {"__type__": "SendClassification", "Name": "n", "SenderProfile": {"__type__": "SenderProfile",
           "CustomerKey": "Default", "ObjectID": "x"}, "Client": {"ID": 1}}
    assert project(row, ["Name", "SenderProfile.CustomerKey"]) == {
        "__type__": "SendClassification", "Name": "n",
        "SenderProfile": {"__type__": "SenderProfile", "CustomerKey": "Default"}}


def test_schema_reads_elements_inside_choice_groups():
    fields = [f.name for f in partner_schema().fields("FieldMap")]
    assert fields == ["SourceName", "SourceOrdinal", "DestinationName"]
