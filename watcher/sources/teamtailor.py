"""Teamtailor career sites: the public RSS feed `{sub}.teamtailor.com/jobs.rss`.

RSS 2.0 with Teamtailor's `tt:` namespace for locations, department and role, and
a plain `<remoteStatus>`. The board id is the subdomain, with its region when it
has one (`acme`, `acme.na` for acme.na.teamtailor.com). Career sites on a
company's own domain run the same feed but cannot be told from their URL.

Paging is not documented: the feed answers 100 items by default, and has been
seen to honour a larger `per_page` and an `offset`. So a large page is asked for,
and a page of 100 or more is followed by the next `offset`; a server that ignores
`offset` repeats the same ids, which ends the read.

The JSON Feed at `jobs.json` (schema.org JobPosting under `_jobposting`, and no
department or remote status) is read too when that is what the server answers.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime
from typing import Any

from watcher.model import Page, Posting, Request, Response, SourceError
from watcher.sources.base import Source, expect, items, load_json
from watcher.sources.feed import child_text, load_xml, rss_item
from watcher.sources.jsonld import job_posting
from watcher.text import clean, join_place, parse_time, unique

_TT = "{https://teamtailor.com/locations}"
_PER_PAGE = 500
_DEFAULT_PAGE = 100
# Teamtailor's own hosts that are not career sites.
_RESERVED = "www|app|api|support|partner|partners|docs|help|status|integrations|developer|cdn"
_BOARD = re.compile(rf"(?!(?:{_RESERVED})(?:\.|$))[a-z0-9][a-z0-9-]*(?:\.[a-z]{{2}})?")
_JOB_ID = re.compile(r"/jobs/(\d+)(?:-|/|$)")
_REMOTE = {"fully": "remote", "hybrid": "hybrid", "onsite": "onsite"}  # "temporary", "none": unsaid


class Teamtailor(Source):
    key = "teamtailor"
    label = "Teamtailor"
    example = "acme"
    answers_unknown = True
    max_pages = 20
    url_patterns = (re.compile(rf"^(?P<board>{_BOARD.pattern})\.teamtailor\.com(?:[/?]|$)"),)

    @classmethod
    def check_board(cls, board: Any) -> str:
        name = super().check_board(board).lower()
        if not _BOARD.fullmatch(name):
            raise ValueError(
                f"{board!r} is not a Teamtailor site: use the subdomain (acme for "
                "acme.teamtailor.com, acme.na for acme.na.teamtailor.com)"
            )
        return name

    @property
    def site(self) -> str:
        return f"https://{self.board}.teamtailor.com"

    def first_request(self) -> Request:
        return self._page(0)

    def _page(self, offset: int) -> Request:
        query = f"per_page={_PER_PAGE}" + (f"&offset={offset}" if offset else "")
        return Request(self.url(f"{self.site}/jobs.rss?{query}"), meta={"offset": offset})

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        if response.body.lstrip()[:1] == b"{":
            return self._json_feed(response)
        root = load_xml(response)
        channel = root.find("channel") if root.tag == "rss" else None
        if channel is None:
            raise SourceError(f"not an RSS feed (root element <{root.tag}>)", kind="parse")
        entries = channel.findall("item")
        postings = [p for p in map(self._item, entries) if p]
        if len(entries) < _DEFAULT_PAGE:
            return Page(postings)
        return Page(postings, self._page(request.meta.get("offset", 0) + len(entries)))

    def _item(self, item: ET.Element) -> Posting | None:
        posting = rss_item(item, f"{self.site}/jobs")
        if posting is None:
            return None
        places = [
            join_place(child_text(loc, f"{_TT}city"), child_text(loc, f"{_TT}country"))
            or child_text(loc, f"{_TT}name")
            for loc in item.iterfind(f"{_TT}locations/{_TT}location")
        ]
        return replace(
            posting,
            id=_job_id(posting.url) or posting.id,
            locations=unique(places),
            department=child_text(item, f"{_TT}department") or posting.department,
            team=child_text(item, f"{_TT}role"),
            workplace=_REMOTE.get((child_text(item, "remoteStatus") or "").lower()),
        )

    def _json_feed(self, response: Response) -> Page:
        feed = expect(load_json(response), dict, "the response")
        postings = [p for p in map(self._json_item, items(feed, "items")) if p]
        following = clean(feed.get("next_url"))
        return Page(postings, Request(self.url(following)) if following else None)

    def _json_item(self, item: Any) -> Posting | None:
        schema = item.get("_jobposting")
        schema = schema if isinstance(schema, dict) else {}
        merged = {**schema, "title": item.get("title") or schema.get("title")}
        merged["url"] = item.get("url") or schema.get("url")
        merged["identifier"] = schema.get("identifier") or item.get("id")
        posting = job_posting(merged, f"{self.site}/jobs")
        if posting is None:
            return None
        content = item.get("content_html")
        return replace(
            posting,
            id=_job_id(posting.url) or posting.id,
            posted_at=parse_time(item.get("date_published")) or posting.posted_at,
            description_html=content if isinstance(content, str) else posting.description_html,
        )


def _job_id(url: str) -> str | None:
    found = _JOB_ID.search(url)
    return found.group(1) if found else None
