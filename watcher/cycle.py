"""One check of one site, and of many: the only place the steps are strung together.

fetch + parse (reader) -> diff -> route -> store (one transaction) ; then deliver.
`watcher check` and the daemon both come through `check_site`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from watcher.config import Config, Site
from watcher.diff import Rules, diff
from watcher.fetch import Fetcher, FetchSettings
from watcher.model import Delivery, EventKind, Posting, SourceError, utc_iso
from watcher.notify import DeliveryReport, deliver, payload_of
from watcher.reader import Read, Validators, read_board
from watcher.routing import deliveries as route_event
from watcher.routing import notice_deliveries
from watcher.store import Store
from watcher.text import parse_time

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class SiteResult:
    site: str
    ok: bool
    open: int = 0
    new: int = 0
    changed: int = 0
    closed: int = 0
    reopened: int = 0
    reposted: int = 0
    queued: int = 0
    baseline: bool = False
    unchanged: bool = False
    suspect: str | None = None
    error: str | None = None
    error_kind: str | None = None
    titles: list[str] = field(default_factory=list)  # of new and reopened postings

    def summary(self) -> str:
        if not self.ok:
            return f"FAILED: {self.error}"
        if self.baseline:
            return f"now watching {self.open} openings"
        parts = [f"{self.open} open"]
        for name in ("new", "reopened", "changed", "closed", "reposted"):
            count = getattr(self, name)
            if count:
                parts.append(f"{count} {name}")
        if self.unchanged:
            parts.append("unchanged")
        if self.suspect:
            parts.append(f"suspect read: {self.suspect}, nothing closed")
        return ", ".join(parts)


@dataclass
class CycleReport:
    sites: list[SiteResult] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)

    @property
    def failed(self) -> list[SiteResult]:
        return [s for s in self.sites if not s.ok]


def make_fetcher(config: Config) -> Fetcher:
    """The one shared HTTP client, with the politeness settings of `defaults:`."""
    defaults = config.defaults
    overrides = {
        key: value
        for key in ("user_agent", "per_host", "min_gap")
        if (value := getattr(defaults, key)) is not None
        and key in FetchSettings.__dataclass_fields__
    }
    return Fetcher(FetchSettings(**overrides))


async def check_site(
    site: Site,
    config: Config,
    store: Store,
    fetcher: Fetcher,
    *,
    clock: Clock = utcnow,
    notify_existing: bool = False,
) -> SiteResult:
    """Read one site, diff it, store the result and queue its notifications."""
    source = site.source()
    shown = source.display()
    board = config.redact(shown)  # a ${VAR} in a board URL is never stored or shown
    state = store.site_state(site.name)
    same_board = state is not None and (state.platform, state.board) == (site.platform, board)
    # Postings on their way to closing need a full read to count their misses:
    # a 304 or an unchanged body would skip the diff that closes them.
    previous = (
        Validators(state.etag, state.last_modified, state.body_hash)
        if state is not None and same_board and not state.closing
        else None
    )
    known = store.detail_state(site.name) if source.has_details() else {}

    def needs_detail(posting: Posting) -> bool:
        seen = known.get(posting.id)
        return seen is None or not seen[1] or seen[0] != posting.digest

    now = clock()
    try:
        async with _reading(site, fetcher) as reading:
            read = await read_board(
                source,
                reading,
                now,
                previous=previous,
                needs_detail=needs_detail,
                stored=lambda: store.raw_hashes(site.name),
            )
    except SourceError as error:
        failures = store.record_failure(
            site.name, site.platform, board, clock(), error.reason, error.kind
        )
        _health(site, config, store, failures, error.reason, clock())
        return SiteResult(
            site.name,
            ok=False,
            error=error.reason,
            error_kind=error.kind,
            open=state.open if state else 0,
        )
    if board != shown:
        for posting in read.postings:  # links made from the board's own URL
            posting.url = config.redact(posting.url)
    now = clock()
    if read.unchanged and state is not None:  # only a site read before can be unchanged
        store.record_unchanged(site.name, now)
        if state.attention:
            _health(site, config, store, 0, None, now)
        return SiteResult(site.name, ok=True, unchanged=True, open=state.open)
    return _apply(site, config, store, read, board, now, notify_existing)


@asynccontextmanager
async def _reading(site: Site, fetcher: Fetcher) -> AsyncIterator[Fetcher]:
    """What a site is read through: the HTTP client, or for `render: browser` a fresh
    context of the fetcher's headless Chromium (closed after the read)."""
    if site.render != "browser":
        yield fetcher
        return
    async with fetcher.browser().site() as browsing:
        # a BrowserFetcher has the one method the reader calls: `fetch`, same signature
        yield cast(Fetcher, browsing)


