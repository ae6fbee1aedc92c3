import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.helpers import Project
from tests.servers import Reply, Seen
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Response, SourceError
from watcher.sources import detect_with
from watcher.sources.ukg import TOP, Ukg
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
HERE = FIXTURES / "ukg"
GUID = "7b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
BOARD = f"ACME1000/{GUID}"
PATH = f"/ACME1000/JobBoard/{GUID}"
SITE = f"https://recruiting2.ultipro.com{PATH}"
SEARCH = f"{PATH}/JobBoardView/LoadSearchResults"
DETAIL = f"{PATH}/OpportunityDetail"


def fixture(name: str) -> bytes:
    return (HERE / name).read_bytes()


def parse(body: bytes, skip: int = 0, board: str = BOARD):
    source = Ukg(board)
    return parse_page(source, body, NOW, source._list_request(skip, {}))


def opportunities(start: int, count: int, total: int | None) -> bytes:
    rows = [
        {"Id": f"00000000-0000-4000-8000-{i:012d}", "Title": f"Nurse {i}", "FullTime": True}
        for i in range(start, start + count)
    ]
    page: dict = {"opportunities": rows}
    if total is not None:
        page["totalCount"] = total
    return json.dumps(page).encode()


@pytest.mark.parametrize(
    ("board", "expected"),
    [
        (f" ACME1000/{GUID.upper()} ", BOARD),
        (f"recruiting2.ultipro.com/ACME1000/{GUID}", BOARD),
        (f"Recruiting.UltiPro.com/ACME1000/{GUID}", f"recruiting.ultipro.com/ACME1000/{GUID}"),
        (f"acme.rec.pro.ukg.net/ACM1502ACME/{GUID}", f"acme.rec.pro.ukg.net/ACM1502ACME/{GUID}"),
    ],
)
def test_board_forms(board, expected):
    assert Ukg.check_board(board) == expected


@pytest.mark.parametrize(
    "board",
    [
        "ACME1000",
        GUID,
        "ACME1000/7b1a",
        f"ACME 1000/{GUID}",
        f"bad host/ACME1000/{GUID}",
        f"ACME1000/JobBoard/{GUID}",
        f"recruiting/ACME1000/{GUID}",
        "",
        None,
    ],
)
def test_bad_boards(board):
    with pytest.raises(ValueError, match=r"code/guid.*ACME1000/7b1a2c3d.*host/code/guid"):
        Ukg(board)


def test_list_request():
    request = Ukg(BOARD).first_request()
    assert request.url == f"{SITE}/JobBoardView/LoadSearchResults"
    assert request.method == "POST"
    assert request.json == {
        "opportunitySearch": {
            "Top": 50,
            "Skip": 0,
            "QueryString": "",
            "OrderBy": [
                {"Value": "postedDateDesc", "PropertyName": "PostedDate", "Ascending": False}
            ],
            "Filters": [],
        }
    }
    other = Ukg(f"recruiting.ultipro.ca/MAC5000MCDW/{GUID}", api="http://127.0.0.1:9")
    assert other.first_request().url == (
        f"http://127.0.0.1:9/MAC5000MCDW/JobBoard/{GUID}/JobBoardView/LoadSearchResults"
    )


def test_parses_the_recorded_page():
    page = parse(fixture("opportunities.json"))
    director, engineer, tecnico = page.postings  # no id, blank title: skipped
    assert director.id == "69d553eb-7b6b-4176-a082-58ecb897204b"
    assert director.title == "Director, Compliance"
    assert director.url == f"{SITE}/OpportunityDetail?opportunityId={director.id}"
    assert director.locations == ("Remote, United States",)
    assert (director.department, director.employment) == ("Legal", "full-time")
    assert director.posted_at == datetime(2026, 11, 22, 15, 18, 32, 57000, tzinfo=UTC)
    assert director.remote
    assert describe(director).startswith("The Director, Compliance will be")
    assert engineer.locations == ("Houston, Texas, United States", "Toronto, Ontario, Canada")
    assert (tecnico.title, tecnico.employment, tecnico.locations, tecnico.department) == (
        "Técnico de Laboratorio – Turno Noche",
        "part-time",
        (),
        None,
    )
    assert tecnico.description_html is None
    assert page.next is None  # 5 counted, 5 came


