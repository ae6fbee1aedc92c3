import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.helpers import Project
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_over_http
from watcher.model import Response, SourceError
from watcher.sources import detect_with
from watcher.sources.meta import Meta
from watcher.sources.search import SearchBoard
from watcher.text import describe

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
SITE = "https://www.metacareers.com"


def fixture(name: str) -> bytes:
    return (FIXTURES / "meta" / name).read_bytes()


def sitemap_request(source: Meta):
    return parse_page(source, fixture("robots.txt"), NOW).next


def listed(source: Meta | None = None):
    source = source or Meta("all")
    return parse_page(source, fixture("sitemap.xml"), NOW, sitemap_request(source)).postings


def detailed(job: str, source: Meta | None = None):
    source = source or Meta("all")
    posting = next(p for p in listed(source) if p.id == job)
    return source.parse_detail(posting, Response(200, posting.url, fixture(f"job-{job}.html")), NOW)


def test_the_board_is_all_and_a_search_is_refused():
    assert Meta("all").board == SearchBoard() and Meta({}).display() == "all"
    for search in ({"query": "backend"}, {"location": "London"}):
        with pytest.raises(ValueError, match=r"write `meta: all` and narrow it with `match:`"):
            Meta(search)


def test_robots_txt_names_the_job_sitemap():
    first = Meta("all").first_request()
    assert first.url == f"{SITE}/robots.txt" and first.method == "GET"
    assert first.meta["preamble"]
    page = parse_page(Meta("all"), fixture("robots.txt"), NOW)
    assert page.postings == [] and page.next is not None
    assert page.next.url == f"{SITE}/jobsearch/sitemap.xml"  # not the .gz one
    assert page.next.headers["Accept"] == "application/xml"
    assert not page.next.meta.get("preamble")


@pytest.mark.parametrize(
    ("robots", "sitemap"),
    [
        (b"User-agent: *\nDisallow: /\n", f"{SITE}/jobsearch/sitemap.xml"),
        (b"Sitemap: https://evil.example/jobs/sitemap.xml\n", f"{SITE}/jobsearch/sitemap.xml"),
        (b"sitemap:https://www.metacareers.com/jobs/sitemap.xml", f"{SITE}/jobs/sitemap.xml"),
        (b"\x00\xff<html>", f"{SITE}/jobsearch/sitemap.xml"),
    ],
)
def test_robots_without_a_job_sitemap_of_its_own(robots, sitemap):
    page = parse_page(Meta("all"), robots, NOW)
    assert page.next is not None and page.next.url == sitemap


def test_api_rebases_every_request():
    source = Meta("all", api="http://127.0.0.1:8000/meta")
    assert source.first_request().url == "http://127.0.0.1:8000/meta/robots.txt"
    sitemap = sitemap_request(source)
    assert sitemap.url == "http://127.0.0.1:8000/meta/jobsearch/sitemap.xml"
    (posting, *_) = listed(source)
    assert posting.url == f"{SITE}/profile/job_details/1002/"  # links stay Meta's own
    request = source.detail_request(posting)
    assert request is not None
    assert request.url == "http://127.0.0.1:8000/meta/profile/job_details/1002/"


def test_the_sitemap_lists_every_open_posting_newest_first():
    postings = listed()
    assert [p.id for p in postings] == ["1002", "1003", "1001", "1004"]
    first = postings[0]
    assert first.title == "Meta job 1002"  # all the sitemap knows of it
    assert first.url == f"{SITE}/profile/job_details/1002/"
    assert first.updated_at == datetime(2026, 11, 26, 1, 40, tzinfo=UTC)
    assert postings[1].updated_at == datetime(2026, 11, 24, tzinfo=UTC)
    assert postings[3].updated_at is None
    assert (first.locations, first.description, first.posted_at) == ((), "", None)


