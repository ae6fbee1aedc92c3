"""The directory of well-known employers: its data (every entry a valid site, built from
a real link), name lookups (aliases, accents, case, legal forms) and `watcher add NAME`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import FIXTURES
from tests.servers import LocalServer
from tests.sources.test_tesla import serve_tesla
from tests.test_browser import needs_chromium
from watcher import add, directory
from watcher.cli import cli
from watcher.config import parse
from watcher.fetch import Fetcher
from watcher.sources import REGISTRY, detect

ENTRIES = directory.entries()


def test_the_directory_is_large_and_every_entry_is_supported() -> None:
    assert len(ENTRIES) >= 300
    unsupported = [(c.name, c.key) for c in ENTRIES if not c.supported]
    assert unsupported == []


def test_every_directory_entry_validates_as_a_site() -> None:
    entries = [add.site_entry(c.key, c.board, c.name, render=c.render) for c in ENTRIES]
    draft = add.plan_sites(None, entries, environ={})
    config = parse(draft.text, "sites.yaml", {})
    assert [s.name for s in config.sites] == [c.name for c in ENTRIES]
    for site, company in zip(config.sites, ENTRIES, strict=True):
        assert (site.platform, site.render) == (company.key, company.render)
        site.source().first_request()  # the site's first request can be built


def test_every_entry_says_where_its_board_comes_from() -> None:
    for company in ENTRIES:
        assert company.link.startswith("https://"), company.name
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", company.checked), company.name
        assert company.source == "the company's own careers site" or re.search(
            r"^[\w.-]+/[\w.-]+, .+, commit [0-9a-f]{40}$", company.source
        ), company.name


def test_each_link_names_the_board_its_entry_gives() -> None:
    """The board was read from the link, not guessed: offline detection of the link gives
    it back (links on companies' own domains need their page: they detect as nothing)."""
    on_own_domains = []
    for company in ENTRIES:
        found = detect(company.link)
        if found is None:
            on_own_domains.append(company.name)
            continue
        assert found.key == company.key, company.name
        board = REGISTRY[company.key].check_board(company.board)
        assert add.same_board(found.board) == add.same_board(board), company.name
    assert len(on_own_domains) <= 5, on_own_domains


def test_names_and_aliases_are_unambiguous() -> None:
    seen: dict[str, str] = {}
    for company in ENTRIES:
        for name in (company.name, *company.aliases):
            folded = directory.fold_name(name)
            assert folded, name
            assert seen.setdefault(folded, company.name) == company.name, name
    names = [c.name.casefold() for c in ENTRIES]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nestlé", "nestle"),
        ("  NESTLE S.A. ", "nestle"),
        ("JPMorgan Chase & Co.", "jpmorganchase"),
        ("J.P. Morgan", "jpmorgan"),
        ("The Walt Disney Company", "waltdisney"),
        ("Procter and Gamble", "proctergamble"),
        ("AT&T Inc.", "att"),
        ("McDonald's", "mcdonalds"),
        ("The", "the"),
        ("---", ""),
    ],
)
def test_fold_name(text: str, folded: str) -> None:
    assert directory.fold_name(text) == folded


@pytest.mark.parametrize(
    ("name", "company"),
    [
        ("Google", "Google"),
        ("alphabet", "Google"),
        ("GOOGLE", "Google"),
        ("Meta", "Meta"),
        ("Facebook", "Meta"),
        ("facebook, inc.", "Meta"),
        ("JPMorgan Chase", "JPMorgan Chase"),
        ("JP Morgan", "JPMorgan Chase"),
        ("J.P. Morgan", "JPMorgan Chase"),
        ("JPMC", "JPMorgan Chase"),
        ("Chase", "JPMorgan Chase"),
        ("nvidia", "NVIDIA"),
        ("NVIDIA Corporation", "NVIDIA"),
        ("Össur", "Össur"),
        ("ossur", "Össur"),
        ("pokemon", "The Pokémon Company International"),
        ("Walt Disney", "The Walt Disney Company"),
        ("P&G", "Procter & Gamble"),
        ("procter and gamble", "Procter & Gamble"),
        ("Bank of Montreal", "BMO"),
        ("AWS", "Amazon"),
        ("Tesla Motors", "Tesla"),
    ],
)
def test_lookup(name: str, company: str) -> None:
    found = directory.lookup(name)
    assert found is not None and found.name == company


@pytest.mark.parametrize("name", ["", "   ", "Acme Robotics", "Goog", "Teslas"])
def test_lookup_misses(name: str) -> None:
    assert directory.lookup(name) is None


