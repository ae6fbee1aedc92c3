from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.helpers import Project
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Request, Response, SourceError
from watcher.sources import detect_with
from watcher.sources.jobvite import Jobvite
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def fixture(name: str) -> bytes:
    return (FIXTURES / "jobvite" / name).read_bytes()


def parse(name: str, request: Request | None = None):
    return parse_page(Jobvite("acme"), fixture(name), NOW, request)


def read(source, **options):
    return read_board_over_http(source, NOW, **options)


def test_requests_and_api_rebase():
    assert Jobvite("acme").first_request().url == "https://jobs.jobvite.com/acme/search?p=0"
    source = Jobvite("acme", api="http://127.0.0.1:8000")
    assert source.first_request().url == "http://127.0.0.1:8000/acme/search?p=0"
    posting = parse("search_list.html").postings[0]
    request = source.detail_request(posting)
    assert request is not None and request.url == "http://127.0.0.1:8000/acme/job/oQr34St5"


@pytest.mark.parametrize("board", ["", "a b", "acme/jobs", "careers", "Search", "-acme", None])
def test_rejects_what_is_not_a_site(board):
    with pytest.raises(ValueError):
        Jobvite(board)


def test_parses_the_table_layout():
    page = parse("search_table_p0.html")
    engineer, manager, associate = page.postings
    assert engineer.id == "oAb12Cd3"
    assert engineer.title == "Senior Backend Engineer"
    assert engineer.url == "https://jobs.jobvite.com/acme/job/oAb12Cd3"
    assert engineer.locations == ("Berlin, Germany",)
    assert manager.locations == ()  # "2 Locations" is a count: its page has the places
    assert associate.locations == ("Reno, Nevada",)


def test_parses_the_list_layout():
    page = parse("search_list.html")
    assert page.next is None
    assert [(p.id, p.title, p.locations) for p in page.postings] == [
        ("oQr34St5", "Lab Technician I (Temp), Evenings", ("Fort Myers, Florida",)),
        ("oUv56Wx7", "Lab Technician I (Temp), Part-time Mornings", ("Aliso Viejo, California",)),
    ]


def test_follows_the_next_link_until_the_last_page():
    source = Jobvite("acme", api="http://127.0.0.1:8000")
    first = parse_page(source, fixture("search_table_p0.html"), NOW)
    assert first.next is not None
    assert first.next.url == "http://127.0.0.1:8000/acme/search?p=1"
    assert first.next.meta["p"] == 1
    last = parse_page(source, fixture("search_table_p1.html"), NOW, first.next)
    assert last.next is None  # "4-4 of 4", and no next link


@pytest.mark.parametrize(
    ("pagination", "expected"),
    [
        # Jobvite's own link is followed as written (here with the trailing slash)
        (
            '<a class="jv-pagination-next" href="/acme/search/?p=1&amp;q=">Next</a>',
            "/acme/search/?p=1&q=",
        ),
        # a link that leads elsewhere: the next page is asked for by number
        ('<a class="jv-pagination-next" href="javascript:void(0)">Next</a>', "/acme/search?p=1"),
        # no link, but the range says there is more
        ('<span class="jv-pagination-text">1-50 of 266</span>', "/acme/search?p=1"),
        ('<span class="jv-pagination-text">251-266 of 266</span>', None),
        ('<a class="jv-pagination-next jv-pagination-disabled" href="#">Next</a>', None),
        ("", None),
    ],
)
def test_next_page(pagination, expected):
    body = (
        '<div class="jv-page-body"><table class="jv-job-list"><tr><td class="jv-job-list-name">'
        f'<a href="/acme/job/oA1">A</a></td></tr></table><div class="jv-pagination">{pagination}'
        "</div></div>"
    ).encode()
    following = parse_page(Jobvite("acme"), body, NOW).next
    if expected is None:
        assert following is None
    else:
        assert following is not None and following.url == f"https://jobs.jobvite.com{expected}"


def test_empty_site_is_no_error():
    page = parse("empty.html")
    assert page.postings == [] and page.next is None


@pytest.mark.parametrize("body", [b"", b"<html><body><h1>Access denied</h1></body></html>"])
def test_pages_without_jobvite_markup_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse_page(Jobvite("acme"), body, NOW)
    assert err.value.kind == "parse"


