"""domain/folders.py: the default tree, seeded once per BU, found by content type, and given to sandboxes
made before folders existed."""

from __future__ import annotations

import sqlite3

from emulator.config import Config
from emulator.core import Emulator
from emulator.domain.folders import default_tree


def test_seed_is_once_per_bu_and_root_is_case_blind(mc):
    emu = mc.emu
    mid = emu.enterprise_mid
    before = len(emu.folders.all(mid))
    assert before == len(default_tree()) + sum(len(f.get("children", [])) for f in default_tree())
    assert emu.folders.seed(mid) == 0 and len(emu.folders.all(mid)) == before
    root = emu.folders.root(mid, "DATAEXTENSION")
    assert root["Name"] == "Data Extensions" and root["ParentFolder"]["ID"] == 0
    assert emu.folders.root(mid, "no-such-type") is None
    shared = emu.folders.root(mid, "shared_data")
    assert [c["ContentType"] for c in emu.folders.children(mid, shared["ID"])] == \
        ["shared_dataextension", "shared_salesforcedataextension"]
    assert emu.folders.get(mid, root["ID"])["ID"] == root["ID"] and emu.folders.get(mid, "x") is None


def test_a_sandbox_made_before_folders_gets_the_tree_when_opened(tmp_path):
    db = tmp_path / "old.db"
    Emulator(Config(port=0, db_path=str(db))).close()
    with sqlite3.connect(db) as conn:  # as a database from before folders looks
        conn.execute("DELETE FROM object WHERE type = 'DataFolder'")
    emu = Emulator(Config(port=0, db_path=str(db)))
    try:
        for bu in emu.tenants.bus():
            assert emu.folders.root(int(bu["mid"]), "list") is not None
    finally:
        emu.close()
