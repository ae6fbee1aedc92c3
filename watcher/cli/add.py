"""`watcher add`: sites from careers links (one, many, or a file of them), or companies'
boards from their names (the directory of well-known employers, else a probe)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn
from urllib.parse import urlsplit

import click

from watcher.cli.common import EXIT_USAGE, command_options, config_path

if TYPE_CHECKING:
    from watcher import add as add_mod
    from watcher.directory import Company


@click.command()
@command_options
@click.argument("targets", nargs=-1, metavar="[URL|NAME]...")
@click.option(
    "--from",
    "from_file",
    type=click.File("r", encoding="utf-8-sig"),
    metavar="FILE",
    help="also add the links of FILE (- for stdin): one a line, or the first URL of each "
    "line (a CSV export); blank lines and # comments are skipped",
)
@click.option("--name", default=None, help="the site's name [default: from the board or company]")
@click.option("--dry-run", is_flag=True, help="show what would be added and change nothing")
@click.option(
    "--offline",
    is_flag=True,
    help="make no request at all: links that name their board are added unread; the "
    "others are reported as needing a request",
)
@click.option("--json", "as_json", is_flag=True, help="one JSON object per link, for scripts")
@click.option(
    "--test-read/--no-test-read",
    default=None,
    help="read each new board once before adding it [default: on for one link, off for several]",
)
@click.option(
    "--api",
    metavar="URL",
    default=None,
    help="read the board through this base URL (a mirror or proxy of the platform's "
    "public API) instead of the platform's host; written into the entry as `api:`",
)
@click.option(
    "--list-known",
    is_flag=True,
    help="list the directory of well-known employers (those whose name holds NAME)",
)
def add(
    targets: tuple[str, ...],
    from_file: IO[str] | None,
    name: str | None,
    dry_run: bool,
    offline: bool,
    as_json: bool,
    test_read: bool | None,
    api: str | None,
    list_known: bool,
) -> None:
    """Add sites from careers links, or a company from its name.

    A URL is a link to a job board, one posting, an embed, or a company's own careers
    page (read once for the board it is on, links to or embeds). Links of one board
    make one site; a board already watched is reported, not added again; the new
    entries are appended to `sites:` in one edit, comments and layout kept. A NAME is
    looked up in the directory of well-known employers (--list-known shows it); a
    single name not in it is tried as a board id on the platforms that answer for
    unknown ids, and the boards found are listed for you to pick. Exit 2, with
    sites.yaml untouched, when nothing fits.

    \b
    Examples:
      watcher add https://boards.greenhouse.io/acme
      watcher add https://acme.example/careers --name "Acme Robotics" --dry-run
      watcher add Google "JPMorgan Chase" nvidia
      watcher add --from bookmarks.txt --offline --json
      watcher add --list-known bank
    """
    from watcher import add as add_mod
    from watcher import directory

    if list_known:
        _list_known(directory.search(" ".join(targets)), " ".join(targets), as_json)
        return
    links = [add_mod.link(text) for text in targets]
    if from_file is not None:
        links += add_mod.read_links(from_file.read())
    if not links:
        where = f" in {from_file.name}" if from_file is not None else ""
        _fail(f"no link{where}: give URLs, company names, or --from FILE")
    single = len(links) == 1 and from_file is None and not as_json
    first = links[0]
    if single and first.name is not None and directory.lookup(first.name) is None:
        if (why := directory.unreadable(first.name)) is not None:
            _fail(why)
        _probe(first.name, api, offline)
        return
    path = config_path()
    outcome = _run(links, path, single, name, dry_run, offline, test_read, api)
    if isinstance(outcome, add_mod.Added):
        _show_added(outcome, dry_run)
    elif as_json:
        click.echo(
            json.dumps([o.as_json() for o in outcome.outcomes], indent=2, ensure_ascii=False)
        )
        _exit_for(outcome)
    else:
        _show_report(outcome, dry_run, offline)
        _exit_for(outcome)


def _run(
    links: list[add_mod.Link],
    path: Path,
    single: bool,
    name: str | None,
    dry_run: bool,
    offline: bool,
    test_read: bool | None,
    api: str | None,
) -> add_mod.Added | add_mod.Report:
    from watcher import add as add_mod
    from watcher.cycle import utcnow as now
    from watcher.fetch import Fetcher, FetchSettings

    async def go() -> add_mod.Added | add_mod.Report:
        fetcher = None if offline else Fetcher(FetchSettings(retries=1, deadline=60.0))
        try:
            if single:
                return await add_mod.add_one(
                    links[0],
                    path,
                    fetcher,
                    now(),
                    name=name,
                    api=api,
                    dry_run=dry_run,
                    test_read=test_read is not False,
                )
            return await add_mod.add_links(
                links,
                path,
                fetcher,
                now(),
                name=name,
                api=api,
                dry_run=dry_run,
                test_reads=bool(test_read),
            )
        finally:
            if fetcher is not None:
                await fetcher.aclose()

    try:
        return asyncio.run(go())
    except add_mod.AddError as exc:
        _fail(exc.message, exc.problems)


def _fail(message: str, problems: tuple[str, ...] = ()) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    raise SystemExit(EXIT_USAGE)


# --- one link, or one company --------------------------------------------------------------


def _show_added(outcome: add_mod.Added, dry_run: bool) -> None:
    from watcher import add as add_mod

    found = outcome.found
    board = f"{found.label} board {found.display()}"
    if found.via == "link":
        others = ", ".join(
            f"{c.key}: {add_mod.display_board(c.board)} ({c.count})" for c in found.others
        )
        links = "1 link or embed" if found.count == 1 else f"{found.count} links or embeds"
        info = [f"found on {found.page}: {board} ({links})"]
        info += [f"also linked: {others}"] if others else []
    elif found.via == "page":
        info = [f"{found.page} is a {board}"]
    elif found.via == "redirect":
        info = [f"{found.page} leads to {board}"]
    elif found.via in ("json-ld", "feed"):
        info = [f"{found.page} has no known platform: read as {found.label}"]
    elif found.via == "directory":
        key = f"{found.key}: {found.display()}"
        info = [f"{outcome.name}: in the directory of known employers ({key}, from {found.page})"]
    else:
        info = []
    info += [f"note: {found.note}"] if found.note else []
    for line in info:
        click.echo(line, err=dry_run)
    read = outcome.read
    if read is not None:
        more = "+" if read.truncated else ""
        plural = "" if read.openings == 1 and not more else "s"
        click.echo(f"test read of {board}: {read.openings}{more} opening{plural}", err=dry_run)
    for note in outcome.notes:
        click.echo(f"note: {note}", err=dry_run)
    if dry_run:
        click.echo(outcome.plan.lines, nl=False)
        click.echo(f"(dry run: {outcome.path} not changed)", err=True)
        return
    click.echo(f"{'created' if outcome.created else 'added to'} {outcome.path}:")
    click.echo(outcome.plan.lines, nl=False)


def _probe(name: str, api: str | None, offline: bool) -> None:
    import shlex

    from watcher import add as add_mod
    from watcher.cycle import utcnow as now
    from watcher.fetch import Fetcher, FetchSettings

    if offline:
        _fail(
            f"{name!r} is not in the directory of known employers (see --list-known), and "
            "trying board ids takes requests: run without --offline, or add its careers link"
        )

    async def go() -> add_mod.ProbeReport:
        async with Fetcher(FetchSettings(retries=1, deadline=60.0)) as fetcher:
            return await add_mod.probe(name, fetcher, now(), api_for=lambda key: api)

    try:
        outcome = asyncio.run(go())
    except add_mod.AddError as exc:
        _fail(exc.message, exc.problems)
    for failed in outcome.failed:
        click.echo(
            f"warning: could not ask {failed.label} about {failed.board}: {failed.error}",
            err=True,
        )
    tried = f"tried {', '.join(outcome.tried)} on {', '.join(outcome.platforms)}"
    if not outcome.found:
        _fail(f"found no board for {outcome.name!r} ({tried}): paste the URL of its careers page")
    click.echo(f"Boards for {outcome.name!r} ({tried}):")
    for probe in outcome.found:
        count = f"{probe.openings}{'+' if probe.more else ''} opening" + (
            "" if probe.openings == 1 and not probe.more else "s"
        )
        click.echo(f"  {probe.label:12} {probe.board:24} {count:14} {probe.url or ''}")
    extra = f" --api {shlex.quote(api)}" if api else ""
    click.echo(f"Add one with: watcher add URL --name {shlex.quote(outcome.name)}{extra}")


# --- many links ---------------------------------------------------------------------------------


def _show_report(report: add_mod.Report, dry_run: bool, offline: bool) -> None:
    from watcher.add import Status

    for outcome in report.outcomes:
        if outcome.status in (Status.ERROR, Status.UNRECOGNISED, Status.NEEDS_REQUEST):
            click.echo(f"{outcome.link.where}: {outcome.status}: {outcome.reason}", err=True)
    if report.plan is not None:
        verb = "would add to" if dry_run else "created" if report.created else "added to"
        click.echo(f"{verb} {report.path}:")
        click.echo(report.plan.lines, nl=False)
    click.echo(summary(report.outcomes, dry_run, offline))
    if dry_run:
        click.echo(f"(dry run: {report.path} not changed)", err=True)


def summary(
    outcomes: tuple[add_mod.Outcome, ...], dry_run: bool = False, offline: bool = False
) -> str:
    """One line a person reads: links, boards, added, already watched, and what went
    wrong (the commonest hosts among the links not recognised)."""
    from watcher.add import Status, same_board

    counts = Counter(o.status for o in outcomes)
    boards = {
        (o.found.key, same_board(o.found.board))
        for o in outcomes
        if o.found is not None and o.status in (Status.ADDED, Status.WOULD_ADD, Status.EXISTS)
    }
    new = {
        (o.found.key, same_board(o.found.board))
        for o in outcomes
        if o.found is not None and o.status in (Status.ADDED, Status.WOULD_ADD)
    }
    watched = len(boards) - len(new)
    parts = [f"{len(new)} {'to add' if dry_run else 'added'}", f"{watched} already watched"]
    head = f"{_plural(len(outcomes), 'link')}: {_plural(len(boards), 'board')} ({', '.join(parts)})"
    tail = []
    if counts[Status.UNRECOGNISED]:
        hosts = Counter(
            (urlsplit(o.link.url).hostname or "").removeprefix("www.") if o.link.url else "names"
            for o in outcomes
            if o.status is Status.UNRECOGNISED
        )
        common = ", ".join(f"{host} {n}" for host, n in hosts.most_common(3))
        tail.append(f"{counts[Status.UNRECOGNISED]} not recognised ({common})")
    if counts[Status.NEEDS_REQUEST]:
        why = " (run without --offline)" if offline else ""
        needs = counts[Status.NEEDS_REQUEST]
        tail.append(f"{needs} {'needs' if needs == 1 else 'need'} a request{why}")
    if counts[Status.ERROR]:
        tail.append(_plural(counts[Status.ERROR], "error"))
    return ", ".join([head, *tail])


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _exit_for(report: add_mod.Report) -> None:
    """Exit 2 when no link gave a board (added, to add or already watched)."""
    from watcher.add import Status

    good = (Status.ADDED, Status.WOULD_ADD, Status.EXISTS)
    if not any(o.status in good for o in report.outcomes):
        raise SystemExit(EXIT_USAGE)


# --- the directory ---------------------------------------------------------------------------


def _list_known(companies: list[Company], text: str, as_json: bool) -> None:
    from watcher.add import display_board

    if as_json:
        rows = [
            {
                "name": c.name,
                "aliases": list(c.aliases),
                "platform": c.key,
                "board": display_board(c.board),
                "link": c.link,
                "note": c.note or None,
            }
            for c in companies
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not companies:
        click.echo(f"no company in the directory matches {text!r}", err=True)
        return
    width = min(32, max(len(c.name) for c in companies))
    for company in companies:
        board = f"{company.key}: {display_board(company.board)}"
        aliases = f"  (also {', '.join(company.aliases)})" if company.aliases else ""
        click.echo(f"{company.name:{width}}  {board}{aliases}")
    matching = f" matching {text!r}" if text.strip() else ""
    count = f"{len(companies)} compan{'y' if len(companies) == 1 else 'ies'}"
    click.echo(f"{count}{matching}: `watcher add NAME` adds one")
