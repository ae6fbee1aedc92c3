"""Digest times and quiet hours, with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from watcher.timing import Digest, next_digest, parse_digest, parse_quiet, quiet_until, zone

BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("08:00", Digest((time(8),))),
        ("18:00, 08:00", Digest((time(8), time(18)))),
        ("daily", Digest((time(8),))),
        ("weekly", Digest((time(8),), 0)),
        ("weekly fri 17:30", Digest((time(17, 30),), 4)),
    ],
)
def test_parse_digest(spec, expected):
    assert parse_digest(spec) == expected


@pytest.mark.parametrize("bad", ["", "8am", "25:00", "weekly someday"])
def test_bad_digest(bad):
    with pytest.raises(ValueError):
        parse_digest(bad)


@pytest.mark.parametrize(
    ("spec", "now", "expected"),
    [
        ("08:00", "2026-11-26T07:59:00+01:00", "2026-11-26T08:00:00+01:00"),
        ("08:00", "2026-11-26T08:00:00+01:00", "2026-11-27T08:00:00+01:00"),
        ("08:00, 18:00", "2026-11-26T12:00:00+01:00", "2026-11-26T18:00:00+01:00"),
        ("weekly", "2026-11-26T12:00:00+01:00", "2026-11-30T08:00:00+01:00"),  # Thu -> Mon
        ("weekly thu 13:00", "2026-11-26T12:00:00+01:00", "2026-11-26T13:00:00+01:00"),
        # across the change to summer time: still 08:00 local
        ("08:00", "2026-03-28T09:00:00+01:00", "2026-03-29T08:00:00+02:00"),
    ],
)
def test_next_digest_in_local_time(spec, now, expected):
    assert next_digest(parse_digest(spec), at(now), BERLIN) == at(expected)


@pytest.mark.parametrize(
    ("window", "now", "until"),
    [
        ("22:00-07:00", "2026-11-26T23:30:00+01:00", "2026-11-27T07:00:00+01:00"),
        ("22:00-07:00", "2026-11-26T03:00:00+01:00", "2026-11-26T07:00:00+01:00"),
        ("22:00-07:00", "2026-11-26T07:00:00+01:00", None),
        ("22:00-07:00", "2026-11-26T21:59:00+01:00", None),
        ("12:00-13:00", "2026-11-26T12:30:00+01:00", "2026-11-26T13:00:00+01:00"),
        ("12:00-13:00", "2026-11-26T13:30:00+01:00", None),
    ],
)
def test_quiet_until(window, now, until):
    expected = at(until) if until else None
    assert quiet_until(parse_quiet(window), at(now), BERLIN) == expected


def test_bad_quiet_and_zone():
    for bad in ("22:00", "22:00-22:00", "late-early"):
        with pytest.raises(ValueError):
            parse_quiet(bad)
    with pytest.raises(ValueError):
        zone("Mars/Olympus")
    assert zone(None) is not None
