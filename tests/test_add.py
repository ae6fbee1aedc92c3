"""`watcher add`: the library (pure parts, then through a local server) and the command."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.helpers import gh_job, serve_greenhouse
from tests.servers import LocalServer, Reply
from watcher import add
from watcher.add import AddError, Found
from watcher.cli import cli
from watcher.config import parse
from watcher.fetch import Fetcher, FetchSettings
from watcher.sources import REGISTRY, detect

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

SITES = (
    "# My watch list.   Odd spacing, and trailing spaces:   \n"
    + """\
defaults:
  every: 1h        # hourly

sites:
  # Hand-written entries come first.
  - name: Existing
    greenhouse: existing   # boards.greenhouse.io/existing
    match:
      title: [engineer, "data scientist"]

  # - name: Disabled example
  #   lever: example

# A trailing comment, far from the list.
"""
)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def with_fetcher(make: Any) -> Any:
    async with Fetcher(FetchSettings(retries=0, deadline=20)) as fetcher:
        return await make(fetcher)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- what the user typed ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "url", "name"),
    [
        ("https://boards.greenhouse.io/acme", "https://boards.greenhouse.io/acme", None),
        ("boards.greenhouse.io/acme", "https://boards.greenhouse.io/acme", None),
        ("  acme.example/careers ", "https://acme.example/careers", None),
        ("http://127.0.0.1:8080/jobs", "http://127.0.0.1:8080/jobs", None),
        ("Acme Robotics", None, "Acme Robotics"),
        ("  Acme   Robotics ", None, "Acme Robotics"),
        ("Stripe", None, "Stripe"),
        ("Zürich Versicherung AG", None, "Zürich Versicherung AG"),
    ],
)
def test_parse_target(text: str, url: str | None, name: str | None) -> None:
    assert add.parse_target(text) == add.Target(url=url, name=name)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "ftp://acme.example/jobs",
        "https://",
        "acme/careers",
        "mailto:x@a.b",
        "!!",
        "https://[::1",
        "https://[zz]/jobs",
        "[::1]/jobs",
    ],
)
def test_parse_target_refuses_what_is_neither(text: str) -> None:
    with pytest.raises(AddError):
        add.parse_target(text)


# --- searching a company page ---------------------------------------------------------------


def page(body: str) -> bytes:
    head = "<!doctype html><html><head><title>Careers</title></head>"
    return f"{head}<body>{body}</body></html>".encode()


def test_page_with_a_greenhouse_embed_and_posting_links() -> None:
    html = page(
        '<div id="grnhse_app"></div>'
        '<script src="https://boards.greenhouse.io/embed/job_board/js?for=acme"></script>'
        '<a href="https://boards.greenhouse.io/acme/jobs/1">Engineer</a>'
        '<a href="//boards.greenhouse.io/acme/jobs/2">Designer</a>'
        '<a href="https://jobs.lever.co/oldacme">Our old board</a>'
        '<a href="https://www.greenhouse.io/">Powered by Greenhouse</a>'
    )
    found = add.find_in_page(html, "https://acme.example/careers")
    assert found is not None
    assert (found.key, found.board, found.via, found.count) == ("greenhouse", "acme", "link", 3)
    assert found.page == "https://acme.example/careers"
    assert found.others == (add.Candidate("lever", "oldacme", 1),)


def test_page_with_an_ashby_iframe_and_relative_links_elsewhere() -> None:
    html = page(
        '<a href="/about">About</a><a href="jobs/1">Relative</a>'
        '<iframe data-src="https://jobs.ashbyhq.com/acme/embed?version=2"></iframe>'
    )
    found = add.find_in_page(html, "https://acme.example/careers")
    assert found is not None and (found.key, found.board) == ("ashby", "acme")


def test_page_with_a_board_url_in_an_inline_script() -> None:
    html = page(
        '<script>window.__CONFIG__ = {"jobs": "https:\\/\\/jobs.lever.co\\/acme-eu?team=x"};'
        "</script>"
    )
    found = add.find_in_page(html, "https://acme.example/careers")
    assert found is not None and (found.key, found.board) == ("lever", "acme-eu")


def test_ties_go_to_the_first_board_on_the_page() -> None:
    html = page(
        '<a href="https://acme.recruitee.com/o/one">One</a>'
        '<a href="https://apply.workable.com/acme/j/AB12/">Two</a>'
    )
    found = add.find_in_page(html, "https://acme.example/careers")
    assert found is not None and found.key == "recruitee"


JOB_POSTING = {
    "@context": "https://schema.org",
    "@type": "JobPosting",
    "title": "Backend Engineer",
    "identifier": {"@type": "PropertyValue", "value": "be-1"},
    "datePosted": "2026-11-20",
    "url": "/careers/backend-engineer",
}


def jsonld_page(*postings: dict[str, Any]) -> bytes:
    blocks = "".join(
        f'<script type="application/ld+json">{json.dumps(p)}</script>' for p in postings
    )
    return page(f"{blocks}<h1>Join us</h1><a href='https://www.linkedin.com/company/acme'>in</a>")


def test_page_with_only_schema_org_data_is_read_as_jsonld() -> None:
    found = add.find_in_page(jsonld_page(JOB_POSTING), "https://acme.example/careers")
    assert found == Found("jsonld", "https://acme.example/careers", "json-ld", found.page)


def test_a_feed_is_read_as_a_feed() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Jobs</title></channel></rss>'
    found = add.find_in_page(body, "https://acme.example/jobs.rss")
    assert found is not None and (found.key, found.board) == (
        "feed",
        "https://acme.example/jobs.rss",
    )


def test_page_with_nothing_known() -> None:
    html = page(
        '<a href="https://www.greenhouse.io/blog">Blog</a><a href="https://lever.co">Lever</a>'
        '<ul><li class="job"><a href="/jobs/1">Engineer</a></li></ul>'
    )
    assert add.find_in_page(html, "https://acme.example/careers") is None
    hint = add.no_platform_message("https://acme.example/careers", "Acme")
    assert "html:" in hint and "url: https://acme.example/careers" in hint and "item:" in hint


# --- names and ids -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("Acme Robotics", ["acmerobotics", "acme-robotics", "acme"]),
        ("Acme Robotics, Inc.", ["acmerobotics", "acme-robotics", "acme"]),
        ("Stripe", ["stripe"]),
        ("Zürich Versicherung AG", ["zurichversicherung", "zurich-versicherung", "zurich"]),
        ("AT&T", ["att"]),
        ("O'Reilly Media", ["oreillymedia", "oreilly-media", "oreilly"]),
        ("GmbH", ["gmbh"]),
        ("---", []),
    ],
)
def test_slugs(name: str, ids: list[str]) -> None:
    assert add.slugs(name) == ids


@pytest.mark.parametrize(
    ("key", "board", "name"),
    [
        ("greenhouse", "acme", "Acme"),
        ("breezy", "safe-global", "Safe Global"),
        ("smartrecruiters", "AcmeCorp", "AcmeCorp"),
        ("workday", "autodesk.wd1/Ext", "Autodesk"),
        ("lever", "eu:acme", "Acme"),
        ("personio", "acme.jobs.personio.com", "Acme"),
        ("teamtailor", "acme.na", "Acme"),
        ("jsonld", "https://careers.acme.example/jobs", "Acme"),
        ("jsonld", "https://acme.applytojob.com/apply", "Acme"),
        ("workday", "wd1.myworkdaysite.com/acme/External", "Acme"),
        ("ashby", "pocket worlds", "Pocket Worlds"),
        ("icims", "careers-acme", "Acme"),
        ("eightfold", "apply.careers.acme.com/acme.com", "Acme"),
        ("avature", "careers.acme.example/en_US/careers", "Acme"),
        ("jsonld", "https://www.metacareers.com/jobs", "Meta"),
        ("jsonld", "https://lifeatacme.com/search", "Acme"),
        ("greenhouse", "jobs", "jobs"),
    ],
)
def test_default_name(key: str, board: str, name: str) -> None:
    assert add.default_name(key, board) == name


@pytest.mark.parametrize(
    ("key", "board"),
    [
        ("greenhouse", "acme"),
        ("lever", "acme"),
        ("lever", "eu:acme"),
        ("ashby", "acme"),
        ("workable", "acme"),
        ("teamtailor", "acme"),
        ("smartrecruiters", "AcmeCorp"),
        ("recruitee", "acme"),
        ("rippling", "acme"),
        ("bamboohr", "acme"),
        ("breezy", "acme"),
        ("workday", "acme.wd5/External"),
        ("workday", "wd1.myworkdaysite.com/acme/External"),
        ("ashby", "Pocket Worlds"),
        ("personio", "acme"),
        ("personio", "acme.jobs.personio.com"),
    ],
)
def test_board_urls_are_detected_back(key: str, board: str) -> None:
    if key not in REGISTRY:
        pytest.skip(f"{key} is not registered")
    url = add.board_url(key, board)
    assert url is not None
    found = detect(url)
    assert found is not None and (found.key, found.board) == (key, board)


def test_every_probed_platform_has_a_board_url() -> None:
    for source in add.probe_sources():
        assert add.board_url(source.key, source.example), source.key


# --- editing sites.yaml --------------------------------------------------------------------


def appended(original: str, new: str, lines: str) -> None:
    """`new` is `original` with `lines` inserted once, every other byte kept."""
    at = new.index(lines)
    assert new[:at] + new[at + len(lines) :] == original


def test_plan_appends_after_the_last_site_keeping_every_byte() -> None:
    draft = add.plan(SITES, "lever", "eu:acme", "Acme: Robotics", environ={})
    assert draft.lines == "  - name: 'Acme: Robotics'\n    lever: eu:acme\n"
    appended(SITES, draft.text, draft.lines)
    # right after the last site's last line, before the comments that follow it
    assert '"data scientist"]\n  - name:' in draft.text
    config = parse(draft.text, "sites.yaml", {})
    assert [(s.name, s.platform, s.board) for s in config.sites] == [
        ("Existing", "greenhouse", "existing"),
        ("Acme: Robotics", "lever", "eu:acme"),
    ]


def test_plan_writes_api_and_follows_the_file_indentation() -> None:
    text = "sites:\n- name: A\n  greenhouse: a\n"
    draft = add.plan(text, "ashby", "acme", "Acme", api="http://127.0.0.1:9", environ={})
    assert draft.text == text + "- name: Acme\n  ashby: acme\n  api: http://127.0.0.1:9\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "sites:\n  - name: Acme\n    greenhouse: acme\n"),
        ("", "sites:\n  - name: Acme\n    greenhouse: acme\n"),
        (
            "# nothing yet\ndefaults:\n  every: 1h",
            "# nothing yet\ndefaults:\n  every: 1h\nsites:\n  - name: Acme\n    greenhouse: acme\n",
        ),
        (
            "sites:\n  # add sites below\nchannels: {}\n",
            "sites:\n  - name: Acme\n    greenhouse: acme\n  # add sites below\nchannels: {}\n",
        ),
        (
            "sites:\r\n  - name: A\r\n    greenhouse: a  # crlf\r\n",
            "sites:\r\n  - name: A\r\n    greenhouse: a  # crlf\r\n"
            "  - name: Acme\r\n    greenhouse: acme\r\n",
        ),
        (
            "sites:\n  - name: A\n    greenhouse: a\n    notify:\n# c\n",
            "sites:\n  - name: A\n    greenhouse: a\n    notify:\n  - name: Acme\n"
            "    greenhouse: acme\n# c\n",
        ),
    ],
)
def test_plan_creates_or_extends_sites(text: str | None, expected: str) -> None:
    assert add.plan(text, "greenhouse", "acme", "Acme", environ={}).text == expected


def test_plan_after_a_block_scalar_keeps_its_text() -> None:
    text = (
        "sites:\n  - name: A\n    greenhouse: a\n    match:\n      title:\n"
        "        - |\n          # not a comment\n          engineer\n\n  # the end\n"
    )
    draft = add.plan(text, "greenhouse", "acme", "Acme", environ={})
    appended(text, draft.text, draft.lines)
    config = parse(draft.text, "sites.yaml", {})
    assert config.sites[0].match is not None
    assert config.sites[0].match.title == ["# not a comment\nengineer\n"]


def test_plan_with_a_flow_style_list_still_appends() -> None:
    draft = add.plan("sites: [{name: A, greenhouse: a}]\n", "lever", "acme", "Acme", environ={})
    assert [s.name for s in parse(draft.text, "sites.yaml", {}).sites] == ["A", "Acme"]


@pytest.mark.parametrize(
    ("key", "board", "name", "message"),
    [
        ("greenhouse", "acme", "existing", "a site named 'Existing' already exists"),
        ("greenhouse", "EXISTING", "Other", "'Existing' already watches greenhouse: EXISTING"),
    ],
)
def test_plan_refuses_duplicates(key: str, board: str, name: str, message: str) -> None:
    with pytest.raises(AddError, match=message) as error:
        add.plan(SITES, key, board, name, environ={})
    assert "sites.yaml:7" in error.value.message


def test_plan_refuses_same_lever_board_written_differently() -> None:
    text = "sites:\n  - name: A\n    lever: EU:acme\n"
    with pytest.raises(AddError, match="already watches"):
        add.plan(text, "lever", "eu:acme", "B", environ={})


def test_plan_refuses_a_result_that_does_not_validate() -> None:
    with pytest.raises(AddError, match="would not validate") as error:
        add.plan("sites:\n  - name: A\n    greenhous: a\n", "lever", "acme", "B", environ={})
    assert any("greenhous" in p for p in error.value.problems)
    with pytest.raises(AddError, match="needs a name"):
        add.plan(SITES, "lever", "acme", "  ", environ={})


def test_check_sites_reports_the_problems() -> None:
    with pytest.raises(AddError) as error:
        add.check_sites("sites:\n  - name: A\n    greenhous: a\n", "sites.yaml", {})
    assert any("did you mean 'greenhouse'" in p for p in error.value.problems)


def test_write_sites_keeps_the_mode_and_refuses_a_file_changed_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text("sites: []\n")
    path.chmod(0o640)
    add.write_sites(path, "sites: [{name: A, lever: a}]\n", "sites: []\n")
    assert path.read_text() == "sites: [{name: A, lever: a}]\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    with pytest.raises(AddError, match="changed while adding"):
        add.write_sites(path, "x: 1\n", "sites: []\n")
    assert path.read_text() == "sites: [{name: A, lever: a}]\n"
    assert [p.name for p in tmp_path.iterdir()] == ["sites.yaml"]


# --- through a local server ----------------------------------------------------------------


def add_url(url: str, path: Path, **kwargs: Any) -> add.Added:
    return run(with_fetcher(lambda f: add.add_url(url, path, f, NOW, environ={}, **kwargs)))


def test_add_a_board_url_reads_it_through_the_api_and_appends(tmp_path: Path, server) -> None:
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer"), gh_job(2, "Designer")])
    path = tmp_path / "sites.yaml"
    path.write_text(SITES)
    added = add_url("https://job-boards.greenhouse.io/acme/jobs/1", path, api=server.url)
    assert added.read == add.TestRead(2)
    assert added.written and added.name == "Acme"
    assert added.plan.lines == f"  - name: Acme\n    greenhouse: acme\n    api: {server.url}\n"
    appended(SITES, path.read_text(), added.plan.lines)
    assert [s.path for s in server.seen] == ["/v1/boards/acme/jobs?content=true"]


def test_add_a_board_that_does_not_exist_changes_nothing(tmp_path: Path, server) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text(SITES)
    with pytest.raises(AddError, match="test read of greenhouse: nope failed: HTTP 404"):
        add_url("https://boards.greenhouse.io/nope", path, api=server.url)
    assert path.read_text() == SITES


def test_add_a_company_page_finds_its_embedded_board(tmp_path: Path, server) -> None:
    server.routes["/careers"] = Reply(
        200,
        page(
            '<script src="https://boards.greenhouse.io/embed/job_board/js?for=acme"></script>'
            '<a href="https://boards.greenhouse.io/acme/jobs/1">Engineer</a>'
        ),
        {"Content-Type": "text/html; charset=utf-8"},
    )
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    path = tmp_path / "sites.yaml"
    added = add_url(f"{server.url}/careers", path, api=server.url, name="Acme Robotics")
    assert (added.found.key, added.found.board, added.found.via) == ("greenhouse", "acme", "link")
    assert added.read == add.TestRead(1) and added.created
    assert path.read_text() == (
        f"sites:\n  - name: Acme Robotics\n    greenhouse: acme\n    api: {server.url}\n"
    )
    assert len(server.requests_to("/careers")) == 1


def test_add_a_page_with_schema_org_postings(tmp_path: Path, server) -> None:
    second = {**JOB_POSTING, "title": "Designer", "identifier": "de-2"}
    server.routes["/careers"] = Reply(
        200, jsonld_page(JOB_POSTING, second), {"Content-Type": "text/html"}
    )
    path = tmp_path / "sites.yaml"
    path.write_text(SITES)
    added = add_url(f"{server.url}/careers", path, name="Acme")
    assert (added.found.key, added.found.via) == ("jsonld", "json-ld")
    assert added.read == add.TestRead(2)
    assert added.plan.lines == f"  - name: Acme\n    jsonld: {server.url}/careers\n"
    appended(SITES, path.read_text(), added.plan.lines)


def test_add_a_page_on_no_known_platform_says_what_to_write(tmp_path: Path, server) -> None:
    server.routes["/careers"] = Reply(
        200, page('<ul><li class="job"><a href="/jobs/1">Engineer</a></li></ul>'), {}
    )
    path = tmp_path / "sites.yaml"
    path.write_text(SITES)
    with pytest.raises(AddError, match="found no job board on") as error:
        add_url(f"{server.url}/careers", path)
    assert f"url: {server.url}/careers" in error.value.message
    assert path.read_text() == SITES


@pytest.mark.parametrize(
    ("route", "message"),
    [("/missing", "HTTP 404: no such page"), ("/boom", "HTTP 500")],
)
def test_add_a_page_that_cannot_be_read(tmp_path: Path, server, route: str, message: str) -> None:
    server.routes["/boom"] = Reply(500, "boom")
    path = tmp_path / "sites.yaml"
    with pytest.raises(AddError, match=message):
        add_url(f"{server.url}{route}", path)
    assert not path.exists()


def test_add_an_unreachable_page(tmp_path: Path) -> None:
    with pytest.raises(AddError, match=r"could not read .*connection refused"):
        add_url(f"http://127.0.0.1:{closed_port()}/careers", tmp_path / "sites.yaml")


def test_dry_run_reads_the_board_but_writes_nothing(tmp_path: Path, server) -> None:
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    path = tmp_path / "sites.yaml"
    path.write_text(SITES)
    added = add_url("https://boards.greenhouse.io/acme", path, api=server.url, dry_run=True)
    assert added.read == add.TestRead(1) and not added.written
    assert path.read_text() == SITES
    with pytest.raises(AddError, match="test read of greenhouse: nope failed: HTTP 404"):
        add_url("https://boards.greenhouse.io/nope", path, api=server.url, dry_run=True)


def test_offline_dry_run_of_a_board_url_makes_no_request(tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text(SITES)
    added = run(
        add.add_url("https://jobs.eu.lever.co/acme/x", path, None, NOW, dry_run=True, environ={})
    )
    assert added.read is None and not added.written
    assert added.plan.lines == "  - name: Acme\n    lever: eu:acme\n"
    assert path.read_text() == SITES


# --- probing a company's name --------------------------------------------------------------


def lever_posting(posting_id: str) -> dict[str, Any]:
    return {"id": posting_id, "text": "Engineer", "hostedUrl": "https://jobs.lever.co/acme/1"}


def test_probe_lists_the_boards_that_exist(server) -> None:
    serve_greenhouse(server, "acmerobotics", [gh_job(i, f"Role {i}") for i in range(1, 4)])
    server.routes["/v0/postings/acme"] = Reply(200, [lever_posting("a"), lever_posting("b")])
    server.routes["/posting-api/job-board/acme-robotics"] = Reply(500, {"error": "boom"})
    report = run(
        with_fetcher(
            lambda f: add.probe("Acme Robotics, Inc.", f, NOW, api_for=lambda key: server.url)
        )
    )
    assert report.tried == ("acmerobotics", "acme-robotics", "acme")
    assert [(p.key, p.board, p.openings) for p in report.found] == [
        ("greenhouse", "acmerobotics", 3),
        ("lever", "acme", 2),
    ]
    assert [(p.key, p.board, p.error) for p in report.failed] == [
        ("ashby", "acme-robotics", "HTTP 500")
    ]
    assert report.found[0].url == "https://boards.greenhouse.io/acmerobotics"
    platforms = add.probe_sources()
    assert {s.label for s in platforms} == set(report.platforms)
    assert all(s.answers_unknown for s in platforms)
    assert len(server.seen) <= 3 * len(platforms)


def test_probe_finds_nothing(server) -> None:
    report = run(with_fetcher(lambda f: add.probe("Acme", f, NOW, api_for=lambda k: server.url)))
    assert report.found == () and report.failed == () and report.tried == ("acme",)


# --- the command ---------------------------------------------------------------------------


def watcher(path: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["add", *args, "--config", str(path)])


@pytest.fixture
def sites(tmp_path: Path) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_bytes(SITES.encode())
    path.chmod(0o600)
    return path


def untouched(path: Path, mtime: int) -> bool:
    return path.read_bytes() == SITES.encode() and path.stat().st_mtime_ns == mtime


def test_command_adds_after_a_test_read(sites: Path, server: LocalServer) -> None:
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer"), gh_job(2, "Designer")])
    result = watcher(sites, "https://boards.greenhouse.io/acme", "--api", server.url)
    assert result.exit_code == 0, result.output
    assert "test read of Greenhouse board acme: 2 openings" in result.output
    lines = f"  - name: Acme\n    greenhouse: acme\n    api: {server.url}\n"
    assert f"added to {sites}:\n{lines}" in result.output
    appended(SITES, sites.read_text(), lines)
    assert stat.S_IMODE(sites.stat().st_mode) == 0o600
    validated = CliRunner().invoke(cli, ["validate", "--config", str(sites)])
    assert validated.exit_code == 0 and "2 sites" in validated.output


def test_command_offline_dry_run_prints_the_entry_and_makes_no_request(
    sites: Path, server: LocalServer
) -> None:
    mtime = sites.stat().st_mtime_ns
    result = watcher(
        sites,
        "https://acme.wd5.myworkdayjobs.com/en-US/External/job/Berlin/Engineer_R1",
        "--dry-run",
        "--offline",
        "--name",
        "Acme Corp",
        "--api",
        server.url,
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"  - name: Acme Corp\n    workday: acme.wd5/External\n    api: {server.url}\n"
    )
    assert "dry run" in result.stderr
    assert server.seen == []
    assert untouched(sites, mtime)


def test_command_dry_run_says_when_the_board_does_not_exist(
    sites: Path, server: LocalServer
) -> None:
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    mtime = sites.stat().st_mtime_ns
    result = watcher(sites, "https://boards.greenhouse.io/acme", "--dry-run", "--api", server.url)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"  - name: Acme\n    greenhouse: acme\n    api: {server.url}\n"
    assert "test read of Greenhouse board acme: 1 opening" in result.stderr
    result = watcher(sites, "https://boards.greenhouse.io/nope", "--dry-run", "--api", server.url)
    assert result.exit_code == 2
    assert "test read of greenhouse: nope failed: HTTP 404" in result.stderr
    assert [s.path for s in server.seen] == [
        "/v1/boards/acme/jobs?content=true",
        "/v1/boards/nope/jobs?content=true",
    ]
    assert untouched(sites, mtime)


def test_command_lists_the_boards_a_company_name_finds(sites: Path, server: LocalServer) -> None:
    server.routes["/v0/postings/acme-robotics"] = Reply(200, [lever_posting("a")])
    mtime = sites.stat().st_mtime_ns
    result = watcher(sites, "Acme Robotics", "--api", server.url)
    assert result.exit_code == 0, result.output
    assert "tried acmerobotics, acme-robotics, acme on Greenhouse" in result.output
    assert "Lever" in result.output and "acme-robotics" in result.output
    assert "1 opening " in result.output and "https://jobs.lever.co/acme-robotics" in result.output
    assert "watcher add URL --name 'Acme Robotics'" in result.output
    assert untouched(sites, mtime)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://acme.example/jobs"], "is not a web address"),
        (["acme/careers"], "neither a URL"),
        (["Acme Robotics"], "found no board for 'Acme Robotics'"),
        (["{server}/nothing"], "HTTP 404: no such page"),
        (["{server}/plain"], "found no job board on"),
        (["http://127.0.0.1:{closed}/careers"], "connection refused"),
        (["https://boards.greenhouse.io/existing"], "already watches greenhouse: existing"),
        (["https://boards.greenhouse.io/acme", "--name", "EXISTING"], "already exists"),
        (["https://boards.greenhouse.io/gone"], "test read of greenhouse: gone failed: HTTP 404"),
    ],
)
def test_command_bad_input_exits_2_and_leaves_the_file(
    sites: Path, server: LocalServer, args: list[str], message: str
) -> None:
    server.routes["/plain"] = Reply(200, page("<p>We are hiring!</p>"), {})
    mtime = sites.stat().st_mtime_ns
    args = [a.format(server=server.url, closed=closed_port()) for a in args]
    result = watcher(sites, *args, "--api", server.url)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert untouched(sites, mtime)
    assert [p.name for p in sites.parent.iterdir()] == ["sites.yaml"]


def test_command_refuses_a_broken_sites_file_before_any_request(
    tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text("sites:\n  - name: A\n    greenhous: a\n")
    result = watcher(path, f"{server.url}/careers")
    assert result.exit_code == 2
    assert "fix them first" in result.stderr and "did you mean 'greenhouse'" in result.stderr
    assert server.seen == []


def test_command_without_a_file_creates_one(tmp_path: Path, server: LocalServer) -> None:
    serve_greenhouse(server, "acme", [])
    path = tmp_path / "conf" / "sites.yaml"
    result = watcher(path, "boards.greenhouse.io/acme", "--api", server.url)
    assert result.exit_code == 0, result.output
    assert "0 openings" in result.output and f"created {path}" in result.output
    assert path.read_text().startswith("sites:\n  - name: Acme\n    greenhouse: acme\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
