"""Reading what is stored: `list`, `show`, `export`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from watcher import config as config_mod
from watcher.cli.applications import application_detail, application_lines, export_text
from watcher.cli.common import (
    EXIT_USAGE,
    command_options,
    load_config,
    open_store,
    terminal_width,
    use_color,
)
from watcher.cycle import utcnow
from watcher.render import Column, export_row, paint, plural, printable, table, to_csv, to_json
from watcher.routing import selects
from watcher.store import StoreError, as_posting


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        age = config_mod.parse_duration(value)
    except (ValueError, OverflowError) as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    now = utcnow()
    try:
        return now - age
    except OverflowError:  # further back than dates go: everything
        return datetime.min.replace(tzinfo=now.tzinfo)


def _query(
    status: str, site: str | None, since: str | None, search: str | None, matching: bool = False
) -> list[dict[str, Any]]:
    store = open_store(readonly=True)
    try:
        rows = store.postings(
            status=status, site=site, since=_since(since), search=search, full=matching
        )
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    finally:
        store.close()
    return _matching(rows) if matching else rows


def _matching(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows today's filters select (site and channel `match:`), each with its why."""
    config = load_config()
    now = utcnow()
    out = []
    for row in rows:
        site = config.site(row["site"])
        if site is None:
            continue
        verdict = selects(config, site, as_posting(row), now)
        if verdict.ok:
            row.pop("description", None)
            out.append({**row, "why": list(verdict.why)})
    return out


_STATUS = click.option(
    "--status", type=click.Choice(["open", "closed", "all"]), default="open", show_default=True
)
_SITE = click.option("--site", default=None, help="only this site")
_SINCE = click.option("--since", default=None, metavar="AGE", help="first seen within (7d, 12h)")
_SEARCH = click.option(
    "--search", default=None, metavar="TEXT", help="words in title or description"
)


@click.command(name="list")
@command_options
@_STATUS
@_SITE
@_SINCE
@_SEARCH
@click.option("--matching", is_flag=True, help="only what today's filters select, with why")
@click.option("--json", "as_json", is_flag=True, help="a JSON array, for scripts")
def list_(
    status: str,
    site: str | None,
    since: str | None,
    search: str | None,
    matching: bool,
    as_json: bool,
) -> None:
    """Stored postings, newest first.

    \b
    Examples:
      watcher list --since 7d
      watcher list --matching
      watcher list --search "rust backend" --status all
      watcher list --site Stripe --json | jq '.[].title'
    """
    rows = _query(status, site, since, search, matching)
    if as_json:
        click.echo(to_json(rows))
        return
    if not rows:
        filtered = site or since or search or matching or status != "open"
        click.echo(_nothing(filtered))
        return
    click.echo(_postings_table(rows, status != "open", matching))
    color = use_color()
    hint = f"{plural(len(rows), 'posting')}; `watcher show ID` for one in full"
    click.echo(paint(hint, color, dim=True))


def _nothing(filtered: object) -> str:
    """What an empty list says: nothing matched, or nothing stored at all."""
    if not filtered:
        return "no open postings stored yet: run `watcher check`"
    return "no posting matches (try fewer filters, or --status all)"


def _postings_table(rows: list[dict[str, Any]], with_status: bool, with_why: bool) -> str:
    """Titles get the room; the id is cut to its start (`watcher show` takes a prefix)."""
    columns: list[Column | str] = [
        Column("first seen", min_width=10),
        Column("site", max_width=18),
        Column("title", ratio=3, min_width=20),
        Column("location", ratio=1, min_width=8, max_width=28),
    ]
    if with_status:
        columns.append("status")
    if with_why:
        columns.append(Column("why", ratio=2, min_width=12))
    columns.append(Column("id", max_width=10))
    body = []
    for r in rows:
        line = [r["first_seen"][:10], r["site"], r["title"], r["location"]]
        line += [r["status"]] if with_status else []
        line += [" · ".join(r.get("why") or [])] if with_why else []
        body.append([*line, _short_id(r["id"])])
    return table(columns, body, width=terminal_width())


