"""Notifications: messages made from outbox rows (pure), and their delivery
through Apprise with retries, backoff and dead letters.

Each outbox row is one event for one Apprise URL. Due rows for one URL and one
site are sent as one message; a URL that fails never holds back another.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from watcher.store import Delivery, OutboxRow, Store, target_of

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=6)
LEASE = timedelta(minutes=5)

_HEADINGS = {
    "new": "new opening",
    "reopened": "reopened opening",
    "changed": "changed opening",
    "closed": "closed opening",
    "reposted": "reposted opening",
}


@dataclass(frozen=True)
class Message:
    title: str
    body: str  # Markdown
    rows: tuple[int, ...] = ()


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
    errors: list[str] = field(default_factory=list)


# --- formatting (pure) -------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


def escape_markdown(text: str) -> str:
    """Text that renders as itself in Markdown: no links, emphasis or HTML can be injected."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def safe_url(url: str) -> str:
    """A link target that cannot break out of `(...)` in Markdown."""
    if not re.match(r"^https?://", url or ""):
        return ""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C")


def posting_line(payload: Mapping[str, Any]) -> str:
    title = escape_markdown(str(payload.get("title") or "untitled"))
    url = safe_url(str(payload.get("url") or ""))
    line = f"[{title}]({url})" if url else title
    extras = [payload.get("location"), payload.get("salary")]
    details = " · ".join(escape_markdown(str(x)) for x in extras if x)
    if details:
        line += f" — {details}"
    if payload.get("kind") and payload["kind"] != "new":
        line += f" ({payload['kind']})"
    why = payload.get("why")
    if why:
        line += f"\n  _{escape_markdown('; '.join(why))}_"
    return f"- {line}"


def format_group(site: str | None, rows: Sequence[OutboxRow]) -> Message:
    """One message for several rows of one site: title with the company and count."""
    notices = [r for r in rows if r.posting_id is None]
    postings = [r for r in rows if r.posting_id is not None]
    ids = tuple(r.id for r in rows)
    if notices and not postings:
        body = "\n\n".join(str(r.payload.get("body", "")) for r in notices)
        return Message(str(notices[0].payload.get("title", "watcher")), body, ids)
    kinds = {r.kind for r in postings}
    noun = _HEADINGS[kinds.pop()] if len(kinds) == 1 else "update"
    count = len(postings)
    title = f"{site}: {count} {noun}{'s' if count != 1 else ''}"
    lines = [posting_line({**r.payload, "kind": r.kind}) for r in postings]
    lines += [str(r.payload.get("body", "")) for r in notices]
    return Message(title, "\n".join(lines), ids)


def payload_of(posting: Any, company: str) -> dict[str, Any]:
    """What a notification says of a posting, frozen when the event happens."""
    comp = posting.compensation.summary() if posting.compensation else None
    return {
        "company": company,
        "title": posting.title,
        "url": posting.url,
        "location": posting.location or None,
        "salary": comp or None,
    }


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
    result = client.notify(
        body=message.body, title=message.title, body_format=apprise.NotifyFormat.MARKDOWN
    )
    if result:
        return Outcome(True)
    reasons = [
        str(getattr(entry, "message", entry))
        for service in result.results
        for attempt in service.attempts
        for entry in attempt.logs
    ]
    names = ", ".join(service.url for service in result.results) or "the service"
    reason = reasons[-1] if reasons else "delivery failed"
    return Outcome(False, f"{reason} ({names})")


SAMPLE = Message(
    "watcher: test message",
    "This is a test from watcher. New openings will look like this:\n"
    + posting_line(
        {
            "title": "Senior Backend Engineer",
            "url": "https://example.com/jobs/1",
            "location": "Remote (Europe)",
            "salary": "EUR 80,000-100,000 / year",
        }
    ),
)


def send_sample(urls: Iterable[str], send: Sender = apprise_send) -> list[tuple[str, Outcome]]:
    """Send the sample message to each URL; the outcome of each."""
    return [(url, send(url, SAMPLE)) for url in urls]


def privacy_url(url: str) -> str:
    """The URL as Apprise shows it with its secrets masked."""
    import apprise

    plugin = apprise.Apprise.instantiate(url)
    return str(plugin.url(privacy=True)) if plugin else "(invalid URL)"


def channel_targets(channels: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, str]]:
    """target id -> (channel name, URL) for every configured URL."""
    return {target_of(url): (name, url) for name, urls in channels.items() for url in urls}


def route(
    channels: Mapping[str, Iterable[str]], names: Iterable[str], now: datetime
) -> list[Delivery]:
    """The deliveries of one event to the named channels, one per URL, due now."""
    return [Delivery(name, target_of(url), now) for name in names for url in channels.get(name, ())]


async def deliver(
    store: Store,
    channels: Mapping[str, Iterable[str]],
    now: datetime,
    *,
    send: Sender = apprise_send,
    redact: Callable[[str], str] = lambda text: text,
    max_attempts: int = MAX_ATTEMPTS,
    force: bool = False,
) -> DeliveryReport:
    """Send every due outbox row (with `force`, every pending one, due or not);
    mark each sent, retried later, or dead."""
    report = DeliveryReport()
    targets = channel_targets(channels)
    rows = store.claim_due(now, LEASE, force=force)
    groups: dict[tuple[str, str | None], list[OutboxRow]] = defaultdict(list)
    for row in rows:
        groups[(row.target, row.site)].append(row)

    async def one(target: str, site: str | None, group: list[OutboxRow]) -> None:
        ids = [r.id for r in group]
        found = targets.get(target)
        if found is None:
            store.mark_failed(ids, now, "its channel URL is no longer in the config", None)
            report.dead += len(ids)
            return
        channel, url = found
        message = format_group(site, group)
        outcome = await asyncio.to_thread(send, url, message)
        if outcome.ok:
            store.mark_sent(ids, now)
            report.sent += len(ids)
            report.messages += 1
            return
        reason = redact(outcome.reason)
        report.errors.append(f"{channel}: {reason}")
        attempts = max(r.attempts for r in group) + 1
        if attempts >= max_attempts:
            store.mark_failed(ids, now, reason, None)
            report.dead += len(ids)
            _tell_dead(store, channels, channel, site, group, reason, now)
        else:
            store.mark_failed(ids, now, reason, now + backoff(attempts))
            report.failed += len(ids)

    await asyncio.gather(*(one(t, s, g) for (t, s), g in groups.items()))
    return report


def _tell_dead(
    store: Store,
    channels: Mapping[str, Iterable[str]],
    channel: str,
    site: str | None,
    group: Sequence[OutboxRow],
    reason: str,
    now: datetime,
) -> None:
    """Tell the user once, on the other channels, that a channel gave up."""
    others = [name for name in channels if name != channel]
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
        route(channels, others, now),
        {"title": f"watcher: channel '{channel}' is failing", "body": body},
        now,
    )
