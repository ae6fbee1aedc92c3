"""Helpers for platforms read from server-rendered careers pages (Avature, SuccessFactors
RMK, Taleo): what a field's label names, dates as pages write them, "1-20 of 720"
legends, the board a company's own page links to.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from watcher.model import Response
from watcher.sources.base import Source
from watcher.sources.jsonld import absolute_url, page_text
from watcher.text import fold, join_place

HTML_ACCEPT = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}

# What a field's label names, first match wins (labels are folded: lower case, no accents).
_KINDS = (
    ("pay", ("pay", "salary", "compensation", "wage", "remuneration", "gehalt", "salario")),
    ("workplace", ("remote", "workplace", "work arrangement", "work model", "on-site", "onsite")),
    (
        "employment",
        (
            "full/part",
            "full-time",
            "part-time",
            "employment",
            "job type",
            "type of contract",
            "contract type",
            "schedule",
            "position type",
            "worker type",
            "time type",
            "shift type",
            "jornada",
        ),
    ),
    ("posted", ("posting date", "date posted", "posted", "publication date", "published")),
    ("city", ("city", "town", "ort")),
    ("country", ("country", "land", "pais")),
    ("state", ("state", "province", "region", "county")),
    ("location", ("location", "standort", "ubicacion", "lieu", "where")),
    (
        "department",
        (
            "department",
            "business unit",
            "division",
            "job family",
            "functional area",
            "category",
            "function",
            "area",
            "team",
            "practice",
            "family",
        ),
    ),
    ("posted", ("date",)),
)


def field_kind(label: str | None) -> str | None:
    """pay, workplace, employment, posted, city, state, country, location or department:
    what a page's label ("Full/Part Time", "Posting Date:", "Job Family") names."""
    if not label:
        return None
    text = " ".join(fold(label).replace(":", " ").split())
    for kind, needles in _KINDS:
        if any(_has_words(text, needle) for needle in needles):
            return kind
    return None


def field_place(fields: dict[str, str]) -> str | None:
    """The place of a posting's fields sorted by `field_kind`: its location field, else
    its city, state and country joined."""
    return fields.get("location") or join_place(
        fields.get("city"), fields.get("state"), fields.get("country")
    )


def _has_words(text: str, needle: str) -> bool:
    """`needle` in `text` on word boundaries ("area" in "work area", not in "career")."""
    return re.search(rf"(?<![a-z]){re.escape(needle)}(?![a-z])", text) is not None


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "janv", "ene", "gen"),
            ("feb", "fev", "fevr"),
            ("mar", "mars", "marz", "maerz"),
            ("apr", "avr", "abr"),
            ("may", "mai", "mayo", "mag"),
            ("jun", "juin", "juni"),
            ("jul", "juil", "juli"),
            ("aug", "aou", "ago"),
            ("sep", "sept", "set"),
            ("oct", "okt", "ott"),
            ("nov",),
            ("dec", "dez", "dic"),
        ),
        start=1,
    )
    for name in names
}
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\.?[-/ ]([^\W\d_]{3,9})\.?[-/ ,]+(\d{4})\b")
_MONTH_DAY_YEAR = re.compile(r"\b([^\W\d_]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})([/.])(\d{1,2})\2(\d{4}|\d{2})\b")


def written_date(value: object) -> datetime | None:
    """The day a page writes in text ("Posted 05-Oct-2026", "Sep 23, 2026", "Friday,
    October 2, 2026", "2026-10-05", "10/02/2026"), as midnight UTC; None when there is
    none. Slashes are read month first (US), dots day first; a first number over 12 is
    a day either way."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if found := _ISO_DAY.search(text):
        return _day(*(int(g) for g in found.groups()))
    for pattern, order in ((_DAY_MONTH_YEAR, (3, 2, 1)), (_MONTH_DAY_YEAR, (3, 1, 2))):
        for found in pattern.finditer(text):
            year, month, day = (found.group(i) for i in order)
            number = _MONTHS.get(fold(month)[:4]) or _MONTHS.get(fold(month)[:3])
            if number:
                return _day(int(year), number, int(day))
    if found := _NUMERIC.search(text):
        first, separator, second, year = found.groups()
        month, day = int(first), int(second)
        if separator == "." or month > 12:
            month, day = day, month
        return _day(int(year) + (2000 if len(year) == 2 else 0), month, day)
    return None


def _day(year: int, month: int, day: int) -> datetime | None:
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None


_RANGE = re.compile(
    r"(\d[\d,.]*)\s*(?:[-–—]|\b(?:to|bis|à|a|al)\b)\s*(\d[\d,.]*)\D{1,40}?(\d[\d,.]*)(\+?)"
)


def range_legend(text: str | None) -> tuple[int, int, int | None] | None:
    """(first, last, total) of a results legend: "1-20 of 720 results", "Results 1 – 25
    of 300", "Showing 1 to 10 of 42 jobs", "1-12 von 1.234"; the total is None when it is
    capped ("999+")."""
    found = _RANGE.search(text or "")
    if not found:
        return None
    first, last, total = (int(re.sub(r"[,.]", "", g)) for g in found.groups()[:3])
    if first > last:
        return None
    return first, last, None if found.group(4) else total


def board_in_links(source: type[Source], page: Response, selector: str = "a[href]") -> Any | None:
    """The board a page belongs to by its final URL, else the first of its links (`href`,
    `src` or `action` of the elements `selector` picks) that `source` recognises."""
    from watcher.sources import detect_with  # the registry imports every source module

    found = detect_with(source, page.url)
    if found:
        return found.board
    tree = LexborHTMLParser(page_text(page))
    for node in tree.css(selector):
        for attr in ("href", "src", "action"):
            link = absolute_url(page.url, node.attributes.get(attr))
            if link and (found := detect_with(source, link)):
                return found.board
    return None
