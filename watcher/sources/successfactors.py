"""SAP SuccessFactors career sites (Recruiting Marketing, "RMK"): `successfactors: jobs.acme.com`.

RMK sites live on companies' own domains (or `*.jobs2web.com`). A board is read in one
of three ways, by the form of its id:

- `jobs.acme.com`: the site's search, `GET /search/?q=&startrow={n}`: `table#searchresults
  tr.data-row` rows (`li.job-tile` on tile layouts), 25 a page on most sites, paged by
  the `.paginationLabel` legend ("Results 1 – 25 of 300"). Sites on the newer "unified"
  search serve that page as an empty shell: its markup names the search script, and
  the list then comes from `POST /services/recruiting/v1/jobs` (JSON, 10 a page), so
  the first page is read as a preamble that may lead there. The list has no
  description, so new postings read their page, `/job/{slug}/{id}/` (its JSON-LD, else
  its `itemprop="description"`).
- `jobs.acme.com/feeds/...` or `jobs.acme.com/services/rss/job/?...`: a job RSS feed of
  the site, one request; an item's title ends with its place in parentheses ("Principal
  Scientist (Richardson, TX, US, 75080)"), its description is the posting's.
- `career5.successfactors.eu/acme` (the data centre's host and the company id of the
  older `career?company=acme` pages): that site's XML listing,
  `career?company=acme&career_ns=job_listing_summary&resultType=XML`, descriptions included.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from watcher.model import Page, Posting, Request, Response, SourceError
from watcher.sources.base import HOST, HOST_LABEL, Source, expect, first_by_id, items, load_json
from watcher.sources.feed import child_text, load_xml, rss_item
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
from watcher.text import clean, employment, unique

_LEGACY_HOST = r"career\d*\.(?:successfactors|sapsf)\.(?:com|eu)"
_LEGACY = re.compile(rf"^({_LEGACY_HOST})/([A-Za-z0-9][A-Za-z0-9_.-]*)$", re.IGNORECASE)
_SITE = re.compile(rf"^({HOST})(/(?:feeds|services/rss)/\S*)?$", re.IGNORECASE)
_JOB_PATH = re.compile(r"/job/[^/]+/(\d+)(?:-[a-z]{2}_[A-Z]{2})?/?$")
_UNIFIED = re.compile(r"searchResultsUnify|rmk-jobs-search|services/recruiting/v1/jobs")
# Markup of an RMK page itself (assets, its script); links to another RMK site are not.
_RMK = re.compile(r"rmkcdn\.successfactors\.com|/platform/js/j2w/|j2w\.init|rmk-jobs-search")
_LOCALE = re.compile(
    r"""["']?locale["']?\s*[:=]\s*["']([a-z]{2}_[A-Z]{2})["']|[?&]locale=([a-z]{2}_[A-Z]{2})"""
)
_TILE_FIELD = re.compile(r"-desktop-section-([A-Za-z]+)-value$")
_WORDS = re.compile(r"\w")
_JSON = {"Accept": "application/json"}
_XML = {"Accept": "application/rss+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"}
_UNIFIED_BODY: dict[str, Any] = {
    "sortBy": "",
    "keywords": "",
    "location": "",
    "facetFilters": {},
    "brand": "",
    "skills": [],
    "categoryId": 0,
    "alertId": "",
    "rcmCandidateId": "",
}


