import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import FIXTURES, shared
from tests.helpers import Project
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_over_http
from watcher.model import Request, SourceError
from watcher.sources import detect_with
from watcher.sources.amazon import PAGE, SERVED, Amazon
from watcher.sources.search import SearchBoard
from watcher.text import describe

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
SEARCH = {"query": "software engineer", "location": "Berlin, Germany"}
PATH = "/en/search.json"


def parse(body: bytes, request: Request | None = None, board: object = "all"):
    return parse_page(Amazon(board), body, NOW, request)


def fixture() -> bytes:
    return (FIXTURES / "amazon" / "search.json").read_bytes()


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def job(n: int, title: str = "Engineer") -> dict:
    return {
        "id_icims": str(n),
        "title": f"{title} {n}",
        "job_path": f"/en/jobs/{n}/{title.lower().replace(' ', '-')}-{n}",
        "normalized_location": "Berlin, Berlin, DEU",
        "posted_date": "November 20, 2026",
    }


def test_boards_and_display():
    assert Amazon("all").board == SearchBoard() and Amazon("all").display() == "all"
    source = Amazon(SEARCH)
    assert source.display() == "software engineer in Berlin, Germany"
    with pytest.raises(ValueError, match="team"):
        Amazon({"query": "x", "team": "aws"})
    with pytest.raises(ValueError, match="must be `all` or a search"):
        Amazon("everything")


def test_search_request_and_api_rebase():
    first = Amazon(SEARCH).first_request()
    assert first.url.startswith("https://www.amazon.jobs/en/search.json?")
    assert params(first.url) == {
        "base_query": ["software engineer"],
        "loc_query": ["Berlin, Germany"],
        "offset": ["0"],
        "result_limit": ["100"],
        "sort": ["recent"],
    }
    assert params(Amazon("all").first_request().url)["base_query"] == [""]
    local = Amazon(SEARCH, api="http://127.0.0.1:9/amz").first_request().url
    assert local.startswith("http://127.0.0.1:9/amz/en/search.json?base_query=software%20engineer")


def test_parses_own_page():
    page = parse(fixture())
    assert page.next is None  # hits 3, all of them here
    first, remote, sf = page.postings
    assert first.id == "3000001"
    assert first.title == "Software Development Engineer, Acme Logistics"
    assert first.url == (
        "https://www.amazon.jobs/en/jobs/3000001/software-development-engineer-acme-logistics"
    )
    assert first.locations == ("Berlin, Berlin, DEU", "Munich, Bavaria, DEU")
    assert first.department == "Software Development"
    assert first.team == "Acme Logistics Tech"
    assert first.employment == "full-time"
    assert first.workplace is None
    assert first.posted_at == datetime(2026, 11, 8, tzinfo=UTC)  # "November  8, 2026"
    text = describe(first)
    assert "Build the systems that move parcels." in text
    assert "Basic qualifications\n" in text and "Experience programming with Java" in text
    assert "Master's degree" in text

    assert remote.workplace == "remote" and remote.employment == "part-time"
    assert remote.locations == ("Virtual Location - Germany",)
    assert "Basic qualifications" not in describe(remote)  # empty sections are left out

    assert sf.id == "SF260119787"  # no id_icims: the id the posting path names
    assert sf.url == "https://www.amazon.jobs/en/jobs/SF260119787/warehouse-operative"
    assert sf.locations == ("Rochester, England, GBR",)
    assert sf.posted_at is None and sf.description_html is None


def test_item_ids_match_the_built_postings():
    source = Amazon("all")
    rows = json.loads(fixture())["jobs"]
    assert [source.item_id(r) for r in rows] == [p.id for p in parse(fixture()).postings]


def test_pages_until_hits():
    source = Amazon(SEARCH)
    body = {"hits": 250, "jobs": [job(i) for i in range(PAGE)]}
    page = parse(json.dumps(body).encode(), board=SEARCH)
    assert page.next is not None and params(page.next.url)["offset"] == ["100"]
    assert params(page.next.url)["base_query"] == ["software engineer"]
    last = source._page(200)
    tail = parse(json.dumps({"hits": 250, "jobs": [job(i) for i in range(50)]}).encode(), last)
    assert tail.next is None


def test_a_search_at_what_amazon_serves_asks_on():
    """`hits` stops at 10,000: the source never takes that for the end."""
    request = Amazon("all")._page(SERVED - PAGE)
    rows = [job(i) for i in range(PAGE)]
    page = parse(json.dumps({"hits": SERVED, "jobs": rows}).encode(), request)
    assert page.next is not None and params(page.next.url)["offset"] == [str(SERVED)]


def test_the_cap_stays_within_what_amazon_serves():
    assert Amazon.max_pages * PAGE <= SERVED


@pytest.mark.parametrize(
    "body", [b'{"hits": 0, "jobs": []}', b'{"error": null, "hits": 0, "jobs": null}']
)
def test_empty_search(body):
    page = parse(body)
    assert page.postings == [] and page.next is None


def test_amazon_error_is_a_source_error():
    body = b'{"error": "Cannot return more than 10000 results at once", "jobs": null}'
    with pytest.raises(SourceError, match="Cannot return more than 10000") as caught:
        parse(body)
    assert caught.value.kind == "http"


def test_server_busy_page_is_told_as_such():
    body = b"<!doctype html><html><head><title>Server Busy</title></head><body>captcha</body>"
    with pytest.raises(SourceError, match="Server Busy"):
        parse(body)


