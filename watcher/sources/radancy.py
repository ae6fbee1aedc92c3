"""Radancy TalentBrew career sites (formerly TMP Worldwide): `radancy: jobs.citi.com`.

Each site is on the company's own host (jobs.citi.com, www.capitalonecareers.com,
jobs.boeing.com), some under a locale path (`jobs.acme.com/en`: its links are
`/en/job/...`). A posting's link is `/job/{place}/{title}/{company number}/{job id}`;
a host that lists several companies' postings is narrowed to one by that number
(`jobs.acme.com/1234`, `jobs.acme.com/en/1234`): the search is asked for that company
(`OrganizationIds`, as public scrapers send the number of the links) and only links
with that number are kept. Links are recognised by their shape on any host (detection
drops `www.`: the search page's redirect gives it back, and its locale path); a bare
`/search-jobs` is not TalentBrew's alone, so a page is known by its markup instead.

The list is the site's own search, `GET /search-jobs/results?...&SearchType=5` with
`X-Requested-With: XMLHttpRequest`: JSON whose `results` is the HTML the search page
shows (a `section#search-results` stating `data-total-job-results`, `data-total-pages`,
`data-records-per-page`, and a card per posting with its link and `data-job-id`), beside
`hasJobs`. The search answers an empty `results` unless `SearchResultsModuleName` names
the site's own results module, which differs per site ("Search Results", "Section 6 -
Search Results List"...), so each read starts with the search page (`/search-jobs`, a
preamble) for that name. `SearchFiltersModuleName` is left empty: the filters' HTML, a
megabyte or more on large sites, is then not sent. `RecordsPerPage` is honoured up to
the search's window of 10,000 postings; 500 a page. A site that serves fewer a page
says so (`data-records-per-page`), and pages follow by the counts the section states
(the job count first: the count of all results takes content pages in, and some sites
count a posting once per place). The order is the search's own (relevance), as every
public scraper asks; large pages keep its shifts between pages small.

Cards differ per site: the title is a heading in or around the link (else an element
whose class names the title, else the link's text); place, date, category, brand and
job type are elements whose class names them (`job-location`, `job-date-posted`...),
their captions (`<b>Category:</b>`) and screen-reader copies left out. The id is the
link's job id (a card's `data-job-id` is another number on some sites).

The list has no description, so new postings read their own page for its JobPosting
JSON-LD (its `datePosted` written `2026-9-3` on some sites), else its description
block: at most `max_details` a check, the rest at later checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from watcher.model import Page, Posting, Request, Response, SourceError
from watcher.sources.base import HOST, Source, expect, first_by_id, host_name, load_json
from watcher.sources.jsonld import (
    absolute_url,
    completed_from_page,
    job_posting_objects,
    page_text,
    public_url,
)
from watcher.sources.markup import HTML_ACCEPT, field_kind, written_date
from watcher.text import clean, employment, one_line, parse_time

PAGE_SIZE = 500
WINDOW = 10_000  # the search serves nothing from this offset on
MODULE = "Search Results"  # the results module's name on most sites

_LOCALE = r"[a-z]{2}(?:-[a-z]{2,4})?"  # en, fr, en-gb, zh-hans
_JOB = rf"(?P<prefix>/{_LOCALE})?/(?:job|emploi)/[^/?#]+/[^/?#]+/\d{{1,9}}/\d{{5,20}}/?(?:[?#]|$)"
_SEARCH = rf"(?P<prefix>/{_LOCALE})?/search-jobs/(?:[^/?#]*/){{1,2}}\d{{1,9}}/\d{{1,3}}(?:[/?#]|$)"
_RESULTS = (
    rf"(?P<prefix>/{_LOCALE})?/search-jobs/results(?:post)?"
    r"\?(?:[^#]*&)?(?:ActiveFacetID|SearchResultsModuleName|RecordsPerPage|CurrentPage)="
)
# A board: host, up to two path segments (a locale), the company number.
_BOARD = re.compile(
    r"^(?P<host>[^/]+)(?P<prefix>(?:/[a-z][a-z0-9_-]*){0,2})(?:/(?P<org>\d{1,9}))?$"
)
_NOT_PREFIX = frozenset({"job", "jobs", "emploi", "search-jobs", "category", "location"})
# The last two segments of a posting link: company number, job id.
_JOB_ENDING = re.compile(r"/(\d{1,9})/(\d{4,20})/?$")
_SITE_PATH = re.compile(
    rf"^(/{_LOCALE})?/(?:search-jobs(?:/|$)|(?:job|emploi)/.+/\d+/\d+/?$)", re.IGNORECASE
)
_MARKUP = (
    "[data-company-site-id], [data-search-results-module-name], "
    "script[src*='tbcdn.talentbrew.com'], link[href*='tbcdn.talentbrew.com'], "
    "[data-cdnv*='tbcdn.talentbrew.com'], script[src*='cdn.radancy.eu'], "
    "link[href*='cdn.radancy.eu']"
)
_COUNTED = "[data-total-job-results], [data-total-results], [data-total-pages]"
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5"})
_ROWS = frozenset({"li", "tr"})
_CAPTIONS = frozenset({"b", "strong", "label"})
_UNREAD = frozenset({"script", "style", "template", "button", "svg", "-comment"})
_HIDDEN = frozenset({"sr-only", "wai", "visually-hidden", "always-hidden"})
# Class words naming a card's fields, most specific first.
_TITLE = ("job-title", "jobtitle", "title")
_PLACE = ("job-location", "job-address", "location", "address")
_DATE = ("job-date", "date-posted", "posted-date", "posting-date", "date")
_DEPARTMENT = ("job-categor", "job-department", "job-function", "category", "department")
_BRAND = ("job-brand", "job-entity")
_TYPE = ("job-type", "jobtype", "job-status", "jobstatus", "job-schedule")
_KNOWN_TYPES = frozenset({"full-time", "part-time", "contract", "temporary", "intern"})


class Radancy(Source):
    key = "radancy"
    label = "Radancy TalentBrew"
    example = "jobs.acme.com"
    max_pages = 1 + WINDOW // PAGE_SIZE  # the search page, then the window
    max_details: ClassVar[int] = 100  # posting pages read per check
    url_patterns = (
        re.compile(rf"^(?P<host>{HOST}){_JOB}", re.IGNORECASE),
        re.compile(rf"^(?P<host>{HOST}){_SEARCH}", re.IGNORECASE),
        re.compile(rf"^(?P<host>{HOST}){_RESULTS}", re.IGNORECASE),
    )

    def __init__(self, board: Any, api: str | None = None):
        super().__init__(board, api)
        found = _BOARD.match(self.board)
        assert found is not None  # check_board made it so
        self.host, self.prefix, self.org = found["host"], found["prefix"], found["org"]
        self._details_left = self.max_details

    @classmethod
    def check_board(cls, board: Any) -> str:
        text = board.strip().lower() if isinstance(board, str) else ""
        text = re.sub(r"^https?://", "", text).rstrip("/").removesuffix("/search-jobs")
        found = _BOARD.match(text)
        segments = found["prefix"].split("/")[1:] if found else []
        if not found or host_name(found["host"]) is None or _NOT_PREFIX.intersection(segments):
            raise ValueError(
                f"{board!r} is not a TalentBrew site: write its host ({cls.example}), with the "
                f"locale its links start with ({cls.example}/en), and the company number "
                f"before the job id of its links where a host lists several companies "
                f"({cls.example}/1234)"
            )
        return found.group(0)

    @classmethod
    def board_from(cls, match: re.Match[str]) -> str:
        return f"{match['host']}{match['prefix'] or ''}".lower()

    @classmethod
    def board_in_page(cls, page: Response) -> str | None:
        """The site a page is on: TalentBrew's markup (its assets, `data-company-site-id`,
        the search's results module), the host the page was read from, and the locale its
        own search form and links (else its address) start with."""
        tree = LexborHTMLParser(page_text(page))
        if tree.css_first(_MARKUP) is None:
            return None
        url = urlsplit(page.url)
        prefix = _site_prefix(tree, page.url)
        if prefix is None:
            if tree.css_first("[data-company-site-id], [data-search-results-module-name]") is None:
                return None  # TalentBrew's assets on a page that is not a TalentBrew site
            first = next(iter(filter(None, url.path.split("/"))), "")
            prefix = f"/{first}" if re.fullmatch(_LOCALE, first.lower()) else ""
        try:
            return cls.check_board(f"{url.hostname}{prefix}")
        except ValueError:
            return None

    # --- requests ---------------------------------------------------------------------

    @property
    def site(self) -> str:
        """The site's public address with its locale path: `https://jobs.acme.com/en`."""
        return f"https://{self.host}{self.prefix}"

    def first_request(self) -> Request:
        public = f"{self.site}/search-jobs"
        return Request(
            self.url(public), headers=HTML_ACCEPT, meta={"preamble": True, "url": public}
        )

    def _results(self, page: int, module: str, site: str) -> Request:
        query = urlencode(
            {
                "ActiveFacetID": "0",
                "CurrentPage": str(page),
                "RecordsPerPage": str(PAGE_SIZE),
                "Distance": "50",
                "RadiusUnitType": "0",
                "Keywords": "",
                "Location": "",
                "ShowRadius": "False",
                "IsPagination": "True" if page > 1 else "False",
                "CustomFacetName": "",
                "FacetTerm": "",
                "FacetType": "0",
                "SearchResultsModuleName": module,
                "SearchFiltersModuleName": "",
                "SortCriteria": "0",
                "SortDirection": "0",
                "SearchType": "5",
                "OrganizationIds": self.org or "",
                "PostalCode": "",
                "ResultsType": "0",
                "fc": "",
                "fl": "",
                "fcf": "",
                "afc": "",
                "afl": "",
                "afcf": "",
            }
        )
        public = f"{site}/search-jobs/results?{query}"
        return Request(
            self.url(public),
            headers={"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"},
            meta={"page": page, "module": module, "site": site, "url": public},
        )

    # --- lists ------------------------------------------------------------------------

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        if request.meta.get("preamble"):
            return self._search_page(request, response)
        payload = expect(load_json(response), dict, "the response")
        fragment = expect(payload.get("results", ""), str, "'results'")
        module = request.meta.get("module", MODULE)
        site = request.meta.get("site", self.site)
        tree = LexborHTMLParser(fragment)
        page_url = public_url(response.url, request.meta.get("url", request.url), self.api)
        links = list(_job_links(tree, page_url))
        counted = tree.css_first(_COUNTED) is not None
        if not counted and not links and payload.get("hasJobs") is not False:
            raise SourceError(
                f"TalentBrew's search answered no result list (is {module!r} the name of "
                "the site's results module?)",
                kind="parse",
            )
        ids = {anchor.mem_id: job_id for anchor, _, job_id, _ in links}
        postings = first_by_id(
            self._posting(anchor, url, job_id, ids)
            for anchor, url, job_id, org in links
            if not self.org or org in (None, self.org)
        )
        page = int(request.meta.get("page") or 1)
        more = bool(links) and _more(tree, page, len(links))
        following = self._results(page + 1, module, site)
        return Page(postings, following if more else None)

    def _search_page(self, request: Request, response: Response) -> Page:
        """The preamble: the name of the site's results module; and the address the search
        page was redirected to, if any (`www.` added, a locale path), for the search."""
        tree = LexborHTMLParser(page_text(response))
        module = _module_name(tree)
        if module is None and tree.css_first(_MARKUP) is None:
            raise SourceError(
                f"{self.host}{self.prefix}/search-jobs is not a TalentBrew search page "
                "(none of its markup)",
                kind="parse",
            )
        site = self.site
        public = request.meta.get("url", f"{self.site}/search-jobs")
        final = urlsplit(public_url(response.url, public, self.api))
        moved = re.fullmatch(rf"(/{_LOCALE})?/search-jobs/?", final.path, re.IGNORECASE)
        if moved and final.scheme in ("http", "https") and final.hostname:
            site = f"{final.scheme}://{final.netloc}{(moved.group(1) or '').lower()}"
        return Page([], self._results(1, module or MODULE, site))

    def _posting(
        self, anchor: LexborNode, url: str, job_id: str, ids: dict[int, str]
    ) -> Posting | None:
        row = _row(anchor, job_id, ids)
        title = _title(row, anchor)
        if not title:
            return None
        fields = _Fields(row, anchor)
        place = fields.value(_PLACE, {"location", "city", "state", "country"})
        kind = employment(fields.value(_TYPE, {"employment"}))
        return Posting(
            id=job_id,
            title=title,
            url=url,
            locations=(place,) if place else (),
            department=fields.value(_DEPARTMENT, {"department"}),
            team=fields.value(_BRAND, {"department"}),
            employment=kind if kind in _KNOWN_TYPES else None,
            posted_at=written_date(fields.value(_DATE, {"posted"})),
        )

    # --- posting pages ----------------------------------------------------------------

    def detail_request(self, posting: Posting) -> Request | None:
        if self._details_left <= 0:
            return None  # read at a later check
        self._details_left -= 1
        return Request(self.url(posting.url), headers=HTML_ACCEPT)

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        final = urlsplit(public_url(response.url, posting.url, self.api))
        if final.path != urlsplit(posting.url).path and not _JOB_ENDING.search(final.path):
            raise SourceError(
                f"the posting is gone (its page leads to {one_line(final.path, 80) or '/'})",
                kind="not_found",
            )
        tree = LexborHTMLParser(page_text(response))
        detailed = completed_from_page(posting, tree, posting.url)
        if detailed is not None:
            # the page's date before the list's, also where it is written "2026-9-3"
            stated = next(job_posting_objects(tree), {}).get("datePosted")
            if parse_time(stated) is None and (posted := written_date(stated)):
                detailed = replace(detailed, posted_at=posted)
            return detailed
        block = tree.css_first("[class*='ats-description']") or tree.css_first(".job-description")
        if block is None:
            raise SourceError(
                "no JobPosting data or description on the TalentBrew job page", kind="parse"
            )
        return replace(posting, description="", description_html=block.html)


