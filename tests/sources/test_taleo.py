import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.helpers import Project
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Posting, Request, Response, SourceError
from watcher.sources.taleo import Taleo
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
HERE = FIXTURES / "taleo"
BOARD = "acme.taleo.net/ext"
SECTION = "https://acme.taleo.net/careersection/ext"
TBE = "phh.tbe.taleo.net/phh04/ACMEHEALTH/37"
TBE_SITE = "https://phh.tbe.taleo.net/phh04/ats/careers/v2"
HTML = {"Content-Type": "text/html; charset=utf-8"}
SEARCH = "/careersection/rest/jobboard/searchjobs"


def fixture(name: str) -> bytes:
    return (HERE / name).read_bytes()


def page(name: str, board: str = BOARD, request: Request | None = None):
    return parse_page(Taleo(board), fixture(name), NOW, request)


def list_request(number: int = 1) -> Request:
    return Taleo(BOARD)._search(number, "101430233", ("csrftoken", "e5Fq-91aB_cd"))


def test_board_id_forms():
    assert Taleo.check_board(" Acme.Taleo.net/ext ") == BOARD
    assert Taleo.check_board("acme.taleo.net/2") == "acme.taleo.net/2"
    assert Taleo.check_board("PHH.tbe.taleo.net/phh04/ACMEHEALTH/37") == TBE
    bad = [
        "acme.taleo.net",
        "acme.taleo.net/careersection/2",
        "phh.tbe.taleo.net/phh04",
        "phh.tbe.taleo.net/phh04/ACMEHEALTH/x",
        "https://acme.taleo.net/2",
        "",
        None,
    ]
    for board in bad:
        with pytest.raises(ValueError, match="not a Taleo board"):
            Taleo(board)


def test_the_portal_number_is_read_first():
    first = Taleo(BOARD).first_request()
    assert first.url == f"{SECTION}/jobsearch.ftl?lang=en" and first.meta["preamble"]
    result = page("jobsearch.html")
    assert result.postings == []
    request = result.next
    assert request is not None and request.method == "POST"
    assert request.url == f"https://acme.taleo.net{SEARCH}?lang=en&portal=101430233"
    assert request.headers["tz"] == "GMT+00:00"
    assert request.headers["csrftoken"] == "e5Fq-91aB_cd"
    body = request.json
    assert body["pageNo"] == 1 and body["multilineEnabled"] is False
    assert body["fieldData"] == {
        "fields": {"KEYWORD": "", "LOCATION": "", "ORGANIZATION": ""},
        "valid": True,
    }
    assert set(body) == {
        "multilineEnabled",
        "sortingSelection",
        "fieldData",
        "filterSelectionParam",
        "advancedSearchFiltersSelectionParam",
        "pageNo",
    }
    local = Taleo(BOARD, api="http://127.0.0.1:8000").first_request()
    assert local.url == "http://127.0.0.1:8000/careersection/ext/jobsearch.ftl?lang=en"


def test_a_page_without_portal_is_an_error():
    with pytest.raises(SourceError, match="no portal number"):
        page("jobsearch_noportal.html")


def test_requisition_rows_are_positional():
    first = page("searchjobs_1.json", request=list_request(1))
    bridge, superintendent = first.postings
    assert (bridge.id, bridge.title) == ("2600123", "Bridge Engineer")
    assert bridge.url == f"{SECTION}/jobdetail.ftl?job=2600123&lang=en"
    assert bridge.locations == ("CA-ON-Toronto", "CA-QC-Montreal")
    assert bridge.posted_at == datetime(2026, 11, 20, tzinfo=UTC)
    assert (superintendent.title, superintendent.locations) == (
        "Site Superintendent",
        ("US-TX-Austin",),
    )
    assert superintendent.posted_at == datetime(2026, 11, 18, tzinfo=UTC)
    following = first.next
    assert following is not None and following.json["pageNo"] == 2
    assert following.headers["csrftoken"] == "e5Fq-91aB_cd"

    last = page("searchjobs_2.json", request=following)
    (estimator,) = last.postings  # rows without id or title are skipped
    assert (estimator.id, estimator.title, estimator.locations) == (
        "7703",
        "Estimator (Part-Time)",
        (),
    )
    assert last.next is None  # 3 in all, 2 a page