def test_the_stub_of_a_posting_does_not_change_with_lastmod():
    before = listed()[0]
    moved = fixture("sitemap.xml").replace(b"2026-11-25T17:40", b"2026-11-26T09:00")
    source = Meta("all")
    after = parse_page(source, moved, NOW, sitemap_request(source)).postings[0]
    assert after.id == before.id and after.fingerprint() == before.fingerprint()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html><body>Please log in</body></html>", "not a sitemap"),
        (
            b'<?xml version="1.0"?><sitemapindex><sitemap><loc>https://www.metacareers.com/a.xml'
            b"</loc></sitemap></sitemapindex>",
            "index of sitemaps",
        ),
        (b"", "not XML"),
        (b"<!DOCTYPE html><html><body><p>Please log in<br></body></html>", "not XML"),
        (b"<urlset>" + b"<url><loc>x" * 100_000, "not XML"),  # unclosed, at no great cost
        (
            b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaa">]><urlset>&a;</urlset>',
            "inline DTD",
        ),
    ],
)
def test_a_changed_sitemap_is_a_parse_error(body, reason):
    source = Meta("all")
    with pytest.raises(SourceError) as err:
        parse_page(source, body, NOW, sitemap_request(source))
    assert err.value.kind == "parse" and reason in err.value.reason


def test_an_empty_sitemap_lists_nothing():
    source = Meta("all")
    empty = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>'
    assert parse_page(source, empty, NOW, sitemap_request(source)).postings == []


def test_the_job_page_gives_title_places_date_and_text():
    posting = detailed("1001")
    assert posting.id == "1001" and posting.url == f"{SITE}/profile/job_details/1001/"
    assert posting.title == "Software Engineer, Infrastructure"
    # each place's own name, not its (wrong) address
    assert posting.locations == ("Menlo Park, CA", "Seattle, WA", "New York, NY")
    assert posting.employment == "full-time"
    assert posting.posted_at == datetime(2026, 11, 19, 17, 30, tzinfo=UTC)
    assert posting.updated_at == datetime(2026, 11, 20, 16, 15, tzinfo=UTC)  # the lastmod
    assert describe(posting) == (
        "Meta Platforms builds technologies that help people connect & grow.\n\n"
        "Responsibilities\n\n"
        "Design and build systems at scale\n\n"  # plain text: its lines kept
        "Partner with teams across Meta\n"
        "Qualifications\n\n"
        "5+ years of C++ or Python"  # HTML sent HTML-escaped
    )


def test_job_page_variants():
    intern = detailed("1002")
    assert (intern.employment, intern.locations) == ("intern", ("London, UK",))
    assert "Publish & ship research" in describe(intern)
    remote = detailed("1003")
    assert remote.workplace == "remote" and remote.locations == ("Remote, US",)
    assert remote.posted_at == datetime(2026, 11, 24, tzinfo=UTC)  # no datePosted: the lastmod


@pytest.mark.parametrize(
    "body", [fixture("job-closed.html"), b"", b'<script type="application/ld+json">{}</script>']
)
def test_a_page_without_a_job_posting_fails_its_detail(body):
    posting = listed()[0]
    with pytest.raises(SourceError) as err:
        Meta("all").parse_detail(posting, Response(200, posting.url, body), NOW)
    assert err.value.kind == "parse"


def test_at_most_max_details_pages_a_check(monkeypatch):
    monkeypatch.setattr(Meta, "max_details", 2)
    source = Meta("all")
    asked = [source.detail_request(p) for p in listed(source)]
    assert [r is not None for r in asked] == [True, True, False, False]
    assert Meta("all").detail_request(listed()[0]) is not None  # a new check, a new budget


def test_real_recorded_ids_and_titles(server):
    rows = json.loads(shared("meta")[0].read_bytes())
    urls = "".join(f"<url><loc>{SITE}/profile/job_details/{r['id']}/</loc></url>" for r in rows)
    server.routes["/robots.txt"] = Reply(200, fixture("robots.txt"))
    server.routes["/jobsearch/sitemap.xml"] = Reply(200, f"<urlset>{urls}</urlset>")
    for r in rows:
        places = [{"@type": "Place", "name": name} for name in r["locations"]]
        job = {"@type": "JobPosting", "title": r["title"], "jobLocation": places}
        page = f'<script type="application/ld+json">{json.dumps(job)}</script>'
        server.routes[f"/profile/job_details/{r['id']}/"] = Reply(200, page)
    read = read_over_http(Meta("all", api=server.url), NOW)
    assert [(p.id, p.title, list(p.locations)) for p in read.postings] == [
        (r["id"], r["title"], r["locations"]) for r in rows
    ]
    assert all(p.detailed for p in read.postings) and read.details_failed == 0
    for r in rows:
        for link in (f"{SITE}/jobs/{r['id']}/", f"{SITE}/profile/job_details/{r['id']}"):
            found = detect_with(Meta, link)
            assert found is not None and found.board == SearchBoard()


