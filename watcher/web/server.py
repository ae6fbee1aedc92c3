"""Serving the app: a socket bound up front (so a busy port is one line, before anything
starts), uvicorn on it, standalone (`watcher serve`) or inside the daemon's event loop
(`watcher run --serve`), where it stops with the daemon and leaves signals to it."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn

from watcher import pidfile
from watcher.web.app import Services, Settings, create_app

if TYPE_CHECKING:
    from watcher.daemon import Daemon

STOP_GRACE = 5.0


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; OSError with the reason when it cannot be had."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}"


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: whoever runs it handles signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _config(app: Any) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=int(STOP_GRACE),
    )


async def serve(sock: socket.socket, settings: Settings, services: Services) -> None:
    """Serve until cancelled or SIGINT/SIGTERM (uvicorn's own handling)."""
    await uvicorn.Server(_config(create_app(settings, services))).serve(sockets=[sock])


def daemon_reloader(database: Path) -> Any:
    """For `watcher serve`: tell the daemon using the same database to re-read sites.yaml."""

    def reload() -> str:
        pid = pidfile.signal_holder(pidfile.beside(database))
        if pid is None:
            return "No running `watcher run` uses this database: it reads the file when it starts."
        return f"The running daemon (pid {pid}) was told to re-read it."

    return reload


@dataclass
class Attached:
    """The page inside `watcher run --serve`: started in the daemon's loop over its store
    and config, told of Adds in process, stopped with the daemon."""

    sock: socket.socket
    settings: Settings
    server: _Server | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    async def start(self, daemon: Daemon) -> None:
        def reload() -> str:
            before = daemon.config
            daemon.reload()
            if daemon.config is before:
                return "The daemon kept its running configuration: see its log."
            return "The daemon re-read it."

        services = Services(daemon.store, lambda: daemon.config, reload=reload)
        self.server = _Server(_config(create_app(self.settings, services)))
        self.task = asyncio.create_task(self.server.serve(sockets=[self.sock]))

    async def stop(self) -> None:
        if self.server is None or self.task is None:
            return
        self.server.should_exit = True
        try:
            await asyncio.wait_for(self.task, STOP_GRACE + 1)
        except (TimeoutError, asyncio.CancelledError):
            self.task.cancel()
