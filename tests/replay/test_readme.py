"""The README's examples for faults, the journal and replay run as written."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from emulator.replay.runner import run_files

ROOT = Path(__file__).resolve().parents[2]


def section(name: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"<!-- section: {name} -->")
    end = text.find("\n## ", start)
    return text[start:end if end > 0 else None]


def blocks(name: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section(name), re.S)


@pytest.mark.parametrize("name", ["time-and-faults", "replay"])
def test_python_examples_run(name, monkeypatch):
    monkeypatch.chdir(ROOT)
    examples = blocks(name, "python")
    assert examples
    for code in examples:
        exec(compile(code, f"README {name}", "exec"), {})


def test_scenario_example_passes(tmp_path):
    [example] = blocks("replay", "yaml")
    path = tmp_path / "readme.yaml"
    path.write_text(example)
    out = io.StringIO()
    assert run_files([str(path)], out=out, err=io.StringIO()) == 0, out.getvalue()
