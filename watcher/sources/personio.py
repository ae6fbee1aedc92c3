"""Personio job boards: the public XML feed `{sub}.jobs.personio.de/xml?language=en`.

The board id is the subdomain (`acme` reads acme.jobs.personio.de). Personio also
hosts boards on `.jobs.personio.com`; whether each of those is served on `.de` as
well is not documented, so a `.com` board keeps its whole host as its id
(`acme.jobs.personio.com`) and is read where the user found it.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from watcher.model import Page, Posting, Request, Response, SourceError
from watcher.sources.base import Source, first_by_id
from watcher.sources.feed import child_text, load_xml
from watcher.text import employment, parse_time, unique

_SUB = r"[a-z0-9][a-z0-9-]*"
_BOARD = re.compile(rf"(?P<sub>{_SUB})(?:\.jobs\.personio\.(?P<tld>de|com))?")


class Personio(Source):
    key = "personio"
    label = "Personio"
    example = "acme"
    url_patterns = (re.compile(rf"^(?P<board>{_SUB}\.jobs\.personio\.(?:de|com))(?:[/?]|$)"),)

    @classmethod
    def check_board(cls, board: Any) -> str:
        name = super().check_board(board).lower()
        found = _BOARD.fullmatch(name)
        if not found:
            raise ValueError(
                f"{board!r} is not a Personio board: use the subdomain (acme for "
                "acme.jobs.personio.de) or a whole acme.jobs.personio.com host"
            )
        return found["sub"] if found["tld"] in (None, "de") else name

    @property
    def host(self) -> str:
        return self.board if "." in self.board else f"{self.board}.jobs.personio.de"

    def first_request(self) -> Request:
        return Request(self.url(f"https://{self.host}/xml?language=en"))

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        root = load_xml(response)
        if root.tag != "workzag-jobs":
            raise SourceError(f"not a Personio feed (root element <{root.tag}>)", kind="parse")
        # Feeds repeat positions: the first of each id is kept.
        return Page(first_by_id(map(self._posting, root.iterfind("position"))))

    def _posting(self, position: ET.Element) -> Posting | None:
        job_id = child_text(position, "id")
        title = child_text(position, "name")
        if not job_id or not title:
            return None
        offices = [child_text(position, "office")]
        offices += [child_text(o, ".") for o in position.iterfind("additionalOffices/office")]
        return Posting(
            id=job_id,
            title=title,
            url=f"https://{self.host}/job/{job_id}",
            locations=unique(offices),
            department=child_text(position, "department"),
            employment=_employment(
                child_text(position, "employmentType"), child_text(position, "schedule")
            ),
            posted_at=parse_time(child_text(position, "createdAt")),
            description_html=_description(position),
        )


def _employment(kind: str | None, schedule: str | None) -> str | None:
    """`employmentType` says permanent, intern, freelance...; for a permanent job the
    `schedule` (full-time, part-time) is the more useful word."""
    found = employment(kind and kind.replace("_", " "))  # working_student
    hours = employment(schedule)
    if found in (None, "full-time") and hours in ("full-time", "part-time"):
        return hours
    return found


def _description(position: ET.Element) -> str | None:
    """The `jobDescriptions` sections as one HTML document, each under its heading."""
    parts = []
    for section in position.iterfind("jobDescriptions/jobDescription"):
        heading = child_text(section, "name")
        body = child_text(section, "value")
        if body:
            parts.append(f"<h3>{html.escape(heading)}</h3>\n{body}" if heading else body)
    return "\n".join(parts) or None
