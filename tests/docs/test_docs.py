"""The README stays short, and every code block marked `<!-- runnable -->` in it and in docs/ runs as written.

Runnable blocks are written for `./scripts/serve` on its default port 8462; here they run against the
session's in-process emulator (reset first), every `8462` replaced by that emulator's port and `/tmp/` by
the test's own temporary directory. When a
```text block follows one, what the block prints must be that text (`...` standing for any text).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from emulator.testing import RunningEmulator
from tests.docs_text import README, ROOT, Runnable, matches_shown_output, pages, runnable_blocks, section

README_LIMIT = 12 * 1024
RUNNABLE = runnable_blocks()


def test_readme_is_at_most_12_kb() -> None:
    size = len(README.read_bytes())
    assert size <= README_LIMIT, f"README.md is {size} bytes; move detail into docs/"


@pytest.mark.parametrize("name", ["first-soap", "first-rest"])
def test_the_readme_first_calls_are_runnable_and_show_their_output(name: str) -> None:
    """The README's SOAP call and REST send are among the blocks executed below, with their output shown."""
    ran = [block for block in RUNNABLE if block.page == "README.md" and block.code in section(name)]
    assert len(ran) == 1 and ran[0].language == "bash" and ran[0].output, name


def test_no_page_offers_an_index_install() -> None:
    """There is no package on any index: a plain `pip install sfmc-emulator` fails in a fresh venv."""
    for page in pages():
        assert not re.search(r"pip install (-U )?sfmc-emulator\b(?! @)", page.read_text()), page


def _point_at(text: str, mc: RunningEmulator, tmp: Path) -> str:
    # the default port (in URLs and per-address file names); files a block writes land in the test's tmp_path
    return text.replace("8462", str(mc.port)).replace("/tmp/", f"{tmp}/")


def _run(block: Runnable, mc: RunningEmulator, monkeypatch: pytest.MonkeyPatch, tmp: Path) -> str:
    code = _point_at(block.code, mc, tmp)
    if block.language == "python":
        monkeypatch.chdir(ROOT)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, block.id, "exec"), {"__name__": "__docs__"})
        return out.getvalue()
    assert block.language == "bash", f"{block.id}: only python and bash blocks can be runnable"
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "NO_PROXY": "*"})
    assert result.returncode == 0, f"{block.id} exited {result.returncode}: {result.stderr}"
    return result.stdout


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id, marks=[pytest.mark.slow] if b.slow else [])
                                   for b in RUNNABLE])
def test_runnable_block_runs_as_written(block: Runnable, mc: RunningEmulator, monkeypatch: pytest.MonkeyPatch,
                                        tmp_path: Path) -> None:
    mc.reset()
    printed = _run(block, mc, monkeypatch, tmp_path)
    if block.output is not None:
        shown = _point_at(block.output, mc, tmp_path)
        assert matches_shown_output(shown, printed), f"{block.id} printed:\n{printed}\nthe page shows:\n{shown}"


def test_shown_output_can_fail_to_match() -> None:
    assert matches_shown_output('{"a": "..."}\nok', '{"a": "x1"}\n\nok  ')
    assert not matches_shown_output("<NewID>1003</NewID>", "<NewID>1004</NewID>")
    assert not matches_shown_output("a\n...", "b\nc")


def test_readme_links_point_at_files_that_exist() -> None:
    """mkdocs checks the links inside docs/; the README is outside the site, so its links are checked here."""
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README.read_text())
    assert links
    for link in links:
        assert link.startswith("http") or (ROOT / link).exists(), link
