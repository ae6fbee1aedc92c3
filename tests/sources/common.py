"""Helpers shared by the source tests: parse one body, read a board over HTTP."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from watcher.fetch import Fetcher
from watcher.model import Page, Request, Response
from watcher.reader import Read, read_board
from watcher.sources.base import Source


def parse_page(source: Source, body: bytes, now: datetime, request: Request | None = None) -> Page:
    """What `source` makes of `body` served for `request` (default: its first request)."""
    request = request or source.first_request()
    return source.parse(request, Response(200, request.url, body), now)


def read(source: Source, now: datetime, **options: Any) -> Read:
    """Read a whole board through a real Fetcher (pages and details)."""

    async def run() -> Read:
        async with Fetcher() as fetcher:
            return await read_board(source, fetcher, now, **options)

    return asyncio.run(run())