@pytest.mark.parametrize("body", [b"[]", b'{"jobs": {}}', b'{"jobs": "x"}', b"<html>", b""])
def test_bad_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as caught:
        parse(body)
    assert caught.value.kind == "parse"


def test_real_recorded_search():
    for path in shared("amazon"):
        data = json.loads(path.read_bytes())
        page = parse(path.read_bytes())
        assert page.next is None  # hits 2, both here
        assert [p.id for p in page.postings] == [j["id_icims"] for j in data["jobs"]]
        for posting, row in zip(page.postings, data["jobs"], strict=True):
            assert posting.title == row["title"].strip()
            assert posting.url == "https://www.amazon.jobs" + row["job_path"]
            assert posting.locations == (row["normalized_location"],)
            assert posting.department == row["job_category"]
            assert posting.posted_at == datetime(2026, 8, 20, tzinfo=UTC)
            assert "Basic qualifications" in describe(posting)


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://www.amazon.jobs/en/jobs/10509450/process-assistant", SearchBoard()),
        ("https://amazon.jobs/de/jobs/10509450", SearchBoard()),
        ("https://www.amazon.jobs/en-gb/jobs/SF260119787/warehouse-operative", SearchBoard()),
        ("https://account.amazon.jobs/jobs/10477971/apply", SearchBoard()),
        ("https://www.amazon.jobs/en/search", SearchBoard()),
        (
            "https://www.amazon.jobs/en/search?base_query=software+engineer&loc_query=Berlin%2C+"
            "Germany&country=DEU&latitude=52.5&longitude=13.4",
            SearchBoard(query="software engineer", location="Berlin, Germany"),
        ),
        (
            "https://www.amazon.jobs/en/search.json?base_query=&loc_query=India&offset=0",
            SearchBoard(location="India"),
        ),
    ],
)
def test_detects_urls(url, board):
    found = detect_with(Amazon, url)
    assert found is not None and found.board == board


@pytest.mark.parametrize(
    "url",
    [
        "https://www.amazon.jobs/en/",
        "https://www.amazon.jobs/en/teams/aws",
        "https://www.amazon.jobs/en/business_categories/retail",
        "https://www.amazon.com/jobs/123",
        "https://notamazon.jobs/en/jobs/123",
        "https://amazon.jobs.example.com/en/jobs/123",
        "https://www.amazon.jobs/en/searchfoo?base_query=x",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Amazon, url) is None


def _serve(server, total: int, reported: int | None = None, first: int = 0) -> None:
    """A search of `total` postings (ids from `first`); `hits` says `reported` (default total)."""
    hits = total if reported is None else reported

    def search(seen):
        offset = int(params(seen.path)["offset"][0])
        ids = range(first + offset, first + min(offset + PAGE, total))
        return Reply(200, {"error": None, "hits": hits, "jobs": [job(i) for i in ids]})

    server.routes[PATH] = search


def test_reads_pages_over_http(server):
    _serve(server, 230)
    read_ = read_over_http(Amazon(SEARCH, api=server.url), NOW)
    offsets = [params(s.path)["offset"][0] for s in server.requests_to(PATH)]
    assert offsets == ["0", "100", "200"]
    assert read_.pages == 3 and not read_.truncated
    assert [p.id for p in read_.postings] == [str(i) for i in range(230)]


def test_a_search_past_what_can_be_read_is_truncated(server):
    _serve(server, 25_000, reported=SERVED)
    read_ = read_over_http(Amazon("all", api=server.url), NOW)
    assert read_.truncated and read_.pages == Amazon.max_pages
    assert len(read_.postings) == Amazon.max_pages * PAGE


def test_watcher_check_end_to_end(tmp_path, server, receiver):
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Amazon", "amazon": SEARCH})
    server.routes[PATH] = Reply(200, fixture())
    result = project.run("check")
    assert result.exit_code == 0, result.output
    assert "now watching 3 openings" in result.output
    assert {r["id"] for r in project.list()} == {"3000001", "3000002", "SF260119787"}
    assert receiver.messages == []
    sent = server.requests_to(PATH)[0]
    assert params(sent.path)["base_query"] == ["software engineer"]
    assert params(sent.path)["loc_query"] == ["Berlin, Germany"]

    board = json.loads(fixture())
    board["jobs"].append(job(4000001, "Data Engineer"))
    board["hits"] = 4
    server.routes[PATH] = Reply(200, board)
    result = project.run("check")
    assert result.exit_code == 0, result.output
    (message,) = receiver.wait_for(1)
    assert "Data Engineer 4000001" in message["message"]
    assert "https://www.amazon.jobs/en/jobs/4000001/data-engineer-4000001" in message["message"]


def test_a_truncated_read_closes_nothing(tmp_path, server, receiver):
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Amazon", "amazon": "all"})
    _serve(server, 30)
    assert project.run("check").exit_code == 0
    assert len(project.list()) == 30
    # Now Amazon stops counting: the first 2,000 are all new ones, the 30 fall past the cap.
    _serve(server, 25_000, reported=SERVED, first=100_000)
    for _ in range(3):
        assert project.run("check").exit_code == 0
    rows = project.list("--status", "all")
    assert len(rows) == 30 + Amazon.max_pages * PAGE
    assert {r["status"] for r in rows if int(r["id"]) < 30} == {"open"}
