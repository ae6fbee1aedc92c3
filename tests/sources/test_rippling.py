import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Compensation, Request, Response, SourceError
from watcher.sources import detect_with
from watcher.sources.rippling import PAGE_SIZE, Rippling
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
PAYMENTS = "0f8e6a52-3b1d-4c9e-a6f1-2d7b9c4e1a01"
ZURICH = "7c21d0b4-9e55-4f0a-8d3c-5a6b7e8f9012"
SUPPORT = "b3a9c8d7-6e5f-4a3b-9c2d-1e0f9a8b7c6d"
EMEA = "e4d3c2b1-a098-4765-b432-10fedcba9876"


def fixture(name: str) -> bytes:
    return (FIXTURES / "rippling" / name).read_bytes()


def parse(body: bytes, request: Request | None = None, board: str = "acme"):
    return parse_page(Rippling(board), body, NOW, request)


def read(source, **options):
    return read_board_over_http(source, NOW, **options)


def test_endpoint_and_api_rebase():
    assert Rippling("acme").first_request().url == (
        "https://ats.rippling.com/api/v2/board/acme/jobs?page=0&pageSize=100"
    )
    assert Rippling("acme", api="http://127.0.0.1:8000/r/").first_request().url == (
        "http://127.0.0.1:8000/r/api/v2/board/acme/jobs?page=0&pageSize=100"
    )


def test_parses_recorded_first_page():
    page = parse(fixture("jobs_page0.json"))
    payments, zurich, support = page.postings  # the blank title is skipped
    assert payments.id == PAYMENTS
    assert payments.title == "Senior Software Engineer, Payments"
    assert payments.url == f"https://ats.rippling.com/acme/jobs/{PAYMENTS}"
    # one row per location, folded into one posting
    assert payments.locations == ("San Francisco, CA", "New York, NY")
    assert (payments.department, payments.workplace) == ("Engineering", "hybrid")
    assert zurich.title == "Responsable Comptable – Zürich"
    assert zurich.locations == ("Zürich, Switzerland",)  # no name: built from its parts
    assert (zurich.department, zurich.workplace) == (None, "onsite")
    assert support.locations == ("Remote (US)",) and support.workplace == "remote"
    assert page.next is not None
    assert page.next.url == "https://ats.rippling.com/api/v2/board/acme/jobs?page=1&pageSize=100"


def test_ids_repeated_on_a_later_page_are_folded_into_the_first_posting():
    first = parse(fixture("jobs_page0.json"))
    assert first.next is not None
    second = parse(fixture("jobs_page1.json"), first.next)
    assert second.next is None  # page 1 of 2
    support = first.postings[2]
    assert second.postings[0] is support
    assert support.locations == ("Remote (US)", "Dallas, TX")
    assert support.workplace is None  # remote here, on-site there: no single answer
    assert second.postings[1].id == EMEA


def test_parses_the_older_list_shape():
    page = parse(fixture("legacy.json"))
    (posting,) = page.postings
    assert posting.id == "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
    assert posting.locations == ("Remote (Texas, US)", "Dallas, TX")  # no repeats
    assert posting.department == "Operations"
    assert page.next is None


def test_pages_without_a_page_count():
    row = {"id": "1", "name": "Engineer", "locations": []}
    full = json.dumps({"items": [row] * PAGE_SIZE}).encode()
    assert parse(full).next is not None
    assert parse(json.dumps({"items": [row]}).encode()).next is None
    assert parse(b'{"items": [], "totalPages": 3}').next is None


def test_detail_request_and_parse():
    source = Rippling("acme", api="http://127.0.0.1:8000")
    listed = parse(fixture("jobs_page0.json")).postings[0]
    request = source.detail_request(listed)
    assert request is not None
    assert request.url == f"http://127.0.0.1:8000/api/v2/board/acme/jobs/{PAYMENTS}"
    detailed = source.parse_detail(listed, Response(200, request.url, fixture("detail.json")), NOW)
    assert detailed.locations == listed.locations
    assert detailed.employment == "full-time"
    assert detailed.posted_at == datetime(2026, 11, 2, 17, 4, 11, 512000, tzinfo=UTC)
    assert detailed.compensation == Compensation(175000, 230000, "USD", "year")
    # the role first, then the company
    assert describe(detailed) == (
        "What you'll do\nDesign ledgers\nOwn the payouts service\n\n"
        "Acme builds payment rails for small businesses."
    )


