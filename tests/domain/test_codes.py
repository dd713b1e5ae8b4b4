"""The code tables (domain/codes.py): one number per case in each family, and no raise site in emulator/
that writes a number instead of naming its code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from emulator.domain import codes
from emulator.domain.errors import Invalid, NotFound

PACKAGE = Path(codes.__file__).resolve().parents[1]
CODE_KEYWORDS = ("code", "error_code")
LITERAL = re.compile(r"\b(?:error_)?code\s*=\s*\d")


@pytest.mark.parametrize("family", sorted(codes.FAMILIES))
def test_every_code_is_unique_in_its_family(family):
    rows = codes.table(family)
    numbers = [number for number, _, _ in rows]
    names = [name for _, name, _ in rows]
    assert len(set(numbers)) == len(numbers), f"{family}: a number is listed twice"
    assert len(set(names)) == len(names)
    assert all(message.strip() for _, _, message in rows), f"{family}: a code without a default message"
    assert numbers == sorted(numbers)


def test_table_rows_are_the_numbers_on_the_wire():
    assert (12014, "SUBSCRIBER_ALREADY_EXISTS", "SubscriberAlreadyExists") in codes.table("SOAP")
    assert (30003, "NOT_FOUND", "Not found") in codes.table(codes.REST)
    assert codes.REST.DUPLICATE_MESSAGE_KEY == 109110
    assert codes.REST.DUPLICATE_MESSAGE_KEY.mcms == "MCMS_UTM_Validation_DuplicateMessageKey"
    assert all(code.mcms.startswith("MCMS_UTM_") for code in codes.REST if code.mcms)


def test_a_typed_error_carries_its_code_and_default_message():
    error = NotFound(code=codes.SOAP.SUBSCRIBER_NOT_FOUND)
    assert (error.code, error.message) == (12001, "SubscriberNotFound")
    assert Invalid("other text", code=codes.REST.INVALID_VALUE).message == "other text"


def _literal_codes(source: str, filename: str) -> list[str]:
    """Raise sites (any call) passing a number as code= / error_code=, and code=<digit> anywhere."""
    found = [f"{filename}:{n}" for n, line in enumerate(source.splitlines(), 1) if LITERAL.search(line)]
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg in CODE_KEYWORDS and isinstance(value, ast.Constant) \
                        and isinstance(value.value, int) and not isinstance(value.value, bool):
                    found.append(f"{filename}:{node.lineno}")
    return found


def test_the_checker_sees_a_literal():
    assert _literal_codes("raise Invalid('x', code=12014)\n", "planted.py")
    assert _literal_codes("ObjectResult(ok=False, error_code = 2)\n", "planted.py")
    assert not _literal_codes("raise Invalid('x', code=codes.SOAP.ERROR)\n", "planted.py")


def test_no_raise_site_writes_a_numeric_code():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "codes.py" and path.parent.name == "domain":
            continue
        found += _literal_codes(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))
    assert found == [], f"name these codes in emulator/domain/codes.py: {found}"
