import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Compensation, SourceError
from watcher.sources import detect_with
from watcher.sources.lever import Lever
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
BOARD = (FIXTURES / "lever" / "postings.json").read_bytes()


def parse(body: bytes, board: str = "acme"):
    return parse_page(Lever(board), body, NOW)


def read(source, **options):
    return read_board_over_http(source, NOW, **options)


def test_endpoint_eu_and_api_rebase():
    assert Lever("acme").first_request().url == "https://api.lever.co/v0/postings/acme?mode=json"
    assert Lever("eu:acme").first_request().url == (
        "https://api.eu.lever.co/v0/postings/acme?mode=json"
    )
    assert Lever("EU:acme", api="http://127.0.0.1:8000/lv/").first_request().url == (
        "http://127.0.0.1:8000/lv/v0/postings/acme?mode=json"
    )


@pytest.mark.parametrize(("board", "expected"), [(" acme ", "acme"), (" Eu:acme", "eu:acme")])
def test_board_ids(board, expected):
    assert Lever.check_board(board) == expected


@pytest.mark.parametrize("board", ["eu:", "eu: ", "eu:a/b", "a b", "", None, 3])
def test_bad_board_ids(board):
    with pytest.raises(ValueError):
        Lever.check_board(board)


def test_parses_recorded_site():
    page = parse(BOARD)
    assert page.next is None
    # no id, blank title and null rows are skipped; the repeated id is left to the reader
    assert [p.id for p in page.postings] == [
        "5f2a1c3e-8b7d-4e61-9a0f-1d2c3b4a5e6f",
        "0b9e7d6c-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
        "c7d8e9f0-1a2b-4c3d-9e4f-5a6b7c8d9e0f",
        "5f2a1c3e-8b7d-4e61-9a0f-1d2c3b4a5e6f",
    ]
    first, second, third, _ = page.postings

    assert first.title == "Senior Backend Engineer"
    assert first.url == "https://jobs.lever.co/acme/5f2a1c3e-8b7d-4e61-9a0f-1d2c3b4a5e6f"
    assert first.locations == ("San Francisco, CA", "New York, NY")
    assert (first.department, first.team) == ("Engineering", "Platform")
    assert (first.employment, first.workplace) == ("full-time", "hybrid")
    assert first.posted_at == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)
    assert first.compensation == Compensation(150000, 190000, "USD", "year")
    assert first.compensation.summary() == "USD 150,000-190,000 / year"
    assert describe(first) == (
        "About Acme\nWe build rockets & roller skates.\n\n"
        "What you'll do\n\nOwn the ingest service\nReview code\n\n"
        "Requirements & nice-to-haves\n\nPython\nPostgreSQL\n\n"
        "Life at Acme\nWe are an equal opportunity employer.\n\n"
        "Base pay; equity on top."
    )

    assert second.title == "Designer·euse produit (H/F) — 日本語"
    assert second.locations == ("Paris, Île-de-France",)
    assert (second.employment, second.workplace) == ("part-time", "onsite")
    assert second.department is None
    assert second.compensation == Compensation(28.5, None, "EUR", "hour")
    # no HTML at all: the plain text stands in
    assert second.description_html is None
    assert describe(second) == "Rejoignez l'équipe design."

    assert third.locations == ()
    assert third.employment is None and third.workplace is None  # "unspecified"
    assert third.posted_at is None and third.compensation is None
    assert describe(third) == ""


@pytest.mark.parametrize(
    "body",
    [
        b"<html>Service unavailable</html>",
        b'{"ok": false, "error": "Document not found"}',
        b'{"postings": []}',
        b"[1, 2",
    ],
)
def test_bad_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_empty_site():
    assert parse(b"[]").postings == []


def test_real_recorded_responses():
    for path in shared("lever"):
        data = json.loads(path.read_bytes())
        page = parse(path.read_bytes())
        assert len(page.postings) == len(data)
        for posting, job in zip(page.postings, data, strict=True):
            assert posting.id == job["id"]
            assert posting.title == job["text"].strip()
            assert posting.url == job["hostedUrl"]
            assert posting.locations[0] == job["categories"]["location"]
            assert set(posting.locations) == set(job["categories"]["allLocations"])
            assert posting.posted_at == datetime.fromtimestamp(job["createdAt"] / 1000, UTC)
            assert posting.workplace in ("remote", "hybrid", "onsite")
            text = describe(posting)
            assert text and "<li>" not in text
            for block in job.get("lists", []):
                assert block["text"].strip() in text


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://jobs.lever.co/netflix", "netflix"),
        ("jobs.lever.co/netflix/", "netflix"),
        ("https://jobs.lever.co/netflix/5f2a1c3e-8b7d-4e61-9a0f-1d2c3b4a5e6f", "netflix"),
        ("https://jobs.lever.co/netflix/5f2a1c3e-8b7d-4e61-9a0f-1d2c3b4a5e6f/apply", "netflix"),
        ("https://jobs.lever.co/palantir?lever-via=abc", "palantir"),
        ("https://jobs.eu.lever.co/acme-gmbh", "eu:acme-gmbh"),
        ("https://jobs.eu.lever.co/acme-gmbh/0b9e7d6c-5a4f-4e3d-8c2b-1a0f9e8d7c6b", "eu:acme-gmbh"),
        ("https://api.lever.co/v0/postings/netflix?mode=json", "netflix"),
        ("https://api.eu.lever.co/v0/postings/acme-gmbh", "eu:acme-gmbh"),
    ],
)
def test_detects_urls(url, board):
    found = detect_with(Lever, url)
    assert found is not None and found.board == board and found.key == "lever"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.lever.co/",
        "https://lever.co/netflix",
        "https://jobs.lever.co/",
        "https://api.lever.co/v1/postings",
        "https://boards.greenhouse.io/netflix",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Lever, url) is None


def test_reads_site_over_http(server):
    server.routes["/v0/postings/acme"] = Reply(200, BOARD)
    result = read(Lever("eu:acme", api=server.url))
    assert [s.path for s in server.seen] == ["/v0/postings/acme?mode=json"]
    assert result.pages == 1
    assert len(result.postings) == 3  # the repeated id is read once
    assert result.postings[0].locations == ("San Francisco, CA", "New York, NY")
    assert result.validators.body_hash


def test_unknown_site_is_not_found(server):
    with pytest.raises(SourceError) as err:
        read(Lever("nobody", api=server.url))
    assert err.value.kind == "not_found"
