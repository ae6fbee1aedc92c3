"""What a check reads before it diffs, and writes after: a site's read in one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from watcher.diff import Diff, Stored
from watcher.model import Change, Delivery, EventKind, Posting, utc_iso
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
    SiteState,
    StoreError,
    by_ids,
    posting_row,
    stored_of,
    why,
)


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
                conn.executemany(UPSERT, [posting_row(site, p, stamp) for p in result.write])
                conn.executemany(DESCRIBE, [self._description(site, p) for p in result.write])
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
            conn.executemany(EVENT, [self._event_row(conn, site, c, stamp) for c in quiet])
            for index, change in enumerate(result.changes):
                if index not in deliveries:
                    continue
                row = self._event_row(conn, site, change, stamp)
                event_id = int(conn.execute(EVENT, row).lastrowid or 0)
                for delivery in deliveries[index]:
                    payload = (payloads or {}).get(index) or {}
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
