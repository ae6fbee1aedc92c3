"""What each page shows, as plain data for its template: built from the store's queries,
the config and the time, so that each is tested on a real database without a server.
Nothing here knows HTTP; the templates only lay the data out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from watcher.config import Config
from watcher.routing import selects
from watcher.store import Store, as_posting
from watcher.store.trends import SORTS, OpeningsQuery, SiteSummary
from watcher.text import parse_time
from watcher.web.charts import sparkline

PAGE_SIZE = 50
ROLES_SHOWN = 100  # a company's open roles listed on its page (the rest: Openings)
MAX_DAYS = 90
MARKS = ("applied", "interviewing", "offer", "rejected", "withdrawn", "accepted", "saved")


class NotFound(Exception):
    """The page asked for names nothing stored: the message says what."""


def safe_url(url: object) -> str | None:
    """A board's link as a link only when it is http(s) with a host: never
    `javascript:`, `data:` or anything else a hostile board may send."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme in ("http", "https") and parts.hostname else None


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(value or default)
    except ValueError:
        return default
    return min(max(number, low), high)


def _redact(config: Config | None, text: str | None) -> str | None:
    return config.redact(text) if config and text else text


# --- New ----------------------------------------------------------------------------------


@dataclass
class Group:
    site: str
    postings: list[dict[str, Any]] = field(default_factory=list)


def new_page(
    store: Store, config: Config | None, now: datetime, params: Mapping[str, str]
) -> dict[str, Any]:
    """Postings first seen in the last days that today's filters select (each with why),
    grouped by company, the company with the newest first."""
    days = _int(params.get("days"), 7, 1, MAX_DAYS)
    everything = params.get("all") == "1"
    groups: dict[str, Group] = {}
    hidden = 0
    for row in store.arrivals(now - timedelta(days=days)):
        site = config.site(row["site"]) if config else None
        why: tuple[str, ...] = ()
        if config is not None:
            if site is None:
                continue  # no longer in sites.yaml
            verdict = selects(config, site, as_posting(row), now)
            if not verdict.ok and not everything:
                hidden += 1
                continue
            why = verdict.why if verdict.ok else ()
        row.pop("description", None)
        row["why"] = list(why)
        row["link"] = safe_url(row["url"])
        groups.setdefault(row["site"], Group(row["site"])).postings.append(row)
    return {
        "days": days,
        "everything": everything,
        "filtered": config is not None,
        "groups": list(groups.values()),
        "count": sum(len(g.postings) for g in groups.values()),
        "hidden": hidden,
        "day_choices": (1, 3, 7, 14, 30),
    }


# --- Openings -----------------------------------------------------------------------------

STATUSES = ("open", "closed", "all")
FIRST_SEEN = {"": "any time", "1": "today", "7": "this week", "30": "this month"}
SINCE_DAYS = ("1", "7", "30")


def openings_query(params: Mapping[str, str], now: datetime) -> OpeningsQuery:
    status = params.get("status", "open")
    sort = params.get("sort", "newest")
    since_days = params.get("since", "")
    return OpeningsQuery(
        search=(params.get("q") or "").strip() or None,
        site=params.get("site") or None,
        location=(params.get("location") or "").strip() or None,
        remote=params.get("remote") == "1",
        department=(params.get("department") or "").strip() or None,
        status=status if status in STATUSES else "open",
        since=now - timedelta(days=int(since_days)) if since_days in SINCE_DAYS else None,
        sort=sort if sort in SORTS else "newest",
        after=params.get("after") or None,
        before=params.get("before") or None,
        limit=PAGE_SIZE,
    )


def openings_page(store: Store, now: datetime, params: Mapping[str, str]) -> dict[str, Any]:
    query = openings_query(params, now)
    page = store.openings(query)
    for row in page.rows:
        row["link"] = safe_url(row["url"])
    kept = {
        key: params[key]
        for key in ("q", "site", "location", "remote", "department", "status", "since", "sort")
        if params.get(key)
    }
    return {
        "query": query,
        "form": kept,
        "page": page,
        "next_url": "/openings?" + urlencode({**kept, "after": page.next}) if page.next else None,
        "previous_url": "/openings?" + urlencode({**kept, "before": page.previous})
        if page.previous
        else None,
        "first_url": "/openings?" + urlencode(kept) if page.previous else None,
        "sites": store.site_names(),
        "statuses": STATUSES,
        "sorts": {"newest": "newest first", "oldest": "oldest first", "title": "title A-Z"},
        "first_seen": FIRST_SEEN,
    }


# --- Companies and a company --------------------------------------------------------------


def _health(summary: SiteSummary | dict[str, Any]) -> str:
    failures = summary.failures if isinstance(summary, SiteSummary) else summary.get("failures")
    if isinstance(summary, SiteSummary):
        attention, checked = summary.attention, summary.last_check
    else:
        attention, checked = bool(summary.get("attention")), summary.get("last_check")
    if attention:
        return "needs attention"
    if failures:
        return "failing"
    return "ok" if checked else "not checked yet"


