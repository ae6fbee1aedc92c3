"""Keeping the door open: applications, their stages, second chances and follow-ups.

Pure: the applications, the time (`now`) and the settings come in as arguments; nothing
here reads the store, the clock or the network.

A user marks the postings they applied to (`watcher mark`) or tracks a role found
elsewhere (`watcher track`); each mark is a stage on a date. From those marks and a
site's read this module decides:

- **second chances**: a role the user was turned down for, withdrew from, or heard
  nothing about for `silent_after`, that reopens or is posted again (same company,
  same title as the diff's repost rule compares them, same team) within `window` of
  that ending: one alert to every channel, whatever the filters;
- **similar roles**: a new posting at a company the user applied to that is close to
  that role (same department or team and a close title, or the same title elsewhere):
  sent as usual, marked, and let through the title and seniority filters;
- **follow-ups**: a thank-you note and a request for feedback the day after a
  rejection, a check-in weeks later, a nudge after an application with no news. Each
  falls on a local day and is due at the channel's digest time that day (or
  `remind_at` for a channel without one); one more than `STALE` late is not sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from watcher import timing
from watcher.diff import compare_key
from watcher.match import seniority
from watcher.model import Change, Delivery, EventKind, Posting, target_of, utc_iso
from watcher.routing import Route

STAGES = ("saved", "applied", "interviewing", "offer", "rejected", "withdrawn", "accepted")
# How far each stage goes; an ending says at least that the user applied.
_PROGRESS = {
    "saved": 0,
    "applied": 1,
    "rejected": 1,
    "withdrawn": 1,
    "interviewing": 2,
    "offer": 3,
    "accepted": 4,
}
ENDED = ("rejected", "withdrawn")
WAITING = ("applied", "interviewing")  # the user waits for news
REMINDERS = ("thank_you", "check_in", "follow_up")
STALE = timedelta(days=7)  # a reminder this late is left unsent (a mark written long after)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class DoorSettings:
    """`door:` under `defaults:` in sites.yaml, compiled (None turns a reminder off)."""

    second_chance: bool = True
    window: timedelta = timedelta(days=365)
    silent_after: timedelta = timedelta(days=30)
    similar: bool = True
    thank_you: timedelta | None = timedelta(days=1)
    check_in: timedelta | None = timedelta(weeks=8)
    follow_up: timedelta | None = timedelta(days=14)
    notify: tuple[str, ...] | None = None  # channels for reminders; None: every channel
    remind_at: time = time(9)


@dataclass(frozen=True)
class Mark:
    """One stage of an application, on a date (an interview may have a time too)."""

    id: int
    stage: str
    on: date
    at: time | None = None
    note: str | None = None

    @property
    def when(self) -> str:
        return format_when(self.on, self.at)


@dataclass(frozen=True)
class Application:
    id: int
    company: str
    title: str
    marks: tuple[Mark, ...] = ()
    site: str | None = None  # the watched site and posting it is tied to, if any
    posting_id: str | None = None
    url: str | None = None
    department: str | None = None
    team: str | None = None
    location: str | None = None
    reflection: str | None = field(default=None, compare=False)

    @property
    def latest(self) -> Mark | None:
        """The mark that says where things stand: the latest by date, then by entry."""
        return max(self.marks, key=lambda m: (m.on, m.id), default=None)

    @property
    def stage(self) -> str | None:
        latest = self.latest
        return latest.stage if latest else None

    @property
    def reached(self) -> str:
        """The furthest stage (an ending counts as having applied)."""
        best = max((_PROGRESS[m.stage] for m in self.marks), default=0)
        return ("saved", "applied", "interviewing", "offer", "accepted")[best]

    @property
    def applied_on(self) -> date | None:
        """The first day of the application proper (not a "saved")."""
        days = [m.on for m in self.marks if _PROGRESS[m.stage] >= 1]
        return min(days) if days else None

    @property
    def note(self) -> str | None:
        """The first line of the latest note."""
        for mark in sorted(self.marks, key=lambda m: (m.on, m.id), reverse=True):
            lines = [line.strip() for line in (mark.note or "").splitlines() if line.strip()]
            if lines:
                return lines[0]
        return None

    def at_company(self, site: str) -> bool:
        """Whether a posting of `site` is at this application's company."""
        if self.site is not None:
            return self.site == site
        return compare_key(self.company) == compare_key(site)

    @property
    def role(self) -> str:
        """`the role you interviewed for` / `the role you applied to`."""
        if _PROGRESS[self.reached] >= _PROGRESS["interviewing"]:
            return "the role you interviewed for"
        return "the role you applied to"