def test_pages_skip_by_what_came():
    first = parse(opportunities(0, TOP, 120))
    assert first.next is not None and first.next.json["opportunitySearch"]["Skip"] == 50
    smaller = parse(opportunities(0, 20, 120))  # a board that pages by less than asked
    assert smaller.next is not None and smaller.next.meta["skip"] == 20
    assert parse(opportunities(100, 20, 120), skip=100).next is None
    assert parse(opportunities(0, 3, None)).next is not None  # no count: on to an empty page
    assert parse(fixture("empty.json")).next is None
    assert parse(fixture("empty.json")).postings == []


@pytest.mark.parametrize(
    "body",
    [b"<html>Error</html>", b"[]", b'{"opportunities": null}', b'{"opportunities": {}}', b"{}"],
)
def test_bad_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_detail_from_the_posting_page():
    source = Ukg(BOARD, api="http://127.0.0.1:9")
    listed = parse(fixture("opportunities.json")).postings[1]
    request = source.detail_request(listed)
    assert request is not None and request.method == "GET"
    assert request.url == f"http://127.0.0.1:9{DETAIL}?opportunityId={listed.id}"
    detailed = source.parse_detail(
        listed, Response(200, "", fixture("opportunity_detail.html")), NOW
    )
    text = describe(detailed)
    assert text.startswith("JOB SUMMARY\n")
    assert 'write "clean" code {python} & C#.' in text and "Liquid handlers" in text
    assert "alert" not in text
    assert (detailed.url, detailed.locations, detailed.posted_at) == (
        listed.url,
        listed.locations,
        listed.posted_at,
    )


def test_detail_fills_what_the_list_lacks():
    tecnico = parse(fixture("opportunities.json")).postings[2]
    page = (
        '<script>var o = new US.Opportunity.CandidateOpportunityDetail({"Id": "x", '
        '"JobCategoryName": "Laboratory", "Description": "", "Locations": '
        '[{"LocalizedDescription": "TX - Remote"}]});</script>'
    )
    detailed = Ukg(BOARD).parse_detail(tecnico, Response(200, "", page.encode()), NOW)
    assert (detailed.department, detailed.locations) == ("Laboratory", ("TX - Remote",))
    assert detailed.description_html is None


@pytest.mark.parametrize(
    "page",
    [
        b"<html><body>The board</body></html>",  # an unknown or closed opportunity
        b"<script>new US.Opportunity.CandidateOpportunityDetail({oops});</script>",
        b"<script>new US.Opportunity.CandidateOpportunityDetail([1]);</script>",
    ],
)
def test_a_page_without_its_opportunity_is_an_error(page):
    listed = parse(fixture("opportunities.json")).postings[0]
    with pytest.raises(SourceError):
        Ukg(BOARD).parse_detail(listed, Response(200, "", page), NOW)


def test_ukg_pro_hosts_send_the_board_pages_token():
    source = Ukg(f"acme.rec.pro.ukg.net/ACM1502ACME/{GUID}")
    first = source.first_request()
    assert first.url == f"https://acme.rec.pro.ukg.net/ACM1502ACME/JobBoard/{GUID}/"
    assert first.meta == {"preamble": True} and first.method == "GET"
    page = parse_page(source, fixture("board_page.html"), NOW)
    assert page.postings == [] and page.next is not None
    assert page.next.method == "POST"
    assert page.next.headers["RequestVerificationToken"] == "CfDJ8Ab3_x-9ZqLmN0pQrStUvWxYz12"
    later = parse_page(source, opportunities(0, TOP, 60), NOW, page.next).next
    assert later is not None and later.headers["RequestVerificationToken"]
    bare = parse_page(source, b"<html></html>", NOW).next
    assert bare is not None and "RequestVerificationToken" not in bare.headers


@pytest.mark.parametrize(
    ("url", "board"),
    [
        (f"https://recruiting2.ultipro.com{PATH}/", BOARD),
        (f"https://recruiting2.ultipro.com{PATH}/?q=&o=postedDateDesc", BOARD),
        (f"https://recruiting2.ultipro.com{PATH}/OpportunityDetail?opportunityId=69d553eb", BOARD),
        (f"https://recruiting2.ultipro.com{PATH.upper()}/OpportunityApply?opportunityId=1", BOARD),
        (f"https://recruiting2.ultipro.com{SEARCH}", BOARD),
        (
            f"https://recruiting.ultipro.com/SOU1036SOUND/JobBoard/{GUID}",
            f"recruiting.ultipro.com/SOU1036SOUND/{GUID}",
        ),
        (
            f"https://recruiting.ultipro.ca/MAC5000MCDW/JobBoard/{GUID}/?q=",
            f"recruiting.ultipro.ca/MAC5000MCDW/{GUID}",
        ),
        (
            f"https://vaneck.rec.pro.ukg.net/VAN1502VEAC/JobBoard/{GUID}/",
            f"vaneck.rec.pro.ukg.net/VAN1502VEAC/{GUID}",
        ),
    ],
)
def test_detects_board_urls(url, board):
    found = detect_with(Ukg, url)
    assert found is not None and found.board == board


