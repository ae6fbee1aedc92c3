"""Pages that need a browser (`render: browser`): read through headless Chromium.

Some careers pages hold no openings in their HTML: a script fetches them and writes
them into the page. For a site with `render: browser`, every request of its read goes
through a Chromium that Playwright drives, and the source parses the answer as usual:

- A plain GET (a request without a body or headers of its own: a careers page, a
  feed, a posting page) is a navigation. The page loads, its scripts run, and when it
  is ready (below) the answer is the document as the scripts left it; an answer that
  is not HTML (a feed, JSON) is the body as received, since no script runs on it.
- Any other request (a POST, or one that asks for JSON: the API of an applicant
  tracking system) is made from inside a page of the request's own origin, with
  `fetch()`: it carries the cookies and tokens that the origin's pages set, as the
  site's own scripts would. The alternative, catching the responses the page fetched
  by itself, was left aside: it depends on which requests and pages the page happens
  to make, while the source knows exactly which one it wants (pagination included).

The page is ready when its DOM is loaded (within `timeout`), then the network has
been idle for half a second (Playwright's "networkidle"), then the document has not
changed for `quiet` seconds; the last two waits together last at most `settle`
seconds, after which the page is read as it is (a page that never stops talking,
through analytics or long polling, is read all the same).

One Chromium per process, started when the first such site is read and closed with
the `Fetcher` that owns it; a fresh context (no cookies, no cache) per site read;
images, fonts and media are never requested; at most `pages` pages load at a time.
Chromium is the system's (`chromium` on PATH, or `WATCHER_BROWSER`): Playwright's
own browser downloads are never used. No fingerprint is disguised: the user agent is
Chromium's own, and a CAPTCHA is a failed read.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import shutil
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import orjson

from watcher.fetch import FetchSettings, http_error
from watcher.model import Request, Response, SourceError

if TYPE_CHECKING:
    from playwright.async_api import Browser as Chromium
    from playwright.async_api import BrowserContext, Page, Playwright, Route
    from playwright.async_api import Response as PageResponse

BROWSER_ENV = "WATCHER_BROWSER"
INSTALL = "pip install 'careers-watcher[browser]'"
# Flags for a headless Chromium that talks only to the pages it is sent to (Playwright
# adds --headless, --no-sandbox and a fresh --user-data-dir of its own).
LAUNCH_ARGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
BLOCKED = frozenset({"image", "font", "media"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

# Resolves once no node or text of the document changed for `quiet` ms, or after `limit` ms.
_QUIET = """([quiet, limit]) => new Promise((resolve) => {
  let timer = null;
  const observer = new MutationObserver(() => restart());
  const cap = setTimeout(done, limit);
  function restart() { clearTimeout(timer); timer = setTimeout(done, quiet); }
  function done() { observer.disconnect(); clearTimeout(timer); clearTimeout(cap); resolve(); }
  observer.observe(document, {subtree: true, childList: true, characterData: true});
  restart();
})"""

# The request made by the page itself; the body is read up to `cap` bytes, sent back base64.
_FETCH = """async ([url, method, headers, body, cap]) => {
  const reply = await fetch(url, {method, headers, body, credentials: "include"});
  const chunks = [];
  let size = 0;
  if (reply.body) {
    const reader = reply.body.getReader();
    for (;;) {
      const {done, value} = await reader.read();
      if (done) break;
      size += value.length;
      if (size > cap) { await reader.cancel(); return {status: reply.status, tooLarge: true}; }
      chunks.push(value);
    }
  }
  let text = "";
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, chunk.subarray(i, i + 0x8000));
    }
  }
  return {status: reply.status, url: reply.url, headers: Object.fromEntries(reply.headers),
          body: btoa(text)};
}"""

_FATAL = re.compile(r"FATAL:[^\]\n]*\] ([^\n]{1,300})")
_NET_ERROR = re.compile(r"net::(ERR_[A-Z_]+)")
_NET_REASONS = {
    "ERR_CONNECTION_REFUSED": ("connection refused", "network"),
    "ERR_NAME_NOT_RESOLVED": ("could not connect (unknown host)", "network"),
    "ERR_CONNECTION_RESET": ("connection reset", "network"),
    "ERR_CONNECTION_CLOSED": ("connection reset", "network"),
    "ERR_EMPTY_RESPONSE": ("incomplete or malformed response", "network"),
    "ERR_TIMED_OUT": ("timed out connecting", "timeout"),
    "ERR_CONNECTION_TIMED_OUT": ("timed out connecting", "timeout"),
    "ERR_ABORTED": ("the browser gave up on the page (a download?)", "browser"),
    "ERR_TOO_MANY_REDIRECTS": ("too many redirects", "http"),
}


@dataclass(frozen=True)
class BrowserSettings:
    pages: int = 2  # pages loading at once, in all
    timeout: float = 30.0  # until one page's DOM is loaded
    settle: float = 10.0  # then network idle and a quiet DOM, at most this long
    quiet: float = 0.5  # a document this long without a change is ready


def chromium_path(environ: Mapping[str, str]) -> str:
    """The Chromium to drive: `WATCHER_BROWSER`, else `chromium` on PATH."""
    wanted = environ.get(BROWSER_ENV)
    if wanted:
        if os.path.isfile(wanted) and os.access(wanted, os.X_OK):
            return wanted
        raise SourceError(
            f"render: browser: no Chromium at {wanted} ({BROWSER_ENV}): "
            "apt-get install chromium, or point WATCHER_BROWSER at one",
            kind="browser",
        )
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name, path=environ.get("PATH"))
        if found:
            return found
    raise SourceError(
        "render: browser needs Chromium, and none is on PATH: "
        f"apt-get install chromium (or set {BROWSER_ENV} to its path)",
        kind="browser",
    )


class Browser:
    """The process's one headless Chromium, started by the first `site()` that needs it."""

    def __init__(
        self,
        fetch: FetchSettings | None = None,
        settings: BrowserSettings | None = None,
        environ: Mapping[str, str] | None = None,
    ):
        self.fetch_settings = fetch or FetchSettings()
        self.settings = settings or BrowserSettings()
        self._environ = os.environ if environ is None else environ
        self._lock = asyncio.Lock()
        self.slots = asyncio.Semaphore(self.settings.pages)  # pages loading
        self._playwright: Playwright | None = None
        self._chromium: Chromium | None = None

    @asynccontextmanager
    async def site(self) -> AsyncIterator[BrowserFetcher]:
        """A fresh browser context for one site's read, closed after it."""
        chromium = await self._started()
        try:
            context = await chromium.new_context(service_workers="block", accept_downloads=False)
            await context.route("**/*", _block_heavy)
        except Exception as exc:
            raise _source_error(exc) from None
        try:
            yield BrowserFetcher(self, context)
        finally:
            with suppress(Exception):
                await asyncio.wait_for(context.close(), self.settings.timeout)

    async def _started(self) -> Chromium:
        async with self._lock:
            if self._chromium is not None and self._chromium.is_connected():
                return self._chromium
            await self._stop()  # a browser that crashed or was killed: start another
            try:
                from playwright.async_api import async_playwright
            except ImportError:
                raise SourceError(
                    f"render: browser needs Playwright and Chromium: {INSTALL}, "
                    f"and apt-get install chromium (or set {BROWSER_ENV})",
                    kind="browser",
                ) from None
            path = chromium_path(self._environ)
            try:
                self._playwright = await async_playwright().start()
                self._chromium = await self._playwright.chromium.launch(
                    executable_path=path,
                    args=list(LAUNCH_ARGS),
                    headless=True,
                    timeout=self.settings.timeout * 1000,
                )
            except Exception as exc:
                await self._stop()
                fatal = _FATAL.search(str(exc))  # Chromium's own last words, when it had any
                why = fatal.group(1).strip() if fatal else _first_line(exc)
                raise SourceError(
                    f"Chromium ({path}) did not start: {why}", kind="browser"
                ) from None
            return self._chromium

    async def aclose(self) -> None:
        async with self._lock:
            await self._stop()

    async def _stop(self) -> None:
        chromium, playwright = self._chromium, self._playwright
        self._chromium = self._playwright = None
        if chromium is not None:
            with suppress(Exception):
                await asyncio.wait_for(chromium.close(), self.settings.timeout)
        if playwright is not None:
            with suppress(Exception):
                await asyncio.wait_for(playwright.stop(), self.settings.timeout)


