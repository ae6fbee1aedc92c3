"""Apple's own careers site: `POST jobs.apple.com/api/v1/search`, 20 postings a page.

A read is up to three steps, every time (the token is not kept between reads):

1. `GET /api/v1/CSRFToken`: the token is the `x-apple-csrf-token` response header (the
   browser sends it with every search; Apple has answered searches without it too, so a
   missing header is not an error);
2. for a search with a location, `GET /api/v1/refData/postlocation?input=...`, the site's
   own location box: Apple filters on its place ids (`postLocation-DEU`), not on text. The
   place whose name is the one typed is taken, else Apple's first suggestion;
3. `POST /api/v1/search` with `{query, filters, page, locale, sort, format}`, newest first.
   The body must carry `format`: without it Apple answers an empty page.

Apple sometimes answers a page inside the results empty (`totalRecords: 0`): that is a gap,
not the end, and fails the read (tried again at the next check) rather than close the
postings behind it. Multi-city postings are listed once per city, each with its own `id`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from watcher.model import Posting, Request, Response, SourceError
from watcher.sources.base import ItemSource, expect, items, load_json
from watcher.sources.search import SearchBoard, SearchSource, link_param
from watcher.text import clean, fold, integer, join_place, parse_time, unique

SITE = "https://jobs.apple.com"
LOCALE = "en-us"
PAGE = 20  # fixed by Apple
_HEADERS = {"Accept": "application/json", "browserlocale": LOCALE, "locale": "EN_US"}
_FORMAT = {"longDate": "MMMM D, YYYY", "mediumDate": "MMM D, YYYY"}
_LOCALE_PATH = r"(?:[a-z]{2}-[a-z]{2}/)?"
_CODE = re.compile(r"-[A-Z0-9]{2,}$")  # the place code ending a link's location slug


class Apple(SearchSource, ItemSource):
    key = "apple"
    label = "Apple"
    example = "all"
    # The token, then 100 pages: the 2,000 newest (99 pages when a location is looked up).
    max_pages = 101
    url_patterns = (
        re.compile(rf"^jobs\.apple\.com/{_LOCALE_PATH}details/(?P<job>[A-Za-z0-9-]+)(?:[/?#]|$)"),
        re.compile(rf"^jobs\.apple\.com/{_LOCALE_PATH}search/?(?:\?|$)"),
    )

    @classmethod
    def board_from(cls, match: re.Match[str]) -> SearchBoard:
        """A posting link names the whole site; a search link the search it shows, its
        location slug (`united-states-USA`) read back as the place's name."""
        if "job" in match.groupdict():
            return SearchBoard()
        slug = link_param(match.string, "location").split()
        place = _CODE.sub("", slug[0]).replace("-", " ") if slug else ""
        return SearchBoard(query=link_param(match.string, "search"), location=place)

    def first_request(self) -> Request:
        return Request(
            self.url(f"{SITE}/api/v1/CSRFToken"),
            headers=_HEADERS,
            meta={"step": "token", "preamble": True},
        )

    def _lookup(self, token: str) -> Request:
        place = quote(self.board.location.strip(), safe="")
        return Request(
            self.url(f"{SITE}/api/v1/refData/postlocation?input={place}"),
            headers=_headers(token),
            meta={"step": "place", "token": token, "preamble": True},
        )

    def _search(self, number: int, token: str, place: str | None, total: int | None) -> Request:
        filters: dict[str, Any] = {"range": {"standardWeeklyHours": {"start": None, "end": None}}}
        if place:
            filters["locations"] = [place]
        body = {
            "query": self.board.query.strip(),
            "filters": filters,
            "page": number,
            "locale": LOCALE,
            "sort": "newest",
            "format": _FORMAT,
        }
        return Request(
            self.url(f"{SITE}/api/v1/search"),
            method="POST",
            json=body,
            headers=_headers(token),
            meta={"step": "search", "page": number, "token": token, "place": place, "total": total},
        )

    def split(
        self, request: Request, response: Response
    ) -> tuple[list[dict[str, Any]], Request | None]:
        step = request.meta.get("step")
        if step == "token":
            token = clean(response.headers.get("x-apple-csrf-token")) or ""
            if self.board.location.strip():
                return [], self._lookup(token)
            return [], self._search(1, token, None, None)
        token = str(request.meta.get("token") or "")
        if step == "place":
            place = _place(load_json(response), self.board.location.strip())
            return [], self._search(1, token, place, None)
        return self._results(request, response, token)

    def _results(
        self, request: Request, response: Response, token: str
    ) -> tuple[list[dict[str, Any]], Request | None]:
        payload = expect(load_json(response), dict, "the response")
        res = expect(payload.get("res"), dict, "'res'")
        rows = items(res, "searchResults") if res.get("searchResults") is not None else []
        number = int(request.meta.get("page") or 1)
        # Only an in-range page's count is real: a page past the end, or a gap, says 0.
        total = request.meta.get("total")
        if total is None:
            total = integer(res.get("totalRecords"))
        if not rows and number > 1 and total and (number - 1) * PAGE < total:
            raise SourceError(
                f"jobs.apple.com answered page {number} empty though it counts {total} "
                "postings: a gap, not the end (read again at the next check)",
                kind="http",
            )
        more = bool(rows) and (number * PAGE < total if total is not None else len(rows) >= PAGE)
        following = self._search(number + 1, token, request.meta.get("place"), total)
        return rows, following if more else None

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        job_id = clean(item.get("id"))
        title = clean(item.get("postingTitle"))
        if not job_id or not title:
            return None
        position = clean(item.get("positionId")) or job_id.removeprefix("PIPE-")
        slug = clean(item.get("transformedPostingTitle"))
        team = item.get("team")
        summary = item.get("jobSummary")
        return Posting(
            id=job_id,
            title=title,
            url=f"{SITE}/{LOCALE}/details/{quote(position)}" + (f"/{quote(slug)}" if slug else ""),
            locations=_locations(item.get("locations")),
            team=clean(team.get("teamName")) if isinstance(team, dict) else None,
            workplace="remote" if item.get("homeOffice") is True else None,
            posted_at=parse_time(item.get("postingDate")) or parse_time(item.get("postDateInGMT")),
            description=summary.strip() if isinstance(summary, str) else "",
        )


def _headers(token: str) -> dict[str, str]:
    return {**_HEADERS, "x-apple-csrf-token": token} if token else dict(_HEADERS)


def _place(payload: Any, typed: str) -> str:
    """The place id Apple's location box gives for `typed`: the place so named, else its
    first suggestion."""
    found = expect(payload, dict, "the location search").get("res")
    places = [p for p in expect(found, list, "the location search's 'res'") if isinstance(p, dict)]
    ids = [
        (_place_id(p), {fold(n) for n in map(clean, (p.get("name"), p.get("displayName"))) if n})
        for p in places
    ]
    named = next((place for place, names in ids if place and fold(typed) in names), None)
    chosen = named or next((place for place, _ in ids if place), None)
    if chosen is None:
        raise SourceError(f"Apple's location search knows no place {typed!r}", kind="not_found")
    return chosen


def _place_id(place: dict[str, Any]) -> str | None:
    code = clean(place.get("code"))
    return clean(place.get("id")) or (f"postLocation-{code}" if code else None)


def _locations(value: Any) -> tuple[str, ...]:
    """`Shanghai, China`, `Cupertino, California, United States`, `India`."""
    return unique(
        join_place(
            place.get("name") or place.get("city"),
            place.get("stateProvince"),
            place.get("countryName"),
        )
        for place in (value if isinstance(value, list) else [])
        if isinstance(place, dict)
    )
