"""The lifecycle rules: stored postings + a fresh read -> what happened.

Pure: the stored state and the time come in as arguments.

- A posting absent from a read is not closed at once: it is closed only after
  `close_after_misses` consecutive successful reads without it (and, when
  `close_after` is set, after being absent that long too). If it comes back
  before, nothing is recorded.
- A read with far fewer postings than are open (zero, or under `suspect_ratio`
  of them, when the site has at least `SUSPECT_MIN_OPEN` open) is suspect:
  nothing is closed or counted missing on its strength.
- A closed posting that is listed again is reopened, not new. A new id whose
  title and location match a posting that is gone or going (closed within
  `repost_window`, or absent from this read) is a repost of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from watcher.model import Change, EventKind, Posting
from watcher.text import fold

SUSPECT_MIN_OPEN = 5


@dataclass(frozen=True)
class Rules:
    close_after_misses: int = 2
    close_after: timedelta | None = None
    suspect_ratio: float = 0.5
    repost_window: timedelta = timedelta(days=30)
    trust_empty: bool = False  # believe any read, even an empty one (a shrink accepted)


@dataclass(frozen=True)
class Stored:
    """What the diff needs to know of a stored posting."""

    id: str
    status: str  # open or closed
    digest: str
    visible: Mapping[str, Any]
    misses: int = 0
    missing_since: datetime | None = None
    closed_at: datetime | None = None
    detailed: bool = False
    raw: str = ""  # hash of the platform's object it was built from, when known
    description: str | None = None  # as stored, when loaded (for postings read again)

    @property
    def repost_key(self) -> tuple[str, str]:
        return _repost_key(
            str(self.visible.get("title") or ""), str(self.visible.get("location") or "")
        )


@dataclass
class Diff:
    changes: list[Change] = field(default_factory=list)
    write: list[Posting] = field(default_factory=list)  # rows to (re)write in full, marked open
    back: list[str] = field(default_factory=list)  # present again after misses: reset the count
    missing: list[str] = field(default_factory=list)  # open, absent, not closed yet: one more miss
    closed: list[str] = field(default_factory=list)
    suspect: str | None = None  # why the read is not trusted to close anything

    def of(self, kind: EventKind) -> list[Change]:
        return [c for c in self.changes if c.kind is kind]


def suspect_reason(open_count: int, fresh_count: int, ratio: float) -> str | None:
    """Why a read of `fresh_count` postings is not believed, when `open_count` are open."""
    if open_count < SUSPECT_MIN_OPEN:
        return None
    if fresh_count == 0:
        return f"zero results where {open_count} were open"
    if fresh_count < ratio * open_count:
        return f"only {fresh_count} results where {open_count} were open"
    return None


def diff(
    stored: Mapping[str, Stored],
    fresh: Iterable[Posting],
    now: datetime,
    rules: Rules,
    *,
    complete: bool = True,
    kept: Iterable[str] = (),
) -> Diff:
    """Compare a successful read with the stored postings of one site.

    `stored` must hold every open posting of the site, the closed ones whose ids
    are in `fresh`, and the recently closed ones (for repost detection).
    `kept` are ids the read listed exactly as the open stored posting (same raw
    object): present, and unchanged.
    `complete=False` (a read cut at the page cap) closes nothing.
    """
    out = Diff()
    fresh = list(fresh)
    kept = [i for i in kept if i in stored]
    present = {p.id for p in fresh}.union(kept)
    open_ids = [s.id for s in stored.values() if s.status == "open"]
    if not rules.trust_empty:
        out.suspect = suspect_reason(len(open_ids), len(present), rules.suspect_ratio)

    absent = [stored[i] for i in open_ids if i not in present]
    if out.suspect is None and complete:
        for gone in absent:
            if _closes(gone, now, rules):
                out.closed.append(gone.id)
                out.changes.append(Change(EventKind.CLOSED, gone.id, _as_shown(gone)))
            else:
                out.missing.append(gone.id)

    reposts = {
        s.repost_key: s.id
        for s in stored.values()
        if s.id not in present
        and (s.status == "open" or (s.closed_at and now - s.closed_at <= rules.repost_window))
    }
    for posting in fresh:
        old = stored.get(posting.id)
        if old is None:
            # No candidates (a baseline, say): skip folding the title and location.
            key = _repost_key(posting.title, posting.location) if reposts else None
            previous = reposts.get(key) if key else None
            if previous:
                out.changes.append(
                    Change(EventKind.REPOSTED, posting.id, posting, previous_id=previous)
                )
            else:
                out.changes.append(Change(EventKind.NEW, posting.id, posting))
            out.write.append(posting)
        elif old.status == "closed":
            fields = _changed_fields(old.visible, posting.visible())
            out.changes.append(Change(EventKind.REOPENED, posting.id, posting, fields))
            out.write.append(posting)
        elif (posting.digest or posting.fingerprint()) != old.digest:
            fields = _changed_fields(old.visible, posting.visible())
            if fields or old.description is None or posting.body[0] != old.description:
                fields = fields or ("description",)
                out.changes.append(Change(EventKind.CHANGED, posting.id, posting, fields))
            out.write.append(posting)  # without an event when all it shows is the same
        elif (posting.detailed and not old.detailed) or posting.raw != old.raw:
            # Its detail page was read at last, or its raw object differs in what
            # nobody sees: not a change, but the row is brought up to date.
            out.write.append(posting)
        elif old.misses:
            out.back.append(posting.id)
    out.back += [i for i in kept if stored[i].misses]
    return out


def _as_shown(gone: Stored) -> Posting:
    """A closed posting as it was last shown, so that its "closed" event can be filtered
    and told like any other (`events: [closed]`)."""
    seen = gone.visible
    location = str(seen.get("location") or "")
    return Posting(
        id=gone.id,
        title=str(seen.get("title") or ""),
        url=str(seen.get("url") or ""),
        locations=tuple(part for part in location.split("; ") if part),
        department=seen.get("department"),
        team=seen.get("team"),
        employment=seen.get("employment"),
        workplace=seen.get("workplace"),
    )


def _closes(gone: Stored, now: datetime, rules: Rules) -> bool:
    if gone.misses + 1 < rules.close_after_misses:
        return False
    if rules.close_after is not None:
        since = gone.missing_since or now
        return now - since >= rules.close_after
    return True


def _changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(k for k, v in new.items() if (old.get(k) or None) != (v or None))


def _repost_key(title: str, location: str) -> tuple[str, str]:
    return (compare_key(title), compare_key(location))


def compare_key(text: str) -> str:
    """Text as two postings' titles (or locations) are compared: folded, spaces collapsed.
    The repost rule uses it, and so do applications' second chances (watcher.door)."""
    return " ".join(fold(text).split())