def _apply(
    site: Site,
    config: Config,
    store: Store,
    read: Read,
    board: str,
    now: datetime,
    notify_existing: bool,
) -> SiteResult:
    rules = Rules(site.close_after_misses, site.close_after, site.suspect_ratio)
    # The stored state is read, diffed and written in one write transaction: another
    # process checking the same site waits, then sees this read's result, so one
    # change never makes two events (or two notifications).
    with store.transaction():
        state = store.site_state(site.name)
        baseline = (
            state is None
            or state.baseline_at is None
            or (state.platform, state.board) != (site.platform, board)
        )
        stored = store.stored_for_diff(
            site.name,
            (p.id for p in read.postings),
            now,
            rules.repost_window,
            kept=read.kept,
            # where the digest is the raw hash, a different one may hide no visible
            # change: the diff then compares the stored description
            described=[p.id for p in read.postings if p.digest == p.raw],
        )
        result = diff(
            stored, read.postings, now, rules, complete=not read.truncated, kept=read.kept
        )
        deliveries: dict[int, list[Delivery]] = {}
        payloads = {}
        if not baseline or notify_existing:
            for index, change in enumerate(result.changes):
                routed = route_event(config, site, change, now)
                if routed and change.posting is not None:
                    deliveries[index] = routed
                    payloads[index] = payload_of(change.posting, site.name)
        # A suspect read leaves no validators: the next read must be a full one,
        # not a 304 or an "unchanged body" that would pass for a healthy read.
        validators = read.validators if result.suspect is None else Validators()
        store.record_read(
            site.name,
            site.platform,
            board,
            now,
            result,
            deliveries,
            payloads=payloads,
            etag=validators.etag,
            last_modified=validators.last_modified,
            body_hash=validators.body_hash,
        )
        failures = (state.failures if state else 0) + 1 if result.suspect else 0
        if failures or (state and state.attention):
            _health(site, config, store, failures, result.suspect, now)
    counts = {kind: len(result.of(kind)) for kind in EventKind}
    return SiteResult(
        site.name,
        ok=True,
        open=store.open_count(site.name),
        new=counts[EventKind.NEW],
        changed=counts[EventKind.CHANGED],
        closed=counts[EventKind.CLOSED],
        reopened=counts[EventKind.REOPENED],
        reposted=counts[EventKind.REPOSTED],
        queued=sum(len(d) for d in deliveries.values()),
        baseline=baseline,
        suspect=result.suspect,
        titles=[
            c.posting.title
            for c in result.changes
            if c.posting and c.kind in (EventKind.NEW, EventKind.REOPENED) and not baseline
        ],
    )


def _health(
    site: Site, config: Config, store: Store, failures: int, reason: str | None, now: datetime
) -> None:
    """Tell the user once when a source needs attention, and once when it recovers."""
    state = store.site_state(site.name)
    if state is None:
        return

    def notice(kind: str, title: str, body: str) -> None:
        count = store.count_notices(site.name, kind) + 1
        deliveries = notice_deliveries(config.routes, site.notify, now)
        key = f"{site.name}/{kind}/{count}"
        store.queue_notice(key, site.name, kind, deliveries, {"title": title, "body": body}, now)

    if failures >= site.attention_after and not state.attention:
        notice(
            "attention",
            f"watcher: {site.name} needs attention",
            f"{site.name} ({site.platform}: {state.board}) failed {failures} checks in a row: "
            f"{advice(reason, state.error_kind)}",
        )
        store.set_attention(site.name, True)
    elif failures == 0 and state.attention:
        notice(
            "recovered",
            f"watcher: {site.name} recovered",
            f"{site.name} reads again ({store.open_count(site.name)} open postings).",
        )
        store.set_attention(site.name, False)


def advice(reason: str | None, kind: str | None) -> str:
    """The reason of a failure with what it most likely means."""
    hints = {
        "not_found": "the board was probably renamed or moved: check its id in sites.yaml",
        "parse": "the page changed shape: watcher cannot read it any more",
        "suspect": "it returns far fewer postings than before (or none)",
        "timeout": "the site does not answer in time",
        "network": "the site cannot be reached",
    }
    hint = hints.get(kind or "", "")
    return f"{reason}" + (f" ({hint})" if hint else "")


async def check_sites(
    config: Config,
    store: Store,
    fetcher: Fetcher,
    sites: Iterable[Site],
    *,
    concurrency: int = 8,
    clock: Clock = utcnow,
    notify_existing: bool = False,
    on_result: Callable[[SiteResult], None] | None = None,
) -> CycleReport:
    """Check sites concurrently (bounded), then deliver what is due."""
    gate = asyncio.Semaphore(concurrency)
    report = CycleReport()

    async def one(site: Site) -> None:
        async with gate:
            result = await check_site(
                site, config, store, fetcher, clock=clock, notify_existing=notify_existing
            )
        report.sites.append(result)
        if on_result:
            on_result(result)

    with store.batched():
        await asyncio.gather(*(one(site) for site in sites))
    report.delivery = await deliver(store, config.routes, clock(), redact=config.redact)
    return report


def site_status(config: Config | None, store: Store, now: datetime) -> dict[str, Any]:
    """What `watcher status` shows: every configured site with its stored state; without
    a config, every site the database knows (with no next run)."""
    states = {row["name"]: row for row in store.sites()}
    sites = []
    configured = config.sites if config else ()
    for site in configured:
        row = states.get(site.name) or {}
        last = parse_time(row.get("last_check"))
        due = last + site.every if last and not site.cron else None
        sites.append(
            {
                **_status_row(row),
                "name": site.name,
                "platform": site.platform,
                "board": config.redact(site.source().display()) if config else "",
                "next_run": "cron: " + site.cron
                if site.cron
                else ("now" if due is None or due <= now else utc_iso(due)),
            }
        )
    if config is None:
        sites = [{**_status_row(row), "next_run": None} for row in states.values()]
    return {"sites": sites, "pending_notifications": store.pending_count()}


def _status_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": row.get("name"),
        "platform": row.get("platform"),
        "board": row.get("board"),
        "open": row.get("open", 0),
        "last_check": row.get("last_check"),
        "last_success": row.get("last_success"),
        "next_run": None,
        "failures": row.get("failures", 0),
        "last_error": row.get("last_error"),
        "needs_attention": bool(row.get("attention")),
    }
