"""Keeping the door open: `mark`, `track`, `applications`, `reflect`, `calendar`."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import click

from watcher import door
from watcher.cli.common import (
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    command_options,
    open_store,
    optional_config,
    terminal_width,
    use_color,
)
from watcher.door import STAGES, Application, DoorSettings, FollowUp
from watcher.render import Column, csv_cell, paint, plural, printable, table, to_json
from watcher.store import Store, StoreError


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    """Today in the machine's time zone: the day marks are dated in."""
    return _now().astimezone().date()


def _settings() -> tuple[DoorSettings, set[str] | None]:
    """The `door:` settings and the watched sites' names (None without a sites.yaml)."""
    config = optional_config()
    if config is None:
        return DoorSettings(), None
    return config.door, {site.name for site in config.sites}


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(code)


def _when(on: str | None, stage: str) -> tuple[date, Any]:
    today = _today()
    try:
        day, at = door.parse_when(on or "today", today)
        door.check_mark(stage, day, today)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--on") from None
    return day, at


def _application(store: Store, ref: str, site: str | None) -> Application | tuple[str, str]:
    """What POSTING names: a stored posting's (site, id), or an application tracked from
    elsewhere by its URL; exit 2 when it names nothing, or several postings."""
    ref = ref.strip()
    if not ref:
        raise click.BadParameter("give a posting's id, site:id or URL", param_hint="POSTING")
    keys = store.resolve(ref, site)
    if len(keys) > 1:
        names = ", ".join(f"{s}:{i}" for s, i in keys[:5])
        _fail(
            f"{printable(ref)!r} could be several postings ({printable(names)}): "
            "give more of the id, or site:id"
        )
    if keys:
        return keys[0]
    tracked = store.tracked(ref) if ref.startswith(("http://", "https://")) else []
    if not tracked:
        _fail(
            f"no posting {printable(ref)!r} (see `watcher list`; for a role found "
            "elsewhere, `watcher track URL --company NAME --title TITLE`)"
        )
    return tracked[0]


_STAGE = click.Choice(STAGES, case_sensitive=False)
_ON = click.option(
    "--on",
    default=None,
    metavar="DATE",
    help="when it happened (default today): 2026-03-14, or '2026-03-14 15:30' for an interview",
)
_NOTE = click.option("--note", default=None, metavar="TEXT", help="a note kept with the mark")
_SITE = click.option("--site", default=None, help="the site, when the id is not unique")


def _said(app: Application) -> str:
    latest = app.latest
    where = f"{app.company}: {app.title}"
    return printable(f"{where}: {latest.stage} on {latest.when}" if latest else where)


@click.command()
@command_options
@click.argument("posting")
@click.argument("stage", type=_STAGE, metavar="STAGE")
@_ON
@_NOTE
@_SITE
def mark(posting: str, stage: str, on: str | None, note: str | None, site: str | None) -> None:
    """Mark a stored posting with a stage of your application: saved, applied,
    interviewing, offer, rejected, withdrawn or accepted. Each mark is kept with its
    date: `watcher show POSTING` shows the history.

    \b
    Examples:
      watcher mark 4012345 applied
      watcher mark Stripe:4012345 interviewing --on "2026-03-20 14:00" --note "onsite, 4 rounds"
      watcher mark Stripe:4012345 rejected --note "they went with someone senior"
    """
    stage = stage.lower()
    day, at = _when(on, stage)
    store = open_store(readonly=True)  # a posting to mark must be stored: no new database
    try:
        found = _application(store, posting, site)
        now = _now()
        if isinstance(found, Application):
            app = store.track(str(found.url), found.company, found.title, stage, day, at, note, now)
        else:
            app = store.mark(*found, stage, day, at, note, now)
    except StoreError as exc:
        _fail(str(exc), EXIT_UNEXPECTED)
    finally:
        store.close()
    click.echo(_said(app))