# --- the search page ------------------------------------------------------------------


def _module_name(tree: LexborHTMLParser) -> str | None:
    """The results module's name, from the results section (a heading module may carry
    a name of its own)."""
    for selector in (
        "section#search-results[data-search-results-module-name]",
        "#search-results[data-search-results-module-name]",
        "[data-total-pages][data-search-results-module-name]",
        "[data-search-results-module-name]",
    ):
        node = tree.css_first(selector)
        name = clean(node.attributes.get("data-search-results-module-name")) if node else None
        if name:
            return name[:200]
    return None


def _site_prefix(tree: LexborHTMLParser, page_url: str) -> str | None:
    """The locale path the page's own search form and links on its host start with
    (`/en` of `/en/search-jobs`, "" for `/search-jobs`); None when none leads there."""
    host = urlsplit(page_url).hostname
    for selector in ("form[action]", "a[href]"):
        for node in tree.css(selector):
            link = absolute_url(
                page_url, node.attributes.get("action" if node.tag == "form" else "href")
            )
            parts = urlsplit(link or "")
            found = _SITE_PATH.match(parts.path) if parts.hostname == host else None
            if found:
                return (found.group(1) or "").lower()
    return None


# --- result cards ---------------------------------------------------------------------


def _job_links(
    tree: LexborHTMLParser, page_url: str
) -> Iterator[tuple[LexborNode, str, str, str | None]]:
    """(anchor, link, job id, company number) of each posting link of a results
    fragment: a link ending `/{number}/{job id}` under `/job/` or carrying
    `data-job-id`, else a `data-job-id` link of another shape."""
    for anchor in tree.css("a[href]"):
        url = absolute_url(page_url, anchor.attributes.get("href"))
        if not url:
            continue
        path = urlsplit(url).path
        stated = clean(anchor.attributes.get("data-job-id"))
        ending = _JOB_ENDING.search(path)
        if ending and (stated or re.search(r"/(?:job|emploi)/", path)):
            yield anchor, url, ending.group(2), ending.group(1)
        elif stated and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", stated):
            yield anchor, url, stated, None


