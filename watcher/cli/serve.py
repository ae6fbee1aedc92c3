"""`watcher serve`: the web page over the database (and `watcher run --serve`'s options).

The web stack (Starlette, uvicorn, Jinja2, pygal) is imported only when a page is
served, so no other command pays for it."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from watcher.cli.common import (
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    command_options,
    config_path,
    db_path,
    open_store,
    optional_config,
)

if TYPE_CHECKING:
    import socket

    from watcher import config as config_mod
    from watcher.web.app import Settings

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_PORT = 8787


def web_options(func: F) -> F:
    """--host, --port, --allow-remote, --allowed-host, --token-file."""
    for option in reversed(
        [
            click.option(
                "--host", default="127.0.0.1", show_default=True, help="address to listen on"
            ),
            click.option(
                "--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535)
            ),
            click.option(
                "--allow-remote",
                is_flag=True,
                help="allow an address other machines reach (needs a token: $WATCHER_WEB_TOKEN, "
                "the credential WATCHER_WEB_TOKEN, or --token-file)",
            ),
            click.option(
                "--allowed-host",
                "allowed",
                multiple=True,
                metavar="NAME",
                help="a name the browser may use for the page besides localhost (repeatable)",
            ),
            click.option(
                "--token-file",
                type=click.Path(dir_okay=False, path_type=Path),
                default=None,
                help="file holding the sign-in token, or its hash (--hash-token)",
            ),
        ]
    ):
        func = option(func)
    return func


def prepare(
    host: str, port: int, allow_remote: bool, allowed: tuple[str, ...], token_file: Path | None
) -> tuple[socket.socket, Settings]:
    """The listening socket and the page's trust settings, or exit 2 saying what is unsafe."""
    from watcher.web.app import Settings
    from watcher.web.server import listen
    from watcher.web.trust import TrustError, allowed_hosts, is_loopback, load_token

    try:
        token = load_token(dict(os.environ), token_file)
    except TrustError as exc:
        _fail(str(exc))
    if not is_loopback(host):
        if not allow_remote:
            _fail(
                f"--host {host} shows your data to other machines: add --allow-remote, and a "
                "token to sign in with ($WATCHER_WEB_TOKEN or --token-file)"
            )
        if token is None:
            _fail(
                "--allow-remote needs a token to sign in with: set $WATCHER_WEB_TOKEN, the "
                "systemd credential WATCHER_WEB_TOKEN, or --token-file"
            )
        if host in ("0.0.0.0", "::") and not allowed:
            _fail(
                f"--host {host} listens on every address: name the host the browser will use "
                "with --allowed-host (the page refuses other names, against DNS rebinding)"
            )
    try:
        sock = listen(host, port)
    except OSError as exc:
        click.echo(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise SystemExit(EXIT_UNEXPECTED) from None
    return sock, Settings(allowed_hosts(host, allowed), token, config_path())


def _fail(message: str) -> Any:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(EXIT_USAGE)


class WatchedConfig:
    """sites.yaml as of now: read again when the file changes; a broken edit keeps the
    last good one (and says so once)."""

    def __init__(self, path: Path, config: config_mod.Config | None):
        self.path, self.config = path, config
        self.stamp = self._stamp()

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def __call__(self) -> config_mod.Config | None:
        from watcher import config as config_mod

        stamp = self._stamp()
        if stamp != self.stamp:
            self.stamp = stamp
            try:
                self.config = config_mod.load(self.path) if stamp else None
            except config_mod.ConfigError as exc:
                click.echo(
                    f"warning: {self.path} has problems, keeping the last good one: "
                    f"{exc.problems[0]}",
                    err=True,
                )
        return self.config


@click.command()
@command_options
@web_options
@click.option("--hash-token", is_flag=True, help="read a token on stdin, print its hash, exit")
def serve(
    host: str,
    port: int,
    allow_remote: bool,
    allowed: tuple[str, ...],
    token_file: Path | None,
    hash_token: bool,
) -> None:
    """Serve a web page over the database: new postings, openings, companies and their
    trends, applications, adding a company.

    Listens on 127.0.0.1 only, unless --allow-remote with a token. A company added from
    the page is written to sites.yaml, and a running `watcher run` on the same database
    is told to re-read it (SIGHUP).

    \b
    Examples:
      watcher serve                      # http://127.0.0.1:8787
      WATCHER_WEB_TOKEN=... watcher serve --host 0.0.0.0 --allow-remote --allowed-host box.lan
    """
    if hash_token:
        from watcher.web.trust import MIN_TOKEN
        from watcher.web.trust import hash_token as hashed

        token = sys.stdin.readline().strip()
        if len(token) < MIN_TOKEN:
            _fail(f"give a token of at least {MIN_TOKEN} characters on stdin")
        click.echo(hashed(token))
        return
    config = optional_config()
    store = open_store(readonly=True)  # shows what `watcher check` stored: never a new one
    sock, settings = prepare(host, port, allow_remote, allowed, token_file)
    from watcher.web.app import Services
    from watcher.web.server import daemon_reloader, url_of
    from watcher.web.server import serve as run_server

    services = Services(
        store, WatchedConfig(config_path(), config), reload=daemon_reloader(db_path())
    )
    click.echo(f"watcher: serving {url_of(sock)} (Ctrl-C stops)", err=True)
    try:
        asyncio.run(run_server(sock, settings, services))
    finally:
        sock.close()
        store.close()
