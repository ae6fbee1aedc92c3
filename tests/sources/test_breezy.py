import asyncio
import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.servers import Reply
from tests.sources.common import parse_page
from watcher.fetch import Fetcher
from watcher.model import Compensation, SourceError
from watcher.reader import read_board
from watcher.sources import detect_with
from watcher.sources.breezy import Breezy

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def fixture(name: str) -> bytes:
    return (FIXTURES / "breezy" / name).read_bytes()


def parse(body: bytes, board: str = "acme"):
    return parse_page(Breezy(board), body, NOW)


def test_endpoint_and_api_rebase():
    assert Breezy("acme").first_request().url == "https://acme.breezy.hr/json"
    assert Breezy("acme", api="http://127.0.0.1:8000/b").first_request().url == (
        "http://127.0.0.1:8000/b/json"
    )


@pytest.mark.parametrize("board", ["www", "app", "api", "acme.breezy.hr", "a/b", ""])
def test_rejects_what_is_not_a_subdomain(board):
    with pytest.raises(ValueError):
        Breezy(board)


def test_parses_recorded_positions():
    page = parse(fixture("positions.json"))
    assert page.next is None
    remote, lyon, austin = page.postings  # the position without an id is skipped
    assert remote.id == "18df3ec23bf901"
    assert remote.title == "Platform Engineer (Remote)"
    assert remote.url == "https://acme.breezy.hr/p/18df3ec23bf901-platform-engineer"
    assert remote.locations == ("Tampa, FL",)
    assert (remote.workplace, remote.employment) == ("remote", "full-time")
    assert remote.department == "Engineering"
    assert remote.posted_at == datetime(2026, 11, 20, 9, 15, 2, 118000, tzinfo=UTC)
    assert remote.compensation == Compensation(text="$115,000 - $145,000 / year")
    assert lyon.title == "Chargé·e de clientèle & support"
    assert lyon.locations == ("Lyon, France", "Paris, France")  # `locations`, no repeats
    assert (lyon.workplace, lyon.employment) == ("onsite", "part-time")
    assert lyon.compensation is None and lyon.department is None
    assert austin.locations == ("Austin, Texas, United States",)  # built from its parts
    assert austin.posted_at is None and austin.employment is None


@pytest.mark.parametrize(
    "body", [b"<!doctype html><title>Breezy HR</title>", b'{"positions": []}', b"[1, 2"]
)
def test_bad_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_skips_non_objects():
    assert parse(b'[1, "x", null]').postings == []


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.breezy.hr",
        "https://acme.breezy.hr/",
        "acme.breezy.hr/p/18df3ec23bf901-platform-engineer",
        "https://acme.breezy.hr/p/18df3ec23bf901-platform-engineer/apply?source=x",
        "https://ACME.breezy.hr/json",
    ],
)
def test_detects_board_urls(url):
    found = detect_with(Breezy, url)
    assert found is not None and found.board == "acme"


@pytest.mark.parametrize(
    "url",
    [
        "https://breezy.hr",
        "https://www.breezy.hr/pricing",
        "https://app.breezy.hr/signin",
        "https://api.breezy.hr/v3/company",
        "https://acme.breezy.hr.evil.example/",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Breezy, url) is None


def test_real_recorded_responses():
    for path in shared("breezy"):
        rows = [r for r in json.loads(path.read_bytes()) if r.get("id") and r.get("name")]
        page = parse(path.read_bytes())
        assert [p.id for p in page.postings] == [r["id"] for r in rows]
        assert [p.url for p in page.postings] == [r["url"] for r in rows]


def test_reads_the_board_over_http(server):
    server.routes["/json"] = Reply(200, fixture("positions.json"))

    async def go():
        async with Fetcher() as fetcher:
            return await read_board(Breezy("acme", api=server.url), fetcher, NOW)

    read_ = asyncio.run(go())
    assert read_.pages == 1
    assert [p.id for p in read_.postings] == ["18df3ec23bf901", "2d861561c6f2", "9a1b2c3d4e5f"]
    assert [s.path for s in server.seen] == ["/json"]  # no detail pages
    assert all(p.digest for p in read_.postings)
