import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.helpers import Project
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_over_http
from watcher.model import Request, SourceError
from watcher.sources import detect_with
from watcher.sources.bytedance import LIMIT, ByteDance, TikTok
from watcher.sources.search import SearchBoard
from watcher.text import describe

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
SEARCH = "/api/v1/public/supplier/search/job/posts"
FILTERS = "/api/v1/public/supplier/config/job/filters"


def fixture(name: str, platform: str = "tiktok") -> bytes:
    return (FIXTURES / platform / f"{name}.json").read_bytes()


def parse(body: bytes, request: Request | None = None, board: object = "all", source=TikTok):
    return parse_page(source(board), body, NOW, request)


def row(n: int, title: str = "Engineer") -> dict:
    return {
        "id": str(n),
        "title": f"{title} {n}",
        "description": "Build things.",
        "requirement": "Go.",
        "city_info": {"code": "CT_1103", "en_name": "London", "parent": None},
    }


def test_requests_of_both_boards():
    first = TikTok("all").first_request()
    assert first.url == f"https://api.lifeattiktok.com{SEARCH}"
    assert first.method == "POST"
    assert first.headers["website-path"] == "tiktok"
    assert first.headers["Accept-Language"] == "en-US"
    assert first.json == {
        "keyword": "",
        "limit": LIMIT,
        "offset": 0,
        "recruitment_id_list": [],
        "job_category_id_list": [],
        "subject_id_list": [],
        "location_code_list": [],
    }
    bytedance = ByteDance({"query": " backend "}).first_request()
    assert bytedance.url == f"https://jobs.bytedance.com{SEARCH}"
    assert bytedance.headers["website-path"] == "en"
    assert bytedance.json["keyword"] == "backend"
    rebased = TikTok("all", api="http://127.0.0.1:8000/tt").first_request()
    assert rebased.url == f"http://127.0.0.1:8000/tt{SEARCH}"


def test_location_codes_are_sent_as_written():
    request = TikTok({"query": "sre", "location": "ct_243, CT_94"}).first_request()
    assert request.json["location_code_list"] == ["CT_243", "CT_94"]
    assert not request.meta.get("preamble")


def test_a_place_name_is_looked_up_in_the_site_filters():
    source = TikTok({"query": "backend", "location": "California"})
    preamble = source.first_request()
    assert preamble.url == f"https://api.lifeattiktok.com{FILTERS}"
    assert preamble.method == "POST" and preamble.json == {}
    assert preamble.meta["preamble"] and preamble.headers["website-path"] == "tiktok"
    page = parse_page(source, fixture("filters"), NOW, preamble)
    assert page.postings == [] and page.next is not None
    assert page.next.url == f"https://api.lifeattiktok.com{SEARCH}"
    assert page.next.json["location_code_list"] == ["CT_1103355", "CT_94"]  # San Jose, LA
    assert page.next.json["keyword"] == "backend"
    assert not page.next.meta.get("preamble")


@pytest.mark.parametrize(
    ("location", "codes"),
    [
        ("London", ["CT_1103"]),
        ("london, united kingdom", ["CT_1103"]),
        ("United States of America", ["CT_1103355", "CT_94"]),
        ("San Jose", ["CT_1103355"]),
        ("Singapore", ["CT_163"]),
        ("los angeles, California", ["CT_94"]),
    ],
)
def test_place_names_match_words_of_the_city_state_or_country(location, codes):
    source = TikTok({"location": location})
    page = parse_page(source, fixture("filters"), NOW, source.first_request())
    assert page.next is not None
    assert page.next.json["location_code_list"] == codes


@pytest.mark.parametrize("location", ["Londonderry", "Jos", "Paris", "London, France"])
def test_a_place_the_site_does_not_list_is_a_clear_error(location):
    source = TikTok({"location": location})
    with pytest.raises(SourceError) as err:
        parse_page(source, fixture("filters"), NOW, source.first_request())
    assert err.value.kind == "not_found"
    assert "TikTok lists no city matching" in err.value.reason and location in err.value.reason


def test_filters_as_a_tree_of_children():
    tree = {
        "code": 0,
        "data": {
            "city_list": [
                {
                    "code": "CN_28",
                    "en_name": "United Kingdom",
                    "children": [
                        {
                            "code": "ST_1",
                            "en_name": "England",
                            "children": [
                                {"code": "CT_1", "en_name": "London"},
                                {"code": "CT_2", "en_name": "Manchester"},
                            ],
                        }
                    ],
                },
                {"code": "CN_6", "en_name": "United States of America", "children": []},
            ]
        },
    }
    source = ByteDance({"location": "United Kingdom"})
    page = parse_page(source, json.dumps(tree).encode(), NOW, source.first_request())
    assert page.next is not None
    assert sorted(page.next.json["location_code_list"]) == ["CT_1", "CT_2"]


