import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import FIXTURES, shared
from tests.helpers import Project
from tests.servers import Reply, Seen
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Response, SourceError
from watcher.sources import detect_with
from watcher.sources.eightfold import Eightfold
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
HERE = FIXTURES / "eightfold"
SEARCH = "/api/pcsx/search"
DETAILS = "/api/pcsx/position_details"
V2 = "/api/apply/v2/jobs"
MICROSOFT = "apply.careers.microsoft.com/microsoft.com"
NETFLIX = "explore.jobs.netflix.net/netflix.com"


def fixture(name: str) -> bytes:
    return (HERE / name).read_bytes()


def opened(page: str = "careers_pcsx.html", board: str = "acme", api: str | None = None):
    """A source that has read its careers page, and the list request that page led to."""
    source = Eightfold(board, api=api)
    first = parse_page(source, fixture(page), NOW)
    assert first.postings == [] and first.next is not None
    return source, first.next


def parse(body: bytes, start: int = 0, page: str = "careers_pcsx.html"):
    source, _ = opened(page)
    return parse_page(source, body, NOW, source._list_request(start))


def search_page(ids: list[int], count: int | None) -> dict:
    data: dict = {
        "positions": [
            {
                "id": i,
                "name": f"Engineer {i}",
                "locations": ["Austin, TX, US"],
                "postedTs": 1791158400,
            }
            for i in ids
        ]
    }
    if count is not None:
        data["count"] = count
    return {"status": 200, "error": {"message": "", "body": ""}, "data": data}


@pytest.mark.parametrize(
    ("board", "expected"),
    [
        (" Acme ", "acme"),
        ("acme.eightfold.ai", "acme"),
        ("acme/acme.com", "acme"),
        ("acme.eightfold.ai/ACME.com", "acme"),
        ("acme/acme-corp.com", "acme.eightfold.ai/acme-corp.com"),
        ("Apply.Careers.Microsoft.com/microsoft.com", MICROSOFT),
        (NETFLIX, NETFLIX),
    ],
)
def test_board_forms(board, expected):
    assert Eightfold.check_board(board) == expected


@pytest.mark.parametrize(
    "board",
    ["", "app", "www.eightfold.ai/x.com", "careers.qualcomm.com", "a/b/c", "acme.com/", "a b", 3],
)
def test_bad_boards(board):
    with pytest.raises(ValueError, match=r"acme for acme\.eightfold\.ai.*host/domain"):
        Eightfold(board)


def test_a_read_starts_with_the_careers_page():
    first = Eightfold("acme").first_request()
    assert first.url == "https://acme.eightfold.ai/careers?domain=acme.com"
    assert first.meta == {"preamble": True} and "text/html" in first.headers["Accept"]
    ms = Eightfold(MICROSOFT, api="http://127.0.0.1:9").first_request()
    assert ms.url == "http://127.0.0.1:9/careers?domain=microsoft.com"


def test_the_careers_page_names_the_api():
    _, pcsx = opened("careers_pcsx.html")
    assert pcsx.url == (
        "https://acme.eightfold.ai/api/pcsx/search?domain=acme.com&query=&location=&start=0"
    )
    assert pcsx.headers["X-CSRF-Token"] == "c5f1e7a2-6d1b-4f0e-9a44-1b2c3d4e5f60"
    _, v2 = opened("careers_smartapply.html", board=NETFLIX)
    assert v2.url == (
        "https://explore.jobs.netflix.net/api/apply/v2/jobs?domain=netflix.com&start=0&num=10"
    )
    assert "X-CSRF-Token" not in v2.headers
    source = Eightfold("acme")
    unknown = parse_page(source, b"<html><body>Careers</body></html>", NOW)
    assert unknown.next is not None and SEARCH in unknown.next.url  # the current API


