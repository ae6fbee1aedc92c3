"""When a channel may be told: digest times and quiet hours (pure: `now` is an argument).

- `digest: "08:00"`, `"08:00, 18:00"`, `daily` (08:00), `weekly` (Monday 08:00) or
  `"weekly mon 18:30"`: messages gather until the next of those local times.
- `quiet: "22:00-07:00"`: what falls inside is deferred to the end of the window, never
  dropped.

Local times are in the channel's `timezone:` (an IANA name), else the machine's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Digest:
    times: tuple[time, ...]
    weekday: int | None = None  # 0 = Monday; None: every day


def parse_clock(text: str) -> time:
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(f"{text.strip()!r} is not a time of day such as 08:00")
    return time(int(match.group(1)), int(match.group(2)))


def parse_digest(text: str) -> Digest:
    """`"08:00, 18:00"`, `daily`, `weekly`, `"weekly fri 17:00"`."""
    words = text.strip().lower().replace(",", " ").split()
    if not words:
        raise ValueError("is empty: give times such as 08:00, or daily, or weekly")
    if words[0] == "daily":
        return Digest(tuple(parse_clock(w) for w in words[1:]) or (time(8),))
    if words[0] == "weekly":
        rest = words[1:]
        day = 0
        if rest and rest[0][:3] in _DAYS:
            day = _DAYS.index(rest[0][:3])
            rest = rest[1:]
        return Digest(tuple(parse_clock(w) for w in rest) or (time(8),), day)
    return Digest(tuple(sorted(parse_clock(w) for w in words)))


def parse_quiet(text: str) -> tuple[time, time]:
    """`"22:00-07:00"` as (start, end); a window may cross midnight."""
    parts = text.split("-")
    if len(parts) != 2:
        raise ValueError(f"{text!r} is not a window such as 22:00-07:00")
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start == end:
        raise ValueError(f"{text!r} is empty: start and end are the same")
    return start, end


def zone(name: str | None) -> tzinfo:
    """The named IANA zone, or the machine's local zone."""
    if not name:
        return datetime.now().astimezone().tzinfo or UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone such as Europe/Berlin") from None


def next_digest(digest: Digest, now: datetime, tz: tzinfo) -> datetime:
    """The first digest time strictly after `now` (returned in UTC)."""
    local = now.astimezone(tz)
    for days in range(0, 8):
        day = local.date() + timedelta(days=days)
        if digest.weekday is not None and day.weekday() != digest.weekday:
            continue
        for moment in digest.times:
            candidate = _local(day, moment, tz)
            if candidate > now:
                return candidate.astimezone(UTC)
    raise AssertionError("a digest time always comes within 8 days")  # pragma: no cover


def quiet_until(window: tuple[time, time], now: datetime, tz: tzinfo) -> datetime | None:
    """When the quiet window containing `now` ends (UTC), or None when `now` is not quiet."""
    start, end = window
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= clock < end
        end_day = local.date()
    else:  # crosses midnight
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return _local(end_day, end, tz).astimezone(UTC)


def _local(day: object, moment: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, moment).replace(tzinfo=tz)  # type: ignore[arg-type]


_CRON_ALIASES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}


def parse_cron(text: str, now: datetime) -> Any:
    """A crontab line (`*/15 * * * *`, `0 9 * * mon-fri`, `@daily`) as an APScheduler
    trigger in UTC; ValueError for a line that is malformed or never fires."""
    from apscheduler.triggers.cron import CronTrigger

    line = _CRON_ALIASES.get(text.strip().lower(), text.strip())
    if not line:
        raise ValueError("is empty: give a crontab line such as '*/30 * * * *'")
    try:
        trigger = CronTrigger.from_crontab(line, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a crontab line: {exc}") from None
    if trigger.get_next_fire_time(None, now) is None:
        raise ValueError(f"{text!r} never fires (no such date)")
    return trigger
