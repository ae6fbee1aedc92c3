"""Pure text helpers shared by the sources: HTML to text, dates, employment words."""

from __future__ import annotations

import html as _html
import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from selectolax.lexbor import LexborHTMLParser

from watcher.model import Posting

_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_BLOCKS = "p, div, li, br, h1, h2, h3, h4, h5, h6, tr, td, th, ul, ol, section, article, dd, dt"


def html_to_text(markup: str | None) -> str:
    """Plain text of an HTML fragment, one line per block. HTML that is itself
    HTML-escaped (as Greenhouse `content` is: no `<`, but `&lt;`) is unescaped once first."""
    if not markup:
        return ""
    if "<" not in markup and "&lt;" in markup:
        markup = _html.unescape(markup)
    if "<" not in markup:
        return _tidy(_html.unescape(markup))
    tree = LexborHTMLParser(markup)
    for tag in tree.css("script, style"):
        tag.decompose()
    root = tree.body or tree.root
    if root is None:
        return ""
    for node in root.css(_BLOCKS):
        node.insert_after("\n")
    return _tidy(root.text(separator="", strip=False))


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def describe(posting: Posting) -> str:
    """The posting's description as plain text, converting its HTML on first need."""
    if not posting.description and posting.description_html:
        posting.description = html_to_text(posting.description_html)
    return posting.description


def parse_time(value: object) -> datetime | None:
    """An aware UTC datetime from ISO 8601 or RFC 822 text, a written date (`November 28,
    2026`, `Sep 9, 2026`: midnight UTC), epoch seconds or milliseconds."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10_000_000_000 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(" UTC"):  # Recruitee: `2026-08-05 10:10:39 UTC`
        text = text[:-4] + "+00:00"
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:  # RFC 822, as RSS `pubDate` has it
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            written = _written_date(text)
            if written is None:
                return None
            moment = written
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _written_date(text: str) -> datetime | None:
    """`November 28, 2026` or `Sep 9, 2026` (some sites pad the day with a second space)."""
    text = " ".join(text.split())
    for form in ("%B %d, %Y", "%b %d, %Y"):
        try:
            return datetime.strptime(text, form).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


_EMPLOYMENT = (
    ("intern", "intern"),
    ("trainee", "intern"),
    ("apprentice", "intern"),
    ("working student", "intern"),
    ("werkstudent", "intern"),
    ("part", "part-time"),
    ("teilzeit", "part-time"),
    ("contract", "contract"),
    ("freelance", "contract"),
    ("contractor", "contract"),
    ("temp", "temporary"),
    ("seasonal", "temporary"),
    ("full", "full-time"),
    ("vollzeit", "full-time"),
    ("permanent", "full-time"),
    ("regular", "full-time"),
)


def employment(value: object) -> str | None:
    """Normalise a platform's employment type (`FullTime`, `FULL_TIME`, `Full-time`...)."""
    if not isinstance(value, str) or not value.strip():
        return None
    low = fold(value).replace("_", " ")
    for needle, kind in _EMPLOYMENT:
        if needle in low:
            return kind
    return low.replace("_", "-").replace(" ", "-")


def workplace(value: object) -> str | None:
    """Normalise a workplace type (`Remote`, `REMOTE`, `Hybrid`, `OnSite`, `on-site`...)."""
    if not isinstance(value, str) or not value.strip():
        return None
    low = fold(value).replace("-", "").replace("_", "").replace(" ", "")
    if "remote" in low:
        return "remote"
    if "hybrid" in low:
        return "hybrid"
    if "onsite" in low or "office" in low:
        return "onsite"
    return None


def fold(text: str) -> str:
    """Lower case without accents, for comparisons."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_PERIOD_WORDS = (
    ("year", "year"),
    ("annu", "year"),
    ("month", "month"),
    ("week", "week"),
    ("day", "day"),
    ("daily", "day"),
    ("hour", "hour"),
)


def pay_period(value: object) -> str | None:
    """year, month, week, day or hour from any platform's spelling of a pay period
    (`YEAR`, `yearly`, `per-year-salary`, `1 YEAR`, `hourly`...); None for `2 WEEK`,
    `one-time` and anything else without a single period."""
    text = fold(value) if isinstance(value, str) else ""
    count = re.match(r"\s*(\d+)\s", text)
    if count and count.group(1) != "1":
        return None
    return next((name for needle, name in _PERIOD_WORDS if needle in text), None)


def number(value: object) -> float | None:
    """A float from a number or a numeric string (`"120,000"`); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", "").strip())
        except ValueError:
            return None
    return None


def integer(value: object) -> int | None:
    """`value` when it is an int (a count or a total a body states), not a bool; else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def unique(values: Iterable[object]) -> tuple[str, ...]:
    """The non-empty strings among `values`, stripped, first occurrence kept, in order."""
    return tuple(dict.fromkeys(text for text in map(clean, values) if text))


def clean(value: object) -> str | None:
    """A stripped string, or None for anything empty or not a string."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def one_line(value: object, limit: int = 200) -> str:
    """Text a site sent, for a one-line message: whitespace collapsed, cut at `limit`."""
    return " ".join(str(value).split())[:limit]


def join_place(*parts: object) -> str | None:
    """`Berlin, Germany` from parts, skipping empty and repeated ones."""
    seen: list[str] = []
    for part in parts:
        text = clean(part)
        if text and text not in seen:
            seen.append(text)
    return ", ".join(seen) or None