@click.command()
@command_options
@click.argument("url")
@click.option("--company", required=True, help="the company's name (a watched site's, to match)")
@click.option("--title", required=True, help="the role's title")
@click.option("--stage", type=_STAGE, default="applied", show_default=True)
@_ON
@_NOTE
def track(url: str, company: str, title: str, stage: str, on: str | None, note: str | None) -> None:
    """Record an application for a role found elsewhere (a referral, a recruiter, a job
    site). When URL is a posting of a watched board, the application is tied to it.

    \b
    Example:
      watcher track https://jobs.example.com/123 --company Acme --title "Backend Engineer"
    """
    url, company, title = url.strip(), company.strip(), title.strip()
    if not url.startswith(("http://", "https://")):
        raise click.BadParameter("give the role's http(s) link", param_hint="URL")
    if not company or not title:
        raise click.BadParameter("give a company and a title", param_hint="--company/--title")
    stage = stage.lower()
    day, at = _when(on, stage)
    store = open_store()
    try:
        now = _now()
        keys = store.resolve(url)
        if len(keys) == 1:
            app = store.mark(*keys[0], stage, day, at, note, now)
            click.echo(f"tied to the watched posting {printable(':'.join(keys[0]))}")
        else:
            app = store.track(url, company, title, stage, day, at, note, now)
    except StoreError as exc:
        _fail(str(exc), EXIT_UNEXPECTED)
    finally:
        store.close()
    click.echo(_said(app))


# --- what stands --------------------------------------------------------------------


def _next(
    app: Application, planned: list[FollowUp], queued: set[str], today: date
) -> FollowUp | None:
    """The application's next reminder not sent yet (nor too late to be)."""
    return next(
        (
            f
            for f in planned
            if f.application.id == app.id and f.key not in queued and today - f.day <= door.STALE
        ),
        None,
    )


def _posting_text(row: dict[str, Any], watched: set[str] | None) -> str:
    """Where an application's posting stands, in words."""
    if row["site"] is None:
        return "not watched"
    state = row["posting"]
    since = (state.get("since") or "")[:10]
    text = {
        "open": "open",
        "closed": f"closed on {since}",
        "reopened": f"reopened on {since}",
    }.get(state.get("status") or "", "not stored")
    if state.get("open_again"):
        text += "; open again: " + ", ".join(state["open_again"])
    if watched is not None and row["site"] not in watched:
        text += " (site not watched now)"
    return text


def application_json(
    app: Application, state: dict[str, Any], upcoming: FollowUp | None, today: date
) -> dict[str, Any]:
    """An application as `applications --json` and `export --applications` give it."""
    latest = app.latest
    return {
        "id": app.id,
        "company": app.company,
        "title": app.title,
        "url": app.url,
        "site": app.site,
        "posting_id": app.posting_id,
        "stage": app.stage,
        "since": latest.when if latest else None,
        "applied_on": app.applied_on.isoformat() if app.applied_on else None,
        "reached": app.reached,
        "posting": state,
        "next_followup": {
            "kind": upcoming.kind,
            "what": upcoming.label,
            "day": upcoming.day.isoformat(),
            "due": upcoming.day <= today,
        }
        if upcoming
        else None,
        "marks": [{"stage": m.stage, "on": m.when, "note": m.note} for m in app.marks],
        "reflection": app.reflection,
    }


def gather(
    store: Store, settings: DoorSettings, *, search: str | None = None
) -> list[dict[str, Any]]:
    """Every application as JSON-ready rows, with its posting and next reminder."""
    apps = store.applications(search=search)
    states = store.posting_state(apps)
    planned = door.followups(apps, settings)
    queued = store.reminders_queued()
    today = _today()
    return [
        application_json(app, states[app.id], _next(app, planned, queued, today), today)
        for app in apps
    ]


def application_detail(store: Store, site: str, posting_id: str) -> dict[str, Any] | None:
    """A posting's application for `watcher show`: its marks, notes, reflection, and
    what watcher told of it (`told`); None when the posting is not marked."""
    app = store.application_of(site, posting_id)
    if app is None:
        return None
    state = store.posting_state([app])[app.id]
    return {**application_json(app, state, None, _today()), "told": store.door_events(app.id)}


