import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Compensation, SourceError
from watcher.sources import detect_with
from watcher.sources.ashby import Ashby
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
BOARD = (FIXTURES / "ashby" / "board.json").read_bytes()


def parse(body: bytes, board: str = "acme"):
    return parse_page(Ashby(board), body, NOW)


def read(source, **options):
    return read_board_over_http(source, NOW, **options)


def test_endpoint_and_api_rebase():
    assert Ashby("Acme").first_request().url == (
        "https://api.ashbyhq.com/posting-api/job-board/Acme?includeCompensation=true"
    )
    assert Ashby("acme", api="http://127.0.0.1:8000/ab").first_request().url == (
        "http://127.0.0.1:8000/ab/posting-api/job-board/acme?includeCompensation=true"
    )


def test_parses_recorded_board():
    page = parse(BOARD)
    assert page.next is None
    # unlisted, id-less, title-less and non-object rows are skipped
    assert [p.id for p in page.postings] == [
        "2b1f9c0e-6a7d-4c52-9e31-8f0a4b6d2c71",
        "3c4d5e6f-7a8b-4c9d-0e1f-2a3b4c5d6e7f",
        "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8",
        "5f6a7b8c-9d0e-4f1a-b2c3-d4e5f6a7b8c9",
        "2b1f9c0e-6a7d-4c52-9e31-8f0a4b6d2c71",
    ]
    staff, student, sales, office, _ = page.postings

    assert staff.title == "Staff Software Engineer, Infrastructure"
    assert staff.url == "https://jobs.ashbyhq.com/acme/2b1f9c0e-6a7d-4c52-9e31-8f0a4b6d2c71"
    assert staff.locations == ("New York", "San Francisco")
    assert (staff.department, staff.team) == ("Engineering", "Infrastructure")
    assert staff.employment == "full-time"
    assert staff.workplace == "hybrid"  # though isRemote is true
    assert staff.posted_at == datetime(2026, 11, 1, 13, 0, 0, 123000, tzinfo=UTC)
    assert staff.compensation == Compensation(
        180000, 240000, "USD", "year", "$180K – $240K • Offers Equity"
    )
    assert describe(staff) == "About Acme\nWe build rockets & roller skates.\nKubernetes"

    assert student.title == "Werkstudent*in Datenanalyse (m/w/d) – Zürich"
    assert student.locations == ("Zürich",)
    assert student.team is None
    assert (student.employment, student.workplace) == ("intern", "remote")
    assert student.compensation == Compensation(32, 32, "CHF", "hour", "CHF 32 per hour")
    assert student.description_html is None
    assert describe(student) == "Daten & Dashboards, 20 Std./Woche."

    assert sales.locations == ("Remote - Europe",)
    assert (sales.employment, sales.workplace, sales.posted_at) == ("contract", None, None)
    assert sales.compensation == Compensation(text="Offers Equity • Offers Commission")
    assert describe(sales) == ""

    assert (office.employment, office.workplace) == ("part-time", "onsite")
    assert office.compensation is None


@pytest.mark.parametrize(
    "body",
    [
        b"<html>Service unavailable</html>",
        b'{"success": false, "errors": ["not found"]}',
        b'{"jobs": {"id": 1}}',
        b"[]",
        b'{"jobs": [',
    ],
)
def test_bad_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_real_recorded_responses():
    paths = shared("ashby")
    counts = {}
    for path in paths:
        data = json.loads(path.read_bytes())
        listed = [job for job in data["jobs"] if job.get("isListed") is not False]
        page = parse(path.read_bytes())
        counts[path.name.split("_")[0]] = len(page.postings)
        assert len(page.postings) == len(listed)
        for posting, job in zip(page.postings, listed, strict=True):
            assert posting.id == job["id"]
            assert posting.title == job["title"].strip()
            assert posting.url == job["jobUrl"]
            assert posting.locations[0] == job["location"].strip()
            others = {s["location"] for s in job["secondaryLocations"]}
            assert set(posting.locations[1:]) == others - {job["location"]}
            assert posting.employment == "full-time"
            assert posting.posted_at is not None
            assert describe(posting)
            salary = [
                c
                for c in (job.get("compensation") or {}).get("summaryComponents", [])
                if c["compensationType"] == "Salary"
            ]
            if salary:
                assert posting.compensation is not None
                assert posting.compensation.min == salary[0]["minValue"]
                assert posting.compensation.period == "year"
    expected = {"anara": 0, "coder": 11, "deepl": 54, "dust": 20, "nango": 14, "secoda": 7}
    assert {k: v for k, v in counts.items() if k in expected} == {
        k: v for k, v in expected.items() if k in counts
    }


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://jobs.ashbyhq.com/openai", "openai"),
        ("jobs.ashbyhq.com/DeepL/", "DeepL"),
        ("https://jobs.ashbyhq.com/Coder/5c0ff396-4cc6-46f9-ba8e-6e41213b0259", "Coder"),
        (
            "https://jobs.ashbyhq.com/Coder/5c0ff396-4cc6-46f9-ba8e-6e41213b0259/application",
            "Coder",
        ),
        ("https://jobs.ashbyhq.com/the-browser-company?departmentId=x", "the-browser-company"),
        ("https://api.ashbyhq.com/posting-api/job-board/nango?includeCompensation=true", "nango"),
    ],
)
def test_detects_urls(url, board):
    found = detect_with(Ashby, url)
    assert found is not None and found.board == board and found.key == "ashby"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.ashbyhq.com/customers",
        "https://ashbyhq.com/openai",
        "https://jobs.ashbyhq.com/",
        "https://api.ashbyhq.com/posting-api/job-board/",
        "https://jobs.lever.co/openai",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Ashby, url) is None


def test_reads_board_over_http(server):
    server.routes["/posting-api/job-board/acme"] = Reply(200, BOARD)
    result = read(Ashby("acme", api=server.url))
    assert [s.path for s in server.seen] == ["/posting-api/job-board/acme?includeCompensation=true"]
    assert result.pages == 1
    assert len(result.postings) == 4  # the repeated id is read once
    assert result.postings[0].description_html.startswith("<p style")


def test_unknown_board_is_not_found(server):
    with pytest.raises(SourceError) as err:
        read(Ashby("nobody", api=server.url))
    assert err.value.kind == "not_found"


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://jobs.ashbyhq.com/pocket%20worlds/8e1f0b2c/application", "pocket worlds"),
        ("https://jobs.ashbyhq.com/Pocket%20Worlds", "Pocket Worlds"),
        ("https://api.ashbyhq.com/posting-api/job-board/Pocket%20Worlds", "Pocket Worlds"),
        ("https://jobs.ashbyhq.com/a%20%20b", None),  # no empty word
        ("https://jobs.ashbyhq.com/%20acme", None),
        ("https://jobs.ashbyhq.com/acme%20/jobs", None),
    ],
)
def test_organisations_with_spaces(url, board):
    found = detect_with(Ashby, url)
    assert (found.board if found else None) == board


def test_a_board_with_spaces_is_quoted_in_the_endpoint():
    assert Ashby("  Pocket   Worlds ").board == "Pocket Worlds"
    assert Ashby("Pocket Worlds").first_request().url == (
        "https://api.ashbyhq.com/posting-api/job-board/Pocket%20Worlds?includeCompensation=true"
    )
    with pytest.raises(ValueError):
        Ashby("pocket worlds/jobs")
