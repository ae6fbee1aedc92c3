import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.helpers import Project
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Posting, Request, Response, SourceError
from watcher.sources.successfactors import SuccessFactors
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
HERE = FIXTURES / "successfactors"
BOARD = "jobs.acme.com"
SITE = "https://jobs.acme.com"
HTML = {"Content-Type": "text/html; charset=utf-8"}
FEED = "jobs.acme.com/services/rss/job/?locale=en_US&keywords=()"
LEGACY = "career5.successfactors.eu/AcmeRe"


def fixture(name: str) -> bytes:
    return (HERE / name).read_bytes()


def parse(name: str, board: str = BOARD, request: Request | None = None):
    return parse_page(SuccessFactors(board), fixture(name), NOW, request)


def detail(name: str, posting: Posting) -> Posting:
    source = SuccessFactors(BOARD)
    return source.parse_detail(posting, Response(200, posting.url, fixture(name)), NOW)


def test_board_id_forms():
    assert SuccessFactors.check_board(" Jobs.Acme.com ") == "jobs.acme.com"
    assert SuccessFactors.check_board(FEED) == FEED
    assert SuccessFactors.check_board("careers.acme.com/feeds//?locale=en_US") == (
        "careers.acme.com/feeds//?locale=en_US"
    )
    assert SuccessFactors.check_board("Career5.SuccessFactors.eu/AcmeRe") == LEGACY
    assert SuccessFactors.check_board("career44.sapsf.com/acme01") == "career44.sapsf.com/acme01"
    bad = [
        "acme",
        "jobs.acme.com/search/",
        "https://jobs.acme.com",
        "career5.successfactors.eu",
        "career5.successfactors.eu/a/b",
        "",
        None,
    ]
    for board in bad:
        with pytest.raises(ValueError, match="not a SuccessFactors board"):
            SuccessFactors(board)


def test_requests_of_each_form_and_api_rebase():
    search = SuccessFactors(BOARD).first_request()
    assert search.url == f"{SITE}/search/?q=&startrow=0"
    assert search.meta["preamble"] is True  # the page may be the unified search's shell
    feed = SuccessFactors(FEED).first_request()
    assert feed.url == f"https://{FEED}"
    assert "application/rss+xml" in feed.headers["Accept"]  # the feed answers 406 otherwise
    legacy = SuccessFactors(LEGACY).first_request()
    assert legacy.url == (
        "https://career5.successfactors.eu/career?company=AcmeRe"
        "&career_ns=job_listing_summary&resultType=XML"
    )
    local = SuccessFactors(BOARD, api="http://127.0.0.1:8000").first_request()
    assert local.url == "http://127.0.0.1:8000/search/?q=&startrow=0"


def test_search_rows_and_the_pagination_label():
    page = parse("search_first.html")
    first, second = page.postings
    assert (first.id, first.title) == ("1100200300", "Backend Engineer")
    assert first.url == f"{SITE}/job/Berlin-Backend-Engineer-BE/1100200300/"
    assert first.locations == ("Berlin, BE, DE", "Munich, BY, DE")
    assert first.department == "Engineering"
    assert first.posted_at == datetime(2026, 11, 20, tzinfo=UTC)
    assert (second.id, second.title) == ("1100200301", "Store Lead & Trainer")
    assert second.url == f"{SITE}/job/Austin-Store-Lead-TX-78701/1100200301/"  # no tracking
    assert second.department is None
    assert page.next is not None
    assert page.next.url == f"{SITE}/search/?q=&startrow=2"
    assert not page.next.meta["preamble"]

    last = parse("search_last.html", request=page.next)
    assert [p.id for p in last.postings] == ["1100200302"] and last.next is None


def test_no_results_page_lists_recent_jobs_that_are_not_the_board():
    page = parse("search_noresults.html")
    assert page.postings == [] and page.next is None


