"""TikTok and ByteDance careers: one recruiting backend, two boards.

    POST https://{host}/api/v1/public/supplier/search/job/posts
    header website-path: {board}      (tiktok on api.lifeattiktok.com, en on jobs.bytedance.com)
    body   {keyword, limit, offset, location_code_list, job_category_id_list, ...}
    ->     {code, message, data: {job_post_list: [...], count}}

The `website-path` header, not the host, picks the board: without it, or with a value the
host does not know, the answer is HTTP 400. An error can also come back as HTTP 200 with a
non-zero `code` (a negative offset: `{"code": -4000001, "data": null}`); that is a failed
read, never an empty board. Each row carries its whole text (`description`,
`requirement`): there is no detail page. No row states when it was posted.

The site's location box takes city codes (`CT_243`), never free text, and a country's
own code matches nothing. A site whose `location` is a place's name (`London`, `California`,
`United States of America`) first reads the site's filter list
(`POST /api/v1/public/supplier/config/job/filters`: every city with its state and
country) and searches the codes of the cities that place names; a location written as
codes (`CT_243, CT_94`, as the site's search links carry them) is sent as it is.

The backend serves at most 10,000 results of one search (offset + limit), which is where
`max_pages` stops a bare `tiktok: all`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar

from watcher.model import Compensation, Posting, Request, Response, SourceError
from watcher.sources.base import ItemSource, expect, load_json
from watcher.sources.search import SearchBoard, SearchSource, link_param
from watcher.text import clean, employment, fold, integer, number, one_line, parse_time

LIMIT = 100
_SEARCH = "/api/v1/public/supplier/search/job/posts"
_FILTERS = "/api/v1/public/supplier/config/job/filters"
_CODE = re.compile(r"[A-Za-z]{2}_\d+")
_NAMES = ("en_name", "i18n_name", "name")  # English first: `name` is often Chinese
_ID = r"\d{1,25}"
_END = r"/?(?:[?#].*)?$"  # a trailing slash, a query or a fragment, then the end
_QUERY = r"/?(?:\?(?P<search>.*))?$"


class SupplierSearch(SearchSource, ItemSource):
    """A board of ByteDance's recruiting backend; a subclass names its host, the
    `website-path` that picks its board, and its public links."""

    host: ClassVar[str]
    website_path: ClassVar[str]
    posting_url: ClassVar[str]  # with {id}
    max_pages = 10_000 // LIMIT  # the backend's result window

    @classmethod
    def board_from(cls, match: re.Match[str]) -> Any:
        search = match.groupdict().get("search")
        if not search:
            return "all"
        link = "?" + search
        return SearchBoard(
            query=link_param(link, "keyword", "keywords"),
            location=link_param(link, "location_code_list", "location").replace(",", ", "),
        )

    @property
    def _headers(self) -> dict[str, str]:
        # accept-language decides the language of every `i18n_name` (Chinese without it).
        return {
            "website-path": self.website_path,
            "Accept": "application/json",
            "Accept-Language": "en-US",
        }

    def first_request(self) -> Request:
        codes = _codes(self.board.location)
        if codes is not None:
            return self._search(0, codes)
        return Request(
            self.url(f"https://{self.host}{_FILTERS}"),
            method="POST",
            json={},
            headers=self._headers,
            meta={"preamble": True, "filters": True},
        )

    def _search(self, offset: int, codes: tuple[str, ...]) -> Request:
        return Request(
            self.url(f"https://{self.host}{_SEARCH}"),
            method="POST",
            json={
                "keyword": self.board.query.strip(),
                "limit": LIMIT,
                "offset": offset,
                "recruitment_id_list": [],
                "job_category_id_list": [],
                "subject_id_list": [],
                "location_code_list": list(codes),
            },
            headers=self._headers,
            meta={"offset": offset, "codes": codes},
        )

    def split(
        self, request: Request, response: Response
    ) -> tuple[list[dict[str, Any]], Request | None]:
        data = self._data(load_json(response))
        if request.meta.get("filters"):
            return [], self._search(0, self._cities(data))
        rows = data.get("job_post_list")
        rows = expect([] if rows is None else rows, list, "'job_post_list'")
        offset = int(request.meta.get("offset") or 0)
        following = offset + len(rows)
        count = integer(data.get("count"))
        more = bool(rows) and (count is None or following < count)
        codes = tuple(request.meta.get("codes") or ())
        return [r for r in rows if isinstance(r, dict)], (
            self._search(following, codes) if more else None
        )

    def _data(self, payload: Any) -> dict[str, Any]:
        """The envelope's `data`, or the error the backend answered with HTTP 200."""
        envelope = expect(payload, dict, "the response")
        code = envelope.get("code")
        if code is not None and code not in (0, "0"):
            said = one_line(envelope.get("message") or "no message")
            raise SourceError(f"{self.label} refused the search: {said} (code {code})", kind="http")
        return expect(envelope.get("data"), dict, "'data'")

    def _cities(self, data: dict[str, Any]) -> tuple[str, ...]:
        """The codes of the listed cities that the board's location names."""
        where = self.board.location.strip()
        cities = expect(data.get("city_list"), list, "'city_list'")
        found = _matching_cities(cities, [part for part in where.split(",") if part.strip()])
        if not found:
            raise SourceError(
                f"{self.label} lists no city matching {where!r}: write a city, state or "
                "country as the site names it (London, California, United States of America)",
                kind="not_found",
            )
        return found

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        job_id = clean(item.get("id"))
        title = clean(item.get("title"))
        if not job_id or not title:
            return None
        cities = item.get("city_list")
        places = cities if isinstance(cities, list) and cities else [item.get("city_info")]
        category = item.get("job_category")
        parent = _name(category.get("parent")) if isinstance(category, dict) else None
        text = [t for t in map(clean, (item.get("description"), item.get("requirement"))) if t]
        return Posting(
            id=job_id,
            title=title,
            url=self.posting_url.format(id=job_id),
            locations=tuple(dict.fromkeys(p for p in map(_place, places) if p)),
            department=parent or _name(category),
            team=_name(category) if parent else None,
            employment=employment(_name(item.get("recruit_type"))),
            posted_at=parse_time(item.get("publish_time")),
            compensation=_pay(item.get("job_post_info")),
            description="\n\n".join(text),
        )