def test_a_page_past_the_count_ends_the_board():
    body = json.dumps(
        {"requisitionList": [], "pagingData": {"totalCount": 0, "pageSize": 25}}
    ).encode()
    result = parse_page(Taleo(BOARD), body, NOW, list_request(1))
    assert result.postings == [] and result.next is None


@pytest.mark.parametrize("body", [b"[]", b'{"requisitionList": 3}', b"<html></html>"])
def test_bad_lists_are_parse_errors(body):
    with pytest.raises(SourceError):
        parse_page(Taleo(BOARD), body, NOW, list_request(1))


def test_description_from_the_detail_page_history():
    listed = page("searchjobs_1.json", request=list_request(1)).postings[0]
    source = Taleo(BOARD)
    detail = source.detail_request(listed)
    assert detail is not None and detail.url == listed.url
    posting = source.parse_detail(listed, Response(200, listed.url, fixture("jobdetail.html")), NOW)
    assert describe(posting) == "Design bridges that last.\n\nP.Eng licence"
    assert posting.locations == listed.locations
    with pytest.raises(SourceError, match="no job description"):
        source.parse_detail(listed, Response(200, listed.url, fixture("jobdetail_empty.html")), NOW)


def test_business_edition_results():
    source = Taleo(TBE)
    first = source.first_request()
    assert first.url == f"{TBE_SITE}/searchResults?org=ACMEHEALTH&cws=37"
    result = page("tbe_results_0.html", board=TBE)
    nurse, billing, aide = result.postings
    assert (nurse.id, nurse.title) == ("17", "Registered Nurse (RN)")
    assert nurse.url == f"{TBE_SITE}/viewRequisition?org=ACMEHEALTH&cws=37&rid=17"
    assert (nurse.locations, nurse.department, nurse.employment) == (
        ("IN - Lafayette",),
        "Nursing",
        "per-diem",
    )
    # cells come in the company's order: told apart by what they hold
    assert (billing.locations, billing.department, billing.employment) == (
        ("Indianapolis, IN",),
        "Revenue Cycle",
        None,
    )
    assert (aide.id, aide.locations, aide.department) == ("618", ("Charlotte",), None)
    assert result.next is not None
    assert result.next.url == (
        f"{TBE_SITE}/searchResults?org=ACMEHEALTH&cws=37"
        "&next&rowFrom=3&act=null&sortColumn=null&sortOrder=null"
    )
    last = page("tbe_results_3.html", board=TBE, request=result.next)
    (assistant,) = last.postings
    assert (assistant.locations, assistant.employment) == (("Fort Wayne, IN",), "full-time")
    assert last.next is None


def test_business_edition_details():
    source = Taleo(TBE)
    listed = page("tbe_results_0.html", board=TBE).postings
    nurse = source.parse_detail(
        listed[0], Response(200, listed[0].url, fixture("tbe_detail.html")), NOW
    )
    assert describe(nurse) == "Provide skilled nursing in patients' homes.\nActive RN licence"
    billing = source.parse_detail(
        listed[1], Response(200, listed[1].url, fixture("tbe_detail_jsonld.html")), NOW
    )
    assert describe(billing) == "Post payments and work denials."
    assert billing.employment == "full-time"
    assert billing.posted_at == datetime(2026, 11, 12, tzinfo=UTC)
    assert billing.locations == ("Indianapolis, IN",)  # the list's place stays
    gone = Response(200, listed[2].url, fixture("jobsearch_noportal.html"))
    with pytest.raises(SourceError):
        source.parse_detail(listed[2], gone, NOW)


def test_board_in_page():
    assert (
        Taleo.board_in_page(
            Response(200, f"{SECTION}/jobsearch.ftl?lang=en", fixture("jobsearch.html"), HTML)
        )
        == BOARD
    )
    embed = (
        b'<iframe src="https://phh.tbe.taleo.net/phh04/ats/careers/v2/searchResults'
        b'?org=ACMEHEALTH&amp;cws=37"></iframe>'
    )
    assert Taleo.board_in_page(Response(200, "https://acmehealth.org/careers", embed)) == TBE
    custom = b'<a href="/careersection/2/jobsearch.ftl?lang=en">Search our jobs</a>'
    assert Taleo.board_in_page(Response(200, "https://careers.acme.com/", custom)) == (
        "careers.acme.com/2"
    )
    assert Taleo.board_in_page(Response(200, "https://acme.com/", b"<p>hi</p>")) is None