def _short_id(posting_id: str) -> str:
    return posting_id if len(posting_id) <= 10 else posting_id[:8] + "…"


@click.command()
@command_options
@click.argument("posting")
@click.option("--site", default=None, help="the site, when the id is not unique")
@click.option("--json", "as_json", is_flag=True, help="print JSON, for scripts")
def show(posting: str, site: str | None, as_json: bool) -> None:
    """One posting in full, with its history (first seen, changes, closed, reopened).

    \b
    Example:
      watcher show 4012345
      watcher show 4012345 --site Stripe
    """
    if not posting.strip():
        raise click.BadParameter("give a posting's id, site:id or URL", param_hint="POSTING")
    store = open_store(readonly=True)
    try:
        keys = store.resolve(posting.strip(), site)
        rows = [
            row
            for key_site, key_id in keys
            for row in store.postings(status="all", site=key_site, posting_id=key_id, full=True)
        ]
        for row in rows:
            row["history"] = store.history(row["site"], row["id"])
            row["application"] = application_detail(store, row["site"], row["id"])
    finally:
        store.close()
    if not rows:
        click.echo(f"error: no posting {printable(posting)!r} (see `watcher list`)", err=True)
        raise SystemExit(EXIT_USAGE)
    if len(rows) > 1:
        names = ", ".join(f"{r['site']}:{r['id']}" for r in rows[:5])
        click.echo(
            f"error: {printable(posting)!r} could be several postings ({printable(names)}): "
            "give more of the id, or site:id",
            err=True,
        )
        raise SystemExit(EXIT_USAGE)
    (row,) = rows
    if as_json:
        click.echo(to_json(row))
        return
    color = use_color()
    title = paint(printable(row["title"]), color, bold=True)
    click.echo(f"{title}  ({printable(row['site'])}, {row['status']})")
    click.echo(printable(row["url"]))
    click.echo(f"  {'id':11} {printable(row['id'])}")
    comp = row.get("compensation") or {}
    for label, value in (
        ("location", row["location"]),
        ("department", row["department"]),
        ("team", row["team"]),
        ("employment", row["employment"]),
        ("workplace", row["workplace"]),
        ("salary", comp.get("summary")),
        ("posted", row["posted_at"]),
        ("first seen", row["first_seen"]),
        ("last seen", row["last_seen"]),
        ("closed", row["closed_at"]),
    ):
        if value:
            click.echo(f"  {label:11} {printable(value)}")
    click.echo(paint("history:", color, bold=True))
    for event in row["history"]:
        what = event["kind"]
        if event["fields"]:
            what += f" ({event['fields']})"
        if event["previous_id"]:
            what += f" (repost of {event['previous_id']})"
        click.echo(f"  {event['at']}  {printable(what)}")
    for line in application_lines(row["application"]):
        click.echo(paint(line, color, bold=True) if not line.startswith(" ") else line)
    if row.get("description"):
        click.echo("")
        click.echo(printable(row["description"], lines=True))


@click.command()
@command_options
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@_STATUS
@_SITE
@_SINCE
@_SEARCH
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option(
    "--applications",
    "applied",
    is_flag=True,
    help="your applications instead (stages, notes, reflections)",
)
def export(
    fmt: str,
    status: str,
    site: str | None,
    since: str | None,
    search: str | None,
    output: Path | None,
    applied: bool,
) -> None:
    """Export stored postings as CSV or JSON (to stdout, or --output FILE); with
    --applications, your applications with their marks, notes and reflections.

    \b
    Example:
      watcher export --format csv --status all -o postings.csv
      watcher export --applications --format json -o applications.json
    """
    if applied:
        text, count = export_text(fmt)
        noun = "application"
    else:
        rows = _query(status, site, since, search)
        text = to_csv(rows) if fmt == "csv" else to_json([export_row(r) for r in rows]) + "\n"
        count, noun = len(rows), "posting"
    if output:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.BadParameter(
                f"cannot write {output}: {exc.strerror or exc}", param_hint="--output"
            ) from None
        click.echo(f"wrote {count} {noun}(s) to {output}", err=True)
    else:
        click.echo(text, nl=False)
