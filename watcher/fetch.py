"""The HTTP client and its politeness: the one place watcher talks to the network."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from watcher import __version__
from watcher.model import Request, Response, SourceError

USER_AGENT = f"watcher/{__version__} (+https://github.com/careers-watcher/watcher)"


@dataclass(frozen=True)
class FetchSettings:
    timeout: float = 30.0
    max_bytes: int = 20 * 1024 * 1024
    user_agent: str = USER_AGENT


class Fetcher:
    """A shared async HTTP client. `fetch` returns 2xx and 304 responses and raises
    `SourceError` for anything else, with a one-line reason."""

    def __init__(self, settings: FetchSettings | None = None):
        self.settings = settings or FetchSettings()
        self._client = httpx.AsyncClient(
            timeout=self.settings.timeout,
            follow_redirects=True,
            headers={"User-Agent": self.settings.user_agent},
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self, request: Request, *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        headers = dict(request.headers)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            reply = await self._client.request(
                request.method, request.url, json=request.json, headers=headers
            )
        except httpx.TimeoutException:
            raise SourceError("timed out", kind="timeout") from None
        except httpx.HTTPError as exc:
            raise SourceError(f"network error: {type(exc).__name__}", kind="network") from None
        if reply.status_code == 304 or 200 <= reply.status_code < 300:
            return Response(
                reply.status_code,
                str(reply.url),
                reply.content,
                {k.lower(): v for k, v in reply.headers.items()},
            )
        raise http_error(reply.status_code)


def http_error(status: int) -> SourceError:
    if status in (404, 410):
        return SourceError(
            f"HTTP {status}: board not found (renamed or moved?)", kind="not_found", status=status
        )
    return SourceError(f"HTTP {status}", kind="http", status=status)
