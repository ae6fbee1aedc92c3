import asyncio
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from tests.servers import Reply
from tests.sources.common import parse_page
from watcher.fetch import Fetcher
from watcher.model import SourceError
from watcher.reader import read_board
from watcher.sources import detect_with
from watcher.sources.feed import Feed, is_feed
from watcher.text import describe, parse_time

NOW = datetime(2026, 11, 26, tzinfo=UTC)
RSS = (FIXTURES / "feed" / "jobs.rss").read_bytes()
ATOM_1 = (FIXTURES / "feed" / "jobs-1.atom").read_bytes()
ATOM_2 = (FIXTURES / "feed" / "jobs-2.atom").read_bytes()


def parse(body: bytes, board: str = "https://acme.example/careers/feed.rss"):
    return parse_page(Feed(board), body, NOW)


def test_endpoint_is_the_url_and_api_rebases_it():
    assert Feed("https://acme.example/careers/feed.rss?lang=en").first_request().url == (
        "https://acme.example/careers/feed.rss?lang=en"
    )
    assert Feed(
        "https://acme.example/feed.rss", api="http://127.0.0.1:8000"
    ).first_request().url == ("http://127.0.0.1:8000/feed.rss")


@pytest.mark.parametrize(
    "board",
    ["acme.example/feed.rss", "ftp://acme.example/feed", "https://", "https://a b/", 3, None],
)
def test_board_must_be_a_web_address(board):
    with pytest.raises(ValueError):
        Feed.check_board(board)


def test_parses_rss():
    page = parse(RSS)
    assert page.next is None
    assert [p.id for p in page.postings] == [
        "acme-job-1021",
        "https://acme.example/careers/product-designer-zurich",
        "https://acme.example/careers/support-hero",
    ]
    first, second, third = page.postings
    assert first.title == "Site Reliability Engineer"
    assert first.url == "https://acme.example/careers/sre-berlin"
    assert first.department == "Infrastructure"
    assert first.posted_at == datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
    # content:encoded is preferred to the teaser in <description>
    assert describe(first) == "About the role\nKeep everything up & running."

    assert second.title == "Product Designer (w/m/d) — Zürich"
    assert second.url == "https://acme.example/careers/product-designer-zurich"
    assert second.posted_at == datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    assert describe(second) == "Design & research."

    # a guid is a permalink; HTML in a title is kept as text, for the notifier to escape
    assert third.url == "https://acme.example/careers/support-hero"
    assert third.title == "Support <b>Hero</b> [remote]"
    assert third.posted_at == datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    assert third.description_html is None


def test_parses_atom_and_its_next_link():
    page = parse(ATOM_1, "https://acme.example/jobs.atom")
    assert page.next is not None and page.next.url == "https://acme.example/jobs.atom?page=2"
    assert [p.id for p in page.postings] == [
        "tag:acme.example,2026:job-77",
        "tag:acme.example,2026:job-78",
    ]
    first, second = page.postings
    assert first.title == "Data Engineer & Analyst"
    assert first.url == "https://acme.example/jobs/77"
    assert first.department == "Data & Analytics"
    assert first.posted_at == datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
    assert first.updated_at == datetime(2026, 11, 19, 8, 0, tzinfo=UTC)
    assert describe(first) == "Pipelines and dashboards."

    assert second.url == "https://acme.example/jobs/78"
    assert second.department == "engineering"
    assert second.posted_at is None
    assert describe(second) == "Go and Postgres."

    last = parse(ATOM_2, "https://acme.example/jobs.atom")
    assert last.next is None
    assert describe(last.postings[0]) == "Keep the office\nrunning."


def test_a_next_link_to_itself_is_not_followed():
    body = ATOM_2.replace(b'rel="self"', b'rel="next"')
    assert parse(body, "https://acme.example/jobs.atom?page=2").next is None


def test_empty_feeds():
    assert parse(b"<rss version='2.0'><channel><title>x</title></channel></rss>").postings == []
    assert (
        parse(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>').postings == []
    )


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><head><title>Careers</title></head><body></body></html>",
        b"<rss version='2.0'></rss>",
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        b"<feed><entry><title>x</title></entry></feed>",  # not in the Atom namespace
        b'{"items": []}',
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">]><rss>&a;</rss>',
    ],
)
def test_bad_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_external_dtd_reference_is_allowed():
    body = (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
        b' "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"><channel>'
        b"<item><title>Old school</title><link>https://acme.example/j/1</link></item>"
        b"</channel></rss>"
    )
    assert [p.title for p in parse(body).postings] == ["Old school"]


def test_invalid_utf8_and_leading_whitespace():
    body = b"\n  " + RSS.replace(b"Site Reliability", b"Site \xc3Reliability")
    assert parse(body).postings[0].title == "Site \ufffdReliability Engineer"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 03 Nov 2026 09:30:00 +0100", datetime(2026, 11, 3, 8, 30, tzinfo=UTC)),
        ("Tue, 03 Nov 2026 09:30:00 GMT", datetime(2026, 11, 3, 9, 30, tzinfo=UTC)),
        ("03 Nov 2026 09:30 -0000", datetime(2026, 11, 3, 9, 30, tzinfo=UTC)),
        ("2026-11-03T09:30:00+01:00", datetime(2026, 11, 3, 8, 30, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_feed_dates(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (RSS, True),
        (ATOM_1, True),
        (b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- generated -->\n<rss version='2.0'>", True),
        (b'<?xml version="1.0"?><?xml-stylesheet href="s.xsl"?><rss>', True),
        (b"<feed>not atom</feed>", False),
        (b"<!DOCTYPE html><html><body><rss></rss></body></html>", False),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', False),
        (b"<!-- " + b"-" * 10_000, False),
        (b"", False),
    ],
)
def test_is_feed(body, expected):
    assert is_feed(body) is expected


def test_no_url_detection():
    assert Feed.url_patterns == ()
    assert detect_with(Feed, "https://acme.example/jobs.rss") is None


def test_reads_atom_pages_over_http(server):
    atom = {"Content-Type": "application/atom+xml"}
    server.routes["/jobs.atom"] = Reply(200, ATOM_1, atom)
    server.routes["/jobs.atom?page=2"] = Reply(200, ATOM_2, atom)

    async def run():
        async with Fetcher() as fetcher:
            source = Feed("https://acme.example/jobs.atom", api=server.url)
            return await read_board(source, fetcher, NOW)

    read = asyncio.run(run())
    assert read.pages == 2
    assert [p.id.rsplit("-", 1)[-1] for p in read.postings] == ["77", "78", "80"]
    # links resolve against the public address, not the api: host
    assert read.postings[1].url == "https://acme.example/jobs/78"
    assert [s.path for s in server.seen] == ["/jobs.atom", "/jobs.atom?page=2"]
