import json
import re
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.helpers import Project
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Request, Response, SourceError
from watcher.sources import detect, detect_with
from watcher.sources.gr8people import Gr8People
from watcher.sources.greenhouse import Greenhouse
from watcher.sources.phenom import WIDGETS_SIZE, Phenom, apply_boards
from watcher.sources.workday import Workday
from watcher.text import describe

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
BOARD = "jobs.acme.com/us/en"
SITE = "https://jobs.acme.com/us/en"
TOKEN = "8d2f6c1e9b7a4e0f93c1d2b3a4f5e6d7"  # in the fixtures' pages


def fixture(name: str) -> bytes:
    return (FIXTURES / "phenom" / name).read_bytes()


def parse(body: bytes, request: Request | None = None, board: str = BOARD):
    return parse_page(Phenom(board), body, NOW, request)


def page_request(start: int, total: int | None = 12) -> Request:
    return Request(f"{SITE}/search-results?from={start}&s=1", meta={"from": start, "total": total})


def embedding(jobs: list[dict], total: int, *, before: str = "", after: str = "") -> bytes:
    """A search page embedding `jobs` the way Phenom's pages do."""
    search = {"status": 200, "hits": len(jobs), "totalHits": total, "data": {"jobs": jobs}}
    return (
        f'<html><head><script src="https://cdn.phenompeople.com/x.js"></script></head><body>'
        f"<script>{before}phApp.ddo = {json.dumps({'eagerLoadRefineSearch': search})};"
        f"{after}</script></body></html>"
    ).encode()


def job(i: int, **extra) -> dict:
    return {"jobId": f"J{i}", "title": f"Engineer {i}", "location": "Austin, Texas", **extra}


def test_board_is_host_and_locale_path():
    assert Phenom.check_board(" Jobs.Acme.com/US/en ") == BOARD
    assert Phenom.check_board("https://jobs.acme.com/us/en/search-results/") == BOARD
    assert Phenom.check_board("careers.acme.com/professionals/us/en") == (
        "careers.acme.com/professionals/us/en"
    )
    assert Phenom.check_board("careers.acme.com/global/en") == "careers.acme.com/global/en"
    bad_boards = (
        "acme",
        "jobs.acme.com",
        "jobs.acme.com/",
        "jobs.acme.com/us/en/job/R-1",
        "jobs.acme.com/a/b/c/d",
        "acme/us/en",
        "jobs acme.com/us/en",
        "",
        3,
    )
    for bad in bad_boards:
        with pytest.raises(ValueError, match=r"not a Phenom site.*jobs\.acme\.com/us/en"):
            Phenom(bad)


def test_first_request_is_the_search_page_and_api_rebase():
    request = Phenom(BOARD).first_request()
    assert (request.method, request.url) == ("GET", f"{SITE}/search-results")
    assert request.meta["preamble"]  # it may embed no list: only its token counts then
    rebased = Phenom(BOARD, api="http://127.0.0.1:9000").first_request()
    assert rebased.url == "http://127.0.0.1:9000/us/en/search-results"


def test_parses_the_embedded_list_and_asks_for_the_next_page():
    page = parse(fixture("search_p1.html"))
    assert len(page.postings) == 10
    remote, data, intern, onsite, no_job_id = page.postings[:5]
    assert (remote.id, remote.title) == ("R-1000", "Senior Backend Engineer | Payments (Remote)")
    assert remote.url == f"{SITE}/job/R-1000/Senior-Backend-Engineer-Payments-Remote"
    assert remote.locations == ("Austin, Texas, United States", "Denver, Colorado, United States")
    assert (remote.department, remote.team, remote.employment, remote.workplace) == (
        "Engineering",
        "Platform",
        "full-time",
        "remote",
    )
    assert remote.posted_at == datetime(2026, 11, 10, tzinfo=UTC)
    assert describe(remote) == "Own the payments ledger & its APIs."  # the teaser, until detail
    assert data.locations == ("Berlin, Germany", "Munich, Germany")
    assert (data.employment, data.workplace) == ("part-time", "hybrid")
    assert data.url == f"{SITE}/job/R-1001/Data-Scientist-L%C3%A4ufer-Co"
    assert intern.locations == ("Toronto, Ontario, Canada",)
    assert (intern.employment, intern.workplace) == ("intern", "hybrid")  # remote up to 20 %
    assert onsite.workplace == "onsite"
    assert no_job_id.id == "R-1004"  # its reqId
    assert page.next is not None
    assert (page.next.method, page.next.url) == ("GET", f"{SITE}/search-results?from=10&s=1")
    assert page.next.meta["total"] == 12


