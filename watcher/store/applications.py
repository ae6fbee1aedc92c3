"""Applications (watcher.door): marks, reflections, what they were told of, and their
postings' state. Each change is one transaction; a check's second chances are written
in the check's own transaction (`record_door`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from watcher.diff import compare_key
from watcher.door import Application, DoorEvent, FollowUp, Mark
from watcher.model import Delivery, utc_iso
from watcher.store.base import StoreBase
from watcher.store.outbox import queue
from watcher.store.rows import StoreError, fts_query

_COLUMNS = "id, company, title, site, posting_id, url, department, team, location, reflection"


def record_door(conn: sqlite3.Connection, events: Iterable[DoorEvent], now: datetime) -> None:
    """Within a check's transaction: note what applications were told of, and queue each
    second chance to its channels. Keys make each happen once."""
    for event in events:
        cursor = conn.execute(
            "INSERT OR IGNORE INTO application_events (key, application, kind, site, "
            "posting_id, at) VALUES (?, ?, ?, ?, ?, ?)",
            [event.key, event.application, event.kind, event.site, event.posting_id, utc_iso(now)],
        )
        if not cursor.rowcount:
            continue
        for delivery in event.deliveries:
            queue(
                conn,
                key=f"{event.key}/{delivery.channel}/{delivery.target}",
                site=event.site,
                posting_id=None,  # a notice of its own: never held for a digest
                event_id=None,
                kind=event.kind,
                delivery=delivery,
                payload=event.payload,
                now=now,
            )


class Applications(StoreBase):
    # --- writing --------------------------------------------------------------------

    def mark(
        self,
        site: str,
        posting_id: str,
        stage: str,
        on: date,
        at: time | None,
        note: str | None,
        now: datetime,
    ) -> Application:
        """Mark a stored posting: its application is made on the first mark, from the
        posting's company (the site), title, team and place. LookupError when there is
        no such posting."""
        with self.transaction() as conn:
            found = conn.execute(
                "SELECT id FROM applications WHERE site = ? AND posting_id = ?",
                [site, posting_id],
            ).fetchone()
            if found is None:
                row = conn.execute(
                    "SELECT title, url, department, team, location FROM postings "
                    "WHERE site = ? AND id = ?",
                    [site, posting_id],
                ).fetchone()
                if row is None:
                    raise LookupError(f"no posting {site}:{posting_id}")
                title, url, department, team, location = row
                app_id = self._create(
                    conn, site, title, url, site, posting_id, department, team, location, now
                )
            else:
                app_id = found[0]
            self._add_mark(conn, app_id, stage, on, at, note, now)
        return self._one(app_id)

    def track(
        self,
        url: str,
        company: str,
        title: str,
        stage: str,
        on: date,
        at: time | None,
        note: str | None,
        now: datetime,
    ) -> Application:
        """Record an application for a role found elsewhere, by its URL: a second
        `track` of the same URL adds a mark to the same application."""
        with self.transaction() as conn:
            found = conn.execute(
                "SELECT id FROM applications WHERE url = ? AND posting_id IS NULL ORDER BY id",
                [url],
            ).fetchone()
            if found is None:
                app_id = self._create(conn, company, title, url, None, None, None, None, None, now)
            else:
                app_id = found[0]
            self._add_mark(conn, app_id, stage, on, at, note, now)
        return self._one(app_id)

    def reflect(self, application: int, text: str) -> None:
        """Keep (or replace) an application's reflection; it is searchable."""
        with self.transaction() as conn:
            conn.execute("UPDATE applications SET reflection = ? WHERE id = ?", [text, application])
            conn.execute(
                "DELETE FROM applications_fts WHERE application = ? AND part = 'reflection'",
                [application],
            )
            conn.execute(
                "INSERT INTO applications_fts (application, part, body) VALUES (?, ?, ?)",
                [application, "reflection", text],
            )

    def _create(
        self,
        conn: sqlite3.Connection,
        company: str,
        title: str,
        url: str | None,
        site: str | None,
        posting_id: str | None,
        department: str | None,
        team: str | None,
        location: str | None,
        now: datetime,
    ) -> int:
        app_id = int(
            conn.execute(
                "INSERT INTO applications (company, title, url, site, posting_id, department, "
                "team, location, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [company, title, url, site, posting_id, department, team, location, utc_iso(now)],
            ).lastrowid
            or 0
        )
        conn.execute(
            "INSERT INTO applications_fts (application, part, body) VALUES (?, 'role', ?)",
            [app_id, f"{company}\n{title}\n{team or department or ''}"],
        )
        return app_id

    def _add_mark(
        self,
        conn: sqlite3.Connection,
        app_id: int,
        stage: str,
        on: date,
        at: time | None,
        note: str | None,
        now: datetime,
    ) -> None:
        mark_id = conn.execute(
            "INSERT INTO application_marks (application, stage, on_date, note, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [app_id, stage, Mark(0, stage, on, at).when, note, utc_iso(now)],
        ).lastrowid
        if note:
            conn.execute(
                "INSERT INTO applications_fts (application, part, body) VALUES (?, ?, ?)",
                [app_id, f"mark:{mark_id}", note],
            )

    # --- reading --------------------------------------------------------------------

    def applications(
        self, *, search: str | None = None, ids: Iterable[int] | None = None
    ) -> list[Application]:
        """Every application (or those whose role, notes or reflection hold the words
        of `search`, or those of `ids`), the most recent first, with their marks."""
        where, args = "", list[Any]()
        if search is not None:
            where = (
                " WHERE id IN (SELECT application FROM applications_fts WHERE "
                "applications_fts MATCH ?)"
            )
            args = [fts_query(search)]
        elif ids is not None:
            wanted = list(ids)
            where = f" WHERE id IN ({','.join('?' * len(wanted))})"
            args = wanted
        try:
            rows = self.db.conn.execute(
                f"SELECT {_COLUMNS} FROM applications{where} ORDER BY id DESC", args
            ).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"bad search {search!r}: {exc}") from None
        return self._with_marks(rows)

    def applications_at(self, site: str) -> list[Application]:
        """The applications a check of `site` needs: those tied to its postings, and
        those tracked from elsewhere at a company of the same name."""
        rows = self.db.conn.execute(
            f"SELECT {_COLUMNS} FROM applications WHERE site = ? OR posting_id IS NULL",
            [site],
        ).fetchall()
        key = compare_key(site)
        return self._with_marks(
            [r for r in rows if r[3] == site or (r[3] is None and compare_key(r[1]) == key)]
        )

    def application_of(self, site: str, posting_id: str) -> Application | None:
        row = self.db.conn.execute(
            "SELECT id FROM applications WHERE site = ? AND posting_id = ?", [site, posting_id]
        ).fetchone()
        return self._one(row[0]) if row else None

    def tracked(self, url: str) -> list[Application]:
        """Applications tracked from elsewhere with this URL."""
        ids = [
            row[0]
            for row in self.db.conn.execute(
                "SELECT id FROM applications WHERE url IN (?, ?) AND posting_id IS NULL",
                [url, url.rstrip("/") if url.endswith("/") else url + "/"],
            )
        ]
        return self.applications(ids=ids) if ids else []

    def _one(self, app_id: int) -> Application:
        (found,) = self.applications(ids=[app_id])
        return found

    def _with_marks(self, rows: Sequence[Sequence[Any]]) -> list[Application]:
        marks: dict[int, list[Mark]] = {row[0]: [] for row in rows}
        ids = list(marks)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for mark_id, app_id, stage, when, note in self.db.conn.execute(
                "SELECT id, application, stage, on_date, note FROM application_marks "
                f"WHERE application IN ({','.join('?' * len(chunk))}) ORDER BY id",
                chunk,
            ):
                day, at = _when(when)
                marks[app_id].append(Mark(mark_id, stage, day, at, note))
        return [
            Application(
                id=row[0],
                company=row[1],
                title=row[2],
                marks=tuple(marks[row[0]]),
                site=row[3],
                posting_id=row[4],
                url=row[5],
                department=row[6],
                team=row[7],
                location=row[8],
                reflection=row[9],
            )
            for row in rows
        ]

    def posting_state(self, applications: Iterable[Application]) -> dict[int, dict[str, Any]]:
        """Where each tied application's posting stands: `status` (open, closed,
        reopened), `since` (when it last changed, ISO UTC), `open_again` (the postings
        a second chance told of, as site:id), `watched` (its site row is known)."""
        conn = self.db.conn
        out: dict[int, dict[str, Any]] = {}
        for app in applications:
            if app.site is None or app.posting_id is None:
                out[app.id] = {"status": None, "since": None, "open_again": []}
                continue
            row = conn.execute(
                "SELECT status, first_seen, closed_at FROM postings WHERE site = ? AND id = ?",
                [app.site, app.posting_id],
            ).fetchone()
            last = conn.execute(
                "SELECT kind, at FROM events WHERE site = ? AND posting_id = ? "
                "AND kind IN ('closed', 'reopened') ORDER BY id DESC LIMIT 1",
                [app.site, app.posting_id],
            ).fetchone()
            if row is None:
                status, since = "gone", None
            elif row[0] == "closed":
                status, since = "closed", row[2]
            elif last and last[0] == "reopened":
                status, since = "reopened", last[1]
            else:
                status, since = "open", row[1]
            out[app.id] = {"status": status, "since": since, "open_again": []}
        ids = [app.id for app in applications]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for app_id, site, posting_id in conn.execute(
                "SELECT application, site, posting_id FROM application_events "
                f"WHERE kind = 'second_chance' AND application IN ({','.join('?' * len(chunk))}) "
                "ORDER BY id",
                chunk,
            ):
                out[app_id]["open_again"].append(f"{site}:{posting_id}")
        return out

    def door_events(self, application: int) -> list[dict[str, Any]]:
        cursor = self.db.conn.execute(
            "SELECT kind, site, posting_id, at FROM application_events WHERE application = ? "
            "ORDER BY id",
            [application],
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def door_keys(self) -> set[str]:
        """The outbox keys of the reminders and second chances queued so far, sent or
        not (each `door/.../CHANNEL/TARGET`: read from the keys' index)."""
        rows = self.db.conn.execute("SELECT key FROM outbox WHERE key >= 'door/' AND key < 'door0'")
        return {key for (key,) in rows}

    def reminders_queued(self) -> set[str]:
        """The keys of the reminders and second chances queued so far, without their
        channel and URL."""
        return {key.rsplit("/", 2)[0] for key in self.door_keys()}

    def queue_reminders(
        self, reminders: Sequence[tuple[FollowUp, Delivery]], now: datetime
    ) -> None:
        """Queue due reminders, one transaction for all; each (reminder, URL) once."""
        with self.transaction() as conn:
            for followup, delivery in reminders:
                app = followup.application
                queue(
                    conn,
                    key=f"{followup.key}/{delivery.channel}/{delivery.target}",
                    site=app.site,
                    posting_id=None,
                    event_id=None,
                    kind="reminder",
                    delivery=delivery,
                    payload={"title": followup.title, "body": followup.body, "url": app.url},
                    now=now,
                )


def _when(text: str) -> tuple[date, time | None]:
    """A mark's stored date, `2026-03-14` or `2026-03-14 15:30`."""
    return date.fromisoformat(text[:10]), time.fromisoformat(text[11:]) if len(text) > 10 else None