def application_lines(detail: dict[str, Any] | None) -> list[str]:
    """`application_detail` as `watcher show` prints it (headings unindented)."""
    if not detail:
        return []
    lines = [f"application: {detail['stage']} since {detail['since']}"]
    for m in detail["marks"]:
        note = " / ".join(line.strip() for line in (m["note"] or "").splitlines() if line.strip())
        lines.append(printable(f"  {m['on']:16} {m['stage']:12} {note}").rstrip())
    for event in detail["told"]:
        what = "open again" if event["kind"] == "second_chance" else "similar role"
        lines.append(
            printable(f"  {event['at']}  told: {what}, {event['site']}:{event['posting_id']}")
        )
    if detail["reflection"]:
        lines.append("reflection:")
        lines += ["  " + printable(line) for line in detail["reflection"].splitlines()]
    return lines


@click.command(name="applications")
@command_options
@click.option("--stage", type=_STAGE, default=None, help="only those at this stage now")
@click.option("--search", default=None, metavar="TEXT", help="words in notes or reflections")
@click.option("--json", "as_json", is_flag=True, help="a JSON array, for scripts")
def applications(stage: str | None, search: str | None, as_json: bool) -> None:
    """Your applications: company, role, stage and since when, where the posting stands
    (open, closed on DATE, reopened), and the next follow-up; then what is due.

    \b
    Examples:
      watcher applications
      watcher applications --stage interviewing
      watcher applications --search "system design"
    """
    settings, watched = _settings()
    store = open_store(readonly=True)
    try:
        rows = gather(store, settings, search=search)
    except StoreError as exc:
        _fail(str(exc))
    finally:
        store.close()
    if stage:
        rows = [r for r in rows if r["stage"] == stage.lower()]
    if as_json:
        click.echo(to_json(rows))
        return
    if not rows:
        filtered = stage or search
        click.echo(
            "no application matches"
            if filtered
            else "no applications yet: `watcher mark POSTING applied` records one"
        )
        return
    columns: list[Column | str] = [
        Column("company", max_width=20),
        Column("role", ratio=3, min_width=16),
        "stage",
        "since",
        Column("posting", ratio=2, min_width=10),
        Column("next follow-up", ratio=1, min_width=12),
    ]
    body = []
    for row in rows:
        upcoming = row["next_followup"]
        body.append(
            [
                row["company"],
                row["title"],
                row["stage"] or "",
                (row["since"] or "")[:10],
                _posting_text(row, watched),
                ("due: " if upcoming["due"] else upcoming["day"] + ": ") + upcoming["what"]
                if upcoming
                else "",
            ]
        )
    click.echo(table(columns, body, width=terminal_width()))
    due = [r for r in rows if r["next_followup"] and r["next_followup"]["due"]]
    color = use_color()
    if due:
        click.echo(paint("due now:", color, bold=True))
        for row in due:
            what = row["next_followup"]["what"]
            click.echo(printable(f"  {row['company']}, {row['title']}: {what}"))
    click.echo(paint(plural(len(rows), "application"), color, dim=True))


# --- reflecting ----------------------------------------------------------------------

_QUESTIONS = ("What went well:", "What to improve:", "Feedback received:", "Questions they asked:")


def _template(app: Application) -> str:
    head = (
        f"# {app.title} at {app.company}: a few lines while it is fresh. "
        "Lines starting with # are left out."
    )
    return "\n".join([head, "", *(f"{q}\n\n" for q in _QUESTIONS)])


def _kept(text: str) -> str:
    """The reflection as saved: without comment lines, and empty when only the
    template's questions are left."""
    lines = [line.rstrip() for line in text.splitlines() if not line.lstrip().startswith("#")]
    body = "\n".join(lines).strip()
    return "" if all(line in _QUESTIONS for line in body.split("\n") if line.strip()) else body


