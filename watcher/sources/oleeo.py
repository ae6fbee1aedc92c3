"""Oleeo (tal.net) vacancy boards:
`oleeo: acme.tal.net/vx/mobile-0/appcentre-1/brand-2/candidate/jobboard/vacancy/3`.

The board id is the host and the path up to the vacancy board
(`.../candidate/jobboard/vacancy/{n}`: the segments before `candidate` name the
language, app centre, brand and so on, and differ per company). The board's Atom
feed, `.../feed`, lists the whole board in one response (a search, `?ftq=`, would
cut it to 50). A posting's link names its board by number (`.../so/pm/1/pl/3/opp/
13801-Title/en-GB` is on board 3), so it is recognised too.

Each entry is read as any Atom entry (`feed.atom_entry`: link, title, dates); its
fields sit in `<content type="xhtml"><div>` as `Label:value<br/>` lines (Vacancy
Title, Vacancy Id, Role Type, Salary, Location, Closing Date on the boards seen).
Labels are each company's, so the usual names are recognised; every line becomes
the description. The id is the Vacancy Id (else the number in the link): the entry's
own id is its link, whose brand segment may change while the vacancy does not.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from watcher.model import Compensation, Page, Posting, Request, Response, SourceError
from watcher.sources.base import HOST_LABEL, Source, first_by_id
from watcher.sources.feed import ATOM, atom_entry, load_xml
from watcher.sources.jsonld import absolute_url, page_text, public_url
from watcher.text import clean, employment, fold, html_to_text

_HOST = rf"(?:{HOST_LABEL}\.)+[a-z]{{2,63}}"
_TAL_HOST = rf"(?:{HOST_LABEL}\.)+tal\.net"
_PREFIX = r"(?:[A-Za-z0-9_.-]+/)*?"  # lang-en-GB/, mobile-0/, appcentre-1/, brand-2/, xf-.../
_BOARD = re.compile(
    rf"(?P<host>{_HOST})/vx/(?P<prefix>{_PREFIX})candidate/jobboard/vacancy/(?P<n>\d+)"
)
_ON_BOARD = (
    rf"/vx/(?P<prefix>{_PREFIX})candidate/(?:jobboard/vacancy|so/pm/\d+/pl)/(?P<n>\d+)(?:[/?]|$)"
)
_OPPORTUNITY = re.compile(r"/opp/(\d+)-")
_BLOCKS = frozenset({"br", "p", "div", "li", "tr"})
_FIELDS = {
    "title": ("vacancy title", "job title", "title", "role title", "position"),
    "id": ("vacancy id", "vacancy reference", "vacancy ref", "reference", "job id", "id"),
    "department": (
        "role type", "business area", "business unit", "department", "directorate",
        "division", "function", "category", "job category", "team",
    ),
    "location": ("location", "locations", "city", "work location", "office"),
    "salary": ("salary", "salary range", "salary band", "pay", "compensation"),
    "employment": ("contract type", "employment type", "job type", "working pattern", "contract"),
}  # fmt: skip


class Oleeo(Source):
    key = "oleeo"
    label = "Oleeo (tal.net)"
    example = "acme.tal.net/vx/mobile-0/appcentre-1/brand-2/candidate/jobboard/vacancy/1"
    url_patterns = (re.compile(rf"^(?P<host>{_TAL_HOST}){_ON_BOARD}"),)

    @classmethod
    def check_board(cls, board: Any) -> str:
        text = board.strip() if isinstance(board, str) else ""
        text = re.sub(r"^https?://", "", text, flags=re.IGNORECASE).split("?")[0].rstrip("/")
        text = re.sub(r"/(?:feed|adv)$", "", text)
        host, _, path = text.partition("/")
        found = _BOARD.fullmatch(f"{host.lower()}/{path}")
        if not found:
            raise ValueError(
                f"{board!r} is not an Oleeo vacancy board: use the host and the path up to "
                f"the board's number, as in {cls.example}"
            )
        return found.group(0)

    @classmethod
    def board_from(cls, match: re.Match[str]) -> str:
        return _board(match["host"], match)

    @classmethod
    def board_in_page(cls, page: Response) -> str | None:
        """A board on a company's own domain: a page under `/vx/.../candidate/...`, or one
        that links its board's Atom feed."""
        urls = [page.url]
        if not re.match(_ON_BOARD, urlsplit(page.url).path):
            link = LexborHTMLParser(page_text(page)).css_first(
                'link[type="application/atom+xml"][href]'
            )
            urls += [absolute_url(page.url, link.attributes.get("href")) or ""] if link else []
        for url in urls:
            parts = urlsplit(url)
            found = re.match(_ON_BOARD, parts.path)
            if found and parts.hostname:
                return _board(parts.hostname.lower(), found)
        return None

    @property
    def feed_url(self) -> str:
        return f"https://{self.board}/feed"

    def first_request(self) -> Request:
        return Request(self.url(self.feed_url), headers={"Accept": "application/atom+xml"})

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        root = load_xml(response)
        if root.tag != f"{ATOM}feed":
            raise SourceError(f"not an Atom feed (root element <{root.tag}>)", kind="parse")
        base = public_url(response.url, self.feed_url, self.api)
        return Page(first_by_id(_vacancy(entry, base) for entry in root.iterfind(f"{ATOM}entry")))


