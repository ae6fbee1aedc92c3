import json
import re
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest

from tests.conftest import FIXTURES, shared
from tests.helpers import Project
from tests.servers import Reply, Seen
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Response, SourceError
from watcher.sources import detect_with
from watcher.sources.oracle import LIMIT, Oracle
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
HERE = FIXTURES / "oracle"
BOARD = "acme.fa.us2/CX_1"
ORIGIN = "https://acme.fa.us2.oraclecloud.com"
LIST = "/hcmRestApi/resources/latest/recruitingCEJobRequisitions"
DETAIL = "/hcmRestApi/resources/latest/recruitingCEJobRequisitionDetails"


def parse(body: bytes, offset: int = 0, board: str = BOARD):
    source = Oracle(board)
    return parse_page(source, body, NOW, source._list_request(offset))


def fixture(name: str) -> bytes:
    return (HERE / name).read_bytes()


def page(rows: list[dict], total: int | None, limit: int = LIMIT) -> bytes:
    search: dict = {"Limit": limit, "requisitionList": rows}
    if total is not None:
        search["TotalJobsCount"] = total
    return json.dumps({"items": [search], "count": 1, "hasMore": False}).encode()


def rows(start: int, count: int) -> list[dict]:
    return [
        {"Id": str(i), "Title": f"Engineer {i}", "PrimaryLocation": "Austin, TX, United States"}
        for i in range(start, start + count)
    ]


def test_board_id_forms():
    assert Oracle.check_board(" EEHO.fa.us2/CX_1 ") == "eeho.fa.us2/CX_1"
    assert Oracle.check_board("eeho.fa.us2.oraclecloud.com/CX_1") == "eeho.fa.us2/CX_1"
    assert Oracle.check_board("fa-eups-saasfaprod1.fa.ocs/ULSolutionsCareers") == (
        "fa-eups-saasfaprod1.fa.ocs/ULSolutionsCareers"
    )
    assert Oracle.check_board("jpmc.fa/CX_1001") == "jpmc.fa/CX_1001"
    for bad in (
        "eeho",
        "eeho/CX_1",
        "eeho.fa.us2",
        "eeho.fa.us2/",
        "eeho.fa.us2/CX 1",
        "eeho.fa.us2/CX_1/job/1",
        "-x.fa/CX_1",
        "https://eeho.fa.us2/CX_1",
        "",
        3,
        None,
    ):
        with pytest.raises(ValueError, match=r"host/site.*eeho\.fa\.us2/CX_1"):
            Oracle(bad)


def test_list_request_pages_inside_the_finder_and_honours_api():
    request = Oracle(BOARD).first_request()
    assert request.url == (
        f"{ORIGIN}{LIST}?onlyData=true&expand=requisitionList.secondaryLocations"
        "&finder=findReqs;siteNumber=CX_1,limit=200,offset=0,sortBy=POSTING_DATES_DESC"
    )
    assert request.method == "GET" and request.meta == {"offset": 0}
    later = Oracle(BOARD, api="http://127.0.0.1:9/o/")._list_request(400)
    assert later.url.startswith(f"http://127.0.0.1:9/o{LIST}?onlyData=true")
    assert ",offset=400," in later.url and "&offset" not in later.url


