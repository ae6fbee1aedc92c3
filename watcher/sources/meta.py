"""Meta's careers site (metacareers.com): its job sitemap, and each job page's JSON-LD.

The site's own search is a GraphQL API that needs a browser session's tokens, so it is
not used. What Meta publishes for crawlers is read instead:

1. `robots.txt`, for the job sitemap it names (`Sitemap: .../jobsearch/sitemap.xml`).
   It holds no postings (a preamble step): the sitemap is then read in full at every
   check, never taken as unchanged from its body alone, so that the pages still to
   read (below) are read at the next check whether or not the sitemap changed.
2. The sitemap: one `<url>` per open posting (`<loc>.../profile/job_details/{id}/</loc>`,
   `<lastmod>`). It is the list: a posting absent from it is gone. It has no title, so a
   posting read from it alone shows `Meta job {id}`, its link, and `lastmod` as its update
   time, until its page is read.
3. A posting's page, for new postings only (the reader asks for it once): its
   schema.org JobPosting gives the title, places (each `jobLocation`'s `name`: the
   addresses beside them are not reliable), date, employment type and the description,
   responsibilities and qualifications. A page that fails, or carries no JobPosting (a
   posting closed since the sitemap was made), is tried again at a later check.

At most `max_details` pages are read per check, newest `lastmod` first: the first check
of a site stores the ~1,000 open postings (a silent baseline) and reads 100 of their
pages; the following checks read the rest, 100 at a time. A page is read once: later
edits of a posting's title or text are not followed.

The site's search cannot be read, so the only board is `all`: narrow it with `match:`.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from watcher.model import Page, Posting, Request, Response, SourceError
from watcher.sources.feed import load_xml
from watcher.sources.jsonld import job_posting, job_posting_objects, page_text
from watcher.sources.search import SearchBoard, SearchSource
from watcher.text import clean, parse_time, unique

SITE = "https://www.metacareers.com"
SITEMAP = f"{SITE}/jobsearch/sitemap.xml"  # what robots.txt names; used when it names none
_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
_JOB_PATH = re.compile(r"/(?:profile/job_details|jobs)/(\d{1,25})/?$")
_TAG = re.compile(r"<[A-Za-z/][^>]*>")
_ID = r"\d{1,25}"
_END = r"/?(?:[?#].*)?$"
# JSON-LD fields that hold parts of the text, with the heading the page gives them.
_SECTIONS = (
    ("description", None),
    ("responsibilities", "Responsibilities"),
    ("qualifications", "Qualifications"),
    ("preferredQualifications", "Preferred qualifications"),
)


class Meta(SearchSource):
    key = "meta"
    label = "Meta"
    example = "all"
    max_pages = 2  # robots.txt, then the one sitemap
    max_details: ClassVar[int] = 100  # job pages read per check
    url_patterns = (
        re.compile(rf"^metacareers\.com/(?:profile/job_details|jobs)/{_ID}{_END}"),
        re.compile(r"^metacareers\.com/(?:jobs|jobsearch)/?(?:\?.*)?$"),
        re.compile(rf"^facebook\.com/careers/(?:v2/)?jobs/{_ID}{_END}"),
    )

    def __init__(self, board: Any, api: str | None = None):
        super().__init__(board, api)
        self._details_left = self.max_details

    @classmethod
    def check_board(cls, board: Any) -> SearchBoard:
        checked = super().check_board(board)
        if not checked.everything:
            raise ValueError(
                "Meta's careers search needs a browser session and cannot be read: write "
                "`meta: all` and narrow it with `match:` (title, location)"
            )
        return checked

    @classmethod
    def board_from(cls, match: re.Match[str]) -> Any:
        return "all"

    def first_request(self) -> Request:
        return Request(
            self.url(f"{SITE}/robots.txt"),
            headers={"Accept": "text/plain"},
            meta={"preamble": True},
        )

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        if request.meta.get("preamble"):
            return Page([], self._sitemap(page_text(response)))
        root = load_xml(response)
        if _local(root.tag) != "urlset":
            if _local(root.tag) == "sitemapindex":
                raise SourceError("Meta's job sitemap became an index of sitemaps", kind="parse")
            raise SourceError(f"not a sitemap (a <{_local(root.tag)}> document)", kind="parse")
        postings: dict[str, Posting] = {}
        for entry in root:
            fields = {_local(child.tag): clean(child.text) for child in entry}
            job_id = _job_id(fields.get("loc") or "") if _local(entry.tag) == "url" else None
            if job_id is None or job_id in postings:
                continue
            postings[job_id] = Posting(
                id=job_id,
                title=f"Meta job {job_id}",
                url=f"{SITE}/profile/job_details/{job_id}/",
                updated_at=parse_time(fields.get("lastmod")),
            )
        # The newest first (then those without a date): each check's pages go to them.
        return Page(
            sorted(
                postings.values(),
                key=lambda p: (p.updated_at is not None, p.updated_at or now),
                reverse=True,
            )
        )

    def _sitemap(self, robots: str) -> Request:
        """The job sitemap robots.txt names (Meta's own host, not a .gz), else the known one."""
        named = (html.unescape(url) for url in _SITEMAP_LINE.findall(robots))
        url = next((u for u in named if _jobs_sitemap(u)), SITEMAP)
        # The sitemap answers 400 to a browser's Accept header.
        return Request(self.url(url), headers={"Accept": "application/xml"})

    def detail_request(self, posting: Posting) -> Request | None:
        if self._details_left <= 0:
            return None  # read at a later check
        self._details_left -= 1
        return Request(self.url(posting.url), headers={"Accept": "text/html"})

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        found = next(job_posting_objects(LexborHTMLParser(page_text(response))), None)
        detailed = job_posting(found, posting.url) if found is not None else None
        if found is None or detailed is None:
            raise SourceError(
                "no schema.org JobPosting on the posting's page (closed since the sitemap?)",
                kind="parse",
            )
        places = found.get("jobLocation")
        named = unique(p.get("name") for p in _as_list(places) if isinstance(p, dict))
        return replace(
            detailed,
            id=posting.id,
            url=posting.url,
            locations=named or detailed.locations,
            posted_at=detailed.posted_at or posting.updated_at,
            updated_at=posting.updated_at,
            description_html=_description(found) or None,
        )


def _job_id(loc: str) -> str | None:
    parts = urlsplit(loc.strip())
    host = (parts.hostname or "").lower()
    if host != "metacareers.com" and not host.endswith(".metacareers.com"):
        return None
    found = _JOB_PATH.search(parts.path)
    return found.group(1) if found else None


def _local(tag: str) -> str:
    """An XML tag without its namespace: `url` of `{http://www.sitemaps.org/...}url`."""
    return tag.rpartition("}")[2]


def _jobs_sitemap(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    on_site = host == "metacareers.com" or host.endswith(".metacareers.com")
    return on_site and "job" in parts.path.lower() and parts.path.lower().endswith(".xml")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _description(obj: dict[str, Any]) -> str:
    """The JobPosting's text fields as one HTML description, each under its heading."""
    parts = []
    for field, heading in _SECTIONS:
        texts = [t for t in map(clean, _as_list(obj.get(field))) if t]
        if not texts:
            continue
        if heading:
            parts.append(f"<h3>{heading}</h3>")
        parts.extend(_as_html(t) for t in texts)
    return "\n".join(parts)


def _as_html(text: str) -> str:
    """HTML as it is (unescaped once when it came HTML-escaped); plain text escaped, with
    its line breaks kept."""
    if "<" not in text and "&lt;" in text:
        text = html.unescape(text)
    if _TAG.search(text):
        return text
    return html.escape(html.unescape(text)).replace("\n", "<br>\n")