def test_parses_a_pcsx_page():
    page = parse(fixture("search.json"))
    systems, intern, pm, ingenieur, security, data, odd, technician = page.postings
    assert systems.id == "1443153815000"
    assert systems.title == "Systems Engineer, Mid-level"
    assert systems.url == "https://acme.eightfold.ai/careers/job/1443153815000"
    assert systems.locations == ("Sterling, VA, US", "Denver, CO, US")
    assert (systems.department, systems.workplace) == ("Systems Engineering", "onsite")
    assert systems.posted_at == datetime(2026, 10, 5, tzinfo=UTC)
    assert systems.employment is None and systems.description_html is None  # the detail's
    assert pm.workplace == "remote"  # remote_local
    assert (ingenieur.title, ingenieur.workplace) == (
        "Ingénieur·e Logiciel – Équipe Données",
        "hybrid",  # flex_hybrid_v2
    )
    assert ingenieur.locations == ("Paris, Île-de-France, France",)  # as the tenant writes it
    assert (security.locations, security.department) == (("Berlin, BE, DE",), None)
    assert (data.workplace, data.posted_at) == ("remote", None)  # remote_global, no date
    assert data.url == "https://acme.eightfold.ai/careers/job/1443153815005"  # no positionUrl
    assert odd.title == "<img src=x onerror=alert(1)> Support Engineer"  # text, never markup
    assert (odd.workplace, intern.locations) == (None, ("High Point, NC, US",))
    assert technician.id == "1443153815009"
    assert page.next is not None and page.next.meta == {"start": 10}
    assert "start=10" in page.next.url and page.next.headers["X-CSRF-Token"]


def test_pages_end_on_an_empty_page_or_past_the_count():
    assert parse(json.dumps(search_page([1, 2, 3], 23)).encode(), start=20).next is None
    short = parse(json.dumps(search_page(list(range(7)), 23)).encode(), start=10)
    assert short.next is not None and short.next.meta == {"start": 20}  # short is not the end
    assert parse(json.dumps(search_page([], 23)).encode(), start=10).next is None
    uncounted = parse(json.dumps(search_page([1, 2], None)).encode(), start=10)
    assert uncounted.next is not None


def test_a_throttle_or_error_inside_a_200_fails_the_page():
    with pytest.raises(SourceError) as err:
        parse(fixture("throttled.json"), start=10)
    assert (err.value.kind, err.value.status) == ("http", 429)
    assert err.value.reason == "Eightfold answered status 429: Too many requests, slow down"


def test_a_wrong_domain_answers_a_web_page():
    with pytest.raises(SourceError, match=r"web page instead of JSON: is acme\.com the company"):
        parse(b"<!DOCTYPE html><html><body>Careers</body></html>")


@pytest.mark.parametrize(
    "body", [b"[]", b'{"status": 200, "data": []}', b'{"data": {"positions": {}}}', b"{}"]
)
def test_bad_pcsx_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_parses_a_smartapply_page():
    page = parse(fixture("jobs_v2.json"), page="careers_smartapply.html")
    environmental, electrician, chemist = page.postings
    assert environmental.id == "1099556324897"
    assert environmental.url == "https://acme.eightfold.ai/careers/job/1099556324897"
    assert environmental.locations == ("Kings Mountain, North Carolina, United States of America",)
    assert (environmental.department, environmental.workplace) == (
        "Health, Safety & Environment",
        "onsite",
    )
    assert environmental.posted_at == datetime(2026, 9, 24, tzinfo=UTC)
    assert electrician.title == "Industrial Electrician"  # `name` empty: the posting name
    assert electrician.locations == ("Pasadena, Texas, United States of America",)
    assert electrician.url == "https://acme.eightfold.ai/careers/job/1099556190478"
    assert (chemist.url, chemist.posted_at, chemist.workplace) == (
        "https://careers.acme.com/careers/job/1099556190999",
        None,
        "hybrid",
    )
    assert page.next is None  # 3 counted


def test_a_smartapply_refusal_is_an_error():
    with pytest.raises(SourceError, match="Eightfold refused the list: Not authorized for PCSX"):
        parse(b'{"message": "Not authorized for PCSX"}', page="careers_smartapply.html")


def test_pcsx_detail():
    source, _ = opened(api="http://127.0.0.1:9")
    listed = parse_page(source, fixture("search.json"), NOW, source._list_request(0)).postings[0]
    request = source.detail_request(listed)
    assert request is not None
    assert request.url == (
        "http://127.0.0.1:9/api/pcsx/position_details"
        "?position_id=1443153815000&domain=acme.com&hl=en"
    )
    detailed = source.parse_detail(listed, Response(200, "", fixture("position_details.json")), NOW)
    assert describe(detailed) == "Design satellite ground systems.\nPython\nClearance: Secret"
    assert detailed.employment == "full-time"
    assert (detailed.url, detailed.locations) == (listed.url, listed.locations)
    with pytest.raises(SourceError) as err:
        source.parse_detail(listed, Response(200, "", fixture("throttled.json")), NOW)
    assert err.value.status == 429


