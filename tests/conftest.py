from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import LocalServer, Receiver
from watcher.fetch import Fetcher

FIXTURES = Path(__file__).parent / "fixtures"
# Real responses saved by other projects; present on developer machines and CI, not committed here.
SHARED_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject.toml's addopts) spreads the whole suite, or a folder of it,
    over two workers a core; a run of named test files stays in this one process, where
    starting workers (each imports and collects) costs more than it saves."""
    named = [arg for arg in config.args if arg.split("::")[0].endswith(".py")]
    if named and len(named) == len(config.args):
        return 0
    # Twice the cores: many tests wait (for a subprocess, a local server, Chromium, a
    # daemon's tick) rather than compute, and another worker fills those waits (2 cores:
    # 88 s with 2 workers, 65-69 s with 3 or 4).
    return min(2 * (os.cpu_count() or 1), 8)


# Tests that take seconds each (subprocesses, Chromium, kill -9 rounds): started first,
# so that the two workers end together instead of one running a long test alone at the
# end (longest first is the classic schedule for the shortest overall run).
_LONG_FIRST = (
    "tests/test_crash.py",
    "tests/test_web_browser.py",
    "tests/test_browser.py",
    "tests/test_daemon.py",
    "tests/test_benchmark.py",
    "tests/test_delivery.py::test_a_slow_service",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        found = [i for i, prefix in enumerate(_LONG_FIRST) if item.nodeid.startswith(prefix)]
        return found[0] if found else len(_LONG_FIRST)

    items.sort(key=rank)  # stable: each group keeps its order


async def _no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture(autouse=True)
def no_backoff_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fetchers made in this process without a `sleep` of their own (the ones `check` and
    `add` make when a test runs them) retry at once instead of waiting up to seconds
    between attempts. The attempts, their number and the wait each one would take are as
    without this: tests/test_fetch.py checks the waits themselves by passing `sleep`.
    (Commands run as subprocesses wait as they do for users.)"""
    defaults = Fetcher.__init__.__kwdefaults__
    assert defaults is not None and "sleep" in defaults, "Fetcher(sleep=...) has moved"
    monkeypatch.setitem(defaults, "sleep", _no_wait)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    srv = Receiver().start()
    yield srv
    srv.stop()


def shared(platform: str) -> list[Path]:
    """The real recorded responses for a platform, or skip when the folder is absent."""
    folder = SHARED_FIXTURES / platform
    if not folder.is_dir():
        pytest.skip(f"no shared fixtures for {platform}")
    return sorted(p for p in folder.iterdir() if p.is_file())
