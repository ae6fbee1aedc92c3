"""Delivery through Apprise to real local receivers: retries, backoff, dead letters, no loss."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers import Project, gh_job, serve_greenhouse
from tests.servers import Receiver
from watcher.config import Channel, compile_routes
from watcher.notify import MAX_ATTEMPTS, backoff, deliver
from watcher.routing import Route
from watcher.store import Delivery, Store, target_of

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def channels(**urls: list[str]) -> dict[str, Route]:
    return compile_routes({name: Channel(urls=list(us)) for name, us in urls.items()})


def queue(store: Store, chans: dict[str, Route], title: str = "Engineer") -> None:
    deliveries = [Delivery(n, target_of(u), NOW) for n, c in chans.items() for u in c.urls]
    store.queue_notice(
        "k1", "Acme", "new", deliveries, {"title": f"Acme: {title}", "body": title}, NOW
    )


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "w.db")
    yield s
    s.close()


def test_failed_send_is_retried_with_backoff_and_never_lost(store, receiver):
    urls = channels(phone=[f"json://127.0.0.1:{receiver.port}/n"])
    queue(store, urls)
    receiver.fail_next = 1
    report = asyncio.run(deliver(store, urls, NOW))
    assert (report.sent, report.failed, report.dead) == (0, 1, 0)
    (row,) = store.outbox()
    assert row.status == "pending" and row.attempts == 1 and "500" in (row.last_error or "")
    assert row.due_at == (NOW + backoff(1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # not due yet: nothing is sent
    assert asyncio.run(deliver(store, urls, NOW + timedelta(seconds=5))).sent == 0
    # due: sent once, and never again
    assert asyncio.run(deliver(store, urls, NOW + backoff(1))).sent == 1
    assert asyncio.run(deliver(store, urls, NOW + timedelta(days=1))).sent == 0
    assert len(receiver.messages) == 1 and store.outbox() == []


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(50) == timedelta(hours=6)


def test_a_failing_channel_never_blocks_another(store, receiver):
    dead = f"json://127.0.0.1:{free_port()}/n"
    urls = channels(phone=[f"json://127.0.0.1:{receiver.port}/n"], broken=[dead])
    queue(store, urls)
    report = asyncio.run(deliver(store, urls, NOW))
    assert report.sent == 1 and report.failed == 1
    assert len(receiver.messages) == 1
    (left,) = store.outbox()
    assert left.channel == "broken" and left.status == "pending"


def test_dead_letter_after_the_limit_is_told_once_on_other_channels(store, receiver):
    dead = f"json://127.0.0.1:{free_port()}/n"
    urls = channels(phone=[f"json://127.0.0.1:{receiver.port}/n"], broken=[dead])
    deliveries = [Delivery("broken", target_of(dead), NOW)]
    store.queue_notice(
        "k2", "Acme", "new", deliveries, {"title": "Acme: Engineer", "body": "x"}, NOW
    )
    moment = NOW
    for _ in range(MAX_ATTEMPTS):
        asyncio.run(deliver(store, urls, moment))
        moment += timedelta(days=1)
    rows = store.outbox()
    assert [(r.status, r.channel) for r in rows] == [("dead", "broken"), ("pending", "phone")]
    asyncio.run(deliver(store, urls, moment))
    bodies = receiver.bodies()
    assert len(bodies) == 1 and "channel 'broken' is failing" in bodies[0]["title"]
    assert "watcher outbox --retry" in bodies[0]["message"]
    asyncio.run(deliver(store, urls, moment + timedelta(days=1)))
    assert len(receiver.messages) == 1  # told once


def test_lease_expiry_resends_a_claimed_row_never_loses_it(store, receiver):
    urls = channels(phone=[f"json://127.0.0.1:{receiver.port}/n"])
    queue(store, urls)
    claimed = store.claim_due(NOW, timedelta(minutes=5))  # a process claims, then dies
    assert len(claimed) == 1
    assert asyncio.run(deliver(store, urls, NOW + timedelta(minutes=1))).sent == 0
    assert asyncio.run(deliver(store, urls, NOW + timedelta(minutes=6))).sent == 1
    assert len(receiver.messages) == 1


def test_outbox_command_lists_and_retries(tmp_path, server, receiver):
    project = Project(tmp_path, server, receiver)
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    project.sites({"name": "Acme", "greenhouse": "acme"})
    assert project.run("check").exit_code == 0
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer"), gh_job(2, "Designer")])
    receiver.fail_next = 1
    result = project.run("check")
    assert result.exit_code == 0
    assert "notification failed" in result.output and "will be retried" in result.output
    listed = project.run("outbox", "--json")
    (row,) = json.loads(listed.stdout)
    assert row["status"] == "pending" and row["title"] == "Designer" and row["attempts"] == 1
    assert "pending" in project.run("outbox").output
    retried = project.run("outbox", "--retry")
    assert retried.exit_code == 0 and "sent 1" in retried.output
    assert project.run("outbox").output.startswith("nothing waiting")
    (message,) = receiver.bodies()
    assert "Designer" in message["message"]


def test_receivers_of_other_kinds(store):
    """ntfy:// through Apprise to a local receiver."""
    ntfy = Receiver().start()
    try:
        urls = channels(push=[f"ntfy://127.0.0.1:{ntfy.port}/jobs"])
        queue(store, urls)
        assert asyncio.run(deliver(store, urls, NOW)).sent == 1
        (seen,) = ntfy.messages
        assert seen.path.startswith("/jobs") or "jobs" in seen.body.decode()
    finally:
        ntfy.stop()


def test_a_slow_service_is_waited_for_and_sent_once(store, receiver):
    receiver.delay = 5.0  # past Apprise's own 4 s
    chans = channels(slow=[f"json://127.0.0.1:{receiver.port}/notify"])
    queue(store, chans)
    report = asyncio.run(deliver(store, chans, NOW))
    assert report.sent == 1 and report.failed == 0, report.errors
    assert len(receiver.messages) == 1 and store.outbox() == []


def test_a_service_past_its_timeout_is_a_timeout_not_a_connection_error(store, receiver):
    receiver.delay = 2.0
    chans = channels(slow=[f"json://127.0.0.1:{receiver.port}/notify?rto=1"])
    queue(store, chans)
    report = asyncio.run(deliver(store, chans, NOW))
    assert report.failed == 1
    (error,) = report.errors
    assert "timed out after 1 s" in error and "repeat" in error
    assert "Connection error" not in error