class TikTok(SupplierSearch):
    key = "tiktok"
    label = "TikTok"
    example = "all"
    host = "api.lifeattiktok.com"
    website_path = "tiktok"
    posting_url = "https://lifeattiktok.com/search/{id}"
    url_patterns = (
        re.compile(rf"^lifeattiktok\.com/search/{_ID}{_END}"),
        re.compile(rf"^lifeattiktok\.com/search{_QUERY}"),
        re.compile(rf"^careers\.tiktok\.com/position/{_ID}(?:/detail)?{_END}"),
        re.compile(rf"^careers\.tiktok\.com/position{_QUERY}"),
        re.compile(rf"^api\.lifeattiktok\.com{_SEARCH}{_END}"),
    )


class ByteDance(SupplierSearch):
    key = "bytedance"
    label = "ByteDance"
    example = "all"
    host = "jobs.bytedance.com"
    website_path = "en"
    posting_url = "https://jobs.bytedance.com/en/position/{id}/detail"
    url_patterns = (
        re.compile(rf"^jobs\.bytedance\.com/en/position/{_ID}(?:/detail)?{_END}"),
        re.compile(rf"^jobs\.bytedance\.com/en/position{_QUERY}"),
        re.compile(rf"^joinbytedance\.com/search/{_ID}{_END}"),
        re.compile(rf"^joinbytedance\.com/search{_QUERY}"),
        re.compile(rf"^jobs\.bytedance\.com{_SEARCH}{_END}"),
    )


def _codes(location: str) -> tuple[str, ...] | None:
    """The location as the site's own codes (`CT_243, CT_94`), () for none, None when it
    is a place's name to look up."""
    parts = [part.strip() for part in location.split(",") if part.strip()]
    if all(_CODE.fullmatch(part) for part in parts):
        return tuple(part.upper() for part in parts)
    return None


def _name(node: Any) -> str | None:
    if not isinstance(node, dict):
        return None
    return next((name for name in map(clean, map(node.get, _NAMES)) if name), None)


def _chain(node: Any) -> list[str]:
    """A place's names up its `parent` chain: city, state, country."""
    names: list[str] = []
    seen: set[int] = set()
    while isinstance(node, dict) and id(node) not in seen and len(seen) < 10:
        seen.add(id(node))
        name = _name(node)
        if name and name not in names:
            names.append(name)
        node = node.get("parent")
    return names


def _place(node: Any) -> str | None:
    return ", ".join(_chain(node)) or None


def _matching_cities(nodes: list[Any], parts: list[str]) -> tuple[str, ...]:
    """Codes of the cities (in a flat list with `parent` chains, or a tree of `children`)
    whose own, state's or country's names include every part of the location as words."""
    wanted = [re.compile(rf"(?<!\w){re.escape(' '.join(fold(p).split()))}(?!\w)") for p in parts]
    found: dict[str, None] = {}
    stack: list[tuple[Any, tuple[str, ...]]] = [(node, ()) for node in reversed(nodes)]
    while stack and len(found) < 1000:
        node, above = stack.pop()
        if not isinstance(node, dict):
            continue
        names = (*above, *(fold(n) for n in _chain(node)))
        code = clean(node.get("code"))
        city = node.get("location_type") == 3 or (code or "").upper().startswith("CT_")
        if code and city and all(any(w.search(n) for n in names) for w in wanted):
            found[code] = None
        children = node.get("children")
        if isinstance(children, list) and len(stack) < 10_000:
            stack.extend((child, names) for child in reversed(children))
    return tuple(found)


def _pay(info: Any) -> Compensation | None:
    if not isinstance(info, dict):
        return None
    low, high = number(info.get("min_salary")), number(info.get("max_salary"))
    if low is None and high is None:
        return None
    return Compensation(low, high, clean(info.get("currency")))
