"""`watcher check` end to end: a local board server, a real SQLite file, Apprise to a receiver."""

from __future__ import annotations

import json

import pytest

from tests.helpers import Project, gh_job, serve_greenhouse
from tests.servers import Reply, Seen


@pytest.fixture
def project(tmp_path, server, receiver) -> Project:
    return Project(tmp_path, server, receiver)


def titles(message: dict) -> str:
    return message["message"]


def test_first_read_is_a_silent_baseline(project, server, receiver):
    serve_greenhouse(server, "acme", [gh_job(1, "Backend Engineer"), gh_job(2, "Designer")])
    project.sites({"name": "Acme", "greenhouse": "acme"})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    assert "Acme: now watching 2 openings" in result.output
    assert receiver.messages == []
    rows = project.list()
    assert {r["title"] for r in rows} == {"Backend Engineer", "Designer"}
    assert all(r["status"] == "open" and r["site"] == "Acme" for r in rows)


def test_new_posting_is_notified_exactly_once(project, server, receiver):
    serve_greenhouse(server, "acme", [gh_job(1, "Backend Engineer")])
    project.sites({"name": "Acme", "greenhouse": "acme"})
    assert project.run("check").exit_code == 0
    serve_greenhouse(
        server,
        "acme",
        [gh_job(1, "Backend Engineer"), gh_job(2, "Staff *Data* Engineer", "Berlin, Germany")],
    )
    result = project.run("check")
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output
    messages = receiver.wait_for(1)
    assert len(messages) == 1
    assert messages[0]["title"] == "Acme: 1 new opening"
    body = messages[0]["message"]
    assert "Staff \\*Data\\* Engineer" in body  # markdown in a title is escaped, not rendered
    assert "Berlin, Germany" in body
    assert "https://boards.greenhouse.io/acme/jobs/2" in body
    assert "Backend Engineer" not in body
    # a repeat cycle with nothing new is silent
    assert project.run("check").exit_code == 0
    assert len(receiver.messages) == 1


def test_notify_existing_sends_the_baseline(project, server, receiver):
    serve_greenhouse(server, "acme", [gh_job(1, "A"), gh_job(2, "B")])
    project.sites({"name": "Acme", "greenhouse": "acme"})
    assert project.run("check", "--notify-existing").exit_code == 0
    messages = receiver.wait_for(1)
    assert [m["title"] for m in messages] == ["Acme: 2 new openings"]


def test_closed_then_reopened(project, server, receiver):
    jobs = [gh_job(i, f"Role {i}") for i in range(1, 4)]
    serve_greenhouse(server, "acme", jobs)
    project.sites({"name": "Acme", "greenhouse": "acme"})
    assert project.run("check").exit_code == 0
    serve_greenhouse(server, "acme", jobs[:2])
    assert project.run("check").exit_code == 0  # one miss: not closed yet
    assert {r["id"] for r in project.list("--status", "closed")} == set()
    result = project.run("check")  # second miss: closed
    assert "1 closed" in result.output
    closed = project.list("--status", "closed")
    assert [r["id"] for r in closed] == ["3"]
    assert closed[0]["status"] == "closed"
    serve_greenhouse(server, "acme", jobs)
    result = project.run("check")
    assert "1 reopened" in result.output
    messages = receiver.wait_for(1)
    assert len(messages) == 1
    assert "Role 3" in messages[0]["message"] and "reopened" in messages[0]["title"]
    assert {r["id"] for r in project.list()} == {"1", "2", "3"}


def test_failing_site_beside_a_good_one(project, server, receiver):
    serve_greenhouse(server, "good", [gh_job(1, "Engineer")])
    server.routes["/v1/boards/broken/jobs"] = Reply(500, {"error": "boom"})
    project.sites(
        {"name": "Good", "greenhouse": "good"},
        {"name": "Broken", "greenhouse": "broken"},
    )
    result = project.run("check")
    assert result.exit_code == 3, result.output
    assert "Good: now watching 1 opening" in result.output
    assert "Broken: FAILED: HTTP 500" in result.output
    assert [r["site"] for r in project.list()] == ["Good"]


def test_list_json_contract(project, server):
    serve_greenhouse(server, "acme", [gh_job(7, "Engineer", "Paris, France")])
    project.sites({"name": "Acme", "greenhouse": "acme"})
    project.run("check")
    (row,) = project.list("--site", "Acme", "--status", "all")
    for key in ("site", "id", "title", "url", "location", "status", "first_seen", "last_seen"):
        assert key in row
    assert row["id"] == "7" and row["location"] == "Paris, France"
    assert row["first_seen"].endswith("Z") and row["last_seen"].endswith("Z")
    assert project.list("--site", "Other") == []


