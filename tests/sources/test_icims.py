from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.helpers import Project
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.fetch import USER_AGENT
from watcher.model import Compensation, Request, Response, SourceError
from watcher.sources import detect_with
from watcher.sources.icims import Icims
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
SEARCH = "/jobs/search?ss=1&in_iframe=1&pr={}"


def fixture(name: str) -> bytes:
    return (FIXTURES / "icims" / name).read_bytes()


def search(page: int, board: str = "careers-acme") -> Request:
    return Icims(board)._search(page)


def parse(name: str, board: str = "careers-acme", page: int = 0):
    return parse_page(Icims(board), fixture(name), NOW, search(page, board))


def read(source, **options):
    return read_board_over_http(source, NOW, **options)


def test_requests_and_api_rebase():
    assert Icims("careers-acme").first_request().url == (
        "https://careers-acme.icims.com/jobs/search?ss=1&in_iframe=1&pr=0"
    )
    assert Icims("careers.acme.example").first_request().url == (
        "https://careers.acme.example/jobs/search?ss=1&in_iframe=1&pr=0"
    )
    source = Icims("careers-acme", api="http://127.0.0.1:8000")
    assert source.first_request().url == "http://127.0.0.1:8000" + SEARCH.format(0)
    # no browser disguise: the fetcher's own User-Agent goes out
    assert "User-Agent" not in source.first_request().headers


@pytest.mark.parametrize(
    ("board", "expected"),
    [
        ("careers-acme", "careers-acme"),
        ("  Careers-Acme ", "careers-acme"),
        ("careers-acme.icims.com", "careers-acme"),
        ("https://careers-acme.icims.com/jobs/search", "careers-acme"),
        ("careers.acme.example", "careers.acme.example"),
        ("https://Careers.Acme.example/", "careers.acme.example"),
    ],
)
def test_board_forms(board, expected):
    assert Icims(board).board == expected


@pytest.mark.parametrize(
    "board",
    ["", "www", "api", "a b", "careers-acme/jobs", "-acme", ".icims.com", "x.icims.com.", 42],
)
def test_rejects_what_is_not_a_portal(board):
    with pytest.raises(ValueError):
        Icims(board)


def test_parses_job_cards():
    page = parse("search_cards_p0.html")
    engineer, analyst, warehouse = page.postings  # the talent-community link is no posting
    assert engineer.id == "1234"
    assert engineer.title == "Senior Backend Engineer"
    assert engineer.url == "https://careers-acme.icims.com/jobs/1234/senior-backend-engineer/job"
    assert engineer.locations == ("Austin, TX, US", "Remote, US")
    assert engineer.department == "Engineering"
    assert (engineer.employment, engineer.workplace) == ("full-time", "hybrid")
    assert engineer.posted_at == datetime(2026, 11, 20, 9, 5, tzinfo=UTC)
    assert engineer.compensation == Compensation(text="USD $120,000.00/Yr. - USD $150,000.00/Yr.")
    assert engineer.description == "Build the services behind Acme’s anvil delivery network."
    assert analyst.title == "Data Analyst & Reporting"
    assert analyst.url.endswith("/jobs/1235/data-analyst-%26-reporting/job")  # relative link
    assert analyst.locations == ("Toronto, ON, CA",)
    assert analyst.department is None and analyst.posted_at is None
    assert warehouse.title == "Warehouse Associate (Nights)"  # no heading: the link's text
    assert warehouse.locations == ("Cork, IE",)


def test_parses_table_rows_of_a_portal_on_its_own_domain():
    page = parse("search_rows.html", board="careers.acme.example")
    assert page.next is None  # "Page 1 of 1"
    technician, manager = page.postings
    assert technician.url == (
        "https://careers.acme.example/jobs/2001/field-service-technician-ii/job"
    )
    assert technician.locations == ("Seattle, WA, US",)
    assert (technician.employment, technician.workplace) == ("part-time", "onsite")
    assert technician.compensation == Compensation(text="USD $31.50/Hr.")
    assert technician.posted_at == datetime(2026, 11, 24, 16, 19, tzinfo=UTC)
    assert manager.workplace == "remote" and manager.locations == ()


