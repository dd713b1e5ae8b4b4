"""sfmc-emulator: a local, stateful emulator of Salesforce Marketing Cloud's email-send APIs.

`emulator.running()` (a context manager) and `emulator.start()` run one in-process for tests and
scripts; they are imported lazily so `import emulator` stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["running", "start", "RunningEmulator", "EmulatorStartError"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import testing

        return getattr(testing, name)
    raise AttributeError(f"module 'emulator' has no attribute {name!r}")