def test_parses_the_recorded_page():
    page_ = parse(fixture("requisitions.json"))
    engineer, ingenieure, csm, odd = page_.postings  # no title, no id: skipped
    assert engineer.id == "20114"
    assert engineer.title == "Senior Platform Engineer"
    assert engineer.url == f"{ORIGIN}/hcmUI/CandidateExperience/en/sites/CX_1/job/20114"
    assert engineer.locations == ("Berlin, Germany", "Munich, Germany", "Vienna, Austria")
    assert (engineer.department, engineer.employment, engineer.workplace) == (
        "Engineering",
        "full-time",
        "hybrid",
    )
    assert engineer.posted_at == datetime(2026, 11, 20, tzinfo=UTC)
    assert engineer.description_html is None  # an empty teaser: the detail brings it

    assert ingenieure.title == "Ingénieure Qualité – Équipe Nuit"
    assert ingenieure.workplace == "onsite"
    assert describe(ingenieure) == "Rejoignez l'équipe qualité.\n\nHoraires de nuit."
    assert (csm.workplace, csm.locations, csm.department) == ("remote", ("United States",), None)
    assert odd.title == "<script>alert(1)</script>Data Engineer"  # stored as text, never run
    assert odd.locations == ("Austin, TX, United States",)  # the primary one, once
    assert (odd.workplace, odd.posted_at) == ("remote", None)
    assert page_.next is None  # 5 listed in all: the first page holds them


def test_pages_step_by_the_limit_and_go_on_after_a_short_page():
    first = parse(page(rows(0, 200), 454))
    assert first.next is not None and first.next.meta == {"offset": 200}
    short = parse(page(rows(200, 199), 454), offset=200)  # the server dropped a row
    assert short.next is not None and short.next.meta == {"offset": 400}
    last = parse(page(rows(399, 54), 454), offset=400)
    assert last.next is None  # 600 is past the total
    unknown = parse(page(rows(0, 3), None))
    assert unknown.next is not None  # no total: only an empty page ends the board
    assert parse(page([], None), offset=200).next is None
    narrower = parse(page(rows(0, 25), 60, limit=25))  # a tenant paging by less
    assert narrower.next is not None and narrower.next.meta == {"offset": 25}


def test_empty_boards():
    assert parse(fixture("empty.json")).postings == []
    assert parse(fixture("empty.json")).next is None
    assert parse(b'{"items": [], "count": 0}').postings == []


@pytest.mark.parametrize(
    "body",
    [
        b"<html>Service unavailable</html>",
        b"[]",
        b'{"items": {"a": 1}}',
        b'{"items": ["x"]}',
        b'{"items": [{"TotalJobsCount": 3}]}',  # no requisitionList: not an empty board
        b"{}",
    ],
)
def test_bad_list_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse" and "\n" not in err.value.reason


def test_detail_request_and_parse():
    source = Oracle(BOARD, api="http://127.0.0.1:9")
    listed = parse(fixture("requisitions.json")).postings[0]
    request = source.detail_request(listed)
    assert request is not None
    assert request.url == (
        f"http://127.0.0.1:9{DETAIL}?expand=all&onlyData=true"
        "&finder=ById;Id=%2220114%22,siteNumber=CX_1"
    )
    detailed = source.parse_detail(listed, Response(200, request.url, fixture("detail.json")), NOW)
    assert describe(detailed) == (
        "Über uns: we build rockets & roller skates.\n\nRun the platform\n\nPython\nPostgreSQL"
    )
    assert "Internal only" not in describe(detailed) and "global leader" not in describe(detailed)
    assert detailed.locations == listed.locations and detailed.url == listed.url
    assert detailed.posted_at == listed.posted_at


def test_detail_fills_what_the_list_lacks():
    source = Oracle(BOARD)
    csm = parse(fixture("requisitions.json")).postings[2]
    body = json.dumps(
        {
            "items": [
                {
                    "Id": "20120",
                    "Category": "Customer Success",
                    "JobSchedule": "Part time",
                    "ExternalPostedStartDate": "2026-11-18T09:00:00+00:00",
                    "ExternalDescriptionStr": "",
                }
            ]
        }
    ).encode()
    detailed = source.parse_detail(csm, Response(200, "", body), NOW)
    assert (detailed.department, detailed.employment) == ("Customer Success", "part-time")
    assert detailed.workplace == "remote"  # the list's
    assert detailed.description_html is None


