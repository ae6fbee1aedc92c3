"""The `watcher` command: parse options, call the library, render the output.

Exit codes: 0 every site was read; 3 at least one site failed (the others were
processed and stored); 2 a usage or config error (nothing fetched or written);
1 anything unexpected.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import shutil
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from watcher import __version__
from watcher import config as config_mod
from watcher.cycle import CycleReport, SiteResult, check_sites, make_fetcher, site_status, utcnow
from watcher.notify import deliver, privacy_url, send_sample
from watcher.render import export_row, paint, table, to_csv, to_json
from watcher.routing import selects
from watcher.starter import SCHEMA_FILE, STARTER
from watcher.store import OutboxRow, Store, StoreError, as_posting

EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, EXIT_SITE_FAILED = 0, 1, 2, 3

F = TypeVar("F", bound=Callable[..., Any])


def _global_options(func: F) -> F:
    """--config and --db, accepted before or after the subcommand."""
    func = click.option(
        "--db",
        "db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="database file [env WATCHER_DB; default $STATE_DIRECTORY/watcher.db, "
        "else the user state dir]",
    )(func)
    func = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="sites.yaml to use [env WATCHER_CONFIG; default ./sites.yaml, "
        "else the user config dir]",
    )(func)
    return func


def _command_options(func: F) -> F:
    """Store a subcommand's --config/--db over the group's, then call it."""

    @_global_options
    @functools.wraps(func)
    def wrapper(*args: Any, config_path: Path | None, db: Path | None, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        obj = ctx.ensure_object(dict)
        if config_path is not None:
            obj["config_path"] = config_path
        if db is not None:
            obj["db"] = db
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def config_path() -> Path:
    obj = click.get_current_context().ensure_object(dict)
    if obj.get("config_path"):
        return Path(obj["config_path"])
    if os.environ.get("WATCHER_CONFIG"):
        return Path(os.environ["WATCHER_CONFIG"])
    return config_mod.default_path()


def db_path() -> Path:
    obj = click.get_current_context().ensure_object(dict)
    if obj.get("db"):
        return Path(obj["db"])
    if os.environ.get("WATCHER_DB"):
        return Path(os.environ["WATCHER_DB"])
    if os.environ.get("STATE_DIRECTORY"):
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0]) / "watcher.db"
    import platformdirs

    return Path(platformdirs.user_state_dir("watcher")) / "watcher.db"


def load_config() -> config_mod.Config:
    """The config, or exit 2 with every problem on stderr."""
    try:
        config = config_mod.load(config_path())
    except config_mod.ConfigError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(EXIT_USAGE) from None
    for warning in config.warnings:
        click.echo(f"warning: {warning}", err=True)
    return config


def open_store() -> Store:
    try:
        return Store(db_path())
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(EXIT_UNEXPECTED) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@_global_options
@click.version_option(__version__, prog_name="watcher")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, db: Path | None) -> None:
    """Watch companies' careers pages and get told of new openings.

    \b
    watcher init            write a starter sites.yaml
    watcher add URL         add a company from any careers link
    watcher validate        check sites.yaml
    watcher check           one cycle: fetch, diff, store, notify
    watcher run             the same on a schedule, as a daemon
    watcher list            what is stored (--json for scripts)
    watcher status          per site: last check, next run, failures
    """
    ctx.ensure_object(dict)
    ctx.obj.update(config_path=config_path, db=db)


@cli.command()
@_command_options
@click.option("--force", is_flag=True, help="overwrite an existing file")
def init(force: bool) -> None:
    """Write a commented starter sites.yaml.

    \b
    Example:
      watcher init && $EDITOR sites.yaml && watcher validate
    """
    path = config_path() if _explicit_config() else Path("sites.yaml")
    if path.exists() and not force:
        click.echo(f"error: {path} exists; not overwriting it (use --force)", err=True)
        raise SystemExit(EXIT_USAGE)
    path.parent.mkdir(parents=True, exist_ok=True)
    schema_path = path.parent / SCHEMA_FILE
    schema_path.write_text(to_json(config_mod.json_schema()) + "\n", encoding="utf-8")
    path.write_text(STARTER, encoding="utf-8")
    click.echo(f"wrote {path} (and {schema_path.name}, so editors complete and check it)")
    click.echo("edit it, then run `watcher validate` and `watcher check`")


def _explicit_config() -> bool:
    obj = click.get_current_context().ensure_object(dict)
    return bool(obj.get("config_path") or os.environ.get("WATCHER_CONFIG"))


@cli.command()
@_command_options
def validate() -> None:
    """Check sites.yaml and say what is wrong and where.

    \b
    Example:
      watcher validate --config ~/jobs/sites.yaml
    """
    config = load_config()
    click.echo(f"{config.path}: ok ({len(config.sites)} sites, {len(config.channels)} channels)")


@cli.command()
@_command_options
@click.option("--site", "names", multiple=True, help="check only this site (repeatable)")
@click.option(
    "--notify-existing",
    is_flag=True,
    help="on a site's first read, notify its existing postings instead of a silent baseline",
)
@click.option("--json", "as_json", is_flag=True, help="print the results as JSON")
@click.option("-q", "--quiet", is_flag=True, help="print only failures")
@click.option("-v", "--verbose", is_flag=True, help="also list the new postings of each site")
def check(
    names: tuple[str, ...], notify_existing: bool, as_json: bool, quiet: bool, verbose: bool
) -> None:
    """Run one cycle: fetch every site, diff, store, notify.

    Exit 0 when every site was read, 3 when some failed (the others were still
    processed), 2 on a config error.

    \b
    Example (cron, every 30 minutes):
      */30 * * * *  watcher check --quiet
    """
    config = load_config()
    sites = list(config.sites)
    if names:
        unknown = [n for n in names if config.site(n) is None]
        if unknown:
            click.echo(f"error: no site named {', '.join(map(repr, unknown))}", err=True)
            raise SystemExit(EXIT_USAGE)
        sites = [s for s in sites if s.name in names]
    store = open_store()

    color = _color()
    done = 0

    def show(result: SiteResult) -> None:
        nonlocal done
        done += 1
        if as_json or (quiet and result.ok):
            return
        mood = {"fg": "red"} if not result.ok else ({"fg": "green"} if result.new else {})
        progress = paint(f"[{done}/{len(sites)}] ", color, dim=True) if color else ""
        line = f"{progress}{paint(result.site, color, bold=True)}: "
        click.echo(line + paint(config.redact(result.summary()), color, **mood))
        if verbose:
            for title in result.titles:
                click.echo(f"    + {title}")

    try:
        report = asyncio.run(_check(config, store, sites, notify_existing, show))
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(EXIT_UNEXPECTED) from None
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(_report_json(report), indent=2))
    else:
        _print_delivery(report, quiet)
    raise SystemExit(EXIT_SITE_FAILED if report.failed else EXIT_OK)


async def _check(
    config: config_mod.Config,
    store: Store,
    sites: list[config_mod.Site],
    notify_existing: bool,
    show: Callable[[SiteResult], None],
) -> CycleReport:
    async with make_fetcher(config) as fetcher:
        return await check_sites(
            config,
            store,
            fetcher,
            sites,
            concurrency=config.defaults.concurrency or 8,
            notify_existing=notify_existing,
            on_result=show,
        )


def _print_delivery(report: CycleReport, quiet: bool) -> None:
    delivery = report.delivery
    if delivery.messages and not quiet:
        click.echo(f"sent {delivery.messages} message(s) ({delivery.sent} notification(s))")
    for error in delivery.errors:
        click.echo(f"notification failed: {error}", err=True)
    if delivery.failed:
        click.echo(f"{delivery.failed} notification(s) will be retried", err=True)
    if delivery.dead:
        click.echo(f"{delivery.dead} notification(s) gave up: see `watcher outbox`", err=True)


def _report_json(report: CycleReport) -> dict[str, Any]:
    return {
        "sites": [vars(result) for result in report.sites],
        "delivery": {
            "messages": report.delivery.messages,
            "sent": report.delivery.sent,
            "retrying": report.delivery.failed,
            "dead": report.delivery.dead,
        },
    }


def _color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


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


@cli.command(name="list")
@_command_options
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
    color = _color()
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


@cli.command()
@_command_options
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
    color = _color()
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


@cli.command()
@_command_options
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


@cli.command(name="notify-test")
@_command_options
@click.argument("channel", required=False)
def notify_test(channel: str | None) -> None:
    """Send a sample message to a channel (default: every channel) and report, per URL,
    success or the reason for failure.

    \b
    Example:
      watcher notify-test phone
    """
    config = load_config()
    names = [channel] if channel else list(config.channels)
    if channel and channel not in config.channels:
        click.echo(f"error: no channel named {channel!r} in {config.path}", err=True)
        raise SystemExit(EXIT_USAGE)
    if not names:
        click.echo(f"error: {config.path} defines no channels", err=True)
        raise SystemExit(EXIT_USAGE)
    failed = 0
    for name in names:
        for url, outcome in send_sample(config.channels[name].urls):
            shown = config.redact(privacy_url(url))
            if outcome.ok:
                click.echo(f"{name}: {shown}: sent")
            else:
                failed += 1
                click.echo(f"{name}: {shown}: FAILED: {config.redact(outcome.reason)}", err=True)
    raise SystemExit(EXIT_SITE_FAILED if failed else EXIT_OK)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of sites.yaml (editors use it to complete and check the file).

    \b
    Example:
      watcher schema > sites.schema.json
    """
    click.echo(to_json(config_mod.json_schema()))


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script.

    \b
    Example:
      watcher completion bash > ~/.local/share/bash-completion/completions/watcher
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    if cls is None:  # pragma: no cover - the choice above lists the supported shells
        raise click.BadParameter(shell)
    click.echo(cls(cli, {}, "watcher", "_WATCHER_COMPLETE").source())