def test_last_page():
    page = parse(fixture("search_p2.html"), page_request(10))
    assert [p.id for p in page.postings] == ["R-1010", "R-1011"]
    assert page.next is None  # 12 of 12


def test_only_the_first_pages_total_counts():
    # Past the search's window the pages say 0: the first page's total is kept.
    jobs = [job(i) for i in range(10)]
    page = parse(embedding(jobs, 0), page_request(20, total=45))
    assert page.next is not None and page.next.url.endswith("from=30&s=1")
    assert parse(embedding(jobs, 45), page_request(9990, total=45_000)).next is None  # window


def test_the_embedded_json_is_read_whole():
    """Braces, quotes and `</script>` inside its strings, and a first empty `phApp.ddo`."""
    tricky = job(1, descriptionTeaser='Use { and } and "quotes" and </script> freely \\')
    body = embedding([tricky, job(2)], 2, before="phApp.ddo = {};", after="var x = {};")
    page = parse(body)
    assert [p.id for p in page.postings] == ["J1", "J2"]
    assert describe(page.postings[0]) == 'Use { and } and "quotes" and freely \\'
    assert len(parse(fixture("search_p1.html")).postings) == 10  # a `</script>` in siteConfig


def test_empty_board():
    page = parse(fixture("search_empty.html"))
    assert page.postings == [] and page.next is None


def test_a_page_that_embeds_no_list_is_a_preamble_to_the_api():
    page = parse(fixture("search_shell.html"))
    assert page.postings == []
    api = page.next
    assert api is not None
    assert (api.method, api.url) == ("POST", "https://jobs.acme.com/widgets")
    assert api.headers["x-csrf-token"] == TOKEN
    body = api.json
    assert body["ddoKey"] == "refineSearch" and body["jobs"] is True and body["counts"] is True
    assert (body["from"], body["size"]) == (0, WIDGETS_SIZE) == (0, 100)
    assert (body["lang"], body["country"], body["refNum"], body["pageId"]) == (
        "en_us",
        "us",
        "ACMEUS",
        "page11",
    )
    assert (body["pageName"], body["siteType"], body["deviceType"]) == (
        "search-results",
        "external",
        "desktop",
    )


def test_the_api_list_and_its_pages():
    shell = parse(fixture("search_shell.html")).next
    assert shell is not None
    page = parse(fixture("widgets_refine.json"), shell)
    assert [p.title for p in page.postings] == [
        "Flight Software Engineer",
        "Test Pilot",
        "Technician",
    ]
    assert page.postings[1].workplace == "onsite"  # "Onsite Only"
    assert page.next is None  # 3 of 3
    many = {
        "refineSearch": {
            "status": 200,
            "totalHits": 250,
            "data": {"jobs": [job(i) for i in range(100)]},
        }
    }
    following = parse(json.dumps(many).encode(), shell).next
    assert following is not None and following.json["from"] == 100
    assert following.headers["x-csrf-token"] == TOKEN
    assert following.json["refNum"] == "ACMEUS" and following.meta["total"] == 250


def test_a_page_without_a_token_asks_without_one():
    body = b'<script>var phApp = phApp || {"locale": "en_global", "country": "global"};</script>'
    api = parse(body, board="careers.acme.com/global/en").next
    assert api is not None and "x-csrf-token" not in api.headers
    assert (api.json["lang"], api.json["country"]) == ("en_global", "global")
    assert "refNum" not in api.json


