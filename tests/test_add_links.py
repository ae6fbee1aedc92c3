"""`watcher add` with links that hide their board, and with many links at once: offline
classification, resolution against a local server, one edit of sites.yaml."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner, Result

from tests.conftest import FIXTURES
from tests.helpers import gh_job, serve_greenhouse
from tests.servers import LocalServer, Reply, Seen
from tests.test_add import NOW, SITES, appended, page
from watcher import add
from watcher.add import REQUEST, UNRECOGNISED, AddError, Link, NothingFound, Status
from watcher.cli import cli
from watcher.config import parse
from watcher.fetch import Fetcher, FetchSettings
from watcher.model import Request, Response
from watcher.sources import REGISTRY
from watcher.sources.base import Source

UUID = "8e1f0b2c-3d4e-4f5a-9b6c-7d8e9f0a1b2c"


def run(coro: Any) -> Any:
    return asyncio.run(coro)


# --- what a link says offline ---------------------------------------------------------------

GH_TOKEN = "a Greenhouse job (4012345) whose link does not name its board"
GH_JID = "a company page showing Greenhouse job 4012345"
WORKABLE = "a Workable short link"
CAREERS = "a company's careers page"


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        # Greenhouse job links without the board: the embed form, on every Greenhouse host
        ("https://boards.greenhouse.io/embed/job_app?token=4012345", REQUEST, GH_TOKEN),
        ("https://job-boards.greenhouse.io/embed/job_app?token=4012345", REQUEST, GH_TOKEN),
        ("https://boards.eu.greenhouse.io/embed/job_app/?token=4012345", REQUEST, GH_TOKEN),
        ("https://app.greenhouse.io/embed/job_app?token=4012345&t=null&b=x", REQUEST, GH_TOKEN),
        ("boards.greenhouse.io/embed/job_app?token=4012345", REQUEST, GH_TOKEN),
        # ...near misses: not a job number, not Greenhouse's host, not the job form
        ("https://boards.greenhouse.io/embed/job_app?token=abc", REQUEST, CAREERS),
        ("https://boards.greenhouse.io.evil.example/embed/job_app?token=4012345", REQUEST, CAREERS),
        ("https://boards.greenhouse.io/embed/job_board?token=4012345", REQUEST, CAREERS),
        # A company page showing a Greenhouse job
        ("https://careers.acme.example/jobs?gh_jid=4012345", REQUEST, GH_JID),
        ("https://acme.example/open-roles/?utm_source=x&gh_jid=4012345#apply", REQUEST, GH_JID),
        ("https://careers.acme.example/jobs?gh_jid=", REQUEST, CAREERS),
        ("https://careers.acme.example/jobs?gh_jid=12ab", REQUEST, CAREERS),
        ("https://acme.example/about?gh_src=4012345", UNRECOGNISED, ""),
        # Workable short links
        ("https://apply.workable.com/j/A1B2C3D4E5", REQUEST, WORKABLE),
        ("https://apply.workable.com/j/A1B2C3D4E5/", REQUEST, WORKABLE),
        ("https://apply.workable.com/j/A1B2C3D4E5/apply", REQUEST, WORKABLE),
        ("https://jobs.workable.com/j/A1B2C3D4E5", REQUEST, CAREERS),
        ("https://apply.workable.com/j/", REQUEST, CAREERS),
        # Company pages, on a platform's custom domain or linking to one
        ("https://careers.acme.example/", REQUEST, CAREERS),
        ("https://acme.example/careers", REQUEST, CAREERS),
        ("https://acme.example/en/jobs/1234-engineer", REQUEST, CAREERS),
        ("https://jobs.acme.example", REQUEST, CAREERS),
        ("https://acme.example/karriere/stellenangebote", REQUEST, CAREERS),
        ("https://www.lifeatacme.example/", REQUEST, CAREERS),
        # Neither a board nor a careers page
        ("https://acme.example/", UNRECOGNISED, "acme.example names no job board"),
        ("https://acme.example/about/team-photos", UNRECOGNISED, ""),
        ("https://www.linkedin.com/jobs/view/4012345", UNRECOGNISED, "linkedin.com lists"),
        ("https://de.indeed.com/viewjob?jk=abc", UNRECOGNISED, "indeed.com lists"),
        ("https://www.glassdoor.co.uk/job-listing/x", UNRECOGNISED, "glassdoor.co.uk lists"),
    ],
)
def test_classify_what_needs_a_request(url: str, status: str, says: str) -> None:
    verdict = add.classify(url)
    assert verdict.status == status and verdict.found is None
    assert says in verdict.reason


@pytest.mark.parametrize(
    ("url", "key", "board"),
    [
        ("https://boards.greenhouse.io/embed/job_app?for=acme&token=4012345", "greenhouse", "acme"),
        ("https://boards.greenhouse.io/acme/jobs/4012345?gh_jid=4012345", "greenhouse", "acme"),
        ("https://jobs.ashbyhq.com/pocket%20worlds/8e1f0b2c/application", "ashby", "pocket worlds"),
        ("https://apply.workable.com/acme/j/A1B2C3D4E5/", "workable", "acme"),
        ("https://wd1.myworkdaysite.com/recruiting/acme/External", "workday", None),
    ],
)
def test_classify_links_that_name_their_board(url: str, key: str, board: str | None) -> None:
    verdict = add.classify(url)
    assert verdict.status == add.BOARD and verdict.found is not None
    assert verdict.found.key == key
    assert board is None or verdict.found.board == board


def test_hidden_links_name_the_platform_whose_api_they_go_through() -> None:
    assert add.classify("https://boards.greenhouse.io/embed/job_app?token=1").platform == (
        "greenhouse"
    )
    assert add.classify("https://apply.workable.com/j/ABC").platform == "workable"
    gh_jid = add.classify("https://careers.acme.example/?gh_jid=7")
    assert (gh_jid.platform, gh_jid.job) == (None, "7")
    assert add.classify("https://www.linkedin.com/jobs/view/1").hopeless


# --- resolving them against a local server ------------------------------------------------


async def locate(url: str, server: LocalServer) -> add.Found:
    async with Fetcher(FetchSettings(retries=0, deadline=20)) as fetcher:
        return await add.locate(url, fetcher, api_for=lambda key: server.url)


def html(body: str) -> Reply:
    return Reply(200, page(body), {"Content-Type": "text/html; charset=utf-8"})


def redirect(to: str, status: int = 302) -> Reply:
    return Reply(status, b"", {"Location": to})


EMBED = '<script src="https://boards.greenhouse.io/embed/job_board/js?for={}"></script>'


def paths(server: LocalServer) -> list[str]:
    return [seen.path for seen in server.seen]


def test_a_greenhouse_job_link_is_resolved_by_its_redirect(server: LocalServer) -> None:
    server.routes["/embed/job_app?token=4012345"] = redirect(
        "/embed/job_app?for=acme&token=4012345"
    )
    server.routes["/embed/job_app"] = html("<form>Apply</form>")
    found = run(locate("https://boards.greenhouse.io/embed/job_app?token=4012345", server))
    assert (found.key, found.board, found.via) == ("greenhouse", "acme", "redirect")
    assert paths(server) == [
        "/embed/job_app?token=4012345",
        "/embed/job_app?for=acme&token=4012345",
    ]


def test_a_greenhouse_job_link_whose_page_names_the_board(server: LocalServer) -> None:
    server.routes["/embed/job_app"] = html(
        '<form action="https://boards.greenhouse.io/acme/jobs/4012345" method="post"></form>'
    )
    found = run(locate("https://job-boards.greenhouse.io/embed/job_app?token=4012345", server))
    assert (found.key, found.board, found.via) == ("greenhouse", "acme", "link")
    assert len(server.seen) == 1


def test_a_closed_greenhouse_job_link_says_so(server: LocalServer) -> None:
    with pytest.raises(AddError, match=r"HTTP 404: no such page \(a Greenhouse job .*closed"):
        run(locate("https://boards.greenhouse.io/embed/job_app?token=4012345", server))
    assert len(server.seen) == 1


def test_a_gh_jid_page_is_read_once_and_confirmed_by_greenhouse(server: LocalServer) -> None:
    server.routes["/careers"] = html(
        '<div id="grnhse_app"></div>' + EMBED.format("acme") + '<a href="https://jobs.lever.co/x">'
    )
    server.routes["/v1/boards/acme/jobs/4012345"] = Reply(200, gh_job(4012345, "Engineer"))
    found = run(locate(f"{server.url}/careers?gh_jid=4012345", server))
    assert (found.key, found.board, found.via) == ("greenhouse", "acme", "link")
    assert "Greenhouse confirms job 4012345" in found.note
    assert [(c.key, c.board) for c in found.others] == [("lever", "x")]
    assert paths(server) == ["/careers?gh_jid=4012345", "/v1/boards/acme/jobs/4012345"]


def test_a_gh_jid_page_prefers_greenhouse_over_boards_linked_more(server: LocalServer) -> None:
    lever = '<a href="https://jobs.lever.co/old">old</a>' * 3
    server.routes["/careers"] = html(lever + EMBED.format("acme"))
    server.routes["/v1/boards/acme/jobs/4012345"] = Reply(200, gh_job(4012345, "Engineer"))
    found = run(locate(f"{server.url}/careers?gh_jid=4012345", server))
    assert (found.key, found.board) == ("greenhouse", "acme")


def test_a_gh_jid_page_whose_board_does_not_list_the_job_is_doubted(server: LocalServer) -> None:
    server.routes["/careers"] = html(EMBED.format("acme"))
    found = run(locate(f"{server.url}/careers?gh_jid=4012345", server))
    assert (found.key, found.board) == ("greenhouse", "acme")
    assert "could not confirm job 4012345" in found.note and "closed since" in found.note
    assert len(server.seen) == 2


def test_a_gh_jid_page_drawn_by_a_script_asks_greenhouse(server: LocalServer) -> None:
    server.routes["/careers"] = html('<div id="app"></div><script src="/app.js"></script>')
    server.routes["/embed/job_app?token=4012345"] = redirect(
        "/embed/job_app?for=acme&token=4012345"
    )
    server.routes["/embed/job_app"] = html("<form></form>")
    found = run(locate(f"{server.url}/careers?gh_jid=4012345", server))
    assert (found.key, found.board, found.via) == ("greenhouse", "acme", "redirect")
    assert [urlpath.split("?")[0] for urlpath in paths(server)] == [
        "/careers",
        "/embed/job_app",
        "/embed/job_app",
    ]


def test_a_gh_jid_page_nobody_names_a_board_for(server: LocalServer) -> None:
    server.routes["/careers"] = html("<p>Jobs</p>")
    server.routes["/embed/job_app"] = html("<p>Sorry</p>")
    with pytest.raises(NothingFound, match="neither the page nor Greenhouse's page"):
        run(locate(f"{server.url}/careers?gh_jid=4012345", server))


def test_a_workable_short_link_follows_its_redirect(server: LocalServer) -> None:
    server.routes["/j/A1B2C3D4E5"] = redirect("/acme/j/A1B2C3D4E5/", 301)
    server.routes["/acme/j/A1B2C3D4E5/"] = html("<div id=app></div>")
    found = run(locate("https://apply.workable.com/j/A1B2C3D4E5", server))
    assert (found.key, found.board, found.via) == ("workable", "acme", "redirect")
    assert paths(server) == ["/j/A1B2C3D4E5", "/acme/j/A1B2C3D4E5/"]


def test_a_workable_short_link_whose_page_names_the_account(server: LocalServer) -> None:
    server.routes["/j/A1B2C3D4E5"] = html(
        '<link rel="canonical" href="https://apply.workable.com/acme/j/A1B2C3D4E5/">'
    )
    found = run(locate("https://apply.workable.com/j/A1B2C3D4E5", server))
    assert (found.key, found.board) == ("workable", "acme")


class CustomDomain(Source):
    """A platform serving boards on companies' own domains, known by its markup."""

    key = "customats"
    label = "Custom ATS"
    example = "acme"
    marker: ClassVar[str] = 'name="customats-tenant" content="'

    @classmethod
    def board_in_page(cls, page: Response) -> Any | None:
        text = page.body.decode()
        if cls.marker not in text:
            return None
        return text.split(cls.marker, 1)[1].split('"', 1)[0]

    def first_request(self) -> Request:
        raise NotImplementedError

    def parse(self, request: Any, response: Any, now: Any) -> Any:
        raise NotImplementedError


