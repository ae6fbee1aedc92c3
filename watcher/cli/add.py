"""`watcher add`: a site from a careers link, or a company's boards from its name."""

from __future__ import annotations

import asyncio

import click

from watcher.cli.common import EXIT_USAGE, command_options, config_path


@click.command()
@command_options
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
