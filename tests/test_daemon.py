"""`watcher run` as a real subprocess: schedule, SIGHUP reload, SIGTERM, sd_notify."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Project, gh_job, serve_greenhouse
from tests.servers import Reply
from watcher import config as config_mod
from watcher.daemon import refused_drop


def wait_until(predicate: Callable[[], object], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


class NotifySocket:
    """A datagram socket bound where the daemon's sd_notify messages arrive, read by a thread."""

    def __init__(self, path: Path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.1)
        self.messages: list[str] = []
        self.closed = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while not self.closed.is_set():
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except (TimeoutError, BlockingIOError):
                continue
            except OSError:
                return

    def has(self, prefix: str) -> bool:
        return any(m.startswith(prefix) for m in list(self.messages))

    def reloads(self) -> int:
        """How many reloads the daemon is done with (a READY=1 after a RELOADING=1)."""
        done, reloading = 0, False
        for message in list(self.messages):
            if message == "RELOADING=1":
                reloading = True
            elif message == "READY=1" and reloading:
                done, reloading = done + 1, False
        return done

    def close(self) -> None:
        self.closed.set()
        self.reader.join(2)
        self.sock.close()


@pytest.fixture
def daemon(
    tmp_path, server, receiver
) -> Iterator[tuple[Project, NotifySocket, Callable[[], subprocess.Popen[str]]]]:
    project = Project(tmp_path, server, receiver)
    notify = NotifySocket(tmp_path / "notify.sock")
    procs: list[subprocess.Popen[str]] = []

    def start() -> subprocess.Popen[str]:
        env = {
            **os.environ,
            "NOTIFY_SOCKET": str(notify.path),
            "WATCHDOG_USEC": "3000000",
            "WATCHER_CONFIG": str(project.config),
            "WATCHER_DB": str(project.db),
        }
        env.pop("WATCHDOG_PID", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "watcher", "run"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        procs.append(proc)
        return proc

    yield project, notify, start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    notify.close()


def test_daemon_polls_reloads_and_stops(daemon, server, receiver):
    project, notify, start = daemon
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    project.sites({"name": "Acme", "greenhouse": "acme"}, defaults={"every": "0.3s"})
    proc = start()

    assert wait_until(lambda: notify.has("READY=1")), proc
    assert wait_until(lambda: len(server.requests_to("/v1/boards/acme/jobs")) >= 1)
    assert wait_until(lambda: notify.has("WATCHDOG=1"))
    assert wait_until(lambda: notify.has("STATUS=1 sites"))

    # a new posting is notified within a few seconds
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer"), gh_job(2, "Designer")])
    assert wait_until(lambda: receiver.messages, timeout=8)
    (message,) = receiver.bodies()
    assert message["title"] == "Acme: 1 new opening" and "Designer" in message["message"]

    # SIGHUP with a new site starts polling it
    serve_greenhouse(server, "beta", [gh_job(10, "Analyst")])
    project.sites(
        {"name": "Acme", "greenhouse": "acme"},
        {"name": "Beta", "greenhouse": "beta"},
        defaults={"every": "0.3s"},
    )
    proc.send_signal(signal.SIGHUP)
    assert wait_until(lambda: len(server.requests_to("/v1/boards/beta/jobs")) >= 2, timeout=8)
    assert wait_until(lambda: notify.reloads() == 1)

    # SIGHUP with a broken config keeps the old one running
    project.write("sites:\n  - name: Acme\n    greenhous: acme\n")
    proc.send_signal(signal.SIGHUP)
    assert wait_until(lambda: notify.reloads() == 2)
    before = len(server.requests_to("/v1/boards/beta/jobs"))
    assert wait_until(lambda: len(server.requests_to("/v1/boards/beta/jobs")) > before + 1)
    assert proc.poll() is None
    # ...and so does one with a cron line that cannot run, and an emptied file
    for reloads, text in enumerate(
        ('sites:\n  - name: Acme\n    greenhouse: acme\n    cron: "99 * * * *"\n', ""), start=3
    ):
        project.write(text)
        proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda n=reloads: notify.reloads() == n)
        seen = len(server.requests_to("/v1/boards/beta/jobs"))
        assert wait_until(lambda n=seen: len(server.requests_to("/v1/boards/beta/jobs")) > n + 1)
        assert proc.poll() is None

    # SIGTERM: exit 0 within 10 s
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0, output
    assert time.monotonic() - started < 10
    assert "reload refused" in output and "greenhous" in output
    assert "sites[0].cron: '99 * * * *' is not a crontab line" in output
    assert "would stop watching 2 of 2 sites" in output
    assert "Traceback" not in output
    assert notify.has("STOPPING=1")


