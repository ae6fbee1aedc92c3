import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from tests.helpers import Project
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_over_http
from watcher.model import Request, SourceError
from watcher.sources import detect_with
from watcher.sources.search import SearchBoard
from watcher.sources.uber import LIMIT, Uber, offices
from watcher.text import describe

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
PATH = "/api/loadSearchJobsResults"


def fixture(name: str) -> bytes:
    return (FIXTURES / "uber" / f"{name}.json").read_bytes()


def parse(body: bytes, request: Request | None = None, board: object = "all"):
    return parse_page(Uber(board), body, NOW, request)


def job(n: int, title: str = "Engineer") -> dict:
    return {
        "id": n,
        "title": f"{title} {n}",
        "description": "Build things.",
        "department": "Engineering",
        "location": {"city": "Amsterdam", "country": "NLD", "countryName": "Netherlands"},
        "allLocations": [],
    }


def page(rows: list[dict], total: int) -> dict:
    return {"status": "success", "data": {"results": rows, "totalResults": {"low": total}}}


def test_the_search_request():
    request = Uber({"query": " backend ", "location": "USA-New York-New York"}).first_request()
    assert request.url == "https://www.uber.com/api/loadSearchJobsResults?localeCode=en"
    assert request.method == "POST"
    assert request.headers["x-csrf-token"] == "x"
    assert request.json == {
        "limit": LIMIT,
        "page": 0,
        "params": {
            "query": "backend",
            "location": [{"country": "USA", "region": "New York", "city": "New York"}],
            "department": [],
            "team": [],
            "lineOfBusinessName": [],
            "programAndPlatform": [],
        },
    }
    rebased = Uber("all", api="http://127.0.0.1:8000/u").first_request()
    assert rebased.url == "http://127.0.0.1:8000/u/api/loadSearchJobsResults?localeCode=en"
    assert rebased.json["params"]["location"] == [] and rebased.json["params"]["query"] == ""


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("", []),
        ("usa", [{"country": "USA"}]),
        ("USA-California", [{"country": "USA", "region": "California"}]),
        ("IND--Hyderabad", [{"country": "IND", "city": "Hyderabad"}]),
        (
            "USA-District of Columbia-Washington; DEU-Berlin-Berlin",
            [
                {"country": "USA", "region": "District of Columbia", "city": "Washington"},
                {"country": "DEU", "region": "Berlin", "city": "Berlin"},
            ],
        ),
        (
            "FRA-Île-de-France-Paris",
            [{"country": "FRA", "region": "Île-de-France", "city": "Paris"}],
        ),
        ("Berlin", None),
        ("United States", None),
        ("USA, Berlin", None),
    ],
)
def test_locations_are_uber_offices(location, expected):
    assert offices(location) == expected


def test_a_place_name_is_refused_with_the_way_out():
    with pytest.raises(ValueError) as err:
        Uber({"query": "backend", "location": "Berlin"})
    assert "'Berlin' is not one of Uber's offices" in str(err.value)
    assert "match: location:" in str(err.value)
    assert Uber({"location": "DEU--Berlin"}).display() == "all in DEU--Berlin"


def test_parses_a_page():
    result = parse(fixture("search"))
    payments, maps, intern = result.postings
    assert payments.id == "135592"
    assert payments.title == "Senior Software Engineer, Backend - Payments"
    assert payments.url == "https://www.uber.com/global/en/careers/list/135592/"
    assert payments.locations == (
        "San Francisco, California, United States",
        "New York, United States",  # a city named as its state: once
    )
    assert (payments.department, payments.team) == ("Engineering", "Backend")
    assert payments.employment == "full-time"
    assert payments.posted_at == datetime(2026, 11, 18, 21, 4, 11, tzinfo=UTC)
    assert payments.updated_at == datetime(2026, 11, 24, 9, 12, 45, tzinfo=UTC)
    assert "move people & things" in describe(payments)
    assert "USD$190,000 per year" in describe(payments)
    assert maps.locations == ("Hyderabad, Telangana, India",)  # no allLocations: its location
    assert intern.locations == ("Amsterdam, North Holland, Netherlands",)
    assert intern.employment == "intern"
    assert result.next is None  # 3 of 3


def test_pages_until_the_total():
    full = json.dumps(page([job(n) for n in range(LIMIT)], 250)).encode()
    first = parse(full)
    assert first.next is not None
    assert first.next.json["page"] == 1 and first.next.meta["page"] == 1
    third = parse(full, Uber("all")._page(2))
    assert third.next is None  # 300 >= 250
    uncounted = {"status": "success", "data": {"results": [job(n) for n in range(LIMIT)]}}
    assert parse(json.dumps(uncounted).encode()).next is not None
    short = {"status": "success", "data": {"results": [job(1)]}}
    assert parse(json.dumps(short).encode()).next is None
    assert parse(json.dumps(page([job(1)], 7)).encode()).postings[0].id == "1"


def test_an_empty_search():
    result = parse(fixture("search_empty"))
    assert result.postings == [] and result.next is None


