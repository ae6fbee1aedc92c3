import asyncio
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.servers import Reply
from tests.sources.common import parse_page
from watcher.fetch import Fetcher
from watcher.model import SourceError
from watcher.reader import read_board
from watcher.sources import detect_with
from watcher.sources.personio import Personio
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
BOARD = (FIXTURES / "personio" / "acme.xml").read_bytes()

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<workzag-jobs><position><id>1</id><name>&lol9;</name></position></workzag-jobs>"""


def parse(body: bytes, board: str = "acme"):
    return parse_page(Personio(board), body, NOW)


def test_endpoint_com_boards_and_api_rebase():
    assert Personio("acme").first_request().url == "https://acme.jobs.personio.de/xml?language=en"
    assert Personio("acme.jobs.personio.com").first_request().url == (
        "https://acme.jobs.personio.com/xml?language=en"
    )
    assert Personio("acme", api="http://127.0.0.1:8000/p/").first_request().url == (
        "http://127.0.0.1:8000/p/xml?language=en"
    )


@pytest.mark.parametrize(
    ("board", "expected"),
    [
        (" Acme ", "acme"),
        ("acme-gmbh", "acme-gmbh"),
        ("acme.jobs.personio.de", "acme"),
        ("ACME.jobs.personio.com", "acme.jobs.personio.com"),
    ],
)
def test_board_ids(board, expected):
    assert Personio.check_board(board) == expected


@pytest.mark.parametrize("board", ["acme.com", "acme.jobs.personio.fr", "-acme", "a/b", "", None])
def test_bad_board_ids(board):
    with pytest.raises(ValueError):
        Personio.check_board(board)


def test_parses_recorded_board():
    page = parse(BOARD)
    assert page.next is None
    # the repeated position is read once (the first one wins); blank name and no id are skipped
    assert [p.id for p in page.postings] == ["1834171", "1902233", "1955001"]
    first, second, third = page.postings

    assert first.title == "Staff Software Engineer, Data Platform"
    assert first.url == "https://acme.jobs.personio.de/job/1834171"
    assert first.locations == ("Munich", "Berlin")
    assert first.department == "Product and Tech"
    assert first.employment == "full-time"
    assert first.posted_at == datetime(2026, 11, 13, 13, 10, 41, tzinfo=UTC)
    assert describe(first) == (
        "Your mission\n\nBuild the data platform & its pipelines.\nKafka\ndbt\n\n"
        "Your profile\n\n7+ years of Python."
    )

    assert second.title == "Werkstudent*in Marketing – Content & Social Media (m/w/d)"
    assert second.locations == ("Düsseldorf",)
    assert second.department is None
    assert second.employment == "intern"  # working student
    assert second.description_html is None and describe(second) == ""

    # markdown-looking text stays as text; the notifier escapes it
    assert third.title == "Customer Success Manager *in Teilzeit*"
    assert third.employment == "part-time"
    assert third.posted_at is None
    assert third.remote
    assert describe(third) == "Über uns\n\nWir sind <Acme>."


def test_com_board_urls():
    page = parse(BOARD, "acme.jobs.personio.com")
    assert page.postings[0].url == "https://acme.jobs.personio.com/job/1834171"


def test_empty_board():
    assert parse(b"<?xml version='1.0' encoding='UTF-8'?>\n<workzag-jobs/>").postings == []


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><body>Personio - HR software</body></html>",
        b'{"jobs": []}',
        b"<rss><channel/></rss>",
        b"<workzag-jobs><position><id>1</id>",
        b"",
    ],
)
def test_bad_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_billion_laughs_is_refused_quickly():
    started = time.monotonic()
    with pytest.raises(SourceError) as err:
        parse(BILLION_LAUGHS)
    assert err.value.kind == "parse"
    assert "DTD" in err.value.reason
    assert time.monotonic() - started < 1


def test_expat_itself_caps_entity_expansion():
    # the second line of defence, should an inline DTD ever get past the prolog check
    started = time.monotonic()
    with pytest.raises(ET.ParseError):
        ET.fromstring(BILLION_LAUGHS)
    assert time.monotonic() - started < 5


def test_external_entities_are_not_read():
    body = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<workzag-jobs><position><id>1</id><name>&x;</name></position></workzag-jobs>"
    )
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_invalid_utf8_bytes_are_replaced_not_fatal():
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?><workzag-jobs><position><id>7</id>'
        b"<name>Ing\xe9nieur \xff Backend</name><office>Lyon</office></position></workzag-jobs>"
    )
    [posting] = parse(body).postings
    assert posting.title == "Ing\ufffdnieur \ufffd Backend"


def test_latin1_feed():
    body = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?><workzag-jobs><position><id>8</id>'
        b"<name>Ing\xe9nieur</name></position></workzag-jobs>"
    )
    assert parse(body).postings[0].title == "Ingénieur"


def test_real_recorded_responses():
    for path in shared("personio"):
        root = ET.fromstring(path.read_bytes())
        ids = list(dict.fromkeys(p.findtext("id") for p in root.iter("position")))
        page = parse(path.read_bytes(), "careerkit")
        assert [p.id for p in page.postings] == ids
        for posting in page.postings:
            position = next(p for p in root.iter("position") if p.findtext("id") == posting.id)
            assert posting.title == position.findtext("name").strip()
            assert posting.url == f"https://careerkit.jobs.personio.de/job/{posting.id}"
            assert posting.locations[0] == position.findtext("office").strip()
            assert posting.department == position.findtext("department").strip()
    # the recorded feed duplicates its one position: read once
    assert [p.title for p in page.postings] == ["Staff Software Engineer, Data Platform"]
    assert page.postings[0].locations == ("Munich", "Berlin")
    assert page.postings[0].employment == "full-time"


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://acme.jobs.personio.de", "acme"),
        ("acme.jobs.personio.de/", "acme"),
        ("https://acme.jobs.personio.de/?language=de", "acme"),
        ("https://acme-gmbh.jobs.personio.de/job/1834171?display=en", "acme-gmbh"),
        ("https://acme.jobs.personio.de/xml", "acme"),
        ("https://acme.jobs.personio.com", "acme.jobs.personio.com"),
        ("https://Acme.jobs.personio.com/job/1834171#apply", "acme.jobs.personio.com"),
    ],
)
def test_detects_urls(url, board):
    found = detect_with(Personio, url)
    assert found is not None and found.board == board


@pytest.mark.parametrize(
    "url",
    ["https://www.personio.de/karriere", "https://jobs.personio.de", "https://acme.personio.de"],
)
def test_ignores_other_urls(url):
    assert detect_with(Personio, url) is None


def test_reads_board_over_http(server):
    server.routes["/xml"] = Reply(200, BOARD, {"Content-Type": "application/xml; charset=utf-8"})

    async def run():
        async with Fetcher() as fetcher:
            return await read_board(Personio("acme", api=server.url), fetcher, NOW)

    read = asyncio.run(run())
    assert [p.id for p in read.postings] == ["1834171", "1902233", "1955001"]
    assert read.postings[0].url == "https://acme.jobs.personio.de/job/1834171"
    assert server.seen[0].path == "/xml?language=en"
