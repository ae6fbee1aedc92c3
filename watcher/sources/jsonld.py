"""Pages that describe their openings as schema.org `JobPosting` JSON-LD.

`jsonld: https://acme.example/careers` reads every JobPosting in the page's
`<script type="application/ld+json">` blocks (an object, a list or an `@graph`).

A list page with no JobPosting is read as links instead: each same-host link
whose path looks like a posting (`/jobs/...`, `/careers/...`, JazzHR's
`/apply/{id}/...`) becomes a posting with the link as its id and the link text
as its title, and its own page is read for the JobPosting as a detail. The
reader fetches details only for postings not yet stored, so each posting page
is read once; the id stays the link, the one thing the list page knows.

Also the web-page helpers the HTML sources share: `http_url`, `page_text`,
`public_url`, `absolute_url`, `node_text`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urldefrag, urljoin, urlsplit

import orjson
from selectolax.lexbor import LexborHTMLParser, LexborNode

from watcher.model import Compensation, Page, Posting, Request, Response, SourceError
from watcher.sources.base import Source
from watcher.text import clean, employment, join_place, number, parse_time, pay_period

# A path segment naming job pages, followed by something (the list page itself is not a posting).
_JOB_PATH = re.compile(
    r"/(?:jobs?|careers?|positions?|openings?|vacanc(?:y|ies)|apply|o)/[^/]+", re.IGNORECASE
)
# Last path segments that name a list, a search or a form rather than one posting.
_NOT_A_POSTING = frozenset(
    {"job", "jobs", "career", "careers", "apply", "search", "positions", "openings", "login"}
)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


class JsonLd(Source):
    key = "jsonld"
    label = "schema.org JobPosting (JSON-LD)"
    example = "https://acme.applytojob.com/apply"
    url_patterns = (re.compile(r"^(?P<board>[a-z0-9][a-z0-9-]*)\.applytojob\.com/apply(?:[/?]|$)"),)
    max_links: ClassVar[int] = 50  # posting links taken from a list page, per check

    @classmethod
    def check_board(cls, board: Any) -> str:
        return http_url(board)

    @classmethod
    def board_from(cls, match: re.Match[str]) -> str:
        return f"https://{match.group('board')}.applytojob.com/apply"

    def first_request(self) -> Request:
        return Request(self.url(self.board))

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        page = public_url(response.url, self.board, self.api)
        tree = LexborHTMLParser(page_text(response))
        found = list(job_posting_objects(tree))
        if found:
            fallback = _canonical(tree, page)
            return Page([p for p in (job_posting(obj, fallback) for obj in found) if p])
        return Page(self._links(tree, page))

    def detail_request(self, posting: Posting) -> Request | None:
        # Only link stubs lack a description: a JobPosting read from the list carries one.
        if posting.description_html is not None or posting.description:
            return None
        if urldefrag(posting.url).url == urldefrag(self.board).url:
            return None
        return Request(self.url(posting.url))

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        page = public_url(response.url, posting.url, self.api)
        tree = LexborHTMLParser(page_text(response))
        found = list(job_posting_objects(tree))
        if not found:
            raise SourceError("no schema.org JobPosting on the posting's page", kind="parse")
        chosen = next((o for o in found if absolute_url(page, o.get("url")) == posting.url), None)
        detailed = job_posting(chosen or found[0], posting.url)
        if detailed is None:
            return posting
        return replace(detailed, id=posting.id)

    def _links(self, tree: LexborHTMLParser, page: str) -> list[Posting]:
        here = urlsplit(page)
        found: dict[str, Posting] = {}
        for anchor in tree.css("a[href]"):
            url = absolute_url(page, anchor.attributes.get("href"))
            if not url or url in found:
                continue
            parts = urlsplit(url)
            if parts.hostname != here.hostname or not _looks_like_posting(parts.path, here.path):
                continue
            title = (
                node_text(anchor)
                or clean(anchor.attributes.get("title"))
                or clean(anchor.attributes.get("aria-label"))
            )
            if title:
                found[url] = Posting(id=url, title=title, url=url)
                if len(found) >= self.max_links:
                    break
        return list(found.values())


def _looks_like_posting(path: str, list_path: str) -> bool:
    trimmed = path.rstrip("/")
    if trimmed == list_path.rstrip("/") or not _JOB_PATH.search(trimmed):
        return False
    return trimmed.rsplit("/", 1)[-1].lower() not in _NOT_A_POSTING


def _canonical(tree: LexborHTMLParser, page: str) -> str:
    link = tree.css_first('link[rel="canonical"][href]')
    return (absolute_url(page, link.attributes.get("href")) if link else None) or page


# --- JSON-LD --------------------------------------------------------------------------


def job_posting_objects(tree: LexborHTMLParser) -> Iterator[dict[str, Any]]:
    """Every JobPosting object in the page's JSON-LD blocks, in document order.
    Blocks that are not valid JSON are skipped."""
    for script in tree.css("script[type]"):
        kind = (script.attributes.get("type") or "").strip().lower()
        if not kind.startswith("application/ld+json"):
            continue
        try:
            data = orjson.loads(_unwrap(script.text(deep=True)))
        except orjson.JSONDecodeError:
            continue
        yield from _job_postings(data)


def _unwrap(block: str) -> str:
    """The JSON of a script block, without the HTML comment or CDATA markers some pages add."""
    text = block.strip()
    for start, end in (("<!--", "-->"), ("//<![CDATA[", "//]]>"), ("<![CDATA[", "]]>")):
        if text.startswith(start) and text.endswith(end):
            text = text[len(start) : -len(end)].strip()
    return text


def _job_postings(data: Any) -> Iterator[dict[str, Any]]:
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            if _is_job_posting(node.get("@type")):
                yield node
            else:  # @graph, mainEntity, itemListElement...
                stack.extend(reversed(list(node.values())))


def _is_job_posting(kind: Any) -> bool:
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and re.split(r"[/:]", k)[-1] == "JobPosting" for k in kinds)


def job_posting(obj: Mapping[str, Any], page_url: str) -> Posting | None:
    """A Posting from one schema.org JobPosting object; `page_url` is where it was
    read, used to resolve its `url` and as the url when it has none."""
    title = clean(obj.get("title")) or clean(obj.get("name"))
    url = absolute_url(page_url, obj.get("url")) or page_url
    job_id = _identifier(obj.get("identifier")) or url
    if not title or not job_id:
        return None
    remote = "TELECOMMUTE" in str(obj.get("jobLocationType") or "").upper()
    places = _places(obj.get("jobLocation"))
    if remote:
        places += _names(obj.get("applicantLocationRequirements"))
    description = obj.get("description")
    return Posting(
        id=job_id,
        title=html.unescape(title),
        url=url,
        locations=tuple(dict.fromkeys(places)),
        employment=next(filter(None, map(employment, _as_list(obj.get("employmentType")))), None),
        workplace="remote" if remote else None,
        posted_at=parse_time(obj.get("datePosted")),
        compensation=_salary(obj.get("baseSalary")),
        # Often HTML-escaped HTML: kept raw, `text.describe` unescapes it once when needed.
        description_html=description if isinstance(description, str) and description else None,
    )


def first_job_posting(tree: LexborHTMLParser, page_url: str) -> Posting | None:
    """The posting of the page's first JSON-LD JobPosting that makes one (see
    `job_posting`); None when none does."""
    found = (job_posting(obj, page_url) for obj in job_posting_objects(tree))
    return next(filter(None, found), None)


def completed_from_page(listed: Posting, tree: LexborHTMLParser, page_url: str) -> Posting | None:
    """A posting read from a list page, completed by the JobPosting JSON-LD of its own
    page; None when that page has none. The list's id, link, title and the fields it
    filled are kept; the page gives what the list lacks (its category as the
    department), its date, and its description in place of the list's excerpt."""
    obj = next(job_posting_objects(tree), None)
    detailed = job_posting(obj, page_url) if obj is not None else None
    if obj is None or detailed is None:
        return None
    described = bool(detailed.description_html)
    category = _name(obj.get("occupationalCategory")) or _name(obj.get("industry"))
    return replace(
        listed,
        locations=listed.locations or detailed.locations,
        department=listed.department or category,
        employment=listed.employment or detailed.employment,
        workplace=listed.workplace or detailed.workplace,
        posted_at=detailed.posted_at or listed.posted_at,
        compensation=listed.compensation or detailed.compensation,
        description="" if described else listed.description,
        description_html=detailed.description_html if described else listed.description_html,
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _identifier(value: Any) -> str | None:
    for item in _as_list(value):
        if isinstance(item, dict):
            item = item.get("value", item.get("@value"))
        found = clean(item)
        if found:
            return found
    return None


def _name(value: Any) -> str | None:
    return clean(value.get("name")) if isinstance(value, dict) else clean(value)


def _names(value: Any) -> list[str]:
    return [name for name in map(_name, _as_list(value)) if name]


def _places(value: Any) -> list[str]:
    places = []
    for place in _as_list(value):
        if not isinstance(place, dict):
            continue
        address = place.get("address")
        if isinstance(address, dict):
            text = join_place(
                address.get("addressLocality"),
                address.get("addressRegion"),
                _name(address.get("addressCountry")),
            )
        else:
            text = clean(address)
        text = text or _name(place)
        if text:
            places.append(text)
    return places


def _salary(value: Any) -> Compensation | None:
    salary = next((s for s in _as_list(value) if isinstance(s, dict)), None)
    if salary is None:
        return None
    amount = salary.get("value")
    unit = salary.get("unitText")
    if isinstance(amount, dict):
        unit = amount.get("unitText") or unit
        exact = number(amount.get("value"))
        low = number(amount.get("minValue"))
        high = number(amount.get("maxValue"))
        low, high = (low if low is not None else exact), (high if high is not None else exact)
    else:
        low = high = number(amount)
    if low is None and high is None:
        return None
    period = pay_period(unit)
    return Compensation(low, high, clean(salary.get("currency")), period)


# --- web-page helpers (shared with the other HTML and XML sources) ---------------------


def http_url(value: Any) -> str:
    """`value` when it is an absolute http(s) URL, else a ValueError for the user."""
    text = value.strip() if isinstance(value, str) else ""
    parts = urlsplit(text)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in text)
    ):
        raise ValueError(f"{value!r} is not a web address (https://...)")
    return text