def test_parses_a_page_and_asks_for_the_next():
    page = parse(fixture("search_first"))
    first, second = page.postings
    assert first.id == "7400000000000000001"
    assert first.title == "Backend Engineer - Trust and Safety"
    assert first.url == "https://lifeattiktok.com/search/7400000000000000001"
    assert first.locations == ("London, England, United Kingdom",)
    assert (first.department, first.team) == ("R&D", None)
    assert first.employment == "full-time"  # "Regular"
    assert first.posted_at is None  # no row says when it was posted
    # plain text kept as it is: "<a-frame>" is a framework's name, not markup
    assert "<a-frame> scenes" in describe(first)
    assert describe(first).endswith("Minimum Qualifications\n- 3+ years of Go or Python")
    assert second.employment == "intern"
    assert second.locations == ("San Jose, California, United States of America",)
    assert page.next is not None
    assert page.next.json["offset"] == 2 and page.next.meta["offset"] == 2


def test_stops_at_the_count_on_an_empty_page_and_without_a_count():
    source = TikTok("all")
    last = parse_page(source, fixture("search_last"), NOW, source._search(2, ()))
    assert [p.title for p in last.postings] == ["Data Scientist, Ads Measurement"]
    assert last.next is None  # 3 of 3
    empty = parse(fixture("search_empty"))
    assert empty.postings == [] and empty.next is None
    uncounted = {"code": 0, "data": {"job_post_list": [row(1)]}}
    assert parse(json.dumps(uncounted).encode()).next is not None
    none = {"code": 0, "data": {"job_post_list": None, "count": 0}}
    assert parse(json.dumps(none).encode()).postings == []


def test_the_location_codes_follow_every_page():
    source = TikTok({"location": "CT_94"})
    page = parse_page(source, fixture("search_first"), NOW)
    assert page.next is not None and page.next.json["location_code_list"] == ["CT_94"]


def test_bytedance_board():
    page = parse(fixture("search", "bytedance"), source=ByteDance)
    research, design = page.postings
    assert research.url == "https://jobs.bytedance.com/en/position/7400000000000000011/detail"
    assert research.locations == (
        "San Jose, California, United States of America",
        "Seattle, Washington, United States of America",
    )
    assert (design.department, design.team) == ("R&D", "Hardware")
    assert design.compensation is not None
    assert (design.compensation.min, design.compensation.max) == (120000, 180000)
    assert design.compensation.currency == "SGD"
    assert design.posted_at == datetime(2026, 11, 18, 11, 6, 40, tzinfo=UTC)  # epoch ms
    assert page.next is None


def test_an_error_in_an_http_200_fails_the_read():
    with pytest.raises(SourceError) as err:
        parse(fixture("error_as_200"))
    assert err.value.reason == "TikTok refused the search: params is invalid (code -4000001)"
    assert err.value.kind == "http"
    hostile = {"code": 5, "message": "line one\nline two " + "x" * 500}
    with pytest.raises(SourceError) as err:
        parse(json.dumps(hostile).encode(), source=ByteDance)
    assert "\n" not in err.value.reason and len(err.value.reason) < 260


