"""RSS 2.0 and Atom job feeds: `feed: https://acme.example/jobs.rss`.

The board id is the feed's URL, chosen by the user (no URL detection); `is_feed`
tells whether a body is one, for a later "add" that sniffs what a page returns.
Atom (and RSS carrying `atom:link rel="next"`) paginates through its `next` link.

Also the XML plumbing the other XML sources share: `load_xml`, `child_text`,
`rss_item`, `atom_entry`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from watcher.model import Page, Posting, Request, Response, SourceError
from watcher.sources.base import Source
from watcher.sources.jsonld import absolute_url, http_url, public_url
from watcher.text import clean, html_to_text, parse_time

ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC_DATE = "{http://purl.org/dc/elements/1.1/}date"

_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)""")
_FEED_ROOT = re.compile(
    rb"(?>\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>))*+\s*<(rss|feed)[\s/>]", re.DOTALL
)


class Feed(Source):
    key = "feed"
    label = "RSS or Atom feed"
    example = "https://acme.example/jobs.rss"
    max_pages = 20

    @classmethod
    def check_board(cls, board: Any) -> str:
        return http_url(board)

    def first_request(self) -> Request:
        return Request(self.url(self.board), meta={"url": self.board})

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        root = load_xml(response)
        base = public_url(response.url, request.meta.get("url", self.board), self.api)
        if root.tag == "rss":
            channel = root.find("channel")
            if channel is None:
                raise SourceError("RSS feed without a <channel>", kind="parse")
            found = [rss_item(item, base) for item in channel.iterfind("item")]
            links = channel
        elif root.tag == f"{ATOM}feed":
            found = [atom_entry(entry, base) for entry in root.iterfind(f"{ATOM}entry")]
            links = root
        else:
            raise SourceError(f"not an RSS or Atom feed (root element <{root.tag}>)", kind="parse")
        postings = [p for p in found if p]
        following = absolute_url(base, _atom_link(links, "next"))
        if not following or following == base:
            return Page(postings)
        return Page(postings, Request(self.url(following), meta={"url": following}))


def is_feed(body: bytes) -> bool:
    """Whether a response body is an RSS or Atom document (looks at its start only)."""
    head = body[:4096].removeprefix(b"\xef\xbb\xbf")
    found = _FEED_ROOT.match(head)
    if not found:
        return False
    return found.group(1) == b"rss" or b"http://www.w3.org/2005/Atom" in head


def rss_item(item: ET.Element, base: str) -> Posting | None:
    """A Posting from an RSS 2.0 `<item>`: id from guid, else link."""
    guid = child_text(item, "guid")
    link = absolute_url(base, child_text(item, "link"))
    if link is None and guid and guid.startswith(("http://", "https://")):
        link = guid  # a guid is a permalink unless it says otherwise
    title = child_text(item, "title")
    item_id = guid or link
    if not item_id or not title:
        return None
    return Posting(
        id=item_id,
        title=title,
        url=link or "",
        department=child_text(item, "category"),
        posted_at=parse_time(child_text(item, "pubDate") or child_text(item, _DC_DATE)),
        description_html=child_text(item, _CONTENT) or child_text(item, "description"),
    )


def atom_entry(entry: ET.Element, base: str) -> Posting | None:
    """A Posting from an Atom `<entry>`: id from `<id>`, else its alternate link."""
    link = absolute_url(base, _atom_link(entry, "alternate"))
    entry_id = child_text(entry, f"{ATOM}id") or link
    title = _atom_text(entry.find(f"{ATOM}title"))
    if not entry_id or not title:
        return None
    content = entry.find(f"{ATOM}content")
    if content is None or content.get("src") or not "".join(content.itertext()).strip():
        content = entry.find(f"{ATOM}summary")
    is_html = content is not None and content.get("type") == "html"
    plain = "" if content is None or is_html else "".join(content.itertext())
    category = entry.find(f"{ATOM}category")
    return Posting(
        id=entry_id,
        title=title,
        url=link or "",
        department=None
        if category is None
        else clean(category.get("label") or category.get("term")),
        posted_at=parse_time(child_text(entry, f"{ATOM}published")),
        updated_at=parse_time(child_text(entry, f"{ATOM}updated")),
        description=clean(plain) or "",
        description_html=clean(content.text) if is_html and content is not None else None,
    )


def _atom_link(element: ET.Element, rel: str) -> str | None:
    """The href of the element's Atom link with that rel (`alternate` is the default rel)."""
    for link in element.iterfind(f"{ATOM}link"):
        if link.get("rel", "alternate") == rel and link.get("href"):
            return link.get("href")
    return None


def _atom_text(element: ET.Element | None) -> str | None:
    """Plain text of an Atom text construct (`type` text, html or xhtml)."""
    if element is None:
        return None
    if element.get("type") == "html":
        return clean(html_to_text(element.text))
    return clean(" ".join("".join(element.itertext()).split()))


# --- XML plumbing -------------------------------------------------------------------------


def load_xml(response: Response) -> ET.Element:
    """The root element of an XML body, or a parse SourceError.

    A document with an inline DTD is refused before parsing: no feed needs one, and
    it is where entity-expansion attacks live (expat also caps expansion).
    Stray bytes that are not UTF-8 in a UTF-8 document become U+FFFD.
    """
    body = response.body.lstrip(b" \t\r\n")
    start = _ELEMENT_START.search(body)
    prolog = body[: start.start()] if start else body
    doctype = prolog.find(b"<!DOCTYPE")
    if doctype >= 0 and b"[" in prolog[doctype:]:
        raise SourceError("XML with an inline DTD is refused (entity declarations)", kind="parse")
    try:
        return _parse(body)
    except ET.ParseError as exc:
        snippet = body[:60].decode("utf-8", "replace").strip()
        raise SourceError(
            f"response is not XML ({exc}; starts with {snippet!r})", kind="parse"
        ) from None


def _parse(body: bytes) -> ET.Element:
    try:
        return ET.fromstring(body)
    except ET.ParseError:
        declared = _ENCODING.match(body)
        if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
            raise
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return ET.fromstring(body.decode("utf-8", "replace").encode("utf-8"))
        raise


def child_text(element: ET.Element, path: str) -> str | None:
    return clean(element.findtext(path))