@pytest.mark.parametrize(
    ("name", "key", "board"),
    [
        ("Google", "google", "all"),
        ("Apple", "apple", "all"),
        ("Amazon", "amazon", "all"),
        ("Meta", "meta", "all"),
        ("TikTok", "tiktok", "all"),
        ("ByteDance", "bytedance", "all"),
        ("Uber", "uber", "all"),
        ("Tesla", "tesla", "all"),
        ("Microsoft", "eightfold", "apply.careers.microsoft.com/microsoft.com"),
        ("Netflix", "eightfold", "explore.jobs.netflix.net/netflix.com"),
        ("Nvidia", "workday", "nvidia.wd5/NVIDIAExternalCareerSite"),
        ("JPMorgan Chase", "oracle", "jpmc.fa/CX_1001"),
        ("Morgan Stanley", "workday", "ms.wd5/external"),
        ("Stripe", None, None),
    ],
)
def test_the_big_names(name: str, key: str | None, board: str | None) -> None:
    found = directory.lookup(name)
    if key is None:  # not in the directory: `watcher add` probes the slug as before
        assert found is None
        return
    assert found is not None and (found.key, add.display_board(found.board)) == (key, board)


def test_only_tesla_needs_a_browser() -> None:
    assert [(c.name, c.render) for c in ENTRIES if c.render != "plain"] == [("Tesla", "browser")]
    tesla = directory.lookup("tesla")
    assert tesla is not None and "careers-watcher[browser]" in tesla.note


UNREADABLE = {
    "companies": [],
    "unreadable": [
        {
            "name": "Globex",
            "aliases": ["Globex Corporation"],
            "link": "https://globex.example/careers",
            "why": "its careers site answers only a logged-in browser",
        }
    ],
}


@pytest.fixture
def unreadable_globex(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(directory, "_document", lambda: UNREADABLE)
    directory._unreadable.cache_clear()
    yield
    directory._unreadable.cache_clear()


def test_an_unreadable_employer_says_why(unreadable_globex: None) -> None:
    why = directory.unreadable("globex corp")
    assert why == (
        "Globex: its careers site answers only a logged-in browser (https://globex.example/careers)"
    )
    assert directory.unreadable("Google") is None


def test_an_entry_for_a_platform_not_registered_yet_is_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = {
        "companies": [
            {"name": "Acme", "aliases": ["Acme Corp"], "greenhouse": "acme", "link": "x"},
            {"name": "Later", "notaplatform": "later", "link": "y"},
        ]
    }
    parsed = directory.parse(data)
    assert [(c.name, c.supported) for c in parsed] == [("Acme", True), ("Later", False)]
    monkeypatch.setattr(directory, "entries", lambda: tuple(parsed))
    directory._index.cache_clear()
    try:
        assert directory.lookup("acme corp") is not None
        assert directory.lookup("Later") is None
        assert [c.name for c in directory.search("")] == ["Acme"]
    finally:
        directory._index.cache_clear()


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"companies": {}},
        {"companies": [{"name": "A"}]},
        {"companies": [{"name": "A", "greenhouse": "a", "lever": "a"}]},
        {"companies": [{"greenhouse": "a"}]},
        {"companies": [{"name": "A", "greenhouse": "a", "aliases": "B"}]},
        {"companies": [{"name": "A", "greenhouse": "a", "render": "chrome"}]},
    ],
)
def test_a_malformed_directory_is_refused(data: Any) -> None:
    with pytest.raises(ValueError):
        directory.parse(data)


def test_search() -> None:
    banks = directory.search("bank")
    assert banks and all(
        any("bank" in directory.fold_name(n) for n in (c.name, *c.aliases)) for c in banks
    )
    assert [c.name for c in banks] == sorted((c.name for c in banks), key=directory.fold_name)
    assert {c.key for c in directory.search("eightfold")} == {"eightfold"}
    assert len(directory.search("")) == len(ENTRIES)
    assert directory.search("no such employer") == []


# --- the command ------------------------------------------------------------------------------


def watcher(path: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["add", *args, "--config", str(path)])


@pytest.fixture
def sites(tmp_path: Path) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text("sites:\n  - name: Existing\n    greenhouse: existing\n")
    return path


