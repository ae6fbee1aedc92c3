"""`watcher run --serve` in a real headless Chromium (the system's, driven by Playwright):
every page loads without console errors at desktop and phone widths, in light and dark;
adding a company and marking an application work end to end; a hostile title stays text.

Screenshots of each page go to a pytest temporary folder (its path is printed): look at
them. One browser for the module; the daemon runs as the real command, in a subprocess.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import Project, gh_job, serve_greenhouse
from tests.test_browser import needs_chromium
from tests.test_web import HOSTILE, stored
from watcher.browser import LAUNCH_ARGS, chromium_path

pytestmark = needs_chromium

PAGES = {
    "new": "/new",
    "openings": "/openings",
    "companies": "/companies",
    "company": "/company?site=Acme",
    "posting": "/posting?site=Acme&id=4",
    "applications": "/applications",
    "add": "/add",
}
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(os.environ), args=list(LAUNCH_ARGS), headless=True
        )
        yield chromium
        chromium.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def project(tmp_path: Path, server: Any) -> Project:
    """The database of tests/test_web.py, written by `watcher check` in a subprocess (the
    browser's event loop runs in this thread)."""
    return stored(
        tmp_path, server, lambda p: subprocess.run(p.argv("check"), check=False).returncode
    )


@pytest.fixture
def daemon(project: Project) -> Iterator[str]:
    """`watcher run --serve` on the project: the page's base URL while it runs."""
    port = free_port()
    process = subprocess.Popen(
        [*project.argv("run", "--serve", "--port", str(port))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # at most 20 s
            try:
                if httpx.get(base + "/new", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                raise AssertionError(process.stderr.read().decode() if process.stderr else "")
            time.sleep(0.1)
        else:
            raise AssertionError("watcher run --serve did not answer")
        yield base
    finally:
        process.terminate()
        assert process.wait(timeout=20) == 0  # SIGTERM stops the page with the daemon
        if process.stderr:
            process.stderr.close()


def open_page(browser: Any, size: tuple[int, int], scheme: str) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, color_scheme=scheme
    )
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    return context, page, problems


def test_every_page_in_a_real_browser(
    browser: Any, daemon: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    shots = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots: {shots}", file=sys.stderr)
    for size_name, size in SIZES.items():
        for scheme in ("light", "dark"):
            context, page, problems = open_page(browser, size, scheme)
            for name, path in PAGES.items():
                reply = page.goto(daemon + path)
                assert reply is not None and reply.status == 200, (name, reply)
                page.wait_for_load_state("load")
                images = page.eval_on_selector_all(
                    "img", "els => els.map(e => e.complete && e.naturalWidth > 0)"
                )
                assert all(images), f"{name}: an image did not load"
                # nothing wider than the screen but the tables' own scrolling boxes
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 1, f"{name} at {size_name} scrolls sideways by {overflow}px"
                page.screenshot(
                    path=str(shots / f"{name}-{size_name}-{scheme}.png"), full_page=True
                )
            assert problems == [], problems
            context.close()


def test_add_and_mark_end_to_end(browser: Any, daemon: str, project: Project) -> None:
    serve_greenhouse(project.server, "gamma", [gh_job(i, f"Role {i}") for i in range(3)])
    context, page, problems = open_page(browser, SIZES["desktop"], "light")
    try:
        # a hostile title is shown as text and never runs
        page.goto(daemon + "/posting?site=Acme&id=5")
        assert HOSTILE in page.inner_text("h1")
        assert page.evaluate("document.querySelectorAll('main script, main img').length") == 0
        # Add: preview, then confirm; the daemon re-reads sites.yaml in process
        page.goto(daemon + "/add")
        page.fill("#target", "https://boards.greenhouse.io/gamma")
        page.click("summary")
        page.fill("#api", project.server.url)
        page.click("button:has-text('Preview')")
        assert "3 openings" in page.inner_text(".outcome")
        assert "greenhouse: gamma" in page.inner_text("pre.plan")
        page.click("button:has-text('Add ')")
        assert "The daemon re-read it." in page.inner_text(".notice.ok")
        assert "greenhouse: gamma" in project.config.read_text()
        # Mark an application from the posting's page
        page.goto(daemon + "/posting?site=Acme&id=4")
        page.fill("#note", "sent the form")
        page.click("button:has-text('Mark applied')")
        assert "Marked applied" in page.inner_text(".application")
        page.goto(daemon + "/applications")
        assert "Staff Engineer" in page.inner_text("main")
        assert problems == [], problems
    finally:
        context.close()
