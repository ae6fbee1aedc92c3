"""Lever job sites: `api.lever.co/v0/postings/{site}?mode=json`.

Sites hosted on Lever's EU instance are read from `api.eu.lever.co`; their board id
is written `eu:{site}`. `mode=json` without `limit` returns the whole site at once.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from watcher.model import Compensation, Posting, Request, Response
from watcher.sources.base import ItemSource, items, load_json
from watcher.text import clean, employment, number, parse_time, pay_period, unique, workplace

_SITE = r"(?P<board>[A-Za-z0-9][A-Za-z0-9_.-]*)(?:[/?#]|$)"
_EU = "eu:"


class Lever(ItemSource):
    key = "lever"
    label = "Lever"
    example = "netflix"
    answers_unknown = True
    url_patterns = (
        re.compile(rf"^jobs(?P<eu>\.eu)?\.lever\.co/{_SITE}"),
        re.compile(rf"^api(?P<eu>\.eu)?\.lever\.co/v0/postings/{_SITE}"),
    )

    @classmethod
    def check_board(cls, board: Any) -> Any:
        if isinstance(board, str) and board.strip().lower().startswith(_EU):
            return _EU + super().check_board(board.strip()[len(_EU) :])
        return super().check_board(board)

    @classmethod
    def board_from(cls, match: re.Match[str]) -> Any:
        site = match.group("board")
        return _EU + site if match.group("eu") else site

    def first_request(self) -> Request:
        eu = self.board.startswith(_EU)
        site = self.board.removeprefix(_EU)
        host = "api.eu.lever.co" if eu else "api.lever.co"
        return Request(self.url(f"https://{host}/v0/postings/{site}?mode=json"))

    def split(self, request: Request, response: Response) -> tuple[list[dict[str, Any]], None]:
        return items(load_json(response), None), None

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        return _posting(item)


def _posting(job: Mapping[str, Any]) -> Posting | None:
    job_id = clean(job.get("id"))
    title = clean(job.get("text"))
    if not job_id or not title:
        return None
    categories = job.get("categories")
    if not isinstance(categories, dict):
        categories = {}
    others = categories.get("allLocations")
    places = [categories.get("location"), *(others if isinstance(others, list) else [])]
    description_html = _description_html(job)
    return Posting(
        id=job_id,
        title=title,
        url=clean(job.get("hostedUrl")) or "",
        locations=unique(places),
        department=clean(categories.get("department")),
        team=clean(categories.get("team")),
        employment=employment(categories.get("commitment")),
        workplace=workplace(job.get("workplaceType")),
        posted_at=parse_time(job.get("createdAt")),
        compensation=_compensation(job.get("salaryRange")),
        description_html=description_html,
        description="" if description_html else clean(job.get("descriptionPlain")) or "",
    )


def _description_html(job: Mapping[str, Any]) -> str | None:
    """The posting page's HTML: the description, then each list (requirements,
    benefits...: a heading and bare `<li>` items), the closing text and the pay note."""
    parts = [job.get("description")]
    for block in job.get("lists") or []:
        if not isinstance(block, dict):
            continue
        heading, content = clean(block.get("text")), clean(block.get("content"))
        if heading:
            parts.append(f"<h3>{html.escape(heading)}</h3>")
        if content:
            parts.append(f"<ul>{content}</ul>")
    parts += [job.get("additional"), job.get("salaryDescription")]
    markup = "\n".join(p for p in parts if isinstance(p, str) and p.strip())
    return markup or None


def _compensation(salary: Any) -> Compensation | None:
    if not isinstance(salary, dict):
        return None
    low, high = number(salary.get("min")), number(salary.get("max"))
    if low is None and high is None:
        return None
    period = pay_period(salary.get("interval"))
    return Compensation(low, high, clean(salary.get("currency")), period)
