"""Ashby job boards: `api.ashbyhq.com/posting-api/job-board/{org}?includeCompensation=true`.

One request returns the whole board; postings with `isListed: false` are not shown
on the board and are skipped. An organisation's name may hold spaces
(`jobs.ashbyhq.com/Pocket%20Worlds`): the board is `Pocket Worlds`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from watcher.model import Compensation, Posting, Request, Response
from watcher.sources.base import ItemSource, items, load_json
from watcher.text import clean, employment, number, parse_time, pay_period, unique, workplace

# Words joined by single spaces, written %20 in URLs.
_ORG = r"(?P<board>[A-Za-z0-9][A-Za-z0-9_.-]*(?:(?:%20| )[A-Za-z0-9_.-]+)*)(?:[/?#]|$)"


class Ashby(ItemSource):
    key = "ashby"
    label = "Ashby"
    example = "openai"
    answers_unknown = True
    url_patterns = (
        re.compile(rf"^jobs\.ashbyhq\.com/{_ORG}"),
        re.compile(rf"^api\.ashbyhq\.com/posting-api/job-board/{_ORG}"),
    )

    @classmethod
    def check_board(cls, board: Any) -> Any:
        if isinstance(board, str) and " " in board.strip():
            words = board.split()
            for word in words:
                super().check_board(word)
            return " ".join(words)
        return super().check_board(board)

    @classmethod
    def board_from(cls, match: re.Match[str]) -> Any:
        return unquote(match.group("board"))

    def first_request(self) -> Request:
        return Request(
            self.url(
                f"https://api.ashbyhq.com/posting-api/job-board/{quote(self.board)}"
                "?includeCompensation=true"
            )
        )

    def split(self, request: Request, response: Response) -> tuple[list[dict[str, Any]], None]:
        return items(load_json(response), "jobs"), None

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        return _posting(item)


def _posting(job: Mapping[str, Any]) -> Posting | None:
    job_id = clean(job.get("id"))
    title = clean(job.get("title"))
    if not job_id or not title or job.get("isListed") is False:
        return None
    secondary = job.get("secondaryLocations")
    places = [job.get("location")] + [
        s.get("location")
        for s in (secondary if isinstance(secondary, list) else [])
        if isinstance(s, dict)
    ]
    html = job.get("descriptionHtml")
    html = html if isinstance(html, str) and html.strip() else None
    return Posting(
        id=job_id,
        title=title,
        url=clean(job.get("jobUrl")) or "",
        locations=unique(places),
        department=clean(job.get("department")),
        team=clean(job.get("team")),
        employment=employment(job.get("employmentType")),
        # `isRemote` is also true on some hybrid postings: the workplace type wins.
        workplace=workplace(job.get("workplaceType"))
        or ("remote" if job.get("isRemote") is True else None),
        posted_at=parse_time(job.get("publishedAt")),
        compensation=_compensation(job.get("compensation")),
        description_html=html,
        description="" if html else clean(job.get("descriptionPlain")) or "",
    )


def _compensation(comp: Any) -> Compensation | None:
    """The salary component of the board-wide summary, with Ashby's own summary line
    (`$120K – $200K • Offers Equity`) as text."""
    if not isinstance(comp, dict):
        return None
    summary = clean(comp.get("compensationTierSummary")) or clean(
        comp.get("scrapeableCompensationSalarySummary")
    )
    components = comp.get("summaryComponents")
    salary = next(
        (
            c
            for c in (components if isinstance(components, list) else [])
            if isinstance(c, dict) and c.get("compensationType") == "Salary"
        ),
        {},
    )
    low, high = number(salary.get("minValue")), number(salary.get("maxValue"))
    if low is None and high is None and not summary:
        return None
    return Compensation(
        low,
        high,
        clean(salary.get("currencyCode")),
        pay_period(salary.get("interval")),
        summary,
    )
