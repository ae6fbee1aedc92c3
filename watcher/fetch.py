"""The HTTP client and its politeness: the one place watcher talks to the network.

`Fetcher.fetch` makes one logical request: it follows redirects itself (so that
every response, a redirect's included, is read under the size cap), retries
transient failures with backoff, waits its turn per host, and turns every
failure into a `SourceError` whose one-line reason never shows the URL (its
query string or credentials may hold secrets).
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import ssl
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, TypeVar

import httpx

from watcher import __version__
from watcher.model import Request, Response, SourceError

if TYPE_CHECKING:
    from watcher.browser import Browser

USER_AGENT = f"watcher/{__version__} (+https://github.com/careers-watcher/watcher)"

REDIRECTS = frozenset({301, 302, 303, 307, 308})
MB = 1024 * 1024

E = TypeVar("E", bound=BaseException)


@dataclass(frozen=True)
class FetchSettings:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # the longest silence while waiting for bytes
    write_timeout: float = 30.0
    pool_timeout: float = 60.0  # waiting for a free connection under `max_in_flight`
    deadline: float = 120.0  # one fetch in all: every attempt, redirect and wait
    retries: int = 3
    backoff: float = 1.0  # the n-th retry waits a random part of backoff * 2**n...
    max_backoff: float = 30.0  # ...up to this
    max_retry_after: float = 60.0  # a longer Retry-After fails the fetch instead
    max_bytes: int = 20 * MB  # after decompression
    max_redirects: int = 5
    per_host: int = 4  # requests in flight to one host
    min_gap: float = 0.0  # seconds between request starts to one host
    max_in_flight: int = 16  # requests in flight in all
    user_agent: str = USER_AGENT


@cache
def _tls() -> ssl.SSLContext:
    """The TLS settings httpx makes for a client (certifi's CA bundle, or SSL_CERT_FILE or
    SSL_CERT_DIR), made once per process: loading the bundle takes about 25 ms, more
    than the rest of a client's making."""
    return httpx.create_ssl_context()


class _Retry(Exception):
    """A transient failure: `error` if it persists; `after` is the server's Retry-After."""

    def __init__(self, error: SourceError, after: float | None = None):
        super().__init__(error.reason)
        self.error = error
        self.after = after


class _Host:
    def __init__(self, slots: int):
        self.slots = asyncio.Semaphore(slots)
        self.turn = asyncio.Lock()
        self.last_start = float("-inf")


