"""Avature career portals: `avature: careers.acme.com/careers`, the portal's host and path.

Portals live on `*.avature.net` or on the company's own domain, often under a locale
(`jobs.acme.com/en_US/careers`). There is no list API: the list is the portal's
server-rendered search, `GET /{portal}/SearchJobs/?jobOffset={n}`, one block per posting
(`article.article--result` on most templates, `li.list__item` or table rows on others)
linking to `/{portal}/JobDetail/{slug}/{id}` (`/JobDetail?jobId={id}` on older ones).
The tenant fixes the page size (6 to 25) whatever is asked, and some portals page by
another parameter (`folderOffset`), so the page's own `paginationNextLink` is followed;
without one, the offset moves on by the rows shown while the legend ("1-20 of 720
results") says more remain.

The list has the title and at most a place and a date, so new postings read their
detail page: label/value fields in `article--details` blocks (`.fieldSet` on older
templates), the unlabelled ones (and long labelled ones) making the description, and
the page's JSON-LD where it has one.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from watcher.model import Compensation, Page, Posting, Request, Response, SourceError
from watcher.sources.base import HOST, HOST_LABEL, Source, first_by_id
from watcher.sources.jsonld import (
    absolute_url,
    first_job_posting,
    node_text,
    page_text,
    public_url,
)
from watcher.sources.markup import (
    HTML_ACCEPT,
    board_in_links,
    field_kind,
    field_place,
    range_legend,
    written_date,
)
from watcher.text import clean, employment, workplace

_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_LOCALE = r"[a-z]{2}_[A-Z]{2}"
_BOARD = re.compile(rf"^({HOST})/({_SEGMENT}(?:/{_SEGMENT}){{0,3}})/?$", re.IGNORECASE)
_NOT_PORTAL = re.compile(rf"(?:^|/)(?:SearchJobs|JobDetail)(?:/|$)|^{_LOCALE}$")
# Result blocks of the templates seen; any other block holding a JobDetail link is missed.
_BLOCKS = "article.article--result, li.list__item, tr"
_TITLE_LINKS = (
    ".article__header__text__title a[href], .list__item__text__title a[href], "
    "h2 a[href], h3 a[href], h4 a[href]"
)
_HEADINGS = ".article__header__text__title, .list__item__text__title, h2, h3, h4"
_FIELDS = ".article__content__view__field, .fieldSet"
_FIELD_LABEL = ".article__content__view__field__label, .fieldSetLabel"
_FIELD_VALUE = ".article__content__view__field__value, .fieldSetValue"
_BLOCK_TAGS = re.compile(r"<(?:p|ul|ol|li|br|h\d|table)\b", re.IGNORECASE)
_COUNTED = re.compile(r"^\d+\s+(?:possible\s+)?locations?$", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SHORT = 200  # a labelled value longer than this is description, not a field


class Avature(Source):
    key = "avature"
    label = "Avature"
    example = "careers.acme.com/careers"
    url_patterns = (
        re.compile(
            rf"^(?P<host>{HOST})/(?P<portal>{_SEGMENT}(?:/{_SEGMENT}){{0,3}}?)"
            r"/(?:SearchJobs(?:[/?]|$)|JobDetail(?:/|\?jobId=))"
        ),
        re.compile(
            rf"^(?P<host>{HOST_LABEL}\.avature\.net)"
            rf"/(?P<portal>(?:{_LOCALE}/)?(?!SearchJobs\b|JobDetail\b){_SEGMENT})(?:[/?]|$)"
        ),
    )

    @classmethod
    def check_board(cls, board: Any) -> str:
        text = board.strip() if isinstance(board, str) else ""
        match = _BOARD.match(text)
        if not match or _NOT_PORTAL.search(match.group(2)):
            raise ValueError(
                f"{board!r} is not an Avature portal: write it as host/portal, as in "
                f"{cls.example} for https://careers.acme.com/careers/SearchJobs"
            )
        return f"{match.group(1).lower()}/{match.group(2)}"

    @classmethod
    def board_from(cls, match: re.Match[str]) -> str:
        return f"{match['host']}/{match['portal']}"

    @classmethod
    def board_in_page(cls, page: Response) -> str | None:
        return board_in_links(cls, page, "a[href], form[action], link[href], iframe[src]")

    @property
    def _host(self) -> str:
        return self.board.split("/", 1)[0]

    def first_request(self) -> Request:
        return self._list(0)

    def _list(self, offset: int, url: str | None = None) -> Request:
        public = url or f"https://{self.board}/SearchJobs/?jobOffset={offset}"
        return Request(
            self.url(public), headers=HTML_ACCEPT, meta={"url": public, "offset": offset}
        )

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        page = public_url(response.url, request.meta.get("url", request.url), self.api)
        tree = LexborHTMLParser(page_text(response))
        postings = first_by_id(self._row(block, page) for block in tree.css(_BLOCKS))
        if not postings:
            return Page([])
        offset = int(request.meta.get("offset") or 0) + len(postings)
        return Page(postings, self._next(tree, page, offset))

    def _row(self, block: LexborNode, page: str) -> Posting | None:
        links: dict[str, str | None] = {}  # JobDetail link: its first text
        for anchor in block.css("a[href]"):
            url = absolute_url(page, anchor.attributes.get("href"))
            if url and _job_id(url) and not links.get(url):
                links[url] = node_text(anchor)
        if not links:
            return None
        # The title is the heading's link; else a heading without link (the link being an
        # "Apply" button); else a link's text (table rows).
        heading = next(
            (
                (url, text)
                for anchor in block.css(_TITLE_LINKS)
                if (url := absolute_url(page, anchor.attributes.get("href"))) in links
                and (text := node_text(anchor))
            ),
            None,
        )
        title: str | None
        if heading:
            url, title = heading
        else:
            url = next(iter(links))
            title = node_text(block.css_first(_HEADINGS)) or next(
                filter(None, links.values()), None
            )
        job_id = _job_id(url)
        if not title or not job_id:
            return None
        fields = _list_fields(block)
        place = field_place(fields)
        return Posting(
            id=job_id,
            title=title,
            url=url,
            locations=(place,) if place and not _COUNTED.match(place) else (),
            department=fields.get("department"),
            employment=employment(fields.get("employment")),
            workplace=workplace(fields.get("workplace")),
            posted_at=written_date(fields.get("posted")),
        )

    def _next(self, tree: LexborHTMLParser, page: str, offset: int) -> Request | None:
        link = tree.css_first("a.paginationNextLink[href]")
        if link is not None:
            url = absolute_url(page, link.attributes.get("href"))
            if url and url != page and _site(url) == _site(f"https://{self._host}"):
                return self._list(offset, url)
            return None
        legend = tree.css_first(".list-controls__text__legend, .pagination__legend")
        if legend is None:
            return None
        shown = range_legend(node_text(legend)) or range_legend(legend.attributes.get("aria-label"))
        if shown is None:
            return None
        _, last, total = shown
        return self._list(last) if total is None or last < total else None

    def detail_request(self, posting: Posting) -> Request | None:
        return Request(self.url(posting.url), headers=HTML_ACCEPT, meta={"url": posting.url})

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        page = public_url(response.url, posting.url, self.api)
        tree = LexborHTMLParser(page_text(response))
        described = first_job_posting(tree, page)
        fields, parts = _detail_fields(tree)
        if described is None and not fields and not parts:
            raise SourceError("no Avature job details on the posting's page", kind="parse")
        ld = described or Posting(id="", title="", url="")
        place = field_place(fields)
        pay = fields.get("pay")
        return replace(
            posting,
            locations=(place,) if place else ld.locations or posting.locations,
            department=fields.get("department") or posting.department,
            employment=employment(fields.get("employment")) or ld.employment or posting.employment,
            workplace=workplace(fields.get("workplace")) or ld.workplace or posting.workplace,
            posted_at=posting.posted_at or written_date(fields.get("posted")) or ld.posted_at,
            compensation=ld.compensation
            or (Compensation(text=pay) if pay else posting.compensation),
            description_html="\n".join(parts) or ld.description_html or posting.description_html,
        )


def _site(url: str) -> str:
    """A URL's host without `www.`: a board read from `acme.com` is served from `www.acme.com`."""
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _job_id(url: str) -> str | None:
    """The posting id of a JobDetail link: its last path segment, or its `jobId`."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if "/JobDetail" not in path:
        return None
    if path.endswith("/JobDetail"):
        return clean(parse_qs(parts.query).get("jobId", [None])[0])
    return clean(path.split("/JobDetail/", 1)[-1].rsplit("/", 1)[-1])


def _list_fields(block: LexborNode) -> dict[str, str]:
    """A result block's `list-item-{name}` spans (location, jobCity, posted...) by kind."""
    fields: dict[str, str] = {}
    for node in block.css('[class*="list-item-"]'):
        text = node_text(node)
        for name in (node.attributes.get("class") or "").split():
            kind = field_kind(_CAMEL.sub(" ", name.removeprefix("list-item-")))
            if name.startswith("list-item-") and kind and text:
                fields.setdefault(kind, text)
    return fields


def _detail_fields(tree: LexborHTMLParser) -> tuple[dict[str, str], list[str]]:
    """The detail page's short labelled fields by kind, and its description parts: the
    unlabelled values and the long ones, each under its label."""
    fields: dict[str, str] = {}
    parts: list[str] = []
    for field in tree.css(_FIELDS):
        value = field.css_first(_FIELD_VALUE)
        text = node_text(value)
        if value is None or not text:
            continue
        label = node_text(field.css_first(_FIELD_LABEL))
        markup = value.html or ""
        if label and len(text) <= _SHORT and not _BLOCK_TAGS.search(markup):
            kind = field_kind(label)
            if kind:
                fields.setdefault(kind, text)
            continue
        heading = f"<h4>{html.escape(label)}</h4>" if label else ""
        parts.append(heading + markup)
    return fields, parts
