"""Run a Node.js script against the emulator with the real npm clients in tests/clients/node (sfmc-sdk).

scripts/test installs them (`npm ci`); without Node or the packages the calling test skips.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).parent / "node"


def require_node_clients() -> str:
    """The node binary, or skip when Node or the installed npm clients are missing."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (NODE_DIR / "node_modules" / "sfmc-sdk").is_dir():
        pytest.skip("tests/clients/node has no node_modules: run `npm ci` there (scripts/test does)")
    return node


def run_node(script: str, env: dict[str, str] | None = None, timeout: float = 60) -> Any:
    """Run `script` (ES module source) from tests/clients/node and return the JSON it prints last."""
    node = require_node_clients()
    completed = subprocess.run(
        [node, "--input-type=module", "-e", script],
        cwd=NODE_DIR, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout,
    )
    if completed.returncode != 0:
        raise AssertionError(f"node failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    lines = [line for line in completed.stdout.splitlines() if line.strip()]
    return json.loads(lines[-1]) if lines else None


# The sfmc-sdk REST client pointed at the emulator (CLIENT_ID, CLIENT_SECRET, ACCOUNT_ID, EMULATOR_URL in the
# environment); scripts append their calls and fill `out`.
SDK_PRELUDE = """
import SDK from 'sfmc-sdk';
const sdk = new SDK({client_id: process.env.CLIENT_ID, client_secret: process.env.CLIENT_SECRET,
  auth_url: 'https://mcaaaaaaaaaaaaaaaaaaaaaaaaaa.auth.marketingcloudapis.com/', account_id: process.env.ACCOUNT_ID},
  {eventHandlers: {}, requestAttempts: 1, retryOnConnectionError: false});
sdk.auth.authObject.auth_url = process.env.EMULATOR_URL + '/';  // the SDK insists on the real host's shape
const out = {};
"""
