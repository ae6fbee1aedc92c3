from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from watcher.sdnotify import notify, watchdog_interval


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        monkeypatch.delenv(name, raising=False)


def _listen(address: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    sock.settimeout(5)
    return sock


@pytest.fixture
def path_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    path = tmp_path / "notify.sock"
    with _listen(str(path)) as sock:
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        yield sock


def test_without_notify_socket_nothing_is_sent() -> None:
    assert notify("READY=1") is False


def test_messages_arrive_on_a_path_socket(path_socket: socket.socket) -> None:
    assert notify("READY=1") is True
    assert notify("STATUS=12 sites, 1 failing — last cycle 10:30") is True
    assert notify("WATCHDOG=1") is True
    assert path_socket.recv(4096) == b"READY=1"
    assert path_socket.recv(4096).decode() == "STATUS=12 sites, 1 failing — last cycle 10:30"
    assert path_socket.recv(4096) == b"WATCHDOG=1"


def test_several_assignments_travel_in_one_datagram(path_socket: socket.socket) -> None:
    assert notify("READY=1\nSTATUS=watching 3 sites") is True
    assert path_socket.recv(4096) == b"READY=1\nSTATUS=watching 3 sites"


def test_messages_arrive_on_an_abstract_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"watcher-test-{os.getpid()}-{uuid.uuid4().hex}"
    with _listen("\0" + name) as sock:
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert notify("READY=1") is True
        assert sock.recv(4096) == b"READY=1"


def test_a_socket_nobody_listens_on_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone.sock"))
    assert notify("WATCHDOG=1") is False


@pytest.mark.parametrize("value", ["", "relative/notify.sock", "vsock:2:1234"])
def test_unusable_addresses_are_ignored(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", value)
    assert notify("READY=1") is False


def test_watchdog_is_off_without_watchdog_usec() -> None:
    assert watchdog_interval() is None


def test_watchdog_interval_in_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "60000000")
    assert watchdog_interval() == 60.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert watchdog_interval() == 60.0


def test_watchdog_meant_for_another_process_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "60000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))
    assert watchdog_interval() is None


@pytest.mark.parametrize(("usec", "pid"), [("0", ""), ("-5", ""), ("soon", ""), ("1000", "me")])
def test_malformed_watchdog_variables_mean_off(
    monkeypatch: pytest.MonkeyPatch, usec: str, pid: str
) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", usec)
    monkeypatch.setenv("WATCHDOG_PID", pid)
    assert watchdog_interval() is None
