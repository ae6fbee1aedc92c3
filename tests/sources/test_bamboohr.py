import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Compensation, Response, SourceError
from watcher.sources import detect_with
from watcher.sources.bamboohr import BambooHR
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def fixture(name: str) -> bytes:
    return (FIXTURES / "bamboohr" / name).read_bytes()


def parse(body: bytes, board: str = "acme"):
    return parse_page(BambooHR(board), body, NOW)


def read(source, **options):
    return read_board_over_http(source, NOW, **options)


def test_endpoint_and_api_rebase():
    assert BambooHR("acme").first_request().url == "https://acme.bamboohr.com/careers/list"
    assert BambooHR("acme", api="http://127.0.0.1:8000").first_request().url == (
        "http://127.0.0.1:8000/careers/list"
    )


@pytest.mark.parametrize("board", ["www", "api", "acme.bamboohr.com", "a b", ""])
def test_rejects_what_is_not_a_subdomain(board):
    with pytest.raises(ValueError):
        BambooHR(board)


def test_parses_recorded_list():
    page = parse(fixture("list.json"))
    assert page.next is None
    accountant, developer, support = page.postings  # the row without an id is skipped
    assert accountant.id == "112"
    assert accountant.title == "Senior Accountant"
    assert accountant.url == "https://acme.bamboohr.com/careers/112"
    assert accountant.locations == ("Salt Lake City, Utah",)
    assert accountant.department == "Finance & Accounting"
    assert (accountant.employment, accountant.workplace) == ("full-time", "onsite")
    assert developer.title == "Développeur·se Front-end (React)"
    assert developer.locations == ("Montréal, Quebec, Canada",)  # from `atsLocation`
    assert (developer.employment, developer.workplace) == ("contract", "hybrid")
    assert support.locations == () and support.department is None
    assert (support.employment, support.workplace) == ("part-time", "remote")
    assert all(p.description_html is None and p.posted_at is None for p in page.postings)


def test_detail_request_and_parse():
    source = BambooHR("acme", api="http://127.0.0.1:8000")
    listed = parse(fixture("list.json")).postings[0]
    request = source.detail_request(listed)
    assert request is not None and request.url == "http://127.0.0.1:8000/careers/112/detail"
    detailed = source.parse_detail(listed, Response(200, request.url, fixture("detail.json")), NOW)
    assert detailed.posted_at == datetime(2026, 11, 18, tzinfo=UTC)
    assert detailed.compensation == Compensation(text="$85,000 - $100,000 / year")
    assert detailed.locations == ("Salt Lake City, Utah",)  # the list's, kept
    assert detailed.url == listed.url
    assert describe(detailed) == (
        "About the role\nClose the books & own reconciliations.\nCPA preferred\nNetSuite"
    )


def test_detail_fills_a_missing_location():
    support = parse(fixture("list.json")).postings[2]
    body = {"result": {"jobOpening": {"location": {"city": "Lehi", "addressCountry": "US"}}}}
    detailed = BambooHR("acme").parse_detail(
        support, Response(200, "", json.dumps(body).encode()), NOW
    )
    assert detailed.locations == ("Lehi, US",)
    assert detailed.compensation is None and detailed.description_html is None


@pytest.mark.parametrize(
    "body", [b"<!DOCTYPE html><html></html>", b"[]", b'{"result": {"a": 1}}', b'{"meta": {}}']
)
def test_bad_list_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


@pytest.mark.parametrize(
    "body", [b"<html></html>", b'{"result": []}', b'{"result": {"jobOpening": null}}']
)
def test_bad_detail_shapes_are_parse_errors(body):
    listed = parse(fixture("list.json")).postings[0]
    with pytest.raises(SourceError) as err:
        BambooHR("acme").parse_detail(listed, Response(200, "", body), NOW)
    assert err.value.kind == "parse"


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.bamboohr.com/careers",
        "https://acme.bamboohr.com/careers/",
        "https://acme.bamboohr.com/careers/112",
        "https://acme.bamboohr.com/careers/list",
        "https://acme.bamboohr.com/jobs/",
        "acme.bamboohr.com/jobs/view.php?id=12",
    ],
)
def test_detects_board_urls(url):
    found = detect_with(BambooHR, url)
    assert found is not None and found.board == "acme"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.bamboohr.com/careers",
        "https://bamboohr.com/careers/",
        "https://api.bamboohr.com/careers",
        "https://acme.bamboohr.com/login.php",
        "https://boards.greenhouse.io/acme",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(BambooHR, url) is None


def test_real_recorded_responses():
    for path in shared("bamboohr"):
        rows = json.loads(path.read_bytes())["result"]
        page = parse(path.read_bytes(), board="careerkit")
        assert len(page.postings) == len(rows)
        for posting, row in zip(page.postings, rows, strict=True):
            assert posting.id == row["id"]
            assert posting.title == row["jobOpeningName"]
            assert posting.url == f"https://careerkit.bamboohr.com/careers/{row['id']}"
            place = ", ".join(row["location"][k] for k in ("city", "state"))
            assert posting.locations == (place,)
            assert posting.department == row["departmentLabel"].strip()


def test_reads_list_and_details_over_http(server):
    server.routes["/careers/list"] = Reply(200, fixture("list.json"))
    server.routes["/careers/112/detail"] = Reply(200, fixture("detail.json"))
    server.routes["/careers/118/detail"] = Reply(404, {"error": "gone"})

    wanted = {"112", "118"}
    read_ = read(BambooHR("acme", api=server.url), needs_detail=lambda p: p.id in wanted)

    assert sorted(s.path for s in server.seen) == [
        "/careers/112/detail",
        "/careers/118/detail",
        "/careers/list",
    ]
    accountant, developer, support = read_.postings
    assert accountant.detailed and accountant.compensation is not None
    assert read_.details_failed == 1
    assert not developer.detailed and developer.locations == ("Montréal, Quebec, Canada",)
    assert not support.detailed
