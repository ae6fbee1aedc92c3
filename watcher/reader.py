"""Reading one board: a source's pages through the fetcher, then detail pages.

This drives a pure `Source` with the `Fetcher`: it follows pagination to the
end (bounded by the source's `max_pages`, stopping on an empty page), dedupes
postings by platform id, honours conditional GET, and fetches detail pages only
for postings that need them.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from watcher.fetch import Fetcher
from watcher.model import Posting, Request, SourceError
from watcher.sources.base import Source

DETAILS_IN_FLIGHT = 4


@dataclass(frozen=True)
class Validators:
    """What the previous read of a board left for the next one to skip work with."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass
class Read:
    postings: list[Posting] = field(default_factory=list)
    unchanged: bool = False  # 304, or the same body as last time: nothing to parse or diff
    validators: Validators = field(default_factory=Validators)
    pages: int = 0
    truncated: bool = False  # the page cap was reached
    details_failed: int = 0


async def read_board(
    source: Source,
    fetcher: Fetcher,
    now: datetime,
    *,
    previous: Validators | None = None,
    needs_detail: Callable[[Posting], bool] = lambda posting: True,
) -> Read:
    """Read every page of a board. `previous` enables conditional GET and the
    unchanged-body shortcut (only meaningful for boards read in one page);
    `needs_detail(posting)` says whether a listed posting still wants its detail page."""
    request = source.first_request()
    previous = previous or Validators()
    first = await fetcher.fetch(request, etag=previous.etag, last_modified=previous.last_modified)
    if first.not_modified:
        return Read(unchanged=True, validators=previous, pages=1)
    # sha1 as a fast change check of the whole body (twice blake2b's speed here)
    digest = hashlib.sha1(first.body, usedforsecurity=False).hexdigest()
    validators = Validators(first.headers.get("etag"), first.headers.get("last-modified"), digest)
    if previous.body_hash and digest == previous.body_hash:
        return Read(unchanged=True, validators=validators, pages=1)

    read = Read(validators=validators)
    seen: dict[str, Posting] = {}
    response = first
    while True:
        page = source.parse(request, response, now)
        read.pages += 1
        fresh = 0
        for posting in page.postings:
            if posting.id not in seen:
                seen[posting.id] = posting
                fresh += 1
        if page.next is None or not page.postings or fresh == 0:
            break
        if read.pages >= source.max_pages:
            read.truncated = True
            break
        request = page.next
        response = await fetcher.fetch(request)
        if response.not_modified:
            raise SourceError("server answered 304 to a page it was not asked about", kind="http")
    # A multi-page board's first body does not speak for the rest: never shortcut it.
    if read.pages > 1:
        read.validators = Validators()
    read.postings = list(seen.values())
    for posting in read.postings:
        posting.digest = posting.fingerprint()
    read.details_failed = await _details(source, fetcher, now, read.postings, needs_detail)
    return read


async def _details(
    source: Source,
    fetcher: Fetcher,
    now: datetime,
    postings: list[Posting],
    needs_detail: Callable[[Posting], bool],
) -> int:
    wanted = [
        (i, request)
        for i, posting in enumerate(postings)
        if needs_detail(posting) and (request := source.detail_request(posting)) is not None
    ]
    if not wanted:
        return 0
    gate = asyncio.Semaphore(DETAILS_IN_FLIGHT)
    failed = 0

    async def one(index: int, request_: Request) -> None:
        nonlocal failed
        async with gate:
            try:
                response = await fetcher.fetch(request_)
                enriched = source.parse_detail(postings[index], response, now)
            except SourceError:
                failed += 1  # kept as listed; tried again on a later check
                return
            enriched.digest = postings[index].digest
            enriched.detailed = True
            postings[index] = enriched

    await asyncio.gather(*(one(i, r) for i, r in wanted))
    return failed
