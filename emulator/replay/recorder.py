"""`sfmc-emulator record --upstream URL --out FILE`: a recording proxy.

Point a client at the proxy; every request is forwarded to the upstream (real SFMC or another emulator)
and its answer returned, with the upstream's base URL in answers rewritten to the proxy's (so a client
that follows `soap_instance_url`/`rest_instance_url` stays on the proxy). After every exchange the
scenario file is rewritten, secrets redacted and volatile values turned into matchers (build.py), so
stopping the proxy at any moment leaves a complete, replayable file.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import requests

from ..background_server import serve_in_background, stop_background_server
from ..journal import read_body
from .build import Recorded, ScenarioBuilder, to_yaml

log = logging.getLogger(__name__)
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-encoding", "content-length", "host"}
TEXTUAL = ("xml", "json", "text", "javascript", "html")


class RecordingProxy:
    """The WSGI application of the proxy."""

    def __init__(self, upstream: str, out: str | Path, name: str | None = None,
                 max_body: int = 64 * 1024 * 1024) -> None:
        self.upstream = upstream.rstrip("/")
        self.out = Path(out)
        self.name = name or f"recorded from {self.upstream}"
        self.builder = ScenarioBuilder(self.upstream)
        self.http = requests.Session()
        self.max_body = max_body
        self.public_url: str | None = None  # set once the server's port is known
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO") or "/"
        query = environ.get("QUERY_STRING")
        full_path = f"{path}?{query}" if query else path
        body = read_body(environ, self.max_body)
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items()
                   if key.startswith("HTTP_") and key[5:].lower().replace("_", "-") not in HOP_BY_HOP}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        if "Soapaction" in headers:
            headers["SOAPAction"] = headers.pop("Soapaction")
        try:
            answer = self.http.request(method, self.upstream + full_path, headers=headers, data=body or None,
                                       timeout=300, allow_redirects=False)
        except requests.RequestException as exc:
            payload = f'{{"message": "upstream unreachable: {exc}", "errorcode": 502, "documentation": ""}}'
            start_response("502 Bad Gateway", [("Content-Type", "application/json")])
            return [payload.encode()]
        content = answer.content
        kind = answer.headers.get("Content-Type", "")
        if self.public_url and any(t in kind for t in TEXTUAL):
            content = content.replace(self.upstream.encode(), self.public_url.encode())
        with self._lock:
            self.builder.add(Recorded(method=method, path=full_path, request_headers=headers,
                                      request_body=body, status=answer.status_code, response_body=answer.content))
            self.save()
        out_headers = [(k, v) for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP]
        out_headers.append(("Content-Length", str(len(content))))
        start_response(f"{answer.status_code} {answer.reason or ''}".strip(), out_headers)
        return [content]

    def save(self) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.out.with_suffix(self.out.suffix + ".tmp")
        tmp.write_text(to_yaml(self.builder.scenario(self.name)), encoding="utf-8")
        tmp.replace(self.out)


class RunningProxy:
    def __init__(self, proxy: RecordingProxy, server: Any, thread: threading.Thread | None) -> None:
        self.proxy, self.server, self.thread = proxy, server, thread
        host, port = server.socket.getsockname()[:2]
        self.base_url = f"http://{host}:{port}"
        proxy.public_url = self.base_url

    def stop(self) -> None:
        if self.thread is None:  # it served on the caller's thread (`record`), which has left its loop
            self.server.close()
        else:
            stop_background_server(self.server, self.thread)
        self.proxy.save()


def start_proxy(upstream: str, out: str | Path, host: str = "127.0.0.1", port: int = 0,
                name: str | None = None, background: bool = True) -> RunningProxy:
    from waitress import create_server

    proxy = RecordingProxy(upstream, out, name)
    server = create_server(proxy, host=host, port=port, threads=8, ident="sfmc-emulator-recorder")
    thread = None
    if background:
        thread = serve_in_background(server, "sfmc-emulator-recorder")
    return RunningProxy(proxy, server, thread)


def record(upstream: str, out: str, host: str, port: int, name: str | None = None) -> int:
    """The `record` command: serve until interrupted."""
    running = start_proxy(upstream, out, host, port, name, background=False)
    running.proxy.save()
    print(f"sfmc-emulator recorder on {running.base_url} -> {upstream}; writing {out} (Ctrl-C to stop)",
          flush=True)
    try:
        running.server.run()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
    print(f"recorded {len(running.proxy.builder.exchanges)} exchange(s) to {out}", flush=True)
    return 0