@pytest.mark.parametrize(
    ("name", "page", "following"),
    [
        ("search_cards_p0.html", 0, 1),  # "Page 1 of 2"
        ("search_cards_p1.html", 1, None),  # "Page 2 of 2"
        ("search_rows.html", 0, None),  # "Page 1 of 1" in the current page's link
        ("search_links_p0.html", 0, 1),  # no "Page X of Y": links go up to pr=2
        ("search_links_p0.html", 2, None),  # ...and that is the last
        ("empty.html", 0, None),
    ],
)
def test_stops_at_the_last_page(name, page, following):
    found = parse(name, page=page).next
    if following is None:
        assert found is None
    else:
        assert found is not None and found.meta == {"pr": following}
        assert found.url == f"https://careers-acme.icims.com{SEARCH.format(following)}"


def test_next_link_in_the_head_is_the_last_resort():
    body = (
        b'<html><head><link rel="next" href="/jobs/search?pr=1"></head><body>'
        b'<div class="iCIMS_JobsTable"><div class="row"><div class="title">'
        b'<a href="/jobs/9/a/job"><h3>A</h3></a></div></div></div></body></html>'
    )
    page = parse_page(Icims("careers-acme"), body, NOW, search(0))
    assert [p.id for p in page.postings] == ["9"] and page.next is not None


def test_links_without_a_slug():
    body = (
        b'<ul class="iCIMS_JobsTable"><li class="iCIMS_JobCardItem"><div class="title">'
        b'<a href="/jobs/77/job?in_iframe=1"><h3>Night Porter</h3></a></div></li></ul>'
    )
    (porter,) = parse_page(Icims("careers-acme"), body, NOW).postings
    assert (porter.id, porter.url) == ("77", "https://careers-acme.icims.com/jobs/77/job")


def test_empty_board_is_no_error():
    page = parse("empty.html")
    assert page.postings == [] and page.next is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (fixture("wrapper.html"), "outer page"),
        (b"<html><body><h1>Human Verification</h1></body></html>", "no iCIMS markup"),
        (b"", "no iCIMS markup"),
    ],
)
def test_pages_that_are_not_the_job_list_are_parse_errors(body, reason):
    with pytest.raises(SourceError) as err:
        parse_page(Icims("careers-acme"), body, NOW)
    assert err.value.kind == "parse" and reason in err.value.reason


def test_detail_completes_the_listed_posting():
    source = Icims("careers-acme", api="http://127.0.0.1:8000")
    engineer, analyst, _ = parse("search_cards_p0.html").postings
    request = source.detail_request(analyst)
    assert request is not None and request.url == (
        "http://127.0.0.1:8000/jobs/1235/data-analyst-%26-reporting/job?in_iframe=1"
    )
    detailed = source.parse_detail(analyst, Response(200, request.url, fixture("detail.html")), NOW)
    assert detailed.id == "1235" and detailed.url == analyst.url
    assert detailed.locations == ("Toronto, ON, CA",)  # the list's
    assert detailed.department == "Finance"  # occupationalCategory
    assert detailed.employment == "full-time"
    assert detailed.posted_at == datetime(2026, 11, 19, 5, tzinfo=UTC)
    assert describe(detailed) == (
        "Overview\n\nTurn Acme’s anvil sales into weekly reports.\nSQL\nPython"
    )
    # a listed field is kept, the list's excerpt gives way to the description
    kept = source.parse_detail(engineer, Response(200, "", fixture("detail.html")), NOW)
    assert kept.department == "Engineering" and kept.locations == engineer.locations
    assert kept.body[1] is True and "weekly reports" in describe(kept)


