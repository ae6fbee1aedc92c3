"""The lifecycle rules, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from watcher.diff import Rules, Stored, diff, suspect_reason
from watcher.model import EventKind, Posting

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
RULES = Rules()


def posting(pid: str, title: str | None = None, location: str = "Remote") -> Posting:
    return Posting(
        id=pid, title=title or f"Role {pid}", url=f"https://x/{pid}", locations=(location,)
    )


def stored(p: Posting, status: str = "open", misses: int = 0, **kw) -> Stored:
    return Stored(p.id, status, p.fingerprint(), p.visible(), misses=misses, **kw)


def kinds(result) -> list[tuple[str, str]]:
    return sorted((str(c.kind), c.posting_id) for c in result.changes)


def test_first_read_everything_is_new():
    result = diff({}, [posting("1"), posting("2")], NOW, RULES)
    assert kinds(result) == [("new", "1"), ("new", "2")]
    assert [p.id for p in result.write] == ["1", "2"]


def test_unchanged_read_changes_nothing():
    a, b = posting("1"), posting("2")
    result = diff({"1": stored(a), "2": stored(b)}, [a, b], NOW, RULES)
    assert result.changes == [] and result.write == [] and result.missing == []


def test_changed_fields_are_named():
    old = posting("1", "Engineer")
    new = posting("1", "Senior Engineer", "Berlin")
    result = diff({"1": stored(old)}, [new], NOW, RULES)
    (change,) = result.changes
    assert change.kind is EventKind.CHANGED
    assert change.fields == ("title", "location")


def test_description_only_change():
    old = posting("1")
    new = posting("1")
    new.description = "now with a description"
    (change,) = diff({"1": stored(old)}, [new], NOW, RULES).changes
    assert change.fields == ("description",)


def test_absent_once_is_only_missing_then_closed():
    a, b = posting("1"), posting("2")
    first = diff({"1": stored(a), "2": stored(b)}, [a], NOW, RULES)
    assert first.changes == [] and first.missing == ["2"]
    second = diff({"1": stored(a), "2": stored(b, misses=1)}, [a], NOW, RULES)
    assert kinds(second) == [("closed", "2")] and second.closed == ["2"]


def test_back_before_closing_is_silent():
    a, b = posting("1"), posting("2")
    result = diff({"1": stored(a), "2": stored(b, misses=1)}, [a, b], NOW, RULES)
    assert result.changes == [] and result.back == ["2"]


def test_grace_period_also_required_when_set():
    rules = Rules(close_after_misses=2, close_after=timedelta(hours=6))
    a, b = posting("1"), posting("2")
    recent = stored(b, misses=3, missing_since=NOW - timedelta(hours=1))
    assert diff({"1": stored(a), "2": recent}, [a], NOW, rules).closed == []
    old = stored(b, misses=3, missing_since=NOW - timedelta(hours=7))
    assert diff({"1": stored(a), "2": old}, [a], NOW, rules).closed == ["2"]


def test_reopened_not_new():
    a = posting("1")
    result = diff({"1": stored(a, status="closed", closed_at=NOW)}, [a], NOW, RULES)
    assert kinds(result) == [("reopened", "1")]


def test_repost_of_a_closed_posting():
    old = posting("1", "Data Engineer", "Paris")
    new = posting("99", "Data  engineer", "Paris")
    gone = stored(old, status="closed", closed_at=NOW - timedelta(days=3))
    result = diff({"1": gone}, [new], NOW, RULES)
    (change,) = result.changes
    assert change.kind is EventKind.REPOSTED and change.previous_id == "1"
    long_ago = stored(old, status="closed", closed_at=NOW - timedelta(days=90))
    assert kinds(diff({"1": long_ago}, [new], NOW, RULES)) == [("new", "99")]


def test_repost_while_the_old_id_goes_missing():
    old = [posting(str(i)) for i in range(6)]
    swapped = [*old[:5], posting("77", "Role 5")]
    result = diff({p.id: stored(p) for p in old}, swapped, NOW, RULES)
    assert kinds(result) == [("reposted", "77")]
    assert result.missing == ["5"]


def test_suspect_reads_close_nothing():
    many = [posting(str(i)) for i in range(10)]
    state = {p.id: stored(p, misses=1) for p in many}
    empty = diff(state, [], NOW, RULES)
    assert empty.suspect == "zero results where 10 were open"
    assert empty.closed == [] and empty.missing == [] and empty.changes == []
    half = diff(state, many[:4], NOW, RULES)
    assert half.suspect == "only 4 results where 10 were open" and half.closed == []
    fine = diff(state, many[:6], NOW, RULES)
    assert fine.suspect is None and len(fine.closed) == 4


def test_small_boards_may_empty_out():
    few = [posting(str(i)) for i in range(3)]
    state = {p.id: stored(p, misses=1) for p in few}
    result = diff(state, [], NOW, RULES)
    assert result.suspect is None and sorted(result.closed) == ["0", "1", "2"]


def test_incomplete_read_closes_nothing():
    a, b = posting("1"), posting("2")
    result = diff({"1": stored(a), "2": stored(b, misses=5)}, [a], NOW, RULES, complete=False)
    assert result.closed == [] and result.missing == []


def test_suspect_reason_thresholds():
    assert suspect_reason(4, 0, 0.5) is None
    assert suspect_reason(5, 0, 0.5) is not None
    assert suspect_reason(10, 5, 0.5) is None
    assert suspect_reason(10, 4, 0.5) is not None
    assert suspect_reason(10, 8, 0.9) is not None