def _board(host: str, match: re.Match[str]) -> str:
    return f"{host}/vx/{match['prefix']}candidate/jobboard/vacancy/{match['n']}"


def _vacancy(entry: ET.Element, base: str) -> Posting | None:
    posting = atom_entry(entry, base)
    if posting is None:
        return None
    lines = _lines(entry.find(f"{ATOM}content"))
    fields = _fields(lines)
    from_link = _OPPORTUNITY.search(posting.url)
    vacancy_id = fields.get("id") or (from_link.group(1) if from_link else posting.id)
    title = fields.get("title") or posting.title
    # "13801 - Band 2 Operational Support Grade": the id is not part of the title
    title = re.sub(rf"^{re.escape(vacancy_id)}\s*[-–:]\s*", "", title) or title
    salary = fields.get("salary")
    return replace(
        posting,
        id=vacancy_id,
        title=title,
        locations=(fields["location"],) if "location" in fields else (),
        department=fields.get("department") or posting.department,
        employment=employment(fields.get("employment")),
        compensation=Compensation(text=salary) if salary else None,
        description="\n".join(lines) or posting.description,
        description_html=None,
    )


def _lines(content: ET.Element | None) -> list[str]:
    """The text lines of an entry's content: XHTML split at `<br/>` and blocks, HTML
    made text, or plain text."""
    if content is None:
        return []
    kind = content.get("type", "text")
    if kind == "html":
        text = html_to_text(content.text)
    elif kind == "xhtml":
        parts: list[str] = []
        _walk(content, parts)
        text = "".join(parts)
    else:
        text = content.text or ""
    return [line for line in (" ".join(raw.split()) for raw in text.split("\n")) if line]


def _walk(element: ET.Element, parts: list[str]) -> None:
    for child in element:
        local = child.tag.rsplit("}", 1)[-1].lower()
        if local in _BLOCKS:
            parts.append("\n")
        parts.append(child.text or "")
        _walk(child, parts)
        if local in _BLOCKS:
            parts.append("\n")
        parts.append(child.tail or "")


def _fields(lines: list[str]) -> dict[str, str]:
    """The known fields among `Label:value` lines, by what their label means."""
    found: dict[str, str] = {}
    for line in lines:
        label, colon, value = line.partition(":")
        text = clean(value)
        if not colon or not text:
            continue
        name = fold(label).strip()
        for field, labels in _FIELDS.items():
            if name in labels and field not in found:
                found[field] = text
    return found
