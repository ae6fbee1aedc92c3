"""`watcher serve`: each page on a real database written by `watcher check` (boards served
by a local server), asked through the app in process; the trust rules (Host, CSRF,
headers, escaping, sign-in); the Add and mark flows; the pid file the daemon is told by."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import Project, gh_job, serve_greenhouse
from watcher import config as config_mod
from watcher import pidfile
from watcher.store import Store
from watcher.web import views
from watcher.web.app import Services, Settings, create_app
from watcher.web.trust import hash_token

HOSTILE = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'


def stored(tmp_path: Path, server: Any, check: Callable[[Project], int]) -> Project:
    """Acme (read twice: a baseline, then 2 new postings, one with a hostile title and a
    javascript: link) and Beta (read once, then failing), as `watcher check` stores them;
    `check` runs it and says its exit code."""
    p = Project(tmp_path, server)
    acme = [gh_job(i, f"Engineer {i}", "Berlin") for i in range(1, 4)]
    serve_greenhouse(server, "acme", acme)
    serve_greenhouse(server, "beta", [gh_job(50, "Designer", "Lisbon")])
    p.write(
        "# my companies\n"
        "defaults:\n"
        "  match:\n"
        "    title: [engineer, designer]\n"
        "sites:\n"
        f"  - {{name: Acme, greenhouse: acme, api: '{server.url}'}}  # the first\n"
        f"  - {{name: Beta, greenhouse: beta, api: '{server.url}'}}\n"
    )
    assert check(p) == 0
    acme += [
        gh_job(4, "Staff Engineer", "Remote"),
        gh_job(5, HOSTILE + " Engineer", "Paris", absolute_url="javascript:alert(1)"),
    ]
    serve_greenhouse(server, "acme", acme)
    del server.routes["/v1/boards/beta/jobs"]
    # times are stored to the second (truncated): the next read in the next second
    time.sleep(1.01 - time.time() % 1)
    assert check(p) == 3
    return p


@pytest.fixture
def project(tmp_path: Path, server: Any) -> Project:
    return stored(tmp_path, server, lambda p: p.run("check").exit_code)


class Page:
    """The app over the project's database, and a client to ask it."""

    def __init__(self, project: Project, settings: Settings | None = None, **services: Any):
        self.store = Store(project.db, create=False)
        self.reloads: list[str] = []

        def reload() -> str:
            self.reloads.append("reload")
            return "The daemon re-read it."

        self.app = create_app(
            settings or Settings(config_path=project.config),
            Services(
                self.store, lambda: config_mod.load(project.config), reload=reload, **services
            ),
        )

    async def __aenter__(self) -> httpx.AsyncClient:
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://127.0.0.1:8787"
        )
        return self.client

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        self.store.close()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert found, "no CSRF token in the form"
    return found.group(1)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_every_page_shows_what_check_stored(project: Project) -> None:
    async def go() -> None:
        async with Page(project) as client:
            new = await client.get("/new")
            assert new.status_code == 200
            assert "Engineer 4" not in new.text  # its title is Staff Engineer
            assert "Staff Engineer" in new.text and "title: engineer" in new.text
            assert "Engineer 1" not in new.text  # the baseline is not "new"
            openings = await client.get("/openings")
            assert all(f"Engineer {i}" in openings.text for i in (1, 2, 3))
            assert "Designer" in openings.text and "6 postings" in openings.text
            found = await client.get("/openings", params={"q": "staff", "status": "all"})
            assert "Staff Engineer" in found.text and "Engineer 1<" not in found.text
            companies = await client.get("/companies")
            # the failing board first, with its error
            assert companies.text.index(">Beta<") < companies.text.index(">Acme<")
            assert "failing" in companies.text and "HTTP 404" in companies.text
            company = await client.get("/company", params={"site": "Acme"})
            assert company.status_code == 200 and "Staff Engineer" in company.text
            assert 'src="/chart/open.svg?site=Acme&amp;theme=light"' in company.text
            for kind in ("open", "weekly"):
                chart = await client.get(f"/chart/{kind}.svg", params={"site": "Acme"})
                assert chart.status_code == 200 and chart.text.startswith("<svg")
                assert chart.headers["content-type"] == "image/svg+xml"
                assert "script-src" not in chart.headers["content-security-policy"]
            posting = await client.get("/posting", params={"site": "Acme", "id": "4"})
            assert "Staff Engineer" in posting.text and "Build things." in posting.text
            assert 'href="https://boards.greenhouse.io/acme/jobs/4"' in posting.text
            assert (await client.get("/applications")).status_code == 200
            assert (await client.get("/add")).status_code == 200
            assert (await client.get("/company", params={"site": "Nope"})).status_code == 404
            assert (await client.get("/no-such-page")).status_code == 404

    run(go())


