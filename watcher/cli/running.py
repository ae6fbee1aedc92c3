"""Running: `check` (one cycle), `run` (the daemon), `status`, `outbox`.

The cycle, the store and delivery are imported by the commands that run them, not with
this module, which `watcher check --help` loads too.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from watcher.cli.common import (
    EXIT_OK,
    EXIT_SITE_FAILED,
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    command_options,
    config_path,
    load_config,
    open_store,
    optional_config,
    terminal_width,
    use_color,
)
from watcher.cli.serve import prepare, web_options
from watcher.render import Column, paint, plural, printable, relative, table

if TYPE_CHECKING:
    from watcher import config as config_mod
    from watcher.cycle import CycleReport, SiteResult
    from watcher.store import OutboxRow, Store


@click.command()
@command_options
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
    from watcher.cycle import reconcile, utcnow
    from watcher.store import StoreError

    config = load_config()
    sites = list(config.sites)
    if names:
        unknown = [n for n in names if config.site(n) is None]
        if unknown:
            click.echo(f"error: no site named {', '.join(map(repr, unknown))}", err=True)
            raise SystemExit(EXIT_USAGE)
        sites = [s for s in sites if s.name in names]
    store = open_store()

    color = use_color()
    done = 0

    def show(result: SiteResult) -> None:
        nonlocal done
        done += 1
        if as_json or (quiet and result.ok):
            return
        mood = {"fg": "red"} if not result.ok else ({"fg": "green"} if result.new else {})
        progress = paint(f"[{done}/{len(sites)}] ", color, dim=True) if color else ""
        line = f"{progress}{paint(printable(result.site), color, bold=True)}: "
        click.echo(line + paint(printable(config.redact(result.summary())), color, **mood))
        if verbose:
            for title in result.titles:
                click.echo(f"    + {printable(title)}")

    try:
        for renamed in reconcile(config, store, utcnow()):
            if not (quiet or as_json):
                click.echo(f"renamed {printable(renamed)}: its postings and history kept")
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
    if report.unstored:
        _print_unstored(report, len(sites))
        raise SystemExit(EXIT_UNEXPECTED)
    raise SystemExit(EXIT_SITE_FAILED if report.failed else EXIT_OK)


def _print_unstored(report: CycleReport, total: int) -> None:
    """Say what was kept when the database refused some sites' writes (a full disk)."""
    reasons = sorted(set(report.unstored.values()))
    names = ", ".join(sorted(report.unstored)[:5]) + (", ..." if len(report.unstored) > 5 else "")
    kept = len(report.sites)
    click.echo(
        f"error: {'; '.join(reasons)}: {kept} of {plural(total, 'site')} checked and stored; "
        f"{len(report.unstored)} not stored ({printable(names)}): nothing of theirs was "
        "written, and they are read again next time",
        err=True,
    )


@click.command()
@command_options
@click.argument("site")
def accept(site: str) -> None:
    """Believe a site's board is smaller now: check it at once and close what it no
    longer lists, without waiting for the suspect reads to agree.

    A read with far fewer postings than are open is suspect and closes nothing; after
    `accept_smaller_after` (default 3) suspect reads that list the same postings, the
    smaller board is believed anyway. This does it now.

    \b
    Example:
      watcher accept Acme
    """
    from watcher.store import StoreError

    config = load_config()
    target = config.site(site)
    if target is None:
        click.echo(f"error: no site named {printable(site)!r} in {config.path}", err=True)
        raise SystemExit(EXIT_USAGE)
    store = open_store()
    try:
        if not store.accept_smaller(site):
            click.echo(f"error: {printable(site)} was never checked: nothing to accept", err=True)
            raise SystemExit(EXIT_USAGE)
        results: list[SiteResult] = []
        report = asyncio.run(_check(config, store, [target], False, results.append))
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(EXIT_UNEXPECTED) from None
    finally:
        store.close()
    for result in results:
        click.echo(f"{printable(result.site)}: {printable(config.redact(result.summary()))}")
    _print_delivery(report, quiet=False)
    raise SystemExit(EXIT_SITE_FAILED if report.failed else EXIT_OK)


async def _check(
    config: config_mod.Config,
    store: Store,
    sites: list[config_mod.Site],
    notify_existing: bool,
    show: Callable[[SiteResult], None],
) -> CycleReport:
    from watcher.cycle import check_sites, make_fetcher

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


