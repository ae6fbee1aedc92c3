"""Greenhouse job boards: `boards-api.greenhouse.io/v1/boards/{token}/jobs?content=true`."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from watcher.model import Posting, Request, Response
from watcher.sources.base import ItemSource, items, load_json
from watcher.text import clean, parse_time

_TOKEN = r"(?P<board>[A-Za-z0-9_.-]+)"


class Greenhouse(ItemSource):
    key = "greenhouse"
    label = "Greenhouse"
    example = "stripe"
    answers_unknown = True
    url_patterns = (
        re.compile(rf"^(?:job-)?boards(?:\.eu)?\.greenhouse\.io/embed/job_board.*[?&]for={_TOKEN}"),
        re.compile(rf"^(?:job-)?boards(?:\.eu)?\.greenhouse\.io/embed/job_app.*[?&]for={_TOKEN}"),
        re.compile(rf"^(?:job-)?boards(?:\.eu)?\.greenhouse\.io/(?!embed/){_TOKEN}(?:/|$|\?)"),
        re.compile(rf"^boards-api\.greenhouse\.io/v1/boards/{_TOKEN}"),
        re.compile(rf"^api\.greenhouse\.io/v1/boards/{_TOKEN}"),
    )

    def first_request(self) -> Request:
        return Request(
            self.url(f"https://boards-api.greenhouse.io/v1/boards/{self.board}/jobs?content=true")
        )

    def split(self, request: Request, response: Response) -> tuple[list[dict[str, Any]], None]:
        return items(load_json(response), "jobs"), None

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        return _posting(item)


def _posting(job: dict[str, Any]) -> Posting | None:
    job_id = clean(job.get("id"))
    title = clean(job.get("title"))
    if not job_id or not title:
        return None
    location = job.get("location")
    offices = [clean(o.get("name")) for o in job.get("offices") or [] if isinstance(o, dict)]
    locations = [clean(location.get("name"))] if isinstance(location, dict) else []
    departments = [
        clean(d.get("name")) for d in job.get("departments") or [] if isinstance(d, dict)
    ]
    content = job.get("content")
    return Posting(
        id=job_id,
        title=title,
        url=clean(job.get("absolute_url")) or "",
        locations=tuple(x for x in (locations or offices) if x),
        department=next((d for d in departments if d), None),
        posted_at=parse_time(job.get("first_published")),
        updated_at=parse_time(job.get("updated_at")),
        # HTML-escaped HTML, kept raw: `text.describe` unescapes it once, when needed.
        description_html=content if isinstance(content, str) else None,
    )