def page_text(response: Response) -> str:
    """The body as text: the charset the headers or a `<meta charset>` name, else UTF-8;
    bytes that do not decode become U+FFFD rather than failing the read."""
    found = _CHARSET.search(response.headers.get("content-type", ""))
    charset = found.group(1) if found else None
    if charset is None:
        meta = _META_CHARSET.search(response.body[:4096])
        charset = meta.group(1).decode("ascii") if meta else "utf-8"
    try:
        return response.body.decode(charset, "replace")
    except LookupError:
        return response.body.decode("utf-8", "replace")


def public_url(fetched: str, public: str, api: str | None) -> str:
    """The public address of a fetched page: `fetched` is the final URL (after
    redirects); when `api:` replaced the host of `public`, the public host is put back
    so that links and posting URLs point at the real site."""
    base = (api or "").rstrip("/")
    if not base or not fetched.startswith(base):
        return fetched
    parts = urlsplit(public)
    return f"{parts.scheme}://{parts.netloc}{fetched[len(base) :]}"


def absolute_url(base: str, href: Any) -> str | None:
    """`href` resolved against `base`, without its fragment; None unless it is http(s)."""
    text = clean(href)
    if not text:
        return None
    url = urldefrag(urljoin(base, text)).url
    return url if urlsplit(url).scheme in ("http", "https") else None


def node_text(node: LexborNode | None) -> str | None:
    """The text of an element, whitespace collapsed; None when empty."""
    if node is None:
        return None
    return " ".join(node.text(separator=" ", strip=True).split()) or None
