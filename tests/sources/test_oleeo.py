from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Compensation, Response, SourceError
from watcher.sources import detect_with
from watcher.sources.oleeo import Oleeo

NOW = datetime(2026, 11, 26, tzinfo=UTC)
BOARD = "acme.tal.net/vx/mobile-0/appcentre-1/brand-2/candidate/jobboard/vacancy/3"
PATH = "/vx/mobile-0/appcentre-1/brand-2/candidate/jobboard/vacancy/3/feed"


def fixture(name: str) -> bytes:
    return (FIXTURES / "oleeo" / name).read_bytes()


def parse(body: bytes, board: str = BOARD):
    return parse_page(Oleeo(board), body, NOW)


def test_feed_request_and_api_rebase():
    assert Oleeo(BOARD).first_request().url == f"https://acme.tal.net{PATH}"
    assert Oleeo(BOARD, api="http://127.0.0.1:8000").first_request().url == (
        f"http://127.0.0.1:8000{PATH}"
    )


@pytest.mark.parametrize(
    "board",
    [
        BOARD,
        f"https://{BOARD}",
        f"https://{BOARD}/",
        f"{BOARD}/adv/",
        f"{BOARD}/adv/?f_Item_Opportunity_133305_lk=1822",
        f"{BOARD}/feed",
        f"  ACME.tal.net/{BOARD.split('/', 1)[1]}  ",
    ],
)
def test_board_forms(board):
    assert Oleeo(board).board == BOARD


def test_other_prefixes_and_hosts_are_boards_too():
    board = (
        "acme.tal.net/vx/lang-en-GB/mobile-0/appcentre-ext/brand-4/xf-9ddf4301e915/"
        "candidate/jobboard/vacancy/2"
    )
    assert Oleeo(board).board == board
    assert Oleeo("careers.acme.example/vx/candidate/jobboard/vacancy/1").board == (
        "careers.acme.example/vx/candidate/jobboard/vacancy/1"
    )


@pytest.mark.parametrize(
    "board",
    [
        "",
        "acme",
        "acme.tal.net",
        "acme.tal.net/vx/candidate/jobboard/vacancy/",
        "acme.tal.net/vx/candidate/so/pm/1/pl/3",
        "acme.tal.net/candidate/jobboard/vacancy/3",
        f"{BOARD}/extra",
        "acme tal.net/vx/candidate/jobboard/vacancy/3",
        None,
    ],
)
def test_rejects_what_is_not_a_board(board):
    with pytest.raises(ValueError):
        Oleeo(board)


def test_parses_the_feed():
    page = parse(fixture("board.xml"))
    assert page.next is None  # one request for the whole board
    inspector, advisor, graduate = page.postings  # 4102 twice, under two brands: once
    assert inspector.id == "4101"
    assert inspector.title == "Band 3 Anvil Inspector"  # without its "4101 - "
    assert inspector.url == (
        "https://acme.tal.net/vx/mobile-0/appcentre-1/brand-13/candidate/so/pm/1/pl/3/opp/"
        "4101-4101-Band-3-Anvil-Inspector/en-GB"
    )
    assert inspector.locations == ("Woodbridge",)
    assert inspector.department == "Operational Delivery"
    assert inspector.compensation == Compensation(text="£24,500 - £27,300")
    assert inspector.posted_at == datetime(2026, 11, 24, 23, tzinfo=UTC)
    assert inspector.description.splitlines()[-1] == "Closing Date:08 Dec 2026 23:55 GMT"
    assert advisor.id == "4102" and advisor.locations == ("London",)
    # escaped HTML content, other labels, no Vacancy Id: the id is the link's number
    assert graduate.id == "4103"
    assert graduate.title == "Graduate Engineer (R&D)"
    assert graduate.department == "Research & Development"
    assert graduate.employment == "full-time"
    assert graduate.locations == ("Bristol",) and graduate.compensation is None


