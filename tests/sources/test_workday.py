import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import FIXTURES, shared
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Request, Response, SourceError
from watcher.sources import detect_with
from watcher.sources.workday import LIMIT, Workday, posted_on
from watcher.text import describe

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
TODAY = datetime(2026, 11, 26, tzinfo=UTC)
BOARD = "acme.wd3/External"
SITE = "https://acme.wd3.myworkdayjobs.com/External"


def parse(body: bytes, request: Request | None = None, board: str = BOARD):
    return parse_page(Workday(board), body, NOW, request)


def fixture(name: str) -> bytes:
    return (FIXTURES / "workday" / name).read_bytes()


def read(source, **options):
    return read_board_over_http(source, NOW, **options)


SHARED = "wd1.myworkdaysite.com/snapchat/snap"  # a tenant on the shared host


def test_board_id_form():
    assert Workday.check_board(" Acme.WD3/External ") == "acme.wd3/External"
    assert Workday.check_board("WD1.MyWorkdaySite.com/SnapChat/snap") == SHARED
    bad_boards = (
        "acme",
        "acme/External",
        "acme.wd3",
        "acme.wd3/Ext/job",
        "acme.wdx/Ext",
        "wd1.myworkdaysite.com/snapchat",
        "wd1.myworkdayjobs.com/snapchat/snap",
        "",
        3,
    )
    for bad in bad_boards:
        with pytest.raises(ValueError, match=r"tenant\.wdN/site.*wdN\.myworkdaysite\.com"):
            Workday(bad)


def test_shared_host_requests_and_links():
    source = Workday(SHARED)
    assert source.first_request().url == "https://wd1.myworkdaysite.com/wday/cxs/snapchat/snap/jobs"
    page = parse(json.dumps({"total": 1, "jobPostings": _rows(0, 1)}).encode(), board=SHARED)
    (posting,) = page.postings
    assert posting.url == (
        "https://wd1.myworkdaysite.com/recruiting/snapchat/snap/job/Berlin/Engineer-0_R-0"
    )
    detail = source.detail_request(posting)
    assert detail is not None and detail.url == (
        "https://wd1.myworkdaysite.com/wday/cxs/snapchat/snap/job/Berlin/Engineer-0_R-0"
    )


def test_list_request_and_api_rebase():
    request = Workday(BOARD).first_request()
    assert request.url == "https://acme.wd3.myworkdayjobs.com/wday/cxs/acme/External/jobs"
    assert request.method == "POST"
    assert request.json == {"appliedFacets": {}, "limit": 20, "offset": 0, "searchText": ""}
    rebased = Workday(BOARD, api="http://127.0.0.1:8000/wd/").first_request()
    assert rebased.url == "http://127.0.0.1:8000/wd/wday/cxs/acme/External/jobs"


def test_parses_recorded_first_page():
    page = parse(fixture("jobs_first.json"))
    first, second, third, fourth = page.postings  # no title, and no id at all: skipped
    assert first.id == "R-10234"
    assert first.title == "Senior Backend Engineer (Python)"
    # the user-facing link, not the API's
    assert first.url == f"{SITE}/job/Germany---Munich/Senior-Backend-Engineer--Python-_R-10234"
    assert first.locations == ()  # "3 Locations" is a count, not a place
    assert first.posted_at == TODAY
    assert first.description_html is None
    assert second.title == "Ingénieur·e Données – Équipe Plateforme"
    assert second.locations == ("France - Paris",)
    assert (second.workplace, second.employment) == ("hybrid", "full-time")
    assert second.posted_at == TODAY - timedelta(days=1)
    # the first bullet is a team, not the requisition: the path is the identity
    assert third.id == "/job/US-Remote/Customer-Success-Manager_R-09911-1"
    assert third.posted_at == TODAY - timedelta(days=30)
    assert fourth.id == "/job/Germany---Berlin/Werkstudent--m-w-d--IT-Support_R-10240"
    assert fourth.posted_at == TODAY - timedelta(days=3)
    assert page.next is not None
    assert page.next.json["offset"] == 20
    assert page.next.meta == {"offset": 20, "total": 57}


def test_later_pages_keep_the_first_total():
    source = Workday(BOARD)
    second = source._list_request(20, 57)
    page = parse(fixture("jobs_later.json"), second)  # this page says "total": 0
    assert [p.id for p in page.postings] == ["R-10002"]
    assert page.postings[0].locations == ("Poland - Kraków",)
    assert page.next is not None and page.next.meta == {"offset": 40, "total": 57}
    last = parse(fixture("jobs_later.json"), source._list_request(40, 57))
    assert last.next is None  # 60 >= 57


