from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import LocalServer, Receiver

FIXTURES = Path(__file__).parent / "fixtures"
# Real responses saved by other projects; present on developer machines and CI, not committed here.
SHARED_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


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
