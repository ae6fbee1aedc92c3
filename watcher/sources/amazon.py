"""Amazon's own careers site: `GET www.amazon.jobs/en/search.json`, 100 postings a page.

The board is a search (`amazon: {query: "software engineer", location: "Berlin"}`):
`query` goes in `base_query` and `location` in `loc_query`, as typed in the site's two
boxes (Amazon places the location text itself); `all` leaves both empty. Newest first
(`sort=recent`), so a read cut short by the page cap still sees every new posting.

The list carries everything users filter on, the description and qualifications too:
there are no detail pages. Amazon serves at most 10,000 results of one search and its
`hits` stops counting there; a search that reaches that many keeps asking for pages until
the cap, so the reader reports the read truncated and closes nothing on its strength.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

import orjson

from watcher.model import Posting, Request, Response, SourceError
from watcher.sources.base import ItemSource, expect, items, load_json
from watcher.sources.search import SearchBoard, SearchSource, link_param
from watcher.text import clean, employment, integer, parse_time, unique

SITE = "https://www.amazon.jobs"
PAGE = 100  # the most `result_limit` may ask for
SERVED = 10_000  # Amazon answers no offset past this, and `hits` stops counting here
_LOCALE = r"(?:[a-z]{2}(?:-[a-z]{2})?/)?"  # en, de, en-gb; links without one work too
_HOST = r"^(?:account\.)?amazon\.jobs/"
_JOB_PATH = re.compile(r"/jobs/([A-Za-z0-9]+)(?:[/?#]|$)")
_REMOTE_TYPES = frozenset({"VIRTUAL", "REMOTE"})


class Amazon(SearchSource, ItemSource):
    key = "amazon"
    label = "Amazon"
    example = "all"
    # 2,000 newest postings a check; a longer search is read truncated (closes nothing).
    max_pages = 20
    url_patterns = (
        re.compile(rf"{_HOST}{_LOCALE}jobs/(?P<job>[A-Za-z0-9]+)(?:[/?#]|$)"),
        re.compile(rf"{_HOST}{_LOCALE}search(?:\.json)?/?(?:\?|$)"),
    )

    @classmethod
    def board_from(cls, match: re.Match[str]) -> SearchBoard:
        """A posting link names the whole site; a search link the search it shows."""
        if "job" in match.groupdict():
            return SearchBoard()
        return SearchBoard(
            query=link_param(match.string, "base_query"),
            location=link_param(match.string, "loc_query"),
        )

    def first_request(self) -> Request:
        return self._page(0)

    def _page(self, offset: int) -> Request:
        query = {
            "base_query": self.board.query.strip(),
            "loc_query": self.board.location.strip(),
            "offset": offset,
            "result_limit": PAGE,
            "sort": "recent",
        }
        return Request(
            self.url(f"{SITE}/en/search.json?{urlencode(query, quote_via=quote)}"),
            headers={"Accept": "application/json"},
            meta={"offset": offset},
        )

    def split(
        self, request: Request, response: Response
    ) -> tuple[list[dict[str, Any]], Request | None]:
        payload = expect(_load(response), dict, "the response")
        error = clean(payload.get("error"))
        if error:
            raise SourceError(f"amazon.jobs answered: {error[:120]}", kind="http")
        rows = items(payload, "jobs") if payload.get("jobs") is not None else []
        offset = int(request.meta.get("offset") or 0)
        hits = integer(payload.get("hits"))
        following = offset + len(rows)
        # At SERVED `hits` is a floor, not a count: ask on, and let the cap say "truncated".
        more = bool(rows) and (hits is None or hits >= SERVED or following < hits)
        return rows, self._page(following) if more else None

    def item_id(self, item: dict[str, Any]) -> str | None:
        path = clean(item.get("job_path"))
        in_path = _JOB_PATH.search(path) if path else None
        return clean(item.get("id_icims")) or (in_path[1] if in_path else clean(item.get("id")))

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        job_id = self.item_id(item)
        title = clean(item.get("title"))
        if not job_id or not title:
            return None
        path = clean(item.get("job_path"))
        places = _places(item.get("locations"))
        remote = any(kind in _REMOTE_TYPES for _, kind in places)
        locations = unique(name for name, _ in places) or unique(
            [item.get("normalized_location") or item.get("location")]
        )
        return Posting(
            id=job_id,
            title=title,
            url=f"{SITE}{path}" if path and path.startswith("/") else f"{SITE}/en/jobs/{job_id}",
            locations=locations,
            department=clean(item.get("job_category")) or clean(item.get("job_family")),
            team=_label(item.get("team")),
            employment=employment(item.get("job_schedule_type")),
            workplace="remote" if remote else None,
            posted_at=parse_time(item.get("posted_date")),
            description_html=_description(item),
        )


def _load(response: Response) -> Any:
    """The JSON body; Amazon's "Server Busy" page (a CAPTCHA, sent with a 200 when it is
    asked too much) is told as such rather than as a parse error."""
    head = response.body[:2000].lstrip().lower()
    if head.startswith(b"<") and (b"server busy" in head or b"captcha" in head):
        raise SourceError(
            "amazon.jobs answered with its 'Server Busy' page (too many requests)", kind="http"
        )
    return load_json(response)


def _places(value: Any) -> list[tuple[str, str]]:
    """(name, type) of each entry of `locations`: objects, or objects written as JSON text."""
    found = []
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, str):
            try:
                entry = orjson.loads(entry)
            except orjson.JSONDecodeError:
                continue
        if not isinstance(entry, dict):
            continue
        name = clean(entry.get("normalizedLocation")) or clean(entry.get("location"))
        kind = clean(entry.get("type"))
        if name:
            found.append((name, kind.upper() if kind else ""))
    return found


def _label(value: Any) -> str | None:
    if isinstance(value, dict):
        return clean(value.get("label")) or clean(value.get("name"))
    return clean(value)


def _description(item: dict[str, Any]) -> str | None:
    """The description, then the qualifications under their headings, as the posting page shows."""
    parts = [_markup(item.get("description"))]
    for key, heading in (
        ("basic_qualifications", "Basic qualifications"),
        ("preferred_qualifications", "Preferred qualifications"),
    ):
        if markup := _markup(item.get(key)):
            parts.append(f"<h3>{html.escape(heading)}</h3>{markup}")
    return "\n".join(p for p in parts if p) or None


def _markup(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