def test_stops_on_empty_page_and_guesses_without_total():
    assert parse(b'{"total": 0, "jobPostings": []}').next is None
    row = {"title": "T", "externalPath": "/job/X/T_R-1", "bulletFields": ["R-1"]}
    full = json.dumps({"jobPostings": [row] * LIMIT}).encode()
    short = json.dumps({"jobPostings": [row]}).encode()
    assert parse(full).next is not None
    assert parse(short).next is None


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Posted Today", 0),
        ("Posted Yesterday", 1),
        ("Posted 3 Days Ago", 3),
        ("posted 1 day ago", 1),
        ("Posted 30+ Days Ago", 30),
    ],
)
def test_relative_posting_dates(text, days):
    assert posted_on(text, NOW) == TODAY - timedelta(days=days)


@pytest.mark.parametrize("text", ["Vor 3 Tagen veröffentlicht", "", None, 3])
def test_unknown_posting_dates(text):
    assert posted_on(text, NOW) is None


def test_detail_request_and_parse():
    source = Workday(BOARD, api="http://127.0.0.1:8000")
    listed = parse(fixture("jobs_first.json"), source.first_request(), BOARD).postings[0]
    request = source.detail_request(listed)
    assert request is not None and request.method == "GET"
    assert request.url == (
        "http://127.0.0.1:8000/wday/cxs/acme/External"
        "/job/Germany---Munich/Senior-Backend-Engineer--Python-_R-10234"
    )
    detailed = source.parse_detail(listed, Response(200, request.url, fixture("detail.json")), NOW)
    assert detailed.locations == ("Germany - Munich", "Germany - Berlin", "Austria - Vienna")
    assert (detailed.employment, detailed.workplace) == ("full-time", "hybrid")
    assert detailed.posted_at == datetime(2026, 11, 25, tzinfo=UTC)
    assert detailed.url == listed.url and detailed.id == listed.id
    assert describe(detailed) == ("Über uns\nWe build rockets & roller skates.\nPython\nPostgreSQL")


def test_detail_without_optional_fields_keeps_the_list():
    source = Workday(BOARD)
    listed = parse(fixture("jobs_first.json")).postings[1]
    body = b'{"jobPostingInfo": {"title": "x", "additionalLocations": null}}'
    detailed = source.parse_detail(listed, Response(200, "", body), NOW)
    assert detailed.locations == ("France - Paris",)
    assert detailed.posted_at == listed.posted_at
    assert detailed.description_html is None


@pytest.mark.parametrize(
    "body",
    [b"<html>Service unavailable</html>", b"[1, 2]", b'{"jobPostings": {"a": 1}}', b"{}"],
)
def test_bad_list_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


@pytest.mark.parametrize("body", [b"<html></html>", b"[]", b'{"jobPostingInfo": "x"}', b"{}"])
def test_bad_detail_shapes_are_parse_errors(body):
    source = Workday(BOARD)
    listed = parse(fixture("jobs_first.json")).postings[0]
    with pytest.raises(SourceError) as err:
        source.parse_detail(listed, Response(200, "", body), NOW)
    assert err.value.kind == "parse"


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://autodesk.wd1.myworkdayjobs.com/Ext", "autodesk.wd1/Ext"),
        ("https://autodesk.wd1.myworkdayjobs.com/en-US/Ext", "autodesk.wd1/Ext"),
        ("autodesk.wd1.myworkdayjobs.com/en-US/Ext/job/Montreal/X_24WD81528", "autodesk.wd1/Ext"),
        ("https://AUTODESK.WD1.myworkdayjobs.com/Ext/", "autodesk.wd1/Ext"),
        (
            "https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite?q=python",
            "nvidia.wd5/NVIDIAExternalCareerSite",
        ),
        ("https://acme.wd3.myworkdayjobs.com/wday/cxs/acme/External/jobs", "acme.wd3/External"),
        (
            "https://acme.wd12.myworkdayjobs.com/fr-CA/Careers_Site/details/X",
            "acme.wd12/Careers_Site",
        ),
        ("https://wd1.myworkdaysite.com/recruiting/snapchat/snap", SHARED),
        ("https://wd1.myworkdaysite.com/en-US/recruiting/snapchat/snap/job/LA/Eng_R1", SHARED),
        ("https://wd1.myworkdaysite.com/wday/cxs/snapchat/snap/jobs", SHARED),
        (
            "https://wd3.myworkdaysite.com/recruiting/hcahealthcare/hcacareers?q=nurse",
            "wd3.myworkdaysite.com/hcahealthcare/hcacareers",
        ),
    ],
)
def test_detects_board_urls(url, board):
    found = detect_with(Workday, url)
    assert found is not None and found.board == board


