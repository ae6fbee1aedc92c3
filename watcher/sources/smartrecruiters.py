"""SmartRecruiters: `api.smartrecruiters.com/v1/companies/{id}/postings`, 100 a page.

The list has no description: it is read from each posting's detail
(`/v1/companies/{id}/postings/{postingId}`, its `jobAd.sections`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from watcher.model import Posting, Request, Response
from watcher.sources.base import ItemSource, expect, items, load_json
from watcher.text import clean, employment, join_place, parse_time

_COMPANY = r"(?P<board>[A-Za-z0-9][A-Za-z0-9_.-]*)(?:[/?#]|$)"
_PAGE_SIZE = 100  # the API's maximum
_API = "https://api.smartrecruiters.com/v1/companies"
# The job ad's sections, in the order the posting page shows them.
_SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")


class SmartRecruiters(ItemSource):
    key = "smartrecruiters"
    label = "SmartRecruiters"
    example = "Visa"
    max_pages = 50
    url_patterns = (
        re.compile(rf"^careers\.smartrecruiters\.com/{_COMPANY}"),
        re.compile(rf"^jobs\.smartrecruiters\.com/oneclick-ui/company/{_COMPANY}"),
        re.compile(rf"^jobs\.smartrecruiters\.com/(?!oneclick-ui/|sr-jobs/){_COMPANY}"),
        re.compile(rf"^api\.smartrecruiters\.com/v1/companies/{_COMPANY}"),
    )

    def first_request(self) -> Request:
        return self._page(0)

    def _page(self, offset: int) -> Request:
        return Request(
            self.url(f"{_API}/{self.board}/postings?limit={_PAGE_SIZE}&offset={offset}"),
            meta={"offset": offset},
        )

    def split(
        self, request: Request, response: Response
    ) -> tuple[list[dict[str, Any]], Request | None]:
        payload = expect(load_json(response), dict, "the response")
        rows = items(payload, "content")
        following = int(request.meta.get("offset", 0)) + len(payload["content"])
        total = payload.get("totalFound")
        more = bool(rows) and (not isinstance(total, int) or following < total)
        return rows, self._page(following) if more else None

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        return self._posting(item)

    def _posting(self, job: Mapping[str, Any]) -> Posting | None:
        job_id = clean(job.get("id"))
        title = clean(job.get("name"))
        if not job_id or not title:
            return None
        company = _label(job.get("company"), "identifier") or self.board
        location = _location(job.get("location"))
        return Posting(
            id=job_id,
            title=title,
            url=f"https://jobs.smartrecruiters.com/{company}/{job_id}",
            locations=(location,) if location else (),
            department=_label(job.get("department")),
            employment=employment(_label(job.get("typeOfEmployment"))),
            workplace=_workplace(job.get("location")),
            posted_at=parse_time(job.get("releasedDate")),
        )

    def detail_request(self, posting: Posting) -> Request | None:
        return Request(self.url(f"{_API}/{self.board}/postings/{posting.id}"))

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        """The job ad's sections as the description. The list's fields stay as they
        are (the detail's `postingUrl` too would show up as a change on the next read)."""
        detail = expect(load_json(response), dict, "the posting")
        ad = detail.get("jobAd")
        sections = ad.get("sections") if isinstance(ad, dict) else None
        parts = []
        for name in _SECTIONS:
            section = sections.get(name) if isinstance(sections, dict) else None
            if not isinstance(section, dict) or not clean(section.get("text")):
                continue
            heading = clean(section.get("title"))
            if heading:
                parts.append(f"<h2>{html.escape(heading)}</h2>")
            parts.append(section["text"])
        location = _location(detail.get("location"))
        return replace(
            posting,
            url=posting.url or clean(detail.get("postingUrl")) or "",
            locations=posting.locations or ((location,) if location else ()),
            description_html="\n".join(parts) or posting.description_html,
        )


def _label(value: Any, key: str = "label") -> str | None:
    """`department`, `typeOfEmployment`...: objects like `{"id": ..., "label": ...}`."""
    return clean(value.get(key)) if isinstance(value, dict) else None


def _location(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    country = clean(value.get("country"))
    return clean(value.get("fullLocation")) or join_place(
        value.get("city"), value.get("region"), country.upper() if country else None
    )


def _workplace(value: Any) -> str | None:
    """`remote` and `hybrid` flags; on-site when both are stated false."""
    if not isinstance(value, dict):
        return None
    remote, hybrid = value.get("remote"), value.get("hybrid")
    if remote is True:
        return "remote"
    if hybrid is True:
        return "hybrid"
    if remote is False and hybrid is False:
        return "onsite"
    return None
