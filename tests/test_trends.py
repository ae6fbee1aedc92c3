"""The queries behind `watcher serve` (watcher/store/trends.py), on real SQLite databases
written the way checks write them: keyset paging, filters, what came in, trends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.helpers import apply_diff, apply_failure
from watcher.diff import Rules, diff
from watcher.model import Posting
from watcher.store import Store
from watcher.store.trends import OpeningsQuery, decode_cursor, encode_cursor

DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def read(store: Store, site: str, board: list[Posting], now: datetime) -> None:
    """One successful read of `site` listing `board`, applied as a check applies it."""
    stored = store.stored_for_diff(site, (p.id for p in board), now, timedelta(days=30))
    apply_diff(store, site, now, diff(stored, board, now, Rules(close_after_misses=1)))


def job(i: int, title: str = "", place: str = "Berlin", **extra: object) -> Posting:
    return Posting(
        str(i), title or f"Engineer {i:03d}", f"https://acme.example/{i}", (place,), **extra
    )


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "w.db")
    yield s
    s.close()


def test_keyset_pages_cover_every_posting_once_both_ways(store):
    # 23 postings over three reads (ties in first_seen), paged 5 at a time
    read(store, "Acme", [job(i) for i in range(10)], DAY0)
    read(store, "Acme", [job(i) for i in range(17)], DAY0 + timedelta(days=1))
    read(store, "Beta", [job(i) for i in range(6)], DAY0 + timedelta(days=1))
    for sort in ("newest", "oldest", "title"):
        seen, pages = [], []
        page = store.openings(OpeningsQuery(sort=sort, limit=5))
        assert page.total == 23 and page.previous is None
        while True:
            pages.append(page)
            seen += [(r["site"], r["id"]) for r in page.rows]
            if page.next is None:
                break
            page = store.openings(OpeningsQuery(sort=sort, limit=5, after=page.next))
        assert len(seen) == len(set(seen)) == 23
        assert [len(p.rows) for p in pages] == [5, 5, 5, 5, 3]
        # and back from the last page, through `previous`, to the first
        back = pages[-1]
        for expected in reversed(pages[:-1]):
            assert back.previous is not None
            back = store.openings(OpeningsQuery(sort=sort, limit=5, before=back.previous))
            assert back.rows == expected.rows
        assert back.previous is None
    newest = store.openings(OpeningsQuery(limit=30)).rows
    seen = [r["first_seen"] for r in newest]
    assert seen == sorted(seen, reverse=True)
    titles = [r["title"].lower() for r in store.openings(OpeningsQuery(sort="title")).rows]
    assert titles == sorted(titles)


def test_filters_and_search(store):
    board = [
        job(1, "Backend Engineer", "Berlin", department="Engineering"),
        job(2, "Sales Lead", "Remote - EU", department="Sales"),
        job(3, "Data Engineer", "Lisbon", department="Engineering", workplace="remote"),
        job(4, "Office 100%_ Manager", "Berlin", department="Operations"),
    ]
    read(store, "Acme", board, DAY0)
    read(store, "Acme", board[1:], DAY0 + timedelta(days=1))  # 1 closes

    def ids(**query: object) -> set[str]:
        return {r["id"] for r in store.openings(OpeningsQuery(**query)).rows}  # type: ignore[arg-type]

    assert ids() == {"2", "3", "4"}
    assert ids(status="closed") == {"1"}
    assert ids(status="all") == {"1", "2", "3", "4"}
    assert ids(location="berlin") == {"4"}
    assert ids(remote=True) == {"2", "3"}
    assert ids(department="engineer") == {"3"}
    assert ids(search="engineer", status="all") == {"1", "3"}
    assert ids(location="100%") == set()  # wildcards are literal
    assert store.openings(OpeningsQuery(location="berlin", status="all")).total == 2


def test_search_follows_changes_and_deletions(store):
    read(store, "Acme", [job(1, "Rust Engineer"), job(2, "Go Engineer")], DAY0)
    assert [r["id"] for r in store.openings(OpeningsQuery(search="rust")).rows] == ["1"]
    read(store, "Acme", [job(1, "Python Engineer"), job(2, "Go Engineer")], DAY0 + timedelta(1))
    assert store.openings(OpeningsQuery(search="rust")).rows == []
    assert [r["id"] for r in store.openings(OpeningsQuery(search="python")).rows] == ["1"]
    # a renamed site: its postings are found under the new name, not the old
    store.reconcile([("Acme Robotics", "greenhouse", "Acme")], DAY0 + timedelta(2))
    found = store.openings(OpeningsQuery(search="go", status="all")).rows
    assert [(r["site"], r["id"]) for r in found] == [("Acme Robotics", "2")]
    # a search with nothing written since reads the index as it is: no write at all
    before = store.db.conn.total_changes
    store.openings(OpeningsQuery(search="engineer"))
    assert store.db.conn.total_changes == before


def test_a_foreign_cursor_is_the_first_page(store):
    read(store, "Acme", [job(i) for i in range(3)], DAY0)
    assert decode_cursor("not-a-cursor") is None
    assert decode_cursor(encode_cursor([1, 2])) is None
    first = store.openings(OpeningsQuery())
    assert store.openings(OpeningsQuery(after="%%%")).rows == first.rows


def test_trend_counts_new_and_closed_per_week_and_open_per_day(store):
    read(store, "Acme", [job(i) for i in range(5)], DAY0)  # baseline: not hiring
    read(store, "Acme", [job(i) for i in range(8)], DAY0 + timedelta(days=2))  # 3 new
    read(store, "Acme", [job(i) for i in range(2, 8)], DAY0 + timedelta(days=8))  # 2 closed
    read(store, "Acme", [job(i) for i in range(2, 9)], DAY0 + timedelta(days=9))  # 1 new
    today = (DAY0 + timedelta(days=10)).date()
    trend = store.trend("Acme", today, days=14, weeks=3)
    assert trend.days[-1] == today and len(trend.days) == 14
    by_day = dict(zip(trend.days, trend.open, strict=True))
    assert by_day[date(2026, 3, 1)] is None  # before the baseline
    assert by_day[date(2026, 3, 2)] == 5
    assert by_day[date(2026, 3, 4)] == 8
    assert by_day[date(2026, 3, 10)] == 6
    assert by_day[today] == 7
    assert trend.weeks == [date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9)]
    assert trend.new == [0, 3, 1]
    assert trend.closed == [0, 0, 2]
    events = store.site_events("Acme")
    assert [e["kind"] for e in events] == ["new", "closed", "closed", "new", "new", "new"]
    assert events[0]["title"] == "Engineer 008"


def test_site_summaries_and_arrivals(store):
    read(store, "Acme", [job(i) for i in range(4)], DAY0)
    read(store, "Acme", [job(i) for i in range(6)], DAY0 + timedelta(days=20))
    read(store, "Beta", [job(i) for i in range(2)], DAY0 + timedelta(days=20))
    apply_failure(store, "Beta", DAY0 + timedelta(days=21))
    today = (DAY0 + timedelta(days=21)).date()
    rows = {s.name: s for s in store.site_summaries(today, weeks=4)}
    acme, beta = rows["Acme"], rows["Beta"]
    assert (acme.open, acme.new_week, acme.broken) == (6, 2, False)
    assert acme.weekly_open == [4, 4, 6, 6]  # week ends: Mar 8, 15, 22 (the 2 new), today
    assert (beta.open, beta.failures, beta.broken, beta.last_error) == (2, 1, True, "HTTP 500")
    assert beta.weekly_open == [None, None, 2, 2]  # its baseline: Mar 22
    arrived = store.arrivals(DAY0 + timedelta(days=10))
    assert [(r["site"], r["id"]) for r in arrived] == [("Acme", "4"), ("Acme", "5")]
    assert store.arrivals(DAY0 - timedelta(days=1)) == arrived  # baselines never count
