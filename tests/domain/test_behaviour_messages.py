"""The StatusMessage each behaving type writes for a successful create/update/delete (SFMC's own wording
differs by type: a period, "successfully", the type's display name)."""

from __future__ import annotations

import pytest

from emulator.domain.behaviours import behaviour_class


@pytest.mark.parametrize(("type_name", "expected"), [
    ("SenderProfile", ["SenderProfile created", "SenderProfile updated", "SenderProfile deleted"]),
    ("FilterDefinition", ["FilterDefinition created", "FilterDefinition updated", "FilterDefinition deleted"]),
    ("ImportDefinition", ["ImportDefinition created.", "ImportDefinition updated.", "ImportDefinition deleted."]),
    ("DataFolder", ["Folder created successfully.", "Folder updated successfully.", "Folder deleted successfully."]),
    ("DataExtension", ["Data Extension created.", "Data Extension updated.", "Data Extension deleted."]),
])
def test_status_message_per_type(type_name: str, expected: list[str]) -> None:
    b = behaviour_class(type_name)(None, type_name)  # type: ignore[arg-type]  # messages need no service
    assert [b.message(op) for op in ("created", "updated", "deleted")] == expected