class SuccessFactors(Source):
    key = "successfactors"
    label = "SAP SuccessFactors"
    example = "jobs.acme.com"
    max_pages = 200  # unified search pages are 10 postings
    url_patterns: ClassVar[tuple[re.Pattern[str], ...]] = (
        re.compile(rf"^(?P<host>{_LEGACY_HOST})/(?:career|sfcareer/\w+)\?(?P<query>.+)$"),
        re.compile(rf"^(?P<host>{HOST_LABEL}\.jobs2web\.com)(?:[/?]|$)"),
        re.compile(rf"^(?P<host>{HOST_LABEL}\.jobs\.hr\.cloud\.sap)(?:[/?]|$)"),
        re.compile(rf"^(?P<host>{HOST})/services/rss/job/?(?:\?|$)"),
    )

    @classmethod
    def check_board(cls, board: Any) -> str:
        text = board.strip() if isinstance(board, str) else ""
        if legacy := _LEGACY.match(text):
            return f"{legacy.group(1).lower()}/{legacy.group(2)}"
        site = _SITE.match(text)
        if site and not re.match(rf"^{_LEGACY_HOST}$", site.group(1), re.IGNORECASE):
            return site.group(1).lower() + (site.group(2) or "")
        raise ValueError(
            f"{board!r} is not a SuccessFactors board: write the career site's host "
            f"({cls.example}), its feed (jobs.acme.com/services/rss/job/?locale=en_US), or "
            "career5.successfactors.eu/acme for career5.successfactors.eu/career?company=acme"
        )

    @classmethod
    def board_from(cls, match: re.Match[str]) -> str:
        query = match.groupdict().get("query")
        if query is None:
            return match["host"]
        company = parse_qs(query).get("company")
        if not company:
            raise ValueError("no company in the link")
        return f"{match['host']}/{company[0]}"

    @classmethod
    def board_in_page(cls, page: Response) -> str | None:
        text = page_text(page)
        tree = LexborHTMLParser(text)
        if _RMK.search(text) or tree.css_first("table#searchresults tr.data-row"):
            try:
                return cls.check_board(urlsplit(page.url).hostname or "")
            except ValueError:
                return None
        found = board_in_links(cls, page, "a[href], iframe[src]")
        return str(found) if found else None

    # --- the requests ---------------------------------------------------------------

    @property
    def _kind(self) -> str:
        if _LEGACY.match(self.board):
            return "legacy"
        return "feed" if "/" in self.board else "search"

    @property
    def _origin(self) -> str:
        return "https://" + self.board.split("/", 1)[0]

    def first_request(self) -> Request:
        kind = self._kind
        if kind == "legacy":
            host, company = self.board.split("/", 1)
            public = (
                f"https://{host}/career?company={quote(company)}"
                "&career_ns=job_listing_summary&resultType=XML"
            )
            return Request(self.url(public), headers=_XML, meta={"kind": kind, "url": public})
        if kind == "feed":
            public = f"https://{self.board}"
            return Request(self.url(public), headers=_XML, meta={"kind": kind, "url": public})
        # The first search page may be the unified search's empty shell: a preamble
        # whose postings count as usual, and which may lead to the search API instead.
        return self._search(0, preamble=True)

    def _search(self, startrow: int, *, preamble: bool = False) -> Request:
        public = f"{self._origin}/search/?q=&startrow={startrow}"
        meta = {"kind": "search", "url": public, "startrow": startrow, "preamble": preamble}
        return Request(self.url(public), headers=HTML_ACCEPT, meta=meta)

    def _unified(self, number: int, locale: str, size: int | None = None) -> Request:
        return Request(
            self.url(f"{self._origin}/services/recruiting/v1/jobs"),
            method="POST",
            json={"locale": locale, "pageNumber": number, **_UNIFIED_BODY},
            headers=_JSON,
            meta={"kind": "unified", "page": number, "locale": locale, "size": size},
        )

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        kind = request.meta.get("kind")
        if kind == "legacy":
            return Page(self._legacy(response))
        if kind == "feed":
            return Page(self._feed(request, response))
        if kind == "unified":
            return self._unified_page(request, response)
        return self._search_page(request, response)

    # --- the classic search -------------------------------------------------------------

    def _search_page(self, request: Request, response: Response) -> Page:
        page = public_url(response.url, request.meta.get("url", request.url), self.api)
        text = page_text(response)
        tree = LexborHTMLParser(text)
        if tree.css_first("#noresults"):  # no hits: the rows are "recent jobs" instead
            return Page([])
        rows = tree.css("tr.data-row") or tree.css("li.job-tile")
        postings = first_by_id(_row(row, page) for row in rows)
        if not postings:
            if request.meta.get("preamble") and _UNIFIED.search(text):
                return Page([], self._unified(0, _locale(text)))
            return Page([])
        startrow = int(request.meta.get("startrow") or 0)
        label = tree.css_first(".paginationLabel, #tile-search-results-label")
        shown = range_legend(node_text(label))
        if shown is None:  # no legend: on to the next rows until a page adds nothing
            following: int | None = startrow + len(rows)
        else:
            _, last, total = shown
            following = last if total is None or last < total else None
        return Page(postings, self._search(following) if following else None)

    # --- the unified search API -----------------------------------------------------

    def _unified_page(self, request: Request, response: Response) -> Page:
        payload = expect(load_json(response), dict, "the response")
        rows = [row.get("response", row) for row in items(payload, "jobSearchResult")]
        locale = str(request.meta.get("locale") or "en_US")
        postings = [p for p in (self._unified_posting(row, locale) for row in rows) if p]
        number = int(request.meta.get("page") or 0)
        size = request.meta.get("size") or len(rows)
        total = payload.get("totalJobs")
        more = bool(rows) and (
            (number + 1) * size < total if isinstance(total, int) else len(rows) >= size
        )
        return Page(postings, self._unified(number + 1, locale, size) if more else None)

    def _unified_posting(self, row: Any, locale: str) -> Posting | None:
        if not isinstance(row, dict):
            return None
        job_id = clean(row.get("id"))
        title = clean(row.get("unifiedStandardTitle")) or clean(row.get("title"))
        if not job_id or not title or not job_id.isdigit():
            return None
        slug = quote(clean(row.get("unifiedUrlTitle")) or clean(row.get("urlTitle")) or "job")
        # Ids of the classic site keep its link; the unified site's own ids take a locale.
        tail = f"{job_id}/" if len(job_id) >= 7 else f"{job_id}-{locale}/"
        places = row.get("jobLocationShort")
        places = places if isinstance(places, list) else [places]
        return Posting(
            id=job_id,
            title=title,
            url=f"{self._origin}/job/{slug}/{tail}",
            locations=unique(_tidy_place(p) for p in places),
            posted_at=written_date(row.get("unifiedStandardStart")),
        )

    # --- feeds ------------------------------------------------------------------------

    def _feed(self, request: Request, response: Response) -> list[Posting]:
        root = load_xml(response)
        if root.tag != "rss":
            said = clean(" ".join(root.itertext()))
            raise SourceError(f"not an RSS feed: {said or root.tag}"[:200], kind="parse")
        channel = root.find("channel")
        if channel is None:
            raise SourceError("RSS feed without a <channel>", kind="parse")
        base = public_url(response.url, request.meta.get("url", request.url), self.api)
        postings = []
        for item in channel.iterfind("item"):
            posting = rss_item(item, base)
            link = urlsplit(posting.url) if posting else None
            found = _JOB_PATH.search(link.path) if link else None
            if posting is None or link is None or found is None:
                continue
            title, place = _title_and_place(posting.title)
            described = posting.description_html
            postings.append(
                replace(
                    posting,
                    id=found.group(1),
                    title=title,
                    url=urlunsplit((link.scheme, link.netloc, link.path, "", "")),
                    locations=(place,) if place else (),
                    description_html=described if described and _WORDS.search(described) else None,
                )
            )
        return postings

    def _legacy(self, response: Response) -> list[Posting]:
        root = load_xml(response)
        if root.tag != "Job-Listing":
            raise SourceError(f"not a SuccessFactors job listing (<{root.tag}>)", kind="parse")
        host, company = self.board.split("/", 1)
        postings = []
        for job in root.iter("Job"):
            req_id = child_text(job, "ReqId")
            title = child_text(job, "JobTitle")
            if not req_id or not title:
                continue
            facets: dict[str, str] = {}
            for facet in job:
                kind = field_kind(child_text(facet, "label"))
                value = child_text(facet, "value")
                if facet.tag.startswith(("filter", "mfield")) and kind and value:
                    facets.setdefault(kind, value)
            place = field_place(facets)
            postings.append(
                Posting(
                    id=req_id,
                    title=title,
                    url=f"https://{host}/career?career_ns=job_listing&company={quote(company)}"
                    f"&navBarLevel=JOB_SEARCH&career_job_req_id={quote(req_id)}",
                    locations=(place,) if place else (),
                    department=facets.get("department"),
                    employment=employment(facets.get("employment")),
                    posted_at=written_date(child_text(job, "Posted-Date")),
                    description_html=child_text(job, "Job-Description"),
                )
            )
        return postings

    # --- posting pages ----------------------------------------------------------------

    def detail_request(self, posting: Posting) -> Request | None:
        if posting.description_html or not _JOB_PATH.search(urlsplit(posting.url).path):
            return None
        return Request(self.url(posting.url), headers=HTML_ACCEPT)

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        page = public_url(response.url, posting.url, self.api)
        tree = LexborHTMLParser(page_text(response))
        described = first_job_posting(tree, page)
        if described is not None:
            return replace(
                posting,
                locations=posting.locations or described.locations,
                employment=posting.employment or described.employment,
                workplace=posting.workplace or described.workplace,
                posted_at=posting.posted_at or described.posted_at,
                compensation=posting.compensation or described.compensation,
                description_html=described.description_html or posting.description_html,
            )
        parts = [node.html or "" for node in tree.css('[itemprop="description"]')]
        if not any(parts):
            raise SourceError("no job description on the posting's page", kind="parse")
        kind = tree.css_first('[itemprop="employmentType"]')
        return replace(
            posting,
            employment=posting.employment or employment(node_text(kind)),
            description_html="\n".join(parts),
        )


