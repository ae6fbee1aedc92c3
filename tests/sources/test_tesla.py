import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from tests.helpers import Project
from tests.servers import LocalServer, Reply, Seen
from tests.sources.common import parse_page
from tests.sources.common import read as read_over_http
from tests.test_browser import needs_chromium
from watcher.model import Posting, Response, SourceError
from watcher.sources import detect_with
from watcher.sources.tesla import Tesla, job_url
from watcher.text import describe

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
STATE = "/cua-api/apps/careers/state"
REFUSED = "Tesla refused a plain client (HTTP 403): add `render: browser` to this site"


def fixture(name: str) -> bytes:
    return (FIXTURES / "tesla" / f"{name}.json").read_bytes()


def parse(body: bytes, board: object = "all") -> list[Posting]:
    return parse_page(Tesla(board), body, NOW).postings


def ids(board: object) -> list[str]:
    return [p.id for p in parse(fixture("state"), board)]


def state(listings: list[dict]) -> dict:
    """A state document whose listings are all in Palo Alto."""
    return {
        "lookup": {
            "sites": {"US": "United States of America"},
            "locations": {"401022": "Palo Alto, California"},
            "departments": {"1": "Engineering & Information Technology"},
            "types": {"1": "fulltime"},
        },
        "geo": [{"id": "5", "sites": [{"id": "US", "cities": {"Palo Alto": ["401022"]}}]}],
        "listings": listings,
    }


def listing(n: int, title: str = "Engineer") -> dict:
    return {"id": str(n), "t": f"{title} {n}", "dp": "1", "f": "1", "l": "401022", "y": 1}


def job(n: int) -> dict:
    detail = json.loads(fixture("job"))
    return {**detail, "id": str(n), "url": f"/careers/search/job/engineer-{n}"}


def test_the_state_request():
    request = Tesla("all").first_request()
    assert request.url == "https://www.tesla.com/cua-api/apps/careers/state"
    assert (request.method, request.json) == ("GET", None)
    assert request.headers == {"Accept": "application/json"}  # the browser makes it in a page
    assert request.meta["refused"].format(status=403) == REFUSED
    rebased = Tesla({"query": "robotics"}, api="http://127.0.0.1:8000/t").first_request()
    assert rebased.url == "http://127.0.0.1:8000/t/cua-api/apps/careers/state"


def test_parses_the_state():
    postings = parse(fixture("state"))
    # newest id first; rows without an id or a title skipped, a repeated id once
    assert [p.id for p in postings] == [
        "252210",
        "251330",
        "250500",
        "249435",
        "246003",
        "240872",
        "238117",
        "224501",
    ]
    by_id = {p.id: p for p in postings}
    optimus = by_id["224501"]
    assert optimus.title == "AI Engineer, Manipulation, Optimus"
    assert optimus.url == (
        "https://www.tesla.com/careers/search/job/ai-engineer-manipulation-optimus-224501"
    )
    assert optimus.locations == ("Palo Alto, California, United States of America",)
    assert (optimus.department, optimus.employment) == ("Tesla AI", "full-time")
    assert optimus.description_html is None and optimus.team is None
    intern = by_id["240872"]
    assert intern.employment == "intern"
    assert intern.url.endswith(
        "/job/internship-backend-software-engineer-diagnostics-fall-2026-240872"
    )
    assert by_id["238117"].locations == ("Grünheide, Brandenburg, Germany",)  # an int location id
    assert by_id["251330"].locations == ("Berlin, Germany",)  # the country named once
    assert by_id["251330"].employment == "part-time"
    assert by_id["246003"].locations == ("上海, Shanghai, China Mainland",)
    assert by_id["246003"].url == "https://www.tesla.com/careers/search/job/246003"  # no slug
    assert by_id["252210"].locations == ()  # a location the lookup does not know
    assert by_id["250500"].department is None  # nor the department
    assert by_id["250500"].employment == "temporary"  # seasonal
    assert by_id["250500"].locations == ("Toronto, Ontario, Canada",)


def test_types_default_to_the_sites_numbering():
    body = state([listing(1), {**listing(2), "y": 3}])
    del body["lookup"]["types"]
    assert [p.employment for p in parse(json.dumps(body).encode())] == ["intern", "full-time"]