class Fetcher:
    """A shared async HTTP client. `fetch` returns 2xx and 304 responses and raises
    `SourceError` for anything else, with a one-line reason.

    `sleep` waits between retries and `rand` (uniform in [0, 1)) draws their jitter;
    tests replace them. The per-host gap is always waited in real time."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
    ):
        self.settings = s = settings or FetchSettings()
        self._sleep = sleep
        self._rand = rand
        self._hosts: dict[str, _Host] = {}
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(
                connect=s.connect_timeout,
                read=s.read_timeout,
                write=s.write_timeout,
                pool=s.pool_timeout,
            ),
            limits=httpx.Limits(
                max_connections=s.max_in_flight, max_keepalive_connections=s.max_in_flight
            ),
            follow_redirects=False,  # followed in `_run`, under the size cap and per-host turns
            verify=_tls(),
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self._browser: Browser | None = None

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._browser is not None:
            await self._browser.aclose()
        await self._client.aclose()

    def browser(self) -> Browser:
        """The headless Chromium for `render: browser` sites (watcher.browser): made on
        first use, its process started by the first site that needs it, closed with
        this client."""
        if self._browser is None:
            from watcher.browser import Browser

            self._browser = Browser(self.settings)
        return self._browser

    async def fetch(
        self, request: Request, *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        headers = dict(request.headers)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            async with asyncio.timeout(self.settings.deadline) as deadline:
                return await self._run(replace(request, headers=headers), deadline)
        except TimeoutError:
            if not deadline.expired():
                raise
            raise SourceError(
                f"timed out after {self.settings.deadline:g} s in total", kind="timeout"
            ) from None

    async def _run(self, request: Request, deadline: asyncio.Timeout) -> Response:
        """Attempts, retries and redirects; `retries` is one budget for the whole chain."""
        retried = redirects = 0
        while True:
            try:
                outcome = await self._attempt(request)
            except _Retry as retry:
                wait = self._wait(retry, retried, deadline)
                retried += 1
                await self._sleep(wait)
                continue
            if isinstance(outcome, Response):
                return outcome
            redirects += 1
            if redirects > self.settings.max_redirects:
                raise SourceError(
                    f"too many redirects (more than {self.settings.max_redirects})", kind="http"
                )
            request = outcome

    def _wait(self, retry: _Retry, retried: int, deadline: asyncio.Timeout) -> float:
        """How long to wait before the next attempt; raises the error when giving up."""
        s, error = self.settings, retry.error
        if retried >= s.retries:
            raise _with_reason(error, f"{error.reason}{_after_retries(retried)}")
        if retry.after is None:
            wait = self._rand() * min(s.max_backoff, s.backoff * 2**retried)
        elif retry.after > s.max_retry_after:
            raise _with_reason(
                error,
                f"{error.reason}: server asked to wait {retry.after:.0f} s "
                f"(more than the {s.max_retry_after:g} s allowed)",
            )
        else:
            wait = retry.after
        end = deadline.when()
        if end is not None and asyncio.get_running_loop().time() + wait >= end:
            raise _with_reason(
                error, f"{error.reason}{_after_retries(retried)}, and no time left to retry"
            )
        return wait

    async def _attempt(self, request: Request) -> Response | Request:
        """One HTTP exchange: a response, the request a redirect points to, or an error."""
        try:
            url = httpx.URL(request.url)
        except httpx.InvalidURL:
            raise SourceError("invalid URL", kind="http") from None
        async with self._turn(url.host):
            try:
                async with self._client.stream(
                    request.method, url, json=request.json, headers=request.headers
                ) as reply:
                    return await self._handle(request, reply)
            except httpx.TransportError as exc:
                raise _transport_error(exc) from None

    @asynccontextmanager
    async def _turn(self, host: str) -> AsyncIterator[None]:
        """Hold one of the host's slots, starting at least `min_gap` after its last start."""
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(self.settings.per_host)
        async with state.slots:
            async with state.turn:
                loop = asyncio.get_running_loop()
                while (wait := state.last_start + self.settings.min_gap - loop.time()) > 0:
                    await asyncio.sleep(wait)
                state.last_start = loop.time()
            yield

    async def _handle(self, request: Request, reply: httpx.Response) -> Response | Request:
        status = reply.status_code
        if 200 <= status < 300 or status == 304:
            body = await self._read(reply)
            headers = {k.lower(): v for k, v in reply.headers.items()}
            return Response(status, str(reply.url), body, headers)
        if status in REDIRECTS and "location" in reply.headers:
            return _redirected(request, reply)
        error = http_error(status, request.meta.get("refused"))
        if status == 429 or status >= 500:
            after = reply.headers.get("retry-after") if status in (429, 503) else None
            raise _Retry(error, _retry_after(after))
        raise error

    async def _read(self, reply: httpx.Response) -> bytes:
        """The body, decompressed, failing as soon as it passes `max_bytes`."""
        if reply.request.method == "HEAD" or reply.status_code in (204, 304):
            await reply.aread()  # nothing to read; lets the connection be reused
            return b""
        cap = self.settings.max_bytes
        too_large = SourceError(f"response larger than {_size(cap)}", kind="http")
        encoding = reply.headers.get("content-encoding", "identity").strip().lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            inflate = zlib.decompressobj(32 + zlib.MAX_WBITS)  # a zlib or gzip header
        elif encoding == "identity":
            inflate = None
            declared = reply.headers.get("content-length", "").strip()
            if declared.isdigit() and int(declared) > cap:
                raise too_large
        else:
            raise SourceError(f"unsupported content encoding {encoding!r}", kind="http")
        body = bytearray()
        try:
            async for chunk in reply.aiter_raw():
                # Never inflate more than one byte past the cap, whatever the ratio.
                body += inflate.decompress(chunk, cap + 1 - len(body)) if inflate else chunk
                if len(body) > cap:
                    raise too_large
            if inflate and reply.num_bytes_downloaded and not inflate.eof:
                raise SourceError("compressed response cut short", kind="network")
        except zlib.error:
            raise SourceError(f"response is not valid {encoding}", kind="http") from None
        return bytes(body)


