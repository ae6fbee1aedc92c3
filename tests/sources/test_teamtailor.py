import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Response, SourceError
from watcher.sources import detect_with
from watcher.sources.teamtailor import Teamtailor
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
BOARD = (FIXTURES / "teamtailor" / "jobs.rss").read_bytes()
RSS = "application/rss+xml; charset=utf-8"


def parse(body: bytes, board: str = "acme"):
    return parse_page(Teamtailor(board), body, NOW)


def rss(first: int, count: int) -> bytes:
    items = "".join(
        f"<item><title>Role {n}</title><link>https://acme.teamtailor.com/jobs/{n}-role-{n}</link>"
        f"<guid>guid-{n}</guid><pubDate>Mon, 06 Jul 2026 08:58:57 +0200</pubDate></item>"
        for n in range(first, first + count)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        f'xmlns:tt="https://teamtailor.com/locations"><channel>{items}</channel></rss>'
    ).encode()


def test_endpoint_region_and_api_rebase():
    assert Teamtailor("acme").first_request().url == (
        "https://acme.teamtailor.com/jobs.rss?per_page=500"
    )
    assert Teamtailor("acme.na").first_request().url == (
        "https://acme.na.teamtailor.com/jobs.rss?per_page=500"
    )
    assert Teamtailor("acme", api="http://127.0.0.1:8000/tt/").first_request().url == (
        "http://127.0.0.1:8000/tt/jobs.rss?per_page=500"
    )


@pytest.mark.parametrize("board", ["app", "www", "a b", "acme.teamtailor.com", "-acme", "", None])
def test_bad_board_ids(board):
    with pytest.raises(ValueError):
        Teamtailor.check_board(board)


def test_parses_recorded_feed():
    page = parse(BOARD)
    assert page.next is None  # fewer than 100 items
    # the numeric id of the link, not the guid; the item without a title is skipped
    assert [p.id for p in page.postings] == ["5123456", "5200001", "5300002"]
    first, second, third = page.postings

    assert first.title == "Senior Backend Engineer"
    assert first.url == "https://acme.teamtailor.com/jobs/5123456-senior-backend-engineer"
    assert first.locations == ("Stockholm, Sweden", "København, Denmark")
    assert (first.department, first.team) == ("Engineering", "Backend Developer")
    assert first.workplace == "hybrid"
    assert first.posted_at == datetime(2026, 4, 23, 10, 41, 59, tzinfo=UTC)
    assert describe(first) == "Build payments & ledgers.\nElixir\nPostgres"

    # non-ASCII and markdown-looking characters are kept as text
    assert second.title == "Utvecklare – Göteborg (Remote) **urgent**"
    assert second.locations == ("Remote – Sweden",)
    assert second.department is None and second.team is None
    assert second.workplace == "remote"

    # a custom career domain in the link; "none" says nothing; an unreadable date is no date
    assert third.url == "https://careers.acme.se/jobs/5300002-office-manager"
    assert third.locations == ()
    assert third.workplace is None
    assert third.posted_at is None
    assert third.description_html is None


def test_full_page_asks_for_the_next_offset():
    source = Teamtailor("acme")
    first = source.first_request()
    page = source.parse(first, Response(200, first.url, rss(1, 100)), NOW)
    assert len(page.postings) == 100
    assert page.next is not None
    assert page.next.url == "https://acme.teamtailor.com/jobs.rss?per_page=500&offset=100"
    second = source.parse(page.next, Response(200, page.next.url, rss(101, 250)), NOW)
    assert second.next is not None and second.next.url.endswith("&offset=350")


def test_empty_feed():
    page = parse(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>A</title></channel></rss>'
    )
    assert page.postings == [] and page.next is None


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><body>Not found</body></html>",
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>',
        b"<rss version='2.0'></rss>",
        b'{"items": {"a": 1}}',
        b"<rss><channel><item>",
    ],
)
def test_bad_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_invalid_utf8_bytes_are_replaced():
    body = rss(1, 1).replace(b"Role 1", b"R\xf4le \xff1")
    assert parse(body).postings[0].title == "R\ufffdle \ufffd1"


