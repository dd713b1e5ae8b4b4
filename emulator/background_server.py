"""A waitress server on a thread of its own, stopped promptly and cleanly: the in-process emulator
(testing.py) and the recording proxy (replay/recorder.py) run one each."""

from __future__ import annotations

import threading
from typing import Any


def serve_in_background(server: Any, name: str) -> threading.Thread:
    thread = threading.Thread(target=_serve, args=(server,), name=name, daemon=True)
    thread.start()
    return thread


def _serve(server: Any) -> None:
    try:
        server.run()
    except OSError:
        pass  # the socket was closed by stop(); waitress's loop notices it this way


def stop_background_server(server: Any, thread: threading.Thread, timeout: float = 5) -> None:
    """Stop serving. Every channel is closed from inside the server's own loop thread, so the loop never
    polls a closed socket (closing them from here raced its select(): EBADF in the loop thread), and open
    keep-alive connections do not keep it alive."""
    from waitress import wasyncore

    server.task_dispatcher.shutdown()
    try:
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
    except OSError:  # the trigger is gone already
        wasyncore.close_all(server._map)
    thread.join(timeout=timeout)
