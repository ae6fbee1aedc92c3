"""Property tests: arbitrary sequences of board states through the diff and a real SQLite store."""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import apply_diff, apply_failure, new_store
from watcher.diff import Rules, diff
from watcher.model import Posting

START = datetime(2026, 1, 1, tzinfo=UTC)
RULES = Rules(close_after_misses=2)

boards = st.lists(
    st.one_of(st.none(), st.frozensets(st.integers(0, 9), max_size=10)),  # None: a failed read
    min_size=1,
    max_size=14,
)


def posting(i: int) -> Posting:
    made = Posting(id=str(i), title=f"Role {i}", url=f"https://x/{i}", locations=(f"City {i}",))
    made.raw = f"raw {i}"  # as an item source's reader sets it
    return made


@pytest.mark.parametrize("shortcut", [False, True], ids=["built", "kept"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(boards)
def test_every_posting_is_new_exactly_once_and_flaps_are_silent(shortcut, states):
    """With `shortcut`, postings listed as stored are kept (not built), as the reader
    does for item sources: the outcome must be the same."""
    with tempfile.TemporaryDirectory() as folder:
        store = new_store(Path(folder) / "w.db")
        events: list[tuple[int, str, str]] = []  # (step, kind, id)
        reads: list[tuple[int, frozenset[int], bool]] = []  # (step, ids, suspect)
        for step, state in enumerate(states):
            now = START + timedelta(hours=step)
            if state is None:
                apply_failure(store, "S", now, board="s")
                continue
            fresh = [posting(i) for i in sorted(state)]
            kept: list[str] = []
            if shortcut:
                known = store.raw_hashes("S")
                kept = [p.id for p in fresh if known.get(p.id) == p.raw]
                fresh = [p for p in fresh if p.id not in kept]
            stored = store.stored_for_diff(
                "S", (p.id for p in fresh), now, RULES.repost_window, kept
            )
            result = diff(stored, fresh, now, RULES, kept=kept)
            apply_diff(store, "S", now, result, board="s")
            events += [(step, str(c.kind), c.posting_id) for c in result.changes]
            reads.append((step, state, result.suspect is not None))

            # the store agrees with what was read
            open_ids = {r["id"] for r in store.postings(status="open")}
            closed_ids = {r["id"] for r in store.postings(status="closed")}
            assert {str(i) for i in state} <= open_ids
            assert not open_ids & closed_ids
        store.close()

    seen_ever = {str(i) for _, state, _ in reads for i in state}
    news = Counter(pid for _, kind, pid in events if kind == "new")
    assert set(news) == seen_ever and all(n == 1 for n in news.values())
    assert not [e for e in events if e[1] in ("changed", "reposted")]

    # closed only after two trusted reads without it; reopened only after closed
    status: dict[str, str] = {}
    for step, kind, pid in events:
        if kind == "closed":
            trusted = [ids for s, ids, suspect in reads if s <= step and not suspect]
            assert len(trusted) >= 2 and all(int(pid) not in ids for ids in trusted[-2:])
            assert status.get(pid) == "open"
        if kind == "reopened":
            assert status.get(pid) == "closed"
        status[pid] = "closed" if kind == "closed" else "open"

    # a posting missing from one read only and back at the next: nothing recorded
    for (_, before, _), (s1, during, _), (s2, after, _) in zip(
        reads, reads[1:], reads[2:], strict=False
    ):
        for i in (before & after) - during:
            pid = str(i)
            assert not [e for e in events if e[2] == pid and s1 <= e[0] <= s2]