def test_hostile_titles_and_links_are_text(project: Project) -> None:
    async def go() -> None:
        async with Page(project) as client:
            for url in ("/new", "/openings", "/company?site=Acme", "/posting?site=Acme&id=5"):
                page = await client.get(url)
                assert page.status_code == 200
                assert "<script>alert" not in page.text and "<img src=x" not in page.text
                assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in page.text
                assert 'href="javascript:' not in page.text
                assert "<script" not in page.text  # no script of ours either

    run(go())


def test_headers_and_host_check(project: Project) -> None:
    async def go() -> None:
        async with Page(project) as client:
            page = await client.get("/openings")
            csp = page.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
            assert "unsafe-inline" not in csp
            assert page.headers["x-frame-options"] == "DENY"
            assert page.headers["x-content-type-options"] == "nosniff"
            assert page.headers["referrer-policy"] == "same-origin"
            # DNS rebinding: a page of evil.example resolving to 127.0.0.1
            evil = await client.get("/openings", headers={"host": "evil.example:8787"})
            assert evil.status_code == 421 and "Staff" not in evil.text
            assert (await client.get("/new", headers={"host": "localhost:8787"})).status_code == 200

    run(go())


def test_marking_an_application_needs_the_form_token(project: Project) -> None:
    async def go() -> None:
        async with Page(project) as client:
            page = await client.get("/posting", params={"site": "Acme", "id": "4"})
            token = csrf_of(page.text)
            form = {"site": "Acme", "id": "4", "stage": "applied", "note": "via the page"}
            refused = await client.post("/posting/mark", data={**form, "csrf": "0" * 64})
            assert refused.status_code == 403
            cross = await client.post(
                "/posting/mark",
                data={**form, "csrf": token},
                headers={"origin": "http://evil.example"},
            )
            assert cross.status_code == 403
            done = await client.post("/posting/mark", data={**form, "csrf": token})
            assert done.status_code == 303
            shown = await client.get(done.headers["location"])
            assert "Marked applied" in shown.text and "via the page" in shown.text
            apps = await client.get("/applications")
            assert "Staff Engineer" in apps.text and "applied" in apps.text
            future = await client.post(
                "/posting/mark",
                data={**form, "stage": "rejected", "on": "2999-01-01", "csrf": token},
            )
            assert future.status_code == 400 and "in the future" in future.text

    run(go())
    store = Store(project.db, create=False)
    app = store.application_of("Acme", "4")
    store.close()
    assert app is not None and app.stage == "applied"


def test_add_previews_then_writes_through_watcher_add(project: Project, server: Any) -> None:
    serve_greenhouse(server, "gamma", [gh_job(i, f"Role {i}") for i in range(7)])
    before = project.config.read_text()

    async def go() -> None:
        async with Page(project) as client:
            token = csrf_of((await client.get("/add")).text)
            form = {"target": "https://boards.greenhouse.io/gamma", "api": server.url}
            preview = await client.post("/add", data={**form, "csrf": token})
            assert preview.status_code == 200
            assert "7 openings" in preview.text and "would be added" in preview.text
            assert "greenhouse: gamma" in preview.text
            assert project.config.read_text() == before  # a dry run
            done = await client.post(
                "/add", data={**form, "name": "Gamma", "confirm": "1", "csrf": token}
            )
            assert "Added <strong>Gamma</strong>" in done.text
            assert "The daemon re-read it." in done.text
            again = await client.post("/add", data={**form, "csrf": token})
            assert "already" in again.text
            bad = await client.post("/add", data={"target": "ftp://x", "csrf": token})
            assert 'class="notice error"' in bad.text

    run(go())
    after = project.config.read_text()
    assert after.startswith(before.rstrip("\n"))  # comments and layout kept
    assert "# the first" in after and "greenhouse: gamma" in after
    assert config_mod.load(project.config).site("Gamma") is not None