def test_an_unknown_site_is_not_found():
    request = Jobvite("nosuch").first_request()
    moved = Response(
        200, "https://www.jobvite.com/support/job-seeker-support/?invalid=1", b"<html>"
    )
    with pytest.raises(SourceError) as err:
        Jobvite("nosuch").parse(request, moved, NOW)
    assert err.value.kind == "not_found" and "nosuch" in err.value.reason


def test_detail_fills_what_the_list_lacks():
    manager = parse("search_table_p0.html").postings[1]
    detailed = Jobvite("acme").parse_detail(manager, Response(200, "", fixture("detail.html")), NOW)
    assert detailed.id == "oEf45Gh6" and detailed.url == manager.url
    assert detailed.locations == ("Denver, Colorado, United States", "Toronto, Ontario, Canada")
    assert detailed.department == "Customer Success"
    assert detailed.employment == "full-time"
    assert detailed.posted_at == datetime(2026, 11, 18, tzinfo=UTC)
    assert detailed.compensation is None  # empty strings in baseSalary
    assert describe(detailed) == "Keep Acme's biggest customers happy.\nRenewals"
    # a place the list gave is kept
    engineer = parse("search_table_p0.html").postings[0]
    kept = Jobvite("acme").parse_detail(engineer, Response(200, "", fixture("detail.html")), NOW)
    assert kept.locations == ("Berlin, Germany",)


def test_detail_without_json_ld_reads_the_description_block():
    associate = parse("search_table_p0.html").postings[2]
    detailed = Jobvite("acme").parse_detail(
        associate, Response(200, "", fixture("detail_plain.html")), NOW
    )
    assert describe(detailed) == "Description\nMove anvils safely, 10pm to 6am."
    assert detailed.locations == ("Reno, Nevada",)


def test_detail_failures():
    posting = parse("search_list.html").postings[0]
    gone = Response(
        200, "https://jobs.jobvite.com/careers/acme/jobs?error=404", fixture("empty.html")
    )
    with pytest.raises(SourceError) as err:
        Jobvite("acme").parse_detail(posting, gone, NOW)
    assert err.value.kind == "not_found"
    with pytest.raises(SourceError) as err:
        Jobvite("acme").parse_detail(posting, Response(200, "", b"<html></html>"), NOW)
    assert err.value.kind == "parse"


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://jobs.jobvite.com/acme", "acme"),
        ("https://jobs.jobvite.com/acme/", "acme"),
        ("https://jobs.jobvite.com/acme/jobs", "acme"),
        ("https://jobs.jobvite.com/acme/jobs?nl=0&fr=false", "acme"),
        ("https://jobs.jobvite.com/acme/search?q=engineer&p=1", "acme"),
        ("https://jobs.jobvite.com/acme/job/oAb12Cd3", "acme"),
        ("https://jobs.jobvite.com/acme/job/oAb12Cd3/apply?nl=0", "acme"),
        ("https://jobs.jobvite.com/careers/acme/job/oAb12Cd3", "acme"),
        ("https://careers.jobvite.com/acme", "acme"),
        ("https://careers.jobvite.com/acme/job/oAb12Cd3", "acme"),
        ("jobs.jobvite.com/Acme-Labs/jobs", "Acme-Labs"),
    ],
)
def test_detects_site_urls(url, board):
    found = detect_with(Jobvite, url)
    assert found is not None and found.board == board


