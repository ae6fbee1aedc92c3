"""BambooHR careers sites: `{sub}.bamboohr.com/careers/list`.

The list has no description, date or pay: new postings read
`/careers/{id}/detail`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from watcher.model import Compensation, Posting, Request, Response
from watcher.sources.base import ItemSource, expect, items, load_json
from watcher.text import clean, employment, join_place, parse_time

_SUB = r"(?P<board>[a-z0-9][a-z0-9-]*)"
_WORKPLACES = {"0": "onsite", "1": "remote", "2": "hybrid"}  # `locationType`


class BambooHR(ItemSource):
    key = "bamboohr"
    label = "BambooHR"
    example = "careerkit"
    url_patterns = (re.compile(rf"^{_SUB}\.bamboohr\.com/(?:careers|jobs)(?:/|$|\?)"),)
    subdomain_of = "bamboohr.com"

    @property
    def _origin(self) -> str:
        return f"https://{self.board}.bamboohr.com"

    def first_request(self) -> Request:
        return Request(
            self.url(f"{self._origin}/careers/list"), headers={"Accept": "application/json"}
        )

    def split(self, request: Request, response: Response) -> tuple[list[dict[str, Any]], None]:
        return items(load_json(response), "result"), None

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        return self._posting(item)

    def _posting(self, job: dict[str, Any]) -> Posting | None:
        job_id = clean(job.get("id"))
        title = clean(job.get("jobOpeningName"))
        if not job_id or not title:
            return None
        place = _place(job.get("location")) or _place(job.get("atsLocation"))
        kind = _WORKPLACES.get(str(job.get("locationType")))
        return Posting(
            id=job_id,
            title=title,
            url=f"{self._origin}/careers/{job_id}",
            locations=(place,) if place else (),
            department=clean(job.get("departmentLabel")),
            employment=employment(job.get("employmentStatusLabel")),
            workplace=kind or ("remote" if job.get("isRemote") is True else None),
        )

    def detail_request(self, posting: Posting) -> Request | None:
        return Request(
            self.url(f"{self._origin}/careers/{posting.id}/detail"),
            headers={"Accept": "application/json"},
        )

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        payload = expect(load_json(response), dict, "the response")
        result = expect(payload.get("result"), dict, "'result'")
        opening = expect(result.get("jobOpening"), dict, "'result.jobOpening'")
        description = opening.get("description")
        pay = clean(opening.get("compensation"))
        place = _place(opening.get("location")) or _place(opening.get("atsLocation"))
        return replace(
            posting,
            locations=posting.locations or ((place,) if place else ()),
            posted_at=parse_time(opening.get("datePosted")) or posting.posted_at,
            compensation=Compensation(text=pay) if pay else posting.compensation,
            description_html=description
            if isinstance(description, str)
            else posting.description_html,
        )


def _place(where: object) -> str | None:
    if not isinstance(where, dict):
        return None
    return join_place(
        where.get("city"),
        where.get("state") or where.get("province"),
        where.get("country") or where.get("addressCountry"),
    )
