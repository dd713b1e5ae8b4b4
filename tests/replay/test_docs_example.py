"""The scenario example of docs/replay.md passes as written (its Python examples run in tests/docs)."""

from __future__ import annotations

import io

from emulator.replay.runner import run_files
from tests.docs_text import blocks, section


def test_scenario_example_passes(tmp_path):
    [example] = blocks(section("replay"), "yaml")
    path = tmp_path / "readme.yaml"
    path.write_text(example)
    out = io.StringIO()
    assert run_files([str(path)], out=out, err=io.StringIO()) == 0, out.getvalue()