def test_tile_layout():
    page = parse("search_tiles.html")
    assert [(p.id, p.title, p.locations) for p in page.postings] == [
        ("2200300400", "Staff Nurse", ("London, GB",)),
        ("2200300401", "Porter", ("Leeds, GB",)),
    ]
    assert page.postings[0].department == "Nursing"
    assert page.postings[0].posted_at == datetime(2026, 11, 21, tzinfo=UTC)
    assert page.next is None  # "Showing 1 to 2 of 2 jobs"


def test_a_page_without_label_goes_on_by_its_rows():
    body = fixture("search_last.html").replace(b"paginationLabel", b"somethingElse")
    request = SuccessFactors(BOARD)._search(50)
    page = parse_page(SuccessFactors(BOARD), body, NOW, request)
    assert page.next is not None and page.next.url.endswith("startrow=51")


def test_unified_search_shell_leads_to_the_api():
    page = parse("unified_shell.html")
    assert page.postings == []
    request = page.next
    assert request is not None and request.method == "POST"
    assert request.url == f"{SITE}/services/recruiting/v1/jobs"
    assert request.json["locale"] == "de_DE" and request.json["pageNumber"] == 0
    assert request.json["keywords"] == "" and request.json["facetFilters"] == {}

    first = parse("unified_0.json", request=request)
    assert [(p.id, p.title) for p in first.postings] == [
        ("5501", "Platform Engineer (w/m/d)"),
        ("1100200377", "Data Scientist"),
    ]
    short, long = first.postings
    assert short.url == f"{SITE}/job/Platform-Engineer-wmd/5501-de_DE/"
    assert long.url == f"{SITE}/job/Data-Scientist/1100200377/"
    assert short.locations == ("Bern, BE, CH",)
    assert long.locations == ("Zürich, ZH, CH", "Basel, BS, CH")
    assert short.posted_at == datetime(2026, 11, 19, tzinfo=UTC)
    assert long.posted_at == datetime(2026, 11, 17, tzinfo=UTC)
    assert first.next is not None and first.next.json["pageNumber"] == 1

    second = parse("unified_1.json", request=first.next)
    assert [p.id for p in second.postings] == ["5503"]
    assert second.postings[0].locations == ()
    assert second.next is None  # 2 a page, 3 in all


def test_a_search_page_without_rows_is_an_empty_board():
    page = parse_page(SuccessFactors(BOARD), b"<html><body><p>Nothing</p></body></html>", NOW)
    assert page.postings == [] and page.next is None


def test_detail_from_json_ld():
    listed = parse("search_first.html").postings[0]
    posting = detail("job_jsonld.html", listed)
    assert posting.employment == "full-time"
    assert posting.locations == listed.locations  # the list's places stay
    assert describe(posting) == "Design the Go services behind our checkout."
    assert posting.id == listed.id


def test_detail_from_microdata():
    listed = parse("search_first.html").postings[1]
    posting = detail("job_microdata.html", listed)
    assert posting.employment == "part-time"
    assert describe(posting) == "Open the store and coach the team."


def test_detail_without_description_fails():
    listed = parse("search_first.html").postings[1]
    with pytest.raises(SourceError, match="no job description"):
        detail("job_gone.html", listed)


def test_feed_titles_carry_the_place():
    source = SuccessFactors(FEED)
    page = parse_page(source, fixture("feed.rss"), NOW)
    assert [(p.id, p.title, p.locations) for p in page.postings] == [
        (
            "1397790900",
            "Principal Research Scientist - RF (MMIC) Design",
            ("Richardson, TX, US, 75080",),
        ),
        ("1397790901", "Technicien de maintenance", ("Saône (Haute), FR",)),
        ("1397790902", "Apprentice without a place", ()),
    ]
    first, second, _ = page.postings
    assert first.url == f"{SITE}/job/Richardson-Principal-Research-Scientist-TX-75080/1397790900/"
    assert describe(first) == "Lead RF research."
    assert first.posted_at == datetime(2026, 11, 20, 7, tzinfo=UTC)
    assert page.next is None
    # a description of dots is none: that posting's page is read
    assert source.detail_request(first) is None
    detail_request = source.detail_request(second)
    assert detail_request is not None and detail_request.url == second.url