def test_smartapply_detail():
    source, _ = opened("careers_smartapply.html")
    listed = parse_page(source, fixture("jobs_v2.json"), NOW, source._list_request(0)).postings[0]
    request = source.detail_request(listed)
    assert request is not None
    assert (
        request.url == "https://acme.eightfold.ai/api/apply/v2/jobs/1099556324897?domain=acme.com"
    )
    detailed = source.parse_detail(listed, Response(200, "", fixture("job_v2.json")), NOW)
    assert describe(detailed).startswith("Be an essential element.")
    assert "Permits & audits" in describe(detailed)
    assert detailed.employment is None


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://acme.eightfold.ai/careers", "acme"),
        ("https://acme.eightfold.ai/", "acme"),
        ("https://acme.eightfold.ai/careers?query=engineer&domain=acme.com", "acme"),
        (
            "https://acme.eightfold.ai/careers?pid=1099556324897&domain=acme-corp.com",
            "acme.eightfold.ai/acme-corp.com",
        ),
        ("https://acme.eightfold.ai/careers/job/1099556324897", "acme"),
        ("https://acme.eightfold.ai/api/pcsx/search?domain=acme.com&start=10", "acme"),
        ("https://acme.eightfold.ai/api/apply/v2/jobs?domain=acme.com&num=10", "acme"),
        ("https://jobs.careers.microsoft.com/global/en/job/1782313/Software-Engineer", MICROSOFT),
        ("https://jobs.careers.microsoft.com/global/en/search?q=data", MICROSOFT),
        ("https://apply.careers.microsoft.com/careers?domain=microsoft.com&pid=1970", MICROSOFT),
        ("https://apply.careers.microsoft.com/careers/job/1970393556747831", MICROSOFT),
        ("https://explore.jobs.netflix.net/careers?query=engineer", NETFLIX),
        ("https://explore.jobs.netflix.net/careers/job/790298289882", NETFLIX),
        ("https://jobs.netflix.com/jobs/312345", NETFLIX),
        ("https://careers.qualcomm.com/careers?domain=qualcomm.com&pid=446700", None),
        ("https://careers.qualcomm.com/careers/job/446700?domain=qualcomm.com", None),
    ],
)
def test_detects_board_urls(url, board):
    found = detect_with(Eightfold, url)
    assert found is not None
    assert found.board == (board or "careers.qualcomm.com/qualcomm.com")


