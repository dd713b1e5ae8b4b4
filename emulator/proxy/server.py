"""The forward proxy for Marketing Cloud's hosts (`HTTPS_PROXY=http://127.0.0.1:8463`).

Two ways in, one way on:
- `CONNECT {host}:443` (Python requests/httpx, Java, .NET, current axios): the proxy answers 200, terminates
  TLS itself with a certificate for that host from the local CA (ca.py) and reads the HTTP requests inside.
- Absolute-form requests over plain HTTP (`POST https://x.auth.marketingcloudapis.com/v2/token HTTP/1.1`, what
  older axios sends to a proxy).
Either way the request is handed, in this process, to the emulator's own WSGI application (so the request log,
the journal and fault injection see it) with `Host` and the scheme of the host it was addressed to, which is
how the WSDL and token answers come to advertise Marketing Cloud URLs. A host that is not Marketing Cloud's is
refused with 403 naming it: nothing is resolved, nothing is forwarded.

One thread per client connection (socketserver); each is bounded (request line and header size, body size,
an idle timeout) and stop() closes every open connection, so no thread outlives the server.
"""

from __future__ import annotations

import http.server
import io
import json
import logging
import socket
import socketserver
import ssl
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from .ca import CertificateAuthority
from .hosts import ENV_INSTANCE_URLS, HOST_PATTERNS, Route, route, split_host_port

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

DEFAULT_PROXY_PORT = 8463
IDLE_TIMEOUT = 60.0  # seconds a connection may sit idle (or a client take to send a request) before it is closed
MAX_HEADER_BYTES = 64 * 1024  # all header lines of one request together
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "proxy-authorization",
                         "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade"})
_DEFAULT_PORTS = {"https": 443, "http": 80}


