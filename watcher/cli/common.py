"""What every command shares: exit codes, --config/--db, loading the config and the store.

Exit codes: 0 every site was read; 3 at least one site failed (the others were
processed and stored); 2 a usage or config error (nothing fetched or written);
1 anything unexpected.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from watcher import config as config_mod
    from watcher.store import Store

EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, EXIT_SITE_FAILED = 0, 1, 2, 3
OPENED: list[Path] = []  # databases this process opened, to name one that turns out damaged

F = TypeVar("F", bound=Callable[..., Any])


def global_options(func: F) -> F:
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


def command_options(func: F) -> F:
    """Store a subcommand's --config/--db over the group's, then call it."""

    @global_options
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
    from watcher.config import default_path

    return default_path()


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
    # imported here, as the store is in open_store: only the commands that use them pay
    # for loading them (the config's models and every source: 0.2 s)
    from watcher import config as config_mod

    try:
        config = config_mod.load(config_path())
    except config_mod.ConfigError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(EXIT_USAGE) from None
    for warning in config.warnings:
        click.echo(f"warning: {warning}", err=True)
    return config


def optional_config() -> config_mod.Config | None:
    """For commands that can do without one: the config when there is a file to read
    (a broken one still exits 2), None when none was named and none is found."""
    obj = click.get_current_context().ensure_object(dict)
    named = obj.get("config_path") or os.environ.get("WATCHER_CONFIG")
    if not named and not config_path().exists():
        return None
    return load_config()


def open_store(*, readonly: bool = False) -> Store:
    """The database, or exit with its one-line reason: 1 when it cannot be used, 2 when
    a command that only reads finds none (a mistyped --db makes nothing)."""
    from watcher.store import Store, StoreError

    path = db_path()
    try:
        store = Store(path, create=not readonly)
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        missing = readonly and not path.exists()
        raise SystemExit(EXIT_USAGE if missing else EXIT_UNEXPECTED) from None
    OPENED.append(path)
    return store


def terminal_width() -> int:
    """The terminal's width; 120 when output goes to a file or a pipe."""
    return shutil.get_terminal_size((120, 24)).columns if sys.stdout.isatty() else 120


def use_color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ
