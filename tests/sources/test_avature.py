from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.helpers import Project
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Compensation, Posting, Request, Response, SourceError
from watcher.sources.avature import Avature
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
HERE = FIXTURES / "avature"
BOARD = "careers.acme.com/careers"
SITE = "https://careers.acme.com/careers"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def fixture(name: str) -> bytes:
    return (HERE / name).read_bytes()


def parse(name: str, request: Request | None = None, board: str = BOARD):
    return parse_page(Avature(board), fixture(name), NOW, request)


def detail(name: str, posting: Posting | None = None) -> Posting:
    posting = posting or Posting(id="101", title="Backend Engineer", url=f"{SITE}/JobDetail/x/101")
    body = fixture(name) if isinstance(name, str) else name
    return Avature(BOARD).parse_detail(posting, Response(200, posting.url, body), NOW)


def test_board_id_form():
    assert Avature.check_board(" Careers.ACME.com/careers/ ") == "careers.acme.com/careers"
    assert Avature.check_board("acme.avature.net/en_US/careers") == "acme.avature.net/en_US/careers"
    bad = [
        "careers.acme.com",
        "acme/careers",
        "careers.acme.com/careers/SearchJobs",
        "careers.acme.com/careers/JobDetail/x/1",
        "careers.acme.com/en_US",
        "https://careers.acme.com/careers",
        "careers.acme.com/a b",
        "",
        None,
        3,
    ]
    for board in bad:
        with pytest.raises(ValueError, match="host/portal"):
            Avature(board)


def test_list_request_and_api_rebase():
    request = Avature(BOARD).first_request()
    assert request.url == f"{SITE}/SearchJobs/?jobOffset=0"
    assert request.method == "GET" and "text/html" in request.headers["Accept"]
    local = Avature(BOARD, api="http://127.0.0.1:8000").first_request()
    assert local.url == "http://127.0.0.1:8000/careers/SearchJobs/?jobOffset=0"
    assert local.meta["url"] == f"{SITE}/SearchJobs/?jobOffset=0"


def test_reads_result_articles_and_follows_the_next_link():
    page = parse("search_first.html")
    first, second = page.postings
    assert first.id == "101"
    assert first.title == "Backend Engineer & Platform"  # the heading's link, not "Apply"
    assert first.url == f"{SITE}/JobDetail/Backend-Engineer-Berlin/101"
    assert first.locations == ("Berlin, Germany",)
    assert first.department == "Engineering"
    assert first.posted_at == datetime(2026, 11, 12, tzinfo=UTC)
    assert second.id == "102"
    assert second.url == f"{SITE}/JobDetail/Store-Associate/102?source=Web"
    assert second.locations == ("Austin, TX, United States",)
    assert second.workplace == "onsite"
    assert second.posted_at is None
    assert page.next is not None
    assert page.next.url == f"{SITE}/SearchJobs/?jobOffset=2"


def test_last_page_has_no_next_and_a_counted_place_is_no_place():
    page = parse("search_last.html")
    (posting,) = page.postings
    assert posting.id == "103" and posting.locations == ()
    assert posting.posted_at == datetime(2026, 11, 20, tzinfo=UTC)
    assert page.next is None


def _legend_page(legend: str) -> bytes:
    article = (
        '<article class="article article--result"><h3 class="article__header__text__title">'
        '<a href="/careers/JobDetail/x/7">Cook</a></h3></article>'
    )
    return f'<div class="list-controls__text__legend">{legend}</div>{article}'.encode()


@pytest.mark.parametrize(
    ("legend", "offset"),
    [
        ("1-12 of 348 results", 12),
        ("Displaying 1-10 of 102 results", 10),
        ("1-20 von 1.234 Ergebnissen", 20),
        ("1-6 of 999+ results", 6),  # a capped count: go on while pages come
        ("337-348 of 348 results", None),
        ("348 results", None),
    ],
)
def test_without_a_next_link_the_legend_decides(legend, offset):
    page = parse_page(Avature(BOARD), _legend_page(legend), NOW)
    assert [p.id for p in page.postings] == ["7"]
    if offset is None:
        assert page.next is None
    else:
        assert page.next is not None
        assert page.next.url == f"{SITE}/SearchJobs/?jobOffset={offset}"
        assert page.next.meta["offset"] == offset


def test_without_legend_or_next_link_the_page_is_the_last():
    page = parse("search_list_items.html", board="acme.avature.net/es_ES/Careers")
    assert page.next is None


def test_list_items_template_and_job_id_links():
    page = parse("search_list_items.html", board="acme.avature.net/es_ES/Careers")
    assert [(p.id, p.title) for p in page.postings] == [
        ("4711", "Cajero/a reponedor/a"),
        ("4712", "Mozo/a de almacén"),  # the title is the heading, the link says "Ver oferta"
    ]
    assert page.postings[0].locations == ("Valencia",)
    assert page.postings[1].url == "https://acme.avature.net/es_ES/Careers/JobDetail?jobId=4712"


def test_table_rows_take_the_link_text():
    body = (
        b"<table><tr><th>Title</th><th>Location</th></tr>"
        b'<tr><td><a data-map="job-detail-link" href="/careers/JobDetail/Chef/31">Chef</a></td>'
        b"<td>Lyon</td></tr></table>"
    )
    page = parse_page(Avature(BOARD), body, NOW)
    assert [(p.id, p.title, p.url) for p in page.postings] == [
        ("31", "Chef", f"{SITE}/JobDetail/Chef/31")
    ]


def test_a_next_link_to_another_host_or_the_same_page_is_not_followed():
    body = _legend_page("1-1 of 9").decode() + (
        '<a class="paginationNextLink" href="https://evil.example/careers/SearchJobs/?jobOffset=1">'
        "Next</a>"
    )
    assert parse_page(Avature(BOARD), body.encode(), NOW).next is None


def test_empty_board():
    page = parse("search_empty.html")
    assert page.postings == [] and page.next is None


def test_detail_fields_and_description():
    posting = detail("detail.html", parse("search_first.html").postings[0])
    assert posting.locations == ("Berlin, Germany; Remote (EU)",)
    assert posting.department == "Platform Engineering"
    assert posting.employment == "full-time"
    assert posting.workplace == "hybrid"
    assert posting.compensation == Compensation(text="EUR 70,000 - 90,000 per year")
    assert posting.posted_at == datetime(2026, 11, 12, tzinfo=UTC)  # the list's date stays
    text = describe(posting)
    assert "Build the Kafka pipelines behind our stores." in text
    assert "What we offer\n" in text and "30 days of leave" in text
    assert "Day shift" not in text and "General information" not in text


def test_detail_of_older_field_sets():
    posting = detail("detail_fieldset.html")
    assert posting.employment == "part-time"
    assert posting.compensation == Compensation(text="1.500 EUR brutos/mes")
    assert describe(posting) == "Atención al cliente y reposición."


def test_detail_from_json_ld():
    listed = Posting(id="102", title="Store Associate", url=f"{SITE}/JobDetail/x/102")
    posting = detail("detail_jsonld.html", listed)
    assert posting.locations == ("Austin, TX, US",)
    assert posting.employment == "part-time"
    assert posting.posted_at == datetime(2026, 11, 18, tzinfo=UTC)
    assert posting.compensation == Compensation(16, 19, "USD", "hour")
    assert describe(posting) == "Help customers find what they need."
    assert posting.title == "Store Associate" and posting.id == "102"


def test_a_page_without_details_is_a_failed_detail():
    with pytest.raises(SourceError, match="no Avature job details"):
        detail("gone.html")


def test_board_in_page():
    def page(url: str, name: str = "gone.html") -> Response:
        return Response(200, url, fixture(name), HTML)

    assert Avature.board_in_page(page(f"{SITE}/SearchJobs/?jobOffset=0")) == BOARD
    assert Avature.board_in_page(page("https://acme.avature.net/careers")) == (
        "acme.avature.net/careers"
    )
    # a company's own landing page whose search form posts to the portal
    landing = page("https://www.acme.com/join-us", "landing.html")
    assert Avature.board_in_page(landing) == "acme.com/en_US/careers"  # links lose www.
    assert Avature.board_in_page(page("https://www.acme.com/join-us", "gone.html")) is None


def test_real_recorded_list_and_detail():
    files = {path.name.split("_")[1]: path for path in shared("avature")}
    source = Avature("careers.unifiservice.com/careers")
    page = parse_page(source, files["searchjobs"].read_bytes(), NOW)
    assert [(p.id, p.title) for p in page.postings] == [
        ("13788", "Security Cart/Employee Screener - BOS"),
        ("14732", "Airport Ramp Supervisor - GSP"),
        ("13312", "Airport Security Officer (Part-Time) - RAP"),
    ]
    assert all(p.locations == ("United States",) for p in page.postings)
    assert all(p.posted_at == datetime(2026, 10, 5, tzinfo=UTC) for p in page.postings)
    # "1-20 of 720": the page size is 20 (the excerpt kept three of them)
    assert page.next is not None and page.next.url.endswith("/careers/SearchJobs/?jobOffset=20")

    body = files["jobdetail"].read_bytes()
    posting = source.parse_detail(page.postings[0], Response(200, page.postings[0].url, body), NOW)
    assert posting.locations == ("Morrisville, North Carolina",)
    assert posting.employment == "full-time"
    assert posting.compensation == Compensation(text="$ 20.00")
    text = describe(posting)
    assert text.startswith("Benefits\n") and "Qualifications for Cabin Supervisor" in text
    assert "committed to equal opportunity employment" in text
    assert "Overnight shift" not in text


def _serve(server) -> None:
    base = "/careers/SearchJobs/"
    server.routes[f"{base}?jobOffset=0"] = Reply(200, fixture("search_first.html"), HTML)
    server.routes[f"{base}?jobOffset=2"] = Reply(200, fixture("search_last.html"), HTML)
    server.routes["/careers/JobDetail/Backend-Engineer-Berlin/101"] = Reply(
        200, fixture("detail.html"), HTML
    )
    server.routes["/careers/JobDetail/Store-Associate/102"] = Reply(
        200, fixture("detail_jsonld.html"), HTML
    )
    # 103's detail page is missing: a failed detail, the posting kept as listed


def test_reads_pages_and_details_over_http(server):
    _serve(server)
    result = read_board_over_http(Avature(BOARD, api=server.url), NOW)
    assert result.pages == 2 and not result.truncated
    assert [p.id for p in result.postings] == ["101", "102", "103"]
    assert [p.detailed for p in result.postings] == [True, True, False]
    assert result.details_failed == 1
    assert result.postings[1].compensation == Compensation(16, 19, "USD", "hour")
    assert result.postings[0].url == f"{SITE}/JobDetail/Backend-Engineer-Berlin/101"
    assert all(s.method == "GET" for s in server.seen)


def test_watcher_check_end_to_end(tmp_path, server, receiver):
    _serve(server)
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", "avature": BOARD})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    stored = {p["id"]: p for p in project.list()}
    assert sorted(stored) == ["101", "102", "103"]
    assert stored["101"]["department"] == "Platform Engineering"
    assert receiver.messages == []  # the first read is a silent baseline
    details = len(server.requests_to("/careers/JobDetail/Backend-Engineer-Berlin/101"))
    again = project.run("check")
    assert again.exit_code == 0, again.output
    # stored postings are not read again; the one whose detail failed is
    assert len(server.requests_to("/careers/JobDetail/Backend-Engineer-Berlin/101")) == details
    assert receiver.messages == []