def _row(row: LexborNode, page: str) -> Posting | None:
    """A posting of a search-results row (table layout) or tile (tile layout)."""
    link = row.css_first("a.jobTitle-link[href]") or row.css_first("a[href]")
    if link is None:
        return None
    url = absolute_url(page, link.attributes.get("href"))
    title = node_text(link)
    found = _JOB_PATH.search(urlsplit(url).path) if url else None
    if not url or not title or not found:
        return None
    fields: dict[str, str] = {}
    for node in row.css('[id*="-desktop-section-"]'):
        name = _TILE_FIELD.search(node.attributes.get("id") or "")
        kind = field_kind(name.group(1)) if name else None
        if kind and (text := node_text(node)):
            fields.setdefault(kind, text)
    place_node = row.css_first("td.colLocation .jobLocation") or row.css_first(".jobLocation")
    places = place_node.text(separator="\n").split("\n") if place_node else []
    tile_place = field_place(fields)
    return Posting(
        id=found.group(1),
        title=title,
        url=urlunsplit(urlsplit(url)._replace(query="", fragment="")),
        locations=unique(_tidy_place(p) for p in [*places, tile_place]),
        department=node_text(row.css_first(".jobDepartment")) or fields.get("department"),
        employment=employment(node_text(row.css_first(".jobShifttype"))),
        posted_at=written_date(node_text(row.css_first(".jobDate")) or fields.get("posted")),
    )


def _tidy_place(value: object) -> str | None:
    """A place as RMK writes it, without the markup some put in ("London, GBR<br/>")."""
    text = clean(value)
    if not text:
        return None
    return clean(re.sub(r"<[^>]*>", " ", text).strip(" ,")) or None


def _title_and_place(text: str) -> tuple[str, str | None]:
    """ "Principal Scientist (Richardson, TX, US, 75080)": the title, and the place in the
    balanced parentheses that close it (either half may hold parentheses of its own)."""
    text = text.strip()
    if not text.endswith(")"):
        return text, None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[index], 0)
        if depth == 0:
            title, place = text[:index].strip(), text[index + 1 : -1].strip()
            return (title, place or None) if title else (text, None)
    return text, None


def _locale(text: str) -> str:
    """The site's locale as its page names it (`en_US` when it does not)."""
    found = _LOCALE.search(text)
    return (found.group(1) or found.group(2)) if found else "en_US"
