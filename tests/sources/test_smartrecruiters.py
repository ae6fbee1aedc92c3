import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Request, Response, SourceError
from watcher.sources import detect_with
from watcher.sources.smartrecruiters import SmartRecruiters
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
HERE = FIXTURES / "smartrecruiters"
API = "https://api.smartrecruiters.com/v1/companies"


def parse(body: bytes, request: Request | None = None, board: str = "AcmeCorp"):
    return parse_page(SmartRecruiters(board), body, NOW, request)


def detail(posting, name: str):
    source = SmartRecruiters("AcmeCorp")
    body = (HERE / name).read_bytes()
    return source.parse_detail(posting, Response(200, "https://x", body), NOW)


def read(source, **options):
    return read_board_over_http(source, NOW, **options)


def test_endpoints_and_api_rebase():
    source = SmartRecruiters("AcmeCorp")
    first = source.first_request()
    assert first.url == f"{API}/AcmeCorp/postings?limit=100&offset=0"
    assert first.meta == {"offset": 0}
    local = SmartRecruiters("AcmeCorp", api="http://127.0.0.1:8000")
    assert local.first_request().url == (
        "http://127.0.0.1:8000/v1/companies/AcmeCorp/postings?limit=100&offset=0"
    )
    posting = parse((HERE / "postings_0.json").read_bytes()).postings[0]
    assert local.detail_request(posting).url == (
        "http://127.0.0.1:8000/v1/companies/AcmeCorp/postings/744000012345678"
    )


def test_parses_recorded_pages():
    page = parse((HERE / "postings_0.json").read_bytes())
    assert page.next is not None
    assert page.next.url == f"{API}/AcmeCorp/postings?limit=100&offset=3"
    assert page.next.meta == {"offset": 3}
    engineer, technician, csm = page.postings

    assert engineer.id == "744000012345678"
    assert engineer.title == "Senior Data Engineer"
    assert engineer.url == "https://jobs.smartrecruiters.com/AcmeCorp/744000012345678"
    assert engineer.locations == ("Amsterdam, NH, Netherlands",)
    assert engineer.department == "Data & Analytics"
    assert (engineer.employment, engineer.workplace) == ("full-time", "hybrid")
    assert engineer.posted_at == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)
    assert engineer.description_html is None  # the list has none: it comes with the detail

    assert technician.title == "Técnico/a de Mantenimiento – Turno de noche"
    assert technician.locations == ("Sevilla, Andalucía, ES",)
    assert technician.department is None  # `{}`
    assert (technician.employment, technician.workplace) == ("part-time", "onsite")

    # null company: the board id makes the URL
    assert csm.url == "https://jobs.smartrecruiters.com/AcmeCorp/744000012345680"
    assert csm.locations == ("Remote, Germany",)
    assert (csm.workplace, csm.employment, csm.department, csm.posted_at) == (
        "remote",
        None,
        None,
        None,
    )

    last = parse((HERE / "postings_3.json").read_bytes(), page.next)
    assert [p.id for p in last.postings] == ["744000012345680", "744000012345681"]
    assert last.postings[1].locations == ("Columbus, OH, US",)
    assert last.postings[1].workplace is None  # no flags stated
    assert last.postings[1].employment == "temporary"
    assert last.next is None  # 3 + 3 rows reach totalFound


def test_pages_without_total_until_empty():
    body = json.loads((HERE / "postings_0.json").read_bytes())
    del body["totalFound"]
    page = parse(json.dumps(body).encode())
    assert page.next is not None and page.next.meta == {"offset": 3}
    empty = parse(b'{"offset": 3, "limit": 100, "content": []}', page.next)
    assert empty.postings == [] and empty.next is None


def test_empty_company():
    page = parse(b'{"offset": 0, "limit": 100, "totalFound": 0, "content": []}')
    assert page.postings == [] and page.next is None


def test_detail_adds_the_job_ad():
    engineer = parse((HERE / "postings_0.json").read_bytes()).postings[0]
    full = detail(engineer, "posting_744000012345678.json")
    assert full.url == engineer.url  # the list's URL stays
    assert full.locations == engineer.locations
    assert describe(full) == (
        "Company Description\n\nAcme builds rockets & roller skates.\n\n"
        "Job Description\n\nBuild pipelines\nOwn the warehouse\n\n"
        "Qualifications\n\nSQL, Python, Spark"
    )
    assert engineer.description_html is None  # the listed posting is left as it was

    warehouse = parse((HERE / "postings_3.json").read_bytes()).postings[1]
    assert describe(detail(warehouse, "posting_744000012345681.json")) == "Pick, pack & ship."


