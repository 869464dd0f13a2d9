"""HTTP for the collector: one request at a time per host with a delay, robots.txt on every hop,
redirects followed by hand, a cookie jar, size caps, and challenge pages recognised and left alone.

Retries are not made here: a retryable failure says so (with the wait a Retry-After asked for) and the
frontier schedules the next attempt, so other hosts go on meanwhile.
"""

from __future__ import annotations

import gzip
import random
import re
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from etl.collect.settings import CollectSettings

Kind = Literal["ok", "blocked", "failed", "disallowed"]
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504, 520, 522, 524})
WAF_MARKERS = (
    b"Just a moment",
    b"cf-chl",
    b"GeoBL",
    b"_waf_",
    b"waf.",
    "安全狗".encode(),
    "云锁".encode(),
    "访问被拦截".encode(),
    "您的访问被阻断".encode(),
    "网站防火墙".encode(),
)
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def host_key(url: str) -> str:
    """Politeness is per host and port: 'example.gov.cn' and 'example.gov.cn:8080' are two servers."""
    parts = urlsplit(url)
    return (parts.netloc or "").lower()


def host_lock(host: str) -> threading.Lock:
    """One lock per host for the whole process: collectors running in several threads (the import page)
    still never have two requests in flight to one host."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(host, threading.Lock())


@dataclass(frozen=True)
class Request:
    url: str
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()
    referer: str = ""
    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True)
class Fetched:
    """What a fetch ended with. `kind` ok means a final answer was read (any status, 304 included)."""

    kind: Kind
    url: str
    final_url: str = ""
    status: int = 0
    headers: tuple[tuple[str, str], ...] = ()
    disposition: bytes = b""
    body: bytes = b""
    reason: str = ""
    retryable: bool = False
    retry_after: float | None = None

    def header(self, name: str) -> str:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), "")

    @property
    def timed_out(self) -> bool:
        return self.kind == "failed" and self.reason.startswith("timed out")

    @property
    def not_modified(self) -> bool:
        return self.kind == "ok" and self.status == 304


@dataclass
class HostState:
    next_at: float = 0.0
    delay: float = 0.0
    robots: Protego | None = None
    robots_note: str = ""
    """Why the host's robots.txt is treated as disallowing everything ('' when read normally)."""
    unreachable: str = ""
    """Why the host could not be reached for its robots.txt (DNS, refused, TLS, timeouts)."""
    blocked: str = ""
    """The challenge a host answered with: no further request goes to it in this run."""


@dataclass
class Counters:
    requests: int = 0
    not_modified: int = 0
    bytes: int = 0
    per_host: dict[str, int] = field(default_factory=dict)


def challenge(status: int, headers: httpx.Headers, body: bytes) -> str:
    """Why a response is a challenge page ('' when it is not). These are never solved or bypassed."""
    head = body[:20000]
    if status == 412 and b"$_ts" in head:
        return "瑞数 challenge page (HTTP 412 with a $_ts script)"
    if status == 521 and ("x-via-jsl" in headers or b"__jsluid" in head or "__jsluid" in str(headers)):
        return "加速乐 challenge page (HTTP 521, X-Via-JSL)"
    if status in (403, 405, 412, 418, 429, 503) and len(body) < 200_000:
        for marker in WAF_MARKERS:
            if marker in head:
                return f"web application firewall page (HTTP {status}, {marker.decode(errors='replace')!r})"
    if status == 412:
        return "HTTP 412 challenge (no page served)"
    return ""


def retry_after(value: str, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (now if now is not None else time.time()))


def network_reason(exc: Exception, timeout: float) -> tuple[str, bool]:
    """A one-line reason for a transport failure and whether trying again may help."""
    text = str(exc)
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {timeout:g} s ({type(exc).__name__})", True
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if "name or service not known" in lowered or "nodename" in lowered or "getaddrinfo" in lowered:
            return f"DNS lookup failed (dead or migrated domain?): {text}", False
        if "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
            return f"TLS handshake failed: {text}", False
        if "refused" in lowered:
            return "connection refused", True
        return f"cannot connect: {text}", True
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"connection dropped or body truncated: {text}", True
    return f"{type(exc).__name__}: {text}", True


def _ssl_context() -> ssl.SSLContext:
    """Certificates are verified; the cipher level is lowered for the old TLS many county sites run."""
    context = ssl.create_default_context()
    context.set_ciphers("DEFAULT:@SECLEVEL=1")
    return context