@pytest.mark.parametrize(
    ("board", "expected"),
    [
        ({"query": "software engineer"}, ["252210", "249435", "240872"]),  # every word, any order
        ({"query": "SOFTWARE, engineer!"}, ["252210", "249435", "240872"]),
        ({"query": "AI"}, ["224501"]),  # a word's start: not the "ai" of Maintenance
        ({"query": "eng"}, ["252210", "249435", "240872", "224501"]),
        ({"query": "engineer", "location": "US"}, ["249435", "240872", "224501"]),
        ({"location": "us"}, ["249435", "240872", "224501"]),
        ({"location": "Germany"}, ["251330", "238117"]),
        ({"location": "grunheide"}, ["238117"]),  # accents do not count
        ({"location": "California"}, ["240872", "224501"]),
        ({"location": "CA"}, ["250500"]),  # a two-letter place is a country's code: Canada
        ({"location": "Texas; DE"}, ["251330", "249435", "238117"]),  # any one
        ({"location": "United States"}, ["249435", "240872", "224501"]),
        ({"location": "Alto"}, ["224501"]),  # whole words of the place
        ({"location": "Palo Al"}, []),
        ({"query": "astronaut"}, []),
    ],
)
def test_a_search_is_applied_to_the_listings(board, expected):
    assert ids(board) == expected


def test_an_empty_board():
    page = parse_page(Tesla("all"), fixture("state_empty"), NOW)
    assert page.postings == [] and page.next is None


