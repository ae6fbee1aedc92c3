"""Crashes and concurrency: kill -9 at random moments, two processes on one database,
a full disk and a read-only database."""

from __future__ import annotations

import asyncio
import random
import re
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from typing import Any

import pytest

from tests.helpers import Project, gh_job, serve_greenhouse
from tests.servers import LocalServer
from watcher import config as config_mod
from watcher.cycle import CycleReport, check_sites
from watcher.fetch import Fetcher
from watcher.store import Store, StoreError

BOARDS = ["a", "b", "c", "d"]
ROUNDS = 10


def watcher_check(project: Project) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        project.argv("check"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def first_request(server: LocalServer, proc: subprocess.Popen[bytes], seen: int) -> float:
    """When `proc` first asks the board server for something (its config read and its
    database open, its cycle begun), or exits first: past start-up, nothing to lose."""
    deadline = time.monotonic() + 30
    while len(server.seen) <= seen and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    return time.monotonic()


def notified_titles(receiver) -> Counter[str]:
    counts: Counter[str] = Counter()
    for body in receiver.bodies():
        counts.update(re.findall(r"\[(Role [a-z] \d+)\]", body["message"]))
    return counts


def test_kill_9_at_random_moments_loses_nothing_and_stores_nothing_twice(
    tmp_path, server, receiver
):
    rng = random.Random(20261126)
    jobs: dict[str, list[dict]] = {
        b: [gh_job(i, f"Role {b} {i}") for i in range(3)] for b in BOARDS
    }
    for board in BOARDS:
        serve_greenhouse(server, board, jobs[board])
    project = Project(tmp_path, server, receiver)
    project.sites(*({"name": b.upper(), "greenhouse": b} for b in BOARDS))
    assert watcher_check(project).wait(30) == 0  # the silent baseline
    # Kills land anywhere from a cycle's first request (the start-up before it reads and
    # writes nothing) to its end: `work` is the longest cycle seen so far, the first
    # round's (never killed) to begin with; shorter rounds end before their kill.
    work = 0.0

    added: list[str] = []
    kills = 0
    for round_ in range(ROUNDS):
        for board in rng.sample(BOARDS, 2):
            job_id = 100 + round_
            jobs[board].append(gh_job(job_id, f"Role {board} {job_id}"))
            added.append(f"Role {board} {job_id}")
            serve_greenhouse(server, board, jobs[board])
        seen = len(server.seen)
        proc = watcher_check(project)
        began = first_request(server, proc, seen)
        try:
            proc.wait(rng.uniform(0.0, work) if round_ else 30)
            work = max(work, time.monotonic() - began)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(30)
    # recovery: cycles until nothing is left to send (a claim left by a killed process
    # is taken back when its 5-minute lease ends: run the sender as if that time passed)
    assert watcher_check(project).wait(30) in (0, 3)
    store = Store(project.db)
    try:
        store.db.conn.execute(
            "UPDATE outbox SET claimed_until = '2000-01-01T00:00:00Z' WHERE status = 'sending'"
        )
    finally:
        store.close()
    assert watcher_check(project).wait(30) == 0

    counts = notified_titles(receiver)
    lost = [t for t in added if counts[t] == 0]
    duplicated = [t for t in added if counts[t] > 1]
    print(
        f"\ncrash test: rounds {ROUNDS}, kills {kills}, notifications expected {len(added)}, "
        f"delivered {sum(1 for t in added if counts[t])}, duplicated {len(duplicated)}, "
        f"lost {len(lost)}"
    )
    assert kills > 0
    assert lost == []
    assert all(counts[t] <= 2 for t in added)
    assert not set(counts) - set(added), "a baseline posting was notified"

    conn = sqlite3.connect(project.db)
    total = conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT site || '/' || id) FROM postings"
    ).fetchone()
    news = conn.execute(
        "SELECT posting_id, COUNT(*) FROM events WHERE kind = 'new' GROUP BY site, posting_id "
        "HAVING COUNT(*) > 1"
    ).fetchall()
    conn.close()
    assert total[0] == total[1] == len(BOARDS) * 3 + len(added)
    assert news == []


