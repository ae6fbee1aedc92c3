import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.helpers import Project
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Response, SourceError
from watcher.sources import detect, detect_with
from watcher.sources.gr8people import PAGE_SIZE, Gr8People
from watcher.text import describe

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
BOARD = "careers.acme.com"


def fixture(name: str) -> bytes:
    return (FIXTURES / "gr8people" / name).read_bytes()


def parse(body: bytes, request=None, board: str = BOARD):
    return parse_page(Gr8People(board), body, NOW, request)


def envelope(nodes, *, total=None, more=False, cursor="c1") -> dict:
    return {
        "data": {
            "searchJobs": {
                "results": {
                    "totalCount": len(nodes) if total is None else total,
                    "pageInfo": {"hasNextPage": more, "endCursor": cursor},
                    "nodes": nodes,
                }
            }
        }
    }


def node(key: int, title: str = "Engineer") -> dict:
    return {
        "key": str(key),
        "title": f"{title} {key}",
        "descriptionHTML": f"<p>Role {key}</p>",
        "workplaceType": "REMOTE",
        "postedOn": "2026-11-20T10:00:00Z",
        "positionType": {"name": "Full Time"},
        "primaryPlace": {"name": "Austin, TX, USA"},
        "places": {"nodes": [{"name": "Austin, TX, USA"}]},
        "jobCategory": {"name": "Engineering"},
    }


def test_board_is_the_sites_host():
    assert Gr8People.check_board(" Careers.Acme.com ") == "careers.acme.com"
    assert Gr8People.check_board("acme.gr8people.com") == "acme.gr8people.com"
    assert Gr8People.check_board("https://Batesville.workgr8.com/jobs?page=2") == (
        "batesville.workgr8.com"
    )
    for bad in ("acme", "", "careers.acme.com/jobs", "careers acme.com", "-acme.com", 3, None):
        with pytest.raises(ValueError, match=r"not a gr8people site.*careers\.acme\.com"):
            Gr8People(bad)


def test_search_request_and_api_rebase():
    request = Gr8People(BOARD).first_request()
    assert request.url == "https://careers.acme.com/graphql"
    assert request.method == "POST"
    assert request.json["operationName"] == "searchJobs"
    assert request.json["variables"] == {"first": PAGE_SIZE} == {"first": 100}
    query = request.json["query"]
    assert "searchJobs: searchJobPostings(first: $first, after: $after)" in query
    assert "pageInfo { hasNextPage endCursor }" in query and "descriptionHTML" in query
    rebased = Gr8People(BOARD, api="http://127.0.0.1:9000").first_request()
    assert rebased.url == "http://127.0.0.1:9000/graphql"


def test_parses_a_page_and_asks_for_the_next_by_cursor():
    page = parse(fixture("page1.json"))
    first, second = page.postings
    assert (first.id, first.title) == ("4101", "Senior Platform Engineer")
    assert first.url == "https://careers.acme.com/jobs/4101"
    assert first.locations == ("Austin, TX, USA", "Denver, CO, USA")  # repeats dropped
    assert (first.department, first.employment, first.workplace) == (
        "Engineering",
        "full-time",
        "hybrid",
    )
    assert first.posted_at == datetime(2026, 11, 2, 9, 15, 0, 120000, tzinfo=UTC)
    assert first.compensation is not None
    assert first.compensation.summary() == "USD 150,000-190,000 / year"
    assert "You will run Kubernetes clusters." in describe(first)
    assert second.locations == ("Reno, NV, USA",)  # no places: the primary one
    assert (second.department, second.employment, second.workplace) == (
        None,
        "part-time",
        "onsite",
    )
    assert second.compensation is not None
    assert second.compensation.summary() == "USD 20-22 / hour"
    assert page.next is not None
    assert page.next.json["variables"] == {"first": 100, "after": "YXJyYXljb25uZWN0aW9uOjE="}
    assert page.next.meta["read"] == 2


