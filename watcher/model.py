"""Plain typed data that travels through watcher: postings, requests, changes.

Nothing here does I/O or knows the clock: times are passed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True)
class Compensation:
    """Pay as the platform states it; `period` is one of year, month, week, day, hour."""

    min: float | None = None
    max: float | None = None
    currency: str | None = None
    period: str | None = None
    text: str | None = None

    def summary(self) -> str:
        """A short human form such as `USD 120,000-150,000 / year`."""
        if self.min is None and self.max is None:
            return self.text or ""
        lo = f"{self.min:,.0f}" if self.min is not None else ""
        hi = f"{self.max:,.0f}" if self.max is not None else ""
        amount = f"{lo}-{hi}" if lo and hi and lo != hi else (lo or hi)
        parts = [p for p in (self.currency, amount) if p]
        out = " ".join(parts)
        return f"{out} / {self.period}" if self.period else out


@dataclass(slots=True)
class Posting:
    """One job opening as read from a source, normalised.

    `description_html` is kept raw on purpose: turning HTML into text is the
    costly part of a read, so it is done (by `watcher.text.describe`) only for
    postings that are new or changed.
    """

    id: str
    title: str
    url: str
    locations: tuple[str, ...] = ()
    department: str | None = None
    team: str | None = None
    employment: str | None = None
    workplace: str | None = None  # remote, hybrid, onsite
    posted_at: datetime | None = None
    updated_at: datetime | None = None
    compensation: Compensation | None = None
    description: str = ""
    description_html: str | None = None
    # What the diff compares to tell whether a stored posting may have changed, set by
    # the reader: the raw hash for item sources without detail pages, else `fingerprint`.
    digest: str = ""
    raw: str = ""  # hash of the platform's own item it was built from (item sources only)
    detailed: bool = False  # its detail page was read (for sources that have one)

    @property
    def body(self) -> tuple[str, bool]:
        """The description as stored: the platform's HTML (True) or plain text (False)."""
        if not self.description and self.description_html:
            return self.description_html, True
        return self.description, False

    @property
    def location(self) -> str:
        return "; ".join(self.locations)

    @property
    def remote(self) -> bool:
        if self.workplace == "remote":
            return True
        return any("remote" in loc.lower() for loc in self.locations)

    def visible(self) -> dict[str, Any]:
        """The fields a user sees; a difference in one of them is a "changed" event."""
        return {
            "title": self.title,
            "url": self.url,
            "location": self.location,
            "department": self.department,
            "team": self.team,
            "employment": self.employment,
            "workplace": self.workplace,
            "compensation": self.compensation.summary() if self.compensation else None,
        }

    def fingerprint(self) -> str:
        """A hash of everything stored about the posting, to skip rewriting unchanged ones."""
        h = hashlib.blake2b(digest_size=16)
        for value in self.visible().values():
            h.update(str(value).encode("utf-8", "surrogatepass"))
            h.update(b"\x1f")
        h.update(str(self.posted_at).encode())
        h.update(b"\x1f")
        h.update((self.description_html or self.description).encode("utf-8", "surrogatepass"))
        return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request a source asks for. `meta` is the source's own pagination state.

    `meta["preamble"]` marks a step before the list that holds no postings by design
    (a CSRF token, a portal number read from a page): the reader follows the `next`
    its page gives instead of taking the empty page for the end of the board."""

    url: str
    method: str = "GET"
    json: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    url: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-cased names

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class Page:
    """What a source makes of one response: its postings and the next request, if any."""

    postings: list[Posting]
    next: Request | None = None
    kept: list[str] = field(default_factory=list)  # ids listed exactly as stored: not built


class EventKind(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    CLOSED = "closed"
    REOPENED = "reopened"
    REPOSTED = "reposted"


@dataclass(frozen=True, slots=True)
class Change:
    """A lifecycle event of one posting, found by the diff."""

    kind: EventKind
    posting_id: str
    posting: Posting | None = None  # for CLOSED: as it was last shown
    fields: tuple[str, ...] = ()  # for CHANGED: which visible fields differ
    previous_id: str | None = None  # for REPOSTED: the closed posting it replaces


class SourceError(Exception):
    """A source could not be read: the message is the one-line reason shown to the user."""

    def __init__(self, reason: str, *, kind: str = "error", status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind  # http, not_found, parse, timeout, network, suspect
        self.status = status


def utc_iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as every stored and printed time is."""
    if moment is None:
        return None
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    # isoformat is C and pads the year (strftime writes year 1 as "1")
    return moment.isoformat(timespec="seconds")[:19] + "Z"


@dataclass(frozen=True)
class Delivery:
    """Where one event is to be sent: a channel's URL, due at a time (digests, quiet hours)."""

    channel: str
    target: str
    due_at: datetime
    why: tuple[str, ...] = ()


def target_of(url: str) -> str:
    """A stable, non-secret name for one Apprise URL: outbox rows point at it."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SiteState:
    """A site as stored: its last checks, health and fetch validators, and its counts of
    open postings and of those on their way to closing (missing from the last reads)."""

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
    suspect_reads: int = 0  # suspect reads in a row that listed the same postings
    suspect_key: str | None = None
    accept_smaller: bool = False  # `watcher accept`: believe the next read
    notices: int = 0  # health notices sent so far (numbers their idempotency keys)
    open: int = 0
    closing: int = 0
