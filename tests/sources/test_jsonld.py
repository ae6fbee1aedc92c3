import asyncio
import json
import re
import time
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.servers import Reply
from watcher.fetch import Fetcher
from watcher.model import Compensation, Posting, Response, SourceError
from watcher.reader import read_board
from watcher.sources import detect_with
from watcher.sources.jsonld import JsonLd, http_url, page_text, public_url
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
HTML = {"Content-Type": "text/html; charset=utf-8"}


def fixture(name: str) -> bytes:
    return (FIXTURES / "jsonld" / name).read_bytes()


def parse(body: bytes, board: str = "https://acme.example/careers", headers=None):
    source = JsonLd(board)
    request = source.first_request()
    return source.parse(request, Response(200, request.url, body, headers or {}), NOW)


def test_endpoint_is_the_page_and_api_rebases_it():
    assert JsonLd("https://acme.example/careers?lang=en").first_request().url == (
        "https://acme.example/careers?lang=en"
    )
    assert JsonLd(
        "https://acme.example/careers", api="http://127.0.0.1:8000"
    ).first_request().url == ("http://127.0.0.1:8000/careers")


@pytest.mark.parametrize("board", ["acme.example/careers", "javascript:alert(1)", "", None, {}])
def test_board_must_be_a_web_address(board):
    with pytest.raises(ValueError):
        JsonLd.check_board(board)


def test_reads_every_job_posting_of_a_list_page():
    page = parse(fixture("list.html"))
    assert page.next is None
    # Organization, BreadcrumbList, the untitled posting, the block with a trailing comma
    # and the application/json block are skipped
    assert [p.id for p in page.postings] == [
        "ENG-001",
        "OPS-17",
        "4711",
        "https://acme.example/careers/intern",
    ]
    first, second, third, fourth = page.postings

    assert first.title == "Senior Platform Engineer"
    assert first.url == "https://acme.example/careers/senior-platform-engineer"
    assert first.workplace == "remote" and first.remote
    assert first.locations == ("Germany", "Austria")
    assert first.employment == "full-time"
    assert first.posted_at == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert first.compensation == Compensation(85000, 105000, "EUR", "year")
    # HTML-escaped HTML is unescaped once; the literal "&amp;" survives as "&"
    assert describe(first) == "Run our Kubernetes fleet & CI."

    assert second.title == "Lagerist:in (m/w/d) – Köln"
    assert second.locations == ("Köln, NRW, DE", "Bonn, Germany")
    assert second.employment == "part-time"
    assert second.workplace is None
    assert second.posted_at == datetime(2026, 10, 15, tzinfo=UTC)
    assert second.compensation == Compensation(15.5, 15.5, "EUR", "hour")
    assert describe(second) == "Waren annehmen und einlagern im Lager."

    # no url: the page's canonical address; HTML entities in the title are decoded
    assert third.title == "Customer Support & Success Lead"
    assert third.url == "https://acme.example/careers"
    assert third.locations == ("Head office",)
    assert third.employment == "full-time"  # German "Vollzeit"
    assert third.posted_at is None
    assert third.compensation is not None and third.compensation.summary() == "USD 60,000 / year"
    assert third.description_html is None

    # a block wrapped in an HTML comment; markdown and markup in the title stay text
    assert fourth.title == "**Intern** <script>"
    assert fourth.locations == ("Lisbon, PT",)


def test_postings_read_from_the_list_need_no_detail():
    source = JsonLd("https://acme.example/careers")
    page = parse(fixture("list.html"))
    assert [source.detail_request(p) for p in page.postings[:2]] == [None, None]


def test_a_list_page_without_postings_yields_its_posting_links():
    page = parse(fixture("links.html"))
    assert [(p.id, p.title) for p in page.postings] == [
        ("https://acme.example/careers/123-backend-engineer", "Backend Engineer Café Berlin"),
        ("https://acme.example/jobs/456?src=list", "Data Analyst"),
    ]
    assert all(p.url == p.id and p.description_html is None for p in page.postings)


