"""iCIMS career portals: `icims: careers-acme` reads careers-acme.icims.com, and
`icims: careers.acme.com` a portal iCIMS serves on a company's own domain.

The list is the portal's search page as its inner frame serves it, plain HTML:
`GET /jobs/search?ss=1&in_iframe=1&pr={page}` (pr counts from 0; without
`in_iframe=1` the answer is the branded wrapper page, with no jobs in it). Two
layouts are read: job cards (`li.iCIMS_JobCardItem`) and table rows
(`.iCIMS_JobsTable .row`). A card's fields are label/value pairs, either an
`sr-only field-label` span followed by its value or `dt`/`dd` pairs; which labels
appear (Job Locations, Category, Position Type, Posted Date, pay...) is each
portal's choice, so they are recognised by name.

The page count comes from "Page X of Y" (the results header, or the current page
link), else from the page numbers the paging links point to: the read stops at
the last page rather than on a page that repeats.

The list has an excerpt of the description at most, so new postings read their
own page, `/jobs/{id}/{slug}/job?in_iframe=1`, for its JobPosting JSON-LD.

No browser-like headers are sent: some portals refuse a browser's User-Agent that
comes without the client hints a browser would send, so watcher's own is used.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from watcher.model import Compensation, Page, Posting, Request, Response, SourceError
from watcher.sources.base import HOST_LABEL, Source, first_by_id
from watcher.sources.jsonld import (
    absolute_url,
    completed_from_page,
    node_text,
    page_text,
    public_url,
)
from watcher.text import employment, fold, join_place, unique, workplace

# iCIMS's own hosts that are not portals.
_RESERVED = frozenset(
    {"www", "api", "app", "developer", "developer-community", "community", "care", "help"}
    | {"support", "status", "login", "cookie-policy-scripts", "cdn", "static", "assets"}
)
_SUBDOMAIN = re.compile(HOST_LABEL)
_HOST = re.compile(rf"(?:{HOST_LABEL}\.)+[a-z]{{2,63}}")
_JOB_PATH = re.compile(r"^/jobs/(\d+)(?:/[^/?#]+)?/job/?$")  # the slug may be left out
_PAGES = re.compile(r"\bpage\s+(\d+)\s+of\s+(\d+)", re.IGNORECASE)
# "US-TX-Austin": country, region, place (which may hold hyphens: US-NC-Winston-Salem).
_CODED_PLACE = re.compile(r"^([A-Z]{2})-([^-]+)(?:-(.+))?$")
_POSTED_FORMATS = ("%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M", "%m/%d/%Y")
_CARDS = "li.iCIMS_JobCardItem, .iCIMS_JobsTable .row"


class Icims(Source):
    key = "icims"
    label = "iCIMS"
    example = "careers-acme"
    max_pages = 50
    url_patterns = (
        re.compile(rf"^(?P<board>{HOST_LABEL})\.icims\.com(?:/jobs(?:[/?]|$)|/?$|/?\?)"),
    )

    @classmethod
    def check_board(cls, board: Any) -> str:
        text = board.strip().lower() if isinstance(board, str) else ""
        if "://" in text:
            text = urlsplit(text).hostname or ""
        text = text.rstrip("/").removesuffix(".icims.com")
        if _SUBDOMAIN.fullmatch(text) and text not in _RESERVED:
            return text
        if _HOST.fullmatch(text) and not text.endswith(".icims.com"):
            return text
        raise ValueError(
            f"{board!r} is not an iCIMS portal: use its subdomain (careers-acme for "
            "careers-acme.icims.com) or the host of a portal on the company's own domain "
            "(careers.acme.com)"
        )

    @classmethod
    def board_in_page(cls, page: Response) -> str | None:
        """The portal a page belongs to: an `*.icims.com` page, a page that frames one
        (`iframe#icims_content_iframe`), or a page on another host with iCIMS's markup."""
        host = urlsplit(page.url).hostname or ""
        if host.endswith(".icims.com"):
            return _board_or_none(host)
        tree = LexborHTMLParser(page_text(page))
        frame = tree.css_first("iframe#icims_content_iframe[src]")
        if frame is not None:
            framed = absolute_url(page.url, frame.attributes.get("src"))
            return _board_or_none(urlsplit(framed).hostname if framed else None)
        if tree.css_first(f"{_CARDS}, .iCIMS_MainWrapper, .iCIMS_JobContent") is not None:
            return _board_or_none(host)
        return None

    @property
    def origin(self) -> str:
        host = self.board if "." in self.board else f"{self.board}.icims.com"
        return f"https://{host}"

    def first_request(self) -> Request:
        return self._search(0)

    def _search(self, page: int) -> Request:
        url = f"{self.origin}/jobs/search?ss=1&in_iframe=1&pr={page}"
        return Request(self.url(url), headers={"Accept": "text/html"}, meta={"pr": page})

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        current = int(request.meta.get("pr", 0))
        page_url = public_url(response.url, f"{self.origin}/jobs/search", self.api)
        tree = LexborHTMLParser(page_text(response))
        postings = first_by_id(self._posting(card, page_url) for card in tree.css(_CARDS))
        if not postings:
            _check_empty(tree)
        more = _has_more(tree, current)
        return Page(postings, self._search(current + 1) if more else None)

    def _posting(self, card: LexborNode, page_url: str) -> Posting | None:
        link = next(
            (
                (anchor, found)
                for anchor in card.css("a[href]")
                if (found := _job_path(page_url, anchor.attributes.get("href")))
            ),
            None,
        )
        if link is None:
            return None
        anchor, (job_id, path) = link
        title = _title(anchor, job_id)
        if not title:
            return None
        fields = _fields(card)
        places = [p for key, text, _ in fields if "location" in key for p in _places(text)]
        pay = [text for key, text, _ in fields if _is_pay(key)]
        return Posting(
            id=job_id,
            title=title,
            url=f"{self.origin}{path}",
            locations=unique(places),
            department=_field(fields, "category", "department", "function", "job family"),
            employment=employment(_field(fields, "position type", "job type", "employment")),
            workplace=workplace(_field(fields, "work arrangement", "workplace", "remote")),
            posted_at=_posted(fields),
            compensation=Compensation(text=" - ".join(pay)) if pay else None,
            description=node_text(card.css_first(".description")) or "",
        )

    def detail_request(self, posting: Posting) -> Request | None:
        return Request(self.url(f"{posting.url}?in_iframe=1"), headers={"Accept": "text/html"})

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        tree = LexborHTMLParser(page_text(response))
        detailed = completed_from_page(posting, tree, posting.url)
        if detailed is not None:
            return replace(
                detailed,
                locations=unique(map(_without_placeholders, detailed.locations)),
                employment=None if detailed.employment == "other" else detailed.employment,
            )
        content = tree.css_first(".iCIMS_JobContent")
        if content is None:
            raise SourceError(
                "no JobPosting data or job content on the iCIMS job page", kind="parse"
            )
        return replace(posting, description="", description_html=content.html)


