"""The outbox: notifications written with the change that caused them, then claimed,
sent and marked, each on its own."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson

from watcher.model import Delivery, utc_iso
from watcher.store.base import StoreBase
from watcher.store.rows import OUTBOX_COLUMNS, OutboxRow, outbox_row


def queue(
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


class Outbox(StoreBase):
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
                queue(
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
                f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE status = 'pending' "
                "AND (due_at <= ? OR ?) ORDER BY id",
                [stamp, force],
            ).fetchall()
            if rows:
                conn.executemany(
                    "UPDATE outbox SET status = 'sending', claimed_until = ? WHERE id = ?",
                    [(utc_iso(now + lease), row[0]) for row in rows],
                )
        return [outbox_row(row) for row in rows]

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
            f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE status IN ({marks}) ORDER BY id",
            list(statuses),
        ).fetchall()
        return [outbox_row(row) for row in rows]

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
