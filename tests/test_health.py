"""Broken and flaky sources: told once, recovered once, never a false "closed" or "new"."""

from __future__ import annotations

import json

import pytest

from tests.helpers import Project, gh_job, serve_greenhouse
from tests.servers import Reply


@pytest.fixture
def project(tmp_path, server, receiver) -> Project:
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", "greenhouse": "acme"})
    return project


JOBS = [gh_job(i, f"Role {i}") for i in range(10)]


def titles(receiver) -> list[str]:
    return [m["title"] for m in receiver.bodies()]


@pytest.mark.parametrize(
    ("reply", "says"),
    [
        (Reply(404, {"error": "not found"}), "renamed or moved"),
        (Reply(200, b"<html>We moved our careers page</html>"), "changed shape"),
        (Reply(200, {"jobs": [], "meta": {"total": 0}}), "far fewer postings"),
    ],
    ids=["404", "new-shape", "zero-results"],
)
def test_attention_after_three_failures_once_then_recovered_once(
    project, server, receiver, reply, says
):
    serve_greenhouse(server, "acme", JOBS)
    assert project.run("check").exit_code == 0
    server.routes["/v1/boards/acme/jobs"] = reply
    for _ in range(5):
        project.run("check")
    assert titles(receiver) == ["watcher: Acme needs attention"]
    assert says in receiver.bodies()[0]["message"]
    # nothing was closed on the strength of broken reads
    assert len(project.list()) == 10 and project.list("--status", "closed") == []
    serve_greenhouse(server, "acme", JOBS)
    assert project.run("check").exit_code == 0
    project.run("check")
    assert titles(receiver) == ["watcher: Acme needs attention", "watcher: Acme recovered"]
    # and the recovery produced no false "new" or "reopened"
    assert all("new" not in t and "reopened" not in t for t in titles(receiver))


def test_suspect_read_exits_0_but_counts_for_health(project, server, receiver):
    serve_greenhouse(server, "acme", JOBS)
    project.run("check")
    serve_greenhouse(server, "acme", JOBS[:3])
    result = project.run("check")
    assert result.exit_code == 0
    assert "suspect read: only 3 results where 10 were open, nothing closed" in result.output
    status = project.run("status", "--json").stdout
    assert '"failures": 1' in status
    serve_greenhouse(server, "acme", JOBS)
    project.run("check")
    assert receiver.messages == []


def test_half_page_flapping_never_alerts_new(project, server, receiver):
    serve_greenhouse(server, "acme", JOBS)
    project.run("check")
    for _ in range(3):
        serve_greenhouse(server, "acme", JOBS[:4])
        project.run("check")
        serve_greenhouse(server, "acme", JOBS)
        project.run("check")
    assert receiver.messages == []
    assert len(project.list()) == 10


def test_a_board_that_really_shrank_is_believed_after_three_agreeing_reads(
    project, server, receiver
):
    serve_greenhouse(server, "acme", JOBS[:6])
    project.run("check")
    serve_greenhouse(server, "acme", JOBS[:2])
    for _ in range(2):
        result = project.run("check")
        assert "suspect read" in result.output
        assert len(project.list()) == 6
    result = project.run("check")  # the third read that agrees
    assert "the board shrank from 6 to 2 openings: 4 postings closed" in result.output
    assert len(project.list()) == 2 and len(project.list("--status", "closed")) == 4
    assert titles(receiver) == ["watcher: Acme has fewer openings"]
    status = json.loads(project.run("status", "--json").stdout)["sites"][0]
    assert status["failures"] == 0 and status["last_error"] is None
    for _ in range(2):  # and it stays believed, told once
        project.run("check")
    assert titles(receiver) == ["watcher: Acme has fewer openings"]


def test_reads_that_disagree_are_not_believed(project, server, receiver):
    serve_greenhouse(server, "acme", JOBS[:6])
    project.run("check")
    for subset in (JOBS[:2], JOBS[2:4], JOBS[:2], JOBS[4:6]):
        serve_greenhouse(server, "acme", subset)
        assert "suspect read" in project.run("check").output
    assert len(project.list()) == 6 and project.list("--status", "closed") == []


def test_an_empty_board_is_believed_only_when_accepted(project, server, receiver):
    serve_greenhouse(server, "acme", JOBS[:6])
    project.run("check")
    serve_greenhouse(server, "acme", [])
    for _ in range(4):
        project.run("check")
    assert len(project.list()) == 6
    result = project.run("accept", "Acme")
    assert result.exit_code == 0, result.output
    assert "the board shrank from 6 to 0 openings: 6 postings closed" in result.output
    assert project.list() == []
    assert project.run("accept", "Nobody").exit_code == 2