def test_real_recorded_business_edition_results():
    (path,) = shared("taleo")
    source = Taleo("phh.tbe.taleo.net/phh04/NFINDY/37")
    result = parse_page(source, path.read_bytes(), NOW)
    assert [(p.id, p.title, p.locations, p.department, p.employment) for p in result.postings] == [
        ("17", "Certified Nursing Assistant (CNA)", ("IN - Lafayette",), "Staffing", "per-diem"),
        (
            "389",
            "Certified Nursing Assistant (CNA)",
            ("IN - Indianapolis",),
            "Staffing",
            "per-diem",
        ),
        ("618", "CNA / PCA", ("NC - Charlotte",), "Homecare", "per-diem"),
    ]
    assert result.postings[0].url == (
        "https://phh.tbe.taleo.net/phh04/ats/careers/v2/viewRequisition?org=NFINDY&cws=37&rid=17"
    )
    assert result.next is None  # 3 rows, no "next" link: the whole board


def _serve_enterprise(server) -> None:
    server.routes["/careersection/ext/jobsearch.ftl?lang=en"] = Reply(
        200, fixture("jobsearch.html"), HTML
    )
    pages = {1: fixture("searchjobs_1.json"), 2: fixture("searchjobs_2.json")}

    def search(seen):
        if "tz" not in seen.headers:
            return Reply(500, {"error": "no time zone"})
        return Reply(200, pages[min(seen.json()["pageNo"], 2)])  # past the last: the last

    server.routes[SEARCH] = search
    server.routes["/careersection/ext/jobdetail.ftl?job=2600123&lang=en"] = Reply(
        200, fixture("jobdetail.html"), HTML
    )


def test_reads_a_career_section_over_http(server):
    _serve_enterprise(server)
    result = read_board_over_http(Taleo(BOARD, api=server.url), NOW)
    assert [p.id for p in result.postings] == ["2600123", "2600124", "7703"]
    posted = server.requests_to(SEARCH)
    assert [s.json()["pageNo"] for s in posted] == [1, 2]
    assert all(s.path.endswith("?lang=en&portal=101430233") for s in posted)
    assert all(s.headers["csrftoken"] == "e5Fq-91aB_cd" for s in posted)
    assert result.pages == 3
    assert [p.detailed for p in result.postings] == [True, False, False]
    assert result.details_failed == 2


def test_watcher_check_end_to_end(tmp_path, server, receiver):
    _serve_enterprise(server)
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", "taleo": BOARD})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    stored = {p["id"]: p for p in project.list()}
    assert sorted(stored) == ["2600123", "2600124", "7703"]
    assert receiver.messages == []
    assert len(server.requests_to("/careersection/ext/jobdetail.ftl")) == 3
    again = project.run("check")
    assert again.exit_code == 0, again.output
    # the detailed posting is not read again; the two whose pages failed are
    assert len(server.requests_to("/careersection/ext/jobdetail.ftl")) == 3 + 2
    assert receiver.messages == []


def test_watcher_check_of_a_business_edition_board(tmp_path, server, receiver):
    server.routes["/phh04/ats/careers/v2/searchResults?org=ACMEHEALTH&cws=37"] = Reply(
        200, fixture("tbe_results_0.html"), HTML
    )
    server.routes[
        "/phh04/ats/careers/v2/searchResults?org=ACMEHEALTH&cws=37"
        "&next&rowFrom=3&act=null&sortColumn=null&sortOrder=null"
    ] = Reply(200, fixture("tbe_results_3.html"), HTML)
    server.routes["/phh04/ats/careers/v2/viewRequisition"] = Reply(
        200, fixture("tbe_detail.html"), HTML
    )
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme Health", "taleo": TBE})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    assert sorted(p["id"] for p in project.list()) == ["17", "389", "618", "702"]
    assert len(server.requests_to("/phh04/ats/careers/v2/viewRequisition")) == 4


def test_listed_posting_urls_are_recognised():
    from watcher.sources import detect_with

    posting = Posting(id="1", title="x", url=f"{SECTION}/jobdetail.ftl?job=2600123&lang=en")
    found = detect_with(Taleo, posting.url)
    assert found is not None and found.board == BOARD