def test_detail_drops_placeholder_address_parts():
    (manager,) = parse("search_rows.html", board="careers.acme.example").postings[1:]
    body = fixture("detail.html").replace(
        b'"addressLocality": "Toronto"', b'"addressLocality": "Remote"'
    )
    detailed = Icims("careers.acme.example").parse_detail(manager, Response(200, "", body), NOW)
    assert detailed.locations == ("Remote, CA",)


def test_detail_without_json_ld_reads_the_job_content():
    warehouse = parse("search_cards_p0.html").postings[2]
    detailed = Icims("careers-acme").parse_detail(
        warehouse, Response(200, "", fixture("detail_plain.html")), NOW
    )
    assert describe(detailed).endswith("Load and unload anvils on the night shift.")
    assert detailed.locations == warehouse.locations


@pytest.mark.parametrize("body", [b"", b"<html><body>Gone</body></html>", fixture("wrapper.html")])
def test_detail_pages_without_the_job_are_parse_errors(body):
    posting = parse("search_cards_p0.html").postings[0]
    with pytest.raises(SourceError) as err:
        Icims("careers-acme").parse_detail(posting, Response(200, "", body), NOW)
    assert err.value.kind == "parse"


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://careers-acme.icims.com/jobs/search?ss=1&searchKeyword=engineer", "careers-acme"),
        ("https://careers-acme.icims.com/jobs/1234/senior-backend-engineer/job", "careers-acme"),
        ("https://careers-acme.icims.com/jobs/1234/x/job?mode=apply&iis=LinkedIn", "careers-acme"),
        ("https://careers-acme.icims.com/jobs/intro?hashed=0", "careers-acme"),
        ("https://careers-acme.icims.com/", "careers-acme"),
        ("uscareers-fujifilm.icims.com", "uscareers-fujifilm"),
        ("https://careers-acme.icims.com/jobs", "careers-acme"),
    ],
)
def test_detects_portal_urls(url, board):
    found = detect_with(Icims, url)
    assert found is not None and found.board == board