def test_last_page_with_a_deleted_posting():
    first = Gr8People(BOARD).first_request()
    request = parse(fixture("page1.json"), first).next
    page = parse(fixture("page2.json"), request)
    (posting,) = page.postings  # the deleted one is a null node beside an error
    assert posting.id == "4103"
    assert posting.locations == ("Chicago, Illinois, United States",)  # from its JSON-LD
    assert (posting.workplace, posting.employment) == ("remote", None)
    assert posting.compensation is not None
    assert posting.compensation.period is None  # on-target earnings name no period
    assert posting.compensation.summary() == "USD 120,000-240,000"
    assert page.next is None  # 3 of 3 read, and the page says it is the last


def test_a_page_cut_short_of_the_stated_total_is_not_the_end():
    body = json.dumps(envelope([node(i) for i in range(100)], total=168, cursor="c1"))
    page = parse(body.encode())
    assert page.next is not None and page.next.json["variables"]["after"] == "c1"
    last = json.dumps(envelope([node(i) for i in range(100, 168)], total=168, cursor="c2"))
    assert parse(last.encode(), page.next).next is None  # 168 of 168


def test_a_repeated_cursor_or_no_cursor_ends_the_read():
    request = Gr8People(BOARD)._search("c1", 100)
    same = json.dumps(envelope([node(1)], total=500, more=True, cursor="c1")).encode()
    assert parse(same, request).next is None
    none = json.dumps(envelope([node(1)], total=500, more=True, cursor=None)).encode()
    assert parse(none).next is None


def test_empty_board():
    page = parse(fixture("empty.json"))
    assert page.postings == [] and page.next is None


def test_a_graphql_error_fails_the_read_with_one_line():
    with pytest.raises(SourceError) as caught:
        parse(fixture("error.json"))
    assert caught.value.kind == "parse"
    assert "\n" not in caught.value.reason
    assert caught.value.reason.startswith("the site's search answered an error: Cannot query")
    with pytest.raises(SourceError, match="no searchJobs results"):
        parse(b'{"data": {"searchJobs": null}}')
    with pytest.raises(SourceError, match="not JSON"):
        parse(b"<html>Maintenance</html>")


def test_postings_without_a_key_or_title_are_skipped():
    rows = [node(1), {"key": "2"}, {"title": "No key"}, {"key": 3, "title": "Numeric key"}]
    page = parse(json.dumps(envelope(rows)).encode())
    assert [p.id for p in page.postings] == ["1", "3"]


def test_real_recorded_nodes():
    for path in shared("gr8people"):
        nodes = json.loads(path.read_bytes())
        page = parse(json.dumps(envelope(nodes)).encode(), board="careers.teradata.com")
        assert [p.id for p in page.postings] == [n["key"] for n in nodes]
        assert [p.title for p in page.postings] == [n["title"] for n in nodes]
        by_id = {p.id: p for p in page.postings}
        for posting in page.postings:
            assert posting.url == f"https://careers.teradata.com/jobs/{posting.id}"
            assert posting.locations and posting.posted_at is not None
            assert posting.employment == "full-time" and describe(posting)
        assert by_id["220447"].locations == (
            "Bengaluru, Karnataka, India",
            "Hyderabad, Telangana, India",
        )
        pay = by_id["220076"].compensation
        assert pay is not None and (pay.min, pay.max, pay.currency, pay.period) == (
            178800,
            268200,
            "USD",
            "year",
        )
        assert by_id["220447"].compensation is None
        assert by_id["220646"].workplace == "remote"
        assert by_id["220646"].department == "Sales and Marketing"


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://acme.gr8people.com/jobs", "acme.gr8people.com"),
        ("https://acme.gr8people.com/jobs/168293/software-engineer", "acme.gr8people.com"),
        (
            "https://acme.gr8people.com/index.gp?method=cappportal.showJob&opp=12345&sysLayoutId=123",
            "acme.gr8people.com",
        ),
        (
            "http://Acme.GR8People.com/index.gp?method=cappportal.showPortalSearch&sysLayoutID=123",
            "acme.gr8people.com",
        ),
        ("https://batesville.workgr8.com/jobs/1140", "batesville.workgr8.com"),
        ("https://acme.gr8people.com/graphql", "acme.gr8people.com"),
        ("acme.gr8people.com", "acme.gr8people.com"),
    ],
)
def test_detects_platform_links(url, board):
    found = detect_with(Gr8People, url)
    assert found is not None and found.board == board
    assert detect(url) == found