@pytest.mark.parametrize(
    "url",
    [
        "https://www.ultipro.com/",
        "https://recruiting2.ultipro.com/ACME1000",
        "https://recruiting2.ultipro.com/ACME1000/JobBoard/",
        "https://recruiting2.ultipro.com/ACME1000/JobBoard/not-a-guid",
        f"https://recruiting2.ultipro.com.evil.example{PATH}",
        f"https://evil.example/recruiting2.ultipro.com{PATH}",
        f"https://rec.pro.ukg.net{PATH}",
        "https://www.ukg.com/careers",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Ukg, url) is None


def test_real_recorded_page():
    (path,) = shared("ukg")
    data = json.loads(path.read_bytes())
    page = parse(path.read_bytes(), board=f"BAY1004BAYL/{GUID}")
    assert [p.id for p in page.postings] == [o["Id"] for o in data["opportunities"]]
    assert [p.title for p in page.postings] == [o["Title"] for o in data["opportunities"]]
    remote, _, automation = page.postings
    assert remote.locations == ("Remote, United States",) and remote.remote
    assert automation.locations == ("Houston, Texas, United States",)
    assert {p.employment for p in page.postings} == {"full-time"}
    assert [p.department for p in page.postings] == ["Legal", "Sales", "Engineering"]
    assert all(p.posted_at and p.posted_at.year == 2026 for p in page.postings)
    assert page.next is None  # totalCount 3


def _serve_board(server, count: int, sizes: list[int]):
    """Pages of `sizes` opportunities (a server that pages by less than asked); details."""
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(count)]

    def search(seen: Seen) -> Reply:
        skip = seen.json()["opportunitySearch"]["Skip"]
        size = sizes[min(len(sizes) - 1, sum(1 for _ in server.requests_to(SEARCH)) - 1)]
        rows = [
            {"Id": i, "Title": f"Nurse {n}", "FullTime": True, "PostedDate": "2026-11-20T08:00:00Z"}
            for n, i in enumerate(ids)
        ][skip : skip + size]
        return Reply(200, {"opportunities": rows, "totalCount": count})

    def detail(seen: Seen) -> Reply:
        opportunity = seen.path.rsplit("=", 1)[1]
        text = "ICU and telemetry" if opportunity.endswith("7") else "Clinic"
        body = json.dumps({"Id": opportunity, "Description": f"<p>{text}</p>"})
        page = f"<script>new US.Opportunity.CandidateOpportunityDetail({body});</script>"
        return Reply(200, page, {"Content-Type": "text/html"})

    server.routes[SEARCH] = search
    server.routes[DETAIL] = detail


def test_reads_every_page_and_new_postings_details_over_http(server):
    _serve_board(server, 70, [50, 15, 50])
    result = read_board_over_http(Ukg(BOARD, api=server.url), NOW)
    assert len(result.postings) == 70 and result.pages == 3
    assert [s.json()["opportunitySearch"]["Skip"] for s in server.requests_to(SEARCH)] == [
        0,
        50,
        65,
    ]
    assert len(server.requests_to(DETAIL)) == 70 and result.details_failed == 0
    nurse = next(p for p in result.postings if p.title == "Nurse 7")
    assert describe(nurse) == "ICU and telemetry"


def test_watcher_check_end_to_end(tmp_path, server, receiver):
    _serve_board(server, 3, [50])
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme Health", "ukg": BOARD}, defaults={"match": {"keywords": ["icu"]}})
    assert project.run("validate").exit_code == 0
    first = project.run("check")
    assert first.exit_code == 0, first.output
    stored = project.list()
    assert sorted(p["title"] for p in stored) == ["Nurse 0", "Nurse 1", "Nurse 2"]
    assert all(p["url"].startswith(f"{SITE}/OpportunityDetail?opportunityId=") for p in stored)
    assert {p["employment"] for p in stored} == {"full-time"}
    assert receiver.messages == []

    _serve_board(server, 9, [50])
    again = project.run("check")
    assert again.exit_code == 0, again.output
    messages = receiver.wait_for(1)
    assert len(messages) == 1
    assert "Nurse 7" in messages[0]["message"] and "Nurse 8" not in messages[0]["message"]