# --- marks -------------------------------------------------------------------------

_WHEN = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}:\d{2}))?$")


def parse_when(text: str, today: date) -> tuple[date, time | None]:
    """`2026-03-14`, `2026-03-14 15:30` (a local time), `today` or `yesterday`."""
    word = text.strip().lower()
    if word in ("today", "yesterday"):
        return today - timedelta(days=word == "yesterday"), None
    found = _WHEN.match(word)
    if not found:
        raise ValueError(f"{text!r} is not a date such as 2026-03-14 (or 2026-03-14 15:30)")
    try:
        day = date.fromisoformat(found.group(1))
    except ValueError:
        raise ValueError(f"{text!r} is not a date that exists") from None
    return day, timing.parse_clock(found.group(2)) if found.group(2) else None


def format_when(day: date, at: time | None = None) -> str:
    return day.isoformat() + (f" {at:%H:%M}" if at else "")


def check_mark(stage: str, day: date, today: date) -> None:
    """ValueError for an unknown stage, or a date in the future for anything but an
    interview (one can be booked ahead; an application cannot be sent ahead)."""
    if stage not in STAGES:
        raise ValueError(f"{stage!r} is not a stage: use one of {', '.join(STAGES)}")
    if day > today and stage != "interviewing":
        raise ValueError(
            f"{stage} on {day.isoformat()} is in the future (today is {today.isoformat()}); "
            "only an interview can be marked ahead"
        )


def spoken(day: date, *, year: bool = True) -> str:
    """`14 March 2026`, or `14 March`."""
    return f"{day.day} {_MONTHS[day.month - 1]}" + (f" {day.year}" if year else "")


# --- second chances ----------------------------------------------------------------


def ended_on(application: Application, today: date, settings: DoorSettings) -> date | None:
    """When the application ended for the user: the rejection or withdrawal, or the day
    the silence after the last news reached `silent_after`; None while it is alive."""
    latest = application.latest
    if latest is None:
        return None
    if latest.stage in ENDED:
        return latest.on
    if latest.stage in WAITING:
        silent = latest.on + timedelta(days=settings.silent_after.days)
        return silent if silent <= today else None
    return None


@dataclass(frozen=True)
class Alert:
    """A second chance: the application, the change of the read that opens the door
    again (its index), and the notice to send (titled and said in plain words)."""

    application: Application
    change: int
    posting_id: str
    key: str
    title: str
    body: str
    url: str


def second_chances(
    site: str,
    changes: Sequence[Change],
    applications: Sequence[Application],
    now: datetime,
    settings: DoorSettings,
    *,
    closed_at: Mapping[str, datetime | None] | None = None,
) -> list[Alert]:
    """The second-chance alerts a site's read makes: an ended application's posting
    reopened, reposted (the diff's repost, or a new posting with the same title and
    team at the same company) within `window` of the ending. `closed_at` (posting id ->
    when it closed) tells reopenings of one posting apart; one alert per application
    and posting."""
    if not settings.second_chance:
        return []
    today = now.date()
    alive = [
        (app, end)
        for app in applications
        if app.at_company(site)
        and (end := ended_on(app, today, settings)) is not None
        and today - end <= settings.window
    ]
    out: list[Alert] = []
    told: set[tuple[int, str]] = set()
    for index, change in enumerate(changes):
        posting = change.posting
        if posting is None or change.kind not in (
            EventKind.NEW,
            EventKind.REOPENED,
            EventKind.REPOSTED,
        ):
            continue
        for app, end in alive:
            how = _door(app, site, change, posting)
            if how is None or (app.id, change.posting_id) in told:
                continue
            told.add((app.id, change.posting_id))
            since = (closed_at or {}).get(change.posting_id)
            occasion = utc_iso(since or now) if change.kind is EventKind.REOPENED else "new"
            out.append(
                Alert(
                    app,
                    index,
                    change.posting_id,
                    f"door/second/{app.id}/{site}/{change.posting_id}/{occasion}",
                    f"{app.company}: {app.role} is open again: {posting.title}",
                    _second_body(app, end, how, since),
                    posting.url,
                )
            )
    return out


def _door(app: Application, site: str, change: Change, posting: Posting) -> str | None:
    """How `change` opens the application's door again: reopened, reposted, or None."""
    own = app.site == site and app.posting_id is not None
    if own and change.posting_id == app.posting_id:
        return "reopened" if change.kind is EventKind.REOPENED else None
    if own and change.kind is EventKind.REPOSTED and change.previous_id == app.posting_id:
        return "reposted"
    if compare_key(posting.title) == compare_key(app.title) and _same_team(app, posting):
        return "reposted"
    return None