@pytest.mark.parametrize(
    "url",
    [
        "https://www.jobvite.com/",
        "https://www.jobvite.com/support/job-seeker-support/?invalid=1",
        "https://jobs.jobvite.com/",
        "https://jobs.jobvite.com/careers",
        "https://jobs.jobvite.com/acme/about",
        "https://careers.jobvite.com/careersites/JobviteWebServices.pdf",
        "https://careers.jobvite.com/video-assets/envelope2.svg",
        "https://app.jobvite.com/CompanyJobs/Careers.aspx?c=qAb9VfwE&k=Job",
        "https://jobs.jobvite.com.evil.com/acme/jobs",
        "https://evil.com/jobs.jobvite.com/acme",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Jobvite, url) is None


def test_board_in_page():
    page = Response(200, "https://careers.acme.example/", fixture("search_table_p0.html"))
    assert Jobvite.board_in_page(page) == "acme"
    plain = b"<html><body><a href='/acme/job/oA1'>A job</a></body></html>"
    assert Jobvite.board_in_page(Response(200, "https://acme.example/", plain)) is None


def test_real_recorded_responses():
    files = {path.name: path.read_bytes() for path in shared("jobvite")}
    listing = next(body for name, body in files.items() if "joblist" in name)
    page = parse_page(Jobvite("neogenomics"), listing, NOW)
    assert [p.id for p in page.postings] == ["oiiRyfwJ", "oaIyAfwK", "oWcLAfwd"]
    evenings = page.postings[0]
    assert evenings.title == "Accessioning Technician I (Temp), Evenings"
    assert evenings.url == "https://jobs.jobvite.com/neogenomics/job/oiiRyfwJ"
    assert evenings.locations == ("Ft Myers, Florida",)
    assert page.postings[2].locations == ("Aliso Viejo, California",)
    detail = next(body for name, body in files.items() if "detail" in name)
    detailed = Jobvite("neogenomics").parse_detail(evenings, Response(200, "", detail), NOW)
    assert detailed.id == "oiiRyfwJ" and detailed.department == "Accessioning"
    assert detailed.posted_at == datetime(2025, 11, 6, tzinfo=UTC)
    assert detailed.compensation is None
    assert describe(detailed).startswith("Are you motivated to participate in a dynamic")


def serve_site(server) -> None:
    server.routes["/acme/search?p=0"] = Reply(200, fixture("search_table_p0.html"))
    server.routes["/acme/search?p=1"] = Reply(200, fixture("search_table_p1.html"))
    for job in ("oAb12Cd3", "oEf45Gh6", "oIj78Kl9", "oMn01Op2"):
        server.routes[f"/acme/job/{job}"] = Reply(200, fixture("detail.html"))


def test_reads_pages_and_details_over_http(server):
    serve_site(server)
    server.routes["/acme/job/oIj78Kl9"] = Reply(
        303, b"", {"Location": "/careers/acme/jobs?error=404"}
    )
    server.routes["/careers/acme/jobs"] = Reply(200, fixture("empty.html"))
    read_ = read(Jobvite("acme", api=server.url))
    assert [s.path for s in server.seen if "/search" in s.path] == [
        "/acme/search?p=0",
        "/acme/search?p=1",
    ]
    assert read_.pages == 2 and not read_.truncated
    assert [p.id for p in read_.postings] == ["oAb12Cd3", "oEf45Gh6", "oIj78Kl9", "oMn01Op2"]
    assert [p.detailed for p in read_.postings] == [True, True, False, True]
    assert read_.details_failed == 1  # the removed posting's redirect
    assert read_.postings[1].locations[0] == "Denver, Colorado, United States"


def test_an_unknown_site_over_http_fails_as_not_found(server):
    server.routes["/nosuch/search"] = Reply(
        302, b"", {"Location": "/support/job-seeker-support/?invalid=1"}
    )
    server.routes["/support/job-seeker-support/"] = Reply(200, b"<html>Help</html>")
    with pytest.raises(SourceError) as err:
        read(Jobvite("nosuch", api=server.url))
    assert err.value.kind == "not_found"


def test_watcher_check_end_to_end(tmp_path, server, receiver):
    serve_site(server)
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", "jobvite": "acme"})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    stored = {row["id"]: row for row in project.list()}
    assert sorted(stored) == ["oAb12Cd3", "oEf45Gh6", "oIj78Kl9", "oMn01Op2"]
    assert stored["oAb12Cd3"]["location"] == "Berlin, Germany"
    assert stored["oEf45Gh6"]["location"] == (
        "Denver, Colorado, United States; Toronto, Ontario, Canada"
    )
    assert stored["oMn01Op2"]["url"] == "https://jobs.jobvite.com/acme/job/oMn01Op2"
    assert receiver.messages == []  # the silent baseline
    seen = len(server.seen)
    again = project.run("check")
    assert again.exit_code == 0, again.output
    assert receiver.messages == []
    assert [s.path for s in server.seen[seen:]] == ["/acme/search?p=0", "/acme/search?p=1"]
