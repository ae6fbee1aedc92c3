"""The store's layout: descriptions apart and compressed, the dictionary, the upgrade."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from tests.helpers import apply_diff
from watcher.diff import Rules, diff
from watcher.model import Posting
from watcher.store import Store, StoreError
from watcher.store import base as store_base
from watcher.store import checks as store_checks
from watcher.store.schema import migrations

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
WORDS = [
    "team",
    "build",
    "product",
    "customers",
    "data",
    "remote",
    "senior",
    "python",
    "growth",
    "design",
]


def description(rng: random.Random, i: int) -> str:
    items = "".join(f"<li>{' '.join(rng.choices(WORDS, k=12))}</li>" for _ in range(6))
    return f"<h3>Role {i}</h3><p>{' '.join(rng.choices(WORDS, k=60))}</p><ul>{items}</ul>"


def write(store: Store, site: str, postings: list[Posting], now: datetime = NOW) -> None:
    stored = store.stored_for_diff(site, (p.id for p in postings), now, timedelta(days=30))
    apply_diff(store, site, now, diff(stored, postings, now, Rules()))


def postings(count: int, seed: int = 1) -> list[Posting]:
    rng = random.Random(seed)
    return [
        Posting(str(i), f"Engineer {i}", f"https://x/{i}", description_html=description(rng, i))
        for i in range(count)
    ]


def test_descriptions_are_stored_compressed_and_read_back(tmp_path):
    store = Store(tmp_path / "w.db")
    board = postings(20)
    board.append(Posting("plain", "Plain", "https://x/p", description="Just text, ünïcode ✓"))
    write(store, "S", board)
    rows = {r["id"]: r for r in store.postings(full=True)}
    assert rows["plain"]["description"] == "Just text, ünïcode ✓"
    assert rows["3"]["description"].startswith("Role 3\n")  # HTML made text when read
    raw = store.db.conn.execute("SELECT SUM(LENGTH(body)) FROM descriptions").fetchone()[0]
    assert raw * 2 < sum(len(p.description_html or "") for p in board)
    assert {r["id"] for r in store.postings(search="ünïcode")} == {"plain"}


def test_a_dictionary_is_trained_once_and_older_rows_stay_readable(tmp_path, monkeypatch):
    monkeypatch.setattr(store_base, "TRAIN_AFTER", 60)
    store = Store(tmp_path / "w.db")
    write(store, "A", postings(40, seed=1))
    assert store.packer.dictionary == 0  # not enough yet
    write(store, "B", postings(40, seed=2))
    assert store.packer.dictionary == 1
    write(store, "C", postings(40, seed=3))
    conn = store.db.conn
    assert conn.execute("SELECT COUNT(*) FROM dictionaries").fetchone() == (1,)
    by_site = dict(
        conn.execute("SELECT site, MAX(dictionary) FROM descriptions GROUP BY site").fetchall()
    )
    assert by_site == {"A": 0, "B": 0, "C": 1}
    store.close()
    # a new process reads both kinds and writes with the dictionary
    again = Store(tmp_path / "w.db")
    assert again.packer.dictionary == 1
    texts = {(r["site"], r["id"]): r["description"] for r in again.postings(full=True)}
    assert texts["A", "5"].startswith("Role 5") and texts["C", "5"].startswith("Role 5")
    assert texts["A", "5"] != texts["C", "5"]


def test_a_dictionary_that_cannot_be_trained_is_not_retried_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(store_base, "TRAIN_AFTER", 5)
    store = Store(tmp_path / "w.db")
    write(store, "A", [Posting(str(i), "T", "https://x", description="x") for i in range(6)])
    assert store.packer.dictionary == 0
    assert store.db.conn.execute("SELECT COUNT(*) FROM dictionaries").fetchone() == (0,)
    assert store.postings(full=True)[0]["description"] == "x"


def test_a_version_4_database_is_upgraded_with_its_descriptions(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    migrations.apply(db, stop_before="m005_descriptions_apart")
    db.conn.execute(
        "INSERT INTO postings (site, id, title, url, description, description_is_html, digest, "
        "status, first_seen, last_seen) VALUES ('S', '1', 'Old', 'https://x/1', "
        "'<p>Kept <b>across</b> the upgrade</p>', 1, 'd', 'open', '2026-01-01T00:00:00Z', "
        "'2026-01-01T00:00:00Z')"
    )
    db.conn.commit()
    db.conn.close()
    store = Store(path)
    (row,) = store.postings(full=True)
    assert row["title"] == "Old" and row["description"] == "Kept across the upgrade"
    columns = {c.name for c in store.db["postings"].columns}
    assert "description" not in columns and "raw" in columns
    # the first read after the upgrade rewrites the row (it has no raw hash yet); the
    # digest is now the raw hash, yet a posting showing the same is not "changed"
    fresh = Posting(
        "1", "Old", "https://x/1", description_html="<p>Kept <b>across</b> the upgrade</p>"
    )
    fresh.raw = fresh.digest = "r"
    stored = store.stored_for_diff("S", ["1"], NOW, timedelta(days=30), described=["1"])
    result = diff(stored, [fresh], NOW, Rules())
    assert result.changes == [] and result.write == [fresh]
    apply_diff(store, "S", NOW, result)
    assert store.raw_hashes("S") == {"1": "r"}


@pytest.mark.parametrize("status", ["open", "closed"])
def test_raw_hashes_are_those_of_open_postings(tmp_path, status):
    store = Store(Path(tmp_path) / "w.db")
    posting = Posting("1", "T", "https://x/1", raw="r1")
    write(store, "S", [posting])
    if status == "closed":
        for step in (1, 2):
            write(store, "S", [Posting("2", "U", "https://x/2")], NOW + timedelta(hours=step))
    assert ("1" in store.raw_hashes("S")) is (status == "open")


def test_training_on_a_busy_database_does_not_fail_the_committed_read(tmp_path, monkeypatch):
    monkeypatch.setattr(store_base, "TRAIN_AFTER", 30)
    store = Store(tmp_path / "w.db", timeout=0.1)
    other = sqlite3.connect(tmp_path / "w.db", isolation_level=None)
    real_train = store_base.train

    def train_while_locked(samples):  # another process takes the write lock meanwhile
        other.execute("BEGIN IMMEDIATE")
        return real_train(samples)

    monkeypatch.setattr(store_base, "train", train_while_locked)
    write(store, "A", postings(40))  # no StoreError: the site's read is committed
    other.execute("ROLLBACK")
    assert len(store.postings()) == 40
    assert store.packer.dictionary == 0


def test_unchanged_reads_in_a_batch_are_written_together(tmp_path, monkeypatch):
    monkeypatch.setattr(store_checks, "UNCHANGED_BATCH", 3)
    store = Store(tmp_path / "w.db")
    for name in "ABCD":
        write(store, name, postings(1))
    later = NOW + timedelta(hours=1)
    reader = sqlite3.connect(tmp_path / "w.db")  # another process's view

    def checked() -> dict[str, str]:
        return dict(reader.execute("SELECT name, last_check FROM sites").fetchall())

    with store.batched():
        store.record_unchanged("A", later)
        store.record_unchanged("B", later)
        assert set(checked().values()) == {"2026-11-26T09:00:00Z"}  # not written yet
        store.record_unchanged("C", later)  # the third fills the batch
        assert [n for n, at in checked().items() if at == "2026-11-26T10:00:00Z"] == list("ABC")
        store.record_unchanged("D", later)
    assert set(checked().values()) == {"2026-11-26T10:00:00Z"}  # the rest at the end
    store.record_unchanged("A", later + timedelta(hours=1))  # outside a batch: at once
    assert checked()["A"] == "2026-11-26T11:00:00Z"


def test_rows_of_an_older_dictionary_are_read_and_searched(tmp_path, monkeypatch):
    """Two processes may each train one: rows of either stay readable by any process."""
    monkeypatch.setattr(store_base, "TRAIN_AFTER", 30)
    store = Store(tmp_path / "w.db")
    write(store, "A", postings(40, seed=1))  # trains dictionary 1 after this
    write(store, "B", postings(40, seed=2))  # written with dictionary 1
    store.db.conn.execute("DELETE FROM descriptions WHERE site = 'A'")
    store.close()
    second = Store(tmp_path / "w.db")
    data = second.db.conn.execute("SELECT data FROM dictionaries").fetchone()[0]
    second.db.conn.execute(
        "INSERT INTO dictionaries (data, created_at) VALUES (?, '2026-11-26T10:00:00Z')", [data]
    )
    second.close()
    third = Store(tmp_path / "w.db")  # uses dictionary 2; B's rows need dictionary 1
    assert third.packer.dictionary == 2
    write(third, "C", postings(40, seed=3))
    texts = {(r["site"], r["id"]): r["description"] for r in third.postings(full=True)}
    assert texts["B", "7"].startswith("Role 7") and texts["C", "7"].startswith("Role 7")
    assert {r["site"] for r in third.postings(search="Role 7")} == {"B", "C"}


def test_a_database_from_a_newer_watcher_is_refused_up_front(tmp_path):
    path = tmp_path / "w.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('watcher', 'm999_from_the_future', '2027-01-01')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as err:
        Store(path)
    assert "written by a newer watcher" in str(err.value)
    assert "m999_from_the_future" in str(err.value) and "upgrade" in str(err.value)


def test_search_finds_words_in_text_written_without_spaces(tmp_path):
    store = Store(tmp_path / "w.db")
    board = [
        Posting("1", "ソフトウェアエンジニア（東京）", "https://x/1", description="Go と Rust"),
        Posting("2", "后端开发工程师 上海", "https://x/2"),
        Posting("3", "백엔드 개발자", "https://x/3"),
        Posting("4", "Rust Engineer", "https://x/4"),
        Posting("5", "Trust and Safety Analyst", "https://x/5"),
    ]
    apply_diff(store, "S", NOW, diff({}, board, NOW, Rules()))

    def found(text: str) -> set[str]:
        return {row["id"] for row in store.postings(search=text)}

    assert found("エンジニア") == {"1"}
    assert found("東京") == {"1"}  # two characters: below the trigram's three
    assert found("工程师") == {"2"} and found("上海") == {"2"}
    assert found("개발자") == {"3"}
    assert found("エンジニア 東京") == {"1"} and found("エンジニア 上海") == set()
    assert found("rust") == {"1", "4"}  # whole words elsewhere: "Trust" is not "rust"