def _board_or_none(host: str | None) -> str | None:
    try:
        return Icims.check_board(host or "")
    except ValueError:
        return None


def _job_path(page_url: str, href: str | None) -> tuple[str, str] | None:
    """The job id and the path `/jobs/{id}/{slug}/job` of a posting link."""
    url = absolute_url(page_url, href)
    found = _JOB_PATH.match(urlsplit(url).path) if url else None
    return (found.group(1), found.group(0).rstrip("/")) if found else None


def _title(anchor: LexborNode, job_id: str) -> str | None:
    heading = node_text(anchor.css_first("h1, h2, h3, h4"))
    if heading:
        return heading
    stated = (anchor.attributes.get("title") or "").strip()
    if stated:  # "38897 - Field Technician"
        return re.sub(rf"^{re.escape(job_id)}\s*-\s*", "", stated) or None
    for label in anchor.css(".sr-only"):
        label.decompose()
    return node_text(anchor)


def _fields(card: LexborNode) -> list[tuple[str, str, str]]:
    """(label folded, value, the value's `title`) of a card's `field-label` spans and
    `dt`/`dd` pairs."""
    pairs = [(label, _next_element(label)) for label in card.css(".field-label")]
    pairs += [(term, _next_element(term)) for term in card.css("dt")]
    found = []
    for label, value in pairs:
        if value is None or (label.tag == "dt" and value.tag != "dd"):
            continue
        name, text = node_text(label), _value_text(value)
        if name and text:
            found.append((fold(name), text, value.attributes.get("title") or ""))
    return found