def test_feed_error_answer():
    with pytest.raises(SourceError, match="keywords parameter is malformed"):
        parse("feed_error.xml", board=FEED)


def test_legacy_xml_listing():
    page = parse("legacy.xml", board=LEGACY)
    first, second = page.postings
    assert (first.id, first.title) == ("24512", "Actuarial Analyst")
    assert first.url == (
        "https://career5.successfactors.eu/career?career_ns=job_listing&company=AcmeRe"
        "&navBarLevel=JOB_SEARCH&career_job_req_id=24512"
    )
    assert first.locations == ("Zurich",)
    assert first.department == "Actuarial"
    assert first.employment == "full-time"
    assert first.posted_at == datetime(2026, 11, 16, tzinfo=UTC)
    assert describe(first) == "Price reinsurance treaties."
    assert second.locations == ("Slovakia",) and second.description_html is None
    assert page.next is None
    assert SuccessFactors(LEGACY).detail_request(second) is None  # no posting page to read


@pytest.mark.parametrize(
    "body", [b"<rss><nochannel/></rss>", b"<feed/>", b"not xml", b"<Job-Listing><Job>"]
)
def test_bad_feeds_are_parse_errors(body):
    for board in (FEED, LEGACY):
        with pytest.raises(SourceError):
            parse_page(SuccessFactors(board), body, NOW)


@pytest.mark.parametrize("body", [b"[]", b'{"jobSearchResult": 3}', b"<html>"])
def test_bad_unified_answers_are_parse_errors(body):
    request = SuccessFactors(BOARD)._unified(0, "en_US")
    with pytest.raises(SourceError):
        parse_page(SuccessFactors(BOARD), body, NOW, request)


def test_board_in_page():
    def page(url: str, name: str) -> Response:
        return Response(200, url, fixture(name), HTML)

    assert SuccessFactors.board_in_page(page("https://careers.acme.com/", "search_first.html")) == (
        "careers.acme.com"
    )
    legacy_link = (
        b'<a href="https://career5.successfactors.eu/career?company=AcmeRe&amp;'
        b'career_ns=job_listing_summary">Open positions</a>'
    )
    assert SuccessFactors.board_in_page(Response(200, "https://acme.com/jobs", legacy_link)) == (
        LEGACY
    )
    jobs2web = b'<a href="https://acme.jobs2web.com/search/?q=">All our jobs</a>'
    assert SuccessFactors.board_in_page(Response(200, "https://acme.com/", jobs2web)) == (
        "acme.jobs2web.com"
    )
    assert SuccessFactors.board_in_page(page("https://acme.com/", "job_gone.html")) is None


def test_real_recorded_search_and_feed():
    files = shared("successfactors")
    search = next(path for path in files if "searchresults" in path.name)
    page = parse_page(SuccessFactors("careers.acme.com"), search.read_bytes(), NOW)
    assert [(p.id, p.title, p.locations) for p in page.postings] == [
        ("755919802", "Medical Science Liaisons Manager", ("Torun, PL",)),
        ("1372996357", "Business Systems Analyst", ("Cary, NC, US",)),
        ("1370202757", "Clinical Project Manager, Global Rare Diseases", ("Europe, remote, IT",)),
    ]
    assert page.postings[0].posted_at == datetime(2026, 9, 23, tzinfo=UTC)
    assert page.postings[1].url == (
        "https://careers.acme.com/job/Cary%2C-NC-Business-Systems-Analyst-NC/1372996357/"
    )
    assert page.next is None  # "1 – 3 of 3"

    feed = next(path for path in files if path.name.startswith("qorvo"))
    source = SuccessFactors("careers.qorvo.com/feeds//?locale=en_US")
    postings = parse_page(source, feed.read_bytes(), NOW).postings
    place = ("Richardson, TX, US, 75080",)
    assert [(p.id, p.title, p.locations) for p in postings] == [
        ("1397790900", "Principal Research Scientist", place),
        ("1397710500", "Principal Research Scientist -  RF MMIC Design", place),
    ]
    assert postings[0].url == (
        "https://careers.qorvo.com/job/Richardson-Principal-Research-Scientist-TX-75080/1397790900/"
    )
    # the capture replaced the descriptions by "...": their pages are read
    assert all(p.description_html is None and source.detail_request(p) for p in postings)