@pytest.mark.parametrize("body", [b'{"items": []}', b"<html></html>", b'{"items": 3}', b"[]"])
def test_a_missing_or_odd_detail_is_an_error(body):
    listed = parse(fixture("requisitions.json")).postings[0]
    with pytest.raises(SourceError):
        Oracle(BOARD).parse_detail(listed, Response(200, "", body), NOW)


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://eeho.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1", None),
        ("https://eeho.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1/jobs", None),
        (
            "https://eeho.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1/job/123",
            None,
        ),
        (
            "eeho.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/sites/CX_1/requisitions",
            None,
        ),
        (
            "https://EEHO.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en-GB/sites/CX_1"
            "/requisitions/preview/123?keyword=x",
            None,
        ),
        (
            "https://eeho.fa.us2.oraclecloud.com/hcmRestApi/resources/latest/"
            "recruitingCEJobRequisitions?onlyData=true&finder=findReqs;siteNumber=CX_1,limit=25",
            None,
        ),
        (
            "https://eeho.fa.us2.oraclecloud.com/hcmRestApi/resources/11.13.18.05/"
            "recruitingCEJobRequisitionDetails?finder=ById%3BId%3D%22123%22%2CsiteNumber%3DCX_1",
            None,
        ),
        (
            "https://fa-eups-saasfaprod1.fa.ocs.oraclecloud.com/hcmUI/CandidateExperience/en/"
            "sites/ULSolutionsCareers/job/10139",
            "fa-eups-saasfaprod1.fa.ocs/ULSolutionsCareers",
        ),
        (
            "https://jpmc.fa.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1001/jobs",
            "jpmc.fa/CX_1001",
        ),
    ],
)
def test_detects_board_urls(url, board):
    found = detect_with(Oracle, url)
    assert found is not None and found.board == (board or "eeho.fa.us2/CX_1")