@cli.command()
@_command_options
@click.option("-v", "--verbose", is_flag=True, help="log debug details too")
def run(verbose: bool) -> None:
    """Run as a daemon: check every site on its own schedule until stopped.

    SIGHUP re-reads sites.yaml (a broken file is reported and the running one
    kept); SIGTERM or Ctrl-C stop after running checks finish (10 s at most).

    \b
    Example:
      watcher run --config /etc/watcher/sites.yaml
    """
    from watcher.daemon import Daemon

    config = load_config()
    store = open_store()
    _setup_logging(config, verbose)
    try:
        asyncio.run(Daemon(config_path(), store, config).serve())
    finally:
        store.close()


def _setup_logging(config: config_mod.Config, verbose: bool) -> None:
    """Log lines to stderr (journald adds the time), with secrets masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_Redact(config.redact))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)


class _Redact(logging.Filter):
    def __init__(self, redact: Callable[[str], str]):
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        return True


@cli.command()
@_command_options
@click.option("--json", "as_json", is_flag=True, help="print JSON, for scripts")
def status(as_json: bool) -> None:
    """Per site: platform, open postings, last check and success, next run,
    failures and last error; and notifications waiting to be sent.

    \b
    Example:
      watcher status --json | jq '.sites[] | select(.failures > 0)'
    """
    config = load_config()
    store = open_store()
    try:
        data = site_status(config, store, utcnow())
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    color = _color()
    width = shutil.get_terminal_size((120, 24)).columns if color else None
    click.echo(
        table(
            [
                "site",
                "platform",
                "open",
                "last check",
                "last success",
                "next run",
                "fails",
                "last error",
            ],
            (
                [
                    s["name"],
                    s["platform"],
                    s["open"],
                    s["last_check"] or "never",
                    s["last_success"] or "never",
                    s["next_run"],
                    s["failures"],
                    config.redact(s["last_error"] or ""),
                ]
                for s in data["sites"]
            ),
            width=width,
        )
    )
    failing = sum(1 for s in data["sites"] if s["failures"])
    summary = (
        f"{len(data['sites'])} site(s), {failing} failing; "
        f"{data['pending_notifications']} notification(s) waiting to be sent"
    )
    click.echo(paint(summary, color, fg="red" if failing else None))


@cli.command()
@_command_options
@click.option("--retry", is_flag=True, help="send pending and dead notifications again now")
@click.option("--json", "as_json", is_flag=True, help="print JSON, for scripts")
def outbox(retry: bool, as_json: bool) -> None:
    """Notifications not yet delivered: pending (to be retried) and dead (gave up).

    \b
    Example:
      watcher outbox            # what is waiting, and why
      watcher outbox --retry    # try every pending and dead one again now
    """
    config = load_config()
    store = open_store()
    try:
        if retry:
            now = utcnow()
            revived = store.retry_dead(now)
            report = asyncio.run(
                deliver(store, config.channels, now, redact=config.redact, force=True)
            )
            if not as_json:
                click.echo(
                    f"retried {revived} dead notification(s); sent {report.sent}, "
                    f"{report.failed} will be retried, {report.dead} gave up"
                )
                for error in report.errors:
                    click.echo(f"notification failed: {error}", err=True)
        rows = store.outbox()
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps([_outbox_json(row) for row in rows], indent=2))
        return
    if not rows:
        click.echo("nothing waiting: every notification was delivered")
    for row in rows:
        what = row.payload.get("title") or row.kind
        click.echo(
            f"#{row.id} {row.status:7} {row.site or '-'} {row.kind} -> {row.channel}: {what} "
            f"(tries {row.attempts}, due {row.due_at})"
        )
        if row.last_error:
            click.echo(f"    last error: {config.redact(row.last_error)}")


def _outbox_json(row: OutboxRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "site": row.site,
        "posting_id": row.posting_id,
        "kind": row.kind,
        "channel": row.channel,
        "attempts": row.attempts,
        "due_at": row.due_at,
        "created_at": row.created_at,
        "last_error": row.last_error,
        "title": row.payload.get("title"),
        "url": row.payload.get("url"),
    }


@cli.command()
@_command_options
@click.argument("target")
@click.option("--name", default=None, help="the site's name [default: from the board id]")
@click.option("--dry-run", is_flag=True, help="print the entry and change nothing")
@click.option(
    "--api",
    metavar="URL",
    default=None,
    help="read the board through this base URL (a mirror or proxy of the platform's "
    "public API) instead of the platform's host; written into the entry as `api:`",
)
def add(target: str, name: str | None, dry_run: bool, api: str | None) -> None:
    """Add a site from any careers link, or find a company's boards by name.

    TARGET is a link to a job board, one posting, an embed, or a company's own
    careers page (searched for the board it links to or embeds). After a test
    read, the entry is appended to `sites:`, comments and layout kept. Given a
    company name instead, its likely board ids are tried on the platforms that
    answer for unknown ids, and the boards found are listed for you to pick.
    Exit 2, with sites.yaml untouched, when nothing fits.

    \b
    Examples:
      watcher add https://boards.greenhouse.io/acme
      watcher add https://acme.example/careers --name "Acme Robotics" --dry-run
      watcher add "Acme Robotics"
    """
    import shlex

    from watcher import add as add_mod
    from watcher.cycle import utcnow as now
    from watcher.fetch import Fetcher, FetchSettings

    path = config_path()

    async def run_add() -> add_mod.Added | add_mod.ProbeReport:
        what = add_mod.parse_target(target)
        async with Fetcher(FetchSettings(retries=1, deadline=60.0)) as fetcher:
            if what.url is not None:
                return await add_mod.add_url(
                    what.url, path, fetcher, now(), name=name, api=api, dry_run=dry_run
                )
            return await add_mod.probe(str(what.name), fetcher, now(), api_for=lambda key: api)

    try:
        outcome = asyncio.run(run_add())
    except add_mod.AddError as exc:
        click.echo(f"error: {exc.message}", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(EXIT_USAGE) from None

    if isinstance(outcome, add_mod.ProbeReport):
        for failed in outcome.failed:
            click.echo(
                f"warning: could not ask {failed.label} about {failed.board}: {failed.error}",
                err=True,
            )
        tried = f"tried {', '.join(outcome.tried)} on {', '.join(outcome.platforms)}"
        if not outcome.found:
            click.echo(
                f"error: found no board for {outcome.name!r} ({tried}): "
                "paste the URL of its careers page instead",
                err=True,
            )
            raise SystemExit(EXIT_USAGE)
        click.echo(f"Boards for {outcome.name!r} ({tried}):")
        for probe in outcome.found:
            count = f"{probe.openings}{'+' if probe.more else ''} opening" + (
                "" if probe.openings == 1 and not probe.more else "s"
            )
            click.echo(f"  {probe.label:12} {probe.board:24} {count:14} {probe.url or ''}")
        extra = f" --api {shlex.quote(api)}" if api else ""
        click.echo(f"Add one with: watcher add URL --name {shlex.quote(outcome.name)}{extra}")
        return

    found = outcome.found
    board = f"{found.label} board {found.display()}"
    if found.via == "link":
        others = ", ".join(
            f"{c.key}: {add_mod.display_board(c.board)} ({c.count})" for c in found.others
        )
        links = "1 link or embed" if found.count == 1 else f"{found.count} links or embeds"
        info = [f"found on {found.page}: {board} ({links})"]
        info += [f"also linked: {others}"] if others else []
    elif found.via == "redirect":
        info = [f"{found.page} leads to {board}"]
    elif found.via in ("json-ld", "feed"):
        info = [f"{found.page} has no known platform: read as {found.label}"]
    else:
        info = []
    if dry_run:
        for line in info:
            click.echo(line, err=True)
        click.echo(outcome.plan.lines, nl=False)
        click.echo(f"(dry run: {path} not changed)", err=True)
        return
    for line in info:
        click.echo(line)
    read = outcome.read
    if read is not None:
        more = "+" if read.truncated else ""
        plural = "" if read.openings == 1 and not more else "s"
        click.echo(f"test read of {board}: {read.openings}{more} opening{plural}")
    for note in outcome.notes:
        click.echo(f"note: {note}")
    click.echo(f"{'created' if outcome.created else 'added to'} {path}:")
    click.echo(outcome.plan.lines, nl=False)


def main() -> None:
    """The console script: unexpected errors exit 1 with a one-line message."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_UNEXPECTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE if exc.exit_code == 2 else exc.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the contract: anything unexpected is exit 1, said plainly
        click.echo(f"error: unexpected {type(exc).__name__}: {exc}", err=True)
        if os.environ.get("WATCHER_DEBUG"):
            raise
        sys.exit(EXIT_UNEXPECTED)
