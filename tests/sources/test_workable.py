import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import SourceError
from watcher.sources import detect_with
from watcher.sources.workable import Workable
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
ACCOUNT = (FIXTURES / "workable" / "account.json").read_bytes()


def parse(body: bytes, board: str = "acme-robotics"):
    return parse_page(Workable(board), body, NOW)


def read(source, **options):
    return read_board_over_http(source, NOW, **options)


def test_endpoint_and_api_rebase():
    assert Workable("acme").first_request().url == (
        "https://apply.workable.com/api/v1/widget/accounts/acme?details=true"
    )
    assert Workable("acme", api="http://127.0.0.1:8000").first_request().url == (
        "http://127.0.0.1:8000/api/v1/widget/accounts/acme?details=true"
    )


def test_parses_recorded_account():
    page = parse(ACCOUNT)
    assert page.next is None
    # the job listed once per country is one posting; rows without shortcode or title are skipped
    assert [p.id for p in page.postings] == ["A1B2C3D4E5", "F6A7B8C9D0", "1234ABCDEF"]
    robotics, support, office = page.postings

    assert robotics.title == "Senior Robotics Engineer"
    assert robotics.url == "https://apply.workable.com/j/A1B2C3D4E5"
    assert robotics.locations == ("Berlin, Germany", "München, Bavaria, Germany")  # not hidden
    assert robotics.department == "Hardware"
    assert (robotics.employment, robotics.workplace) == ("full-time", None)
    assert robotics.posted_at == datetime(2026, 11, 1, tzinfo=UTC)
    assert describe(robotics) == (
        "About the role\nROS & C++ on real robots.\n\nRequirements\n\n5+ years C++\nROS 2\n\n"
        "Benefits\n\n30 days off"
    )

    assert support.title == "Ingeniero/a de Soporte – Español"
    assert support.locations == ("Spain", "Portugal")
    assert (support.employment, support.workplace) == ("contract", "remote")
    assert support.department is None

    # no url: built from the account and shortcode; no locations list: the top-level fields
    assert office.url == "https://apply.workable.com/acme-robotics/j/1234ABCDEF/"
    assert office.locations == ("Austin, Texas, United States",)
    assert (office.employment, office.workplace) == (None, None)
    assert office.posted_at == datetime(2026, 9, 30, tzinfo=UTC)  # created_at stands in
    assert office.description_html is None and describe(office) == ""


def test_empty_account():
    assert parse(b'{"name": "Acme", "description": null, "jobs": []}').postings == []


@pytest.mark.parametrize(
    "body",
    [
        b"<html>Too Many Requests</html>",
        b"[]",
        b'{"name": "Acme"}',
        b'{"name": "Acme", "jobs": {"shortcode": "X"}}',
        b'{"jobs": [',
    ],
)
def test_bad_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_real_recorded_responses():
    for path in shared("workable"):
        data = json.loads(path.read_bytes())
        page = parse(path.read_bytes(), board="zaelab")
        codes = list(dict.fromkeys(job["shortcode"] for job in data["jobs"]))
        assert [p.id for p in page.postings] == codes
        for posting in page.postings:
            rows = [job for job in data["jobs"] if job["shortcode"] == posting.id]
            assert posting.title == rows[0]["title"].strip()
            assert posting.url == rows[0]["url"]
            assert posting.locations == tuple(job["country"] for job in rows)
            assert posting.workplace == ("remote" if rows[0]["telecommuting"] else None)
            assert posting.posted_at is not None


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://apply.workable.com/huggingface", "huggingface"),
        ("https://apply.workable.com/huggingface/", "huggingface"),
        ("https://apply.workable.com/huggingface/j/A1B2C3D4E5/", "huggingface"),
        ("https://apply.workable.com/huggingface/j/A1B2C3D4E5/apply", "huggingface"),
        ("https://apply.workable.com/api/v1/widget/accounts/zaelab?details=true", "zaelab"),
        ("https://apply.workable.com/api/v3/accounts/zaelab/jobs", "zaelab"),
        ("https://acme-robotics.workable.com", "acme-robotics"),
        ("https://Acme.workable.com/jobs/12345", "acme"),
    ],
)
def test_detects_urls(url, board):
    found = detect_with(Workable, url)
    assert found is not None and found.board == board and found.key == "workable"


@pytest.mark.parametrize(
    "url",
    [
        "https://apply.workable.com",
        "https://apply.workable.com/",
        "https://apply.workable.com/j/A1B2C3D4E5",
        "https://www.workable.com/",
        "https://www.workable.com/pricing",
        "https://workable.com/careers-page",
        "https://resources.workable.com/job-descriptions",
        "https://help.workable.com/hc/en-us",
        "https://jobs.workable.com/search?query=python",
        "https://jobs.lever.co/huggingface",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Workable, url) is None


def test_reads_account_over_http(server):
    server.routes["/api/v1/widget/accounts/acme-robotics"] = Reply(200, ACCOUNT)
    result = read(Workable("acme-robotics", api=server.url))
    assert [s.path for s in server.seen] == ["/api/v1/widget/accounts/acme-robotics?details=true"]
    assert result.pages == 1
    assert [p.id for p in result.postings] == ["A1B2C3D4E5", "F6A7B8C9D0", "1234ABCDEF"]
    assert result.postings[1].locations == ("Spain", "Portugal")


def test_unknown_account_is_not_found(server):
    with pytest.raises(SourceError) as err:
        read(Workable("nobody", api=server.url))
    assert err.value.kind == "not_found"
