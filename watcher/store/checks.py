"""What a check reads before it diffs, and writes after: a site's read in one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from watcher.diff import Stored
from watcher.model import Change, EventKind, Posting, SiteState, utc_iso
from watcher.store.applications import record_door
from watcher.store.base import StoreBase
from watcher.store.outbox import queue
from watcher.store.rows import (
    DESCRIBE,
    EVENT,
    SITE_STATE,
    STORED,
    UNCHANGED,
    UNCHANGED_BATCH,
    UPSERT,
    StoreError,
    by_ids,
    posting_row,
    stored_of,
    why,
)

if TYPE_CHECKING:
    from watcher.plan import Plan

# The full-text indexes lag behind postings written: the next search catches them up.
SEARCH_STALE = "UPDATE search_state SET dirty = 1"


class Checks(StoreBase):
    # --- sites ----------------------------------------------------------------------

    def site_state(self, name: str) -> SiteState | None:
        """A site's stored state, with its counts of open and closing postings (both
        read from indexes: one query is all a check needs before it fetches)."""
        row = self.db.conn.execute(SITE_STATE, [name]).fetchone()
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
        *,
        unmissed_kept: bool = False,
    ) -> dict[str, Stored]:
        """Open postings, closed ones among `fresh_ids`, and ones closed within `window`.

        Postings the read `kept` (listed exactly as stored; with `unmissed_kept`, every
        open one with no miss) are only counted: their rows are not read in full, as the
        diff needs nothing else of them. Those in `described` come with their stored
        description."""
        conn = self.db.conn
        kept = set(kept)
        out: dict[str, Stored] = {}
        wanted: list[str] = []
        for posting_id, misses in conn.execute(
            "SELECT id, misses FROM postings WHERE site = ? AND status = 'open'", [site]
        ):
            if posting_id in kept or (unmissed_kept and not misses):
                out[posting_id] = Stored(posting_id, "open", "", {}, misses=misses)
            else:
                wanted.append(posting_id)
        since = utc_iso(now - window)
        for row in conn.execute(
            f"SELECT {STORED} FROM postings WHERE site = ? AND status = 'closed' "
            "AND closed_at >= ?",
            [site, since],
        ):
            out[row[0]] = stored_of(row)
        wanted += [i for i in fresh_ids if i not in out]
        for row in by_ids(conn, f"SELECT {STORED} FROM postings", site, wanted):
            out[row[0]] = stored_of(row)
        texts = [i for i in described if i in out]
        query = "SELECT id, body, dictionary FROM descriptions"
        for posting_id, body, dictionary in by_ids(conn, query, site, texts):
            out[posting_id] = replace(
                out[posting_id], description=self.packer.unpack(body, dictionary)
            )
        return out

    def snapshot(
        self,
        site: str,
        now: datetime,
        window: timedelta,
        *,
        fresh_ids: Iterable[str] = (),
        kept: Iterable[str] = (),
        described: Iterable[str] = (),
        unchanged: bool = False,
    ) -> tuple[SiteState | None, dict[str, Stored]]:
        """What a plan is made from, read once: the site's state and what the diff needs
        (`stored_for_diff`). For an unchanged read (304, same body) the postings present
        are those the last read listed: the open ones with no miss."""
        state = self.site_state(site)
        stored = self.stored_for_diff(
            site, fresh_ids, now, window, kept=kept, described=described, unmissed_kept=unchanged
        )
        return state, stored

    # --- writing a check --------------------------------------------------------------

    def apply(self, plan: Plan) -> None:
        """Write everything one check of one site decided, in one transaction: its
        postings, events and their outbox rows, its health notices and its row."""
        if plan.only_checked:
            self.record_unchanged(plan.site, plan.now)
            return
        stamp = utc_iso(plan.now)
        with self.transaction() as conn:
            self._ensure_site(conn, plan.site, plan.platform, plan.board)
            if plan.diff is not None:
                self._write_diff(conn, plan, stamp)
            record_door(conn, plan.door, plan.now)
            for number, notice in enumerate(plan.notices, start=self._notices(conn, plan.site)):
                for delivery in notice.deliveries:
                    queue(
                        conn,
                        key=f"{plan.site}/{notice.kind}/{number + 1}/"
                        f"{delivery.channel}/{delivery.target}",
                        site=plan.site,
                        posting_id=None,
                        event_id=None,
                        kind=notice.kind,
                        delivery=delivery,
                        payload={"title": notice.title, "body": notice.body},
                        now=plan.now,
                    )
            result = plan.result
            read = plan.validators is not None
            validators = plan.validators if read and not result.suspect else None
            conn.execute(
                "UPDATE sites SET last_check = ?, "
                "last_success = CASE WHEN ? THEN ? ELSE last_success END, "
                "last_error = ?, error_kind = ?, failures = ?, attention = ?, "
                "etag = CASE WHEN ? THEN ? ELSE etag END, "
                "last_modified = CASE WHEN ? THEN ? ELSE last_modified END, "
                "body_hash = CASE WHEN ? THEN ? ELSE body_hash END, "
                "baseline_at = CASE WHEN ? THEN COALESCE(baseline_at, ?) ELSE baseline_at END, "
                "suspect_reads = ?, suspect_key = ?, "
                "accept_smaller = CASE WHEN ? THEN 0 ELSE accept_smaller END, "
                "notices = notices + ?, removed_at = NULL WHERE name = ?",
                [
                    stamp,
                    read,
                    stamp,
                    result.error if not read else result.suspect,
                    result.error_kind if not read else ("suspect" if result.suspect else None),
                    plan.failures,
                    int(plan.attention),
                    read,
                    validators.etag if validators else None,
                    read,
                    validators.last_modified if validators else None,
                    read,
                    validators.body_hash if validators else None,
                    read,
                    stamp,
                    plan.suspect_reads,
                    plan.suspect_key,
                    read,
                    len(plan.notices),
                    plan.site,
                ],
            )

    def _notices(self, conn: sqlite3.Connection, site: str) -> int:
        row = conn.execute("SELECT notices FROM sites WHERE name = ?", [site]).fetchone()
        return int(row[0]) if row else 0

    def _write_diff(self, conn: sqlite3.Connection, plan: Plan, stamp: str | None) -> None:
        """A read's posting changes and their events and outbox rows."""
        site, result = plan.site, plan.diff
        assert result is not None
        previous = conn.execute("SELECT last_success FROM sites WHERE name = ?", [site]).fetchone()[
            0
        ]
        if result.write:
            conn.executemany(UPSERT, [posting_row(site, p, stamp) for p in result.write])
            conn.executemany(DESCRIBE, [self._description(site, p) for p in result.write])
            conn.execute(SEARCH_STALE)
            if not self.packer.dictionary:
                self._untrained += len(result.write)
        if result.back:
            conn.executemany(
                "UPDATE postings SET misses = 0, missing_since = NULL WHERE site = ? AND id = ?",
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
        deliveries = plan.deliveries
        quiet = [c for i, c in enumerate(result.changes) if i not in deliveries]
        conn.executemany(EVENT, [self._event_row(conn, site, c, stamp) for c in quiet])
        for index, change in enumerate(result.changes):
            if index not in deliveries:
                continue
            row = self._event_row(conn, site, change, stamp)
            event_id = int(conn.execute(EVENT, row).lastrowid or 0)
            payload = plan.payloads.get(index) or {}
            for delivery in deliveries[index]:
                queue(
                    conn,
                    key=f"{site}/{change.posting_id}/{change.kind}/{row[-1]}/"
                    f"{delivery.channel}/{delivery.target}",
                    site=site,
                    posting_id=change.posting_id,
                    event_id=event_id,
                    kind=str(change.kind),
                    delivery=delivery,
                    payload={**payload, "why": list(delivery.why)},
                    now=plan.now,
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
            self.db.conn.execute(UNCHANGED, [stamp, stamp, site])
        except sqlite3.Error as exc:
            raise StoreError(why(exc)) from None

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
                conn.executemany(UNCHANGED, rows)

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

    def reconcile(self, sites: Iterable[tuple[str, str, str]], now: datetime) -> list[str]:
        """Bring the stored sites in line with sites.yaml, given (name, platform, board) of
        each configured site. A site is its board: one with no row of its own takes over
        the row of a stored site on the same board that sites.yaml no longer names (a
        rename keeps its postings, history, marks and outbox); a stored site sites.yaml no
        longer names is marked removed (its postings are no longer listed as open) until
        it comes back. Returns the renames, as "old -> new"."""
        wanted = {name: (platform, board) for name, platform, board in sites}
        conn = self.db.conn
        stored = {
            row[0]: (row[1], row[2])
            for row in conn.execute("SELECT name, platform, board FROM sites")
        }
        renames: list[str] = []
        with self.transaction() as conn:
            for name, key in wanted.items():
                if name in stored:
                    continue
                old = next((n for n, k in stored.items() if k == key and n not in wanted), None)
                if old is None:
                    continue
                for table in self._tables_with_site(conn):
                    conn.execute(f"UPDATE {table} SET site = ? WHERE site = ?", [name, old])
                conn.execute("UPDATE sites SET name = ? WHERE name = ?", [name, old])
                conn.execute(SEARCH_STALE)
                stored[name] = stored.pop(old)
                renames.append(f"{old} -> {name}")
            conn.executemany(
                "UPDATE sites SET removed_at = COALESCE(removed_at, ?) WHERE name = ?",
                [(utc_iso(now), n) for n in stored if n not in wanted],
            )
            conn.executemany(
                "UPDATE sites SET removed_at = NULL WHERE name = ?",
                [(n,) for n in stored if n in wanted],
            )
        return renames

    @staticmethod
    def _tables_with_site(conn: sqlite3.Connection) -> list[str]:
        """Every table that names a site in a `site` column (this one's, and those that
        later migrations add)."""
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return [
            table
            for table in tables
            if any(col[1] == "site" for col in conn.execute(f"PRAGMA table_info('{table}')"))
        ]

    def accept_smaller(self, site: str) -> bool:
        """`watcher accept SITE`: believe the site's next read, however small. False when
        no such site is stored."""
        with self.transaction() as conn:
            cursor = conn.execute("UPDATE sites SET accept_smaller = 1 WHERE name = ?", [site])
            return cursor.rowcount > 0

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
