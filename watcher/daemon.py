"""`watcher run`: every site on its own schedule, in one long-running process.

APScheduler 3 (asyncio) holds one job per site, rebuilt from `sites.yaml` at
start and on SIGHUP; the database stays the record of what ran. A site whose
last check is overdue at start is checked at once. SIGTERM/SIGINT stop taking
new checks and give running ones 10 s to finish. systemd hears READY=1,
WATCHDOG=1 and STATUS= through sd_notify.
"""

from __future__ import annotations

import asyncio
import logging
import random
import signal
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from watcher import config as config_mod
from watcher import pidfile, sdnotify, timing
from watcher.config import Config, Site
from watcher.cycle import SiteResult, check_site, make_fetcher, reconcile, remind, utcnow
from watcher.fetch import Fetcher
from watcher.notify import deliver
from watcher.store import Store, StoreError
from watcher.text import parse_time

log = logging.getLogger("watcher")

STOP_GRACE = 10.0
DELIVERY_EVERY = timedelta(seconds=30)


def jitter(every: timedelta) -> float:
    """Random spread of a site's start: a tenth of its interval, at most 5 minutes."""
    return min(every.total_seconds() / 10, 300.0)


def first_run(site: Site, last_check: datetime | None, now: datetime) -> datetime:
    """When a site is first checked: at once if it was never checked or is overdue,
    else when its interval since the last check runs out (spread by jitter)."""
    if last_check is None or last_check + site.every <= now:
        return now
    return last_check + site.every + timedelta(seconds=random.uniform(0, jitter(site.every)))


def refused_drop(running: Config, fresh: Config) -> str | None:
    """Why a reload that stops watching every site, or more than half of 4 or more, is
    refused (an emptied or half-saved file reads like that), unless the file allows it."""
    before, after = len(running.sites), len(fresh.sites)
    if fresh.allow_fewer_sites or before == 0:
        return None
    if after == 0 or (before >= 4 and after < before / 2):
        return (
            f"{fresh.path} would stop watching {before - after} of {before} sites; if that "
            "is meant, add `allow_fewer_sites: true` to it and reload again"
        )
    return None