class ProxyServer:
    """The proxy, listening on (host, port) (port 0: any free port) and dispatching to `app`."""

    def __init__(self, app: WSGIApp, ca: CertificateAuthority, host: str = "127.0.0.1", port: int = 0,
                 *, max_body_bytes: int = 20 * 1024 * 1024, timeout: float = IDLE_TIMEOUT) -> None:
        self.app = app
        self.ca = ca
        self.max_body_bytes = max_body_bytes
        self.timeout = timeout
        self._handlers: set[_Handler] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []  # every connection thread, joined by stop()
        self._closing = False
        self._thread: threading.Thread | None = None
        self._server = _Server((host, port), _Handler)
        self._server.proxy = self

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The proxy URL for clients on this machine (a wildcard bind is reached through loopback)."""
        host = self._server.server_address[0]
        host = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.port}"

    def describe(self) -> dict[str, Any]:
        """What GET /_emulator/proxy answers."""
        return {"proxy_url": self.url, "ca_path": str(self.ca.cert_path), "hosts": list(HOST_PATTERNS)}

    def start(self) -> ProxyServer:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="sfmc-emulator-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close every open connection and wait for their threads."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        with self._lock:
            self._closing = True
            handlers = list(self._handlers)
        for handler in handlers:
            handler.abort()
        self._server.server_close()
        with self._lock:
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join()
        self.ca.close()

    def _track(self, handler: _Handler, alive: bool) -> bool:
        """Register or forget a connection; False when the proxy is stopping (the connection must end)."""
        with self._lock:
            if alive:
                self._handlers.add(handler)
                return not self._closing
            self._handlers.discard(handler)
            return True

    def dispatch(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        """Run one request through the emulator's WSGI application: (status line, headers, body)."""
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            if exc_info is not None and started.get("sent"):
                raise exc_info[1].with_traceback(exc_info[2])
            started["status"], started["headers"] = status, headers
            return chunks.append

        result = self.app(environ, start_response)
        try:
            for chunk in result:
                if chunk:
                    started["sent"] = True
                    chunks.append(chunk)
        finally:
            if hasattr(result, "close"):
                result.close()
        return started.get("status", "500 Internal Server Error"), started.get("headers", []), b"".join(chunks)


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    # Daemon threads, so a proxy nobody stopped never holds the process open; socketserver joins only
    # non-daemon threads on close, so the server keeps its own list and joins them itself.
    daemon_threads = True
    block_on_close = False
    proxy: ProxyServer

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(target=self.process_request_thread, args=(request, client_address),
                                  daemon=True)
        with self.proxy._lock:
            self.proxy._threads = [t for t in self.proxy._threads if t.is_alive()]
            self.proxy._threads.append(thread)
        thread.start()


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sfmc-emulator-proxy"
    server: _Server

    def setup(self) -> None:
        self.timeout = self.server.proxy.timeout
        super().setup()
        self.tunnel: Route | None = None  # set once a CONNECT turned this connection into TLS for that host
        self.tunnel_port = 443
        if not self.server.proxy._track(self, True):
            self.abort()

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            if self.connection is not self.request:  # the TLS socket: the server only closes the raw one
                try:
                    self.connection.close()
                except OSError:
                    pass
            self.server.proxy._track(self, False)

    def abort(self) -> None:
        """End this connection now (from another thread): its blocked read returns and the thread exits."""
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The base class's parse errors (400, 431, 505...), answered like the proxy's own: a full HTTP/1.1
        status line (even for what parsed as HTTP/0.9) and a JSON body; the connection then closes."""
        self._answer(code, message or self.responses.get(code, ("error",))[0], close=True)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's signature
        log.debug("proxy %s: " + format, self.address_string(), *args)

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline, self.request_version, self.command = "", "HTTP/1.1", ""
                self._answer(414, "request line too long", close=True)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():  # answered (400, 431...) by the base class
                return
            if sum(len(k) + len(v) + 4 for k, v in self.headers.items()) > MAX_HEADER_BYTES:
                self._answer(431, f"request headers larger than {MAX_HEADER_BYTES} bytes", close=True)
                return
            if self.command == "CONNECT":
                self._connect()
            else:
                self._forward()
            self.wfile.flush()
        except _BadRequest as exc:
            self._answer(exc.status, exc.message, close=True)
        except (TimeoutError, ssl.SSLError, ConnectionError, OSError) as exc:
            log.debug("proxy connection from %s ended: %s", self.address_string(), exc)
            self.close_connection = True

    # -- CONNECT: become a TLS server for the named host -------------------------------------------------

    def _connect(self) -> None:
        if self.tunnel is not None:
            raise _BadRequest(400, "CONNECT inside a CONNECT tunnel")
        try:
            host, port = split_host_port(self.path, 443)
        except ValueError:
            raise _BadRequest(400, f"CONNECT needs host:port, not {self.path!r}") from None
        target = route(host)
        if target is None:
            self._refuse(host)
            return
        self.wfile.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        self.wfile.flush()
        context = self.server.proxy.ca.server_context(target.host)
        tls = context.wrap_socket(self.connection, server_side=True, do_handshake_on_connect=False)
        for stream in (self.rfile, self.wfile):
            try:
                stream.close()
            except OSError:
                pass
        self.connection = tls  # before the handshake, so abort() can interrupt it
        tls.do_handshake()
        self.rfile = tls.makefile("rb", self.rbufsize)
        self.wfile = socketserver._SocketWriter(tls)
        self.tunnel, self.tunnel_port = target, port
        self.close_connection = False

    # -- any other method: serve it from the emulator ---------------------------------------------------

    def _forward(self) -> None:
        body = self._read_body()
        if self.tunnel is not None:
            scheme, target, port = "https", self.tunnel, self.tunnel_port
            parts = urlsplit(self.path)
            if parts.scheme and (parts.hostname or "").lower() != target.host:
                raise _BadRequest(400, f"this tunnel is for {target.host}, not {parts.hostname}")
        else:
            parts = urlsplit(self.path)
            if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
                self._answer(400, "this is sfmc-emulator's forward proxy: use it as HTTPS_PROXY/HTTP_PROXY and "
                                  "address Marketing Cloud's hosts (see GET /_emulator/proxy on the emulator)")
                return
            scheme = parts.scheme
            try:
                port = parts.port or _DEFAULT_PORTS[scheme]
            except ValueError:
                raise _BadRequest(400, f"bad port in {self.path!r}") from None
            target = route(parts.hostname)
            if target is None:
                self._refuse(parts.hostname)
                return
        path = parts.path or "/"
        if not target.serves(path):
            self._answer(404, f"{target.host} does not serve {path} (it is the {target.kind} host)",
                         error="not_found")
            return
        environ = self._environ(scheme, target, port, path, parts.query, body)
        try:
            status, headers, payload = self.server.proxy.dispatch(environ)
        except Exception:  # the app answers its own errors; this is a last resort
            log.exception("proxy: the emulator failed on %s %s", self.command, self.path)
            self._answer(502, "the emulator failed on this request (see its log)", close=True)
            return
        self._write(status, headers, payload)

    def _read_body(self) -> bytes:
        limit = self.server.proxy.max_body_bytes
        encoding = (self.headers.get("Transfer-Encoding") or "").strip().lower()
        if encoding:
            if encoding != "chunked":
                raise _BadRequest(501, f"Transfer-Encoding {encoding!r} is not supported")
            return self._read_chunked(limit)
        length = (self.headers.get("Content-Length") or "").strip()
        if not length:
            return b""
        if not length.isdigit():
            raise _BadRequest(400, "bad Content-Length")
        if int(length) > limit:
            raise _BadRequest(413, f"request body larger than {limit} bytes")
        body = self.rfile.read(int(length))
        if len(body) < int(length):
            raise ConnectionError("client closed the connection mid-body")
        return body

    def _read_chunked(self, limit: int) -> bytes:
        out = bytearray()
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BadRequest(400, "bad chunk size") from None
            if size == 0:
                break
            if len(out) + size > limit:
                raise _BadRequest(413, f"request body larger than {limit} bytes")
            chunk = self.rfile.read(size)
            if len(chunk) < size:
                raise ConnectionError("client closed the connection mid-body")
            out += chunk
            self.rfile.readline(1024)  # the CRLF after the chunk
        for _ in range(100):  # trailers, up to the blank line
            if self.rfile.readline(65537) in (b"\r\n", b"\n", b""):
                break
        return bytes(out)

    def _environ(self, scheme: str, target: Route, port: int, path: str, query: str,
                 body: bytes) -> dict[str, Any]:
        host = target.host if port == _DEFAULT_PORTS[scheme] else f"{target.host}:{port}"
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query,
            "SERVER_NAME": target.host,
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_PORT": str(self.client_address[1]),
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)) if body or self.headers.get("Content-Length") else "",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            ENV_INSTANCE_URLS: target.instance_urls,
        }
        for name, value in self.headers.items():
            lower = name.lower()
            # An underscore header would pose as a dashed one in the environ (waitress drops them too).
            if "_" in name or lower in _HOP_BY_HOP or lower in ("content-type", "content-length", "host"):
                continue
            key = "HTTP_" + name.upper().replace("-", "_")
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        environ["HTTP_HOST"] = host  # the host addressed, whatever the client wrote into Host
        return environ

    # -- answers ---------------------------------------------------------------------------------------

    def _write(self, status: str, headers: list[tuple[str, str]], payload: bytes) -> None:
        code = int(status.split(" ", 1)[0])
        lines = [f"HTTP/1.1 {status}"]
        length = None
        for name, value in headers:
            lower = name.lower()
            if lower == "content-length":
                length = value
            elif lower not in _HOP_BY_HOP and lower != "date":
                lines.append(f"{name}: {value}")
        lines.append(f"Date: {self.date_time_string()}")
        if self.command == "HEAD":
            if length is not None:
                lines.append(f"Content-Length: {length}")
            payload = b""
        elif code in (204, 304) or code < 200:
            payload = b""
        else:
            lines.append(f"Content-Length: {len(payload)}")
        if self.close_connection:
            lines.append("Connection: close")
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)

    def _refuse(self, host: str) -> None:
        self._answer(403, f"sfmc-emulator proxy: {host} is not a Marketing Cloud API host, so it is refused; "
                          "nothing leaves this machine (no pass-through)", error="host_not_served", host=host,
                     close=True)

    def _answer(self, status: int, message: str, *, close: bool = False, error: str = "proxy_error",
                **extra: Any) -> None:
        if close:
            self.close_connection = True
        body = json.dumps({"error": error, "message": message, **extra}).encode()
        reason = self.responses.get(status, ("",))[0]
        self._write(f"{status} {reason}", [("Content-Type", "application/json")], body)