def test_a_failed_search_in_an_http_200():
    with pytest.raises(SourceError) as err:
        parse(fixture("failure"))
    assert err.value.reason == ("Uber's search failed: params.location[0].country must be a string")
    with pytest.raises(SourceError) as err:
        parse(b'{"status": "error\\nnext line"}')
    assert err.value.reason == "Uber's search failed: error next line"


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><title>Just a moment...</title>",
        b"[]",
        b'{"status": "success", "data": null}',
        b'{"status": "success", "data": {"results": {"id": 1}}}',
        b'{"status": "success", "data": {"jobs": []}}',
    ],
)
def test_a_changed_shape_is_a_parse_error(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_results_without_an_id_or_a_title_are_skipped():
    rows = [job(1), {"id": 2, "title": ""}, {"title": "no id"}, 5, job(3)]
    assert [p.id for p in parse(json.dumps(page(rows, 5)).encode()).postings] == ["1", "3"]


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://www.uber.com/global/en/careers/list/135592/", SearchBoard()),
        ("https://www.uber.com/us/en/careers/list/135592", SearchBoard()),
        ("uber.com/careers/list/135592/?uclick_id=abc", SearchBoard()),
        ("https://www.uber.com/us/en/careers/list/", SearchBoard()),
        (
            "https://www.uber.com/us/en/careers/list/?query=machine%20learning",
            SearchBoard(query="machine learning"),
        ),
        (
            "https://www.uber.com/us/en/careers/list/?location=USA-New%20York-New%20York"
            "&location=USA-California-San%20Francisco&department=Engineering",
            SearchBoard(location="USA-New York-New York; USA-California-San Francisco"),
        ),
        (
            "https://www.uber.com/in/en/careers/list/?query=security&location=IND-Telangana-Hyderabad",
            SearchBoard(query="security", location="IND-Telangana-Hyderabad"),
        ),
        # a hand-made link's place that is not one of Uber's offices is left out
        (
            "https://www.uber.com/global/en/careers/list/?location=India&query=data&location=IND",
            SearchBoard(query="data", location="IND"),
        ),
        ("https://www.uber.com/api/loadSearchJobsResults?localeCode=en", SearchBoard()),
        ("https://jobs.uber.com/en/jobs/300864/", SearchBoard()),
    ],
)
def test_detects_links(url, board):
    found = detect_with(Uber, url)
    assert found is not None and found.board == board


@pytest.mark.parametrize(
    "url",
    [
        "https://www.uber.com/us/en/ride/",
        "https://www.uber.com/us/en/careers/teams/engineering/",
        "https://www.ubereats.com/careers/list/135592/",
        "https://www.uber.com.evil.example/us/en/careers/list/1/",
        "https://www.uber.com/us/en/careers/list/backend/",
    ],
)
def test_ignores_other_links(url):
    assert detect_with(Uber, url) is None


def test_reads_every_page_over_http(server):
    def search(seen):
        asked = seen.json()
        rows = [job(n) for n in range(asked["page"] * LIMIT, min((asked["page"] + 1) * LIMIT, 230))]
        return Reply(200, page(rows, 230))

    server.routes[PATH] = search
    read = read_over_http(Uber("all", api=server.url), NOW)
    assert read.pages == 3 and not read.truncated and len(read.postings) == 230
    assert [s.json()["page"] for s in server.requests_to(PATH)] == [0, 1, 2]
    assert all(s.headers["x-csrf-token"] == "x" for s in server.requests_to(PATH))


def test_all_stops_at_the_page_cap(server):
    server.routes[PATH] = lambda seen: Reply(
        200, page([job(seen.json()["page"] * LIMIT + n) for n in range(LIMIT)], 9_000)
    )
    read = read_over_http(Uber("all", api=server.url), NOW)
    assert read.truncated and read.pages == Uber.max_pages == 30
    assert len(read.postings) == 3_000


def test_a_refusal_says_to_read_the_site_in_a_browser(server):
    server.routes[PATH] = Reply(403, "<!DOCTYPE html><title>Just a moment...</title>")
    with pytest.raises(SourceError) as err:
        read_over_http(Uber("all", api=server.url), NOW)
    assert err.value.reason == (
        "Uber refused a plain client (HTTP 403): add `render: browser` to this site"
    )


def test_watcher_check_end_to_end(tmp_path, server, receiver):
    board = json.loads(fixture("search"))
    server.routes[PATH] = lambda seen: Reply(200, board)
    project = Project(tmp_path, server, receiver)
    search = {"query": "engineer", "location": "USA-California-San Francisco"}
    project.sites({"name": "Uber", "uber": search})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    assert "now watching 3 openings" in result.output
    assert receiver.messages == []
    sent = server.requests_to(PATH)[0].json()
    assert sent["params"]["query"] == "engineer"
    assert sent["params"]["location"] == [
        {"country": "USA", "region": "California", "city": "San Francisco"}
    ]

    board["data"]["results"].append(job(140000, "Staff Engineer, Rider Safety"))
    board["data"]["totalResults"]["low"] = 4
    result = project.run("check")
    assert result.exit_code == 0, result.output
    (message,) = receiver.wait_for(1)
    assert "Staff Engineer, Rider Safety 140000" in message["message"]
    assert "https://www.uber.com/global/en/careers/list/140000/" in message["message"]


def test_watcher_check_on_a_refusal(tmp_path, server):
    server.routes[PATH] = Reply(403, "<html>blocked</html>")
    project = Project(tmp_path, server)
    project.sites({"name": "Uber", "uber": "all"})
    result = project.run("check")
    assert result.exit_code == 3
    assert "Uber refused a plain client (HTTP 403): add `render: browser` to this site" in (
        result.output
    )


def test_a_place_name_is_a_config_error(tmp_path, server):
    project = Project(tmp_path, server)
    project.sites({"name": "Uber", "uber": {"location": "Berlin"}})
    result = project.run("check")
    assert result.exit_code == 2
    assert "'Berlin' is not one of Uber's offices" in result.output
    assert server.seen == []