def _serve_classic(server) -> None:
    server.routes["/search/?q=&startrow=0"] = Reply(200, fixture("search_first.html"), HTML)
    server.routes["/search/?q=&startrow=2"] = Reply(200, fixture("search_last.html"), HTML)
    server.routes["/job/Berlin-Backend-Engineer-BE/1100200300/"] = Reply(
        200, fixture("job_jsonld.html"), HTML
    )
    server.routes["/job/Austin-Store-Lead-TX-78701/1100200301/"] = Reply(
        200, fixture("job_microdata.html"), HTML
    )
    # 1100200302's page is missing: a failed detail, kept as listed


def test_reads_the_classic_search_over_http(server):
    _serve_classic(server)
    result = read_board_over_http(SuccessFactors(BOARD, api=server.url), NOW)
    assert result.pages == 2
    assert [p.id for p in result.postings] == ["1100200300", "1100200301", "1100200302"]
    assert [p.detailed for p in result.postings] == [True, True, False]
    assert result.details_failed == 1


def test_reads_the_unified_search_over_http(server):
    server.routes["/search/?q=&startrow=0"] = Reply(200, fixture("unified_shell.html"), HTML)
    pages = {0: fixture("unified_0.json"), 1: fixture("unified_1.json")}
    server.routes["/services/recruiting/v1/jobs"] = lambda seen: Reply(
        200, pages.get(seen.json()["pageNumber"], b'{"totalJobs": 3, "jobSearchResult": []}')
    )
    result = read_board_over_http(
        SuccessFactors(BOARD, api=server.url), NOW, needs_detail=lambda p: False
    )
    assert [p.id for p in result.postings] == ["5501", "1100200377", "5503"]
    posted = server.requests_to("/services/recruiting/v1/jobs")
    assert [json.loads(s.body)["pageNumber"] for s in posted] == [0, 1]
    assert result.pages == 3 and not result.truncated


def test_watcher_check_end_to_end(tmp_path, server, receiver):
    _serve_classic(server)
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", "successfactors": BOARD})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    stored = {p["id"]: p for p in project.list()}
    assert sorted(stored) == ["1100200300", "1100200301", "1100200302"]
    assert stored["1100200301"]["employment"] == "part-time"
    assert receiver.messages == []
    again = project.run("check")
    assert again.exit_code == 0, again.output
    assert len(server.requests_to("/job/Berlin-Backend-Engineer-BE/1100200300/")) == 1
    assert receiver.messages == []


def test_watcher_check_of_a_feed_end_to_end(tmp_path, server, receiver):
    server.routes["/services/rss/job/"] = Reply(
        200, fixture("feed.rss"), {"Content-Type": "application/rss+xml"}
    )
    server.routes["/job/Vesoul-Technicien-de-maintenance/1397790901/"] = Reply(
        200, fixture("job_microdata.html"), HTML
    )
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", "successfactors": FEED})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    assert sorted(p["id"] for p in project.list()) == ["1397790900", "1397790901", "1397790902"]
    assert [s.path for s in server.seen if s.path.startswith("/job/")] == [
        "/job/Vesoul-Technicien-de-maintenance/1397790901/"
    ]