@pytest.fixture
def no_fetcher(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Fetcher, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("a Fetcher was made")

    monkeypatch.setattr(Fetcher, "__init__", refuse)


def test_add_a_known_employer_offline(sites: Path, no_fetcher: None) -> None:
    result = watcher(sites, "alphabet", "--offline")
    assert result.exit_code == 0, result.output
    assert "Google: in the directory of known employers (google: all, from https://" in (
        result.stdout
    )
    assert "note: the whole Google careers site" in result.stdout
    assert sites.read_text().endswith("  - name: Google\n    google: all\n")


def test_add_several_known_employers_at_once(sites: Path, no_fetcher: None) -> None:
    result = watcher(sites, "JP Morgan", "JPMC", "nvidia", "Acme Robotics", "--offline", "--json")
    assert result.exit_code == 0, result.output
    got = [(i["status"], i["name"], i["board"]) for i in json.loads(result.stdout)]
    assert got == [
        ("added", "JPMorgan Chase", "jpmc.fa/CX_1001"),
        ("added", "JPMorgan Chase", "jpmc.fa/CX_1001"),
        ("added", "NVIDIA", "nvidia.wd5/NVIDIAExternalCareerSite"),
        ("unrecognised", None, None),
    ]
    config = parse(sites.read_text(), "sites.yaml", {})
    assert [(s.name, s.platform) for s in config.sites] == [
        ("Existing", "greenhouse"),
        ("JPMorgan Chase", "oracle"),
        ("NVIDIA", "workday"),
    ]


def test_a_name_not_in_the_directory_is_not_probed_offline(sites: Path, no_fetcher: None) -> None:
    result = watcher(sites, "Acme Robotics", "--offline")
    assert result.exit_code == 2
    assert "not in the directory of known employers" in result.stderr


def test_an_unreadable_employer_is_not_probed(
    sites: Path, no_fetcher: None, unreadable_globex: None
) -> None:
    result = watcher(sites, "Globex")
    assert result.exit_code == 2 and "answers only a logged-in browser" in result.stderr


def test_add_tesla_offline_reads_it_in_a_browser(sites: Path, no_fetcher: None) -> None:
    result = watcher(sites, "Tesla Motors", "--offline")
    assert result.exit_code == 0, result.output
    assert "Tesla: in the directory of known employers (tesla: all, from https://" in result.stdout
    assert "pip install 'careers-watcher[browser]'" in result.stdout
    assert sites.read_text().endswith("  - name: Tesla\n    tesla: all\n    render: browser\n")
    (site,) = [s for s in parse(sites.read_text(), "sites.yaml", {}).sites if s.name == "Tesla"]
    assert (site.platform, site.render) == ("tesla", "browser")


@needs_chromium
def test_add_tesla_test_reads_it_in_the_browser(sites: Path, server: LocalServer) -> None:
    serve_tesla(server, json.loads((FIXTURES / "tesla" / "state.json").read_text()))
    result = watcher(sites, "Tesla", "--api", server.url)
    assert result.exit_code == 0, result.output
    assert "test read of Tesla board all: 8 openings" in result.stdout
    assert sites.read_text().endswith(
        f"  - name: Tesla\n    tesla: all\n    api: {server.url}\n    render: browser\n"
    )
    (asked,) = server.requests_to("/cua-api/apps/careers/state")
    assert "bm_sz=granted" in asked.headers["cookie"]  # from the page of its origin
    assert [s.path for s in server.seen if "/careers/job/" in s.path] == []  # no details


def test_add_tesla_without_chromium_says_what_to_install(
    sites: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = sites.read_text()
    monkeypatch.setenv("WATCHER_BROWSER", str(tmp_path / "no-chromium"))
    result = watcher(sites, "Tesla", "--api", server.url)
    assert result.exit_code == 2
    assert "test read of tesla: all failed: render: browser: no Chromium at" in result.stderr
    assert sites.read_text() == before and server.seen == []


def test_list_known(sites: Path, no_fetcher: None) -> None:
    result = watcher(sites, "--list-known", "bank")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1].startswith(f"{len(directory.search('bank'))} companies matching 'bank'")
    assert any(line.startswith("BMO ") and "(also Bank of Montreal)" in line for line in lines)
    everything = watcher(sites, "--list-known")
    assert f"{len(ENTRIES)} companies: `watcher add NAME` adds one" in everything.stdout
    as_json = json.loads(watcher(sites, "--list-known", "netflix", "--json").stdout)
    assert as_json == [
        {
            "name": "Netflix",
            "aliases": [],
            "platform": "eightfold",
            "board": "explore.jobs.netflix.net/netflix.com",
            "link": "https://explore.jobs.netflix.net/careers",
            "note": directory.lookup("Netflix").note,  # type: ignore[union-attr]
        }
    ]
    nothing = watcher(sites, "--list-known", "zzz-no-such")
    assert nothing.exit_code == 0 and "no company in the directory matches" in nothing.stderr
