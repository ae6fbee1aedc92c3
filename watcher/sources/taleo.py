"""Oracle Taleo: Enterprise career sections and Taleo Business Edition boards.

- Enterprise, `taleo: acme.taleo.net/2` (the zone host and the career section): the
  section's search page, `/careersection/{section}/jobsearch.ftl`, is read once as a
  preamble for its portal number (`portalNo`) and its CSRF token where it has one; the
  list is then `POST /careersection/rest/jobboard/searchjobs?lang=en&portal={portal}`
  (JSON, 25 a page by `pageNo`, bounded by `pagingData.totalCount`: a page past the
  last answers the last again). A row is positional: the title is the `linkedColumn`
  cell, the places the `locationsColumns` cells (each a JSON list in a string), and the
  posting date is whichever other cell reads as one. The endpoint answers 500 without
  a `tz` header. The description comes from the posting's `jobdetail.ftl?job={contestNo}`
  page (its `initialHistory` field), read for new postings.
- Business Edition, `taleo: phh.tbe.taleo.net/phh04/ACME/37` (the host, the instance,
  the `org` and the `cws` career website of its links): the server-rendered
  `/{instance}/ats/careers/v2/searchResults?org=ACME&cws=37`, 10 a page by `rowFrom`,
  one `.oracletaleocwsv2-accordion-head-info` block a posting whose cells (place,
  department, employment; which and in what order is the company's choice) are told
  apart by their content; the description from `viewRequisition?...&rid={id}`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import orjson
from selectolax.lexbor import LexborHTMLParser

from watcher.model import Posting, Request, Response, SourceError
from watcher.sources.base import HOST, HOST_LABEL, ItemSource, expect, items, load_json
from watcher.sources.jsonld import first_job_posting, node_text, page_text
from watcher.sources.markup import HTML_ACCEPT, board_in_links, written_date
from watcher.text import clean, employment, unique

_TBE_HOST = rf"{HOST_LABEL}\.tbe\.taleo\.net"
_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_ENTERPRISE = re.compile(rf"^({HOST})/({_NAME})$", re.IGNORECASE)
_TBE = re.compile(rf"^({_TBE_HOST})/({_NAME})/({_NAME})/(\d+)$", re.IGNORECASE)
_PORTAL = re.compile(r"""portalNo\s*:\s*['"]?(\d+)|[?&]portal=(\d{6,})""")
_CSRF_NAME = re.compile(r"""sessionCSRFTokenName['"]?\s*:\s*['"]([^'"]+)['"]""")
_CSRF_VALUE = re.compile(r"""sessionCSRFToken['"]?\s*:\s*['"]([^'"]+)['"]""")
_TBE_PAGE = 10
# TBE cells: an employment word, or a place ("City, ST", "ST - City", remote).
_EMPLOYMENT_WORDS = re.compile(
    r"\b(?:full|part)[\s-]?time\b|\bfulltime\b|\bparttime\b|\bper[\s-]diem\b|\bprn\b|"
    r"\bcontract(?:or)?\b|\btemp(?:orary)?\b|\bseasonal\b|\bintern(?:ship)?\b|\bcasual\b|"
    r"\bregular\b",
    re.IGNORECASE,
)
_PLACE_SHAPE = re.compile(r",\s*[A-Z]{2,3}\b|^[A-Z]{2,3}\s*-\s*\S|(?i:remote)")
_SEARCH_BODY: dict[str, Any] = {
    "multilineEnabled": False,
    "sortingSelection": {"sortBySelectionParam": "3", "ascendingSortingOrder": "false"},
    "fieldData": {"fields": {"KEYWORD": "", "LOCATION": "", "ORGANIZATION": ""}, "valid": True},
    "filterSelectionParam": {"searchFilterSelections": []},
    "advancedSearchFiltersSelectionParam": {"searchFilterSelections": []},
}


class Taleo(ItemSource):
    key = "taleo"
    label = "Oracle Taleo"
    example = "acme.taleo.net/2"
    url_patterns = (
        re.compile(
            rf"^(?P<host>{HOST})/careersection/(?!rest/)(?P<section>{_NAME})/"
            r"(?:jobsearch|jobdetail|joblist|moresearch|mysearches|jobapply)\.ftl"
        ),
        re.compile(
            rf"^(?P<host>{_TBE_HOST})/(?P<instance>{_NAME})/ats/(?:careers|servlet)/[^?]*"
            r"\?(?P<query>.+)$"
        ),
    )

    @classmethod
    def check_board(cls, board: Any) -> str:
        text = board.strip() if isinstance(board, str) else ""
        if tbe := _TBE.match(text):
            host, instance, org, cws = tbe.groups()
            return f"{host.lower()}/{instance}/{org}/{cws}"
        enterprise = _ENTERPRISE.match(text)
        if enterprise and not enterprise.group(1).lower().endswith(".tbe.taleo.net"):
            return f"{enterprise.group(1).lower()}/{enterprise.group(2)}"
        raise ValueError(
            f"{board!r} is not a Taleo board: write host/section for a career section "
            f"({cls.example} for https://acme.taleo.net/careersection/2/jobsearch.ftl), or "
            "host/instance/org/cws for Business Edition (phh.tbe.taleo.net/phh04/ACME/37 for "
            "https://phh.tbe.taleo.net/phh04/ats/careers/v2/searchResults?org=ACME&cws=37)"
        )

    @classmethod
    def board_from(cls, match: re.Match[str]) -> str:
        if "section" in match.groupdict():
            return f"{match['host']}/{match['section']}"
        query = {key.lower(): values for key, values in parse_qs(match["query"]).items()}
        org, cws = query.get("org"), query.get("cws")
        if not org or not cws:
            raise ValueError("no org or cws in the link")
        return f"{match['host']}/{match['instance']}/{org[0]}/{cws[0]}"

    @classmethod
    def board_in_page(cls, page: Response) -> str | None:
        found = board_in_links(cls, page, "a[href], iframe[src], form[action]")
        return str(found) if found else None

    @property
    def _business(self) -> bool:
        return self.board.count("/") == 3

    @property
    def _origin(self) -> str:
        return "https://" + self.board.split("/", 1)[0]

    # --- requests ---------------------------------------------------------------------

    def first_request(self) -> Request:
        if self._business:
            return self._tbe(0)
        section = self.board.split("/", 1)[1]
        public = f"{self._origin}/careersection/{section}/jobsearch.ftl?lang=en"
        return Request(self.url(public), headers=HTML_ACCEPT, meta={"preamble": True})

    def _search(self, number: int, portal: str, csrf: tuple[str, str] | None) -> Request:
        headers = {"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"}
        headers["tz"] = "GMT+00:00"  # the endpoint answers 500 without it
        if csrf:
            headers[csrf[0]] = csrf[1]
        return Request(
            self.url(
                f"{self._origin}/careersection/rest/jobboard/searchjobs?lang=en&portal={portal}"
            ),
            method="POST",
            json={**_SEARCH_BODY, "pageNo": number},
            headers=headers,
            meta={"page": number, "portal": portal, "csrf": csrf},
        )

    def _tbe(self, offset: int) -> Request:
        host, instance, org, cws = self.board.split("/")
        public = (
            f"https://{host}/{instance}/ats/careers/v2/searchResults"
            f"?org={quote(org)}&cws={quote(cws)}"
        )
        if offset:
            public += f"&next&rowFrom={offset}&act=null&sortColumn=null&sortOrder=null"
        return Request(self.url(public), headers=HTML_ACCEPT, meta={"offset": offset})

    # --- lists ------------------------------------------------------------------------

    def split(
        self, request: Request, response: Response
    ) -> tuple[list[dict[str, Any]], Request | None]:
        if self._business:
            return self._tbe_rows(request, response)
        if request.meta.get("preamble"):
            text = page_text(response)
            portal = _PORTAL.search(text)
            if not portal:
                raise SourceError(
                    "no portal number on the career section's search page (is it a Taleo "
                    "career section?)",
                    kind="parse",
                )
            name, value = _CSRF_NAME.search(text), _CSRF_VALUE.search(text)
            csrf = (name.group(1), value.group(1)) if name and value else None
            return [], self._search(1, portal.group(1) or portal.group(2), csrf)
        payload = expect(load_json(response), dict, "the response")
        rows = items(payload, "requisitionList")
        paging = payload.get("pagingData")
        paging = paging if isinstance(paging, dict) else {}
        number = _int(paging.get("currentPageNo")) or int(request.meta.get("page") or 1)
        total, size = _int(paging.get("totalCount")), _int(paging.get("pageSize"))
        more = bool(rows) and (number * size < total if total is not None and size else True)
        meta = request.meta
        following = self._search(number + 1, meta["portal"], meta.get("csrf")) if more else None
        return rows, following

    def _tbe_rows(
        self, request: Request, response: Response
    ) -> tuple[list[dict[str, Any]], Request | None]:
        tree = LexborHTMLParser(page_text(response))
        rows: list[dict[str, Any]] = []
        for block in tree.css(".oracletaleocwsv2-accordion-head-info"):
            link = block.css_first(".oracletaleocwsv2-head-title a[href], a.viewJobLink[href]")
            rid = _query(link.attributes.get("href"), "rid") if link is not None else None
            title = node_text(link)
            if not rid or not title:
                continue
            cells = [node_text(child) or "" for child in block.iter() if child.tag == "div"]
            rows.append({"rid": rid, "title": title, "cells": cells})
        offset = int(request.meta.get("offset") or 0)
        more = bool(rows) and (
            len(rows) >= _TBE_PAGE or tree.css_first("a.jscroll-next[href]") is not None
        )
        return rows, self._tbe(offset + len(rows)) if more else None

    def item_id(self, item: dict[str, Any]) -> str | None:
        if self._business:
            return clean(item.get("rid"))
        return clean(item.get("contestNo")) or clean(item.get("jobId"))

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        job_id = self.item_id(item)
        if not job_id:
            return None
        if self._business:
            return self._tbe_posting(job_id, item)
        cells = item.get("column")
        cells = cells if isinstance(cells, list) else []
        linked = _int(item.get("linkedColumn")) or 0
        title = clean(cells[linked]) if 0 <= linked < len(cells) else None
        if not title:
            return None
        located = item.get("locationsColumns")
        located = [i for i in located if isinstance(i, int)] if isinstance(located, list) else []
        places = [place for i in located if 0 <= i < len(cells) for place in _places(cells[i])]
        others = (cell for i, cell in enumerate(cells) if i != linked and i not in located)
        section = self.board.split("/", 1)[1]
        return Posting(
            id=job_id,
            title=title,
            url=f"{self._origin}/careersection/{section}/jobdetail.ftl?job={quote(job_id)}&lang=en",
            locations=unique(places),
            posted_at=next(filter(None, map(written_date, others)), None),
        )

    def _tbe_posting(self, rid: str, item: dict[str, Any]) -> Posting | None:
        title = clean(item.get("title"))
        if not title:
            return None
        host, instance, org, cws = self.board.split("/")
        cells = item.get("cells")
        place, kind, department = _tbe_cells(cells if isinstance(cells, list) else [])
        return Posting(
            id=rid,
            title=title,
            url=f"https://{host}/{instance}/ats/careers/v2/viewRequisition"
            f"?org={quote(org)}&cws={quote(cws)}&rid={quote(rid)}",
            locations=(place,) if place else (),
            department=department,
            employment=employment(kind),
        )

    # --- posting pages ----------------------------------------------------------------

    def detail_request(self, posting: Posting) -> Request | None:
        return Request(self.url(posting.url), headers=HTML_ACCEPT)

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        tree = LexborHTMLParser(page_text(response))
        described = first_job_posting(tree, posting.url)
        if described is not None and described.description_html:
            return replace(
                posting,
                locations=posting.locations or described.locations,
                employment=posting.employment or described.employment,
                posted_at=posting.posted_at or described.posted_at,
                compensation=posting.compensation or described.compensation,
                description_html=described.description_html,
            )
        description = _tbe_description(tree) if self._business else _history(tree)
        if not description:
            raise SourceError("no job description on the posting's page", kind="parse")
        return replace(posting, description_html=description)


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _query(href: str | None, name: str) -> str | None:
    values = parse_qs(urlsplit(href or "").query).get(name)
    return clean(values[0]) if values else None


def _places(cell: object) -> list[str]:
    """A locations cell: a JSON list in a string ('["US-Kansas-Wichita"]'), or plain text."""
    if not isinstance(cell, str):
        return []
    try:
        value = orjson.loads(cell)
    except orjson.JSONDecodeError:
        return [cell]
    values = value if isinstance(value, list) else [value]
    return [text for text in map(clean, values) if text]


def _tbe_cells(cells: list[Any]) -> tuple[str | None, str | None, str | None]:
    """(place, employment, department) of a TBE card's cells, told apart by content: an
    employment word, a place's shape; a lone cell is the place, what is left the
    department."""
    texts = [text for text in map(clean, cells) if text]
    if len(texts) == 1:
        return texts[0], None, None
    kind = next((t for t in texts if _EMPLOYMENT_WORDS.search(t)), None)
    rest = [t for t in texts if t != kind]
    place = next((t for t in rest if _PLACE_SHAPE.search(t)), rest[0] if rest else None)
    department = next((t for t in rest if t != place), None)
    return place, kind, department


def _history(tree: LexborHTMLParser) -> str | None:
    """The description of an Enterprise `jobdetail.ftl` page: its `initialHistory` field
    holds the page's data, URL-encoded and separated by `!*!`; the HTML parts are the
    description and the qualifications."""
    field = tree.css_first("#initialHistory, [name=initialHistory]")
    value = field.attributes.get("value") if field is not None else None
    if not value:
        return None
    parts = unquote(value).replace("\\:", ":").split("!*!")
    return "\n".join(part for part in parts if "<" in part) or None


def _tbe_description(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first('[name="cwsJobDescription"], .oracletaleocwsv2-job-description')
    return node.html if node is not None and node_text(node) else None