@pytest.mark.parametrize(
    "body",
    [
        b"<html><title>Access Denied</title></html>",
        b"[]",
        b'{"listings": {}}',
        b'{"listings": []}',
        b'{"listings": [], "lookup": []}',
        b'{"jobs": [], "lookup": {}}',
    ],
)
def test_a_changed_shape_is_a_parse_error(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_odd_rows_are_skipped_or_read_as_far_as_they_go():
    rows = [
        listing(1),
        {"id": "12a", "t": "Not a Tesla id"},
        {"id": 7, "t": "An id as a number", "l": 401022, "y": "1"},
        {"id": "8", "t": ["not", "a", "title"]},
        {"id": "9", "t": "Odd lookups", "l": {"a": 1}, "dp": None, "y": 99},
        "not a row",
    ]
    body = state(rows)
    body["geo"] = [{"id": "5", "sites": [{"id": "US", "cities": {"Palo Alto": "401022"}}, 4]}, 3]
    postings = parse(json.dumps(body).encode())
    assert [(p.id, p.locations, p.employment) for p in postings] == [
        ("9", (), None),
        ("7", ("Palo Alto, California, United States of America",), "full-time"),
        ("1", ("Palo Alto, California, United States of America",), "full-time"),
    ]


def test_a_posting_is_completed_from_its_json():
    source = Tesla("all")
    (posting,) = [p for p in parse(fixture("state")) if p.id == "224501"]
    request = source.detail_request(posting)
    assert request is not None
    assert request.url == "https://www.tesla.com/cua-api/careers/job/224501"
    assert request.headers == {"Accept": "application/json"}
    assert request.meta["refused"].format(status=403) == REFUSED
    done = source.parse_detail(posting, Response(200, request.url, fixture("job")), NOW)
    assert done.url == (
        "https://www.tesla.com/careers/search/job/ai-engineer-manipulation-optimus-224501"
    )
    assert (done.team, done.employment, done.department) == ("AI", "full-time", "Tesla AI")
    assert done.locations == posting.locations  # with its country, as listed
    text = describe(done)
    for part in (
        "What to Expect",
        "handle objects",
        "What You'll Do",
        "Ship it to the fleet",
        "What You'll Bring",
        "Compensation and Benefits",
        "$140,000 - $360,000/annual salary",
    ):
        assert part in text


@pytest.mark.parametrize(
    ("changes", "url"),
    [
        ({"url": "https://evil.example/careers/search/job/x-1"}, "listed"),
        ({"url": "javascript:alert(1)//careers/search/job/1"}, "listed"),
        ({"url": None}, "listed"),
        (
            {"url": "/en_GB/careers/search/job/ai-engineer-224501"},
            "/en_GB/careers/search/job/ai-engineer-224501",
        ),
    ],
)
def test_only_a_careers_path_replaces_the_listed_link(changes, url):
    posting = Posting("224501", "AI Engineer", job_url("AI Engineer", "224501"))
    body = json.dumps({**json.loads(fixture("job")), **changes}).encode()
    done = Tesla("all").parse_detail(posting, Response(200, "", body), NOW)
    assert done.url == (posting.url if url == "listed" else "https://www.tesla.com" + url)


def test_a_posting_json_without_a_job_fails():
    posting = Posting("1", "Engineer", job_url("Engineer", "1"))
    for body in (b"{}", b'{"jobDescription": "  ", "title": null}', b"[]", b"<html>"):
        with pytest.raises(SourceError) as err:
            Tesla("all").parse_detail(posting, Response(200, "", body), NOW)
        assert err.value.kind == "parse"
    only_text = b'{"title": "Engineer", "description": "<p>Build cars.</p>"}'
    done = Tesla("all").parse_detail(posting, Response(200, "", only_text), NOW)
    assert describe(done) == "Build cars." and done.url == posting.url


def test_at_most_max_details_postings_a_check():
    source = Tesla("all")
    asked = [source.detail_request(Posting(str(n), "x", "u")) for n in range(Tesla.max_details + 5)]
    assert all(r is not None for r in asked[: Tesla.max_details])
    assert asked[Tesla.max_details :] == [None] * 5
    assert Tesla("all").detail_request(Posting("1", "x", "u")) is not None  # each check anew


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://www.tesla.com/careers/search/job/ai-engineer-manipulation-optimus-224501", "all"),
        ("https://www.tesla.com/careers/search/job/282340", "all"),
        ("https://www.tesla.com/careers/search/job/282340?utm_source=Simplify&ref=Simplify", "all"),
        ("https://www.tesla.com/careers/search/job/internship-fall-2025--240872", "all"),
        ("https://www.tesla.com/en_GB/careers/search/job/software-engineer-222387", "all"),
        ("https://www.tesla.com/ro_RO/careers/search/job/open-tech-day-179440/", "all"),
        ("https://www.tesla.com/careers/search/job/ai-engineer-224501/apply", "all"),
        ("https://www.tesla.com/careers/search/job/apply/279763", "all"),
        ("tesla.com/careers/search/", "all"),
        ("https://www.tesla.com/careers/search", "all"),
        ("https://www.tesla.com/careers/search/?redirect=no#/", "all"),
        ("https://www.tesla.com/en_gb/careers/search", "all"),
        ("https://www.tesla.com/careers", "all"),
        ("https://www.tesla.com/de_DE/careers/", "all"),
        ("https://www.tesla.com/cua-api/apps/careers/state", "all"),
        ("https://www.tesla.com/cua-api/careers/job/224501", "all"),
        ("https://www.tesla.com/careers/search/?query=devops", {"query": "devops"}),
        (
            "https://www.tesla.com/careers/search/?query=Product%20Manager",
            {"query": "Product Manager"},
        ),
        (
            "https://www.tesla.com/careers/search/?query=robotaxi&site=US",
            {"query": "robotaxi", "location": "US"},
        ),
        ("https://www.tesla.com/careers/search/?site=de&type=3", {"location": "DE"}),
        (
            "https://www.tesla.com/careers/search/?region=5&country=US&sort=created_desc",
            {"location": "US"},
        ),
        # filters other than the words and the country are not kept
        (
            "https://www.tesla.com/careers/search/?department=engineering-information-technology",
            "all",
        ),
        ("https://www.tesla.com/careers/search/?site=United%20States", "all"),
    ],
)
def test_detects_links(url, board):
    found = detect_with(Tesla, url)
    assert found is not None and found.board == Tesla.check_board(board)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.tesla.com/model3",
        "https://www.tesla.com/careers/students",
        "https://www.tesla.com/careers/search/job/",
        "https://www.tesla.com/careers/search/job/software-engineer",
        "https://www.tesla.com.evil.example/careers/search/job/224501",
        "https://shop.tesla.com/careers/search/job/224501",
        "https://www.tesla.cn/careers/search/job/224501",
        "https://www.notesla.com/careers/search/",
        "https://www.tesla.com/cua-api/apps/other/state",
    ],
)
def test_ignores_other_links(url):
    assert detect_with(Tesla, url) is None


def test_reads_the_state_and_the_newest_postings_json_over_http(server):
    count = Tesla.max_details + 30
    server.routes[STATE] = Reply(200, state([listing(n) for n in range(1, count + 1)]))
    for n in range(1, count + 1):
        server.routes[f"/cua-api/careers/job/{n}"] = Reply(200, job(n))
    read = read_over_http(Tesla("all", api=server.url), NOW)
    assert read.pages == 1 and not read.truncated and len(read.postings) == count
    asked = sorted(int(s.path.rsplit("/", 1)[1]) for s in server.seen if "/careers/job/" in s.path)
    assert asked == list(range(31, count + 1))  # the newest ids
    detailed = [p for p in read.postings if p.detailed]
    assert len(detailed) == Tesla.max_details
    assert all(p.team == "AI" and "handle objects" in describe(p) for p in detailed)
    assert all(s.headers["accept"] == "application/json" for s in server.seen)