def test_two_processes_on_one_database_never_double_send(tmp_path, server, receiver):
    serve_greenhouse(server, "acme", [gh_job(1, "Role a 1")])
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", "greenhouse": "acme"})
    assert watcher_check(project).wait(30) == 0
    for round_ in range(5):
        jobs = [gh_job(1, "Role a 1")] + [
            gh_job(10 + i, f"Role a {10 + i}") for i in range(round_ + 1)
        ]
        serve_greenhouse(server, "acme", jobs)
        first, second = watcher_check(project), watcher_check(project)
        assert (first.wait(60), second.wait(60)) == (0, 0)
    counts = notified_titles(receiver)
    assert set(counts) == {f"Role a {10 + i}" for i in range(5)}
    assert all(n == 1 for n in counts.values()), counts


def _run_cycle(project: Project, store: Store, concurrency: int = 8) -> CycleReport:
    config = config_mod.load(project.config)

    async def go() -> CycleReport:
        async with Fetcher() as fetcher:
            return await check_sites(config, store, fetcher, config.sites, concurrency=concurrency)

    return asyncio.run(go())


@pytest.mark.parametrize("fault", ["disk full", "read-only"])
def test_full_disk_or_read_only_database_writes_nothing_half(tmp_path, server, fault):
    serve_greenhouse(server, "acme", [gh_job(i, f"Role a {i}") for i in range(50)])
    project = Project(tmp_path, server)
    project.sites({"name": "Acme", "greenhouse": "acme"})
    store = Store(project.db)
    if fault == "disk full":
        pages = store.db.conn.execute("PRAGMA page_count").fetchone()[0]
        store.db.conn.execute(f"PRAGMA max_page_count = {pages}")
    else:
        store.db.conn.execute("PRAGMA query_only = ON")
    report = _run_cycle(project, store)
    store.close()
    assert report.sites == [] and list(report.unstored) == ["Acme"]
    assert ("disk is full" if fault == "disk full" else "read-only") in report.unstored["Acme"]
    conn = sqlite3.connect(project.db)
    assert conn.execute("SELECT COUNT(*) FROM postings").fetchone() == (0,)
    assert conn.execute("SELECT COUNT(*) FROM sites").fetchone() == (0,)
    conn.close()


def test_a_full_disk_midway_says_what_was_kept(tmp_path, server):
    serve_greenhouse(server, "small", [gh_job(1, "Role")])
    serve_greenhouse(
        server, "big", [gh_job(i, f"Role {i}", content="x" * 4000) for i in range(300)]
    )
    project = Project(tmp_path, server)
    project.sites({"name": "Small", "greenhouse": "small"}, {"name": "Big", "greenhouse": "big"})
    store = Store(project.db)
    pages = store.db.conn.execute("PRAGMA page_count").fetchone()[0]
    store.db.conn.execute(f"PRAGMA max_page_count = {pages + 40}")  # room for Small only
    report = _run_cycle(project, store, concurrency=1)
    store.close()
    assert [r.site for r in report.sites] == ["Small"]
    assert "disk is full" in report.unstored["Big"]
    conn = sqlite3.connect(project.db)
    assert conn.execute("SELECT site, COUNT(*) FROM postings GROUP BY site").fetchall() == [
        ("Small", 1)
    ]
    conn.close()


def test_the_command_names_what_was_stored_and_what_was_not(tmp_path, server, monkeypatch):
    serve_greenhouse(server, "small", [gh_job(1, "Role")])
    serve_greenhouse(server, "big", [gh_job(2, "Other")])
    project = Project(tmp_path, server)
    project.sites({"name": "Small", "greenhouse": "small"}, {"name": "Big", "greenhouse": "big"})
    apply = Store.apply

    def full_for_big(self: Store, plan: Any) -> None:
        if plan.site == "Big":  # a disk that fills up between two sites
            raise StoreError("the disk is full")
        apply(self, plan)

    monkeypatch.setattr(Store, "apply", full_for_big)
    result = project.run("check")
    assert result.exit_code == 1
    assert "the disk is full: 1 of 2 sites checked and stored; 1 not stored (Big)" in result.output
    assert "nothing was written" not in result.output