@click.command()
@command_options
@click.argument("posting")
@_SITE
def reflect(posting: str, site: str | None) -> None:
    """Open $EDITOR on a short reflection (what went well, what to improve, feedback
    received, questions they asked), kept with the application and searchable with
    `watcher applications --search`. Run it again to edit it.

    \b
    Example:
      EDITOR=nano watcher reflect 4012345
    """
    store = open_store(readonly=True)
    try:
        found = _application(store, posting, site)
        app = found if isinstance(found, Application) else store.application_of(*found)
        if app is None:
            _fail(f"{printable(posting)!r} is not marked yet: `watcher mark {posting} applied`")
        try:
            edited = click.edit(app.reflection or _template(app), extension=".txt")
        except click.UsageError as exc:
            _fail(f"cannot open an editor: {exc} (set $EDITOR)")
        text = _kept(edited or "")
        if edited is None or not text or text == (app.reflection or ""):
            click.echo("nothing changed")
            return
        store.reflect(app.id, text)
    except StoreError as exc:
        _fail(str(exc), EXIT_UNEXPECTED)
    finally:
        store.close()
    click.echo(printable(f"kept your reflection on {app.title} at {app.company}"))


# --- the calendar --------------------------------------------------------------------


def calendar_of(apps: list[Application], settings: DoorSettings, stamp: datetime) -> bytes:
    """An iCalendar file of the follow-ups the marks plan (all-day events) and of the
    interviews (at their time when one was given, else all day)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//careers-watcher//watcher calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "watcher: applications")

    def event(uid: str, summary: str, start: Any, end: Any, app: Application, text: str) -> None:
        item = Event()
        item.add("uid", f"{uid}@careers-watcher")
        item.add("dtstamp", stamp)
        item.add("summary", summary)
        item.add("dtstart", start)
        item.add("dtend", end)
        if text:
            item.add("description", text)
        if app.url:
            item.add("url", app.url)
        cal.add_component(item)

    for f in door.followups(apps, settings):
        day = f.day
        event(f.key, f.title, day, day + timedelta(days=1), f.application, f.body)
    for app in apps:
        for m in app.marks:
            if m.stage != "interviewing":
                continue
            start: Any = m.on
            end: Any = m.on + timedelta(days=1)
            if m.at is not None:
                # the machine's local time that day (its DST), written in UTC
                start = datetime.combine(m.on, m.at).astimezone().astimezone(UTC)
                end = start + timedelta(hours=1)
            summary = f"Interview: {app.title} at {app.company}"
            event(f"door/interview/{app.id}/{m.id}", summary, start, end, app, m.note or "")
    return bytes(cal.to_ical())


@click.command()
@command_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="the .ics file to write (default: standard output)",
)
def calendar(output: Path | None) -> None:
    """Export follow-ups and interview dates as an iCalendar file, for any calendar.

    \b
    Example:
      watcher calendar -o followups.ics
    """
    settings, _ = _settings()
    store = open_store(readonly=True)
    try:
        apps = store.applications()
    finally:
        store.close()
    data = calendar_of(apps, settings, _now())
    if output is None:
        click.echo(data.decode(), nl=False)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise click.BadParameter(
            f"cannot write {output}: {exc.strerror or exc}", param_hint="--output"
        ) from None
    count = data.count(b"BEGIN:VEVENT")
    click.echo(f"wrote {plural(count, 'event')} to {output}", err=True)


# --- export ---------------------------------------------------------------------------

EXPORT_FIELDS = (
    "id",
    "company",
    "title",
    "url",
    "site",
    "posting_id",
    "stage",
    "since",
    "applied_on",
    "reached",
    "posting_status",
    "marks",
    "reflection",
)


def export_text(fmt: str) -> tuple[str, int]:
    """`watcher export --applications`: every application with its marks, as CSV or JSON,
    and how many."""
    settings, _ = _settings()
    store = open_store(readonly=True)
    try:
        rows = gather(store, settings)
    finally:
        store.close()
    if fmt == "json":
        return to_json(rows) + "\n", len(rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        flat = {
            **{key: row.get(key) for key in EXPORT_FIELDS},
            "posting_status": row["posting"].get("status"),
            "marks": "; ".join(
                f"{m['on']} {m['stage']}" + (f": {m['note']}" if m["note"] else "")
                for m in row["marks"]
            ),
        }
        writer.writerow({key: csv_cell(value) for key, value in flat.items()})
    return buffer.getvalue(), len(rows)