def _team(department: str | None, team: str | None) -> str:
    return compare_key(team or department or "")


def _same_team(app: Application, posting: Posting) -> bool:
    """Same team when both say which; a side that does not say is taken as the same."""
    mine, theirs = _team(app.department, app.team), _team(posting.department, posting.team)
    return not mine or not theirs or mine == theirs


def _second_body(app: Application, end: date, how: str, closed: datetime | None) -> str:
    applied = app.applied_on
    first = f"You applied on {spoken(applied)}" if applied else "You applied"
    reached = {
        "interviewing": " and got as far as the interviews",
        "offer": " and got as far as an offer",
    }.get(app.reached, "")
    stage = app.stage
    if stage == "rejected":
        ending = f"; they said no on {spoken(end)}."
    elif stage == "withdrawn":
        ending = f"; you withdrew on {spoken(end)}."
    else:
        last = app.latest
        ending = f"; you have heard nothing since {spoken(last.on)}." if last else "."
    lines = [first + reached + ending]
    if app.note:
        lines.append(f"Your note: {app.note}")
    if how == "reopened":
        lines.append(
            f"It closed on {spoken(closed.date())} and is listed again."
            if closed
            else "It is listed again."
        )
    else:
        lines.append("It is posted again, as a new posting.")
    lines.append("The door is open: a short note to the people you met can go with it.")
    return "\n".join(lines)


@dataclass(frozen=True)
class DoorEvent:
    """What a check decided about an application, written with the check: a second
    chance (`deliveries` and `payload`: the notice to every channel) or a similar role
    (told in the posting's own message, marked)."""

    key: str
    application: int
    kind: str  # second_chance, similar
    site: str
    posting_id: str
    deliveries: tuple[Delivery, ...] = ()
    payload: dict[str, Any] = field(default_factory=dict)


# --- similar roles -----------------------------------------------------------------

# Roman numerals of a ladder ("Engineer III") say the level, not the role.
_NUMERALS = frozenset({"i", "ii", "iii", "iv", "v"})
_CLOSE = 0.6  # shared words (level words aside) over all words, for a close title


def _role_words(title: str) -> frozenset[str]:
    """A title's words without the ones that only say the level (Senior, Staff, Jr...)."""
    words = re.findall(r"\w+", compare_key(title))
    return frozenset(
        w
        for w in words
        if w not in _NUMERALS and seniority(w) not in ("junior", "senior", "staff", "principal")
    )


def close_titles(a: str, b: str) -> bool:
    """Titles of the same role at another level or with another qualifier: most of their
    words (level words aside) are shared. `Senior Backend Engineer` and `Backend
    Engineer, Payments` are close; `Backend Engineer` and `Frontend Engineer` are not."""
    left, right = _role_words(a), _role_words(b)
    if not left or not right:
        return False
    return len(left & right) / len(left | right) >= _CLOSE


@dataclass(frozen=True)
class Similar:
    application: Application
    note: str  # "similar to the role you applied to in March"


def similar(
    site: str,
    posting: Posting,
    applications: Sequence[Application],
    now: datetime,
    settings: DoorSettings,
) -> Similar | None:
    """The application a new posting of `site` resembles: at the same company, applied
    to (not just saved) within `window`, and either the same title anywhere, or the same
    department or team and a close title."""
    if not settings.similar:
        return None
    today = now.date()
    for app in sorted(applications, key=lambda a: -a.id):  # the most recent first
        latest = app.latest
        if (
            latest is None
            or not app.at_company(site)
            or _PROGRESS[app.reached] < _PROGRESS["applied"]
            or today - latest.on > settings.window
            or (app.site == site and app.posting_id == posting.id)
        ):
            continue
        mine, theirs = _team(app.department, app.team), _team(posting.department, posting.team)
        same_title = compare_key(app.title) == compare_key(posting.title)
        if same_title or (mine and mine == theirs and close_titles(app.title, posting.title)):
            when = app.applied_on or latest.on
            month = _MONTHS[when.month - 1] + (f" {when.year}" if when.year != today.year else "")
            return Similar(app, f"similar to {app.role} in {month}")
    return None


# --- follow-ups --------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    """A reminder an application's marks plan, on a local day."""

    application: Application
    kind: str  # thank_you, check_in, follow_up
    anchor: Mark  # the mark it follows
    day: date
    title: str
    body: str

    @property
    def key(self) -> str:
        return f"door/{self.kind}/{self.application.id}/{self.anchor.id}"

    @property
    def label(self) -> str:
        return {
            "thank_you": "thank them, ask for feedback",
            "check_in": "check in",
            "follow_up": "follow up",
        }[self.kind]