def test_overdue_site_is_checked_at_once_and_a_fresh_one_waits(daemon, server):
    project, notify, start = daemon
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    project.sites({"name": "Acme", "greenhouse": "acme"}, defaults={"every": "1h"})
    assert project.run("check").exit_code == 0
    assert len(server.requests_to("/v1/boards/acme/jobs")) == 1
    proc = start()
    assert wait_until(lambda: notify.has("READY=1"))
    time.sleep(1.5)  # checked a moment ago: not due for an hour
    assert len(server.requests_to("/v1/boards/acme/jobs")) == 1
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=10)
    assert proc.returncode == 0

    project.sites({"name": "Acme", "greenhouse": "acme"}, defaults={"every": "1s"})
    proc = start()  # the last check is now overdue: checked at once
    assert wait_until(lambda: len(server.requests_to("/v1/boards/acme/jobs")) >= 2, timeout=5)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=10)
    assert proc.returncode == 0


def test_status_shows_sites_and_pending(tmp_path, server, receiver):
    project = Project(tmp_path, server, receiver)
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    server.routes["/v1/boards/gone/jobs"] = Reply(404, {})
    project.sites({"name": "Acme", "greenhouse": "acme"}, {"name": "Gone", "greenhouse": "gone"})
    assert project.run("check").exit_code == 3

    result = project.run("status", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    acme, gone = data["sites"]
    assert acme["open"] == 1 and acme["failures"] == 0 and acme["platform"] == "greenhouse"
    assert acme["last_success"] and acme["next_run"] != "now"
    assert gone["failures"] == 1 and "not found" in gone["last_error"]
    assert gone["next_run"].endswith("Z")
    assert data["pending_notifications"] == 0
    text = project.run("status").output
    gone_line = next(line for line in text.splitlines() if line.startswith("Gone "))
    assert gone_line.split()[:3] == ["Gone", "greenhouse", "0"]
    assert "HTTP 404: board not found" in gone_line
    assert "2 sites, 1 failing; 0 notifications waiting to be sent" in text


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_lets_the_running_check_finish(daemon, server, signum):
    """SIGTERM or Ctrl-C while a board is slow to answer: the check finishes and is
    stored, the process exits 0, and no traceback is printed."""
    project, _, start = daemon
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    path = "/v1/boards/acme/jobs"
    slow = server.routes[path]
    assert isinstance(slow, Reply)
    server.routes[path] = Reply(slow.status, slow.body, slow.headers, delay=2.0)
    project.sites({"name": "Acme", "greenhouse": "acme"}, defaults={"every": "1h"})
    proc = start()
    assert wait_until(lambda: server.requests_to(path), timeout=10)
    proc.send_signal(signum)
    output, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0, output
    assert "Traceback" not in output and "CancelledError" not in output, output
    assert [p["title"] for p in project.list()] == ["Engineer"]


def _config(count: int, allow: bool = False) -> Any:
    lines = ["allow_fewer_sites: true"] if allow else []
    lines.append("sites:" if count else "sites: []")
    lines += [f"  - name: S{i}\n    greenhouse: s{i}" for i in range(count)]
    return config_mod.parse("\n".join(lines) + "\n", "sites.yaml", {})


@pytest.mark.parametrize(
    ("before", "after", "allow", "refused"),
    [
        (2, 0, False, True),
        (2, 0, True, False),
        (10, 4, False, True),
        (10, 5, False, False),
        (3, 1, False, False),
        (0, 0, False, False),
        (10, 1, True, False),
    ],
)
def test_a_reload_that_drops_most_sites_is_refused_unless_allowed(before, after, allow, refused):
    reason = refused_drop(_config(before), _config(after, allow))
    assert (reason is not None) == refused
    if refused:
        assert f"stop watching {before - after} of {before} sites" in str(reason)
