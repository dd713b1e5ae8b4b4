"""`sfmc-emulator serve` in a subprocess, started as a user starts it, for tests of the server process."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

EXE = Path(sys.executable).with_name("sfmc-emulator")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db: Path | None, port: int, *extra: str, capture: bool = True) -> subprocess.Popen:
    """Start `sfmc-emulator serve --port PORT [--db DB] EXTRA...`; returns once /_emulator/health answers.

    `capture=False` sends the output to /dev/null: a long run's request log would fill an unread pipe and
    block the server."""
    db_args = ["--db", str(db)] if db is not None else []
    if not any(arg in ("--proxy-port", "--no-proxy", "--ca-dir") for arg in extra):
        # Tests run side by side: no fight over the proxy's default port, and no CA in the user's home
        # (without --db the CA would go to ~/.local/state).
        db_args += ["--proxy-port", "0"] if db is not None else ["--no-proxy"]
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    proc = subprocess.Popen([str(EXE), "serve", "--port", str(port), *db_args, *extra],
                            stdout=output, stderr=output, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/_emulator/health", timeout=1).status_code == 200:
                return proc
        except requests.ConnectionError:
            if proc.poll() is not None:
                raise AssertionError(proc.communicate()) from None
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("serve did not start")


def stop(proc: subprocess.Popen) -> tuple[str, str]:
    """Ctrl-C, as a user stops it: the server must exit cleanly (status 0); returns its stdout and stderr."""
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    return out, err


def kill_hard(proc: subprocess.Popen) -> None:
    """SIGKILL, as a crash: no shutdown code runs; returns once the process is gone."""
    proc.kill()
    proc.wait(timeout=10)


@contextmanager
def killed_on_exit(proc: subprocess.Popen) -> Iterator[subprocess.Popen]:
    """Runs the block against ``proc``; a server the block left running (it failed early) is killed."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