@click.command()
@command_options
@click.option("-v", "--verbose", is_flag=True, help="log debug details too")
@click.option("--serve", "with_page", is_flag=True, help="also serve the web page (watcher serve)")
@web_options
def run(
    verbose: bool,
    with_page: bool,
    host: str,
    port: int,
    allow_remote: bool,
    allowed: tuple[str, ...],
    token_file: Path | None,
) -> None:
    """Run as a daemon: check every site on its own schedule until stopped.

    SIGHUP re-reads sites.yaml (a broken file is reported and the running one
    kept); SIGTERM or Ctrl-C stop after running checks finish (10 s at most).
    --serve also serves the page of `watcher serve` from the same process and
    database connection (--host, --port and the rest as for `watcher serve`).

    \b
    Examples:
      watcher run --config /etc/watcher/sites.yaml
      watcher run --serve --port 8787
    """
    from watcher.daemon import Daemon

    config = load_config()
    store = open_store()
    _setup_logging(config, verbose)
    daemon = Daemon(config_path(), store, config)
    sock = None
    if with_page:
        from watcher.web.server import Attached, url_of

        sock, settings = prepare(host, port, allow_remote, allowed, token_file)
        daemon.attached.append(Attached(sock, settings))
        logging.getLogger("watcher").info("serving the page at %s", url_of(sock))
    try:
        asyncio.run(daemon.serve())
    finally:
        if sock is not None:
            sock.close()
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


@click.command()
@command_options
@click.option("--json", "as_json", is_flag=True, help="print JSON, for scripts")
def status(as_json: bool) -> None:
    """Per site: platform, open postings, last check and success, next run,
    failures and last error; and notifications waiting to be sent.

    \b
    Example:
      watcher status --json | jq '.sites[] | select(.failures > 0)'
    """
    from watcher.cycle import site_status, utcnow
    from watcher.text import parse_time

    config = optional_config()
    store = open_store(readonly=True)
    now = utcnow()
    try:
        data = site_status(config, store, now)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    redact = config.redact if config else str

    def when(stamp: str | None) -> str:
        if stamp in (None, "now") or stamp.startswith("cron"):
            return stamp or "never"
        return relative(parse_time(stamp), now)

    columns: list[Column | str] = [
        Column("site", max_width=24),
        "platform",
        Column("open", justify="right"),
        "last check",
        "last success",
        "next run",
        Column("fails", justify="right"),
        Column("last error", ratio=1, min_width=12),
    ]
    rows = (
        [
            s["name"],
            s["platform"],
            s["open"],
            when(s["last_check"]),
            when(s["last_success"]),
            when(s["next_run"]),
            s["failures"] or "",
            redact(s["last_error"] or ""),
        ]
        for s in data["sites"]
    )
    click.echo(table(columns, rows, width=terminal_width()))
    failing = sum(1 for s in data["sites"] if s["failures"])
    sites, waiting = len(data["sites"]), data["pending_notifications"]
    summary = (
        f"{plural(sites, 'site')}, {failing} failing; "
        f"{plural(waiting, 'notification')} waiting to be sent"
    )
    if config is None:
        summary += " (no sites.yaml found: showing the sites the database knows)"
    click.echo(paint(summary, use_color(), fg="red" if failing else None))


@click.command()
@command_options
@click.option("--retry", is_flag=True, help="send pending and dead notifications again now")
@click.option("--json", "as_json", is_flag=True, help="print JSON, for scripts")
def outbox(retry: bool, as_json: bool) -> None:
    """Notifications not yet delivered: pending (to be retried) and dead (gave up).

    \b
    Example:
      watcher outbox            # what is waiting, and why
      watcher outbox --retry    # try every pending and dead one again now
    """
    config = load_config() if retry else optional_config()
    store = open_store(readonly=not retry)
    redact = config.redact if config else str
    try:
        if retry and config is not None:
            from watcher.cycle import utcnow
            from watcher.notify import deliver

            now = utcnow()
            revived = store.retry_dead(now)
            report = asyncio.run(
                deliver(store, config.routes, now, redact=config.redact, force=True)
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
        what = printable(row.payload.get("title") or row.kind)
        click.echo(
            f"#{row.id} {row.status:7} {printable(row.site or '-')} {row.kind} -> "
            f"{row.channel}: {what} (tries {row.attempts}, due {row.due_at})"
        )
        if row.last_error:
            click.echo(f"    last error: {printable(redact(row.last_error))}")


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