def test_detail_fills_what_the_list_lacked():
    source = Rippling("acme")
    bare = parse(b'[{"uuid": "u1", "name": "Engineer"}]').postings[0]
    assert bare.locations == ()
    body = {
        "uuid": "u1",
        "workLocations": ["Austin, TX", None, "Austin, TX"],
        "department": {"name": "Engineering"},
        "employmentType": {"id": "HOURLY_PT", "label": "Hourly, part-time"},
        "description": "<p>One block</p>",
        "payRangeDetails": [{"currency": "USD", "frequency": "HOUR", "rangeStart": 18}],
    }
    detailed = source.parse_detail(bare, Response(200, "", json.dumps(body).encode()), NOW)
    assert detailed.locations == ("Austin, TX",)
    assert detailed.department == "Engineering"
    assert detailed.employment == "part-time"
    assert detailed.compensation == Compensation(18, None, "USD", "hour")
    assert detailed.description_html == "<p>One block</p>"


@pytest.mark.parametrize(
    "body",
    [b"<html>Service unavailable</html>", b'"text"', b'{"items": {"a": 1}}', b'{"jobs": []}'],
)
def test_bad_list_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


@pytest.mark.parametrize("body", [b"<html></html>", b"[]", b"3"])
def test_bad_detail_shapes_are_parse_errors(body):
    listed = parse(fixture("legacy.json")).postings[0]
    with pytest.raises(SourceError) as err:
        Rippling("acme").parse_detail(listed, Response(200, "", body), NOW)
    assert err.value.kind == "parse"


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://ats.rippling.com/acme/jobs", "acme"),
        ("https://ats.rippling.com/acme-inc/jobs/", "acme-inc"),
        (f"https://ats.rippling.com/acme/jobs/{PAYMENTS}", "acme"),
        (f"https://ats.rippling.com/acme/jobs/{PAYMENTS}?jobSite=LinkedIn", "acme"),
        ("https://ats.rippling.com/en-GB/acme/jobs", "acme"),
        ("ats.rippling.com/fr/acme/jobs", "acme"),
        ("https://ats.rippling.com/api/v2/board/acme/jobs?page=0", "acme"),
    ],
)
def test_detects_board_urls(url, board):
    found = detect_with(Rippling, url)
    assert found is not None and found.board == board


@pytest.mark.parametrize(
    "url",
    [
        "https://ats.rippling.com/",
        "https://www.rippling.com/careers",
        "https://app.rippling.com/acme/jobs",
        "https://boards.greenhouse.io/acme",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Rippling, url) is None


def test_real_recorded_responses():
    for path in shared("rippling"):
        rows = json.loads(path.read_bytes())
        page = parse(path.read_bytes())
        ids = list(dict.fromkeys(row["uuid"] for row in rows))
        assert [p.id for p in page.postings] == ids
        for posting in page.postings:
            mine = [row for row in rows if row["uuid"] == posting.id]
            assert posting.title == mine[0]["name"]
            assert posting.url == mine[0]["url"]
            assert posting.department == mine[0]["department"]["label"]
            places = dict.fromkeys(row["workLocation"]["label"] for row in mine)
            assert posting.locations == tuple(places)


def test_reads_pages_and_details_over_http(server):
    board = "/api/v2/board/acme/jobs"
    server.routes[f"{board}?page=0&pageSize=100"] = Reply(200, fixture("jobs_page0.json"))
    server.routes[f"{board}?page=1&pageSize=100"] = Reply(200, fixture("jobs_page1.json"))
    server.routes[f"{board}/{PAYMENTS}"] = Reply(200, fixture("detail.json"))
    server.routes[f"{board}/{SUPPORT}"] = Reply(404, {"error": "not found"})

    wanted = {PAYMENTS, SUPPORT}
    read_ = read(Rippling("acme", api=server.url), needs_detail=lambda p: p.id in wanted)

    assert read_.pages == 2
    assert [p.id for p in read_.postings] == [PAYMENTS, ZURICH, SUPPORT, EMEA]
    asked = sorted(s.path for s in server.seen)
    assert asked == sorted(
        [
            f"{board}?page=0&pageSize=100",
            f"{board}?page=1&pageSize=100",
            f"{board}/{PAYMENTS}",
            f"{board}/{SUPPORT}",
        ]
    )
    payments, zurich, support, _ = read_.postings
    assert payments.detailed and payments.compensation is not None
    assert not zurich.detailed
    assert read_.details_failed == 1
    assert not support.detailed  # its detail failed: kept as listed, both pages' places
    assert support.locations == ("Remote (US)", "Dallas, TX")
    assert support.digest == support.fingerprint()
