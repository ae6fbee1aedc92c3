"""gr8people career sites: `gr8people: careers.acme.com`, the host the site answers on.

The list is the site's own search, `POST https://{host}/graphql` (`searchJobPostings`,
aliased `searchJobs` as the site's frontend does), read with cursors
(`pageInfo { hasNextPage endCursor }`) 100 postings a page: a larger page is cut to 100
and then claims to be the last. Its nodes carry everything users filter on (the
description, every place, category, position type, workplace, pay), so there are no
detail pages. No token is needed.

Sites are on `acme.gr8people.com`, `acme.workgr8.com` or a company's own domain, where
`board_in_page` knows them by the app's assets (`assets.gr8people.com`). A posting's page
is `https://{host}/jobs/{key}` (the site redirects it to the title's slug).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import orjson

from watcher.model import Compensation, Posting, Request, Response, SourceError
from watcher.sources.base import HOST_LABEL, ItemSource, expect, host_name, load_json
from watcher.sources.jsonld import job_posting, page_text
from watcher.text import (
    clean,
    employment,
    integer,
    number,
    parse_time,
    pay_period,
    unique,
    workplace,
)

PAGE_SIZE = 100
QUERY = """query searchJobs($first: Int, $after: String) {
  searchJobs: searchJobPostings(first: $first, after: $after) {
    results {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        key title descriptionHTML structuredDataJSON workplaceType postedOn
        positionType { name }
        primaryPlace { name }
        places { nodes { name } }
        jobCategory { name }
        payRangeLow payRangeHigh payRangeType currencyCode
      }
    }
  }
}"""

# Hosts of the platform itself that are not a company's site.
_RESERVED = r"(?!(?:www|assets|api|app|cdn|static|help|support|login|auth|mail|blog)\.)"
_PLATFORM_HOST = rf"{_RESERVED}(?:{HOST_LABEL}\.)+(?:gr8people|workgr8)\.com"
_ON_PLATFORM = re.compile(rf"^(?P<board>{_PLATFORM_HOST})(?:[/?:]|$)")
_LINKED = re.compile(rf"https?://(?P<board>{_PLATFORM_HOST})(?![a-z0-9.-])", re.IGNORECASE)
_APP_ASSETS = re.compile(r"\bassets\.gr8people\.com\b", re.IGNORECASE)


class Gr8People(ItemSource):
    key = "gr8people"
    label = "gr8people"
    example = "careers.acme.com"
    url_patterns = (_ON_PLATFORM,)

    @classmethod
    def check_board(cls, board: Any) -> str:
        text = board.strip() if isinstance(board, str) else ""
        if "://" in text:  # a pasted link: its host
            text = urlsplit(text).hostname or ""
        host = host_name(text.rstrip("/"))
        if host is None:
            raise ValueError(
                f"{board!r} is not a gr8people site: write the host its jobs are on, as in "
                f"{cls.example} for https://careers.acme.com/jobs, or acme.gr8people.com"
            )
        return host

    @classmethod
    def board_in_page(cls, page: Response) -> str | None:
        """The site a page is on (its final host is the platform's, or it loads the app's
        assets from assets.gr8people.com), else the first gr8people site it links to."""
        host = (urlsplit(page.url).hostname or "").lower()
        if _ON_PLATFORM.match(host):
            return cls._board_or_none(host)
        text = page_text(page)
        if _APP_ASSETS.search(text):
            return cls._board_or_none(host)
        linked = _LINKED.search(text)
        return cls._board_or_none(linked["board"]) if linked else None

    @classmethod
    def _board_or_none(cls, host: str) -> str | None:
        try:
            return cls.check_board(host)
        except ValueError:
            return None

    def first_request(self) -> Request:
        return self._search(None, 0)

    def _search(self, after: str | None, read: int) -> Request:
        variables: dict[str, Any] = {"first": PAGE_SIZE}
        if after:
            variables["after"] = after
        return Request(
            self.url(f"https://{self.board}/graphql"),
            method="POST",
            json={"operationName": "searchJobs", "query": QUERY, "variables": variables},
            headers={"Accept": "application/json"},
            meta={"after": after, "read": read},
        )

    def split(
        self, request: Request, response: Response
    ) -> tuple[list[dict[str, Any]], Request | None]:
        results = _results(expect(load_json(response), dict, "the response"))
        nodes = expect(results.get("nodes"), list, "'nodes'")
        info = results.get("pageInfo")
        info = info if isinstance(info, dict) else {}
        cursor = clean(info.get("endCursor"))
        total = integer(results.get("totalCount"))
        read = int(request.meta.get("read") or 0) + len(nodes)
        # `hasNextPage` is also false on a page cut short of what was asked: the stated
        # total says whether there is more.
        short = total is not None and read < total
        more = info.get("hasNextPage") is True or short
        following = None
        if nodes and more and cursor and cursor != request.meta.get("after"):
            following = self._search(cursor, read)
        return [node for node in nodes if isinstance(node, dict)], following

    def item_id(self, item: dict[str, Any]) -> str | None:
        return clean(item.get("key"))

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        key = self.item_id(item)
        title = clean(item.get("title"))
        if not key or not title:
            return None
        url = f"https://{self.board}/jobs/{quote(key, safe='')}"
        description = item.get("descriptionHTML")
        return Posting(
            id=key,
            title=title,
            url=url,
            locations=_places(item, url),
            department=_name(item.get("jobCategory")),
            employment=employment(_name(item.get("positionType"))),
            workplace=workplace(item.get("workplaceType")),
            posted_at=parse_time(item.get("postedOn")),
            compensation=_pay(item),
            description_html=description if isinstance(description, str) and description else None,
        )


def _results(payload: dict[str, Any]) -> dict[str, Any]:
    """The search's `results`; a GraphQL error without them is the read's failure (a
    deleted posting is an error beside the others' results, and only leaves a null node)."""
    data = payload.get("data")
    search = data.get("searchJobs") if isinstance(data, dict) else None
    results = search.get("results") if isinstance(search, dict) else None
    if isinstance(results, dict):
        return results
    errors = payload.get("errors")
    if isinstance(errors, list) and errors:
        first = errors[0]
        message = clean(first.get("message") if isinstance(first, dict) else first)
        reason = " ".join((message or "no message").split())[:200]
        raise SourceError(f"the site's search answered an error: {reason}", kind="parse")
    raise SourceError("unexpected response shape: no searchJobs results", kind="parse")


def _name(value: Any) -> str | None:
    return clean(value.get("name")) if isinstance(value, dict) else None


def _places(item: dict[str, Any], url: str) -> tuple[str, ...]:
    """Every place named; else the primary one; else those of its schema.org JobPosting
    (some sites name their places only there)."""
    places = item.get("places")
    nodes = places.get("nodes") if isinstance(places, dict) else None
    named = unique(map(_name, nodes)) if isinstance(nodes, list) else ()
    if named:
        return named
    primary = _name(item.get("primaryPlace"))
    if primary:
        return (primary,)
    structured = item.get("structuredDataJSON")
    if not isinstance(structured, str) or not structured:
        return ()
    try:
        data = orjson.loads(structured)
    except orjson.JSONDecodeError:
        return ()
    found = job_posting(data, url) if isinstance(data, dict) else None
    return found.locations if found else ()


def _pay(item: dict[str, Any]) -> Compensation | None:
    """The stated range (its floor and ceiling, not the midpoint); on-target earnings
    name no period."""
    low, high = number(item.get("payRangeLow")), number(item.get("payRangeHigh"))
    if low is None and high is None:
        return None
    return Compensation(
        low, high, clean(item.get("currencyCode")), pay_period(item.get("payRangeType"))
    )