@pytest.mark.parametrize(
    "url",
    [
        "https://www.metacareers.com/jobs/1105729655266553/",
        "metacareers.com/profile/job_details/1105729655266553",
        "https://www.metacareers.com/jobs",
        "https://www.metacareers.com/jobs/?q=backend&offices[0]=London%2C%20UK",
        "https://www.metacareers.com/jobsearch?teams[0]=Infrastructure",
        "https://www.facebook.com/careers/v2/jobs/946116176191468/",
        "https://www.facebook.com/careers/jobs/946116176191468",
    ],
)
def test_detects_links_as_the_whole_board(url):
    found = detect_with(Meta, url)
    assert found is not None and found.board == SearchBoard()


@pytest.mark.parametrize(
    "url",
    [
        "https://www.metacareers.com/",
        "https://www.metacareers.com/life/meet-our-people",
        "https://www.metacareers.com/jobs/backend-engineer",
        "https://www.facebook.com/acme",
        "https://www.meta.com/",
        "https://www.metacareers.com.evil.example/jobs/123/",
    ],
)
def test_ignores_other_links(url):
    assert detect_with(Meta, url) is None


def _serve(server, sitemap: bytes) -> None:
    server.routes["/robots.txt"] = Reply(200, fixture("robots.txt"), {"Content-Type": "text/plain"})
    server.routes["/jobsearch/sitemap.xml"] = Reply(200, sitemap, {"Content-Type": "text/xml"})
    for job in ("1001", "1002", "1003"):
        page = fixture(f"job-{job}.html")
        server.routes[f"/profile/job_details/{job}/"] = Reply(
            200, page, {"Content-Type": "text/html"}
        )
    server.routes["/profile/job_details/1004/"] = Reply(200, fixture("job-closed.html"))


def test_watcher_check_end_to_end(tmp_path, server, receiver, monkeypatch):
    monkeypatch.setattr(Meta, "max_details", 2)
    _serve(server, fixture("sitemap.xml"))
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Meta", "meta": "all"})

    result = project.run("check")  # the baseline: every listed posting, two pages read
    assert result.exit_code == 0, result.output
    assert "now watching 4 openings" in result.output
    titles = {r["id"]: r["title"] for r in project.list()}
    assert titles == {
        "1002": "Research Scientist Intern, Robotics (PhD)",
        "1003": "Production Engineer",
        "1001": "Meta job 1001",
        "1004": "Meta job 1004",
    }
    assert server.requests_to("/jobsearch/sitemap.xml")[0].headers["accept"] == "application/xml"

    result = project.run("check")  # the same sitemap: the pages still to read are read
    assert result.exit_code == 0, result.output
    titles = {r["id"]: r["title"] for r in project.list()}
    assert titles["1001"] == "Software Engineer, Infrastructure"
    assert titles["1004"] == "Meta job 1004"  # closed since: no JobPosting, tried again later
    pages = [s.path for s in server.seen if "/job_details/" in s.path]
    # two pages a check, newest first, each read once (the two of a check at once: in
    # either order)
    assert [sorted(pages[:2]), sorted(pages[2:])] == [
        [f"/profile/job_details/{j}/" for j in ("1002", "1003")],
        [f"/profile/job_details/{j}/" for j in ("1001", "1004")],
    ]
    assert receiver.messages == []

    new = b"<url><loc>https://www.metacareers.com/profile/job_details/1005/</loc>"
    new += b"<lastmod>2026-11-26T10:00:00Z</lastmod></url></urlset>"
    server.routes["/profile/job_details/1005/"] = Reply(
        200, fixture("job-1001.html").replace(b"Infrastructure", b"Ads Ranking")
    )
    server.routes["/jobsearch/sitemap.xml"] = Reply(
        200, fixture("sitemap.xml").replace(b"</urlset>", new)
    )
    result = project.run("check")
    assert result.exit_code == 0, result.output
    (message,) = receiver.wait_for(1)
    assert "Software Engineer, Ads Ranking" in message["message"]
    assert f"{SITE}/profile/job_details/1005/" in message["message"]
    assert "Meta job" not in message["message"]
