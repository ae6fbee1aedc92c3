"""A tiny sd_notify(3) client for running under systemd, with no dependency.

The service manager passes a datagram socket in ``$NOTIFY_SOCKET`` (a filesystem path, or
``@name`` for the abstract namespace); the daemon sends newline-separated ``KEY=value``
assignments to it: ``READY=1`` once started, ``RELOADING=1`` while re-reading its
configuration, ``STOPPING=1``, ``WATCHDOG=1`` as a keep-alive and ``STATUS=...`` as a one-line
summary shown by ``systemctl status``. Outside systemd every call is a harmless no-op.
"""

from __future__ import annotations

import os
import socket

__all__ = ["notify", "watchdog_interval"]


def _socket_address() -> str | None:
    """The address in ``$NOTIFY_SOCKET`` in the form ``socket`` takes, or None when unusable."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if address.startswith("@"):
        return "\0" + address[1:]  # abstract namespace
    if address.startswith("/"):
        return address
    return None  # unset, or a form this client does not speak (e.g. "vsock:...")


def notify(message: str) -> bool:
    """Send ``message`` (e.g. ``"READY=1"`` or ``"STATUS=3 sites, 0 failing"``) to systemd.

    Return True when the datagram was sent, False when ``$NOTIFY_SOCKET`` is unset (not run by
    a notify-aware manager) or sending failed; it never raises, so keep-alives cannot kill the
    daemon.
    """
    address = _socket_address()
    if address is None or not message:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            # Never block the event loop on a reader that stopped reading.
            sock.setblocking(False)
            sock.sendto(message.encode("utf-8"), address)
    except OSError:
        return False
    return True


def watchdog_interval() -> float | None:
    """The watchdog timeout in seconds from ``$WATCHDOG_USEC``, or None when it is off.

    None too when ``$WATCHDOG_PID`` names another process (the variables were inherited).
    Send ``WATCHDOG=1`` at least every half of the returned interval.
    """
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    try:
        if pid and int(pid) != os.getpid():
            return None
        value = int(usec)
    except ValueError:
        return None
    return value / 1_000_000 if value > 0 else None
