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
from watcher.sources.google import Google, results_data
from watcher.sources.search import SearchBoard
from watcher.text import describe

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
SEARCH = {"query": "software engineer", "location": "Zürich, Switzerland"}
PATH = "/about/careers/applications/jobs/results"
JOB = "https://www.google.com/about/careers/applications/jobs/results/"


def fixture(name: str) -> bytes:
    return (FIXTURES / "google" / f"{name}.html").read_bytes()


def parse(body: bytes, request: Request | None = None, board: object = "all"):
    return parse_page(Google(board), body, NOW, request)


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def results_page(data: str, key: str = "key: 'ds:1', hash: '2'") -> bytes:
    """A results page around a `data:` literal written as given."""
    return (
        "<html><head><script>AF_initDataCallback({key: 'ds:0', hash: '1', data:[1], "
        "sideChannel: {}});</script></head><body><h2>Jobs</h2>"
        f"<script>AF_initDataCallback({{{key}, data:{data}, sideChannel: {{}}}});</script>"
        "</body></html>"
    ).encode()


def records() -> list:
    """The records of the first page, as the page carries them."""
    return results_data(fixture("results_p1").decode())[0]


def with_record(change) -> bytes:
    rows = records()
    change(rows[0])
    return results_page(json.dumps([rows, None, 23, 20]))


def test_search_request_and_api_rebase():
    first = Google(SEARCH).first_request()
    assert first.url.startswith(f"https://www.google.com{PATH}?")
    assert params(first.url) == {
        "q": ["software engineer"],
        "location": ["Zürich, Switzerland"],
        "sort_by": ["date"],
        "page": ["1"],
    }
    assert params(Google("all").first_request().url) == {"sort_by": ["date"], "page": ["1"]}
    local = Google(SEARCH, api="http://127.0.0.1:9").first_request().url
    assert local.startswith(f"http://127.0.0.1:9{PATH}?q=software%20engineer&location=Z%C3%BCrich")
    assert Google(SEARCH).display() == "software engineer in Zürich, Switzerland"


def test_parses_own_page():
    page = parse(fixture("results_p1"))
    assert len(page.postings) == 20
    first, second, youtube = page.postings[:3]
    assert first.id == "170000000000000000"
    assert first.title == "Software Engineer, Storage"
    assert first.url == JOB + "170000000000000000-software-engineer-storage"
    assert first.locations == ("Zürich, Switzerland", "Munich, Germany")
    assert first.department == "Google"
    assert first.posted_at == datetime(2026, 11, 15, 0, 0, tzinfo=UTC)
    text = describe(first)
    assert text.index("About the job") < text.index("Responsibilities")
    assert text.index("Responsibilities") < text.index("Minimum qualifications:")
    assert 'Experience with "distributed" systems & storage.' in text  # \u0026, \u003c read
    assert "About the job" not in describe(second)  # an empty section is left out
    assert youtube.department == "YouTube" and youtube.locations == ("Mountain View, CA, USA",)


def test_pages_until_a_short_page():
    source = Google(SEARCH)
    page = parse(fixture("results_p1"), board=SEARCH)
    assert page.next is not None and params(page.next.url)["page"] == ["2"]
    assert params(page.next.url)["q"] == ["software engineer"]
    last = parse_page(source, fixture("results_p2"), NOW, page.next)
    assert len(last.postings) == 3 and last.next is None


def test_a_full_page_asks_on_even_past_the_stated_total():
    """Google's total drifts while the board moves: a full page is never the end."""
    body = results_page(json.dumps([records(), None, 20, 20]))
    assert parse(body).next is not None


@pytest.mark.parametrize(
    "data",
    ["[null,null,0,20]", "[[],null,0,20]", "[]", "[null]"],
    ids=["null", "list", "bare", "one"],
)
def test_empty_results(data):
    page = parse(results_page(data))
    assert page.postings == [] and page.next is None


def test_empty_results_page_file():
    page = parse(fixture("results_empty"))
    assert page.postings == [] and page.next is None


