"""POST /_emulator/seed/list-members: synthetic Active members on a List, in one call (domain/bulk.py)."""

from __future__ import annotations

import requests

from tests.soap_helpers import PARTNER

P = f"{{{PARTNER}}}"


def test_seeds_members_with_rendered_attributes(mc, soap) -> None:
    created = soap.create('<Objects xsi:type="List"><ListName>bench</ListName></Objects>')
    list_id = int(created.findtext(f"{P}Results/{P}NewID"))
    response = requests.post(f"{mc.base_url}/_emulator/seed/list-members", timeout=30, json={
        "list_id": list_id, "count": 3, "prefix": "b", "domain": "example.org", "attributes": {"First": "n{n}"}})
    assert response.status_code == 200
    assert response.json() == {"list_id": list_id, "mid": mc.parent_mid, "created": 3}
    members = mc.emu.audience.iter_list_members(mc.parent_mid, list_id)
    assert sorted((s.subscriber_key, s.email, s.attributes.get("First"), status) for s, status in members) == [
        ("b-0", "b-0@example.org", "n0", "Active"), ("b-1", "b-1@example.org", "n1", "Active"),
        ("b-2", "b-2@example.org", "n2", "Active")]


def test_unknown_list_and_bad_counts_are_refused(mc) -> None:
    missing = requests.post(f"{mc.base_url}/_emulator/seed/list-members", json={"list_id": 999999, "count": 1},
                            timeout=10)
    assert missing.status_code == 404 and missing.json()["errorcode"] == 13000
    bad = requests.post(f"{mc.base_url}/_emulator/seed/list-members", json={"list_id": 1}, timeout=10)
    assert bad.status_code == 400 and bad.json()["errorcode"] == 10005