def test_a_custom_domain_is_recognised_by_every_platforms_board_in_page(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(REGISTRY, CustomDomain.key, CustomDomain)
    server.routes["/careers"] = html(
        '<meta name="customats-tenant" content="acme-eu">'
        '<a href="https://boards.greenhouse.io/acme">our old board</a>'
    )
    found = run(locate(f"{server.url}/careers", server))
    assert (found.key, found.board, found.via) == ("customats", "acme-eu", "page")
    assert len(server.seen) == 1
    verdict = add.classify("https://careers.acme.example/")
    assert verdict.status == REQUEST  # offline: one request would tell


@pytest.mark.parametrize(
    ("platform", "fixture", "url", "board"),
    [
        ("icims", "wrapper.html", "https://www.acme.example/careers", "careers-acme"),
        ("avature", "landing.html", "https://www.acme.com/join-us", "acme.com/en_US/careers"),
        (
            "phenom",
            "search_p1.html",
            "https://jobs.acme.com/us/en/search-results",
            "jobs.acme.com/us/en",
        ),
        ("successfactors", "search_first.html", "https://jobs.acme.com/search/", "jobs.acme.com"),
        ("successfactors", "unified_shell.html", "https://careers.acme.com/", "careers.acme.com"),
    ],
)
def test_registered_platforms_find_their_boards_on_company_domains(
    platform: str, fixture: str, url: str, board: str
) -> None:
    if platform not in REGISTRY:
        pytest.skip(f"{platform} is not registered")
    body = (FIXTURES / platform / fixture).read_bytes()
    found = add.find_in_page(body, url, "text/html; charset=utf-8")
    assert found is not None and (found.key, found.board, found.via) == (platform, board, "page")


def test_an_aggregator_is_not_even_read(server: LocalServer) -> None:
    with pytest.raises(NothingFound, match=r"linkedin\.com lists other companies' jobs"):
        run(locate("https://www.linkedin.com/jobs/view/4012345", server))


# --- reading a list of links ------------------------------------------------------------------


def test_read_links_takes_the_first_url_of_each_line() -> None:
    text = (
        "\ufeff# my bookmarks\n"
        "\n"
        "https://boards.greenhouse.io/acme\n"
        "Company,Careers link,Notes\n"
        'Beta,"https://jobs.lever.co/beta/x",https://example.org/not-this-one\n'
        "- [Gamma](https://jobs.ashbyhq.com/gamma) **great**\n"
        '<DT><A HREF="https://apply.workable.com/delta/" ADD_DATE="1">Delta</A>\n'
        "epsilon.recruitee.com\n"
        "Zeta; jobs.lever.co/zeta; remote\n"
        "just a note\n"
        "ftp://files.example/jobs.csv\n"
        "   \n"
        "   # indented comment\n"
        "https://jobs.lever.co/eta.\n"
    )
    links = add.read_links(text)
    assert [(item.line, item.url, item.error) for item in links] == [
        (3, "https://boards.greenhouse.io/acme", None),
        (4, None, "no URL"),
        (5, "https://jobs.lever.co/beta/x", None),
        (6, "https://jobs.ashbyhq.com/gamma", None),
        (7, "https://apply.workable.com/delta/", None),
        (8, "https://epsilon.recruitee.com", None),
        (9, "https://jobs.lever.co/zeta", None),
        (10, None, "no URL"),
        (11, None, "no URL"),
        (14, "https://jobs.lever.co/eta", None),
    ]
    assert links[1].where == "line 4" and links[1].text == "Company,Careers link,Notes"


def test_arguments_are_urls_or_names() -> None:
    assert add.link("boards.greenhouse.io/acme") == Link(
        "boards.greenhouse.io/acme", url="https://boards.greenhouse.io/acme"
    )
    assert add.link("JPMorgan Chase") == Link("JPMorgan Chase", name="JPMorgan Chase")
    assert (
        add.link("ftp://x.example").error
        == "'ftp://x.example' is not a web address (http:// or https://)"
    )


# --- many links, offline -----------------------------------------------------------------------


def bulk_list() -> tuple[str, list[tuple[str, str, str | None, Any]]]:
    """A few hundred mixed links, as a file, and for each non-blank, non-comment line the
    status, platform and board `add --offline` must give it (new boards once, their
    other links `added` too: the same site)."""
    rows: list[tuple[str, str, str | None, Any]] = []

    def board(url: str, key: str, value: Any) -> None:
        rows.append((url, "added", key, value))

    for i in range(30):
        board(f"https://boards.greenhouse.io/gh{i}", "greenhouse", f"gh{i}")
        board(f"https://job-boards.greenhouse.io/gh{i}/jobs/{4000000 + i}", "greenhouse", f"gh{i}")
        board(f"https://jobs.lever.co/lv{i}/{UUID}", "lever", f"lv{i}")
        board(f"https://jobs.eu.lever.co/lv{i}/{UUID}/apply", "lever", f"eu:lv{i}")
        board(f"https://jobs.ashbyhq.com/ab{i}/{UUID}/application", "ashby", f"ab{i}")
        board(
            f"https://wd{i}.wd5.myworkdayjobs.com/en-US/External/job/Berlin/Engineer_R{i}",
            "workday",
            f"wd{i}.wd5/External",
        )
    for i in range(10):
        board(f"https://careers.smartrecruiters.com/Sr{i}Corp", "smartrecruiters", f"Sr{i}Corp")
        board(f"https://apply.workable.com/wk{i}/j/A1B2C3D{i}/", "workable", f"wk{i}")
        board(f"https://rc{i}.recruitee.com/o/engineer", "recruitee", f"rc{i}")
        board(f"https://bh{i}.bamboohr.com/careers/{i}", "bamboohr", f"bh{i}")
        board(f"https://bz{i}.breezy.hr/p/abc-engineer", "breezy", f"bz{i}")
        board(f"https://pe{i}.jobs.personio.de/job/{i}", "personio", f"pe{i}")
        board(f"https://tt{i}.teamtailor.com/jobs/{i}-engineer", "teamtailor", f"tt{i}")
        board(f"https://ats.rippling.com/rp{i}/jobs/{UUID}", "rippling", f"rp{i}")
        board(
            f"https://jz{i}.applytojob.com/apply/Ab{i}/Engineer",
            "jsonld",
            f"https://jz{i}.applytojob.com/apply",
        )
        # hidden boards: one request would tell
        rows.append(
            (
                f"https://boards.greenhouse.io/embed/job_app?token={500 + i}",
                "needs request",
                None,
                None,
            )
        )
        rows.append(
            (f"https://careers.co{i}.example/jobs?gh_jid={600 + i}", "needs request", None, None)
        )
        rows.append((f"https://apply.workable.com/j/SHORT{i}", "needs request", None, None))
        rows.append((f"https://careers.co{i}.example/", "needs request", None, None))
        # not job boards at all
        rows.append((f"https://www.linkedin.com/jobs/view/{700 + i}", "unrecognised", None, None))
        rows.append((f"https://blog{i}.example.org/2026/hello", "unrecognised", None, None))
    board("https://jobs.ashbyhq.com/Pocket%20Worlds/x", "ashby", "Pocket Worlds")
    board("https://wd1.myworkdaysite.com/recruiting/mysite/External", "workday", None)
    rows.append(
        ("https://boards.greenhouse.io/existing/jobs/5", "exists", "greenhouse", "existing")
    )
    rows.append(("https://BOARDS.greenhouse.io/EXISTING", "exists", "greenhouse", "EXISTING"))
    junk = ["Company,Link", "see the spreadsheet", "ftp://files.example/x", "http://"]
    rows += [(line, "error", None, None) for line in junk]
    lines = ["# careers links", ""]
    for number, (url, *_) in enumerate(rows):
        lines.append(url)
        if number % 50 == 0:
            lines += ["", "# a comment between"]
    return "\n".join(lines) + "\n", rows


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, ["add", *args])


