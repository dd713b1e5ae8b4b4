"""A test ENS callback: a small HTTP server on loopback that records every POST and answers `status`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.posts: list[dict[str, Any]] = []  # {"body": bytes, "json": ..., "signature": str | None}
        self._lock = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server spelling
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.posts.append({"body": body, "json": json.loads(body or b"null"),
                                           "signature": self.headers.get("x-sfmc-ens-signature")})
                    receiver._lock.notify_all()
                    status = receiver.status
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ens"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        """Block until at least `count` POSTs arrived (or the timeout); returns them all."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.posts) < count and time.monotonic() < deadline:
                self._lock.wait(0.05)
            return list(self.posts)

    def batches(self) -> list[list[dict[str, Any]]]:
        """The event batches received (the verification POST, an object, left out)."""
        with self._lock:
            return [p["json"] for p in self.posts if isinstance(p["json"], list)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def signed(key: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest()).decode("ascii")