def test_a_later_page_without_a_list_fails_the_read():
    with pytest.raises(SourceError, match="search page from 10 holds no job list"):
        parse(fixture("search_shell.html"), page_request(10))


@pytest.mark.parametrize(
    "body",
    [
        b"<html>Maintenance</html>",
        b'{"refineSearch": {"status": 500, "error": "timeout"}}',
        b'{"refineSearch": {"tokenAvailable": true}}',
        b'{"somethingElse": {}}',
    ],
)
def test_an_api_answer_without_a_list_fails_the_read(body):
    api = parse(fixture("search_shell.html")).next
    with pytest.raises(SourceError) as caught:
        parse(body, api)
    assert caught.value.kind == "parse" and "\n" not in caught.value.reason


def test_detail_request_and_description():
    source = Phenom(BOARD)
    posting = parse(fixture("search_p1.html")).postings[0]
    request = source.detail_request(posting)
    assert request is not None
    assert (request.method, request.url) == ("POST", "https://jobs.acme.com/widgets")
    assert request.json == {
        "lang": "en_us",
        "deviceType": "desktop",
        "country": "us",
        "pageName": "job-details",
        "ddoKey": "jobDetail",
        "jobId": "R-1000",
        "siteType": "external",
    }
    detailed = source.parse_detail(
        posting, Response(200, request.url, fixture("job_detail.json")), NOW
    )
    text = describe(detailed)
    assert "Design the ledger's APIs" in text and "Run Kafka and Postgres" in text
    assert "Own the payments" not in text  # the teaser gave way
    assert detailed.locations == posting.locations and detailed.title == posting.title
    with pytest.raises(SourceError, match="holds no job"):
        source.parse_detail(
            posting, Response(200, request.url, b'{"jobDetail": {"status": 200}}'), NOW
        )


def test_real_recorded_pages():
    for path in shared("phenom"):
        body = path.read_bytes()
        if path.suffix == ".html":  # Duke Health's page, trimmed to 4 postings of 906
            page = parse(body, board="careers.dukehealth.org/us/en")
            assert [p.id for p in page.postings] == ["273419", "273424", "1089597", "273496"]
            first = page.postings[0]
            assert (
                first.title == "Registered Nurse - Cancer Center Rad/Onc - Thoracic/GU Durham, NC"
            )
            assert first.locations == ("Durham, North Carolina, United States",)
            assert first.department == "Nursing and Clinical Support"
            assert first.url.startswith("https://careers.dukehealth.org/us/en/job/273419/")
            assert page.next is not None and page.next.url.endswith("?from=4&s=1")
            assert page.next.meta["total"] == 906
        else:  # Cisco's API answer: 2 of 1313
            api = parse(fixture("search_shell.html"), board="jobs.cisco.com/global/en").next
            page = parse(body, api, board="jobs.cisco.com/global/en")
            data = json.loads(body)["refineSearch"]["data"]["jobs"]
            assert [p.title for p in page.postings] == [j["title"] for j in data]
            first = page.postings[0]
            assert first.id == "2011157"
            assert first.locations == ("Bangalore, India",)
            assert (first.employment, first.workplace) == ("full-time", "hybrid")
            assert page.postings[1].workplace == "onsite"  # "Onsite Only"
            assert first.department == "Supply Chain and Manufacturing Ops"
            assert page.next is not None and page.next.json["from"] == 2
            assert apply_boards(Response(200, api.url, body)) == [
                detect("https://cisco.wd5.myworkdayjobs.com/Cisco_Careers")
            ]


def test_apply_boards():
    found = apply_boards(Response(200, f"{SITE}/search-results", fixture("search_p1.html")))
    assert [(d.source, d.board) for d in found] == [
        (Workday, "acme.wd5/Acme_Careers"),
        (Greenhouse, "acmeeu"),
    ]
    found = apply_boards(
        Response(200, "https://jobs.acme.com/widgets", fixture("widgets_refine.json"))
    )
    assert [d.board for d in found] == ["acme.wd5/Acme_Careers"]
    assert apply_boards(Response(200, SITE, fixture("search_shell.html"))) == []
    assert apply_boards(Response(200, SITE, b"{not json")) == []