def test_js_quoting_is_read():
    """Strings in single quotes and JS escapes (`\\x3c`, `\\'`) are JS, not JSON."""
    rows = records()[:1]
    literal = json.dumps([rows, None, 1, 20], ensure_ascii=False)
    title = json.dumps(rows[0][1])
    literal = literal.replace(title, "'Software Engineer, Storage \\x26 \\'Backup\\''", 1)
    literal = literal.replace('"<ul>', '"\\x3cul>')
    body = results_page(literal, key='isError: false, key: "ds:1", hash: "2"')
    (posting,) = parse(body).postings
    assert posting.title == "Software Engineer, Storage & 'Backup'"
    assert posting.url == JOB + "170000000000000000-software-engineer-storage-backup"
    assert "Design and build storage" in describe(posting)


def test_brackets_inside_strings_do_not_end_the_array():
    rows = records()[:1]
    rows[0][1] = "Engineer [Data] {Infra}]"
    (posting,) = parse(results_page(json.dumps([rows, None, 1, 20]))).postings
    assert posting.title == "Engineer [Data] {Infra}]"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: r.__setitem__(0, "abc"), "place 0, not a numeric id"),
        (lambda r: r.__setitem__(0, 170000000000000000), "int at place 0"),
        (lambda r: r.__setitem__(1, ["Engineer"]), "list at place 1"),
        (lambda r: r.__setitem__(9, "Zürich"), "str at place 9, not a list of locations"),
        (lambda r: r.__setitem__(9, [[None, []]]), "place 9"),
        (lambda r: r.__setitem__(4, "<h3>Minimum</h3>"), "str at place 4"),
        (lambda r: r.__setitem__(12, "2026-11-15"), "place 12"),
        (lambda r: r.__delitem__(slice(5, None)), "not the 21-place array (5)"),
    ],
)
def test_a_changed_record_fails_the_read_with_its_reason(change, reason):
    with pytest.raises(SourceError, match="Google's results changed shape") as caught:
        parse(with_record(change))
    assert reason in caught.value.reason and caught.value.kind == "parse"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html><body>Sorry, something went wrong</body></html>", "no ds:1 data"),
        (results_page("null"), "no data array"),
        (
            results_page(
                "[1]", key="key: 'ds:1', hash: '2', nodata: 1}); AF_initDataCallback({a: 1"
            ),
            "no data array",
        ),
        (results_page("[[1, 2]"), "not closed"),
        (results_page("[[1, 2}]"), "not closed"),
        (results_page("[5, null, 3, 20]"), "records are int"),
        (results_page("[[1 2]]"), "not the JSON-like array"),
        (results_page('{"jobs": []}'), "no data array"),
        (results_page('[{"a": 1}]'), "records are dict"),
        (results_page("[[[1]], null, 3, 20]"), "record 1 is not the 21-place array (1)"),
        (b"", "no ds:1 data"),
    ],
)
def test_a_changed_page_fails_the_read_with_its_reason(body, reason):
    with pytest.raises(SourceError) as caught:
        parse(body)
    assert reason in caught.value.reason and caught.value.kind == "parse"


def test_real_recorded_records():
    """The real records (wrapped by their author) inside a results page of our own."""
    for path in shared("google"):
        saved = json.loads(path.read_bytes())["page_1"]
        data = json.dumps([saved["jobs"], None, saved["total"], saved["page_size"]])
        page = parse(results_page(data))
        assert page.next is not None  # 3414 in all
        assert [p.id for p in page.postings] == [row[0] for row in saved["jobs"]]
        first, second = page.postings
        assert first.title == "Software Engineer, Chrome Networking Security"
        assert first.url == JOB + (
            "100397577702122182-software-engineer-chrome-networking-security"
        )
        assert first.locations == ("Mountain View, CA, USA", "Cambridge, MA, USA")
        assert first.department == "Google" and second.department == "YouTube"
        assert second.locations == ("Hyderabad, Telangana, India",)
        assert first.posted_at == datetime.fromtimestamp(1787782363, UTC)
        assert "Minimum qualifications:" in describe(first)
        assert "Trust & Safety team" in describe(second)


