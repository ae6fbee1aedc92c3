"""One check of one site, and of many: the only place the steps are strung together.

A check reads (I/O: the site's stored state, once before the fetch; the board through
the reader), plans (pure, `watcher.plan`: the diff, where each event goes, the site's
health), then applies (one store call, one transaction). `watcher check` and the daemon
both come through `check_site`; then `deliver` sends what is due.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from watcher import door
from watcher.config import Config, Site
from watcher.fetch import MB, Fetcher, FetchSettings
from watcher.model import Posting, SourceError, utc_iso
from watcher.notify import DeliveryReport, deliver
from watcher.plan import (
    Plan,
    SiteResult,
    Snapshot,
    plan_failure,
    plan_read,
    quietly_unchanged,
    rules_of,
)
from watcher.reader import Read, Validators, read_board
from watcher.store import Store, StoreError
from watcher.text import parse_time

Clock = Callable[[], datetime]

__all__ = ["CycleReport", "SiteResult", "check_site", "check_sites", "make_fetcher", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class CycleReport:
    sites: list[SiteResult] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    unstored: dict[str, str] = field(default_factory=dict)  # site -> why its check was lost

    @property
    def failed(self) -> list[SiteResult]:
        return [s for s in self.sites if not s.ok]


def make_fetcher(config: Config) -> Fetcher:
    """The one shared HTTP client, with the politeness settings of `defaults:`."""
    defaults = config.defaults
    overrides: dict[str, Any] = {
        key: value
        for key in ("user_agent", "per_host", "min_gap")
        if (value := getattr(defaults, key)) is not None
        and key in FetchSettings.__dataclass_fields__
    }
    if defaults.max_response_mb is not None:
        overrides["max_bytes"] = int(defaults.max_response_mb * MB)
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
    """Read one site, plan what that changes, and apply the plan in one transaction."""
    source = site.source()
    shown = source.display()
    board = config.redact(shown)  # a ${VAR} in a board URL is never stored or shown
    state = store.site_state(site.name)
    same_board = state is not None and (state.platform, state.board) == (site.platform, board)
    # A 304 (or the same body) confirms what the last read listed, misses included: the
    # validators are kept for every read but the first of a board and a suspect one.
    previous = (
        Validators(state.etag, state.last_modified, state.body_hash)
        if state is not None and same_board
        else None
    )
    known = store.detail_state(site.name) if source.has_details() else {}

    def needs_detail(posting: Posting) -> bool:
        seen = known.get(posting.id)
        return seen is None or not seen[1] or seen[0] != posting.digest

    try:
        async with _reading(site, fetcher) as reading:
            read = await read_board(
                source,
                reading,
                clock(),
                previous=previous,
                needs_detail=needs_detail,
                stored=lambda: store.raw_hashes(site.name),
            )
    except SourceError as error:
        now = clock()
        with store.transaction():
            current = store.site_state(site.name)
            plan = plan_failure(site, config, board, current, error.reason, error.kind, now)
            store.apply(plan)
        return plan.result
    if board != shown:
        for posting in read.postings:  # links made from the board's own URL
            posting.url = config.redact(posting.url)
    now = clock()
    if read.unchanged and same_board and quietly_unchanged(state):
        assert state is not None
        store.apply(_checked(site, board, state, read, now))
        return SiteResult(site.name, ok=True, unchanged=True, open=state.open)
    # Planned on the state read inside the write transaction: another process checking
    # the same site waits, then sees this read's result, so one change never makes two
    # events (or two notifications).
    with store.transaction():
        plan = plan_read(
            site,
            config,
            board,
            _snapshot(store, site, read, now),
            read,
            now,
            notify_existing=notify_existing,
        )
        store.apply(plan)
    return plan.result


def _snapshot(store: Store, site: Site, read: Read, now: datetime) -> Snapshot:
    state, stored = store.snapshot(
        site.name,
        now,
        rules_of(site).repost_window,
        fresh_ids=[p.id for p in read.postings],
        kept=read.kept,
        # where the digest is the raw hash, a different one may hide no visible change:
        # the diff then compares the stored description
        described=[p.id for p in read.postings if p.digest == p.raw],
        unchanged=read.unchanged,
    )
    return Snapshot(state, stored, tuple(store.applications_at(site.name)))


def _checked(site: Site, board: str, state: Any, read: Read, now: datetime) -> Plan:
    """The plan of an unchanged read of a healthy site: only its check time."""
    result = SiteResult(site.name, ok=True, unchanged=True, open=state.open)
    return Plan(
        site.name, site.platform, board, now, result, validators=read.validators, only_checked=True
    )


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
    """Check sites concurrently (bounded), then deliver what is due. A site whose check
    cannot be stored (a full disk, say) is reported in `unstored`; the others go on."""
    gate = asyncio.Semaphore(concurrency)
    report = CycleReport()

    async def one(site: Site) -> None:
        async with gate:
            try:
                result = await check_site(
                    site, config, store, fetcher, clock=clock, notify_existing=notify_existing
                )
            except StoreError as exc:
                report.unstored[site.name] = str(exc)
                return
        report.sites.append(result)
        if on_result:
            on_result(result)

    with store.batched():
        await asyncio.gather(*(one(site) for site in sites))
    if report.unstored and not report.sites:
        return report  # nothing could be written: delivering would fail the same way
    remind(config, store, clock())
    report.delivery = await deliver(store, config.routes, clock(), redact=config.redact)
    return report


def remind(config: Config, store: Store, now: datetime) -> int:
    """Queue the follow-up reminders due `now` (watcher.door), each once per channel URL:
    every cycle and the daemon's delivery tick come here before delivering."""
    applications = store.applications()
    if not applications:
        return 0
    queued = store.door_keys()
    due = [
        (followup, delivery)
        for followup, delivery in door.reminders(applications, now, config.door, config.routes)
        if f"{followup.key}/{delivery.channel}/{delivery.target}" not in queued
    ]
    if due:
        store.queue_reminders(due, now)
    return len(due)


def reconcile(config: Config, store: Store, now: datetime) -> list[str]:
    """Line the stored sites up with sites.yaml before checking (see `Store.reconcile`):
    a renamed site keeps its history; a removed one no longer lists open postings."""
    return store.reconcile(
        [(s.name, s.platform, config.redact(s.source().display())) for s in config.sites], now
    )


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