def test_an_invisible_change_is_silent_and_a_visible_one_is_told(project, server, receiver):
    """Only postings whose raw object changed are rebuilt; what users see decides events."""
    jobs = [gh_job(1, "Backend Engineer"), gh_job(2, "Designer")]
    serve_greenhouse(server, "acme", jobs)
    project.sites({"name": "Acme", "greenhouse": "acme"})
    assert project.run("check").exit_code == 0
    serve_greenhouse(server, "acme", [{**jobs[0], "updated_at": "2026-11-25T08:00:00Z"}, jobs[1]])
    result = project.run("check")
    assert result.exit_code == 0, result.output
    assert result.output == "Acme: 2 open\n"
    serve_greenhouse(server, "acme", [jobs[0], {**jobs[1], "title": "Product Designer"}])
    result = project.run("check")
    assert "1 changed" in result.output, result.output
    assert [r["title"] for r in project.list() if r["id"] == "2"] == ["Product Designer"]
    assert project.run("check").output == "Acme: 2 open, unchanged\n"
    rewritten = {**jobs[0], "content": "&lt;p&gt;Build other things.&lt;/p&gt;"}
    serve_greenhouse(server, "acme", [rewritten, {**jobs[1], "title": "Product Designer"}])
    assert project.run("check").output == "Acme: 2 open, 1 changed\n"
    assert "Build other things." in project.run("show", "1", "--site", "Acme").output


def test_a_renamed_site_keeps_its_history_and_tells_what_came_meanwhile(tmp_path, server, receiver):
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", "greenhouse": "acme"})
    assert project.run("check").exit_code == 0
    # renamed in sites.yaml; a posting appeared in between
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer"), gh_job(2, "Designer")])
    project.sites({"name": "Acme Robotics", "greenhouse": "acme"})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    assert "renamed Acme -> Acme Robotics" in result.output
    assert "Acme Robotics: 2 open, 1 new" in result.output
    (message,) = receiver.bodies()
    assert "Designer" in message["message"] and "Engineer" not in message["message"]
    assert {p["site"] for p in project.list()} == {"Acme Robotics"}
    history = json.loads(project.run("show", "Acme Robotics:1", "--json").output)["history"]
    assert [e["kind"] for e in history] == ["new"]


def test_a_removed_site_no_longer_lists_open_postings_until_it_comes_back(tmp_path, server):
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    serve_greenhouse(server, "beta", [gh_job(2, "Analyst")])
    project = Project(tmp_path, server)
    project.sites({"name": "Acme", "greenhouse": "acme"}, {"name": "Beta", "greenhouse": "beta"})
    assert project.run("check").exit_code == 0
    project.sites({"name": "Beta", "greenhouse": "beta"})
    assert project.run("check").exit_code == 0
    assert [p["site"] for p in project.list()] == ["Beta"]
    assert {p["site"] for p in project.list("--status", "all")} == {"Acme", "Beta"}
    project.sites({"name": "Acme", "greenhouse": "acme"}, {"name": "Beta", "greenhouse": "beta"})
    assert project.run("check").exit_code == 0
    assert {p["site"] for p in project.list()} == {"Acme", "Beta"}


def test_a_304_confirms_what_is_missing_without_the_body(tmp_path, server, receiver):
    """After a churn, postings on their way to closing are closed by conditional reads:
    the board is not downloaded again to count their misses."""
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", "greenhouse": "acme"}, defaults={"events": ["new", "closed"]})
    bodies = {"v1": [gh_job(i, f"Role {i}") for i in range(6)]}
    bodies["v2"] = bodies["v1"][:5]  # one goes away
    current = ["v1"]
    full: list[str] = []

    def board(seen: Seen) -> Reply:
        tag = f'"{current[0]}"'
        if seen.headers.get("if-none-match") == tag:
            return Reply(304, b"", {"ETag": tag})
        full.append(current[0])
        jobs = bodies[current[0]]
        return Reply(200, {"jobs": jobs, "meta": {"total": len(jobs)}}, {"ETag": tag})

    server.routes["/v1/boards/acme/jobs"] = board
    assert project.run("check").exit_code == 0  # baseline
    current[0] = "v2"
    assert project.run("check").exit_code == 0  # the churn: one miss
    assert project.list("--status", "closed") == []
    result = project.run("check")  # 304: the second miss closes it
    assert result.exit_code == 0, result.output
    assert full == ["v1", "v2"]  # the third read moved no body
    (closed,) = project.list("--status", "closed")
    assert closed["id"] == "5"
    (message,) = receiver.bodies()
    assert "Role 5" in message["message"] and "closed" in message["message"]


def test_the_response_cap_is_set_in_defaults(tmp_path, server):
    serve_greenhouse(
        server, "acme", [gh_job(i, f"Role {i}", content="x" * 3000) for i in range(400)]
    )
    project = Project(tmp_path, server)
    project.sites({"name": "Acme", "greenhouse": "acme"}, defaults={"max_response_mb": 0.5})
    result = project.run("check")
    assert result.exit_code == 3 and "response larger than 512 KB" in result.output
    project.sites({"name": "Acme", "greenhouse": "acme"}, defaults={"max_response_mb": 5})
    assert project.run("check").exit_code == 0
