"""Uber's careers site: the search its pages call, `POST www.uber.com/api/loadSearchJobsResults`.

    POST https://www.uber.com/api/loadSearchJobsResults?localeCode=en
    header x-csrf-token: x            (any value: the endpoint only wants the header)
    body   {limit, page, params: {query, location: [{country, region, city}], department,
            team, lineOfBusinessName, programAndPlatform}}
    ->     {status: "success", data: {results: [...], totalResults: {low, high}}}

Pages count from 0. Each result carries its description (Markdown-like text), its places
(`allLocations`: city, region, country name), department, team and dates: there is no
detail page. An answer whose `status` is not "success" is a failed read.

The location box of the site picks Uber's offices, written in its links as
`COUNTRY-Region-City` (`USA-New York-New York`, `IND--Hyderabad`) or a country alone
(`USA`); a site's `location` is written the same way (several separated by `;`). A
place's plain name cannot be turned into these: narrow by it with `match: location:`.

Uber may refuse a plain HTTP client (HTTP 403, its bot wall): the error then says to read
the site with `render: browser`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from watcher.model import Posting, Request, Response, SourceError
from watcher.sources.base import ItemSource, expect, items, load_json
from watcher.sources.search import SearchBoard, SearchSource, link_param
from watcher.text import clean, employment, integer, join_place, one_line, parse_time, unique

LIMIT = 100
API = "https://www.uber.com/api/loadSearchJobsResults?localeCode=en"
POSTING = "https://www.uber.com/global/en/careers/list/{id}/"
REFUSED = "Uber refused a plain client (HTTP {status}): add `render: browser` to this site"
_PLACE = re.compile(r"[A-Za-z]{3}(?:-.*)?")
_LOCALE = r"(?:[a-z]{2,6}/[a-z]{2}(?:-[a-z0-9]{2,4})?/)?"  # us/en, global/en, ca/fr-ca
_END = r"/?(?:[?#].*)?$"


class Uber(SearchSource, ItemSource):
    key = "uber"
    label = "Uber"
    example = "all"
    max_pages = 30  # 3,000 postings; Uber lists about a thousand
    url_patterns = (
        re.compile(rf"^uber\.com/{_LOCALE}careers/list/\d{{1,12}}{_END}"),
        re.compile(rf"^uber\.com/{_LOCALE}careers/list/?(?:\?(?P<search>.*))?$"),
        re.compile(rf"^uber\.com/api/loadSearchJobsResults{_END}"),
        re.compile(rf"^jobs\.uber\.com/(?:[a-z]{{2}}(?:-[a-z]{{2}})?/)?jobs/\d{{1,12}}{_END}"),
    )

    @classmethod
    def check_board(cls, board: Any) -> SearchBoard:
        checked = super().check_board(board)
        if offices(checked.location) is None:
            raise ValueError(
                f"location: {checked.location.strip()!r} is not one of Uber's offices as its "
                "search links write them (USA, USA-New York-New York, IND--Hyderabad; several "
                "separated by ;): narrow by any other place with `match: location:`"
            )
        return checked

    @classmethod
    def board_from(cls, match: re.Match[str]) -> Any:
        search = match.groupdict().get("search")
        if not search:
            return "all"
        # Hand-made links hold places the site's box never writes (`location=India`): left out.
        places = [p.strip() for p in parse_qs(search).get("location", []) if offices(p)]
        return SearchBoard(query=link_param("?" + search, "query"), location="; ".join(places))

    def first_request(self) -> Request:
        return self._page(0)

    def _page(self, page: int) -> Request:
        return Request(
            self.url(API),
            method="POST",
            json={
                "limit": LIMIT,
                "page": page,
                "params": {
                    "query": self.board.query.strip(),
                    "location": offices(self.board.location) or [],
                    "department": [],
                    "team": [],
                    "lineOfBusinessName": [],
                    "programAndPlatform": [],
                },
            },
            headers={"x-csrf-token": "x", "Accept": "application/json"},
            meta={"page": page, "refused": REFUSED},
        )

    def split(
        self, request: Request, response: Response
    ) -> tuple[list[dict[str, Any]], Request | None]:
        payload = expect(load_json(response), dict, "the response")
        status = payload.get("status")
        if status is not None and status != "success":
            said = payload.get("error") or payload.get("message") or payload.get("data")
            if isinstance(said, dict):
                said = said.get("message") or said.get("code")
            raise SourceError(f"Uber's search failed: {one_line(said or status)}", kind="http")
        data = expect(payload.get("data"), dict, "'data'")
        rows = items(data, "results")
        page = int(request.meta.get("page") or 0)
        total = _count(data.get("totalResults"))
        more = bool(rows) and (
            (page + 1) * LIMIT < total if total is not None else len(rows) >= LIMIT
        )
        return rows, self._page(page + 1) if more else None

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        job_id = clean(item.get("id"))
        title = clean(item.get("title"))
        if not job_id or not title:
            return None
        listed = item.get("allLocations")
        places = listed if isinstance(listed, list) and listed else [item.get("location")]
        description = item.get("description")
        return Posting(
            id=job_id,
            title=title,
            url=POSTING.format(id=job_id),
            locations=unique(map(_place, places)),
            department=clean(item.get("department")),
            team=clean(item.get("team")),
            employment=employment(item.get("timeType")),
            posted_at=parse_time(item.get("creationDate")),
            updated_at=parse_time(item.get("updatedDate")),
            description_html=description if isinstance(description, str) and description else None,
        )


def offices(location: str) -> list[dict[str, str]] | None:
    """Uber's location filter for a site's `location` (`USA-California-San Francisco;
    IND--Hyderabad`): [] for none, None when it is not written as Uber's offices.
    A name holding a hyphen is read as part of the region (the city is the last part)."""
    found = []
    for part in re.split(r"[;,]", location):
        text = part.strip()
        if not text:
            continue
        if not _PLACE.fullmatch(text):
            return None
        country, *rest = [piece.strip() for piece in text.split("-")]
        office = {"country": country.upper()}
        if len(rest) == 1:
            rest = [rest[0], ""]  # USA-California: a region
        if rest and "-".join(rest[:-1]):
            office["region"] = "-".join(rest[:-1])
        if rest and rest[-1]:
            office["city"] = rest[-1]
        found.append(office)
    return found


def _count(value: Any) -> int | None:
    """`totalResults`: a number, or a 64-bit integer split as {low, high}."""
    if isinstance(value, dict):
        value = value.get("low")
    return integer(value)


def _place(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    country = value.get("countryName") or value.get("country")
    return join_place(value.get("city"), value.get("region"), country)
