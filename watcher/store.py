"""The SQLite store: schema and migrations, a site's read applied in one
transaction together with its outgoing notifications, and the queries behind
`list`, `status` and the outbox.

Times are stored as ISO 8601 UTC text (`2026-11-26T07:00:00Z`), which sorts.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import sqlite_utils
from sqlite_utils.migrations import Migrations

from watcher.diff import Diff, Stored
from watcher.model import Change, Compensation, EventKind, Posting, utc_iso
from watcher.packing import TRAIN_AFTER, Packer, train
from watcher.text import html_to_text

log = logging.getLogger(__name__)
migrations = Migrations("watcher")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE sites (
            name TEXT PRIMARY KEY,
            platform TEXT NOT NULL,
            board TEXT NOT NULL,
            baseline_at TEXT,
            last_check TEXT,
            last_success TEXT,
            last_error TEXT,
            error_kind TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            attention INTEGER NOT NULL DEFAULT 0,
            etag TEXT,
            last_modified TEXT,
            body_hash TEXT
        );
        CREATE TABLE postings (
            site TEXT NOT NULL,
            id TEXT NOT NULL,
            title TEXT NOT NULL,
            url TEXT NOT NULL,
            location TEXT,
            locations TEXT,
            department TEXT,
            team TEXT,
            employment TEXT,
            workplace TEXT,
            compensation TEXT,
            posted_at TEXT,
            updated_at TEXT,
            description TEXT,
            digest TEXT NOT NULL,
            detailed INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            closed_at TEXT,
            misses INTEGER NOT NULL DEFAULT 0,
            missing_since TEXT,
            PRIMARY KEY (site, id)
        ) WITHOUT ROWID;
        CREATE INDEX postings_site_status ON postings (site, status, closed_at);
        CREATE INDEX postings_first_seen ON postings (first_seen);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL,
            posting_id TEXT,
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            fields TEXT,
            previous_id TEXT,
            occurrence INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX events_posting ON events (site, posting_id, kind);
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            site TEXT,
            posting_id TEXT,
            event_id INTEGER,
            kind TEXT NOT NULL,
            channel TEXT NOT NULL,
            target TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'pending',
            last_error TEXT,
            sent_at TEXT,
            claimed_until TEXT
        );
        CREATE INDEX outbox_due ON outbox (status, due_at);
        """
    )


