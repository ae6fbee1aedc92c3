"""`render: browser`: pages whose openings only appear once their scripts ran, read through
a real headless Chromium (the system's) against a server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Project, gh_job, serve_greenhouse
from tests.servers import LocalServer, Reply
from tests.test_daemon import wait_until
from watcher import config as config_mod
from watcher.browser import Browser, chromium_path
from watcher.fetch import FetchSettings
from watcher.model import Request, SourceError


def _has_chromium() -> bool:
    try:
        chromium_path(os.environ)
    except SourceError:
        return False
    return True


needs_chromium = pytest.mark.skipif(
    not _has_chromium(),
    reason="no Chromium installed (apt-get install chromium, or set WATCHER_BROWSER)",
)

OPENINGS = [
    {"id": 11, "title": "Backend Engineer", "location": "Berlin"},
    {"id": 12, "title": "Product Designer", "location": "Remote"},
    {"id": 13, "title": "Data Analyst", "location": "Lisbon"},
]

# Nothing in the HTML as served: the script asks the server, then writes the openings one
# by one, 300 ms apart (the last one after the network went quiet).
CAREERS = """<!doctype html>
<html><head><meta charset="utf-8"><title>Careers at Acme</title>
<style>@font-face { font-family: Acme; src: url(/acme.woff2); } body { font-family: Acme; }</style>
</head><body>
<img src="/logo.png" alt="Acme">
<ul id="openings"><li class="loading">Loading…</li></ul>
<script>
fetch("/api/openings").then((r) => r.json()).then((jobs) => {
  const list = document.getElementById("openings");
  list.textContent = "";
  jobs.forEach((job, i) => setTimeout(() => {
    const item = document.createElement("li");
    item.className = "opening";
    const link = document.createElement("a");
    link.href = "/jobs/" + job.id;
    link.textContent = job.title;
    const place = document.createElement("span");
    place.className = "location";
    place.textContent = job.location;
    item.append(link, place);
    list.append(item);
  }, 300 * i));
});
</script>
</body></html>
"""

HTML_BOARD = {
    "url": "https://acme.example/careers",
    "item": "li.opening",
    "title": "a",
    "link": "a",
    "location": ".location",
}


def serve_careers(server: LocalServer, delay: float = 1.0) -> None:
    server.routes["/careers"] = Reply(200, CAREERS, {"Content-Type": "text/html; charset=utf-8"})
    server.routes["/api/openings"] = Reply(200, OPENINGS, delay=delay)
    server.routes["/logo.png"] = Reply(200, b"\x89PNG\r\n\x1a\n", {"Content-Type": "image/png"})
    server.routes["/acme.woff2"] = Reply(200, b"wOF2", {"Content-Type": "font/woff2"})


def marked(marker: Path) -> list[int]:
    """Processes whose environment holds TMPDIR=`marker`: a watcher started with it, and
    all it started (Playwright's driver, Chromium and its helpers, even once orphaned)."""
    wanted = f"TMPDIR={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue  # gone, or not ours to read
        if wanted in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def chromium_running(marker: Path) -> bool:
    for pid in marked(marker):
        try:
            if b"chrom" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


@pytest.fixture
def marker() -> Iterator[Path]:
    """A TMPDIR of its own for the watcher run: Chromium's profile lives there, and every
    process of the run carries it in its environment. Short, as Chromium puts a socket
    in it (108 bytes at most for its path)."""
    folder = Path(tempfile.mkdtemp(prefix="wb-", dir="/tmp" if Path("/tmp").is_dir() else None))
    yield folder
    for pid in marked(folder):  # only after a failed assertion: never leave them behind
        with suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(folder, ignore_errors=True)


@needs_chromium
def test_a_page_that_lists_its_openings_by_script(tmp_path, server, marker, monkeypatch):
    """A plain read of the page finds none; `render: browser` finds every one, and the
    browser is gone when `watcher check` is done. Images and fonts are never asked for.
    In this process, so that nothing but watcher's own closing can end the browser."""
    serve_careers(server)
    project = Project(tmp_path, server)
    project.sites(
        {"name": "Plain", "html": HTML_BOARD},
        {"name": "Rendered", "html": HTML_BOARD, "render": "browser"},
    )
    monkeypatch.setenv("TMPDIR", str(marker))
    done = project.run("check", "--json")
    assert done.exit_code == 0, done.output
    results = {r["site"]: r for r in json.loads(done.stdout)["sites"]}
    assert results["Plain"]["ok"] and results["Plain"]["open"] == 0
    assert results["Rendered"]["ok"] and results["Rendered"]["open"] == 3

    rendered = project.list("--site", "Rendered")
    assert sorted((p["title"], p["location"], p["url"]) for p in rendered) == sorted(
        (o["title"], o["location"], f"https://acme.example/jobs/{o['id']}") for o in OPENINGS
    )
    assert project.list("--site", "Plain") == []
    assert len(server.requests_to("/api/openings")) == 1  # the script ran once, in Chromium
    assert server.requests_to("/logo.png") == []
    assert server.requests_to("/acme.woff2") == []
    assert marked(marker) == []  # no Chromium, no driver left running
    assert list(marker.iterdir()) == []  # and its profile removed


@needs_chromium
def test_sigterm_closes_the_browser_of_a_running_daemon(tmp_path, server, marker):
    serve_careers(server, delay=1.5)  # the page's own request is slow: the stop comes first
    project = Project(tmp_path, server)
    project.sites({"name": "Rendered", "html": HTML_BOARD, "render": "browser", "every": "1h"})
    env = {
        **os.environ,
        "TMPDIR": str(marker),
        "WATCHER_CONFIG": str(project.config),
        "WATCHER_DB": str(project.db),
    }
    env.pop("NOTIFY_SOCKET", None)
    proc = subprocess.Popen(
        project.argv("run")[:4],  # `python -m watcher run`: the paths come from the environment
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_until(lambda: server.requests_to("/api/openings"), timeout=30)
        assert chromium_running(marker)
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 0, output
    assert "Traceback" not in output, output
    assert len(project.list()) == 3  # the running check was let finish
    assert wait_until(lambda: not marked(marker), timeout=5), marked(marker)


def test_without_chromium_the_site_fails_with_what_to_install(tmp_path, server, monkeypatch):
    serve_careers(server)
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    project = Project(tmp_path, server)
    project.sites(
        {"name": "Rendered", "html": HTML_BOARD, "render": "browser"},
        {"name": "Acme", "greenhouse": "acme"},
    )
    monkeypatch.setenv("WATCHER_BROWSER", str(tmp_path / "no-such-chromium"))
    result = project.run("check")
    assert result.exit_code == 3, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("Rendered:")]
    assert f"no Chromium at {tmp_path / 'no-such-chromium'}" in line
    assert "apt-get install chromium" in line and "WATCHER_BROWSER" in line
    assert "Acme: now watching 1 opening" in result.output
    assert server.requests_to("/careers") == []


def test_without_playwright_the_site_fails_with_what_to_install(tmp_path, server):
    """As on an install without the `browser` extra: the import of Playwright fails."""
    serve_careers(server)
    project = Project(tmp_path, server)
    project.sites({"name": "Rendered", "html": HTML_BOARD, "render": "browser"})
    blocker = tmp_path / "blocker" / "playwright"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = {**os.environ, "PYTHONPATH": str(blocker.parent)}
    done = subprocess.run(
        project.argv("check"), env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 3, done.stderr
    assert done.stdout.strip() == (
        "Rendered: FAILED: render: browser needs Playwright and Chromium: "
        "pip install 'careers-watcher[browser]', and apt-get install chromium "
        "(or set WATCHER_BROWSER)"
    )


def test_render_is_validated_and_may_be_a_default(tmp_path):
    base = "sites:\n  - name: Acme\n    greenhouse: acme\n"
    with pytest.raises(config_mod.ConfigError) as caught:
        config_mod.parse(base + "    render: chrome\n", "sites.yaml", {})
    (problem,) = caught.value.problems
    assert (problem.line, problem.key) == (4, "sites[0].render")
    assert "'plain'" in problem.message and "'browser'" in problem.message

    text = "defaults:\n  render: browser\n" + base + "  - name: Beta\n    lever: beta\n"
    text += "    render: plain\n"
    config = config_mod.parse(text, "sites.yaml", {})
    assert [(s.name, s.render) for s in config.sites] == [("Acme", "browser"), ("Beta", "plain")]
    assert config_mod.parse(base, "sites.yaml", {}).sites[0].render == "plain"

    schema = json.dumps(config_mod.json_schema())
    assert '"render"' in schema and '"browser"' in schema


# --- the BrowserFetcher itself, on one Chromium for the tests below -----------------------

Run = Callable[[Coroutine[Any, Any, Any]], Any]


@pytest.fixture(scope="module")
def chromium() -> Iterator[tuple[Browser, Run]]:
    """One browser for the module, on an event loop of its own in a thread."""
    if not _has_chromium():
        pytest.skip("no Chromium installed (apt-get install chromium, or set WATCHER_BROWSER)")
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(60)

    async def make() -> Browser:
        return Browser(FetchSettings(deadline=30.0))

    browser = run(make())
    yield browser, run
    run(browser.aclose())
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def test_api_requests_are_made_from_a_page_of_their_origin(chromium, server):
    """A POST carries the cookie the origin's page set, its JSON body and its headers."""
    browser, run = chromium
    server.routes["/"] = Reply(
        200, "<p>Acme</p>", {"Content-Type": "text/html", "Set-Cookie": "session=s3cr3t; Path=/"}
    )
    server.routes["/api/jobs"] = Reply(200, {"jobs": [{"id": 1}]})
    request = Request(
        f"{server.url}/api/jobs",
        method="POST",
        json={"offset": 20},
        headers={"Accept": "application/json"},
    )

    async def read() -> Any:
        async with browser.site() as fetcher:
            return await fetcher.fetch(request)

    response = run(read())
    assert json.loads(response.body) == {"jobs": [{"id": 1}]}
    (seen,) = server.requests_to("/api/jobs")
    assert seen.method == "POST" and seen.json() == {"offset": 20}
    assert "session=s3cr3t" in seen.headers.get("cookie", "")
    assert seen.headers["accept"] == "application/json"
    assert len(server.requests_to("/")) == 1

    async def fresh() -> Any:  # the next site starts with no cookie
        async with browser.site() as fetcher:
            return await fetcher.fetch(request)

    server.routes["/"] = Reply(200, "<p>Acme</p>", {"Content-Type": "text/html"})
    run(fresh())
    assert "cookie" not in server.requests_to("/api/jobs")[-1].headers


def test_a_feed_comes_back_as_sent_and_failures_read_as_without_a_browser(chromium, server):
    browser, run = chromium
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Jobs</title></channel></rss>'
    server.routes["/jobs.rss"] = Reply(200, feed, {"Content-Type": "application/rss+xml"})

    async def fetch(url: str) -> Any:
        async with browser.site() as fetcher:
            try:
                return await fetcher.fetch(Request(url))
            except SourceError as error:
                return error

    response = run(fetch(f"{server.url}/jobs.rss"))
    assert response.body == feed and response.headers["content-type"] == "application/rss+xml"
    missing = run(fetch(f"{server.url}/gone"))
    assert isinstance(missing, SourceError) and missing.kind == "not_found"
    assert missing.reason == "HTTP 404: board not found (renamed or moved?)"
    closed = LocalServer()  # bound, never started: nothing answers
    closed.httpd.server_close()
    refused = run(fetch(f"{closed.url}/careers"))
    assert isinstance(refused, SourceError) and refused.reason == "connection refused"