@pytest.mark.parametrize(
    "url",
    [
        "https://www.gr8people.com/",
        "https://gr8people.com/customers",
        "https://assets.gr8people.com/app-career-site/main.js",
        "https://acme.gr8people.com.evil.example/jobs",
        "https://evil.example/acme.gr8people.com/jobs",
        "https://careers.acme.com/jobs/4101",
        "https://acme.workgr8.co/jobs",
    ],
)
def test_ignores_other_links(url):
    assert detect_with(Gr8People, url) is None


def _page(url: str, html: str) -> Response:
    return Response(200, url, html.encode())


def test_board_in_page():
    vanity = Response(200, "https://careers.acme.com/jobs", fixture("careers.html"))
    assert Gr8People.board_in_page(vanity) == "careers.acme.com"
    assert Gr8People.board_in_page(_page("https://acme.gr8people.com/jobs", "")) == (
        "acme.gr8people.com"
    )
    linking = (
        '<a href="https://Acme.GR8People.com/index.gp?method=cappportal.showPortalSearch">Jobs</a>'
    )
    assert Gr8People.board_in_page(_page("https://www.acme.com/about", linking)) == (
        "acme.gr8people.com"
    )
    others = (
        '<a href="https://www.gr8people.com/">gr8people</a>',
        '<a href="https://boards.greenhouse.io/acme">Jobs</a>',
        "<p>We use gr8people for hiring.</p>",
    )
    for html in others:
        assert Gr8People.board_in_page(_page("https://www.acme.com/careers", html)) is None


def _serve_search(server, pages: dict[str | None, dict]) -> None:
    """The GraphQL endpoint answering each cursor with its page."""
    server.routes["/graphql"] = lambda seen: Reply(
        200, pages[seen.json()["variables"].get("after")]
    )


def test_reads_every_page_over_http(server):
    _serve_search(
        server,
        {
            None: envelope([node(i) for i in range(100)], total=150, more=True, cursor="c1"),
            "c1": envelope([node(i) for i in range(100, 150)], total=150, cursor="c2"),
        },
    )
    read = read_board_over_http(Gr8People(BOARD, api=server.url), NOW)
    asked = server.requests_to("/graphql")
    assert [s.method for s in asked] == ["POST", "POST"]
    assert [s.json()["variables"] for s in asked] == [
        {"first": 100},
        {"first": 100, "after": "c1"},
    ]
    assert read.pages == 2 and not read.truncated
    assert [p.id for p in read.postings] == [str(i) for i in range(150)]
    assert all(p.url.startswith("https://careers.acme.com/jobs/") for p in read.postings)


def test_watcher_check_end_to_end(tmp_path, server, receiver):
    cursor = "YXJyYXljb25uZWN0aW9uOjE="  # page1's endCursor
    pages = {None: json.loads(fixture("page1.json")), cursor: json.loads(fixture("page2.json"))}
    _serve_search(server, pages)
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", "gr8people": BOARD})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    stored = {row["id"]: row for row in project.list()}
    assert sorted(stored) == ["4101", "4102", "4103"]
    assert stored["4101"]["url"] == "https://careers.acme.com/jobs/4101"
    assert stored["4101"]["location"] == "Austin, TX, USA; Denver, CO, USA"
    assert receiver.messages == []  # the silent baseline

    later = json.loads(fixture("page2.json"))
    later["data"]["searchJobs"]["results"]["nodes"].append(node(4104, "Data Analyst"))
    later["data"]["searchJobs"]["results"]["totalCount"] = 4
    pages[cursor] = later
    again = project.run("check")
    assert again.exit_code == 0, again.output
    assert len(project.list()) == 4
    (message,) = receiver.wait_for(1)
    assert "Data Analyst 4104" in json.dumps(message)