@pytest.mark.parametrize(
    "url",
    [
        "https://autodesk.wd1.myworkdayjobs.com/",
        "https://autodesk.wd1.myworkdayjobs.com/en-US",
        "https://autodesk.wd1.myworkdayjobs.com/wday/cxs/autodesk",
        "https://www.myworkday.com/autodesk/d/home.htmld",
        "https://boards.greenhouse.io/acme",
        "https://wd1.myworkdaysite.com/",
        "https://wd1.myworkdaysite.com/recruiting/snapchat",
        "https://wd1.myworkdaysite.com/wday/cxs/snapchat",
        "https://wd1.myworkdaysite.com.evil.example/recruiting/snapchat/snap",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Workday, url) is None


def test_real_recorded_list():
    for path in shared("workday"):
        data = json.loads(path.read_bytes())
        page = parse(path.read_bytes(), board="autodesk.wd1/Ext")
        assert len(page.postings) == len(data["jobPostings"])
        for posting, job in zip(page.postings, data["jobPostings"], strict=True):
            assert posting.id == job["bulletFields"][0]
            assert posting.title == job["title"]
            assert posting.url == "https://autodesk.wd1.myworkdayjobs.com/Ext" + job["externalPath"]
            counted = re.fullmatch(r"\d+ Locations", job["locationsText"])
            assert posting.locations == (() if counted else (job["locationsText"],))
            assert posting.posted_at is not None and posting.posted_at <= NOW


def test_real_job_page_links_are_detected():
    for path in shared("jsonld"):
        html = path.read_text("utf-8")
        links = re.findall(r'(?:og:url" content|canonical" href)="([^"]+)"', html)
        assert links
        for link in links:
            found = detect_with(Workday, link)
            assert found is not None and found.board == "autodesk.wd1/Ext"


def _rows(offset: int, count: int) -> list[dict]:
    return [
        {
            "title": f"Engineer {i}",
            "externalPath": f"/job/Berlin/Engineer-{i}_R-{i}",
            "locationsText": "2 Locations",
            "postedOn": "Posted Today",
            "bulletFields": [f"R-{i}"],
        }
        for i in range(offset, offset + count)
    ]


def test_reads_pages_over_http_with_details(server):
    def jobs(seen):
        offset = seen.json()["offset"]
        total = 45 if offset == 0 else 0  # later pages say 0
        return Reply(200, {"total": total, "jobPostings": _rows(offset, min(LIMIT, 45 - offset))})

    api = "/wday/cxs/acme/External"
    server.routes[f"{api}/jobs"] = jobs
    server.routes[f"{api}/job/Berlin/Engineer-0_R-0"] = Reply(200, fixture("detail.json"))
    server.routes[f"{api}/job/Berlin/Engineer-1_R-1"] = Reply(404, {"error": "closed"})

    read_ = read(Workday(BOARD, api=server.url), needs_detail=lambda p: p.id in {"R-0", "R-1"})

    listed = server.requests_to(f"{api}/jobs")
    assert [s.method for s in listed] == ["POST"] * 3
    assert [s.json()["offset"] for s in listed] == [0, 20, 40]
    assert all(s.json()["limit"] == 20 for s in listed)
    assert read_.pages == 3 and not read_.truncated
    assert [p.id for p in read_.postings] == [f"R-{i}" for i in range(45)]
    details = [s.path for s in server.seen if "/job/" in s.path]
    assert sorted(details) == [
        f"{api}/job/Berlin/Engineer-0_R-0",
        f"{api}/job/Berlin/Engineer-1_R-1",
    ]
    assert read_.details_failed == 1
    first, second = read_.postings[:2]
    assert first.detailed and first.locations[0] == "Germany - Munich"
    assert first.url == f"{SITE}/job/Berlin/Engineer-0_R-0"  # the api: option leaves links alone
    assert not second.detailed and second.locations == ()  # kept as listed


def test_page_cap_over_http(server):
    server.routes["/wday/cxs/acme/External/jobs"] = lambda seen: Reply(
        200, {"total": 5000, "jobPostings": _rows(seen.json()["offset"], LIMIT)}
    )
    read_ = read(Workday(BOARD, api=server.url), needs_detail=lambda p: False)
    assert read_.truncated and read_.pages == 100
    assert len(read_.postings) == 2000


def test_reads_a_shared_host_board_over_http(server):
    api = "/wday/cxs/snapchat/snap"
    server.routes[f"{api}/jobs"] = Reply(200, {"total": 2, "jobPostings": _rows(0, 2)})
    server.routes[f"{api}/job/Berlin/Engineer-0_R-0"] = Reply(200, fixture("detail.json"))
    server.routes[f"{api}/job/Berlin/Engineer-1_R-1"] = Reply(200, fixture("detail.json"))
    read_ = read(Workday(SHARED, api=server.url))
    assert [p.id for p in read_.postings] == ["R-0", "R-1"]
    assert all(p.detailed for p in read_.postings)
    assert read_.postings[0].url.startswith("https://wd1.myworkdaysite.com/recruiting/snapchat/")