def followups(applications: Sequence[Application], settings: DoorSettings) -> list[FollowUp]:
    """Every reminder the applications' latest marks plan, due or not, sent or not."""
    out = []
    for app in applications:
        latest = app.latest
        if latest is None:
            continue
        if latest.stage == "rejected":
            if settings.thank_you is not None:
                out.append(_thank_you(app, latest, settings.thank_you))
            if settings.check_in is not None:
                out.append(_check_in(app, latest, settings.check_in))
        elif latest.stage in WAITING and settings.follow_up is not None:
            out.append(_follow_up(app, latest, settings.follow_up))
    return sorted(out, key=lambda f: (f.day, f.application.id, REMINDERS.index(f.kind)))


def _after(mark: Mark, delay: timedelta) -> date:
    """The day `delay` after a mark (reminders fall on days: at least the next one)."""
    return mark.on + timedelta(days=max(delay.days, 1))


def _thank_you(app: Application, mark: Mark, delay: timedelta) -> FollowUp:
    body = (
        f"{app.company} said no to {app.title} on {spoken(mark.on)}. A few lines today "
        "thanking them for their time, and asking what would have made the difference, "
        "keep the door open: people remember who took it well, and feedback mostly comes "
        "to those who ask."
    )
    title = f"{app.company}: thank them, and ask for feedback"
    return FollowUp(app, "thank_you", mark, _after(mark, delay), title, body)


def _check_in(app: Application, mark: Mark, delay: timedelta) -> FollowUp:
    weeks = max(delay.days // 7, 1)
    body = (
        f"It has been {weeks} week{'s' if weeks != 1 else ''} since {app.company} said no "
        f"to {app.title}. A short, warm note to the people you met says you are still "
        "interested; and a look at their careers page: roles come back when a hire does "
        "not work out."
    )
    title = f"{app.company}: time to check in"
    return FollowUp(app, "check_in", mark, _after(mark, delay), title, body)


def _follow_up(app: Application, mark: Mark, delay: timedelta) -> FollowUp:
    days = delay.days
    what = (
        f"Your interview for {app.title} was on {spoken(mark.on)}"
        if mark.stage == "interviewing"
        else f"You applied to {app.title} on {spoken(mark.on)}"
    )
    body = (
        f"{what}, and {days} day{'s' if days != 1 else ''} on there is no news. A short, "
        "polite note to the recruiter asking where things stand is normal, and often "
        "gets an answer."
    )
    title = f"{app.company}: follow up on your application"
    return FollowUp(app, "follow_up", mark, _after(mark, delay), title, body)


def reminder_time(day: date, tz: tzinfo, digest: timing.Digest | None, at: time) -> datetime:
    """When a reminder of `day` is due on a channel (UTC): its first digest time from
    that local day on, or `at` that day when the channel has no digest."""
    if digest is not None:
        start = datetime.combine(day, time(0)).replace(tzinfo=tz) - timedelta(microseconds=1)
        return timing.next_digest(digest, start, tz)
    return datetime.combine(day, at).replace(tzinfo=tz).astimezone(UTC)


def due_followups(
    applications: Sequence[Application],
    now: datetime,
    settings: DoorSettings,
    *,
    tz: tzinfo,
    digest: timing.Digest | None = None,
) -> list[FollowUp]:
    """The reminders due `now` on a channel of time zone `tz` (and `digest`): their time
    has come, by less than `STALE`."""
    return [
        f
        for f in followups(applications, settings)
        if timedelta(0) <= now - reminder_time(f.day, tz, digest, settings.remind_at) <= STALE
    ]


def reminders(
    applications: Sequence[Application],
    now: datetime,
    settings: DoorSettings,
    routes: Mapping[str, Route],
) -> list[tuple[FollowUp, Delivery]]:
    """The reminders due `now` on each channel (`notify`, else every one), each at the
    channel's own local time, and where each goes: one delivery per URL, deferred only
    by quiet hours (a reminder is its own message, never held for a digest)."""
    out = []
    for name in settings.notify if settings.notify is not None else tuple(routes):
        route = routes.get(name)
        if route is None:
            continue
        for followup in due_followups(
            applications, now, settings, tz=route.tz, digest=route.digest
        ):
            due = route.quiet_end(now) or now
            out += [(followup, Delivery(name, target_of(url), due)) for url in route.urls]
    return out