@pytest.mark.parametrize(
    ("url", "board"),
    [
        (
            "https://jobs.acme.phenompeople.com/us/en/search-results",
            "jobs.acme.phenompeople.com/us/en",
        ),
        (
            "https://careers.acme.phenompeople.com/us/en/job/REQ-123/director",
            "careers.acme.phenompeople.com/us/en",
        ),
        ("https://acme.phenompeople.com/global/en", "acme.phenompeople.com/global/en"),
        ("https://acme.phenompeople.com/US/EN/", "acme.phenompeople.com/us/en"),
        (
            "https://acme.phenompeople.com/ca/fr_ca/c/engineering-jobs",
            "acme.phenompeople.com/ca/fr_ca",
        ),
        (
            "https://acme.phenompeople.com/professionals/us/en/search-results?keywords=x",
            "acme.phenompeople.com/professionals/us/en",
        ),
    ],
)
def test_detects_links_on_phenompeople_hosts(url, board):
    found = detect_with(Phenom, url)
    assert found is not None and found.board == board
    assert detect(url) == found


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.phenompeople.com/CareerConnectResources/pp/ACMEUS/en_us/desktop/styles.css",
        "https://www.phenompeople.com/us/en",
        "https://phenompeople.com/us/en/search-results",
        "https://acme.phenompeople.com/",
        "https://acme.phenompeople.com/widgets",
        "https://acme.phenompeople.com.evil.example/us/en/search-results",
        "https://evil.example/acme.phenompeople.com/us/en",
        # Phenom-like paths on companies' own domains are not claimed offline
        "https://jobs.acme.com/us/en/search-results",
        "https://jobs.acme.com/us/en/job/R-1000/Engineer",
        "https://careers.acme.com/en/job/123",
    ],
)
def test_ignores_other_links(url):
    assert detect_with(Phenom, url) is None


def test_board_in_page():
    page = Response(200, "https://jobs.acme.com/us/en/search-results", fixture("search_p1.html"))
    assert Phenom.board_in_page(page) == BOARD
    # no baseUrl in the settings: the final URL's locale path, else country and locale
    bare = b'<script>var phApp = phApp || {"country": "gb", "locale": "en_gb"};</script>'
    assert Phenom.board_in_page(Response(200, "https://careers.acme.com/global/en/home", bare)) == (
        "careers.acme.com/global/en"
    )
    assert Phenom.board_in_page(Response(200, "https://careers.acme.com/", bare)) == (
        "careers.acme.com/gb/en"
    )
    for body in (
        b'<html><a href="https://boards.greenhouse.io/acme">Jobs</a></html>',
        b"<p>Our careers site runs on Phenom (phApp).</p>",
        b'<script src="https://cdn.phenompeople.com/x.js"></script>',  # Phenom, but no locale
    ):
        assert Phenom.board_in_page(Response(200, "https://careers.acme.com/", body)) is None
    assert Gr8People.board_in_page(page) is None


def _serve_site(server, pages: dict[int, bytes], details: dict[str, bytes]) -> None:
    """The search pages by `from`, and the API's posting details by id."""

    def search(seen):
        start = int(seen.path.partition("from=")[2].partition("&")[0] or 0)
        return Reply(200, pages[start], {"Content-Type": "text/html; charset=utf-8"})

    def widgets(seen):
        body = seen.json()
        if body.get("ddoKey") == "jobDetail" and body["jobId"] in details:
            return Reply(200, details[body["jobId"]])
        return Reply(200, {"jobDetail": {"status": 200}})

    server.routes["/us/en/search-results"] = search
    server.routes["/widgets"] = widgets


