"""What one check of one site writes, decided without I/O: the plan step of a check.

A check reads (I/O: the board, and the site's stored state, once), plans (here: the diff,
where each event goes, the site's health), then applies the plan in one store call and
one transaction (`Store.apply`). Everything a check will write is in its `Plan`.

Health rules:
- A failed read, or a suspect one (far fewer postings than are open), counts as a
  failure; after `attention_after` in a row the user is told once ("needs attention"),
  and told once again when the site reads well ("recovered").
- A board that really shrank reads as suspect, then the same again: after
  `accept_smaller_after` suspect reads in a row that list the same postings, the smaller
  board is believed (what is gone is closed) and the user is told once. An empty board
  is never believed that way (a broken source answers "no openings" far more often than
  a company stops hiring): `watcher accept SITE` believes the next read, empty or not.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from watcher import door
from watcher.diff import Diff, Rules, Stored, diff
from watcher.door import Application, DoorEvent
from watcher.messages import payload_of
from watcher.model import Delivery, EventKind, SiteState
from watcher.render import plural
from watcher.routing import deliveries as route_event
from watcher.routing import notice_deliveries

if TYPE_CHECKING:
    from watcher.config import Config, Site
    from watcher.reader import Read, Validators


@dataclass
class SiteResult:
    """What a check of one site did, as the command line and the daemon report it."""

    site: str
    ok: bool
    open: int = 0
    new: int = 0
    changed: int = 0
    closed: int = 0
    reopened: int = 0
    reposted: int = 0
    queued: int = 0
    baseline: bool = False
    unchanged: bool = False
    suspect: str | None = None
    accepted: str | None = None  # a smaller board believed at last
    error: str | None = None
    error_kind: str | None = None
    titles: list[str] = field(default_factory=list)  # of new and reopened postings

    def summary(self) -> str:
        if not self.ok:
            return f"FAILED: {self.error}"
        if self.baseline:
            return f"now watching {plural(self.open, 'opening')}"
        parts = [f"{self.open} open"]
        for name in ("new", "reopened", "changed", "closed", "reposted"):
            count = getattr(self, name)
            if count:
                parts.append(f"{count} {name}")
        if self.unchanged:
            parts.append("unchanged")
        if self.suspect:
            parts.append(f"suspect read: {self.suspect}, nothing closed")
        if self.accepted:
            parts.append(self.accepted)
        return ", ".join(parts)


@dataclass(frozen=True)
class Notice:
    """A message that is not about one posting: a site's health."""

    kind: str  # attention, recovered, shrank
    title: str
    body: str
    deliveries: tuple[Delivery, ...]


@dataclass
class Plan:
    """Everything one check of one site writes."""

    site: str
    platform: str
    board: str
    now: datetime
    result: SiteResult
    diff: Diff | None = None  # None: no posting changes (a failed or unchanged read)
    deliveries: dict[int, list[Delivery]] = field(default_factory=dict)  # by change index
    payloads: dict[int, dict[str, Any]] = field(default_factory=dict)
    validators: Validators | None = None  # None for a failed read
    failures: int = 0  # failed or suspect checks in a row, this one included
    attention: bool = False  # the site's "needs attention" flag after this check
    notices: list[Notice] = field(default_factory=list)
    suspect_reads: int = 0  # suspect reads in a row that listed the same postings
    suspect_key: str | None = None  # what they listed
    only_checked: bool = False  # nothing but the check time to write (a healthy 304)
    door: list[DoorEvent] = field(default_factory=list)  # second chances, similar roles


@dataclass(frozen=True)
class Snapshot:
    """The stored state a plan is made from, read once (in the apply's transaction)."""

    state: SiteState | None
    stored: dict[str, Stored] = field(default_factory=dict)
    applications: tuple[Application, ...] = ()  # the user's, at this site's company


def rules_of(site: Site) -> Rules:
    return Rules(site.close_after_misses, site.close_after, site.suspect_ratio)


def is_baseline(state: SiteState | None, platform: str, board: str) -> bool:
    """The first successful read of this board under this site: stored silently."""
    return (
        state is None
        or state.baseline_at is None
        or (state.platform, state.board)
        != (
            platform,
            board,
        )
    )


