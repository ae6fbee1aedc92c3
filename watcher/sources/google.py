"""Google's own careers site: the results pages, 20 postings a page.

`GET www.google.com/about/careers/applications/jobs/results?q=...&location=...&page=N`
(newest first: `sort_by=date`) is a web page; its postings are positional arrays in the
page's `AF_initDataCallback({key: 'ds:1', ..., data: [...]})` call, as
`[records, null, total, page size]`. Each record is an array whose places are read by
position: id, title, apply link, responsibilities, qualifications, company path,
company name, language, locations, about the job, ..., three timestamps. That shape is
Google's and changes without notice: every record is checked position by position, and
one that does not fit fails the read with the reason (never a wrong posting).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

import orjson

from watcher.model import Page, Posting, Request, Response, SourceError
from watcher.sources.jsonld import page_text
from watcher.sources.search import SearchBoard, SearchSource, link_param
from watcher.text import clean, integer, parse_time, unique

SITE = "https://www.google.com/about/careers/applications/jobs/results"
PAGE = 20  # what Google says in `data[3]`; used when it says nothing
_RESULTS = r"jobs/results"
_APPLICATIONS = r"^google\.com/about/careers/applications/(?:u/\d+/)?"
_OLD_HOST = r"^careers\.google\.com/"  # the old site, which sends to the new one
_CALL = re.compile(r"AF_initDataCallback\s*\(\s*\{[^{}]{0,200}?\bkey\s*:\s*(['\"])ds:1\1")
_DATA = re.compile(r"\bdata\s*:\s*")
# A JS string (either quote) or a bracket: enough to find where the data array ends.
_TOKEN = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[\[\]{}]", re.S)
_NOT_JSON_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|[^\"\\/bfnrtu])")
_ID = re.compile(r"\d{1,30}")


class Google(SearchSource):
    key = "google"
    label = "Google"
    example = "all"
    # 1,000 newest postings a check: each page is a whole web page (a few hundred KB).
    max_pages = 50
    url_patterns = (
        re.compile(rf"{_APPLICATIONS}{_RESULTS}/(?P<job>\d+)(?:-[^/?#]*)?/?(?:[?#]|$)"),
        re.compile(rf"{_APPLICATIONS}{_RESULTS}/?(?:\?|$)"),
        re.compile(rf"{_OLD_HOST}{_RESULTS}/(?P<job>\d+)(?:-[^/?#]*)?/?(?:[?#]|$)"),
        re.compile(rf"{_OLD_HOST}{_RESULTS}/?(?:\?|$)"),
    )

    @classmethod
    def board_from(cls, match: re.Match[str]) -> SearchBoard:
        """A posting link names the whole site; a results link the search it shows (its
        first location, when it names several)."""
        if "job" in match.groupdict():
            return SearchBoard()
        return SearchBoard(
            query=link_param(match.string, "q"), location=link_param(match.string, "location")
        )

    def first_request(self) -> Request:
        return self._page(1)

    def _page(self, number: int) -> Request:
        query = {
            "q": self.board.query.strip(),
            "location": self.board.location.strip(),
            "sort_by": "date",
            "page": number,
        }
        wanted = {k: v for k, v in query.items() if v != ""}
        return Request(
            self.url(f"{SITE}?{urlencode(wanted, quote_via=quote)}"),
            headers={"Accept": "text/html"},
            meta={"page": number},
        )

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        data = results_data(page_text(response))
        records, total, size = _top(data)
        postings = [_posting(record, index) for index, record in enumerate(records)]
        number = int(request.meta.get("page") or 1)
        more = bool(records) and (
            len(records) >= size or (total is not None and number * size < total)
        )
        return Page(postings, self._page(number + 1) if more else None)


def results_data(page: str) -> Any:
    """The `data:` value of the page's `ds:1` callback, as Python values."""
    call = _CALL.search(page)
    if call is None:
        raise SourceError(
            "the results page has no ds:1 data (the page changed shape)", kind="parse"
        )
    following = page.find("AF_initDataCallback", call.end())
    data = _DATA.search(page, call.end(), following if following >= 0 else len(page))
    if data is None or page[data.end() : data.end() + 1] != "[":
        raise SourceError(
            "the ds:1 call holds no data array (the page changed shape)", kind="parse"
        )
    return _js_array(page, data.end())