@pytest.mark.parametrize(
    ("url", "board"),
    [
        (JOB + "100397577702122182-software-engineer-chrome", SearchBoard()),
        (JOB + "100397577702122182-software-engineer?hl=en_US&q=rust", SearchBoard()),
        (JOB + "100397577702122182", SearchBoard()),
        ("https://careers.google.com/jobs/results/123456789-swe/", SearchBoard()),
        ("https://www.google.com/about/careers/applications/u/1/jobs/results/42-x", SearchBoard()),
        ("https://www.google.com/about/careers/applications/jobs/results", SearchBoard()),
        (
            "https://www.google.com/about/careers/applications/jobs/results/?q=%22software%20"
            "engineer%22&location=Berlin%2C%20Germany&location=Munich%2C%20Germany&sort_by=date",
            SearchBoard(query='"software engineer"', location="Berlin, Germany"),
        ),
        (
            "https://careers.google.com/jobs/results/?q=sre&location=Zurich",
            SearchBoard(query="sre", location="Zurich"),
        ),
    ],
)
def test_detects_urls(url, board):
    found = detect_with(Google, url)
    assert found is not None and found.board == board


@pytest.mark.parametrize(
    "url",
    [
        "https://www.google.com/search?q=software+engineer+jobs",
        "https://www.google.com/about/careers/applications/",
        "https://www.google.com/about/careers/applications/jobs/results/abc-engineer",
        "https://www.google.com/about/careers/applications/jobs/resultsx",
        "https://careers.google.com/",
        "https://google.com.evil.com/about/careers/applications/jobs/results/1",
        "https://evil.com/about/careers/applications/jobs/results/1",
        "https://www.google.com/about/jobs/results/1",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Google, url) is None


def _serve(server, pages: dict[str, bytes]) -> None:
    def results(seen):
        number = params(seen.path).get("page", ["1"])[0]
        return Reply(
            200, pages.get(number, fixture("results_empty")), {"Content-Type": "text/html"}
        )

    server.routes[PATH] = results


def test_reads_pages_over_http(server):
    _serve(server, {"1": fixture("results_p1"), "2": fixture("results_p2")})
    read_ = read_over_http(Google(SEARCH, api=server.url), NOW)
    asked = [params(s.path) for s in server.requests_to(PATH)]
    assert [a["page"] for a in asked] == [["1"], ["2"]]
    assert all(a["q"] == ["software engineer"] for a in asked)
    assert read_.pages == 2 and not read_.truncated and len(read_.postings) == 23
    assert read_.postings[0].url.startswith(JOB)  # the api: option leaves links alone


def test_page_cap_over_http(server):
    def endless(seen):
        number = int(params(seen.path)["page"][0])
        rows = records()
        for i, row in enumerate(rows):
            row[0] = str(number * 100 + i)
        return Reply(200, results_page(json.dumps([rows, None, 5000, 20])))

    server.routes[PATH] = endless
    read_ = read_over_http(Google("all", api=server.url), NOW)
    assert read_.truncated and read_.pages == Google.max_pages
    assert len(read_.postings) == Google.max_pages * 20


def test_watcher_check_end_to_end(tmp_path, server, receiver):
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Google", "google": SEARCH})
    _serve(server, {"1": fixture("results_p1"), "2": fixture("results_p2")})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    assert "now watching 23 openings" in result.output
    assert receiver.messages == []

    rows = records()
    rows[5][0], rows[5][1] = "180000000000000001", "Research Scientist, Gemini"
    _serve(
        server, {"1": results_page(json.dumps([rows, None, 23, 20])), "2": fixture("results_p2")}
    )
    result = project.run("check")
    assert result.exit_code == 0, result.output
    (message,) = receiver.wait_for(1)
    assert "Research Scientist, Gemini" in message["message"]
    assert JOB + "180000000000000001-research-scientist-gemini" in message["message"]

    _serve(server, {"1": b"<html>We changed everything</html>"})
    result = project.run("check")
    assert result.exit_code == 3 and "changed shape" in result.output
    assert {r["status"] for r in project.list("--status", "all")} == {"open"}


def test_surrogate_escapes_are_joined_or_replaced_never_a_crash():
    """JS writes an emoji as a surrogate pair (`\\ud83d\\ude80`); a lone one is junk.
    Single-quoted strings take the JS path, where a lone one once raised TypeError."""
    page = (
        "AF_initDataCallback({key: 'ds:1', data:['\\ud83d\\ude80 Rocket', '\\ud800x'],"
        " sideChannel: {}});"
    )
    assert results_data(page) == ["\U0001f680 Rocket", "\ufffdx"]