def companies_page(store: Store, config: Config | None, today: date) -> dict[str, Any]:
    """One row per site, broken boards first, then by name."""
    weeks = 12
    rows: list[dict[str, Any]] = []
    known = set()
    for summary in store.site_summaries(today, weeks=weeks):
        known.add(summary.name)
        rows.append(
            {
                "name": summary.name,
                "platform": summary.platform,
                "open": summary.open,
                "new_week": summary.new_week,
                "last_check": parse_time(summary.last_check),
                "failures": summary.failures,
                "last_error": _redact(config, summary.last_error),
                "health": _health(summary),
                "broken": summary.broken,
                "spark": sparkline(summary.weekly_open),
                "trend_text": ", ".join("?" if v is None else str(v) for v in summary.weekly_open),
            }
        )
    for site in config.sites if config else ():
        if site.name not in known:
            rows.append(
                {
                    "name": site.name,
                    "platform": site.platform,
                    "open": 0,
                    "new_week": 0,
                    "last_check": None,
                    "failures": 0,
                    "last_error": None,
                    "health": "not checked yet",
                    "broken": False,
                    "spark": "",
                    "trend_text": "",
                }
            )
    rows.sort(key=lambda r: (not r["broken"], r["name"].casefold()))
    return {"rows": rows, "weeks": weeks, "broken": sum(r["broken"] for r in rows)}


def company_page(store: Store, config: Config | None, now: datetime, name: str) -> dict[str, Any]:
    row = store.site_row(name)
    site = config.site(name) if config else None
    if row is None and site is None:
        raise NotFound(f"no company named {name!r}: see Companies")
    row = row or {"name": name, "open": 0}
    trend = store.trend(name, now.date())
    roles = store.openings(OpeningsQuery(site=name, limit=ROLES_SHOWN))
    for role in roles.rows:
        role["link"] = safe_url(role["url"])
    board = config.redact(site.source().display()) if site and config else row.get("board")
    next_run = None
    last = parse_time(row.get("last_check"))
    if site is not None and not site.cron:
        next_run = (last + site.every) if last else now
    return {
        "name": name,
        "site": row,
        "configured": site is not None,
        "platform": site.platform if site else row.get("platform"),
        "board": board,
        "board_link": safe_url(board if board and "://" in str(board) else None),
        "health": _health(row),
        "last_check": last,
        "last_success": parse_time(row.get("last_success")),
        "next_run": next_run,
        "cron": site.cron if site else None,
        "last_error": _redact(config, row.get("last_error")),
        "trend": trend,
        "trend_rows": list(zip(trend.weeks, trend.new, trend.closed, strict=True)),
        "open_now": row.get("open", 0),
        "roles": roles,
        "more_roles": "/openings?" + urlencode({"site": name})
        if roles.total > ROLES_SHOWN
        else None,
        "events": store.site_events(name, limit=40),
        "open_range": _open_range(trend.open),
    }


def _open_range(values: list[int | None]) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return "no data yet"
    return f"between {min(known)} and {max(known)} open postings in the last {len(values)} days"


def _when(stamp: str | None) -> str | None:
    """`2026-11-26 07:00 UTC` from a stored time."""
    return f"{stamp[:10]} {stamp[11:16]} UTC" if stamp else None


# --- a posting ----------------------------------------------------------------------------


def posting_page(store: Store, config: Config | None, site: str, posting_id: str) -> dict[str, Any]:
    row = store.posting(site, posting_id)
    if row is None:
        raise NotFound(f"no posting {posting_id!r} at {site!r}")
    comp = row.get("compensation") or {}
    fields = [
        ("company", site),
        ("location", row.get("location")),
        ("department", row.get("department")),
        ("team", row.get("team")),
        ("employment", row.get("employment")),
        ("workplace", row.get("workplace")),
        ("salary", comp.get("summary")),
        ("posted", _when(row.get("posted_at"))),
        ("first seen", _when(row.get("first_seen"))),
        ("last seen", _when(row.get("last_seen"))),
        ("closed", _when(row.get("closed_at"))),
        ("id", posting_id),
    ]
    application = store.application_of(site, posting_id)
    return {
        "posting": row,
        "link": safe_url(row["url"]),
        "fields": [(label, value) for label, value in fields if value],
        "history": row["history"],
        "application": application,
        "marks": MARKS,
    }


# --- Applications ---------------------------------------------------------------------------


def applications_page(store: Store) -> dict[str, Any]:
    """The user's applications by the stage they stand at, latest first."""
    order = ("interviewing", "offer", "applied", "saved", "accepted", "rejected", "withdrawn")
    stages: dict[str, list[Any]] = {stage: [] for stage in order}
    for app in store.applications():
        stages.setdefault(app.stage or "saved", []).append(
            {
                "app": app,
                "link": safe_url(app.url),
                "posting": f"/posting?{urlencode({'site': app.site, 'id': app.posting_id})}"
                if app.site and app.posting_id
                else None,
            }
        )
    return {
        "stages": [(stage, apps) for stage, apps in stages.items() if apps],
        "count": sum(len(apps) for apps in stages.values()),
    }
