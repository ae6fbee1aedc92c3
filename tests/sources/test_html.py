import asyncio
import time
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from tests.conftest import FIXTURES
from tests.servers import Reply
from watcher.fetch import Fetcher
from watcher.model import Response
from watcher.reader import read_board
from watcher.sources import detect_with
from watcher.sources.html import Html, HtmlBoard

NOW = datetime(2026, 11, 26, tzinfo=UTC)
PAGE = (FIXTURES / "html" / "careers.html").read_bytes()
CARDS = {
    "url": "https://acme.example/careers/",
    "item": "article.opening",
    "title": "h3.title",
    "link": "a.more",
    "location": ".location",
    "department": ".team",
}


def parse(body: bytes, spec=None, url: str | None = None, headers=None):
    source = Html(spec or CARDS)
    request = source.first_request()
    return source.parse(request, Response(200, url or request.url, body, headers or {}), NOW)


def test_board_is_a_validated_model():
    assert Html.board_type is HtmlBoard
    source = Html(CARDS)
    assert isinstance(source.board, HtmlBoard)
    assert source.board.link_attr == "href"
    assert source.display() == "https://acme.example/careers/"
    assert Html.check_board(source.board) is source.board
    assert Html(CARDS, api="http://127.0.0.1:8000/").first_request().url == (
        "http://127.0.0.1:8000/careers/"
    )


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({**CARDS, "colour": "red"}, "colour"),  # extra keys are refused
        ({"url": "https://acme.example/"}, "item"),
        ({**CARDS, "url": "acme.example/careers"}, "url"),
        ({**CARDS, "item": "article["}, "item"),
        ({**CARDS, "title": ""}, "title"),
        ({**CARDS, "location": "a >"}, "location"),
        ({**CARDS, "link_attr": "href]"}, "link_attr"),
        ({**CARDS, "item": 3}, "item"),
    ],
)
def test_bad_configs_are_value_errors_naming_the_field(spec, field):
    with pytest.raises(ValidationError) as err:
        Html.check_board(spec)
    assert isinstance(err.value, ValueError)
    assert [e["loc"] for e in err.value.errors()] == [(field,)]


@pytest.mark.parametrize("board", ["https://acme.example/careers", None, ["url"]])
def test_board_must_be_a_mapping(board):
    with pytest.raises(ValueError):
        Html.check_board(board)


def test_reads_cards_with_selectors():
    page = parse(PAGE)
    assert page.next is None
    assert [p.title for p in page.postings] == [
        "Senior Firmware Engineer",
        "Ingénieure QA & Test (F/H) — Lyon",
        "**Urgent** hiring: [Click here](https://evil.example) <img src=x onerror=alert(1)>",
    ]
    first, second, third = page.postings
    assert (
        first.id == first.url == "https://acme.example/careers/openings/firmware-engineer?ref=list"
    )
    assert first.locations == ("Munich, Germany",)
    assert first.department == "Hardware"
    assert second.url == "https://jobs.acme.example/qa-lyon"
    assert second.locations == ("Lyon",) and second.department is None
    # no usable link: the title is the id, the page the url; the text is kept verbatim
    assert third.id == third.title
    assert third.url == "https://acme.example/careers/"
    assert third.locations == ()


def test_default_title_and_link():
    spec = {"url": "https://acme.example/careers/", "item": "ul.simple li"}
    page = parse(PAGE, spec)
    assert [(p.title, p.url) for p in page.postings] == [
        ("Office Manager", "https://acme.example/careers/openings/1"),
        ("Accountant", "https://acme.example/careers/"),  # href="#": the page itself
    ]
    custom = parse(PAGE, {**spec, "item": "ul.simple a", "link_attr": "data-url"})
    assert [p.url for p in custom.postings] == [
        "https://acme.example/careers/",
        "https://acme.example/careers/openings/2",
    ]


def test_no_match_is_an_empty_page():
    assert parse(PAGE, {**CARDS, "item": "div.job-card"}).postings == []
    assert parse(b"").postings == []


def test_links_resolve_against_the_final_url():
    page = parse(PAGE, url="https://careers.acme.example/en/jobs/")
    assert (
        page.postings[0].url
        == "https://careers.acme.example/en/jobs/openings/firmware-engineer?ref=list"
    )


def test_invalid_utf8_and_declared_charsets():
    body = PAGE.replace("Ingénieure".encode(), b"Ing\xe9nieure \xff")
    assert parse(body).postings[1].title == "Ing\ufffdnieure \ufffd QA & Test (F/H) — Lyon"
    latin = PAGE.decode().replace("—", "-").encode("latin-1")
    headers = {"content-type": "text/html; charset=ISO-8859-1"}
    assert parse(latin, headers=headers).postings[1].title == "Ingénieure QA & Test (F/H) - Lyon"


def test_large_page_is_read_in_linear_time():
    item = (
        '<li class="job"><a href="/careers/{n}">Engineer {n}</a>'
        '<span class="loc">Berlin</span><p>{filler}</p></li>'
    )
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 4
    body = (
        "<ul>" + "".join(item.format(n=n, filler=filler) for n in range(20_000)) + "</ul>"
    ).encode()
    assert len(body) > 5_000_000
    spec = {"url": "https://acme.example/careers", "item": "li.job", "location": ".loc"}
    started = time.monotonic()
    page = parse(body, spec)
    assert time.monotonic() - started < 10
    assert len(page.postings) == 20_000
    assert page.postings[-1].url == "https://acme.example/careers/19999"
    assert page.postings[-1].locations == ("Berlin",)


def test_no_url_detection():
    assert detect_with(Html, "https://acme.example/careers") is None


def test_reads_a_redirected_page_over_http(server):
    server.routes["/jobs"] = Reply(301, b"", {"Location": "/careers/"})
    server.routes["/careers/"] = Reply(200, PAGE, {"Content-Type": "text/html; charset=utf-8"})

    async def run():
        async with Fetcher() as fetcher:
            source = Html({**CARDS, "url": "https://acme.example/jobs"}, api=server.url)
            return await read_board(source, fetcher, NOW)

    read = asyncio.run(run())
    assert len(read.postings) == 3
    # relative links resolve against the final page, on the public host
    assert (
        read.postings[0].url == "https://acme.example/careers/openings/firmware-engineer?ref=list"
    )
    assert [s.path for s in server.seen] == ["/jobs", "/careers/"]