def _row(anchor: LexborNode, job_id: str, ids: dict[int, str]) -> LexborNode:
    """The list item or table row holding a posting's card; the link alone when that
    holds other postings' links too."""
    node = anchor.parent
    while node is not None and node.tag not in _ROWS:
        node = node.parent
    if node is None:
        return anchor
    for other in node.css("a[href]"):
        if ids.get(other.mem_id, job_id) != job_id:
            return anchor
    return node


def _title(row: LexborNode, anchor: LexborNode) -> str | None:
    """A heading in the link, else one around it, else an element whose class names the
    title, else any heading of the card, else the link's text."""
    for candidates in (
        lambda: (n for n in anchor.traverse() if n.tag in _HEADINGS),
        lambda: (n for n in _ancestors(anchor, row) if n.tag in _HEADINGS),
        lambda: filter(None, [_Fields(row, anchor, around_link=True).node(_TITLE)]),
        lambda: (n for n in row.traverse() if n.tag in _HEADINGS),
        lambda: iter([anchor]),
    ):
        for node in candidates():
            text = _text(node)
            if text:
                return text
    return None


def _ancestors(node: LexborNode, row: LexborNode) -> Iterator[LexborNode]:
    """`node` and its ancestors up to `row` (included)."""
    current: LexborNode | None = node
    while current is not None:
        yield current
        if current.mem_id == row.mem_id:
            return
        current = current.parent