def plan_failure(
    site: Site,
    config: Config,
    board: str,
    state: SiteState | None,
    reason: str,
    kind: str,
    now: datetime,
) -> Plan:
    """A failed read: no posting changes; the failure counts for the site's health."""
    failures = (state.failures if state else 0) + 1
    plan = Plan(
        site.name,
        site.platform,
        board,
        now,
        SiteResult(
            site.name, ok=False, error=reason, error_kind=kind, open=state.open if state else 0
        ),
        failures=failures,
        attention=bool(state and state.attention),
        suspect_reads=state.suspect_reads if state else 0,
        suspect_key=state.suspect_key if state else None,
    )
    _health(plan, site, config, state, reason, kind)
    return plan


def quietly_unchanged(state: SiteState | None) -> bool:
    """An unchanged read that needs no plan at all: a healthy site with no posting on its
    way to closing (a 304 then only confirms what is stored)."""
    return (
        state is not None
        and state.baseline_at is not None
        and not state.closing
        and not state.failures
        and not state.attention
        and not state.accept_smaller
    )


def plan_read(
    site: Site,
    config: Config,
    board: str,
    snapshot: Snapshot,
    read: Read,
    now: datetime,
    *,
    notify_existing: bool = False,
) -> Plan:
    """A successful read: the diff, where each event goes, and the site's health.

    An unchanged read (304 or the same body) of a site with postings on their way to
    closing lists what the last full read listed: those that were there are `kept`, and
    the missing ones count one more miss (a 304 confirms a miss as well as the body)."""
    state = snapshot.state
    baseline = is_baseline(state, site.platform, board)
    rules = rules_of(site)
    fresh, kept = read.postings, read.kept
    if read.unchanged:
        fresh, kept = (
            [],
            [s.id for s in snapshot.stored.values() if s.status == "open" and not s.misses],
        )
    complete = not read.truncated
    result = diff(snapshot.stored, fresh, now, rules, complete=complete, kept=kept)
    accepted = None
    suspect_reads, suspect_key = 0, None
    if result.suspect and state is not None:
        suspect_key = _listing_key([p.id for p in fresh] + list(kept))
        same = state.suspect_key == suspect_key
        suspect_reads = state.suspect_reads + 1 if same else 1
        listed = len(fresh) + len(kept)
        # An empty board is believed only when the user says so: a source that breaks
        # into answering "no openings" is far likelier than a company hiring no one.
        if state.accept_smaller or (listed and suspect_reads >= site.accept_smaller_after):
            # the agreeing reads (or the user) already said more than the misses rule asks
            trusting = replace(
                rules, suspect_ratio=0.0, trust_empty=True, close_after_misses=1, close_after=None
            )
            was = state.open
            result = diff(snapshot.stored, fresh, now, trusting, complete=complete, kept=kept)
            accepted = f"the board shrank from {was} to {len(fresh) + len(kept)} openings: " + (
                f"{plural(len(result.closed), 'posting')} closed"
                if result.closed
                else "what is gone closes after the usual misses"
            )
            suspect_reads, suspect_key = 0, None
    plan = Plan(
        site.name,
        site.platform,
        board,
        now,
        _result(site.name, state, result, baseline, read.unchanged, accepted),
        diff=result,
        validators=read.validators,
        failures=(state.failures if state else 0) + 1 if result.suspect else 0,
        attention=bool(state and state.attention),
        suspect_reads=suspect_reads,
        suspect_key=suspect_key,
    )
    if not baseline or notify_existing:
        for index, change in enumerate(result.changes):
            routed = route_event(config, site, change, now)
            if routed and change.posting is not None:
                plan.deliveries[index] = routed
                plan.payloads[index] = payload_of(change.posting, site.name)
        if snapshot.applications:
            _door(plan, site, config, snapshot, now)
        plan.result.queued = sum(len(d) for d in plan.deliveries.values())
        plan.result.queued += sum(len(e.deliveries) for e in plan.door)
    if accepted:
        plan.notices.append(
            Notice(
                "shrank",
                f"watcher: {site.name} has fewer openings",
                f"{site.name}: {accepted}.",
                tuple(notice_deliveries(config.routes, site.notify, now)),
            )
        )
    _health(plan, site, config, state, result.suspect, "suspect" if result.suspect else None)
    return plan