def test_reads_pages_over_http_with_details(server):
    _serve_site(
        server,
        {0: fixture("search_p1.html"), 10: fixture("search_p2.html")},
        {"R-1000": fixture("job_detail.json")},
    )
    wanted = {"R-1000", "R-1001"}
    read = read_board_over_http(
        Phenom(BOARD, api=server.url), NOW, needs_detail=lambda p: p.id in wanted
    )
    searched = server.requests_to("/us/en/search-results")
    assert [s.path for s in searched] == [
        "/us/en/search-results",
        "/us/en/search-results?from=10&s=1",
    ]
    assert read.pages == 2 and not read.truncated
    assert len(read.postings) == 12
    detailed = [s.json()["jobId"] for s in server.requests_to("/widgets")]
    assert sorted(detailed) == ["R-1000", "R-1001"]
    assert read.details_failed == 1  # R-1001's detail holds no job: kept as listed
    by_id = {p.id: p for p in read.postings}
    assert by_id["R-1000"].detailed and "Run Kafka" in describe(by_id["R-1000"])
    assert not by_id["R-1001"].detailed
    assert by_id["R-1000"].url.startswith(f"{SITE}/job/R-1000/")  # the api: option leaves links


def test_reads_through_the_api_when_the_page_embeds_none(server):
    server.routes["/us/en/search-results"] = Reply(200, fixture("search_shell.html"))

    def widgets(seen):
        body = seen.json()
        start = body["from"]
        jobs = [job(i) for i in range(start, min(start + body["size"], 130))]
        return Reply(
            200, {"refineSearch": {"status": 200, "totalHits": 130, "data": {"jobs": jobs}}}
        )

    server.routes["/widgets"] = widgets
    read = read_board_over_http(Phenom(BOARD, api=server.url), NOW, needs_detail=lambda p: False)
    asked = server.requests_to("/widgets")
    assert [s.json()["from"] for s in asked] == [0, 100]
    assert all(s.headers["x-csrf-token"] == TOKEN for s in asked)
    assert [p.id for p in read.postings] == [f"J{i}" for i in range(130)]
    assert read.pages == 3  # the page, then two answers of the API


def test_watcher_check_end_to_end(tmp_path, server, receiver):
    details = {f"R-{1000 + i}": fixture("job_detail.json") for i in range(12)}
    pages = {0: fixture("search_p1.html"), 10: fixture("search_p2.html")}
    _serve_site(server, pages, details)
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", "phenom": BOARD})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    stored = {row["id"]: row for row in project.list()}
    assert len(stored) == 12
    assert (
        stored["R-1000"]["location"]
        == "Austin, Texas, United States; Denver, Colorado, United States"
    )
    assert stored["R-1000"]["url"].startswith(f"{SITE}/job/R-1000/")
    shown = project.run("show", "R-1000", "--json")
    assert "Run Kafka and Postgres" in json.loads(shown.output)["description"]
    assert receiver.messages == []  # the silent baseline

    listed = re.search(r"phApp\.ddo = (\{.*\}); phApp\.sessionParams", pages[10].decode())
    assert listed is not None
    more = json.loads(listed.group(1))["eagerLoadRefineSearch"]["data"]["jobs"]
    pages[10] = embedding([*more, job(99, title="Propulsion Engineer")], 13)
    again = project.run("check")
    assert again.exit_code == 0, again.output
    assert len(project.list()) == 13
    (message,) = receiver.wait_for(1)
    assert "Propulsion Engineer" in json.dumps(message)


def test_watcher_add_says_which_boards_the_postings_apply_through(tmp_path, server):
    """Cisco's Phenom site applies on Workday: `watcher add` says that board can be
    watched directly."""
    from click.testing import CliRunner

    from watcher.cli import cli

    _serve_site(server, {0: fixture("search_p1.html"), 10: fixture("search_p2.html")}, {})
    config = tmp_path / "sites.yaml"
    link = "https://jobs.acme.phenompeople.com/us/en/search-results"
    result = CliRunner().invoke(cli, ["add", link, "--api", server.url, "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "its postings apply through Workday (acme.wd5/Acme_Careers)" in result.output
    assert "watcher add https://acme.wd5.myworkdayjobs.com/Acme_Careers" in result.output
    assert "Greenhouse (acmeeu)" in result.output