def test_empty_board():
    page = parse(fixture("empty.xml"))
    assert page.postings == [] and page.next is None


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Maintenance</body></html>",
        b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>',
        b"",
    ],
)
def test_what_is_not_an_atom_feed_is_a_parse_error(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_entry_fields_are_text_not_markup():
    body = fixture("board.xml").replace(
        b"Location:Woodbridge <br/>", b"Location:<b>Wood</b>bridge &lt;script&gt;<br/>"
    )
    (inspector, *_) = parse(body).postings
    assert inspector.locations == ("Woodbridge <script>",)
    assert inspector.description_html is None  # shown as text, never as markup


@pytest.mark.parametrize(
    "url",
    [
        f"https://{BOARD}/adv/",
        f"https://{BOARD}/feed",
        f"https://{BOARD}/adv/?f_Item_Opportunity_133305_lk=1822",
        "https://acme.tal.net/vx/mobile-0/appcentre-1/brand-13/candidate/so/pm/1/pl/3/opp/"
        "4101-4101-Band-3-Anvil-Inspector/en-GB",
        "https://acme.tal.net/vx/mobile-0/appcentre-1/brand-2/candidate/so/pm/1/pl/3/opp/"
        "4101-Band-3-Anvil-Inspector/en-GB?instant=apply",
    ],
)
def test_detects_board_and_posting_urls(url):
    found = detect_with(Oleeo, url)
    assert found is not None
    assert found.board.startswith("acme.tal.net/vx/mobile-0/appcentre-1/brand-")
    assert found.board.endswith("/candidate/jobboard/vacancy/3")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.oleeo.com/",
        "https://acme.tal.net/",
        "https://acme.tal.net/vx/mobile-0/candidate/",
        "https://cshr-config.tal.net/vx/lang-en-GB/appcentre-11/candidate/postings/4830",
        "https://acme.tal.net.evil.com/vx/candidate/jobboard/vacancy/3/adv/",
        "https://evil.com/acme.tal.net/vx/candidate/jobboard/vacancy/3/adv/",
        "https://careers.acme.example/vx/candidate/jobboard/vacancy/3/adv/",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Oleeo, url) is None


def test_board_in_page():
    page = Response(200, "https://careers.acme.example/vx/candidate/jobboard/vacancy/1/adv/", b"")
    assert Oleeo.board_in_page(page) == "careers.acme.example/vx/candidate/jobboard/vacancy/1"
    linked = (
        b'<html><head><link rel="alternate" type="application/atom+xml" '
        b'href="/vx/brand-2/candidate/jobboard/vacancy/4/feed"></head></html>'
    )
    page = Response(200, "https://Jobs.Acme.example/vacancies", linked)
    assert Oleeo.board_in_page(page) == "jobs.acme.example/vx/brand-2/candidate/jobboard/vacancy/4"
    plain = Response(200, "https://www.acme.example/careers", b"<html><body>Jobs</body></html>")
    assert Oleeo.board_in_page(plain) is None


def test_real_recorded_feed():
    (path,) = shared("oleeo")
    board = "justicejobs.tal.net/vx/mobile-0/appcentre-1/brand-2/candidate/jobboard/vacancy/3"
    body = path.read_bytes()
    page = parse(body, board)
    assert body.count(b"<entry") == 193 and len(page.postings) == 193
    first = page.postings[0]
    assert (first.id, first.title) == ("13801", "Band 2 Operational Support Grade")
    assert first.locations == ("Woodbridge",)
    assert first.department == "Operational Delivery"
    assert first.compensation == Compensation(text="£15,009 - £16,075")
    assert first.posted_at == datetime(2017, 10, 10, 23, tzinfo=UTC)
    assert first.url.startswith("https://justicejobs.tal.net/vx/mobile-0/appcentre-1/brand-13/")
    titles = {p.id: p.title for p in page.postings}
    assert titles["13788"] == "Implementation Advisor"
    assert all(p.locations and p.compensation for p in page.postings)
    assert all(p.title and not p.title.startswith(p.id) for p in page.postings)
    # every posting link on it leads back to this board
    assert {detect_with(Oleeo, p.url).board.endswith("/vacancy/3") for p in page.postings} == {True}


def test_reads_the_board_in_one_request(server):
    server.routes[PATH] = Reply(200, fixture("board.xml"), {"Content-Type": "application/atom+xml"})
    read_ = read_board_over_http(Oleeo(BOARD, api=server.url), NOW)
    assert [s.path for s in server.seen] == [PATH]
    assert [p.id for p in read_.postings] == ["4101", "4102", "4103"]
    assert read_.postings[0].url.startswith("https://acme.tal.net/vx/")  # links left alone
