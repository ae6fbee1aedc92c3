"""Delivery of the outbox through Apprise: retries with backoff, quiet hours, digests,
dead letters. Messages are made by `watcher.messages` for each service's format and size.

Each outbox row is one event for one Apprise URL. Due rows for one URL and one site
are sent together (for a digest channel, all due rows of the URL); a URL that fails
never holds back another, and a row is marked sent as soon as the message that
carries it is accepted.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from watcher.messages import Message, service_for
from watcher.routing import Route, notice_deliveries
from watcher.store import OutboxRow, Store, target_of

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=6)
LEASE = timedelta(minutes=5)
READ_TIMEOUT = 30.0  # seconds a service may take to answer a message


@dataclass(frozen=True)
class Outcome:
    ok: bool
    reason: str = ""


Sender = Callable[[str, Message], Outcome]


@dataclass
class DeliveryReport:
    sent: int = 0  # outbox rows delivered
    messages: int = 0
    failed: int = 0  # rows that will be retried
    dead: int = 0
    deferred: int = 0  # held back by quiet hours
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: 30 s doubling, at most 6 h."""
    return min(BACKOFF_BASE * (2 ** min(max(attempts - 1, 0), 16)), BACKOFF_MAX)


# --- delivery ----------------------------------------------------------------------


def apprise_send(url: str, message: Message) -> Outcome:
    """Send one message to one Apprise URL; the reason of a failure never holds the URL."""
    import apprise

    client = apprise.Apprise()
    if not client.add(url):
        return Outcome(False, "not a valid Apprise URL")
    query = parse_qs(urlsplit(url).query)
    read_timeout = READ_TIMEOUT
    for plugin in client:
        # Apprise waits 4 s for an answer: a service that takes longer has often taken the
        # message, and a retry would send it twice. Wait longer unless the URL says (rto=).
        if "rto" not in query:
            plugin.socket_read_timeout = READ_TIMEOUT
        read_timeout = float(plugin.socket_read_timeout or READ_TIMEOUT)
    result = client.notify(
        body=message.body,
        title=message.title,
        body_format=apprise.NotifyFormat(message.format.apprise),
    )
    if result:
        return Outcome(True)
    names = ", ".join(service.url for service in result.results) or "the service"
    attempts = [attempt for service in result.results for attempt in service.attempts]
    if attempts and all(float(a.elapsed or 0) >= read_timeout * 0.95 for a in attempts):
        reason = (
            f"timed out after {read_timeout:g} s waiting for the service's answer (it may "
            "have taken the message: the retry can repeat it)"
        )
        return Outcome(False, f"{reason} ({names})")
    reasons = [str(getattr(entry, "message", entry)) for a in attempts for entry in a.logs]
    reason = reasons[-1] if reasons else "delivery failed"
    return Outcome(False, f"{reason} ({names})")


SAMPLE_ROW: dict[str, Any] = {
    "title": "Senior Backend Engineer",
    "url": "https://example.com/jobs/1",
    "location": "Remote (Europe)",
    "salary": "EUR 80,000-100,000 / year",
    "seniority": "senior",
    "why": ["title: backend", "remote (Europe)"],
}


def send_sample(urls: Iterable[str], send: Sender = apprise_send) -> list[tuple[str, Outcome]]:
    """Send a sample message, made for each URL's service, to each URL."""
    sample = OutboxRow(
        0, "", "Example Inc", "1", "new", "test", "", SAMPLE_ROW, "", "", 0, "", None
    )
    out = []
    for url in urls:
        (message,) = service_for(url).render("watcher test: Example Inc", [sample])[:1]
        out.append((url, send(url, message)))
    return out


def privacy_url(url: str) -> str:
    """The URL as Apprise shows it with its secrets masked."""
    import apprise

    plugin = apprise.Apprise.instantiate(url)
    return str(plugin.url(privacy=True)) if plugin else "(invalid URL)"