@pytest.mark.parametrize(
    "body",
    [
        b"<html>503 Service Temporarily Unavailable</html>",
        b"[]",
        b'{"code": 0, "data": []}',
        b'{"code": 0, "data": {"job_post_list": {"id": "1"}}}',
        b'{"code": 0}',
    ],
)
def test_a_changed_shape_is_a_parse_error(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_filters_of_a_changed_shape_are_a_parse_error():
    source = TikTok({"location": "London"})
    with pytest.raises(SourceError) as err:
        parse_page(source, b'{"code": 0, "data": {"cities": []}}', NOW, source.first_request())
    assert err.value.kind == "parse"


def test_rows_without_an_id_or_a_title_are_skipped():
    rows = [row(1), {"id": "2", "title": "  "}, {"title": "No id"}, "junk", {"id": 3, "title": "3"}]
    page = parse(json.dumps({"code": 0, "data": {"job_post_list": rows, "count": 9}}).encode())
    assert [p.id for p in page.postings] == ["1", "3"]


def test_real_recorded_bytedance_page():
    for path in shared("tiktok"):
        data = json.loads(path.read_bytes())
        page = parse(path.read_bytes(), source=ByteDance)
        rows = data["data"]["job_post_list"]
        assert [p.id for p in page.postings] == [r["id"] for r in rows]
        assert [p.title for p in page.postings] == [r["title"] for r in rows]
        first = page.postings[0]
        assert first.url == f"https://jobs.bytedance.com/en/position/{rows[0]['id']}/detail"
        assert first.locations == ("San Jose, California, United States of America",)
        assert first.department == "R&D" and first.employment == "full-time"
        assert page.postings[1].employment == "intern"
        assert page.postings[2].locations == ("Singapore",)  # named once, not three times
        assert describe(first).startswith("About the Team")
        assert "Minimum Qualifications" in describe(first)
        assert page.next is not None and page.next.json["offset"] == len(rows)  # of 1395


@pytest.mark.parametrize(
    ("source", "url", "board"),
    [
        (TikTok, "https://lifeattiktok.com/search/7412345678901234567", SearchBoard()),
        (TikTok, "lifeattiktok.com/search/7412345678901234567?spread=X", SearchBoard()),
        (TikTok, "https://lifeattiktok.com/search", SearchBoard()),
        (
            TikTok,
            "https://lifeattiktok.com/search?keyword=backend&location_code_list=CT_243,CT_94"
            "&recruitment_id_list=&limit=12&offset=0",
            SearchBoard(query="backend", location="CT_243, CT_94"),
        ),
        (TikTok, "https://careers.tiktok.com/position/7123/detail", SearchBoard()),
        (
            TikTok,
            "https://careers.tiktok.com/position?keywords=data%20engineer&location=CT_163",
            SearchBoard(query="data engineer", location="CT_163"),
        ),
        (TikTok, f"https://api.lifeattiktok.com{SEARCH}", SearchBoard()),
        (ByteDance, "https://jobs.bytedance.com/en/position/7412345/detail", SearchBoard()),
        (
            ByteDance,
            "https://jobs.bytedance.com/en/position?keywords=infra&location=CT_157",
            SearchBoard(query="infra", location="CT_157"),
        ),
        (ByteDance, "https://joinbytedance.com/search/7412345", SearchBoard()),
        (ByteDance, "https://joinbytedance.com/search?keyword=seed", SearchBoard(query="seed")),
        (ByteDance, f"https://jobs.bytedance.com{SEARCH}", SearchBoard()),
    ],
)
def test_detects_links(source, url, board):
    found = detect_with(source, url)
    assert found is not None and found.board == board


@pytest.mark.parametrize(
    "url",
    [
        "https://lifeattiktok.com/",
        "https://lifeattiktok.com/life",
        "https://lifeattiktok.com/search/backend",
        "https://www.tiktok.com/@acme",
        "https://lifeattiktok.com.evil.example/search/123",
        "https://jobs.bytedance.com/campus/position/7123/detail",
        "https://jobs.bytedance.com/experienced/position?keywords=x",
        "https://www.bytedance.com/en/",
    ],
)
def test_ignores_other_links(url):
    assert detect_with(TikTok, url) is None and detect_with(ByteDance, url) is None


def _serve_board(server, total: int, title: str = "Engineer") -> None:
    def search(seen):
        asked = seen.json()
        assert seen.headers["website-path"] == "tiktok"
        offset, limit = asked["offset"], asked["limit"]
        rows = [row(n, title) for n in range(offset, min(offset + limit, total))]
        return Reply(
            200, {"code": 0, "message": "ok", "data": {"job_post_list": rows, "count": total}}
        )

    server.routes[SEARCH] = search


def test_reads_every_page_over_http(server):
    _serve_board(server, 250)
    read = read_over_http(TikTok("all", api=server.url), NOW)
    assert read.pages == 3 and not read.truncated
    assert len(read.postings) == 250
    assert [s.json()["offset"] for s in server.requests_to(SEARCH)] == [0, 100, 200]


def test_all_stops_at_the_search_window(server):
    _serve_board(server, 25_000)
    read = read_over_http(TikTok("all", api=server.url), NOW)
    assert read.truncated and read.pages == TikTok.max_pages == 100
    assert len(read.postings) == 10_000


def test_watcher_check_end_to_end(tmp_path, server, receiver):
    server.routes[FILTERS] = Reply(200, fixture("filters"))
    pages = [json.loads(fixture("search_first")), json.loads(fixture("search_last"))]

    def search(seen):
        asked = seen.json()
        assert asked["location_code_list"] == ["CT_1103"] and asked["keyword"] == "backend"
        return Reply(200, pages[0] if asked["offset"] == 0 else pages[1])

    server.routes[SEARCH] = search
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "TikTok", "tiktok": {"query": "backend", "location": "London"}})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    assert "now watching 3 openings" in result.output
    assert receiver.messages == []
    assert len(server.requests_to(FILTERS)) == 1
    assert [s.json()["offset"] for s in server.requests_to(SEARCH)] == [0, 2]

    pages[1]["data"]["job_post_list"].append(row(4, "Site Reliability Engineer"))
    pages[1]["data"]["count"] = 4
    result = project.run("check")
    assert result.exit_code == 0, result.output
    (message,) = receiver.wait_for(1)
    assert "Site Reliability Engineer 4" in message["message"]
    assert "https://lifeattiktok.com/search/4" in message["message"]
    stored = {r["id"]: r for r in project.list()}
    assert stored["7400000000000000001"]["location"] == "London, England, United Kingdom"


def test_watcher_check_reports_the_site_error(tmp_path, server):
    server.routes[SEARCH] = Reply(200, fixture("error_as_200"))
    project = Project(tmp_path, server)
    project.sites({"name": "ByteDance", "bytedance": "all"})
    result = project.run("check")
    assert result.exit_code == 3
    assert "ByteDance refused the search: params is invalid (code -4000001)" in result.output
    assert project.list() == []
