"""Which channel hears of which event, and when (pure: `now` is an argument).

A posting goes to a channel when its event kind is one the site sends, it passes
the site's filters (`defaults:` then the site's own `match:`, key by key) and the
channel's own `match:`. It is due at once, at the channel's next digest time, or
at the end of its quiet hours, whichever is later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, tzinfo
from typing import TYPE_CHECKING

from watcher import timing
from watcher.match import Filter, Verdict
from watcher.model import Change, Delivery, Posting, target_of

if TYPE_CHECKING:  # config compiles the routes; routing never needs it at run time
    from watcher.config import Channel, Config, Site


@dataclass(frozen=True)
class Route:
    channel: str
    urls: tuple[str, ...]
    filter: Filter
    digest: timing.Digest | None
    quiet: tuple[time, time] | None
    tz: tzinfo

    def due(self, now: datetime) -> datetime:
        """When something that happens `now` may be sent on this route."""
        moment = timing.next_digest(self.digest, now, self.tz) if self.digest else now
        return self.quiet_end(moment) or moment

    def quiet_end(self, moment: datetime) -> datetime | None:
        return timing.quiet_until(self.quiet, moment, self.tz) if self.quiet else None


def route_of(name: str, channel: Channel) -> Route:
    """A channel compiled: its filter, digest times, quiet hours and time zone."""
    return Route(
        name,
        tuple(channel.urls),
        Filter.from_match(channel.match),
        timing.parse_digest(channel.digest) if channel.digest else None,
        timing.parse_quiet(channel.quiet) if channel.quiet else None,
        timing.zone(channel.timezone),
    )


def routes(config: Config, names: tuple[str, ...]) -> list[Route]:
    return [config.routes[name] for name in names if name in config.routes]


def selects(config: Config, site: Site, posting: Posting, now: datetime) -> Verdict:
    """Whether today's filters would send this posting anywhere, and why."""
    verdict = site.filter.check(posting, now)
    if not verdict.ok:
        return verdict
    found = [r.filter.check(posting, now) for r in routes(config, site.notify)]
    passing = [v for v in found if v.ok]
    if found and not passing:
        return found[0]
    extra = passing[0].why if passing else ()
    return Verdict(True, verdict.why + tuple(w for w in extra if w not in verdict.why), None)


def deliveries(
    config: Config, site: Site, change: Change, now: datetime, *, similar: str | None = None
) -> list[Delivery]:
    """Where and when one event is to be sent. `similar` (a role like one the user
    applied to, watcher.door) lets it past the title and seniority rules, and says so."""
    posting = change.posting
    if posting is None or str(change.kind) not in site.events:
        return []
    relax = lenient if similar else _as_is
    base = relax(site.filter).check(posting, now)
    if not base.ok:
        return []
    out = []
    for route in routes(config, site.notify):
        verdict = relax(route.filter).check(posting, now)
        if not verdict.ok:
            continue
        why = ((similar,) if similar else ()) + base.why
        why += tuple(w for w in verdict.why if w not in why)
        due = route.due(now)
        out += [Delivery(route.channel, target_of(url), due, why) for url in route.urls]
    return out


def lenient(rules: Filter) -> Filter:
    """`rules` without the title and seniority rules: what a role similar to one the user
    applied to must still pass."""
    return replace(rules, title=(), exclude_title=(), seniority=())


def _as_is(rules: Filter) -> Filter:
    return rules


def notice_deliveries(
    routes_by_name: Mapping[str, Route], names: list[str] | tuple[str, ...], now: datetime
) -> list[Delivery]:
    """Where a notice (source health, dead letters) goes: at once, but not in quiet hours."""
    out = []
    for name in names:
        route = routes_by_name.get(name)
        if route is None:
            continue
        due = route.quiet_end(now) or now
        out += [Delivery(name, target_of(url), due) for url in route.urls]
    return out
