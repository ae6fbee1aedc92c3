"""Hostile or broken responses never crash a cycle: the site fails with a reason, or the
text is escaped for the channel."""

from __future__ import annotations

import pytest

from tests.helpers import Project, gh_job, serve_greenhouse
from tests.servers import Reply

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]><workzag-jobs><position><id>1</id><name>&lol9;</name></position></workzag-jobs>"
)

CASES = {
    "truncated-json": Reply(200, b'{"jobs": [{"id": 1, "title": "Eng'),
    "wrong-types": Reply(200, {"jobs": {"id": 1}}),
    "invalid-utf8": Reply(200, b'{"jobs": [{"id": 1, "title": "\xff\xfe bad"}]}'),
    "html-50mb": Reply(200, b"<html>" + b"<div>x</div>" * (50 * 1024 * 1024 // 12)),
    "empty-body": Reply(200, b""),
    "server-error": Reply(503, b"down"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_broken_responses_fail_the_site_not_the_cycle(tmp_path, server, receiver, case):
    serve_greenhouse(server, "good", [gh_job(1, "Engineer")])
    server.routes["/v1/boards/bad/jobs"] = CASES[case]
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Good", "greenhouse": "good"}, {"name": "Bad", "greenhouse": "bad"})
    result = project.run("check")
    assert result.exit_code == 3, result.output
    assert "Good: now watching 1 opening" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("Bad:"))
    assert "FAILED: " in line and len(line) < 200
    assert [r["site"] for r in project.list()] == ["Good"]


def test_billion_laughs_is_refused_quickly(tmp_path, server):
    server.routes["/xml"] = Reply(200, LAUGHS, {"Content-Type": "application/xml"})
    project = Project(tmp_path, server)
    project.sites({"name": "Lol", "personio": "acme"})
    result = project.run("check")
    assert result.exit_code == 3 and "Lol: FAILED" in result.output


def test_injected_markup_in_titles_is_escaped(tmp_path, server, receiver):
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", "greenhouse": "acme"})
    project.run("check")
    evil = "[Click me](https://evil.example) <img src=x onerror=alert(1)> **urgent**"
    serve_greenhouse(
        server,
        "acme",
        [gh_job(1, "Engineer"), gh_job(2, evil, absolute_url="javascript:alert(1)")],
    )
    assert project.run("check").exit_code == 0
    (message,) = receiver.bodies()
    body = message["message"]
    assert "[Click me](" not in body and "javascript:" not in body  # no link survives
    assert "\\[Click me\\]" in body and "\\*\\*urgent\\*\\*" in body and "\\<img" in body