def http_error(status: int, refused: object = None) -> SourceError:
    """The error for an HTTP status. `refused` (a request's `meta["refused"]`) is what to
    tell the user when the server refuses the request (401, 403), `{status}` in it
    replaced: the one way to say that a site refuses plain clients and needs
    `render: browser`."""
    if status in (401, 403) and isinstance(refused, str) and refused:
        return SourceError(refused.replace("{status}", str(status)), kind="http", status=status)
    if status in (404, 410):
        return SourceError(
            f"HTTP {status}: board not found (renamed or moved?)", kind="not_found", status=status
        )
    if status in (401, 403):
        return SourceError(
            f"HTTP {status}: access refused (blocked, or the board is private?)",
            kind="http",
            status=status,
        )
    return SourceError(f"HTTP {status}", kind="http", status=status)


def _transport_error(exc: httpx.TransportError) -> _Retry | SourceError:
    """The reason for a failed exchange; a `_Retry` when trying again may help."""
    if isinstance(exc, httpx.PoolTimeout):
        return SourceError("timed out waiting for a free connection", kind="timeout")
    if isinstance(exc, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for the server",
            httpx.WriteTimeout: "sending the request",
        }.get(type(exc), "")
        return _Retry(SourceError(f"timed out {phase}".strip(), kind="timeout"))
    if isinstance(exc, httpx.ConnectError):
        tls = _cause(exc, ssl.SSLError)
        if tls is not None:
            detail = getattr(tls, "verify_message", None) or tls.reason or type(tls).__name__
            return SourceError(f"TLS error: {detail}", kind="network")
        refused = _cause(exc, ConnectionRefusedError) is not None
        return _Retry(
            SourceError("connection refused" if refused else "could not connect", kind="network")
        )
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return _Retry(SourceError("connection reset", kind="network"))
    if isinstance(exc, httpx.RemoteProtocolError):
        return _Retry(SourceError("incomplete or malformed response", kind="network"))
    if isinstance(exc, httpx.UnsupportedProtocol):
        return SourceError("unsupported URL scheme", kind="http")
    return SourceError(f"network error: {type(exc).__name__}", kind="network")


def _cause(exc: BaseException, kind: type[E]) -> E | None:
    """The first exception of type `kind` in `exc`'s chain of causes."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None or isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _redirected(request: Request, reply: httpx.Response) -> Request:
    """The request a redirect points to, as browsers (and httpx) make it."""
    try:
        url = reply.url.join(reply.headers["location"])
    except httpx.InvalidURL:
        raise SourceError("redirected to an invalid URL", kind="http") from None
    method, body = request.method, request.json
    if (reply.status_code == 303 and method != "HEAD") or (
        reply.status_code in (301, 302) and method == "POST"
    ):
        method, body = "GET", None
    headers = dict(request.headers)
    if (url.scheme, url.host, url.port) != (reply.url.scheme, reply.url.host, reply.url.port):
        headers = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "cookie")}
    return replace(request, url=str(url), method=method, json=body, headers=headers)


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds from now: delta-seconds or an HTTP date; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _with_reason(error: SourceError, reason: str) -> SourceError:
    return SourceError(reason, kind=error.kind, status=error.status)


def _after_retries(count: int) -> str:
    return f" after {count} {'retry' if count == 1 else 'retries'}" if count else ""


def _size(n: int) -> str:
    for unit, scale in (("MB", MB), ("KB", 1024)):
        if n >= scale:
            return f"{round(n / scale, 1):g} {unit}"
    return f"{n} bytes"