def test_links_are_bounded():
    links = "".join(f'<a href="/jobs/{n}-role">Role {n}</a>' for n in range(200))
    page = parse(f"<html><body>{links}</body></html>".encode())
    assert len(page.postings) == JsonLd.max_links == 50


def test_link_stub_reads_its_posting_page():
    source = JsonLd("https://acme.example/careers/")
    stub = Posting(
        id="https://acme.example/careers/123-backend-engineer",
        title="Backend Engineer Café Berlin",
        url="https://acme.example/careers/123-backend-engineer",
    )
    request = source.detail_request(stub)
    assert request is not None and request.url == stub.url
    body = fixture("posting-123.html")
    detailed = source.parse_detail(stub, Response(200, request.url, body), NOW)
    assert detailed.id == stub.id  # the list only knows the link
    assert detailed.title == "Backend Engineer (Python)"
    assert detailed.url == stub.url
    assert detailed.locations == ("Berlin, DE",)
    assert detailed.employment == "full-time"
    assert describe(detailed) == "APIs in Python and Go."
    # the board page itself is never read as a detail
    assert source.detail_request(Posting("x", "x", "https://acme.example/careers/#top")) is None


def test_a_posting_page_without_job_posting_is_a_parse_error():
    source = JsonLd("https://acme.example/careers")
    stub = Posting("https://acme.example/careers/1-x", "X", "https://acme.example/careers/1-x")
    with pytest.raises(SourceError) as err:
        source.parse_detail(stub, Response(200, stub.url, fixture("links.html")), NOW)
    assert err.value.kind == "parse"


def test_page_text_charsets():
    body = "Café".encode("cp1252")
    assert (
        page_text(Response(200, "u", body, {"content-type": "text/html; charset=windows-1252"}))
        == "Café"
    )
    assert page_text(Response(200, "u", b'<meta charset="latin-1">' + body)).endswith("Café")
    assert page_text(Response(200, "u", body)) == "Caf\ufffd"  # UTF-8 by default, never fails
    assert page_text(Response(200, "u", body, {"content-type": "text/html; charset=nope"})) == (
        "Caf\ufffd"
    )


def test_public_url_puts_the_real_host_back():
    public = "https://acme.example/careers"
    assert public_url("http://127.0.0.1:9/careers/x?a=1", public, "http://127.0.0.1:9/") == (
        "https://acme.example/careers/x?a=1"
    )
    assert public_url("https://moved.example/jobs", public, None) == "https://moved.example/jobs"
    assert http_url(" https://acme.example/x ") == "https://acme.example/x"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe\x00garbage",
        b'<script type="application/ld+json">{"@type": "JobPosting", "title": "x",}</script>',
        b'<script type="application/ld+json">' + b"[" * 5000 + b"</script>",
    ],
)
def test_hostile_or_empty_pages_read_as_empty(body):
    assert parse(body).postings == []


def test_large_page_is_read_in_linear_time():
    card = '<div class="card"><a href="/about/team-{n}">Team {n}</a><p>{filler}</p></div>'
    filler = "Lorem ipsum dolor sit amet " * 8
    cards = "".join(card.format(n=n, filler=filler) for n in range(22_000))
    posting = {"@type": "JobPosting", "title": "Needle", "url": "/jobs/needle"}
    body = f"<html><body>{cards}<script type='application/ld+json'>{json.dumps(posting)}</script>"
    data = body.encode()
    assert len(data) > 5_000_000
    started = time.monotonic()
    page = parse(data)
    assert time.monotonic() - started < 5
    assert [p.title for p in page.postings] == ["Needle"]
    started = time.monotonic()
    assert parse(data.replace(b"JobPosting", b"Thing")).postings == []  # link mode, none match
    assert time.monotonic() - started < 5