@pytest.mark.parametrize(
    "url",
    [
        "https://www.icims.com/",
        "https://icims.com/jobs/search",
        "https://www.icims.com/company/careers/",
        "https://developer-community.icims.com/jobs/x",
        "https://cookie-policy-scripts.icims.com/acme/script.js",
        "https://careers-acme.icims.com/icims2/servlet/x",
        "https://careers-acme.icims.com.evil.com/jobs/search",
        "https://evil.com/careers-acme.icims.com/jobs",
        "https://careers.acme.example/jobs/search",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Icims, url) is None


@pytest.mark.parametrize(
    ("url", "name", "board"),
    [
        (
            "https://careers.acme.example/jobs/search?ss=1",
            "search_rows.html",
            "careers.acme.example",
        ),
        ("https://careers-acme.icims.com/jobs/intro", "empty.html", "careers-acme"),
        ("https://www.acme.example/careers", "wrapper.html", "careers-acme"),
        ("https://www.acme.example/careers", "search_cards_p0.html", "www.acme.example"),
    ],
)
def test_board_in_page(url, name, board):
    assert Icims.board_in_page(Response(200, url, fixture(name))) == board


def test_board_in_page_ignores_other_pages():
    page = b"<html><body><a href='https://boards.greenhouse.io/acme'>Jobs</a></body></html>"
    assert Icims.board_in_page(Response(200, "https://www.acme.example/careers", page)) is None


def test_real_recorded_responses():
    files = {path.name: path.read_bytes() for path in shared("icims")}
    rows = next(body for name, body in files.items() if "search_rows" in name)
    page = parse_page(Icims("uscareers-fujifilm"), rows, NOW)
    assert page.next is None  # an excerpt: no paging block
    assert [p.id for p in page.postings] == ["38897", "38896", "38895"]
    trainer, manager, technician = page.postings
    assert trainer.title == "Endoscopy Repair Technician Associate Trainer (onsite Wayne, NJ)"
    assert trainer.url.startswith("https://uscareers-fujifilm.icims.com/jobs/38897/")
    assert trainer.posted_at == datetime(2026, 9, 23, 19, 11, tzinfo=UTC)
    assert [p.workplace for p in page.postings] == ["onsite", "remote", "onsite"]
    assert all(p.employment == "full-time" for p in page.postings)
    assert technician.description.startswith("Filed Service position is based in our West")
    detail = next(body for name, body in files.items() if "detail" in name)
    detailed = Icims("uscareers-fujifilm").parse_detail(manager, Response(200, "", detail), NOW)
    assert detailed.title == "National Security Manager"
    assert detailed.locations == ("Remote, US",)  # "UNAVAILABLE" parts dropped
    assert detailed.department == "Operations"
    assert detailed.employment == "full-time"  # the list's; the page says OTHER
    assert detailed.posted_at == datetime(2026, 9, 23, 4, tzinfo=UTC)
    assert describe(detailed).startswith("Position Overview\n\nAs a National Security Manager")


def serve_board(server, detail: Reply | None = None) -> None:
    server.routes[SEARCH.format(0)] = Reply(
        200, fixture("search_cards_p0.html"), {"Content-Type": "text/html; charset=utf-8"}
    )
    server.routes[SEARCH.format(1)] = Reply(200, fixture("search_cards_p1.html"))
    for path in (
        "/jobs/1234/senior-backend-engineer/job",
        "/jobs/1235/data-analyst-%26-reporting/job",
        "/jobs/1236/warehouse-associate/job",
        "/jobs/1237/payroll-specialist/job",
    ):
        server.routes[path] = detail or Reply(200, fixture("detail.html"))


def test_reads_pages_and_details_over_http(server):
    serve_board(server)
    server.routes["/jobs/1236/warehouse-associate/job"] = Reply(410, b"Gone")
    read_ = read(Icims("careers-acme", api=server.url))
    listed = [s.path for s in server.seen if s.path.startswith("/jobs/search")]
    assert listed == [SEARCH.format(0), SEARCH.format(1)]  # stops at "Page 2 of 2"
    assert read_.pages == 2 and not read_.truncated
    assert [p.id for p in read_.postings] == ["1234", "1235", "1236", "1237"]
    details = sorted(s.path for s in server.seen if not s.path.startswith("/jobs/search"))
    assert all(path.endswith("/job?in_iframe=1") for path in details) and len(details) == 4
    assert read_.details_failed == 1
    assert [p.detailed for p in read_.postings] == [True, True, False, True]
    assert read_.postings[0].url.startswith("https://careers-acme.icims.com/jobs/1234/")
    for seen in server.seen:  # watcher's own User-Agent, no client hints, no disguise
        assert seen.headers["user-agent"] == USER_AGENT
        assert not any(name.startswith("sec-ch-ua") for name in seen.headers)


def test_watcher_check_end_to_end(tmp_path, server, receiver):
    serve_board(server)
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", "icims": "careers-acme"})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    stored = {row["id"]: row for row in project.list()}
    assert sorted(stored) == ["1234", "1235", "1236", "1237"]
    assert stored["1234"]["location"] == "Austin, TX, US; Remote, US"
    assert stored["1235"]["department"] == "Finance"  # from its page
    assert (
        stored["1237"]["url"] == "https://careers-acme.icims.com/jobs/1237/payroll-specialist/job"
    )
    assert receiver.messages == []  # the silent baseline
    seen = len(server.seen)
    again = project.run("check")
    assert again.exit_code == 0, again.output
    assert receiver.messages == []
    # the two list pages again, and no detail page: every posting is stored
    assert [s.path for s in server.seen[seen:]] == [SEARCH.format(0), SEARCH.format(1)]
