"""Rippling ATS boards: `ats.rippling.com/api/v2/board/{slug}/jobs?page=N&pageSize=100`.

The list has one row per job *and* location: the same id repeats, possibly on a
later page, and its rows are folded into one posting. The list has no
description, pay or date: new postings read `/api/v2/board/{slug}/jobs/{id}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from watcher.model import Compensation, Page, Posting, Request, Response
from watcher.sources.base import Source, expect, items, load_json
from watcher.text import (
    clean,
    employment,
    join_place,
    number,
    parse_time,
    pay_period,
    unique,
    workplace,
)

PAGE_SIZE = 100
_SLUG = r"(?P<board>[A-Za-z0-9_.-]+)"
_LOCALE = r"(?:[a-z]{2}(?:-[A-Za-z]{2})?/)?"  # en-GB/


class Rippling(Source):
    key = "rippling"
    label = "Rippling"
    example = "gather"
    url_patterns = (
        re.compile(rf"^ats\.rippling\.com/api/v2/board/{_SLUG}(?:/|$|\?)"),
        re.compile(rf"^ats\.rippling\.com/{_LOCALE}(?!api/){_SLUG}/jobs(?:/|$|\?)"),
    )

    def first_request(self) -> Request:
        return self._list_request(0, {})

    def _list_request(self, page: int, jobs: dict[str, _Job]) -> Request:
        return Request(
            self.url(
                f"https://ats.rippling.com/api/v2/board/{self.board}/jobs"
                f"?page={page}&pageSize={PAGE_SIZE}"
            ),
            headers={"Accept": "application/json"},
            meta={"page": page, "jobs": jobs},
        )

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        payload = expect(load_json(response), (dict, list), "the response")
        # Postings of earlier pages, still open to the locations of later rows.
        jobs: dict[str, _Job] = dict(request.meta.get("jobs") or {})
        page = int(request.meta.get("page") or 0)
        if isinstance(payload, list):  # the older, unpaginated shape
            rows, more = items(payload, None), False
        else:
            rows = items(payload, "items")
            pages = payload.get("totalPages")
            more = bool(rows) and (
                page + 1 < pages if isinstance(pages, int) else len(rows) >= PAGE_SIZE
            )
        postings: dict[str, Posting] = {}
        for row in rows:
            job_id = clean(row.get("id")) or clean(row.get("uuid"))
            title = clean(row.get("name"))
            if not job_id or not title:
                continue
            if job_id not in jobs:
                jobs[job_id] = _Job(self._posting(row, job_id, title))
            jobs[job_id].add(row)
            postings[job_id] = jobs[job_id].posting
        following = self._list_request(page + 1, jobs) if more else None
        return Page(list(postings.values()), following)

    def _posting(self, row: dict[str, Any], job_id: str, title: str) -> Posting:
        return Posting(
            id=job_id,
            title=title,
            url=clean(row.get("url")) or f"https://ats.rippling.com/{self.board}/jobs/{job_id}",
            department=_name(row.get("department")),
        )

    def detail_request(self, posting: Posting) -> Request | None:
        return Request(
            self.url(f"https://ats.rippling.com/api/v2/board/{self.board}/jobs/{posting.id}"),
            headers={"Accept": "application/json"},
        )

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        job = expect(load_json(response), dict, "the response")
        places = job.get("workLocations")
        listed = unique(places) if isinstance(places, list) else ()
        return replace(
            posting,
            locations=posting.locations or listed,
            department=posting.department or _name(job.get("department")),
            employment=_employment(job.get("employmentType")) or posting.employment,
            posted_at=parse_time(job.get("createdOn")) or posting.posted_at,
            compensation=_pay(job.get("payRangeDetails")) or posting.compensation,
            description_html=_description(job.get("description")) or posting.description_html,
        )


@dataclass
class _Job:
    """A posting folded together from its rows, one per location."""

    posting: Posting
    workplaces: set[str] = field(default_factory=set)

    def add(self, row: dict[str, Any]) -> None:
        sites = row.get("locations")
        sites = [s for s in sites if isinstance(s, dict)] if isinstance(sites, list) else []
        legacy = row.get("workLocation")
        if isinstance(legacy, dict):
            sites.append(legacy)
        places = [_place(site) for site in sites]
        self.posting.locations = tuple(
            dict.fromkeys([*self.posting.locations, *(p for p in places if p)])
        )
        self.workplaces.update(w for w in (workplace(s.get("workplaceType")) for s in sites) if w)
        # One workplace for every location is a stated one; a mix is not.
        self.posting.workplace = next(iter(self.workplaces)) if len(self.workplaces) == 1 else None


def _place(site: dict[str, Any]) -> str | None:
    return (
        clean(site.get("name"))
        or clean(site.get("label"))
        or join_place(site.get("city"), site.get("state"), site.get("country"))
    )


def _name(value: object) -> str | None:
    if isinstance(value, dict):
        return clean(value.get("name")) or clean(value.get("label"))
    return clean(value)


def _employment(value: object) -> str | None:
    # Rippling fills `id` and `label` either way round: one is "Salaried, full-time",
    # the other the code "SALARIED_FT". The readable one says more.
    if not isinstance(value, dict):
        return employment(value)
    texts = [t for t in (clean(value.get("label")), clean(value.get("id"))) if t]
    readable = [t for t in texts if not t.isupper()]
    return employment(readable[0] if readable else texts[0] if texts else None)


def _description(value: object) -> str | None:
    """The job's HTML: one string, or sections (`role`, `company`...) joined, role first."""
    if isinstance(value, str):
        return value or None
    if not isinstance(value, dict):
        return None
    sections = [value.get("role"), *(v for k, v in value.items() if k != "role")]
    return "\n".join(s for s in sections if isinstance(s, str) and s.strip()) or None


def _pay(value: object) -> Compensation | None:
    """The span of the pay bands (one per location) sharing the first band's unit."""
    bands = [b for b in value if isinstance(b, dict)] if isinstance(value, list) else []
    if not bands:
        return None
    unit = (bands[0].get("currency"), bands[0].get("frequency"))
    same = [b for b in bands if (b.get("currency"), b.get("frequency")) == unit]
    lows = [n for n in (number(b.get("rangeStart")) for b in same) if n is not None]
    highs = [n for n in (number(b.get("rangeEnd")) for b in same) if n is not None]
    if not lows and not highs:
        return None
    frequency = clean(unit[1])
    return Compensation(
        min=min(lows, default=None),
        max=max(highs, default=None),
        currency=clean(unit[0]),
        period=pay_period(frequency),
    )