def _door(plan: Plan, site: Site, config: Config, snapshot: Snapshot, now: datetime) -> None:
    """The user's applications at this site (watcher.door): a role they were turned down
    for that opens again is told to every channel, whatever the filters, instead of its
    usual message; a new role like one they applied to is routed past the title and
    seniority filters, marked as such."""
    changes = plan.diff.changes if plan.diff else []
    apps = snapshot.applications
    closed_at = {posting_id: s.closed_at for posting_id, s in snapshot.stored.items()}
    everyone = tuple(notice_deliveries(config.routes, tuple(config.routes), now))
    told = set()
    found_chances = door.second_chances(
        site.name, changes, apps, now, config.door, closed_at=closed_at
    )
    for alert in found_chances:
        told.add(alert.change)
        plan.deliveries.pop(alert.change, None)
        plan.payloads.pop(alert.change, None)
        plan.door.append(
            DoorEvent(
                key=alert.key,
                application=alert.application.id,
                kind="second_chance",
                site=site.name,
                posting_id=alert.posting_id,
                deliveries=everyone,
                payload={"title": alert.title, "body": alert.body, "url": alert.url},
            )
        )
    for index, change in enumerate(changes):
        posting = change.posting
        if index in told or posting is None or change.kind not in _NEW_ROLES:
            continue
        found = door.similar(site.name, posting, apps, now, config.door)
        routed = route_event(config, site, change, now, similar=found.note) if found else []
        if found and routed:
            plan.deliveries[index] = routed
            plan.payloads[index] = payload_of(posting, site.name)
            key = f"door/similar/{found.application.id}/{site.name}/{change.posting_id}"
            plan.door.append(
                DoorEvent(key, found.application.id, "similar", site.name, change.posting_id)
            )


_NEW_ROLES = (EventKind.NEW, EventKind.REPOSTED)


def _listing_key(ids: list[str]) -> str:
    """A short hash of the set of postings a read listed."""
    digest = hashlib.sha1(usedforsecurity=False)
    for posting_id in sorted(ids):
        digest.update(posting_id.encode("utf-8", "surrogatepass") + b"\x1f")
    return digest.hexdigest()


def _result(
    name: str,
    state: SiteState | None,
    result: Diff,
    baseline: bool,
    unchanged: bool,
    accepted: str | None,
) -> SiteResult:
    counts = {kind: len(result.of(kind)) for kind in EventKind}
    was_open = state.open if state is not None and not baseline else 0
    gained = counts[EventKind.NEW] + counts[EventKind.REOPENED] + counts[EventKind.REPOSTED]
    return SiteResult(
        name,
        ok=True,
        open=was_open + gained - len(result.closed),
        new=counts[EventKind.NEW],
        changed=counts[EventKind.CHANGED],
        closed=counts[EventKind.CLOSED],
        reopened=counts[EventKind.REOPENED],
        reposted=counts[EventKind.REPOSTED],
        baseline=baseline,
        unchanged=unchanged and not result.changes,
        suspect=result.suspect,
        accepted=accepted,
        titles=[
            c.posting.title
            for c in result.changes
            if c.posting and c.kind in (EventKind.NEW, EventKind.REOPENED) and not baseline
        ],
    )


def _health(
    plan: Plan,
    site: Site,
    config: Config,
    state: SiteState | None,
    reason: str | None,
    kind: str | None,
) -> None:
    """Tell the user once when a site needs attention, and once when it recovers."""
    if state is None and not plan.failures:
        return
    if plan.failures >= site.attention_after and not plan.attention:
        hint = advice(reason, kind)
        where = f"{site.platform}: {plan.board}"
        plan.notices.append(
            Notice(
                "attention",
                f"watcher: {site.name} needs attention",
                f"{site.name} ({where}) failed {plan.failures} checks in a row: {hint}",
                tuple(notice_deliveries(config.routes, site.notify, plan.now)),
            )
        )
        plan.attention = True
    elif plan.failures == 0 and plan.attention:
        plan.notices.append(
            Notice(
                "recovered",
                f"watcher: {site.name} recovered",
                f"{site.name} reads again ({plural(plan.result.open, 'open posting')}).",
                tuple(notice_deliveries(config.routes, site.notify, plan.now)),
            )
        )
        plan.attention = False


def advice(reason: str | None, kind: str | None) -> str:
    """The reason of a failure with what it most likely means."""
    hints = {
        "not_found": "the board was probably renamed or moved: check its id in sites.yaml",
        "parse": "the page changed shape: watcher cannot read it any more",
        "suspect": "it returns far fewer postings than before (or none); if the board "
        "really shrank, `watcher accept SITE` believes it",
        "timeout": "the site does not answer in time",
        "network": "the site cannot be reached",
    }
    hint = hints.get(kind or "", "")
    return f"{reason}" + (f" ({hint})" if hint else "")
