"""Every single-request platform through the real command: a recorded board served on
127.0.0.1 at the path the source asks for, `watcher check` stores all of it silently, and
the same board again is recognised as unchanged. (Paginated and detail-page platforms
are read end to end over HTTP in their own tests under tests/sources.)"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from tests.conftest import FIXTURES
from tests.helpers import Project
from tests.servers import Reply
from watcher.model import Response
from watcher.sources import REGISTRY

CASES = {
    "greenhouse": ("acme", "greenhouse/board.json"),
    "lever": ("acme", "lever/postings.json"),
    "ashby": ("acme", "ashby/board.json"),
    "workable": ("acme", "workable/account.json"),
    "recruitee": ("acme", "recruitee/offers.json"),
    "breezy": ("acme", "breezy/positions.json"),
    "personio": ("acme", "personio/acme.xml"),
    "teamtailor": ("acme", "teamtailor/jobs.rss"),
    "oleeo": (
        "acme.tal.net/vx/mobile-0/appcentre-1/brand-2/candidate/jobboard/vacancy/3",
        "oleeo/board.xml",
    ),
    "feed": ("https://acme.example/jobs.rss", "feed/jobs.rss"),
    "jsonld": ("https://acme.example/careers", "jsonld/list.html"),
}


@pytest.mark.parametrize("key", sorted(CASES))
def test_platform_end_to_end(tmp_path, server, receiver, key):
    board, fixture = CASES[key]
    body = (FIXTURES / fixture).read_bytes()
    source = REGISTRY[key](board, api=server.url)
    first = source.first_request()
    path = urlsplit(first.url).path
    kind = "application/xml" if fixture.endswith((".xml", ".rss")) else "application/json"
    kind = "text/html" if fixture.endswith(".html") else kind
    server.routes[path] = Reply(200, body, {"Content-Type": kind})
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", key: board})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    stored = project.list()
    expected = source.parse(first, _response(first.url, body), _now())
    assert len(stored) == len({p.id for p in expected.postings}) > 0
    assert receiver.messages == []  # the silent baseline
    again = project.run("check")  # the same body again: nothing to parse or diff
    assert again.exit_code == 0 and "unchanged" in again.output
    assert receiver.messages == []


def _response(url: str, body: bytes) -> Response:
    return Response(200, url, body)


def _now() -> datetime:
    return datetime.now(UTC)


def test_every_platform_has_a_recorded_board():
    assert [key for key in REGISTRY if not (FIXTURES / key).is_dir()] == []