@pytest.mark.parametrize(
    "url",
    [
        "https://eeho.fa.us2.oraclecloud.com/",
        "https://eeho.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/",
        "https://eeho.fa.us2.oraclecloud.com/hcmUI/faces/FuseWelcome",
        "https://login.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1",
        "https://eeho.fa.us2.oraclecloud.com.evil.example/hcmUI/CandidateExperience/en/sites/CX_1",
        "https://evil.example/eeho.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1",
        "https://eeho.fa.us2.oraclecloud.com/hcmRestApi/resources/latest/recruitingCEJobRequisitions",
        "https://www.oracle.com/careers/",
        "https://careers.oracle.com/jobs/#en/sites/jobsearch",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Oracle, url) is None


def test_real_recorded_list_and_detail():
    files = {path.name: path for path in shared("oracle_hcm")}
    board = "fa-eups-saasfaprod1.fa.ocs/ULSolutionsCareers"
    listed = next(p for name, p in files.items() if "JobRequisitions_" in name)
    data = json.loads(listed.read_bytes())
    result = parse(listed.read_bytes(), board=board)
    reqs = data["items"][0]["requisitionList"]
    assert [p.id for p in result.postings] == [r["Id"] for r in reqs]
    assert [p.title for p in result.postings] == [r["Title"] for r in reqs]
    heat_pumps = result.postings[1]
    assert heat_pumps.locations == ("Spain", "Italy")
    assert "heat pumps are at the centre" in describe(heat_pumps)
    assert result.postings[2].locations == (
        "Northbrook, IL, United States",
        "Raleigh, NC, United States",
        "Melville, NY, United States",
    )
    assert all(p.posted_at == datetime(2026, 10, 5, tzinfo=UTC) for p in result.postings)
    assert all(
        p.url.startswith("https://fa-eups-saasfaprod1.fa.ocs.oraclecloud.com/hcmUI/")
        for p in result.postings
    )
    assert result.next is None  # TotalJobsCount 4, all on this page

    detail = next(p for name, p in files.items() if "Details" in name)
    source = Oracle(board)
    enriched = source.parse_detail(result.postings[0], Response(200, "", detail.read_bytes()), NOW)
    text = describe(enriched)
    assert "electrical distribution equipment" in text and "project scope" in text
    assert enriched.department == "Engineering"  # the detail's Category


def _serve_board(server, total: int, sizes: list[int], titles: dict[str, str] | None = None):
    """Pages of `sizes` rows at offsets 0, 200, 400...; details for every id."""
    ids = iter(range(10_000))
    pages = {200 * n: [next(ids) for _ in range(size)] for n, size in enumerate(sizes)}

    def listing(seen: Seen) -> Reply:
        offset = int(re.search(r",offset=(\d+),", unquote(seen.path))[1])
        found = [
            {
                "Id": str(i),
                "Title": (titles or {}).get(str(i), f"Engineer {i}"),
                "PrimaryLocation": "Austin, TX, United States",
                "PostedDate": "2026-11-20",
            }
            for i in pages.get(offset, [])
        ]
        return Reply(200, {"items": [{"TotalJobsCount": total, "requisitionList": found}]})

    def detail(seen: Seen) -> Reply:
        job_id = re.search(r'Id="(\d+)"', unquote(seen.path))[1]
        text = "Kubernetes and Go" if job_id == "7" else "Spreadsheets"
        return Reply(200, {"items": [{"Id": job_id, "ExternalDescriptionStr": f"<p>{text}</p>"}]})

    server.routes[LIST] = listing
    server.routes[DETAIL] = detail


def test_reads_every_page_and_the_new_postings_details_over_http(server):
    _serve_board(server, total=454, sizes=[200, 199, 54])
    result = read_board_over_http(Oracle(BOARD, api=server.url), NOW)
    assert result.pages == 3 and not result.truncated
    assert len(result.postings) == 453 and result.details_failed == 0
    offsets = [re.search(r",offset=(\d+),", s.path)[1] for s in server.requests_to(LIST)]
    assert offsets == ["0", "200", "400"]
    assert len(server.requests_to(DETAIL)) == 453
    assert describe(next(p for p in result.postings if p.id == "7")) == "Kubernetes and Go"


def test_a_tenant_past_its_search_window_is_truncated(server):
    # 50 full pages, then the empty page a large tenant serves at offset 10,000
    _serve_board(server, total=14_000, sizes=[200] * 50)
    result = read_board_over_http(
        Oracle(BOARD, api=server.url), NOW, needs_detail=lambda posting: False
    )
    assert (result.pages, result.truncated, len(result.postings)) == (50, True, 10_000)


def test_watcher_check_end_to_end(tmp_path, server, receiver):
    _serve_board(server, total=3, sizes=[3])
    project = Project(tmp_path, server, receiver)
    project.sites(
        {"name": "Acme", "oracle": BOARD, "events": ["new"]},
        defaults={"match": {"keywords": ["kubernetes"]}},
    )
    first = project.run("check")
    assert first.exit_code == 0, first.output
    stored = project.list()
    assert sorted(p["id"] for p in stored) == ["0", "1", "2"]
    assert stored[0]["url"].startswith(f"{ORIGIN}/hcmUI/CandidateExperience/en/sites/CX_1/job/")
    assert {p["location"] for p in stored} == {"Austin, TX, United States"}
    assert receiver.messages == []  # the silent baseline

    _serve_board(server, total=6, sizes=[6], titles={"7": "Platform Engineer"})
    again = project.run("check")
    assert again.exit_code == 0, again.output
    # 3, 4 and 5 are new; only 7 would match, and it is not listed: nothing is sent,
    # though every new posting's detail was read to look for the keyword
    assert len(server.requests_to(DETAIL)) == 6
    assert receiver.messages == []

    _serve_board(server, total=8, sizes=[8], titles={"7": "Platform Engineer"})
    third = project.run("check")
    assert third.exit_code == 0, third.output
    messages = receiver.wait_for(1)
    assert len(messages) == 1 and "Platform Engineer" in messages[0]["message"]
    assert "Engineer 6" not in messages[0]["message"]  # new, but no keyword in its detail