def test_a_token_guards_every_page(project: Project) -> None:
    token = "correct horse battery staple"
    settings = Settings(token_hash=hash_token(token), config_path=project.config)

    async def go() -> None:
        async with Page(project, settings) as client:
            page = await client.get("/openings?q=x")
            assert page.status_code == 303
            assert page.headers["location"] == "/login?next=%2Fopenings%3Fq%3Dx"
            assert (await client.get("/chart/open.svg?site=Acme")).status_code == 303
            form = (await client.get("/login")).text
            wrong = await client.post("/login", data={"token": "guess", "csrf": csrf_of(form)})
            assert wrong.status_code == 401 and "Staff" not in wrong.text
            right = await client.post(
                "/login",
                data={"token": token, "csrf": csrf_of(form), "next": "//evil.example/"},
            )
            assert right.status_code == 303 and right.headers["location"] == "/"
            assert "HttpOnly" in right.headers["set-cookie"]
            assert "SameSite=Strict" in right.headers["set-cookie"]
            assert (await client.get("/openings")).status_code == 200
            out = await client.post("/logout", data={"csrf": csrf_of(form)})
            assert out.status_code == 303
            assert (await client.get("/openings")).status_code == 303

    run(go())


def test_views_without_a_server(project: Project) -> None:
    """The views are plain functions over the store and the config."""
    from watcher.cycle import utcnow

    store = Store(project.db, create=False)
    config = config_mod.load(project.config)
    try:
        new = views.new_page(store, config, utcnow(), {"days": "7"})
        assert [g.site for g in new["groups"]] == ["Acme"]
        titles = [p["title"] for p in new["groups"][0].postings]
        assert "Staff Engineer" in titles and len(titles) == 2
        everything = views.new_page(store, None, utcnow(), {"days": "500"})
        assert everything["days"] == views.MAX_DAYS and not everything["filtered"]
        rows = views.companies_page(store, config, utcnow().date())["rows"]
        assert [r["name"] for r in rows] == ["Beta", "Acme"]
        assert rows[0]["health"] == "failing" and rows[1]["open"] == 5
    finally:
        store.close()
    assert views.safe_url("javascript:alert(1)") is None
    assert views.safe_url(" https://x.example/a ") == "https://x.example/a"
    assert views.safe_url("https://") is None and views.safe_url(None) is None


def test_serve_refuses_to_be_reached_from_elsewhere_without_a_token(project: Project) -> None:
    os.environ.pop("WATCHER_WEB_TOKEN", None)
    remote = project.run("serve", "--host", "0.0.0.0", "--port", "0")
    assert remote.exit_code == 2 and "--allow-remote" in remote.output
    no_token = project.run("serve", "--host", "0.0.0.0", "--allow-remote", "--port", "0")
    assert no_token.exit_code == 2 and "token" in no_token.output
    short = project.root / "token"
    short.write_text("abc")
    weak = project.run("serve", "--token-file", str(short), "--port", "0")
    assert weak.exit_code == 2 and "too short" in weak.output


def test_the_pid_file_names_a_running_daemon_only(tmp_path: Path) -> None:
    path = pidfile.beside(tmp_path / "watcher.db")
    assert path.name == "watcher.db.pid"
    assert pidfile.signal_holder(path) is None  # none
    heard: list[int] = []
    previous = signal.signal(signal.SIGUSR1, lambda signum, frame: heard.append(signum))
    try:
        with pidfile.hold(path):
            assert pidfile.signal_holder(path, signal.SIGUSR1) == os.getpid()
        assert heard == [signal.SIGUSR1]
        assert not path.exists()
        path.write_text("1\n")  # left by a daemon that died: nobody holds its lock
        assert pidfile.signal_holder(path, signal.SIGUSR1) is None
    finally:
        signal.signal(signal.SIGUSR1, previous)