class _Fields:
    """A card's elements that have a class, to find its fields by class words."""

    def __init__(self, row: LexborNode, anchor: LexborNode, *, around_link: bool = False):
        # Elements holding the link hold the title too: not a field, except for the title.
        holding = set() if around_link else {n.mem_id for n in _ancestors(anchor, row)}
        self.classed = [
            (node, (node.attributes.get("class") or "").lower().split())
            for node in row.traverse()
            if node.attributes.get("class") and node.mem_id not in holding
        ]

    def node(self, words: tuple[str, ...]) -> LexborNode | None:
        """The first element with text whose class holds one of `words` (each word tried
        over the whole card before the next; `date` as a class of its own)."""
        for word in words:
            for node, tokens in self.classed:
                if any(_names(token, word) for token in tokens) and _text(node):
                    return node
        return None

    def value(self, words: tuple[str, ...], kinds: set[str]) -> str | None:
        """The text of the field `words` name, without a caption of one of `kinds`
        written in it ("Location: Austin, TX")."""
        node = self.node(words)
        text = _text(node) if node is not None else None
        if text is None:
            return None
        label, colon, rest = text.partition(":")
        if colon and rest.strip() and field_kind(label) in kinds:
            return rest.strip(" |-–—") or None
        return text


def _names(token: str, word: str) -> bool:
    """Whether a class names a field: holds the word (`date` only as a class of its own,
    not in `update`)."""
    return token == word if word == "date" else word in token