def test_a_refusal_says_to_read_the_site_in_a_browser(server):
    server.routes[STATE] = Reply(403, "<html><title>Access Denied</title></html>")
    with pytest.raises(SourceError) as err:
        read_over_http(Tesla("all", api=server.url), NOW)
    assert err.value.reason == REFUSED


# --- `watcher check`, with and without a browser -------------------------------------------

COOKIE = "bm_sz=granted"


def serve_tesla(server: LocalServer, body: dict) -> None:
    """Tesla as its bot manager serves it: its API answers only a client that carries the
    cookie its pages set."""

    def gated(reply: Reply):
        def answer(seen: Seen) -> Reply:
            if COOKIE not in seen.headers.get("cookie", ""):
                return Reply(403, "<html><title>Access Denied</title></html>")
            return reply

        return answer

    server.routes["/"] = Reply(
        200, "<p>Tesla</p>", {"Content-Type": "text/html", "Set-Cookie": f"{COOKIE}; Path=/"}
    )
    server.routes[STATE] = gated(Reply(200, body))
    for row in body["listings"]:
        if row.get("id"):
            path = f"/cua-api/careers/job/{row['id']}"
            server.routes[path] = gated(Reply(200, {**json.loads(fixture("job")), "id": row["id"]}))


def test_watcher_check_end_to_end(tmp_path, server, receiver):
    board = json.loads(fixture("state"))
    server.routes[STATE] = lambda seen: Reply(200, board)
    for n in ("224501", "240872", "249435", "999001"):
        server.routes[f"/cua-api/careers/job/{n}"] = Reply(200, job(int(n)))
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Tesla", "tesla": {"query": "engineer", "location": "US"}})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    assert "now watching 3 openings" in result.output
    assert receiver.messages == []
    stored = {p["id"]: p for p in project.list()}
    assert sorted(stored) == ["224501", "240872", "249435"]
    assert stored["224501"]["team"] == "AI"  # its JSON was read
    assert stored["249435"]["location"] == "Austin, Texas, United States of America"
    assert stored["249435"]["department"] == "Engineering & Information Technology"

    board["listings"].append(
        {"id": "999001", "t": "Staff Engineer, Cell Engineering", "dp": "1", "l": "402001", "y": 1}
    )
    result = project.run("check")
    assert result.exit_code == 0, result.output
    (message,) = receiver.wait_for(1)
    assert "Staff Engineer, Cell Engineering" in message["message"]
    assert "https://www.tesla.com/careers/search/job/" in message["message"]
    assert len(server.requests_to("/cua-api/careers/job/999001")) == 1
    assert len(server.requests_to("/cua-api/careers/job/224501")) == 1  # read once


def test_watcher_check_on_a_refusal(tmp_path, server):
    serve_tesla(server, json.loads(fixture("state")))
    project = Project(tmp_path, server)
    project.sites({"name": "Tesla", "tesla": "all"})
    result = project.run("check")
    assert result.exit_code == 3
    assert f"Tesla: FAILED: {REFUSED}" in result.output
    assert server.requests_to("/") == []


@needs_chromium
def test_watcher_check_through_the_browser(tmp_path, server):
    """`render: browser`: the state and the postings' JSON are asked for from a page of the
    site's origin, with the cookie that page set."""
    serve_tesla(server, json.loads(fixture("state")))
    project = Project(tmp_path, server)
    project.sites({"name": "Tesla", "tesla": "all", "render": "browser"})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    assert "now watching 8 openings" in result.output
    (asked,) = server.requests_to(STATE)
    assert COOKIE in asked.headers["cookie"] and asked.headers["accept"] == "application/json"
    details = [s for s in server.seen if s.path.startswith("/cua-api/careers/job/")]
    assert len(details) == 8 and all(COOKIE in s.headers["cookie"] for s in details)
    assert len(server.requests_to("/")) == 1  # one page of the origin for every request
    stored = {p["id"]: p for p in project.list()}
    assert stored["238117"]["location"] == "Grünheide, Brandenburg, Germany"
    assert stored["224501"]["team"] == "AI"