def _targets(routes: Mapping[str, Route]) -> dict[str, tuple[str, str, Route]]:
    """target id -> (channel name, URL, its route) for every configured URL."""
    return {
        target_of(url): (name, url, route) for name, route in routes.items() for url in route.urls
    }


async def deliver(
    store: Store,
    routes: Mapping[str, Route],
    now: datetime,
    *,
    send: Sender = apprise_send,
    redact: Callable[[str], str] = lambda text: text,
    max_attempts: int = MAX_ATTEMPTS,
    force: bool = False,
) -> DeliveryReport:
    """Send every due outbox row (with `force`, every pending one, quiet hours or not);
    mark each sent, retried later, or dead."""
    run = _Run(store, routes, now, send, redact, max_attempts, force)
    targets = _targets(routes)
    groups: dict[tuple[str, str | None], list[OutboxRow]] = defaultdict(list)
    for row in store.claim_due(now, LEASE, force=force):
        found = targets.get(row.target)
        digest = found is not None and found[2].digest is not None and row.posting_id is not None
        groups[(row.target, None if digest else row.site)].append(row)
    await asyncio.gather(
        *(run.group(targets.get(t), site, rows) for (t, site), rows in groups.items())
    )
    return run.report


@dataclass
class _Run:
    """One delivery pass: what it sends with, and what it reports."""

    store: Store
    routes: Mapping[str, Route]
    now: datetime
    send: Sender
    redact: Callable[[str], str]
    max_attempts: int
    force: bool
    report: DeliveryReport = field(default_factory=DeliveryReport)

    async def group(
        self, found: tuple[str, str, Route] | None, site: str | None, rows: list[OutboxRow]
    ) -> None:
        ids = [r.id for r in rows]
        if found is None:
            self.store.mark_failed(
                ids, self.now, "its channel URL is no longer in the config", None
            )
            self.report.dead += len(ids)
            return
        channel, url, route = found
        quiet_end = None if self.force else route.quiet_end(self.now)
        if quiet_end:
            self.store.defer(ids, quiet_end)
            self.report.deferred += len(ids)
            return
        service = service_for(url)
        digest = route.digest is not None and all(r.posting_id for r in rows)
        messages = service.render_digest(rows) if digest else service.render(site, rows)
        for message in messages:
            await self.one(channel, url, site, [r for r in rows if r.id in message.rows], message)

    async def one(
        self, channel: str, url: str, site: str | None, rows: list[OutboxRow], message: Message
    ) -> None:
        ids = [r.id for r in rows]
        outcome = await asyncio.to_thread(self.send, url, message)
        if outcome.ok:
            self.store.mark_sent(ids, self.now)
            self.report.sent += len(ids)
            self.report.messages += 1
            return
        reason = self.redact(outcome.reason)
        self.report.errors.append(f"{channel}: {reason}")
        attempts = max(r.attempts for r in rows) + 1
        if attempts >= self.max_attempts:
            self.store.mark_failed(ids, self.now, reason, None)
            self.report.dead += len(ids)
            _tell_dead(self.store, self.routes, channel, site, rows, reason, self.now)
        else:
            self.store.mark_failed(ids, self.now, reason, self.now + backoff(attempts))
            self.report.failed += len(ids)


def _tell_dead(
    store: Store,
    routes: Mapping[str, Route],
    channel: str,
    site: str | None,
    group: Sequence[OutboxRow],
    reason: str,
    now: datetime,
) -> None:
    """Tell the user once, on the other channels, that a channel gave up."""
    others = [name for name in routes if name != channel]
    if not others:
        return
    body = (
        f"{len(group)} notification(s) for {site or 'watcher'} could not be delivered to "
        f"channel '{channel}' after {MAX_ATTEMPTS} tries ({reason}). "
        "`watcher outbox` lists them; `watcher outbox --retry` sends them again."
    )
    store.queue_notice(
        f"dead/{group[0].id}",
        site,
        "dead",
        notice_deliveries(routes, others, now),
        {"title": f"watcher: channel '{channel}' is failing", "body": body},
        now,
    )
