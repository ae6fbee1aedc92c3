"""The queries behind `watcher serve`: openings a page at a time, what came in lately,
and each site's hiring trend, all read from the postings and their lifecycle events.

Paging is by keyset (the last row's sort values), never OFFSET, so the 2,000th page costs
what the first does; each sort is served by an index (`m006_web_indexes`). Trends are
counted from the events a check already writes (new, reopened, reposted, closed): the open
count of a past day is today's minus what opened since, plus what closed since. A site's
baseline (its first read, silent by design) is not counted as hiring.
"""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import orjson

from watcher.model import utc_iso
from watcher.store.queries import Queries
from watcher.store.rows import StoreError
from watcher.text import html_to_text

# sort name -> (columns in order, descending): ties broken by (site, id), in the same direction
SORTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "newest": (("p.first_seen", "p.site", "p.id"), True),
    "oldest": (("p.first_seen", "p.site", "p.id"), False),
    "title": (("p.title COLLATE NOCASE", "p.site", "p.id"), False),
}
LIST_COLUMNS = (
    "p.site, p.id, p.title, p.url, p.location, p.department, p.workplace, p.status, "
    "p.first_seen, p.closed_at, p.compensation"
)


@dataclass(frozen=True)
class OpeningsQuery:
    """What the Openings page asks for. `after`/`before`: a cursor from a page's
    `next`/`previous`, for the page after or before it."""

    search: str | None = None
    site: str | None = None
    location: str | None = None
    remote: bool = False
    department: str | None = None
    status: str = "open"  # open, closed, all
    since: datetime | None = None  # first seen at or after
    sort: str = "newest"
    after: str | None = None
    before: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class OpeningsPage:
    rows: list[dict[str, Any]]
    total: int
    next: str | None = None  # cursor of the page after this one
    previous: str | None = None  # cursor of the page before this one


@dataclass(frozen=True)
class Trend:
    """A site's days from `days[0]` to today: postings open at each day's end (None
    before the site's baseline), and per week (starting Monday) new and closed ones."""

    days: list[date]
    open: list[int | None]
    weeks: list[date]
    new: list[int]
    closed: list[int]


@dataclass
class SiteSummary:
    """One row of the Companies page."""

    name: str
    platform: str | None
    board: str | None
    open: int = 0
    new_week: int = 0
    last_check: str | None = None
    last_success: str | None = None
    failures: int = 0
    last_error: str | None = None
    error_kind: str | None = None
    attention: bool = False
    weekly_open: list[int | None] = field(default_factory=list)

    @property
    def broken(self) -> bool:
        return self.failures > 0 or self.attention


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode().rstrip("=")


def decode_cursor(text: str) -> list[Any] | None:
    """The sort values a cursor holds, or None for one that is not ours."""
    try:
        values = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, orjson.JSONDecodeError):
        return None
    if not isinstance(values, list) or len(values) != 3:
        return None
    if not all(isinstance(v, str) for v in values):
        return None
    return values


def day_of(stamp: str) -> date:
    return date.fromisoformat(stamp[:10])


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