def test_detail_without_job_ad_keeps_the_posting():
    engineer = parse((HERE / "postings_0.json").read_bytes()).postings[0]
    source = SmartRecruiters("AcmeCorp")
    same = source.parse_detail(engineer, Response(200, "https://x", b'{"id": "1"}'), NOW)
    assert same == engineer


@pytest.mark.parametrize(
    "body",
    [
        b"<html>Service unavailable</html>",
        b"[]",
        b'{"offset": 0, "totalFound": 1}',
        b'{"content": {"id": "1"}}',
        b'{"content": [',
    ],
)
def test_bad_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


@pytest.mark.parametrize("body", [b"<html>Not found</html>", b'["a"]'])
def test_bad_details_are_parse_errors(body):
    posting = parse((HERE / "postings_0.json").read_bytes()).postings[0]
    with pytest.raises(SourceError) as err:
        SmartRecruiters("AcmeCorp").parse_detail(posting, Response(200, "https://x", body), NOW)
    assert err.value.kind == "parse"


def test_real_recorded_responses():
    for path in shared("smartrecruiters"):
        data = json.loads(path.read_bytes())
        company = data["content"][0]["company"]["identifier"]
        page = parse(path.read_bytes(), board=company)
        assert len(page.postings) == len(data["content"])
        assert page.next is None  # offset + rows reach totalFound
        for posting, job in zip(page.postings, data["content"], strict=True):
            assert posting.id == job["id"]
            assert posting.title == job["name"].strip()
            assert posting.url == f"https://jobs.smartrecruiters.com/{company}/{job['id']}"
            assert posting.locations == (job["location"]["fullLocation"],)
            assert posting.posted_at is not None


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://careers.smartrecruiters.com/Visa", "Visa"),
        ("careers.smartrecruiters.com/Visa/", "Visa"),
        ("https://careers.smartrecruiters.com/BoschGroup/engineering", "BoschGroup"),
        ("https://jobs.smartrecruiters.com/Visa/744000012345678-senior-data-engineer", "Visa"),
        ("https://jobs.smartrecruiters.com/Visa/744000012345678", "Visa"),
        (
            "https://jobs.smartrecruiters.com/oneclick-ui/company/Visa/publication/"
            "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d",
            "Visa",
        ),
        ("https://api.smartrecruiters.com/v1/companies/Knight/postings", "Knight"),
        ("https://api.smartrecruiters.com/v1/companies/knight/postings/743999671674844", "knight"),
    ],
)
def test_detects_urls(url, board):
    found = detect_with(SmartRecruiters, url)
    assert found is not None and found.board == board and found.key == "smartrecruiters"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.smartrecruiters.com/",
        "https://smartrecruiters.com/Visa",
        "https://careers.smartrecruiters.com/",
        "https://jobs.smartrecruiters.com/sr-jobs/company-lookup?q=a",
        "https://api.smartrecruiters.com/v1/companies/",
        "https://jobs.lever.co/visa",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(SmartRecruiters, url) is None


def test_reads_pages_and_details_over_http(server):
    base = "/v1/companies/AcmeCorp/postings"
    server.routes[f"{base}?limit=100&offset=0"] = Reply(
        200, (HERE / "postings_0.json").read_bytes()
    )
    server.routes[f"{base}?limit=100&offset=3"] = Reply(
        200, (HERE / "postings_3.json").read_bytes()
    )
    for posting_id in ("744000012345678", "744000012345681"):
        body = (HERE / f"posting_{posting_id}.json").read_bytes()
        server.routes[f"{base}/{posting_id}"] = Reply(200, body)
    # the other two details are unknown to the server: 404, counted as failed

    result = read(
        SmartRecruiters("AcmeCorp", api=server.url),
        needs_detail=lambda p: p.id != "744000012345679",
    )
    assert result.pages == 2
    assert [s.path for s in server.seen[:2]] == [
        f"{base}?limit=100&offset=0",
        f"{base}?limit=100&offset=3",
    ]
    assert sorted(s.path for s in server.seen[2:]) == [
        f"{base}/744000012345678",
        f"{base}/744000012345680",
        f"{base}/744000012345681",
    ]
    assert [p.id for p in result.postings] == [
        "744000012345678",
        "744000012345679",
        "744000012345680",
        "744000012345681",
    ]
    assert result.details_failed == 1
    detailed = {p.id: p.detailed for p in result.postings}
    assert detailed == {
        "744000012345678": True,
        "744000012345679": False,
        "744000012345680": False,
        "744000012345681": True,
    }
    assert describe(result.postings[3]) == "Pick, pack & ship."
    assert result.validators.body_hash is None  # several pages: no shortcut next time
