"""Reading what is stored: `list`, `show`, `export`."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from watcher import config as config_mod
from watcher.cli.common import (
    EXIT_USAGE,
    command_options,
    load_config,
    open_store,
    use_color,
)
from watcher.cycle import utcnow
from watcher.render import export_row, paint, table, to_csv, to_json
from watcher.routing import selects
from watcher.store import StoreError, as_posting


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return utcnow() - config_mod.parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None


def _query(
    status: str, site: str | None, since: str | None, search: str | None, matching: bool = False
) -> list[dict[str, Any]]:
    store = open_store()
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
        click.echo("no postings stored yet: run `watcher check`" if status == "open" else "none")
        return
    color = use_color()
    width = shutil.get_terminal_size((120, 24)).columns if color else None
    body = table(
        ["first seen", "site", "title", "location", "status", "id"],
        (
            [r["first_seen"][:10], r["site"], r["title"], r["location"], r["status"], r["id"]]
            for r in rows
        ),
        width=width,
        shrink=2,
    )
    click.echo(body)
    click.echo(paint(f"{len(rows)} posting(s); `watcher show ID` for one in full", color, dim=True))


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
    store = open_store()
    try:
        rows = store.postings(status="all", site=site, posting_id=posting, full=True)
        for row in rows:
            row["history"] = store.history(row["site"], row["id"])
    finally:
        store.close()
    if not rows:
        click.echo(f"error: no posting with id {posting!r}", err=True)
        raise SystemExit(EXIT_USAGE)
    if len(rows) > 1:
        names = ", ".join(r["site"] for r in rows)
        click.echo(f"error: id {posting!r} is at several sites ({names}): add --site", err=True)
        raise SystemExit(EXIT_USAGE)
    (row,) = rows
    if as_json:
        click.echo(to_json(row))
        return
    color = use_color()
    click.echo(paint(row["title"], color, bold=True) + f"  ({row['site']}, {row['status']})")
    click.echo(row["url"])
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
            click.echo(f"  {label:11} {value}")
    click.echo(paint("history:", color, bold=True))
    for event in row["history"]:
        what = event["kind"]
        if event["fields"]:
            what += f" ({event['fields']})"
        if event["previous_id"]:
            what += f" (repost of {event['previous_id']})"
        click.echo(f"  {event['at']}  {what}")
    if row.get("description"):
        click.echo("")
        click.echo(row["description"])


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
def export(
    fmt: str,
    status: str,
    site: str | None,
    since: str | None,
    search: str | None,
    output: Path | None,
) -> None:
    """Export stored postings as CSV or JSON (to stdout, or --output FILE).

    \b
    Example:
      watcher export --format csv --status all -o postings.csv
    """
    rows = _query(status, site, since, search)
    text = to_csv(rows) if fmt == "csv" else to_json([export_row(r) for r in rows]) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(rows)} posting(s) to {output}", err=True)
    else:
        click.echo(text, nl=False)