class Trends(Queries):
    # --- Openings ---------------------------------------------------------------------

    def openings(self, query: OpeningsQuery) -> OpeningsPage:
        """One page of stored postings, filtered and sorted, with the total that match."""
        where, args = self._openings_filter(query)
        columns, descending = SORTS.get(query.sort, SORTS["newest"])
        backwards = query.before is not None and query.after is None
        cursor = decode_cursor((query.before if backwards else query.after) or "")
        # Reading backwards (the page before) flips the order, then the rows back.
        down = descending != backwards
        page_where = list(where)
        page_args = list(args)
        if cursor is not None:
            page_where.append(f"({', '.join(columns)}) {'<' if down else '>'} (?, ?, ?)")
            page_args += cursor
        order = ", ".join(f"{c} {'DESC' if down else 'ASC'}" for c in columns)
        sql = (
            f"SELECT {LIST_COLUMNS} FROM postings p"
            + (f" WHERE {' AND '.join(page_where)}" if page_where else "")
            + f" ORDER BY {order} LIMIT ?"
        )
        # Counting with filters an index cannot serve: a plain scan of the table beats
        # the status index and a lookup per row (70 ms against 600 at 100,000 postings).
        counted = where
        if query.location or query.department or query.remote:
            counted = [c.replace("p.status = ?", "+p.status = ?") for c in where]
        count_sql = "SELECT COUNT(*) FROM postings p" + (
            f" WHERE {' AND '.join(counted)}" if counted else ""
        )
        try:
            found = self._rows(sql, [*page_args, query.limit + 1])
            total = int(self.db.conn.execute(count_sql, args).fetchone()[0])
        except sqlite3.OperationalError as exc:
            raise StoreError(f"bad search {query.search!r}: {exc}") from None
        more = len(found) > query.limit
        rows = found[: query.limit]
        if backwards:
            rows.reverse()
        key = [c.split()[0].removeprefix("p.") for c in columns]

        def cursor_of(row: dict[str, Any]) -> str:
            return encode_cursor([row[k] for k in key])

        if not rows:
            return OpeningsPage([], total)
        if backwards:
            has_next, has_previous = True, more
        else:
            has_next, has_previous = more, cursor is not None
        return OpeningsPage(
            rows,
            total,
            next=cursor_of(rows[-1]) if has_next else None,
            previous=cursor_of(rows[0]) if has_previous else None,
        )

    def _openings_filter(self, query: OpeningsQuery) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        args: list[Any] = []
        if query.status in ("open", "closed"):
            where.append("p.status = ?")
            args.append(query.status)
        if query.status == "open":  # a site sites.yaml no longer names has no open postings
            removed = [
                row[0]
                for row in self.db.conn.execute(
                    "SELECT name FROM sites WHERE removed_at IS NOT NULL"
                )
            ]
            if removed:
                where.append(f"p.site NOT IN ({', '.join('?' * len(removed))})")
                args += removed
        if query.site:
            where.append("p.site = ?")
            args.append(query.site)
        if query.since:
            where.append("p.first_seen >= ?")
            args.append(utc_iso(query.since))
        if query.location:
            where.append("p.location LIKE ? ESCAPE '\\'")
            args.append(f"%{like(query.location)}%")
        if query.department:
            where.append("(p.department LIKE ? ESCAPE '\\' OR p.team LIKE ? ESCAPE '\\')")
            args += [f"%{like(query.department)}%"] * 2
        if query.remote:
            where.append("(p.workplace = 'remote' OR p.location LIKE '%remote%')")
        if query.search and query.search.strip():
            clause, more = self.search_clause(query.search)
            where.append(clause)
            args += more
        return where, args

    def _rows(self, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        cursor = self.db.conn.execute(sql, args)
        names = [d[0] for d in cursor.description]
        out = []
        for row in cursor:
            item = dict(zip(names, row, strict=True))
            if "compensation" in item:
                item["compensation"] = (
                    orjson.loads(item["compensation"]) if item["compensation"] else None
                )
            if "locations" in item:
                item["locations"] = orjson.loads(item["locations"]) if item["locations"] else []
            out.append(item)
        return out

    def site_names(self) -> list[str]:
        """The sites sites.yaml names (as of the last check)."""
        rows = self.db.conn.execute("SELECT name FROM sites WHERE removed_at IS NULL ORDER BY name")
        return [row[0] for row in rows]

    # --- New ------------------------------------------------------------------------------

    def arrivals(self, since: datetime, limit: int = 2000) -> list[dict[str, Any]]:
        """Postings first seen at or after `since`, newest first, with their descriptions
        (filters read them), leaving out each site's baseline."""
        rows = self._rows(
            "SELECT p.site, p.id, p.title, p.url, p.location, p.locations, p.department, "
            "p.team, p.employment, p.workplace, p.compensation, p.posted_at, p.status, "
            "p.first_seen, p.closed_at, unpack(d.body, d.dictionary) AS description, "
            "d.html AS description_is_html FROM postings p "
            "JOIN sites s ON s.name = p.site "
            "LEFT JOIN descriptions d ON d.site = p.site AND d.id = p.id "
            "WHERE p.first_seen >= ? AND p.first_seen > COALESCE(s.baseline_at, '') "
            "AND s.removed_at IS NULL "
            "ORDER BY p.first_seen DESC, p.site, p.id LIMIT ?",
            [utc_iso(since), limit],
        )
        for row in rows:
            if row.pop("description_is_html", None):
                row["description"] = html_to_text(row["description"])
        return rows

    # --- Company and Companies --------------------------------------------------------------

    def site_row(self, name: str) -> dict[str, Any] | None:
        rows = self._rows(
            "SELECT s.*, (SELECT COUNT(*) FROM postings p WHERE p.site = s.name "
            "AND p.status = 'open') AS open FROM sites s WHERE s.name = ?",
            [name],
        )
        return rows[0] if rows else None

    def trend(self, site: str, today: date, days: int = 91, weeks: int = 13) -> Trend:
        """`site`'s open postings at the end of each of the last `days` days, and its new
        and closed postings in each of the last `weeks` weeks (today's included)."""
        first_week = monday(today) - timedelta(weeks=weeks - 1)
        start = min(today - timedelta(days=days - 1), first_week)
        row = self.site_row(site)
        deltas = self._daily_events(start, site).get(site, {})
        baseline = day_of(row["baseline_at"]) if row and row.get("baseline_at") else None
        opens = _open_series(int(row["open"]) if row else 0, deltas, start, today, baseline)
        day_list = [start + timedelta(days=i) for i in range((today - start).days + 1)]
        keep = len(day_list) - days
        week_list = [first_week + timedelta(weeks=i) for i in range(weeks)]
        new = dict.fromkeys(week_list, 0)
        closed = dict.fromkeys(week_list, 0)
        for day, (_, gone, hired) in deltas.items():
            week = monday(day)
            if week in new:
                new[week] += hired
                closed[week] += gone
        return Trend(
            day_list[keep:],
            opens[keep:],
            week_list,
            [new[w] for w in week_list],
            [closed[w] for w in week_list],
        )

    def _daily_events(
        self, start: date, site: str | None = None
    ) -> dict[str, dict[date, tuple[int, int, int]]]:
        """Per site (every one, or `site`) and day from `start`: (postings opened, closed,
        new), the baseline's events left out. One query; each site's rows are read from
        `events_site_at`."""
        scope, args = (" AND s.name = ?", [site]) if site else ("", [])
        rows = self.db.conn.execute(
            "SELECT e.site, substr(e.at, 1, 10) AS day, "
            "SUM(e.kind IN ('new', 'reopened', 'reposted')), SUM(e.kind = 'closed'), "
            "SUM(e.kind = 'new') FROM sites s JOIN events e ON e.site = s.name AND e.at >= ? "
            f"WHERE e.at > COALESCE(s.baseline_at, ''){scope} GROUP BY e.site, day",
            [start.isoformat(), *args],
        )
        out: dict[str, dict[date, tuple[int, int, int]]] = {}
        for name, day, opened, closed, new in rows:
            out.setdefault(name, {})[date.fromisoformat(day)] = (opened, closed, new)
        return out

    def site_summaries(self, today: date, weeks: int = 12) -> list[SiteSummary]:
        """Every site sites.yaml names (as of the last check), with its open postings at
        the end of each of the last `weeks` weeks, and its new postings of the last 7 days."""
        rows = self._rows(
            "SELECT s.name, s.platform, s.board, s.baseline_at, s.last_check, s.last_success, "
            "s.failures, s.last_error, s.error_kind, s.attention, "
            "(SELECT COUNT(*) FROM postings p WHERE p.site = s.name AND p.status = 'open') "
            "AS open FROM sites s WHERE s.removed_at IS NULL ORDER BY s.name",
            [],
        )
        start = monday(today) - timedelta(weeks=weeks - 1)
        deltas = self._daily_events(start)
        week_ago = today - timedelta(days=6)
        out = []
        for r in rows:
            days = deltas.get(r["name"], {})
            baseline = day_of(r["baseline_at"]) if r["baseline_at"] else None
            series = _open_series(r["open"], days, start, today, baseline)
            weekly = [series[min(i * 7 + 6, len(series) - 1)] for i in range(weeks)]
            out.append(
                SiteSummary(
                    name=r["name"],
                    platform=r["platform"],
                    board=r["board"],
                    open=r["open"],
                    new_week=sum(v[2] for d, v in days.items() if d >= week_ago),
                    last_check=r["last_check"],
                    last_success=r["last_success"],
                    failures=r["failures"],
                    last_error=r["last_error"],
                    error_kind=r["error_kind"],
                    attention=bool(r["attention"]),
                    weekly_open=weekly,
                )
            )
        return out

    def site_events(self, site: str, limit: int = 50) -> list[dict[str, Any]]:
        """A site's latest lifecycle events with their postings' titles, its baseline left out."""
        return self._rows(
            "SELECT e.kind, e.at, e.posting_id, e.fields, e.previous_id, p.title FROM events e "
            "JOIN sites s ON s.name = e.site "
            "LEFT JOIN postings p ON p.site = e.site AND p.id = e.posting_id "
            "WHERE e.site = ? AND e.posting_id IS NOT NULL "
            "AND e.at > COALESCE(s.baseline_at, '') ORDER BY e.at DESC, e.id DESC LIMIT ?",
            [site, limit],
        )

    def posting(self, site: str, posting_id: str) -> dict[str, Any] | None:
        """One posting in full (description as text), with its history."""
        rows = self._rows(
            "SELECT p.*, unpack(d.body, d.dictionary) AS description, "
            "d.html AS description_is_html FROM postings p "
            "LEFT JOIN descriptions d ON d.site = p.site AND d.id = p.id "
            "WHERE p.site = ? AND p.id = ?",
            [site, posting_id],
        )
        if not rows:
            return None
        row = rows[0]
        if row.pop("description_is_html", None):
            row["description"] = html_to_text(row["description"])
        row["history"] = self._rows(
            "SELECT kind, at, fields, previous_id FROM events WHERE site = ? AND posting_id = ? "
            "ORDER BY id",
            [site, posting_id],
        )
        return row


def like(text: str) -> str:
    """`text` as a LIKE pattern's literal part (its wildcards escaped)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _open_series(
    now_open: int,
    deltas: dict[date, tuple[int, int, int]],
    start: date,
    today: date,
    baseline: date | None,
) -> list[int | None]:
    """Open postings at the end of each day from `start` to `today`, counted back from
    today's; None for the days before the site's baseline (nothing was known)."""
    count = (today - start).days + 1
    out: list[int | None] = [None] * count
    running = now_open
    for index in range(count - 1, -1, -1):
        day = start + timedelta(days=index)
        if baseline is not None and day < baseline:
            break
        out[index] = max(running, 0)
        opened, closed, _ = deltas.get(day, (0, 0, 0))
        running = running - opened + closed
    return out