def _js_array(text: str, start: int) -> Any:
    """The JS array literal at `start`, decoded: found by its matching bracket (strings
    skipped), read as JSON, with JS-only string forms (single quotes, `\\x3c`) turned into
    JSON's first when there are any."""
    literal = ""
    open_: list[str] = []
    needs_conversion = False
    for token in _TOKEN.finditer(text, start):
        kind = token.group()
        if kind in "[{":
            open_.append("]" if kind == "[" else "}")
        elif kind in "]}":
            if not open_ or open_.pop() != kind:
                break
            if not open_:
                literal = text[start : token.end()]
                break
        elif kind[0] == "'" or _NOT_JSON_ESCAPE.search(kind):
            needs_conversion = True
    if not literal:
        raise SourceError(
            "the ds:1 data array is not closed (the page changed shape)", kind="parse"
        )
    if needs_conversion:
        literal = _TOKEN.sub(_as_json_string, literal)
    try:
        return orjson.loads(literal)
    except orjson.JSONDecodeError:
        raise SourceError("the ds:1 data is not the JSON-like array it was", kind="parse") from None


def _as_json_string(token: re.Match[str]) -> str:
    """A JS string token as a JSON string; brackets pass unchanged."""
    text = token.group()
    if text[0] not in "'\"":
        return text
    # JS writes characters past U+FFFF as surrogate pairs: join them, replace a lone one
    unescaped = _js_unescape(text[1:-1]).encode("utf-16", "surrogatepass")
    return orjson.dumps(unescaped.decode("utf-16", "replace")).decode()


_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|\n|.)", re.S)


def _js_unescape(body: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "xu" and len(code) > 1:
            digits = code[1:].strip("{}")
            try:
                return chr(int(digits, 16))
            except ValueError:  # past the last code point
                return "\ufffd"
        if code == "\n":  # a line continuation
            return ""
        return _SIMPLE_ESCAPES.get(code, code)

    return _ESCAPE.sub(one, body)


def _top(data: Any) -> tuple[list[Any], int | None, int]:
    """(records, total, page size) of `[records, null, total, page size]`."""
    if not isinstance(data, list):
        raise _shape("the ds:1 data is not a list")
    records = data[0] if data else None
    if records is None:
        records = []
    if not isinstance(records, list):
        raise _shape(f"the ds:1 records are {type(records).__name__}, not a list")
    total = integer(data[2]) if len(data) > 2 else None
    size = integer(data[3]) if len(data) > 3 else None
    if size is None or size <= 0:
        size = PAGE
    return records, total, size


def _posting(record: Any, index: int) -> Posting:
    """One record, its places checked: a record that does not fit fails the read."""
    if not isinstance(record, list) or len(record) < 13:
        size = len(record) if isinstance(record, list) else type(record).__name__
        raise _shape(f"record {index + 1} is not the 21-place array ({size})")

    def check(position: int, ok: bool, want: str) -> None:
        if not ok:
            got = type(record[position]).__name__
            raise _shape(f"record {index + 1} has {got} at place {position}, not {want}")

    job_id, title = record[0], record[1]
    check(0, isinstance(job_id, str) and _ID.fullmatch(job_id) is not None, "a numeric id")
    check(1, isinstance(title, str) and bool(title.strip()), "a title")
    for position in (3, 4, 10):
        check(position, _is_text_pair(record[position]), "[null, text]")
    check(7, record[7] is None or isinstance(record[7], str), "a company name")
    places = record[9]
    check(9, places is None or isinstance(places, list), "a list of locations")
    for place in places or []:
        check(9, isinstance(place, list) and bool(place) and isinstance(place[0], str), "places")
    check(12, record[12] is None or _is_stamp(record[12]), "a [seconds, nanos] time")
    return Posting(
        id=job_id,
        title=title.strip(),
        url=f"{SITE}/{job_id}-{_slug(title)}",
        locations=unique(place[0] for place in places or []),
        department=clean(record[7]),
        posted_at=parse_time(record[12][0]) if record[12] else None,
        description_html=_description(record),
    )


def _description(record: list[Any]) -> str | None:
    """About the job, its responsibilities, then the qualifications (headed by Google)."""
    about, duties, wanted = (_text(record[i]) for i in (10, 3, 4))
    parts = list(_sections((("About the job", about), ("Responsibilities", duties))))
    if wanted:
        parts.append(wanted)
    return "\n".join(parts) or None


def _sections(pairs: tuple[tuple[str, str | None], ...]) -> Iterator[str]:
    for heading, body in pairs:
        if body:
            yield f"<h3>{html.escape(heading)}</h3>{body}"


def _text(pair: Any) -> str | None:
    text = pair[1] if isinstance(pair, list) and len(pair) > 1 else None
    return text if isinstance(text, str) and text.strip() else None


def _is_text_pair(value: Any) -> bool:
    return value is None or (
        isinstance(value, list) and all(v is None or isinstance(v, str) for v in value[:2])
    )


def _is_stamp(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and integer(value[0]) is not None


def _slug(title: str) -> str:
    """`software-engineer-chrome-networking-security`, as Google's own links end."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def _shape(reason: str) -> SourceError:
    return SourceError(f"Google's results changed shape: {reason}", kind="parse")