@migrations()
def m002_search(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE VIRTUAL TABLE postings_fts USING fts5(
            site UNINDEXED, id UNINDEXED, digest UNINDEXED, title, description,
            tokenize = 'unicode61 remove_diacritics 2'
        );
        """
    )


@migrations()
def m003_closing_index(db: sqlite_utils.Database) -> None:
    # The count of closing postings is read before every check: without this it reads
    # every row of the site (measured: 0.2 ms a site; 0.004 ms with it).
    db.executescript(
        "CREATE INDEX postings_closing ON postings (site, misses) "
        "WHERE status = 'open' AND misses > 0;"
    )


@migrations()
def m004_raw_descriptions(db: sqlite_utils.Database) -> None:
    # Descriptions are stored as the platform gives them (HTML or text) and turned into
    # text only when read: a check never pays for HTML parsing it may never need.
    db.executescript("ALTER TABLE postings ADD COLUMN description_is_html INTEGER DEFAULT 0;")


@migrations()
def m005_descriptions_apart(db: sqlite_utils.Database) -> None:
    # Descriptions move to their own table, compressed (see packing.py): a posting's
    # row is then small enough for one page, so what the diff and the counts read
    # never walks an overflow chain, and the database is a fraction of its size.
    # `raw` is the hash of the platform's object the posting was built from (reader.py).
    db.executescript(
        """
        CREATE TABLE dictionaries (
            id INTEGER PRIMARY KEY,
            data BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE descriptions (
            site TEXT NOT NULL,
            id TEXT NOT NULL,
            body BLOB NOT NULL,
            dictionary INTEGER NOT NULL DEFAULT 0,
            html INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX descriptions_posting ON descriptions (site, id);
        INSERT INTO descriptions (site, id, body, html)
            SELECT site, id, pack(description), description_is_html FROM postings
            WHERE description IS NOT NULL AND description != '';
        ALTER TABLE postings DROP COLUMN description;
        ALTER TABLE postings DROP COLUMN description_is_html;
        ALTER TABLE postings ADD COLUMN raw TEXT;
        """
    )


def _fts_query(text: str) -> str:
    """Words as FTS5 terms that must all appear (quoted, so no query syntax leaks in)."""
    words = [w.replace('"', '""') for w in text.split()]
    return " ".join(f'"{w}"' for w in words) or '""'


def target_of(url: str) -> str:
    """A stable, non-secret name for one Apprise URL: outbox rows point at it."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Delivery:
    """Where one event is to be sent: a channel's URL, due at a time (digests, quiet hours)."""

    channel: str
    target: str
    due_at: datetime
    why: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteState:
    name: str
    platform: str
    board: str
    baseline_at: str | None
    last_check: str | None
    last_success: str | None
    last_error: str | None
    error_kind: str | None
    failures: int
    attention: bool
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    open: int = 0  # open postings
    closing: int = 0  # open postings missing from the last read(s)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    key: str
    site: str | None
    posting_id: str | None
    kind: str
    channel: str
    target: str
    payload: dict[str, Any]
    created_at: str
    due_at: str
    attempts: int
    status: str
    last_error: str | None


class StoreError(Exception):
    """The database cannot be used: locked too long, read-only, disk full, corrupt."""


class Store:
    """The database. One per process; methods are synchronous and short."""

    def __init__(self, path: Path | str, *, timeout: float = 30.0):
        self.path = Path(path)
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
            self.db = sqlite_utils.Database(conn)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.create_function("html_text", 1, html_to_text, deterministic=True)
            self._unchanged: list[tuple[str | None, str | None, str]] | None = None
            self.packer = Packer(self._dictionary)
            conn.create_function("pack", 1, self.packer.pack)
            conn.create_function("unpack", 2, self.packer.unpack, deterministic=True)
            migrations.apply(self.db)
            self._untrained = self._load_dictionary()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from None

    def close(self) -> None:
        self.db.conn.close()

    # --- the descriptions' dictionary (see packing.py) ------------------------------

    def _dictionary(self, key: int) -> bytes | None:
        row = self.db.conn.execute("SELECT data FROM dictionaries WHERE id = ?", [key]).fetchone()
        return bytes(row[0]) if row else None

    def _load_dictionary(self) -> int:
        """Use the newest dictionary; else how many descriptions were stored without."""
        conn = self.db.conn
        row = conn.execute("SELECT id, data FROM dictionaries ORDER BY id DESC LIMIT 1").fetchone()
        if row is not None:
            self.packer.use(row[0], bytes(row[1]))
            return 0
        return int(conn.execute("SELECT COUNT(*) FROM descriptions").fetchone()[0])

    def _train(self) -> None:
        """Train a dictionary from the latest descriptions, in its own transaction. Run
        after a commit, it never fails the caller: without one, it tries again later."""
        self._untrained = self._load_dictionary()  # another process may have made one
        if self._untrained < TRAIN_AFTER:
            return
        rows = self.db.conn.execute(
            "SELECT body, dictionary FROM descriptions ORDER BY rowid DESC LIMIT ?",
            [TRAIN_AFTER],
        ).fetchall()
        data = train([self.packer.unpack(body, key) or "" for body, key in rows])
        if data is not None:
            try:
                with self.transaction() as conn:
                    key = conn.execute(
                        "INSERT INTO dictionaries (data, created_at) VALUES (?, ?)",
                        [data, utc_iso(datetime.now(UTC))],
                    ).lastrowid
            except StoreError as exc:  # the caller's work is committed: do not fail it
                log.warning("description dictionary not trained yet: %s", exc)
            else:
                self.packer.use(int(key or 0), data)
                return
        self._untrained = 0  # try again after as many more descriptions

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the lock at once (so two processes queue
        instead of failing when a reader upgrades), rolled back on any error. Nested
        uses join the outer one."""
        conn = self.db.conn
        if conn.in_transaction:  # joined by a caller's transaction, committed by it
            yield conn
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(_why(exc)) from None
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(_why(exc)) from None
            raise
        if self._untrained >= TRAIN_AFTER and not self.packer.dictionary:
            self._train()

    # --- sites ----------------------------------------------------------------------

    def site_state(self, name: str) -> SiteState | None:
        """A site's stored state, with its counts of open and closing postings (both
        read from indexes: one query is all a check needs before it fetches)."""
        row = self.db.conn.execute(_SITE_STATE, [name]).fetchone()
        return None if row is None else SiteState(*row)

    def _description(self, site: str, p: Posting) -> tuple[Any, ...]:
        """A posting's descriptions row: its text, or its raw HTML (made text when read)."""
        text, is_html = p.body
        return (site, p.id, self.packer.pack(text), self.packer.dictionary, int(is_html))

    def _ensure_site(self, conn: sqlite3.Connection, name: str, platform: str, board: str) -> None:
        """Create the site's row; a site pointed at another board starts a new baseline."""
        conn.execute(
            "INSERT INTO sites (name, platform, board) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET platform = excluded.platform, "
            "board = excluded.board, baseline_at = NULL, etag = NULL, last_modified = NULL, "
            "body_hash = NULL WHERE platform != excluded.platform OR board != excluded.board",
            [name, platform, board],
        )

    # --- reading what the diff needs ------------------------------------------------

    def stored_for_diff(
        self,
        site: str,
        fresh_ids: Iterable[str],
        now: datetime,
        window: timedelta,
        kept: Iterable[str] = (),
        described: Iterable[str] = (),
    ) -> dict[str, Stored]:
        """Open postings, closed ones among `fresh_ids`, and ones closed within `window`.

        Postings the read `kept` (listed exactly as stored) are only counted: their
        rows are not read in full, as the diff needs nothing else of them. Those in
        `described` come with their stored description."""
        conn = self.db.conn
        kept = set(kept)
        out: dict[str, Stored] = {}
        wanted: list[str] = []
        for posting_id, misses in conn.execute(
            "SELECT id, misses FROM postings WHERE site = ? AND status = 'open'", [site]
        ):
            if posting_id in kept:
                out[posting_id] = Stored(posting_id, "open", "", {}, misses=misses)
            else:
                wanted.append(posting_id)
        since = utc_iso(now - window)
        for row in conn.execute(
            f"SELECT {_STORED} FROM postings WHERE site = ? AND status = 'closed' "
            "AND closed_at >= ?",
            [site, since],
        ):
            out[row[0]] = _stored(row)
        wanted += [i for i in fresh_ids if i not in out]
        for row in _by_ids(conn, f"SELECT {_STORED} FROM postings", site, wanted):
            out[row[0]] = _stored(row)
        texts = [i for i in described if i in out]
        query = "SELECT id, body, dictionary FROM descriptions"
        for posting_id, body, dictionary in _by_ids(conn, query, site, texts):
            out[posting_id] = replace(
                out[posting_id], description=self.packer.unpack(body, dictionary)
            )
        return out

    # --- writing a read -------------------------------------------------------------

    def record_read(
        self,
        site: str,
        platform: str,
        board: str,
        now: datetime,
        result: Diff,
        deliveries: dict[int, list[Delivery]],
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
        payloads: dict[int, dict[str, Any]] | None = None,
    ) -> None:
        """Apply one successful read of a site and queue its notifications, atomically.

        `deliveries[i]` says where `result.changes[i]` is to be sent, and
        `payloads[i]` what to say of it.
        """
        stamp = utc_iso(now)
        with self.transaction() as conn:
            self._ensure_site(conn, site, platform, board)
            previous = conn.execute(
                "SELECT last_success FROM sites WHERE name = ?", [site]
            ).fetchone()[0]
            if result.write:
                conn.executemany(_UPSERT, [_row(site, p, stamp) for p in result.write])
                conn.executemany(_DESCRIBE, [self._description(site, p) for p in result.write])
                if not self.packer.dictionary:
                    self._untrained += len(result.write)
            if result.back:
                conn.executemany(
                    "UPDATE postings SET misses = 0, missing_since = NULL "
                    "WHERE site = ? AND id = ?",
                    [(site, i) for i in result.back],
                )
            if result.missing:
                conn.executemany(
                    "UPDATE postings SET misses = misses + 1, "
                    "missing_since = COALESCE(missing_since, ?), "
                    "last_seen = CASE WHEN misses = 0 THEN COALESCE(?, last_seen) "
                    "ELSE last_seen END "
                    "WHERE site = ? AND id = ?",
                    [(stamp, previous, site, i) for i in result.missing],
                )
            if result.closed:
                conn.executemany(
                    "UPDATE postings SET status = 'closed', closed_at = ?, misses = misses + 1, "
                    "last_seen = CASE WHEN misses = 0 THEN COALESCE(?, last_seen) "
                    "ELSE last_seen END "
                    "WHERE site = ? AND id = ?",
                    [(stamp, previous, site, i) for i in result.closed],
                )
            quiet = [c for i, c in enumerate(result.changes) if i not in deliveries]
            conn.executemany(_EVENT, [self._event_row(conn, site, c, stamp) for c in quiet])
            for index, change in enumerate(result.changes):
                if index not in deliveries:
                    continue
                row = self._event_row(conn, site, change, stamp)
                event_id = int(conn.execute(_EVENT, row).lastrowid or 0)
                for delivery in deliveries[index]:
                    payload = (payloads or {}).get(index) or {}
                    self._queue(
                        conn,
                        key=f"{site}/{change.posting_id}/{change.kind}/{row[-1]}/"
                        f"{delivery.channel}/{delivery.target}",
                        site=site,
                        posting_id=change.posting_id,
                        event_id=event_id,
                        kind=str(change.kind),
                        delivery=delivery,
                        payload={**payload, "why": list(delivery.why)},
                        now=now,
                    )
            conn.execute(
                "UPDATE sites SET last_check = ?, last_success = ?, last_error = NULL, "
                "error_kind = NULL, failures = CASE WHEN ? THEN failures + 1 ELSE 0 END, "
                "etag = ?, last_modified = ?, body_hash = ?, "
                "baseline_at = COALESCE(baseline_at, ?) WHERE name = ?",
                [
                    stamp,
                    stamp,
                    result.suspect is not None,
                    etag,
                    last_modified,
                    body_hash,
                    stamp,
                    site,
                ],
            )
            if result.suspect:
                conn.execute(
                    "UPDATE sites SET last_error = ?, error_kind = 'suspect' WHERE name = ?",
                    [result.suspect, site],
                )

    def record_unchanged(self, site: str, now: datetime) -> None:
        """A read that found the board as it was (304 or the same body): only a site
        read before can be unchanged, so its row exists. Inside `batched`, written
        with others in one transaction; else one statement, one commit."""
        stamp = utc_iso(now)
        if self._unchanged is not None:
            self._unchanged.append((stamp, stamp, site))
            if len(self._unchanged) >= UNCHANGED_BATCH:
                self._write_unchanged()
            return
        try:
            self.db.conn.execute(_UNCHANGED, [stamp, stamp, site])
        except sqlite3.Error as exc:
            raise StoreError(_why(exc)) from None

    @contextmanager
    def batched(self) -> Iterator[None]:
        """Write unchanged reads together (every `UNCHANGED_BATCH`, and at the end)
        instead of one commit each: in a cycle where most boards answer 304, the
        commits were most of the store's cost. A crash loses only these sites' last
        check time, and the next check reads them again."""
        self._unchanged = []
        try:
            yield
        finally:
            self._write_unchanged()
            self._unchanged = None

    def _write_unchanged(self) -> None:
        rows, self._unchanged = self._unchanged or [], []
        if rows:
            with self.transaction() as conn:
                conn.executemany(_UNCHANGED, rows)

    def record_failure(
        self, site: str, platform: str, board: str, now: datetime, reason: str, kind: str
    ) -> int:
        """A failed read: nothing about postings changes. Returns consecutive failures."""
        stamp = utc_iso(now)
        with self.transaction() as conn:
            self._ensure_site(conn, site, platform, board)
            conn.execute(
                "UPDATE sites SET last_check = ?, last_error = ?, error_kind = ?, "
                "failures = failures + 1 WHERE name = ?",
                [stamp, reason, kind, site],
            )
            return int(
                conn.execute("SELECT failures FROM sites WHERE name = ?", [site]).fetchone()[0]
            )

    def _event_row(
        self, conn: sqlite3.Connection, site: str, change: Change, stamp: str | None
    ) -> tuple[Any, ...]:
        """The events row of a change; its last value is the change's occurrence (a
        posting may reopen twice), counted only where it can be more than one."""
        occurrence = 1
        if change.kind is not EventKind.NEW:  # a new posting was never stored before
            occurrence += conn.execute(
                "SELECT COUNT(*) FROM events WHERE site = ? AND posting_id = ? AND kind = ?",
                [site, change.posting_id, str(change.kind)],
            ).fetchone()[0]
        return (
            site,
            change.posting_id,
            str(change.kind),
            stamp,
            ",".join(change.fields) or None,
            change.previous_id,
            occurrence,
        )

    def _queue(
        self,
        conn: sqlite3.Connection,
        *,
        key: str,
        site: str | None,
        posting_id: str | None,
        event_id: int | None,
        kind: str,
        delivery: Delivery,
        payload: dict[str, Any],
        now: datetime,
    ) -> None:
        conn.execute(
            "INSERT OR IGNORE INTO outbox (key, site, posting_id, event_id, kind, channel, "
            "target, payload, created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                key,
                site,
                posting_id,
                event_id,
                kind,
                delivery.channel,
                delivery.target,
                orjson.dumps(payload).decode(),
                utc_iso(now),
                utc_iso(delivery.due_at),
            ],
        )

    def queue_notice(
        self,
        key: str,
        site: str | None,
        kind: str,
        deliveries: Sequence[Delivery],
        payload: dict[str, Any],
        now: datetime,
    ) -> None:
        """Queue a notice that is not about a posting (source health, dead letters)."""
        with self.transaction() as conn:
            for delivery in deliveries:
                self._queue(
                    conn,
                    key=f"{key}/{delivery.channel}/{delivery.target}",
                    site=site,
                    posting_id=None,
                    event_id=None,
                    kind=kind,
                    delivery=delivery,
                    payload=payload,
                    now=now,
                )

    def set_attention(self, site: str, flag: bool) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE sites SET attention = ? WHERE name = ?", [int(flag), site])

    def count_notices(self, site: str, kind: str) -> int:
        """How many notices of a kind (attention, recovered) were queued for a site."""
        row = self.db.conn.execute(
            "SELECT COUNT(DISTINCT key) FROM outbox WHERE site = ? AND kind = ?", [site, kind]
        ).fetchone()
        return int(row[0])

    def open_count(self, site: str) -> int:
        row = self.db.conn.execute(
            "SELECT COUNT(*) FROM postings WHERE site = ? AND status = 'open'", [site]
        ).fetchone()
        return int(row[0])

    def raw_hashes(self, site: str) -> dict[str, str]:
        """The raw hash of each open posting of a site that has one (see reader.py)."""
        return dict(
            self.db.conn.execute(
                "SELECT id, raw FROM postings WHERE site = ? AND status = 'open' "
                "AND raw IS NOT NULL",
                [site],
            ).fetchall()
        )

    def detail_state(self, site: str) -> dict[str, tuple[str, bool]]:
        """id -> (digest, detail read) of every stored posting of a site."""
        rows = self.db.conn.execute(
            "SELECT id, digest, detailed FROM postings WHERE site = ?", [site]
        )
        return {row[0]: (row[1], bool(row[2])) for row in rows}

    # --- the outbox -----------------------------------------------------------------

    def claim_due(self, now: datetime, lease: timedelta, *, force: bool = False) -> list[OutboxRow]:
        """Take the rows due now (every pending one with `force`) for sending; a row
        claimed by a process that died becomes due again when its lease runs out (so it
        may be sent twice, never lost)."""
        stamp = utc_iso(now)
        with self.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET status = 'pending', claimed_until = NULL "
                "WHERE status = 'sending' AND claimed_until < ?",
                [stamp],
            )
            rows = conn.execute(
                f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE status = 'pending' "
                "AND (due_at <= ? OR ?) ORDER BY id",
                [stamp, force],
            ).fetchall()
            if rows:
                conn.executemany(
                    "UPDATE outbox SET status = 'sending', claimed_until = ? WHERE id = ?",
                    [(utc_iso(now + lease), row[0]) for row in rows],
                )
        return [_outbox(row) for row in rows]

    def mark_sent(self, ids: Sequence[int], now: datetime) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE outbox SET status = 'sent', sent_at = ?, claimed_until = NULL, "
                "attempts = attempts + 1, last_error = NULL WHERE id = ?",
                [(utc_iso(now), i) for i in ids],
            )

    def mark_failed(
        self, ids: Sequence[int], now: datetime, error: str, retry_at: datetime | None
    ) -> None:
        """A failed attempt: retried at `retry_at`, or dead-lettered when None."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE outbox SET status = ?, due_at = COALESCE(?, due_at), "
                "attempts = attempts + 1, "
                "last_error = ?, claimed_until = NULL WHERE id = ?",
                [("pending" if retry_at else "dead", utc_iso(retry_at), error, i) for i in ids],
            )

    def defer(self, ids: Sequence[int], until: datetime) -> None:
        """Give claimed rows back unsent, due at `until` (the end of quiet hours)."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE outbox SET status = 'pending', claimed_until = NULL, due_at = ? "
                "WHERE id = ?",
                [(utc_iso(until), i) for i in ids],
            )

    def outbox(self, statuses: Sequence[str] = ("pending", "sending", "dead")) -> list[OutboxRow]:
        marks = ",".join("?" * len(statuses))
        rows = self.db.conn.execute(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE status IN ({marks}) ORDER BY id",
            list(statuses),
        ).fetchall()
        return [_outbox(row) for row in rows]

    def retry_dead(self, now: datetime) -> int:
        with self.transaction() as conn:
            cursor = conn.execute(
                "UPDATE outbox SET status = 'pending', due_at = ?, attempts = 0 "
                "WHERE status = 'dead'",
                [utc_iso(now)],
            )
            return cursor.rowcount

    def pending_count(self) -> int:
        row = self.db.conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
        ).fetchone()
        return int(row[0])

    # --- queries for the command line -----------------------------------------------

    def postings(
        self,
        *,
        status: str = "open",
        site: str | None = None,
        since: datetime | None = None,
        search: str | None = None,
        posting_id: str | None = None,
        full: bool = False,
    ) -> list[dict[str, Any]]:
        """Stored postings, newest first, in the `watcher list --json` shape.

        `since`: first seen at or after; `search`: full-text query (SQLite FTS5) over
        titles and descriptions; `full`: include the description.
        """
        where: list[str] = []
        args: list[Any] = []
        if status != "all":
            where.append("p.status = ?")
            args.append(status)
        if site:
            where.append("p.site = ?")
            args.append(site)
        if posting_id:
            where.append("p.id = ?")
            args.append(posting_id)
        if since:
            where.append("p.first_seen >= ?")
            args.append(utc_iso(since))
        if search:
            self._sync_search()
            where.append(
                "(p.site, p.id) IN (SELECT site, id FROM postings_fts WHERE postings_fts MATCH ?)"
            )
            args.append(_fts_query(search))
        sql = (
            "SELECT p.site, p.id, p.title, p.url, p.location, p.locations, p.department, p.team, "
            "p.employment, p.workplace, p.compensation, p.posted_at, p.status, p.first_seen, "
            "CASE WHEN p.status = 'open' AND p.misses = 0 THEN COALESCE(s.last_success, "
            "p.last_seen) ELSE p.last_seen END AS last_seen, p.closed_at"
            + (
                ", unpack(d.body, d.dictionary) AS description, d.html AS description_is_html"
                if full
                else ""
            )
            + " FROM postings p LEFT JOIN sites s ON s.name = p.site"
            + (" LEFT JOIN descriptions d ON d.site = p.site AND d.id = p.id" if full else "")
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + " ORDER BY p.first_seen DESC, p.site, p.id"
        )
        try:
            cursor = self.db.conn.execute(sql, args)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"bad search {search!r}: {exc}") from None
        names = [d[0] for d in cursor.description]
        out = []
        for row in cursor:
            item = dict(zip(names, row, strict=True))
            item["locations"] = orjson.loads(item["locations"]) if item["locations"] else []
            item["compensation"] = (
                orjson.loads(item["compensation"]) if item["compensation"] else None
            )
            if item.pop("description_is_html", None):
                item["description"] = html_to_text(item["description"])
            out.append(item)
        return out

    def _sync_search(self) -> None:
        """Bring the full-text index up to date with the postings it lags behind.

        The index is kept lazily, at search time, so that checks never pay for it.
        """
        with self.transaction() as conn:
            conn.execute(
                "DELETE FROM postings_fts WHERE rowid IN (SELECT f.rowid FROM postings_fts f "
                "LEFT JOIN postings p ON p.site = f.site AND p.id = f.id "
                "WHERE p.digest IS NULL OR p.digest != f.digest)"
            )
            conn.execute(
                "INSERT INTO postings_fts (site, id, digest, title, description) "
                "SELECT p.site, p.id, p.digest, p.title, CASE WHEN d.html "
                "THEN html_text(unpack(d.body, d.dictionary)) "
                "ELSE unpack(d.body, d.dictionary) END FROM postings p "
                "LEFT JOIN descriptions d ON d.site = p.site AND d.id = p.id "
                "WHERE NOT EXISTS (SELECT 1 FROM postings_fts f WHERE f.site = p.site "
                "AND f.id = p.id)"
            )

    def sites(self) -> list[dict[str, Any]]:
        cursor = self.db.conn.execute(
            "SELECT s.*, (SELECT COUNT(*) FROM postings p WHERE p.site = s.name "
            "AND p.status = 'open') AS open FROM sites s ORDER BY s.name"
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def history(self, site: str, posting_id: str) -> list[dict[str, Any]]:
        cursor = self.db.conn.execute(
            "SELECT kind, at, fields, previous_id FROM events WHERE site = ? AND posting_id = ? "
            "ORDER BY id",
            [site, posting_id],
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]


UNCHANGED_BATCH = 256
_UNCHANGED = (
    "UPDATE sites SET last_check = ?, last_success = ?, last_error = NULL, "
    "error_kind = NULL, failures = 0 WHERE name = ?"
)
_STORED = (
    "id, status, digest, title, url, location, department, team, employment, workplace, "
    "compensation, misses, missing_since, closed_at, detailed, raw"
)
_SITE_STATE = (
    "SELECT name, platform, board, baseline_at, last_check, last_success, last_error, "
    "error_kind, failures, attention, etag, last_modified, body_hash, "
    "(SELECT COUNT(*) FROM postings WHERE site = sites.name AND status = 'open'), "
    "(SELECT COUNT(*) FROM postings WHERE site = sites.name AND status = 'open' "
    "AND misses > 0) FROM sites WHERE name = ?"
)
_POSTING_COLUMNS = (
    "site, id, title, url, location, locations, department, team, employment, workplace, "
    "compensation, posted_at, updated_at, digest, raw, detailed, "
    "status, first_seen, last_seen, closed_at, misses, missing_since"
)
_UPSERT = (
    f"INSERT INTO postings ({_POSTING_COLUMNS}) VALUES ({', '.join('?' * 22)}) "
    "ON CONFLICT(site, id) DO UPDATE SET title = excluded.title, url = excluded.url, "
    "location = excluded.location, locations = excluded.locations, "
    "department = excluded.department, team = excluded.team, "
    "employment = excluded.employment, workplace = excluded.workplace, "
    "compensation = excluded.compensation, posted_at = excluded.posted_at, "
    "updated_at = excluded.updated_at, digest = excluded.digest, raw = excluded.raw, "
    "detailed = MAX(detailed, excluded.detailed), status = 'open', "
    "last_seen = excluded.last_seen, closed_at = NULL, misses = 0, missing_since = NULL"
)
_DESCRIBE = (
    "INSERT INTO descriptions (site, id, body, dictionary, html) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT(site, id) DO UPDATE SET body = excluded.body, "
    "dictionary = excluded.dictionary, html = excluded.html"
)
_EVENT = (
    "INSERT INTO events (site, posting_id, kind, at, fields, previous_id, occurrence) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_OUTBOX_COLUMNS = (
    "id, key, site, posting_id, kind, channel, target, payload, created_at, due_at, attempts, "
    "status, last_error"
)


def _row(site: str, p: Posting, stamp: str | None) -> tuple[Any, ...]:
    # first_seen is only written on insert: the upsert's UPDATE part leaves it alone.
    compensation = p.compensation
    return (
        site,
        p.id,
        p.title,
        p.url,
        p.location,
        orjson.dumps(list(p.locations)).decode(),
        p.department,
        p.team,
        p.employment,
        p.workplace,
        orjson.dumps(_comp(compensation)).decode() if compensation else None,
        utc_iso(p.posted_at),
        utc_iso(p.updated_at),
        p.digest or p.fingerprint(),
        p.raw or None,
        int(p.detailed),
        "open",
        stamp,
        stamp,
        None,
        0,
        None,
    )


def _comp(c: Any) -> dict[str, Any]:
    return {
        "min": c.min,
        "max": c.max,
        "currency": c.currency,
        "period": c.period,
        "text": c.text,
        "summary": c.summary(),
    }


def _stored(row: Sequence[Any]) -> Stored:
    comp = orjson.loads(row[10]) if row[10] else None
    return Stored(
        id=row[0],
        status=row[1],
        digest=row[2],
        visible={
            "title": row[3],
            "url": row[4],
            "location": row[5],
            "department": row[6],
            "team": row[7],
            "employment": row[8],
            "workplace": row[9],
            "compensation": comp["summary"] if comp else None,
        },
        misses=row[11],
        missing_since=_time(row[12]),
        closed_at=_time(row[13]),
        detailed=bool(row[14]),
        raw=row[15] or "",
    )


def as_posting(row: dict[str, Any]) -> Posting:
    """A `Posting` again, from a row of `Store.postings(full=True)` (for filters)."""
    comp = row.get("compensation")
    return Posting(
        id=row["id"],
        title=row["title"],
        url=row["url"],
        locations=tuple(row.get("locations") or ()),
        department=row.get("department"),
        team=row.get("team"),
        employment=row.get("employment"),
        workplace=row.get("workplace"),
        posted_at=_time(row.get("posted_at")),
        compensation=Compensation(
            comp.get("min"),
            comp.get("max"),
            comp.get("currency"),
            comp.get("period"),
            comp.get("text"),
        )
        if comp
        else None,
        description=row.get("description") or "",
    )


def _outbox(row: Sequence[Any]) -> OutboxRow:
    values = list(row)
    values[7] = orjson.loads(values[7])
    return OutboxRow(*values)


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _by_ids(
    conn: sqlite3.Connection, select: str, site: str, ids: list[str]
) -> Iterator[Sequence[Any]]:
    """The rows of `select ... WHERE site = ? AND id IN (ids)`, a bounded chunk at a time."""
    for chunk in _chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        yield from conn.execute(f"{select} WHERE site = ? AND id IN ({marks})", [site, *chunk])


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _why(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "the database is busy: another watcher process holds it (try again shortly)"
    if "readonly" in text or "read-only" in text:
        return "the database is read-only: check the file's permissions"
    if "full" in text:
        return "the disk is full: nothing was written"
    return f"database error: {text}"
