"""The replica's HTTP servers: one per site on its own 127.0.0.1 port (so each is its own host), with a
log of every request, the most requests ever in flight per host, ETag / 304 answers, and a hook that can
kill the collecting process when a chosen request arrives (the kill -9 test)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Hit:
    """One request as the server saw it."""

    site: str
    method: str
    path: str
    """Path and query, as requested."""
    form: dict[str, str]
    headers: dict[str, str]
    status: int
    started: float
    ended: float
    body_bytes: int
    killed: bool = False


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str | bytes]] = field(default_factory=list)
    delay: float = 0.0
    cacheable: bool = True


@dataclass(frozen=True)
class Asked:
    """A request given to a site's handler."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]
    hits: int
    """How many times this exact method + path + query was asked before (stateful hazards)."""


Handler = Callable[[Asked], Answer]


class Log:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hits: list[Hit] = []
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.counts: dict[tuple[str, str], int] = {}
        self.kill: Callable[[str, str], bool] | None = None
        """Called with (site, path) as a request arrives; True kills the client before it is answered."""

    def enter(self, site: str, key: str) -> int:
        with self.lock:
            self.in_flight[site] = self.in_flight.get(site, 0) + 1
            self.max_in_flight[site] = max(self.max_in_flight.get(site, 0), self.in_flight[site])
            seen = self.counts.get((site, key), 0)
            self.counts[(site, key)] = seen + 1
            return seen

    def leave(self, site: str, hit: Hit) -> None:
        with self.lock:
            self.in_flight[site] -= 1
            self.hits.append(hit)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, site: str, handler: Handler, log: Log) -> None:
        self.site, self.handler, self.log = site, handler, log
        super().__init__(("127.0.0.1", 0), _RequestHandler)


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        server = self.server
        started = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        raw_form = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        form = dict(parse_qsl(raw_form, keep_blank_values=True))
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        seen = server.log.enter(server.site, f"{method} {self.path} {raw_form}")

        def hit(status: int, sent: int, killed: bool = False) -> Hit:
            ended = time.monotonic()
            return Hit(server.site, method, self.path, form, headers, status, started, ended, sent, killed)

        try:
            if server.log.kill is not None and server.log.kill(server.site, self.path):
                server.log.leave(server.site, hit(0, 0, killed=True))
                self.close_connection = True
                return
            asked = Asked(
                method, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)), form, headers, seen
            )
            answer = server.handler(asked)
            if answer.delay:
                time.sleep(answer.delay)
            status, body = answer.status, answer.body
            extra = list(answer.headers)
            if status == 200 and answer.cacheable and method == "GET":
                tag = _etag(body)
                extra.append(("ETag", tag))
                if headers.get("if-none-match") == tag:
                    status, body = 304, b""
            sent = self._send(status, extra, body)
        except (BrokenPipeError, ConnectionResetError):
            sent = 0
            status = 0
        server.log.leave(server.site, hit(status, sent))

    def _send(self, status: int, headers: list[tuple[str, str | bytes]], body: bytes) -> int:
        self.send_response_only(status)
        names = {k.lower() for k, _ in headers}
        for name, value in headers:
            self._header(name, value)
        if "content-type" not in names and status != 304:
            self._header("Content-Type", "text/html")
        self._header("Content-Length", str(len(body)))
        self.end_headers()
        if body and status != 304:
            self.wfile.write(body)
            self.wfile.flush()
        return len(body)

    def _header(self, name: str, value: str | bytes) -> None:
        # Raw header bytes: Content-Disposition file names arrive as UTF-8 or GBK bytes on real sites.
        data = value if isinstance(value, bytes) else value.encode("latin-1", "strict")
        self._headers_buffer.append(name.encode("latin-1") + b": " + data + b"\r\n")  # type: ignore[attr-defined]


class Servers:
    """Start one server per site; `url(site, path)` builds an address; `stop()` shuts them down."""

    def __init__(self, handlers: dict[str, Handler]) -> None:
        self.log = Log()
        self.servers = {site: _Server(site, handler, self.log) for site, handler in handlers.items()}
        self.threads = [
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            for server in self.servers.values()
        ]
        for thread in self.threads:
            thread.start()

    def port(self, site: str) -> int:
        return int(self.servers[site].server_address[1])

    def url(self, site: str, path: str) -> str:
        return f"http://127.0.0.1:{self.port(site)}{path}"

    def site_of(self, url: str) -> str:
        port = urlsplit(url).port
        return next((site for site, server in self.servers.items() if server.server_address[1] == port), "")

    def stop(self) -> None:
        for server in self.servers.values():
            server.shutdown()
            server.server_close()