def _text(node: LexborNode) -> str | None:
    """An element's text, whitespace collapsed, without screen-reader copies, icons and
    buttons, and without its caption (`<b>Category:</b>`, `<span class="heading">`)
    when it has more text than that."""
    for captions in (False, True):
        words: list[str] = []
        stack = [node]
        while stack:
            current = stack.pop()
            if current.tag == "-text":
                words.append(current.text_content or "")
                continue
            if current is not node:
                tokens = set((current.attributes.get("class") or "").lower().split())
                if current.tag in _UNREAD or tokens & _HIDDEN:
                    continue
                if not captions and (current.tag in _CAPTIONS or "heading" in tokens):
                    continue
            stack.extend(reversed(list(current.iter(include_text=True))))
        text = " ".join(" ".join(words).split()).strip(" |:-–—•")
        if text:
            return text
    return None


def _more(tree: LexborHTMLParser, page: int, listed: int) -> bool:
    """Whether a page follows page `page`, by the counts the results fragment states
    (the job count before the count of all results, which takes in content pages; some
    sites state them on another element than the results section), else by a full page."""
    size = _stated(tree, "data-records-per-page")
    size = size if size and size <= PAGE_SIZE else PAGE_SIZE
    total = _stated(tree, "data-total-job-results")
    total = total if total is not None else _stated(tree, "data-total-results")
    if total is not None:
        return page * size < total
    pages = _stated(tree, "data-total-pages")
    if pages is not None:
        return page < pages
    return listed >= size


def _stated(tree: LexborHTMLParser, attribute: str) -> int | None:
    """The number the first element with `attribute` gives it."""
    node = tree.css_first(f"[{attribute}]")
    text = clean(node.attributes.get(attribute)) if node is not None else None
    return int(text) if text and text.isdigit() and len(text) < 10 else None