class Fetcher:
    """Polite HTTP for one collection run (not thread-safe: one per run; hosts are locked process-wide)."""

    def __init__(
        self,
        settings: CollectSettings,
        *,
        robots_store: Callable[[str], tuple[int, bytes] | None] | None = None,
        robots_save: Callable[[str, int, bytes], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.hosts: dict[str, HostState] = {}
        self.counters = Counters()
        self._robots_store = robots_store
        self._robots_save = robots_save
        self.sleep = sleep
        self._random = random.Random()
        self.client = httpx.Client(
            headers={
                "User-Agent": settings.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/json,application/pdf,*/*;q=0.8",
                "Accept-Language": "zh-CN,zh;q=0.9",
            },
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,
            verify=_ssl_context(),
        )

    def close(self) -> None:
        self.client.close()

    def host(self, url: str) -> HostState:
        key = host_key(url)
        if key not in self.hosts:
            self.hosts[key] = HostState(delay=self.settings.delay)
        return self.hosts[key]

    def ready_at(self, url: str) -> float:
        return self.host(url).next_at

    # -- robots.txt -------------------------------------------------------------------------------------

    def allowed(self, url: str) -> tuple[bool, str]:
        """Whether robots.txt lets xxgk fetch `url` (fetching robots.txt first when needed)."""
        state = self.host(url)
        if state.robots is None and not state.robots_note and not state.unreachable:
            self._load_robots(url, state)
        if state.unreachable:
            return True, ""
        if state.robots_note:
            return False, state.robots_note
        assert state.robots is not None
        if state.robots.can_fetch(url, self.settings.robots_agent):
            return True, ""
        return False, "robots.txt disallows this path for xxgk"

    def _load_robots(self, url: str, state: HostState) -> None:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        stored = self._robots_store(host_key(url)) if self._robots_store else None
        if stored is None:
            status, body, failure = self._fetch_robots(robots_url)
            if failure:
                state.unreachable = failure
                return
            if self._robots_save:
                self._robots_save(host_key(url), status, body)
        else:
            status, body = stored
        state.robots_note, text = robots_verdict(status, body)
        state.robots = Protego.parse(text)
        crawl_delay = state.robots.crawl_delay(self.settings.robots_agent)
        if crawl_delay:
            state.delay = max(state.delay, float(crawl_delay))

    def _fetch_robots(self, robots_url: str) -> tuple[int, bytes, str]:
        """(status, body, '') or, when the server cannot be reached at all, (0, b'', why)."""
        for attempt in range(self.settings.retries + 1):
            result = self._follow(Request(robots_url), check_robots=False)
            if result.kind == "ok" and result.status not in RETRYABLE_STATUS:
                return result.status, result.body, ""
            if not result.retryable or attempt == self.settings.retries:
                if not result.status:
                    return 0, b"", result.reason
                return result.status, b"", ""
            self.sleep(result.retry_after or self.settings.backoff * 2**attempt)
        return 0, b"", "no answer"  # pragma: no cover

    # -- fetching ---------------------------------------------------------------------------------------

    def fetch(self, request: Request) -> Fetched:
        state = self.host(request.url)
        if state.unreachable:
            return Fetched("failed", request.url, reason=f"host unreachable: {state.unreachable}")
        if state.blocked:
            return Fetched("blocked", request.url, reason=f"not requested: the host answered {state.blocked}")
        ok, why = self.allowed(request.url)
        if not ok:
            return Fetched("disallowed", request.url, reason=why)
        return self._follow(request, check_robots=True)

    def _follow(self, request: Request, *, check_robots: bool) -> Fetched:
        current = request
        seen: dict[str, int] = {}
        for _ in range(self.settings.max_redirects + 1):
            result = self._once(current)
            if result.kind != "ok" or result.status not in (301, 302, 303, 307, 308):
                return _with_origin(result, request.url)
            target = urljoin(current.url, result.header("location"))
            seen[target] = seen.get(target, 0) + 1
            if seen[target] > 2:
                return Fetched("failed", request.url, final_url=target, reason="redirect loop")
            if check_robots:
                ok, why = self.allowed(target)
                if not ok:
                    return Fetched("disallowed", request.url, final_url=target, reason=f"redirect to {why}")
            if self.host(target).blocked:
                return Fetched("blocked", request.url, final_url=target, reason=self.host(target).blocked)
            keep_method = result.status in (307, 308)
            same = target == request.url  # a cookie page redirecting to itself: still a conditional request
            current = Request(
                target,
                method=current.method if keep_method else "GET",
                form=current.form if keep_method else (),
                referer=current.referer,
                etag=request.etag if same else "",
                last_modified=request.last_modified if same else "",
            )
        return Fetched("failed", request.url, reason=f"more than {self.settings.max_redirects} redirects")

    def _once(self, request: Request) -> Fetched:
        key = host_key(request.url)
        state = self.host(request.url)
        with host_lock(key):
            wait = state.next_at - time.monotonic()
            if wait > 0:
                self.sleep(wait)
            try:
                result = self._send(request)
            finally:
                spread = 1 + self._random.uniform(-self.settings.jitter, self.settings.jitter)
                state.next_at = time.monotonic() + state.delay * spread
                self.counters.requests += 1
                self.counters.per_host[key] = self.counters.per_host.get(key, 0) + 1
        return self._after(result, state)

    def _after(self, result: Fetched, state: HostState) -> Fetched:
        if result.kind == "blocked":
            state.blocked = result.reason
        if result.status in (429, 503) and result.retryable:
            # Slow down for the rest of the run, and wait at least what the server asked for.
            state.delay = min(max(state.delay * 2, self.settings.delay), 60.0)
            state.next_at = max(state.next_at, time.monotonic() + (result.retry_after or 0.0))
        if result.timed_out:
            # The server may still be working on the request we gave up on: give it as long again
            # before asking it anything else, and slow down for the rest of the run.
            state.delay = min(max(state.delay * 2, self.settings.delay), 60.0)
            state.next_at = max(state.next_at, time.monotonic() + self.settings.timeout)
        return result

    def _headers(self, request: Request) -> dict[str, str]:
        headers: dict[str, str] = {}
        if request.referer:
            headers["Referer"] = request.referer
        if request.etag:
            headers["If-None-Match"] = request.etag
        if request.last_modified:
            headers["If-Modified-Since"] = request.last_modified
        return headers

    def _send(self, request: Request) -> Fetched:
        try:
            with self.client.stream(
                request.method,
                request.url,
                headers=self._headers(request),
                data=dict(request.form) if request.form else None,
            ) as response:
                return self._read(request, response)
        except httpx.HTTPError as exc:
            reason, retryable = network_reason(exc, self.settings.timeout)
            return Fetched("failed", request.url, reason=reason, retryable=retryable)

    def _read(self, request: Request, response: httpx.Response) -> Fetched:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.settings.max_bytes:
            return Fetched("failed", request.url, status=response.status_code, reason=self._too_big())
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.settings.max_bytes:
                return Fetched("failed", request.url, status=response.status_code, reason=self._too_big())
            chunks.append(chunk)
        body = _gunzip_unasked(b"".join(chunks))
        self.counters.bytes += len(body)
        if response.status_code == 304:
            self.counters.not_modified += 1
        return classify(request.url, response, body)

    def _too_big(self) -> str:
        return f"larger than the size cap of {self.settings.max_bytes // (1024 * 1024)} MiB"


def classify(url: str, response: httpx.Response, body: bytes) -> Fetched:
    status = response.status_code
    headers = tuple((k, v) for k, v in response.headers.multi_items())
    disposition = next((v for k, v in response.headers.raw if k.lower() == b"content-disposition"), b"")
    common = {
        "final_url": str(response.url),
        "status": status,
        "headers": headers,
        "disposition": disposition,
        "body": body,
    }
    why = challenge(status, response.headers, body)
    if why:
        return Fetched("blocked", url, reason=why, **common)  # type: ignore[arg-type]
    if status in RETRYABLE_STATUS:
        wait = retry_after(response.headers.get("retry-after", ""))
        return Fetched(
            "failed",
            url,
            reason=f"HTTP {status}",
            retryable=True,
            retry_after=wait,
            **common,  # type: ignore[arg-type]
        )
    if status >= 400:
        return Fetched("failed", url, reason=f"HTTP {status}", **common)  # type: ignore[arg-type]
    return Fetched("ok", url, **common)  # type: ignore[arg-type]


def robots_verdict(status: int, body: bytes) -> tuple[str, str]:
    """(why everything is disallowed or '', robots text). Missing robots.txt (404, 410, other 4xx) allows
    everything; 401/403, 5xx or no answer at all is treated as disallowing everything (conservative)."""
    if status in (401, 403) or status >= 500 or status <= 0:
        answer = f"HTTP {status}" if status > 0 else "no answer"
        return f"robots.txt could not be read ({answer}): treated as disallowing everything", ""
    if 400 <= status < 500 or status == 304:
        return "", ""
    text = body.decode("utf-8", errors="replace")
    if re.search(r"<html|<body", text[:2000], re.I):
        return "", ""  # a soft 404 page served as robots.txt: no rules
    return "", text


def _gunzip_unasked(body: bytes) -> bytes:
    """Some servers send gzip bytes without saying so."""
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        return gzip.decompress(body)
    except (OSError, EOFError):
        return body


def _with_origin(result: Fetched, url: str) -> Fetched:
    if result.url == url:
        return result
    from dataclasses import replace

    return replace(result, url=url)
