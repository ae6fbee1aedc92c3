"""The `watcher` group: commands are imported only when run (or listed), so that a
command pays only for the modules it needs."""

from __future__ import annotations

import atexit
import importlib
import os
import sqlite3
import sys
import threading
from pathlib import Path
from typing import NoReturn

import click

from watcher import __version__
from watcher.cli.common import EXIT_UNEXPECTED, EXIT_USAGE, OPENED, global_options

# command name -> "module:function" under watcher.cli
COMMANDS = {
    "init": "setup:init",
    "add": "add:add",
    "validate": "setup:validate",
    "check": "running:check",
    "run": "running:run",
    "status": "running:status",
    "outbox": "running:outbox",
    "accept": "running:accept",
    "list": "postings:list_",
    "show": "postings:show",
    "export": "postings:export",
    "mark": "applications:mark",
    "track": "applications:track",
    "applications": "applications:applications",
    "reflect": "applications:reflect",
    "calendar": "applications:calendar",
    "notify-test": "setup:notify_test",
    "schema": "setup:schema",
    "completion": "setup:completion",
    "serve": "serve:serve",
}


class LazyGroup(click.Group):
    """A group whose commands live in the modules `COMMANDS` names."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return None
        module, name = where.split(":")
        command = getattr(importlib.import_module(f"watcher.cli.{module}"), name)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@global_options
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


def main() -> None:
    """The console script: unexpected errors exit 1 with a one-line message."""
    try:
        _main()
    except SystemExit as exc:
        _exit(exc.code)
    _exit(0)


def _exit(code: str | int | None) -> NoReturn:
    """End the process with `code` as SystemExit does, without the interpreter's
    teardown, which frees every module and object one at a time: 0.1 s after a check,
    a tenth of a cycle of 1,000 boards that answer 304 (the plain download of the same
    boards spends 0.03 s on it). By now everything is written and closed; the exit
    handlers run as usual and the output is flushed. While another thread still runs,
    or when the output cannot be flushed (a closed pipe), the usual exit is taken."""
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if any(t.is_alive() and not t.daemon for t in others):
        sys.exit(code)
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code or 0)


def _main() -> None:
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
    except sqlite3.DatabaseError as exc:  # damage found by a query, past the open
        from watcher.store.rows import damaged, why

        path = OPENED[-1] if OPENED else Path("the database")
        click.echo(f"error: {damaged(path, exc) or why(exc)}", err=True)
        sys.exit(EXIT_UNEXPECTED)
    except Exception as exc:  # the contract: anything unexpected is exit 1, said plainly
        click.echo(f"error: unexpected {type(exc).__name__}: {exc}", err=True)
        if os.environ.get("WATCHER_DEBUG"):
            raise
        sys.exit(EXIT_UNEXPECTED)