def test_real_recorded_workday_job_page():
    for path in shared("jsonld"):
        raw = path.read_text()
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', raw, re.S)
        assert block is not None
        data = json.loads(block.group(1))
        page = parse(path.read_bytes(), "https://autodesk.wd1.myworkdayjobs.com/en-US/Ext/job/x")
        [posting] = page.postings
        assert posting.id == data["identifier"]["value"] == "24WD81528"
        assert posting.title == data["title"]
        # no url in the JobPosting: the page's canonical address
        assert posting.url == (
            "https://autodesk.wd1.myworkdayjobs.com/en-US/Ext/job/"
            "Senior-Industry-Strategy-Manager---Content-Creation_24WD81528"
        )
        assert posting.locations == ("AMER - Canada - Quebec - Montreal - 10 Rue Duke, Canada",)
        assert posting.employment == "full-time"
        assert posting.posted_at == datetime(2024, 9, 24, tzinfo=UTC)
        text = describe(posting)
        assert text.startswith("Job Requisition ID # 24WD81528")
        assert "(M&E)" in text and "&amp;" not in text


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://acme.applytojob.com/apply", "https://acme.applytojob.com/apply"),
        ("acme.applytojob.com/apply/", "https://acme.applytojob.com/apply"),
        (
            "https://acme-inc.applytojob.com/apply/7QH9tUAawk/Capture-Manager",
            "https://acme-inc.applytojob.com/apply",
        ),
        (
            "https://acme.applytojob.com/apply/jobs/details/kbvnRxplV6?&",
            "https://acme.applytojob.com/apply",
        ),
    ],
)
def test_detects_jazzhr_urls(url, board):
    found = detect_with(JsonLd, url)
    assert found is not None and found.board == board


@pytest.mark.parametrize(
    "url", ["https://www.jazzhr.com/", "https://acme.applytojob.com/", "https://app.jazz.co/apply"]
)
def test_ignores_other_urls(url):
    assert detect_with(JsonLd, url) is None


def test_reads_jazzhr_board_and_posting_pages_over_http(server):
    server.routes["/apply"] = Reply(200, fixture("jazzhr-apply.html"), HTML)
    server.routes["/apply/7QH9tUAawk/Capture-Manager"] = Reply(
        200, fixture("jazzhr-posting.html"), HTML
    )
    server.routes["/apply/evgnhR5LkV/Electrical-Engineer-PCB"] = Reply(
        200, fixture("posting-123.html"), HTML
    )
    # a removed posting redirects to the list, which holds no JobPosting
    server.routes["/apply/ZZZZgone00/Removed-Role"] = Reply(302, b"", {"Location": "/apply/jobs"})
    server.routes["/apply/jobs"] = Reply(200, fixture("jazzhr-apply.html"), HTML)

    async def run():
        async with Fetcher() as fetcher:
            source = JsonLd("https://acme.applytojob.com/apply", api=server.url)
            return await read_board(source, fetcher, NOW)

    read = asyncio.run(run())
    assert read.pages == 1
    assert read.details_failed == 1
    assert [p.id for p in read.postings] == [
        "https://acme.applytojob.com/apply/7QH9tUAawk/Capture-Manager",
        "https://acme.applytojob.com/apply/evgnhR5LkV/Electrical-Engineer-PCB",
        "https://acme.applytojob.com/apply/ZZZZgone00/Removed-Role",
    ]
    capture, pcb, removed = read.postings
    assert capture.detailed and capture.title == "Capture Manager"
    assert capture.url == "https://acme.applytojob.com/apply/7QH9tUAawk/Capture-Manager"
    assert capture.locations == ("Austin, TX, USA",)
    assert capture.posted_at == datetime(2026, 10, 1, tzinfo=UTC)
    assert describe(capture) == "Lead capture efforts."
    assert pcb.detailed and pcb.title == "Backend Engineer (Python)"
    assert not removed.detailed and removed.title == "Removed Role"
    # each posting page was read once
    assert len(server.requests_to("/apply/7QH9tUAawk/Capture-Manager")) == 1
