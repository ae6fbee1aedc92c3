"""Workable accounts: `apply.workable.com/api/v1/widget/accounts/{sub}?details=true`.

One request returns the whole account. A job open in several places may be listed
once per place, under the same shortcode: those rows are merged into one posting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from watcher.model import Page, Posting, Request, Response
from watcher.sources.base import Source, items, load_json
from watcher.text import clean, employment, join_place, parse_time, unique

_ACCOUNT = r"(?P<board>[A-Za-z0-9][A-Za-z0-9_-]*)(?:[/?#]|$)"
# Workable's own hosts, not accounts' career sites.
_OWN_HOSTS = "apply|help|resources|jobs|api|status|developers|engineering|blog|marketplace|id|app"


class Workable(Source):
    key = "workable"
    label = "Workable"
    example = "huggingface"
    answers_unknown = True
    url_patterns = (
        re.compile(rf"^apply\.workable\.com/api/v\d+/(?:widget/)?accounts/{_ACCOUNT}"),
        re.compile(rf"^apply\.workable\.com/(?!(?:j|api)(?:[/?#]|$)){_ACCOUNT}"),
        re.compile(
            rf"^(?!(?:{_OWN_HOSTS})\.)(?P<board>[a-z0-9][a-z0-9-]*)\.workable\.com(?:[/?#]|$)"
        ),
    )

    def first_request(self) -> Request:
        return Request(
            self.url(f"https://apply.workable.com/api/v1/widget/accounts/{self.board}?details=true")
        )

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        merged: dict[str, Posting] = {}
        for job in items(load_json(response), "jobs"):
            posting = self._posting(job)
            if posting is None:
                continue
            first = merged.setdefault(posting.id, posting)
            if first is not posting:
                first.locations = tuple(dict.fromkeys(first.locations + posting.locations))
        return Page(list(merged.values()))

    def _posting(self, job: Mapping[str, Any]) -> Posting | None:
        code = clean(job.get("shortcode"))
        title = clean(job.get("title"))
        if not code or not title:
            return None
        url = clean(job.get("url")) or clean(job.get("shortlink"))
        return Posting(
            id=code,
            title=title,
            url=url or f"https://apply.workable.com/{self.board}/j/{code}/",
            locations=_locations(job),
            department=clean(job.get("department")),
            employment=employment(job.get("employment_type")),
            # Not telecommuting says nothing of on-site or hybrid.
            workplace="remote" if job.get("telecommuting") is True else None,
            posted_at=parse_time(job.get("published_on") or job.get("created_at")),
            description_html=_description_html(job),
        )


def _locations(job: Mapping[str, Any]) -> tuple[str, ...]:
    listed = job.get("locations")
    places = [
        join_place(loc.get("city"), loc.get("region"), loc.get("country"))
        for loc in (listed if isinstance(listed, list) else [])
        if isinstance(loc, dict) and loc.get("hidden") is not True
    ]
    if not any(places):
        places = [join_place(job.get("city"), job.get("state"), job.get("country"))]
    return unique(places)


def _description_html(job: Mapping[str, Any]) -> str | None:
    parts = [job.get("description")]
    for key, heading in (("requirements", "Requirements"), ("benefits", "Benefits")):
        section = job.get(key)
        if isinstance(section, str) and section.strip():
            parts += [f"<h3>{heading}</h3>", section]
    return "\n".join(p for p in parts if isinstance(p, str) and p.strip()) or None
