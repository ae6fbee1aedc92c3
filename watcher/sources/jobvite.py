"""Jobvite career sites: `jobvite: acme` reads jobs.jobvite.com/acme.

The list is the site's search page, plain HTML: `GET /{slug}/search?p={page}` (p
counts from 0; not `/{slug}/jobs`, which groups postings by category and hides long
categories behind "Show More"). Two layouts are read: a table
(`table.jv-job-list tr`, the name and location in `td.jv-job-list-*` cells) and a
list (`ul.jv-job-list li`, `a.jv-job-list-name` and `.jv-job-list-location`).
Links are relative, `/acme/job/oXXXX`; the last part is the posting's id. A page
says "1-50 of 266" (`.jv-pagination-text`) and links the next one
(`a.jv-pagination-next`) on every page but the last; that link is followed as
Jobvite writes it.

The list has neither the description nor the places of a posting in several
("2 Locations"), so new postings read their own page, `/{slug}/job/{id}`, for its
JobPosting JSON-LD (and the `.jv-job-detail-description` block when that has none).

An unknown site is redirected to Jobvite's help page (`?invalid=1`), and a removed
posting to its site's list (`?error=404`): both read as "not found".
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from watcher.model import Page, Posting, Request, Response, SourceError
from watcher.sources.base import Source, first_by_id
from watcher.sources.jsonld import (
    absolute_url,
    completed_from_page,
    node_text,
    page_text,
    public_url,
)
from watcher.text import employment

ORIGIN = "https://jobs.jobvite.com"
_SLUG = r"[A-Za-z0-9][A-Za-z0-9_-]*"
# Paths on Jobvite's hosts that are not a company's site.
_RESERVED = frozenset(
    {"careers", "careersite", "careersites", "video-assets", "api", "static", "assets"}
    | {"search", "jobs", "job", "www", "admin", "companyjobs"}
)
_JOB_LINK = re.compile(rf"^(?:/careers)?/({_SLUG})/job/([A-Za-z0-9]+)/?$")
_RANGE = re.compile(r"(\d+)\s*[-–]\s*(\d+)\s+\D{1,12}\s+(\d+)")  # "1-50 of 266"
_COUNTED = re.compile(r"^\d+\s+locations?$", re.IGNORECASE)  # "2 Locations": no place
_ROWS = "table.jv-job-list tr, ul.jv-job-list > li"


class Jobvite(Source):
    key = "jobvite"
    label = "Jobvite"
    example = "acme"
    max_pages = 40
    url_patterns = (
        re.compile(
            rf"^jobs\.jobvite\.com/(?:careers/)?(?P<board>{_SLUG})"
            r"(?:/(?:jobs?|search)(?:[/?]|$)|/?$|/?\?)"
        ),
        re.compile(rf"^careers\.jobvite\.com/(?P<board>{_SLUG})(?:[/?]|$)"),
    )

    @classmethod
    def check_board(cls, board: Any) -> str:
        text = board.strip() if isinstance(board, str) else ""
        if not re.fullmatch(_SLUG, text) or text.lower() in _RESERVED:
            raise ValueError(
                f"{board!r} is not a Jobvite site: use the name in its address "
                "(acme for jobs.jobvite.com/acme)"
            )
        return text

    @classmethod
    def board_in_page(cls, page: Response) -> str | None:
        """The site of a page Jobvite serves on a company's own domain: one with
        Jobvite's markup whose links lead to `/{slug}/job/...` or `/{slug}/search`."""
        tree = LexborHTMLParser(page_text(page))
        if tree.css_first(".jv-page-body, .jv-job-list, .jv-wrapper") is None:
            return None
        for anchor in tree.css("a[href], form[action]"):
            url = absolute_url(
                page.url, anchor.attributes.get("href", anchor.attributes.get("action"))
            )
            path = urlsplit(url).path if url else ""
            found = _JOB_LINK.match(path) or re.match(rf"^/({_SLUG})/(?:search|jobs)/?$", path)
            if found and found.group(1).lower() not in _RESERVED:
                return found.group(1)
        return None

    @property
    def site(self) -> str:
        return f"{ORIGIN}/{self.board}"

    def first_request(self) -> Request:
        return self._search(f"{self.site}/search?p=0", 0)

    def _search(self, public: str, page: int) -> Request:
        return Request(
            self.url(public), headers={"Accept": "text/html"}, meta={"p": page, "url": public}
        )

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        _refuse_redirects_away(response, f"no Jobvite site named {self.board!r}")
        page_url = public_url(response.url, request.meta.get("url", self.site), self.api)
        tree = LexborHTMLParser(page_text(response))
        postings = first_by_id(self._posting(row, page_url) for row in tree.css(_ROWS))
        if not postings and tree.css_first("[class*='jv-']") is None:
            raise SourceError(
                "not a Jobvite job list (no Jobvite markup in the page)", kind="parse"
            )
        return Page(postings, self._next(tree, page_url, request))

    def _posting(self, row: LexborNode, page_url: str) -> Posting | None:
        for anchor in row.css("a[href]"):
            url = absolute_url(page_url, anchor.attributes.get("href"))
            found = _JOB_LINK.match(urlsplit(url).path) if url else None
            if found:
                break
        else:
            return None
        job_id = found.group(2)
        title = node_text(anchor)
        if not title:
            return None
        place = node_text(row.css_first(".jv-job-list-location"))
        return Posting(
            id=job_id,
            title=title,
            url=f"{self.site}/job/{job_id}",
            locations=(place,) if place and not _COUNTED.match(place) else (),
            employment=employment(node_text(row.css_first(".jv-job-list-type"))),
        )

    def _next(self, tree: LexborHTMLParser, page_url: str, request: Request) -> Request | None:
        current = int(request.meta.get("p", 0))
        link = tree.css_first("a.jv-pagination-next")
        stated = _RANGE.search(node_text(tree.css_first(".jv-pagination-text")) or "")
        if link is not None:
            more = "disabled" not in (link.attributes.get("class") or "")
        else:
            more = stated is not None and int(stated.group(2)) < int(stated.group(3))
        if not more:
            return None
        # Jobvite's own link, when it leads to this site's search; else the next `p`.
        target = absolute_url(page_url, link.attributes.get("href")) if link is not None else None
        if target:
            parts = urlsplit(target)
            asked = parse_qs(parts.query).get("p", [""])[0]
            on_site = parts.path.lower().startswith(f"/{self.board.lower()}/search")
            if on_site and asked.isdigit() and int(asked) > current:
                return self._search(f"{ORIGIN}{parts.path}?{parts.query}", int(asked))
        return self._search(f"{self.site}/search?p={current + 1}", current + 1)

    def detail_request(self, posting: Posting) -> Request | None:
        return Request(self.url(posting.url), headers={"Accept": "text/html"})

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        _refuse_redirects_away(response, "the posting is gone")
        tree = LexborHTMLParser(page_text(response))
        detailed = completed_from_page(posting, tree, posting.url)
        block = tree.css_first(".jv-job-detail-description")
        if detailed is None and block is None:
            raise SourceError("no JobPosting data or description on the Jobvite page", kind="parse")
        found = detailed or posting
        if block is not None and not found.description_html:
            return replace(found, description="", description_html=block.html)
        return found


def _refuse_redirects_away(response: Response, reason: str) -> None:
    """Jobvite answers an unknown site or a removed posting with a redirect elsewhere."""
    query = parse_qs(urlsplit(response.url).query)
    if query.get("invalid") == ["1"] or query.get("error") == ["404"]:
        raise SourceError(f"{reason} (Jobvite redirected away)", kind="not_found")
