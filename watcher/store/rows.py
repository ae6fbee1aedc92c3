"""The store's plain parts: its data types, its SQL, and rows turned into values and back."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from watcher.diff import Stored
from watcher.model import Compensation, Posting, utc_iso


class StoreError(Exception):
    """The database cannot be used: locked too long, read-only, disk full, corrupt."""


def fts_query(text: str) -> str:
    """Words as FTS5 terms that must all appear (quoted, so no query syntax leaks in)."""
    words = [w.replace('"', '""') for w in text.split()]
    return " ".join(f'"{w}"' for w in words) or '""'


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


UNCHANGED_BATCH = 256
UNCHANGED = (
    "UPDATE sites SET last_check = ?, last_success = ?, last_error = NULL, "
    "error_kind = NULL, failures = 0 WHERE name = ?"
)
STORED = (
    "id, status, digest, title, url, location, department, team, employment, workplace, "
    "compensation, misses, missing_since, closed_at, detailed, raw"
)
SITE_STATE = (
    "SELECT name, platform, board, baseline_at, last_check, last_success, last_error, "
    "error_kind, failures, attention, etag, last_modified, body_hash, suspect_reads, "
    "suspect_key, accept_smaller, notices, "
    "(SELECT COUNT(*) FROM postings WHERE site = sites.name AND status = 'open'), "
    "(SELECT COUNT(*) FROM postings WHERE site = sites.name AND status = 'open' "
    "AND misses > 0) FROM sites WHERE name = ?"
)
POSTING_COLUMNS = (
    "site, id, title, url, location, locations, department, team, employment, workplace, "
    "compensation, posted_at, updated_at, digest, raw, detailed, "
    "status, first_seen, last_seen, closed_at, misses, missing_since"
)
UPSERT = (
    f"INSERT INTO postings ({POSTING_COLUMNS}) VALUES ({', '.join('?' * 22)}) "
    "ON CONFLICT(site, id) DO UPDATE SET title = excluded.title, url = excluded.url, "
    "location = excluded.location, locations = excluded.locations, "
    "department = excluded.department, team = excluded.team, "
    "employment = excluded.employment, workplace = excluded.workplace, "
    "compensation = excluded.compensation, posted_at = excluded.posted_at, "
    "updated_at = excluded.updated_at, digest = excluded.digest, raw = excluded.raw, "
    "detailed = MAX(detailed, excluded.detailed), status = 'open', "
    "last_seen = excluded.last_seen, closed_at = NULL, misses = 0, missing_since = NULL"
)
DESCRIBE = (
    "INSERT INTO descriptions (site, id, body, dictionary, html) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT(site, id) DO UPDATE SET body = excluded.body, "
    "dictionary = excluded.dictionary, html = excluded.html"
)
EVENT = (
    "INSERT INTO events (site, posting_id, kind, at, fields, previous_id, occurrence) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
OUTBOX_COLUMNS = (
    "id, key, site, posting_id, kind, channel, target, payload, created_at, due_at, attempts, "
    "status, last_error"
)


def posting_row(site: str, p: Posting, stamp: str | None) -> tuple[Any, ...]:
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
        orjson.dumps(comp_json(compensation)).decode() if compensation else None,
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


def comp_json(c: Any) -> dict[str, Any]:
    return {
        "min": c.min,
        "max": c.max,
        "currency": c.currency,
        "period": c.period,
        "text": c.text,
        "summary": c.summary(),
    }


def stored_of(row: Sequence[Any]) -> Stored:
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
        missing_since=parse_stamp(row[12]),
        closed_at=parse_stamp(row[13]),
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
        posted_at=parse_stamp(row.get("posted_at")),
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


def outbox_row(row: Sequence[Any]) -> OutboxRow:
    values = list(row)
    values[7] = orjson.loads(values[7])
    return OutboxRow(*values)


def parse_stamp(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def by_ids(
    conn: sqlite3.Connection, select: str, site: str, ids: list[str]
) -> Iterator[Sequence[Any]]:
    """The rows of `select ... WHERE site = ? AND id IN (ids)`, a bounded chunk at a time."""
    for chunk in chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        yield from conn.execute(f"{select} WHERE site = ? AND id IN ({marks})", [site, *chunk])


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def damaged(path: Path, exc: sqlite3.Error) -> str | None:
    """The message for a database file that is damaged, or None for other errors."""
    text = str(exc)
    if "malformed" not in text and "not a database" not in text and "corrupt" not in text:
        return None
    return (
        f"the database {path} is damaged ({text}): move it aside and run `watcher check` "
        "to start a new one (postings are read again, silently), or restore a backup"
    )


def why(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "the database is busy: another watcher process holds it (try again shortly)"
    if "readonly" in text or "read-only" in text:
        return "the database is read-only: check the file's permissions"
    if "full" in text:
        return "the disk is full"
    return f"database error: {text}"