def test_real_recorded_json_feed():
    # the recorded file is the JSON Feed (jobs.json), which the source also reads
    for path in shared("teamtailor"):
        data = json.loads(path.read_bytes())
        page = parse(path.read_bytes(), "career")
        assert len(page.postings) == len(data["items"])
        for posting, item in zip(page.postings, data["items"], strict=True):
            assert posting.id == str(item["_jobposting"]["identifier"]["value"])
            assert posting.title == item["title"]
            assert posting.url == item["url"]
            assert posting.posted_at == datetime.fromisoformat(item["date_published"])
            assert len(posting.locations) == len(item["_jobposting"]["jobLocation"])
    first, second = page.postings
    assert first.id == "7167985"
    assert first.locations == ("Madrid, Europe, ES",)
    assert second.locations == ("Stockholm, Sweden, SE", "København, Europe, DK")
    assert page.next is None


def test_json_feed_follows_next_url():
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "next_url": "https://acme.teamtailor.com/jobs.json?page=2",
            "items": [
                {"id": "u-1", "title": "A", "url": "https://acme.teamtailor.com/jobs/11-a"},
                {"id": "u-2", "title": "No url"},
                {"id": "u-3", "url": "https://acme.teamtailor.com/jobs/13-untitled"},
            ],
        }
    ).encode()
    source = Teamtailor("acme", api="http://127.0.0.1:9/")
    page = source.parse(source.first_request(), Response(200, "http://127.0.0.1:9/", body), NOW)
    assert [p.id for p in page.postings] == ["11", "u-2"]
    assert page.next is not None and page.next.url == "http://127.0.0.1:9/jobs.json?page=2"


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://acme.teamtailor.com", "acme"),
        ("acme.teamtailor.com/jobs", "acme"),
        ("https://acme.teamtailor.com/en/jobs?department=Engineering", "acme"),
        ("https://acme.teamtailor.com/jobs/5123456-senior-backend-engineer", "acme"),
        ("https://www.acme-group.teamtailor.com/jobs", "acme-group"),
        ("https://rootedtalent.na.teamtailor.com/jobs/1-x", "rootedtalent.na"),
        ("https://career.teamtailor.com/jobs", "career"),
    ],
)
def test_detects_urls(url, board):
    found = detect_with(Teamtailor, url)
    assert found is not None and found.board == board


@pytest.mark.parametrize(
    "url",
    [
        "https://www.teamtailor.com/en/pricing",
        "https://app.teamtailor.com/companies/abc",
        "https://support.teamtailor.com/en/articles/1",
        "https://careers.acme.com/jobs/5123456-engineer",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Teamtailor, url) is None


def read(source, **options):
    return read_board_over_http(source, NOW, **options)


def test_reads_pages_over_http(server):
    server.routes["/jobs.rss?per_page=500"] = Reply(200, rss(1, 100), {"Content-Type": RSS})
    server.routes["/jobs.rss?per_page=500&offset=100"] = Reply(
        200, rss(101, 3), {"Content-Type": RSS}
    )
    result = read(Teamtailor("acme", api=server.url))
    assert len(result.postings) == 103
    assert result.postings[-1].id == "103"
    assert result.postings[-1].url == "https://acme.teamtailor.com/jobs/103-role-103"
    assert [s.path for s in server.seen] == [
        "/jobs.rss?per_page=500",
        "/jobs.rss?per_page=500&offset=100",
    ]


def test_a_server_ignoring_offset_ends_the_read(server):
    server.routes["/jobs.rss"] = Reply(200, rss(1, 100), {"Content-Type": RSS})
    result = read(Teamtailor("acme", api=server.url))
    assert len(result.postings) == 100
    assert len(server.seen) == 2