@dataclass
class Daemon:
    config_path: Path
    store: Store
    config: Config
    scheduler: AsyncIOScheduler = field(init=False)
    fetcher: Fetcher = field(init=False)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    running: set[asyncio.Task[Any]] = field(default_factory=set)
    results: dict[str, SiteResult] = field(default_factory=dict)
    # Started in the loop once the schedule runs, stopped with the daemon (the page of
    # `watcher run --serve`): each has `async start(daemon)` and `async stop()`.
    attached: list[Any] = field(default_factory=list)

    async def serve(self) -> None:
        """Run until SIGTERM/SIGINT, then stop cleanly. While it runs, a pid file beside
        the database tells other watcher processes whom to signal (see pidfile.py)."""
        memory = str(self.store.path) == ":memory:"
        with nullcontext() if memory else pidfile.hold(pidfile.beside(self.store.path)):
            await self._serve()

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        self.gate = asyncio.Semaphore(self.config.defaults.concurrency or 8)
        self.fetcher = make_fetcher(self.config)
        # Started inside the running loop, as APScheduler 3's asyncio scheduler requires.
        self.scheduler = AsyncIOScheduler(
            event_loop=loop,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone="UTC",
        )
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.stopping.set)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        self._schedule_sites(self.config)
        self.scheduler.add_job(
            self._deliver,
            IntervalTrigger(seconds=DELIVERY_EVERY.total_seconds()),
            id="deliver",
            replace_existing=True,
        )
        self.scheduler.start()
        sdnotify.notify("READY=1")
        self._status()
        log.info("watching %d sites from %s", len(self.config.sites), self.config_path)
        watchdog = asyncio.create_task(self._watchdog())
        for extra in self.attached:
            await extra.start(self)
        await self.stopping.wait()
        await self._shutdown(watchdog)

    # --- schedule -----------------------------------------------------------------

    def _schedule_sites(self, config: Config) -> None:
        now = utcnow()
        try:
            for renamed in reconcile(config, self.store, now):
                log.info("renamed %s: its postings and history kept", renamed)
        except StoreError as exc:
            log.error("could not line the database up with %s: %s", self.config_path, exc)
        wanted = {site.name: site for site in config.sites}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("site:") and job.id[5:] not in wanted:
                job.remove()
        for site in config.sites:
            state = self.store.site_state(site.name)
            last = parse_time(state.last_check) if state else None
            if site.cron:
                trigger: Any = timing.parse_cron(site.cron, now)
            else:
                trigger = IntervalTrigger(
                    seconds=site.every.total_seconds(), jitter=jitter(site.every) or None
                )
            self.scheduler.add_job(
                self._check,
                trigger,
                args=[site.name],
                id=f"site:{site.name}",
                name=site.name,
                replace_existing=True,
                next_run_time=first_run(site, last, now),
                misfire_grace_time=max(int(site.every.total_seconds()), 30),
            )

    def reload(self) -> None:
        """SIGHUP: re-read sites.yaml; a bad file is reported and the old one keeps running."""
        sdnotify.notify("RELOADING=1")
        try:
            fresh = config_mod.load(self.config_path)
        except config_mod.ConfigError as exc:
            for problem in exc.problems:
                log.error("reload refused, keeping the running config: %s", problem)
            sdnotify.notify("READY=1")
            return
        dropped = refused_drop(self.config, fresh)
        if dropped:
            log.error("reload refused, keeping the running config: %s", dropped)
            sdnotify.notify("READY=1")
            return
        self.config = fresh
        self._schedule_sites(fresh)
        log.info("reloaded %s: %d sites", self.config_path, len(fresh.sites))
        sdnotify.notify("READY=1")
        self._status()

    # --- jobs -----------------------------------------------------------------------

    async def _check(self, name: str) -> None:
        site = self.config.site(name)
        if site is None or self.stopping.is_set():
            return
        task = asyncio.current_task()
        if task:
            self.running.add(task)
        try:
            async with self.gate:
                result = await check_site(site, self.config, self.store, self.fetcher)
            self.results[name] = result
            if result.ok:
                log.info("%s: %s", name, result.summary())
            else:
                log.warning("%s: %s", name, self.config.redact(result.summary()))
            await self._deliver()
        except StoreError as exc:
            log.error("%s: %s", name, exc)
        except asyncio.CancelledError:
            # only at shutdown, past the grace: said once there, no traceback here
            log.debug("%s: check abandoned", name)
        finally:
            if task:
                self.running.discard(task)
            self._status()

    async def _deliver(self) -> None:
        try:
            remind(self.config, self.store, utcnow())
            report = await deliver(
                self.store, self.config.routes, utcnow(), redact=self.config.redact
            )
        except StoreError as exc:
            log.error("delivery: %s", exc)
            return
        if report.messages:
            log.info("sent %d message(s) (%d notifications)", report.messages, report.sent)
        for error in report.errors:
            log.warning("notification failed: %s", error)

    async def _watchdog(self) -> None:
        interval = sdnotify.watchdog_interval()
        if not interval:
            return
        while not self.stopping.is_set():
            sdnotify.notify("WATCHDOG=1")
            await asyncio.sleep(interval / 3)

    def _status(self) -> None:
        failing = sum(1 for r in self.results.values() if not r.ok)
        opened = sum(r.open for r in self.results.values())
        pending = self.store.pending_count()
        sdnotify.notify(
            f"STATUS={len(self.config.sites)} sites, {failing} failing, {opened} open postings, "
            f"{pending} notifications pending"
        )

    async def _shutdown(self, watchdog: asyncio.Task[Any]) -> None:
        sdnotify.notify("STOPPING=1")
        for extra in self.attached:
            await extra.stop()
        log.info("stopping: letting %d running check(s) finish", len(self.running))
        # Paused, not shut down: APScheduler's shutdown cancels the jobs still running.
        self.scheduler.pause()
        if self.running:
            _, late = await asyncio.wait(set(self.running), timeout=STOP_GRACE)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1)
                log.warning(
                    "abandoned %d check(s) still running after %.0f s", len(late), STOP_GRACE
                )
        self.scheduler.shutdown(wait=False)
        watchdog.cancel()
        await self.fetcher.aclose()
