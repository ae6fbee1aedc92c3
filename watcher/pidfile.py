"""The running daemon's pid file, beside its database (`watcher.db.pid`): how another
process using the same database (`watcher serve` after an Add) tells it to re-read
sites.yaml. The daemon holds a lock on the file while it runs, so a file left by a daemon
that died is known as stale and no other process is ever signalled by mistake."""

from __future__ import annotations

import fcntl
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def beside(database: Path) -> Path:
    return database.with_name(database.name + ".pid")


@contextmanager
def hold(path: Path) -> Iterator[None]:
    """Write this process's pid to `path` and lock it until the block ends. A file that
    cannot be written (a read-only directory) is skipped: signalling is a convenience."""
    try:
        handle = open(path, "a+", encoding="ascii")  # noqa: SIM115 (held open while running)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # another daemon holds it: leave its file alone
            yield
            return
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            path.unlink(missing_ok=True)
    finally:
        handle.close()


def signal_holder(path: Path, signum: int = signal.SIGHUP) -> int | None:
    """Send `signum` to the process holding `path`'s lock; its pid, or None when no
    running process holds it."""
    try:
        handle = open(path, encoding="ascii")  # noqa: SIM115
    except OSError:
        return None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            pass  # locked: a daemon is running
        else:
            return None  # nobody holds it: a stale file
        try:
            pid = int(handle.read().strip())
            os.kill(pid, signum)
        except (ValueError, OSError):
            return None
        return pid