@pytest.mark.parametrize(
    "url",
    [
        "https://eightfold.ai/careers",
        "https://www.eightfold.ai/customers",
        "https://app.eightfold.ai/careers?domain=acme.com",
        "https://acme.eightfold.ai/login",
        "https://acme.eightfold.ai.evil.example/careers",
        "https://evil.example/acme.eightfold.ai/careers",
        "https://microsoft.com/careers",
        "https://careers.microsoft.com.evil.example/",
        "https://netflix.com/browse",
        "https://careers.acme.com/careers",
        "https://careers.acme.com/careers?domain=engineering",
        "https://careers.acme.com/jobs/123?domain=acme.com",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Eightfold, url) is None


def test_board_in_page():
    def found(page: str, url: str):
        return Eightfold.board_in_page(Response(200, url, fixture(page)))

    assert found("careers_pcsx.html", "https://careers.acme.com/careers") == (
        "careers.acme.com/acme.com"
    )
    assert found("careers_pcsx.html", "https://acme.eightfold.ai/careers?x=1") == "acme"
    assert found("careers_smartapply.html", "https://jobs.acme.com/careers") == (
        "jobs.acme.com/acme.com"
    )
    microsoft = b'<code id="pcsx-data">{&#34;domain&#34;: &#34;microsoft.com&#34;}</code>'
    page = Response(200, "https://apply.careers.microsoft.com/careers", microsoft)
    assert Eightfold.board_in_page(page) == MICROSOFT
    other = Response(200, "https://careers.acme.com/", b"<html><code id='x'>{}</code></html>")
    assert Eightfold.board_in_page(other) is None
    broken = Response(200, "https://careers.acme.com/", b'<code id="pcsx-data">{oops</code>')
    assert Eightfold.board_in_page(broken) is None


def test_real_recorded_pages():
    files = {path.name: path for path in shared("eightfold")}
    pcsx = next(p for name, p in files.items() if name.startswith("pcsx_search"))
    data = json.loads(pcsx.read_bytes())["data"]
    page = parse(pcsx.read_bytes())
    assert [p.id for p in page.postings] == [str(row["id"]) for row in data["positions"]]
    assert [p.title for p in page.postings] == [row["name"] for row in data["positions"]]
    assert page.postings[0].locations == ("Sterling, VA, US", "Denver, CO, US")
    assert [p.workplace for p in page.postings] == ["onsite", "onsite", "remote"]
    assert page.next is not None and page.next.meta == {"start": 10}  # 1758 counted

    listed = next(
        p for name, p in files.items() if name.endswith("_jobs__Aaronearlerichardson.json")
    )
    source, _ = opened("careers_smartapply.html", board="albemarle")
    v2 = parse_page(source, listed.read_bytes(), NOW, source._list_request(0))
    assert [p.title for p in v2.postings] == [
        "Environmental Professional",
        "Industrial Electrician",
    ]
    assert v2.postings[0].url == "https://albemarle.eightfold.ai/careers/job/1099556324897"
    assert v2.postings[0].department == "Health, Safety & Environment"
    assert v2.next is not None  # 59 counted
    detail = next(p for name, p in files.items() if "job_detail" in name)
    enriched = source.parse_detail(v2.postings[0], Response(200, "", detail.read_bytes()), NOW)
    assert "Be an essential element to a brighter future." in describe(enriched)


def _serve_pcsx(server, pages: dict[int, list[int]], count: int, careers: bytes | None = None):
    server.routes["/careers"] = Reply(200, careers or fixture("careers_pcsx.html"))

    def search(seen: Seen) -> Reply:
        start = int(parse_qs(urlsplit(seen.path).query)["start"][0])
        return Reply(200, search_page(pages.get(start, []), count))

    def details(seen: Seen) -> Reply:
        position = parse_qs(urlsplit(seen.path).query)["position_id"][0]
        text = "Kubernetes on call" if position == "7" else "Spreadsheets"
        body = {"status": 200, "data": {"id": int(position), "jobDescription": f"<p>{text}</p>"}}
        return Reply(200, body)

    server.routes[SEARCH] = search
    server.routes[DETAILS] = details


def test_reads_every_page_dedupes_shifted_positions_and_reads_details(server):
    # a posting went up while paging: two of page 1 show again on page 2
    _serve_pcsx(server, {0: list(range(10)), 10: [8, 9, *range(10, 18)], 20: [18, 19, 20]}, 21)
    result = read_board_over_http(Eightfold("acme", api=server.url), NOW)
    assert result.pages == 4  # the careers page and three pages
    assert sorted(int(p.id) for p in result.postings) == list(range(21))
    starts = [parse_qs(urlsplit(s.path).query)["start"][0] for s in server.requests_to(SEARCH)]
    assert starts == ["0", "10", "20"]
    assert all(s.headers.get("x-csrf-token") for s in server.requests_to(SEARCH))
    assert len(server.requests_to(DETAILS)) == 21 and result.details_failed == 0
    assert describe(next(p for p in result.postings if p.id == "7")) == "Kubernetes on call"


def test_a_throttled_page_is_waited_for(server):
    _serve_pcsx(server, {0: list(range(10)), 10: [10, 11]}, 12)
    ok = server.routes[SEARCH]
    throttled = iter([True])

    def once(seen: Seen) -> Reply:
        if "start=10" in seen.path and next(throttled, False):
            return Reply(429, {"message": "slow down"}, {"Retry-After": "0"})
        return ok(seen)

    server.routes[SEARCH] = once
    result = read_board_over_http(Eightfold("acme", api=server.url), NOW)
    assert len(result.postings) == 12
    assert len(server.requests_to(SEARCH)) == 3


@pytest.mark.parametrize(
    "throttle",
    [
        Reply(429, {"message": "slow down"}, {"Retry-After": "0"}),
        Reply(200, json.loads(fixture("throttled.json"))),
    ],
)
def test_a_page_that_stays_throttled_fails_the_read(server, throttle):
    _serve_pcsx(server, {0: list(range(10)), 10: [10, 11]}, 12)
    ok = server.routes[SEARCH]
    server.routes[SEARCH] = lambda seen: throttle if "start=10" in seen.path else ok(seen)
    with pytest.raises(SourceError) as err:
        read_board_over_http(Eightfold("acme", api=server.url), NOW)
    assert "429" in err.value.reason


def _serve_smartapply(server, positions: list[dict]):
    server.routes["/careers"] = Reply(200, fixture("careers_smartapply.html"))

    def jobs(seen: Seen) -> Reply:
        start = int(parse_qs(urlsplit(seen.path).query)["start"][0])
        return Reply(200, {"positions": positions[start : start + 10], "count": len(positions)})

    def job(seen: Seen) -> Reply:
        position = urlsplit(seen.path).path.rsplit("/", 1)[1]
        return Reply(200, {"id": int(position), "job_description": "<p>Forklifts</p>"})

    server.routes[V2] = jobs
    for row in positions:
        server.routes[f"{V2}/{row['id']}"] = job


def test_reads_a_smartapply_board(server):
    positions = [{"id": i, "name": f"Operator {i}", "location": "Reno, NV"} for i in range(12)]
    _serve_smartapply(server, positions)
    result = read_board_over_http(Eightfold("acme", api=server.url), NOW)
    assert sorted(int(p.id) for p in result.postings) == list(range(12))
    assert server.requests_to(SEARCH) == []  # never asked the API it does not serve
    assert len(server.requests_to(V2)) == 2 and result.details_failed == 0
    assert all(describe(p) == "Forklifts" for p in result.postings)


def test_microsoft_and_netflix_boards_validate_and_check_end_to_end(tmp_path, server, receiver):
    # Microsoft on PCSX, Netflix on SmartApply: the careers page says which
    pcsx = {0: list(range(10)), 10: [10, 11, 12]}
    _serve_pcsx(server, pcsx, 13)
    microsoft_page = server.routes.pop("/careers")
    server.routes["/careers?domain=microsoft.com"] = microsoft_page
    netflix = [
        {"id": 900 + i, "name": f"Producer {i}", "location": "Los Gatos, CA"} for i in range(4)
    ]
    _serve_smartapply(server, netflix)
    server.routes["/careers?domain=netflix.com"] = server.routes.pop("/careers")
    project = Project(tmp_path, server, receiver)
    project.sites(
        {"name": "Microsoft", "eightfold": MICROSOFT},
        {"name": "Netflix", "eightfold": NETFLIX},
    )
    assert project.run("validate").exit_code == 0
    result = project.run("check")
    assert result.exit_code == 0, result.output
    stored = project.list()
    by_site = {
        site: sorted(p["id"] for p in stored if p["site"] == site)
        for site in ("Microsoft", "Netflix")
    }
    assert by_site["Microsoft"] == sorted(str(i) for i in range(13))
    assert by_site["Netflix"] == [str(900 + i) for i in range(4)]
    urls = {p["url"] for p in stored}
    assert "https://apply.careers.microsoft.com/careers/job/7" in urls
    assert "https://explore.jobs.netflix.net/careers/job/900" in urls
    assert receiver.messages == []  # the silent baseline

    _serve_pcsx(server, {0: [*range(10)], 10: [10, 11, 12, 13]}, 14)
    server.routes["/careers?domain=microsoft.com"] = server.routes.pop("/careers")
    again = project.run("check")
    assert again.exit_code == 0, again.output
    messages = receiver.wait_for(1)
    assert len(messages) == 1 and "Engineer 13" in messages[0]["message"]


def test_a_page_that_only_mentions_eightfold_is_not_its_careers_page():
    widget = b'<script>window._EF_GROUP_ID = "acme.com";</script><script src="https://acme.eightfold.ai/w.js">'
    assert Eightfold.board_in_page(Response(200, "https://www.acme.com/careers", widget)) is None