class BrowserFetcher:
    """`Fetcher.fetch` through one site's browser context: see the module's docstring."""

    def __init__(self, browser: Browser, context: BrowserContext):
        self._browser = browser
        self._context = context
        self._hosts: dict[str, Page] = {}  # origin -> the page its API requests are made from
        self._hosting = asyncio.Lock()

    async def fetch(
        self, request: Request, *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """The answer to `request`. Never conditional: a context has no cache to revalidate,
        and the validators of a page's HTML do not speak for what its scripts make of it."""
        deadline = self._browser.fetch_settings.deadline
        try:
            async with asyncio.timeout(deadline):
                if _navigation(request):
                    return await self._navigate(request.url)
                return await self._in_page(request)
        except TimeoutError:
            raise SourceError(f"timed out after {deadline:g} s in total", kind="timeout") from None
        except SourceError:
            raise
        except Exception as exc:
            raise _source_error(exc) from None

    async def _navigate(self, url: str) -> Response:
        async with self._browser.slots:
            page = await self._context.new_page()
            try:
                reply = await self._load(page, url)
                status, headers = reply.status, {k.lower(): v for k, v in reply.headers.items()}
                if status >= 400:
                    raise http_error(status)
                kind = str(await page.evaluate("document.contentType")).lower()
                if kind in HTML_TYPES:
                    body = (await _content(page)).encode("utf-8", "surrogatepass")
                    headers["content-type"] = "text/html; charset=utf-8"
                    final = page.url
                else:
                    body, final = await reply.body(), reply.url
            finally:
                with suppress(Exception):
                    await page.close()
        return self._response(status, final, body, headers)

    async def _load(self, page: Page, url: str) -> PageResponse:
        """Open `url` in `page` and wait until it is ready; the main response."""
        from playwright.async_api import TimeoutError as PageTimeout

        s = self._browser.settings
        reply = await page.goto(url, wait_until="domcontentloaded", timeout=s.timeout * 1000)
        if reply is None:
            raise SourceError("the browser got no response for the page", kind="browser")
        loop = asyncio.get_running_loop()
        until = loop.time() + s.settle
        with suppress(PageTimeout):
            await page.wait_for_load_state("networkidle", timeout=s.settle * 1000)
        left = until - loop.time()
        if left > 0:
            await page.evaluate(_QUIET, [s.quiet * 1000, left * 1000])
        return reply

    async def _in_page(self, request: Request) -> Response:
        page = await self._host(request.url)
        body = request.json
        headers = dict(request.headers)
        if body is not None:
            headers.setdefault("Content-Type", "application/json")
            body = orjson.dumps(body).decode()
        cap = self._browser.fetch_settings.max_bytes
        got = await page.evaluate(_FETCH, [request.url, request.method, headers, body, cap])
        status = int(got["status"])
        if got.get("tooLarge"):
            raise SourceError(f"response larger than {cap // (1024 * 1024)} MB", kind="http")
        if status >= 400:
            raise http_error(status)
        headers = {str(k).lower(): str(v) for k, v in dict(got["headers"]).items()}
        return self._response(status, str(got["url"]), base64.b64decode(got["body"]), headers)

    async def _host(self, url: str) -> Page:
        """A page of `url`'s origin (its root, loaded once per site read) to make requests from."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SourceError("invalid URL", kind="http")
        origin = f"{parts.scheme}://{parts.netloc}"
        async with self._hosting:
            page = self._hosts.get(origin)
            if page is None or page.is_closed():
                async with self._browser.slots:
                    page = await self._context.new_page()
                    await self._load(page, origin + "/")  # whatever its status: it is the origin
                self._hosts[origin] = page
        return page

    def _response(self, status: int, url: str, body: bytes, headers: dict[str, str]) -> Response:
        cap = self._browser.fetch_settings.max_bytes
        if len(body) > cap:
            raise SourceError(f"response larger than {cap // (1024 * 1024)} MB", kind="http")
        for name in ("etag", "last-modified", "content-length", "content-encoding"):
            headers.pop(name, None)  # they describe the bytes sent, not this body
        return Response(status, url, body, headers)


def _navigation(request: Request) -> bool:
    """Whether a request is a page a person would open (else the page makes it)."""
    return request.method == "GET" and request.json is None and not request.headers


async def _block_heavy(route: Route) -> None:
    if route.request.resource_type in BLOCKED:
        await route.abort()
    else:
        await route.fallback()


async def _content(page: Page) -> str:
    """The document as its scripts left it; once more if a script navigated meanwhile."""
    try:
        return await page.content()
    except Exception:
        await page.wait_for_load_state("domcontentloaded")
        return await page.content()


def _source_error(exc: BaseException) -> SourceError:
    """A Playwright failure as a one-line reason, without the URL (it may hold secrets)."""
    from playwright.async_api import TimeoutError as PageTimeout

    if isinstance(exc, PageTimeout):
        return SourceError("timed out loading the page in the browser", kind="timeout")
    text = str(exc)
    code = _NET_ERROR.search(text)
    if code:
        reason, kind = _NET_REASONS.get(code.group(1), (f"browser: {code.group(1)}", "network"))
        return SourceError(reason, kind=kind)
    if "has been closed" in text or "crashed" in text.lower():
        return SourceError("the browser closed during the read", kind="browser")
    if "Failed to fetch" in text:
        return SourceError("could not connect (from the page)", kind="network")
    return SourceError(f"browser error: {_first_line(exc)}", kind="browser")


def _first_line(exc: BaseException) -> str:
    line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return re.sub(r"\b\w+://\S+", "<url>", line)[:200]