@pytest.fixture
def sites(tmp_path: Path) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(SITES)
    return path


@pytest.fixture
def no_fetcher(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to make an HTTP client fails the test."""

    def refuse(self: Fetcher, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("a Fetcher was made")

    monkeypatch.setattr(Fetcher, "__init__", refuse)


def test_bulk_offline_json_gives_each_link_its_status(
    sites: Path, server: LocalServer, no_fetcher: None
) -> None:
    text, rows = bulk_list()
    listing = sites.parent / "links.txt"
    listing.write_text(text)
    assert len(rows) > 300
    result = invoke(
        "--from", str(listing), "--offline", "--json", "--config", str(sites), "--api", server.url
    )
    assert result.exit_code == 0, result.output
    assert server.seen == []
    got = json.loads(result.stdout)
    assert len(got) == len(rows)
    for item, (url, status, key, board) in zip(got, rows, strict=True):
        assert item["status"] == status, (url, item)
        assert item["platform"] == key, (url, item)
        if board is not None:
            assert item["board"] == board, (url, item)
        assert item["line"] == text.splitlines().index(url) + 1
        if status == "exists":
            assert "'Existing' already watches greenhouse" in item["reason"]
        elif status != "added":
            assert item["reason"], (url, item)
    new_boards = {(i["platform"], i["board"].casefold()) for i in got if i["status"] == "added"}
    config = parse(sites.read_text(), "sites.yaml", {})
    assert len(config.sites) == 1 + len(new_boards)
    assert {(s.platform, add.same_board(s.board)) for s in config.sites[1:]} == new_boards
    names = [s.name for s in config.sites]
    assert len({n.casefold() for n in names}) == len(names)
    # links of one board make one site, named once
    gh0 = [i for i in got if i["board"] == "gh0"]
    assert [i["name"] for i in gh0] == ["Gh0", "Gh0"]
    assert gh0[1]["reason"] == f"same board as line {gh0[0]['line']}"
    assert next(i for i in got if i["board"] == "wd1.myworkdaysite.com/mysite/External")[
        "name"
    ] == ("Mysite")
    # comments and layout kept byte for byte: the new lines come in one block
    new = sites.read_text()
    block = new[new.index("  - name: Gh0\n") : new.index("\n  # - name: Disabled example")]
    appended(SITES, new, block)


def test_bulk_offline_summary_for_a_person(sites: Path, no_fetcher: None) -> None:
    listing = sites.parent / "links.txt"
    listing.write_text(
        "https://boards.greenhouse.io/acme\n"
        "https://boards.greenhouse.io/acme/jobs/1\n"
        "https://jobs.lever.co/acme\n"
        "https://boards.greenhouse.io/existing\n"
        "https://www.linkedin.com/jobs/view/1\n"
        "https://www.linkedin.com/jobs/view/2\n"
        "https://acme.example/\n"
        "https://careers.beta.example/\n"
        "Company name\n"
    )
    result = invoke("--from", str(listing), "--offline", "--dry-run", "--config", str(sites))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"would add to {sites}:\n"
        "  - name: Acme\n    greenhouse: acme\n"
        "  - name: Acme (Lever)\n    lever: acme\n"
        "9 links: 3 boards (2 to add, 1 already watched), "
        "3 not recognised (linkedin.com 2, acme.example 1), "
        "1 needs a request (run without --offline), 1 error\n"
    )
    assert "line 9: error: no URL" in result.stderr
    assert "line 8: needs request: a company's careers page" in result.stderr
    assert sites.read_text() == SITES


def test_bulk_with_nothing_valid_writes_nothing_and_exits_2(sites: Path, no_fetcher: None) -> None:
    listing = sites.parent / "links.txt"
    listing.write_text("Company,Link\nhttps://www.linkedin.com/jobs/view/1\n\n")
    result = invoke("--from", str(listing), "--offline", "--config", str(sites))
    assert result.exit_code == 2
    assert "2 links: 0 boards" in result.stdout
    assert sites.read_text() == SITES
    empty = sites.parent / "empty.txt"
    empty.write_text("# nothing yet\n\n")
    result = invoke("--from", str(empty), "--offline", "--config", str(sites))
    assert result.exit_code == 2 and "no link in" in result.stderr


def test_bulk_from_stdin_and_arguments_together(sites: Path, no_fetcher: None) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "add",
            "https://jobs.lever.co/beta",
            "--from",
            "-",
            "--offline",
            "--json",
            "--config",
            str(sites),
        ],
        input="https://jobs.lever.co/gamma\n",
    )
    assert result.exit_code == 0, result.output
    assert [(i["board"], i["line"]) for i in json.loads(result.stdout)] == [
        ("beta", None),
        ("gamma", 1),
    ]


def test_name_applies_to_one_board_only(sites: Path, no_fetcher: None) -> None:
    result = invoke(
        "https://jobs.lever.co/beta",
        "https://jobs.lever.co/gamma",
        "--name",
        "Mine",
        "--offline",
        "--config",
        str(sites),
    )
    assert result.exit_code == 2 and "--name names one site" in result.stderr
    result = invoke(
        "https://jobs.lever.co/beta",
        "https://jobs.lever.co/beta/x",
        "--name",
        "Mine",
        "--offline",
        "--config",
        str(sites),
    )
    assert result.exit_code == 0, result.output
    assert "  - name: Mine\n    lever: beta\n" in sites.read_text()


def test_one_hidden_link_offline_says_it_needs_a_request(sites: Path, no_fetcher: None) -> None:
    result = invoke(
        "https://careers.acme.example/jobs?gh_jid=4012345", "--offline", "--config", str(sites)
    )
    assert result.exit_code == 2
    assert "Greenhouse job 4012345" in result.stderr and "run without --offline" in result.stderr
    assert sites.read_text() == SITES


def test_a_shared_host_workday_site_is_named_after_its_tenant(
    sites: Path, no_fetcher: None
) -> None:
    result = invoke(
        "https://wd1.myworkdaysite.com/recruiting/acme/External",
        "--offline",
        "--dry-run",
        "--config",
        str(sites),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "  - name: Acme\n    workday: wd1.myworkdaysite.com/acme/External\n"


# --- names --------------------------------------------------------------------------------------


def test_names_are_made_unique(tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text("sites:\n  - name: Acme (Lever)\n    lever: old\n")
    links = [
        add.link(url)
        for url in (
            "https://boards.greenhouse.io/acme",
            "https://jobs.lever.co/acme",
            "https://jobs.ashbyhq.com/acme",
            "https://acme.recruitee.com/",
        )
    ]
    report = run(add.add_links(links, path, None, NOW, environ={}))
    assert [o.name for o in report.outcomes] == [
        "Acme",
        "Acme (2)",
        "Acme (Ashby)",
        "Acme (Recruitee)",
    ]
    assert [s.name for s in parse(path.read_text(), "sites.yaml", {}).sites] == [
        "Acme (Lever)",
        "Acme",
        "Acme (2)",
        "Acme (Ashby)",
        "Acme (Recruitee)",
    ]


@pytest.mark.parametrize(
    ("taken", "name"),
    [
        (set(), "Acme"),
        ({"acme"}, "Acme (Lever)"),
        ({"acme", "acme (lever)"}, "Acme (2)"),
        ({"acme", "acme (lever)", "acme (2)"}, "Acme (3)"),
    ],
)
def test_unique_name(taken: set[str], name: str) -> None:
    assert add.unique_name("Acme", "Lever", taken) == name


# --- editing sites.yaml once -----------------------------------------------------------------


def test_plan_sites_appends_several_entries_in_one_block() -> None:
    entries = [
        add.site_entry("greenhouse", "acme", "Acme"),
        add.site_entry("lever", "eu:beta", "Beta: EU", api="http://127.0.0.1:9"),
    ]
    draft = add.plan_sites(SITES, entries, environ={})
    assert draft.lines == (
        "  - name: Acme\n    greenhouse: acme\n"
        "  - name: 'Beta: EU'\n    lever: eu:beta\n    api: http://127.0.0.1:9\n"
    )
    appended(SITES, draft.text, draft.lines)
    assert [s.name for s in parse(draft.text, "sites.yaml", {}).sites] == [
        "Existing",
        "Acme",
        "Beta: EU",
    ]


@pytest.mark.parametrize(
    "text",
    [
        None,
        "sites:\r\n  - name: A\r\n    greenhouse: a  # crlf\r\n",
        "sites: [{name: A, greenhouse: a}]\n",
        "# only a comment\n",
    ],
)
def test_plan_sites_in_every_layout(text: str | None) -> None:
    entries = [add.site_entry("lever", "beta", "Beta"), add.site_entry("ashby", "gamma", "Gamma")]
    draft = add.plan_sites(text, entries, environ={})
    names = [s.name for s in parse(draft.text, "sites.yaml", {}).sites]
    assert names[-2:] == ["Beta", "Gamma"]
    if text and "\r\n" in text:
        appended(text, draft.text, draft.lines)
        assert "\n" not in draft.text.replace("\r\n", "")


def test_plan_sites_refuses_a_result_that_does_not_validate() -> None:
    with pytest.raises(AddError, match="the new entries would not validate"):
        add.plan_sites(
            "sites: []\n",
            [add.site_entry("lever", "a", "A"), {"name": "B", "lever": 3}],
            environ={},
        )


# --- many links, online ---------------------------------------------------------------------


def serve_boards(server: LocalServer) -> None:
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    serve_greenhouse(server, "gamma", [gh_job(2, "Designer"), gh_job(3, "Writer")])
    serve_greenhouse(server, "epsilon", [])
    server.routes["/v0/postings/beta"] = Reply(
        200, [{"id": "b1", "text": "Engineer", "hostedUrl": "x"}]
    )
    server.routes["/v0/postings/zeta"] = Reply(200, [])
    server.routes["/api/v1/widget/accounts/delta"] = Reply(200, {"jobs": []})
    server.routes["/embed/job_app?token=777"] = redirect("/embed/job_app?for=gamma&token=777")
    server.routes["/embed/job_app"] = html("<form></form>")
    server.routes["/j/ABC123"] = redirect("/delta/j/ABC123/", 301)
    server.routes["/delta/j/ABC123/"] = html("<div id=app></div>")
    server.routes["/careers"] = html(EMBED.format("epsilon"))
    server.routes["/v1/boards/epsilon/jobs/555"] = Reply(200, gh_job(555, "Engineer"))
    server.routes["/jobs-page"] = html('<a href="https://jobs.lever.co/zeta">Jobs</a>')
    server.routes["/about-us"] = html("<p>We make things.</p>")


def test_bulk_online_resolves_reads_and_writes_once(
    sites: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_boards(server)
    writes: list[str] = []
    real_write = add.write_sites
    monkeypatch.setattr(
        add,
        "write_sites",
        lambda path, text, original: writes.append(text) or real_write(path, text, original),
    )
    s = server.url
    listing = sites.parent / "links.txt"
    listing.write_text(
        "\n".join(
            [
                "https://boards.greenhouse.io/acme",
                "https://job-boards.greenhouse.io/acme/jobs/1",
                f"https://jobs.lever.co/beta/{UUID}",
                "https://boards.greenhouse.io/embed/job_app?token=777",
                "https://apply.workable.com/j/ABC123",
                f"{s}/careers?gh_jid=555",
                f"{s}/jobs-page",
                f"{s}/about-us",
                f"{s}/missing-careers",
                "https://boards.greenhouse.io/gone",
                "https://boards.greenhouse.io/existing",
                "not a link",
                "https://www.linkedin.com/jobs/view/1",
            ]
        )
        + "\n"
    )
    result = invoke(
        "--from", str(listing), "--json", "--test-read", "--api", s, "--config", str(sites)
    )
    assert result.exit_code == 0, result.output
    got = [(i["status"], i["platform"], i["board"], i["name"]) for i in json.loads(result.stdout)]
    assert got == [
        ("added", "greenhouse", "acme", "Acme"),
        ("added", "greenhouse", "acme", "Acme"),
        ("added", "lever", "beta", "Beta"),
        ("added", "greenhouse", "gamma", "Gamma"),
        ("added", "workable", "delta", "Delta"),
        ("added", "greenhouse", "epsilon", "Epsilon"),
        ("added", "lever", "zeta", "Zeta"),
        ("unrecognised", None, None, None),
        ("error", None, None, None),
        ("error", "greenhouse", "gone", None),
        ("exists", "greenhouse", "existing", "Existing"),
        ("error", None, None, None),
        ("unrecognised", None, None, None),
    ]
    assert len(writes) == 1
    config = parse(sites.read_text(), "sites.yaml", {})
    assert [(c.name, c.platform, c.board, c.api) for c in config.sites[1:]] == [
        (name, key, board, s)
        for name, key, board in [
            ("Acme", "greenhouse", "acme"),
            ("Beta", "lever", "beta"),
            ("Gamma", "greenhouse", "gamma"),
            ("Delta", "workable", "delta"),
            ("Epsilon", "greenhouse", "epsilon"),
            ("Zeta", "lever", "zeta"),
        ]
    ]
    # each board read once; no page read twice; LinkedIn never asked
    reads = [
        p
        for p in (seen.path for seen in server.seen)
        if "/jobs?content" in p or "postings" in p or "accounts" in p
    ]
    assert len(reads) == len(set(reads)) == 7
    assert len(server.requests_to("/careers")) == 1


def test_bulk_online_without_test_reads_makes_only_the_requests_links_need(
    sites: Path, server: LocalServer
) -> None:
    serve_boards(server)
    result = invoke(
        "https://boards.greenhouse.io/acme",
        "https://boards.greenhouse.io/embed/job_app?token=777",
        "--api",
        server.url,
        "--config",
        str(sites),
    )
    assert result.exit_code == 0, result.output
    assert [seen.path for seen in server.seen] == [
        "/embed/job_app?token=777",
        "/embed/job_app?for=gamma&token=777",
    ]
    assert "2 links: 2 boards (2 added, 0 already watched)" in result.stdout


def test_bulk_resolution_is_bounded(sites: Path, server: LocalServer) -> None:
    import threading
    import time

    lock = threading.Lock()
    state = {"now": 0, "most": 0}

    def slow(seen: Seen) -> Reply:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return Reply(200, page("<p>nothing</p>"), {"Content-Type": "text/html"})

    for i in range(12):
        server.routes[f"/careers{i}"] = slow
    links = [add.link(f"{server.url}/careers{i}") for i in range(12)]

    async def go() -> add.Report:
        settings = FetchSettings(retries=0, deadline=20, per_host=16)
        async with Fetcher(settings) as fetcher:
            return await add.add_links(links, sites, fetcher, NOW, environ={}, concurrency=3)

    report = run(go())
    assert [o.status for o in report.outcomes] == [Status.UNRECOGNISED] * 12
    assert 1 <= state["most"] <= 3
    assert sites.read_text() == SITES


@pytest.mark.parametrize(
    ("link", "name"),
    [
        ("https://lifeattiktok.com/search/7301234567890", "TikTok"),
        ("https://jobs.bytedance.com/en/position/7301234567890/detail", "ByteDance"),
        ("https://career5.successfactors.eu/career?company=acmecorp", "Acmecorp"),
    ],
)
def test_names_say_the_company_not_the_platform_host(tmp_path, link, name):
    result = CliRunner().invoke(
        cli, ["add", link, "--offline", "--dry-run", "--config", str(tmp_path / "sites.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert f"- name: {name}\n" in result.output


def test_a_link_to_a_site_that_answers_only_browsers_is_added_with_render_browser(tmp_path):
    link = "https://www.tesla.com/careers/search/job/software-engineer-224501"
    result = CliRunner().invoke(
        cli, ["add", link, "--offline", "--dry-run", "--config", str(tmp_path / "sites.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "  - name: Tesla\n    tesla: all\n    render: browser\n" in result.output