def _next_element(node: LexborNode) -> LexborNode | None:
    following = node.next
    while following is not None and following.tag in ("-text", "-comment"):
        following = following.next
    return following


def _value_text(node: LexborNode) -> str | None:
    """A value's text without its screen-reader-only copy ("(9/23/2026 7:11 PM)")."""
    hidden = node.css(".sr-only")
    if not hidden:
        return node_text(node)
    copy = LexborHTMLParser(node.html or "")
    for extra in copy.css(".sr-only"):
        extra.decompose()
    return node_text(copy.body)


def _field(fields: list[tuple[str, str, str]], *names: str) -> str | None:
    return next((text for key, text, _ in fields if any(n in key for n in names)), None)


def _is_pay(key: str) -> bool:
    words = set(re.findall(r"[a-z]+", key))
    return bool(words & {"pay", "salary", "compensation", "wage", "min", "max", "minimum"})


def _places(value: str) -> list[str]:
    """ "US-TX-Austin | US-Remote" as ["Austin, TX, US", "Remote, US"]; "IE-Cork-Cork" as
    "Cork, IE"."""
    places = []
    for part in value.split("|"):
        text = part.strip()
        coded = _CODED_PLACE.match(text)
        if coded:
            text = join_place(coded.group(3), coded.group(2), coded.group(1)) or text
        if text:
            places.append(text)
    return places


def _posted(fields: list[tuple[str, str, str]]) -> datetime | None:
    """The posted time from the value's `title` ("9/23/2026 7:11 PM"), else its text."""
    for key, text, stamp in fields:
        if "posted" not in key:
            continue
        for candidate in (stamp, text):
            moment = " ".join(candidate.split()).strip("() ")
            for layout in _POSTED_FORMATS:
                try:
                    return datetime.strptime(moment, layout).replace(tzinfo=UTC)
                except ValueError:
                    continue
    return None


def _has_more(tree: LexborHTMLParser, current: int) -> bool:
    """Whether a page follows page `current` (0-based), by the page's own paging."""
    for node in tree.css(".iCIMS_SubHeader_Jobs, [class*='iCIMS_Paging'] .selected"):
        stated = _PAGES.search(node_text(node) or "")
        if stated:
            return current + 1 < int(stated.group(2))
    linked = []
    for anchor in tree.css("[class*='iCIMS_Pag'] a[href]"):
        if "invisible" in (anchor.attributes.get("class") or "").split():
            continue
        query = parse_qs(urlsplit(anchor.attributes.get("href") or "").query)
        linked += [int(n) for n in query.get("pr", []) if n.isdigit()]
    if linked:
        return max(linked) > current
    return tree.css_first('link[rel="next"][href]') is not None


def _check_empty(tree: LexborHTMLParser) -> None:
    """A page without postings is an empty board only when it is iCIMS's job list."""
    if tree.css_first("iframe#icims_content_iframe") is not None:
        raise SourceError(
            "iCIMS answered its outer page instead of the job list (in_iframe ignored)",
            kind="parse",
        )
    if tree.css_first("[class*='iCIMS_']") is None:
        raise SourceError("not an iCIMS job list (no iCIMS markup in the page)", kind="parse")


def _without_placeholders(place: str) -> str:
    """iCIMS fills unknown address parts with "UNAVAILABLE": `Remote, UNAVAILABLE, US`."""
    return ", ".join(p for p in place.split(", ") if p.strip().upper() != "UNAVAILABLE")
