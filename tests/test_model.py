"""Plain data helpers: the one time format every stored and printed time uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from watcher.model import utc_iso


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 26, 9, 0, 5, 999999, tzinfo=UTC), "2026-11-26T09:00:05Z"),
        (
            datetime(2026, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
            "2026-01-02T04:30:00Z",
        ),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),  # sorts with the others
        (None, None),
    ],
)
def test_utc_iso(moment, text):
    assert utc_iso(moment) == text
