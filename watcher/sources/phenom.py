"""Phenom career sites: `phenom: jobs.acme.com/us/en`, the site's host and locale path.

The list is the search-results page, `GET https://{host}/{locale}/search-results`
(`?from=N&s=1` for later pages): it embeds the search's answer as JSON in a script
(`phApp.ddo = {...}`, the postings under `eagerLoadRefineSearch.data.jobs` beside
`totalHits`), 10 postings a page on most sites. A site whose page embeds none is read
from the API its page calls, `POST https://{host}/widgets` (`ddoKey: refineSearch`, 100
a page), with the CSRF token and settings that first page holds: that page is a
preamble. Past 10,000 the search answers nothing (an Elasticsearch window).

The list has a teaser, not the description, so new postings read theirs from the same
API (`ddoKey: jobDetail`). A posting's page is `https://{host}/{locale}/job/{jobId}/{slug}`.

Phenom sites are on companies' own domains, recognised by their markup
(`board_in_page`); links are recognised offline only on `*.phenompeople.com` hosts,
since `/us/en/job/...` paths are not Phenom's alone. Most sites are a front to another
system the postings apply through (Workday for most): `apply_boards` names those boards.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import orjson

from watcher.model import Posting, Request, Response, SourceError
from watcher.sources.base import ItemSource, expect, host_name, load_json
from watcher.sources.jsonld import page_text
from watcher.text import (
    clean,
    employment,
    html_to_text,
    integer,
    join_place,
    parse_time,
    unique,
    workplace,
)

if TYPE_CHECKING:
    from watcher.sources import Detected

WIDGETS_SIZE = 100
WINDOW = 10_000  # the search answers nothing from this offset on

_LOCALE = r"[a-z0-9_-]+(?:/[a-z0-9_-]+){0,2}"  # us/en, global/en, professionals/us/en
_BOARD = re.compile(rf"^(?P<host>[^/]+)/(?P<locale>{_LOCALE})$")
# Path segments that name a page of the site: what comes before them is the locale path.
_PAGES = frozenset(
    {"search-results", "job", "jobs", "home", "c", "category", "saved-jobs", "widgets"}
)
_LANGUAGE = re.compile(r"^[a-z]{2}(?:[_-][a-z]{2,4})?$")
_ON_PHENOMPEOPLE = re.compile(
    r"^(?P<host>(?!(?:www|cdn|assets|content|static|api)[.-])(?:[a-z0-9-]+\.)+phenompeople\.com)"
    r"/(?P<locale>(?:[a-z0-9_-]+/){0,2}[a-z]{2}(?:[_-][a-z]{2,4})?)"
    r"(?:/(?:search-results|job|jobs|home|c|category)(?:[/?]|$)|/?(?:\?|$))",
    re.IGNORECASE,
)
_MARKUP = re.compile(
    r"cdn\.phenompeople\.com|\bphApp\.ddo\s*=|\bphApp\s*=\s*(?:window\.)?phApp\s*\|\|"
)
_CONFIG = re.compile(r"\bphApp\s*=\s*(?:window\.)?phApp\s*\|\|\s*(?=\{)")
_DDO = re.compile(r"\bphApp\.ddo\s*=\s*(?=\{)")
_TOKEN = re.compile(
    r"""csrfToken["']?\s*[:=]\s*["']([A-Za-z0-9_.~+/=:-]{8,400})["']"""
    r"""|id=["']X-CSRF-TOKEN["'][^>]{0,200}>\s*([A-Za-z0-9_.~+/=:-]{8,400})\s*<""",
    re.IGNORECASE,
)
_BRACE_OR_QUOTE = re.compile(r'["{}]')
_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # after an opening quote
_MARKERS_TRIED = 5


class Phenom(ItemSource):
    key = "phenom"
    label = "Phenom"
    example = "jobs.acme.com/us/en"
    max_pages = 200  # 2,000 postings at the pages' 10 (the window at the API's 100)
    url_patterns = (_ON_PHENOMPEOPLE,)

    @classmethod
    def applies_through(cls, page: Response) -> list[tuple[str, Any]]:
        return [(found.key, found.board) for found in apply_boards(page)]

    @classmethod
    def check_board(cls, board: Any) -> str:
        text = board.strip().lower() if isinstance(board, str) else ""
        text = re.sub(r"^https?://", "", text).rstrip("/").removesuffix("/search-results")
        found = _BOARD.match(text)
        if (
            not found
            or host_name(found["host"]) is None
            or _PAGES.intersection(found["locale"].split("/"))
        ):
            raise ValueError(
                f"{board!r} is not a Phenom site: write its host and locale path, as in "
                f"{cls.example} for https://jobs.acme.com/us/en/search-results"
            )
        return text

    @classmethod
    def board_from(cls, match: re.Match[str]) -> str:
        return f"{match['host']}/{match['locale']}".lower()

    @classmethod
    def board_in_page(cls, page: Response) -> str | None:
        """The site a page is on: Phenom's markup, the host it was read from, and the
        locale path its settings (`baseUrl`, else `country` and `locale`) or its final
        URL name."""
        text = page_text(page)
        if not _MARKUP.search(text):
            return None
        url = urlsplit(page.url)
        config = _object_after(text, _CONFIG) or {}
        locales = (
            _locale_path(urlsplit(clean(config.get("baseUrl")) or "").path),
            _locale_path(url.path),
            _locale_of(config),
        )
        for locale in filter(None, locales):
            try:
                return cls.check_board(f"{url.hostname}/{locale}")
            except ValueError:
                continue
        return None

    @property
    def _host(self) -> str:
        return self.board.split("/", 1)[0]

    @property
    def _site(self) -> str:
        return f"https://{self.board}"

    def first_request(self) -> Request:
        # A preamble when the page embeds no list: then only its token and settings count.
        return Request(self.url(f"{self._site}/search-results"), meta={"preamble": True})

    def _page_request(self, start: int, total: int | None) -> Request:
        return Request(
            self.url(f"{self._site}/search-results?from={start}&s=1"),
            meta={"from": start, "total": total},
        )

    def _widgets_request(
        self, start: int, total: int | None, settings: dict[str, Any], token: str | None
    ) -> Request:
        return Request(
            self.url(f"https://{self._host}/widgets"),
            method="POST",
            json={**settings, "from": start, "size": WIDGETS_SIZE},
            headers={"Accept": "application/json", **({"x-csrf-token": token} if token else {})},
            meta={"from": start, "total": total, "settings": settings, "token": token},
        )

    def split(
        self, request: Request, response: Response
    ) -> tuple[list[dict[str, Any]], Request | None]:
        start = int(request.meta.get("from") or 0)
        if request.method == "POST":
            payload = expect(load_json(response), dict, "the response")
            result = expect(payload.get("refineSearch"), dict, "'refineSearch'")
            listed = _listed(result)
            if listed is None:
                raise SourceError("unexpected response shape: no job list", kind="parse")
        else:
            text = page_text(response)
            listed = _listed(_embedded_search(text))
            if listed is None:
                if not request.meta.get("preamble"):
                    raise SourceError(
                        f"the search page from {start} holds no job list", kind="parse"
                    )
                config = _object_after(text, _CONFIG) or {}
                settings = self._search_settings(config)
                return [], self._widgets_request(0, None, settings, _token(text))
        rows, stated = listed
        total = request.meta.get("total")
        # Only the first page's total counts: past the window the search says 0.
        total = total if isinstance(total, int) else stated
        following = start + len(rows)
        more = bool(rows) and following < WINDOW and (total is None or following < total)
        if not more:
            return rows, None
        if request.method == "POST":
            settings = request.meta.get("settings") or {}
            return rows, self._widgets_request(
                following, total, settings, request.meta.get("token")
            )
        return rows, self._page_request(following, total)

    def _search_settings(self, config: dict[str, Any]) -> dict[str, Any]:
        """The list request's body but for `from` and `size`, as the site's page sends it;
        the page's own settings (`phApp`) where it states them."""
        lang, country = self._language()

        def setting(name: str, default: str) -> str:
            return clean(config.get(name)) or default

        body: dict[str, Any] = {
            "lang": setting("locale", lang),
            "deviceType": "desktop",
            "country": setting("country", country),
            "pageName": "search-results",
            "ddoKey": "refineSearch",
            "sortBy": "",
            "subsearch": "",
            "jobs": True,
            "counts": True,
            "all_fields": ["category", "country", "state", "city", "type"],
            "clearAll": False,
            "jdsource": "facets",
            "isSliderEnable": False,
            "siteType": setting("siteType", "external"),
            "keywords": "",
            "global": True,
            "selected_fields": {},
            "locationData": {},
        }
        for name in ("refNum", "pageId"):
            if value := clean(config.get(name)):
                body[name] = value
        return body

    def _language(self) -> tuple[str, str]:
        """The API's `lang` and `country` from the locale path: `en_us` and `us` for us/en."""
        parts = self.board.split("/")[1:]
        country = parts[-2] if len(parts) >= 2 else ""
        return (f"{parts[-1]}_{country}" if country else parts[-1]), country

    def item_id(self, item: dict[str, Any]) -> str | None:
        return clean(item.get("jobId")) or clean(item.get("reqId"))

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        job_id = self.item_id(item)
        title = clean(item.get("title"))
        if not job_id or not title:
            return None
        slug = "-".join(re.findall(r"\w+", title))
        return Posting(
            id=job_id,
            title=title,
            url=f"{self._site}/job/{quote(job_id, safe='')}/{quote(slug, safe='')}",
            locations=_places(item),
            department=clean(item.get("category")),
            team=clean(item.get("subCategory")),
            employment=employment(item.get("type")),
            workplace=_workplace(item),
            posted_at=parse_time(item.get("postedDate")) or parse_time(item.get("dateCreated")),
            # Until its detail is read: the list's teaser, a few lines of it.
            description=html_to_text(clean(item.get("descriptionTeaser"))),
        )

    def detail_request(self, posting: Posting) -> Request | None:
        lang, country = self._language()
        return Request(
            self.url(f"https://{self._host}/widgets"),
            method="POST",
            json={
                "lang": lang,
                "deviceType": "desktop",
                "country": country,
                "pageName": "job-details",
                "ddoKey": "jobDetail",
                "jobId": posting.id,
                "siteType": "external",
            },
            headers={"Accept": "application/json"},
        )

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        payload = expect(load_json(response), dict, "the response")
        detail = payload.get("jobDetail")
        data = detail.get("data") if isinstance(detail, dict) else None
        job = data.get("job") if isinstance(data, dict) else None
        if not isinstance(job, dict):  # an unknown id answers 200 without a job
            raise SourceError("the posting's detail holds no job (closed?)", kind="parse")
        description = job.get("description")
        described = isinstance(description, str) and bool(description.strip())
        return replace(
            posting,
            locations=posting.locations or _places(job),
            department=posting.department or clean(job.get("category")),
            employment=posting.employment or employment(job.get("type")),
            workplace=posting.workplace or _workplace(job),
            posted_at=posting.posted_at or parse_time(job.get("postedDate")),
            description="" if described else posting.description,
            description_html=description if described else posting.description_html,
        )


def apply_boards(page: Response) -> list[Detected]:
    """The boards of other platforms that a Phenom page's postings apply through (Cisco's
    apply links are on cisco.wd5.myworkdayjobs.com), each once, in the order first seen.
    `page` is a search-results page or the API's list answer."""
    from watcher.sources import detect  # the registry imports every source module

    try:
        payload = orjson.loads(page.body) if page.body.lstrip()[:1] == b"{" else None
    except orjson.JSONDecodeError:
        payload = None
    if isinstance(payload, dict):
        result = payload.get("refineSearch") or payload.get("eagerLoadRefineSearch")
    else:
        result = _embedded_search(page_text(page))
    listed = _listed(result)
    found: dict[tuple[str, str], Detected] = {}
    for row in listed[0] if listed else ():
        link = clean(row.get("applyUrl"))
        board = detect(link) if link else None
        if board is not None and board.source is not Phenom:
            found.setdefault((board.key, repr(board.board)), board)
    return list(found.values())


def _embedded_search(text: str) -> Any:
    """The search answer a page embeds: `eagerLoadRefineSearch` of its `phApp.ddo`."""
    for _, marker in zip(range(_MARKERS_TRIED), _DDO.finditer(text), strict=False):
        ddo = _object_at(text, marker.end())
        if isinstance(ddo, dict) and "eagerLoadRefineSearch" in ddo:
            return ddo["eagerLoadRefineSearch"]
    return None


def _listed(result: Any) -> tuple[list[dict[str, Any]], int | None] | None:
    """The postings of a search answer and its stated total; None when it holds no list
    (an empty board states a total of 0)."""
    if not isinstance(result, dict):
        return None
    data = result.get("data")
    jobs = data.get("jobs") if isinstance(data, dict) else result.get("jobs")
    total = integer(result.get("totalHits"))
    if isinstance(jobs, list) and (jobs or total == 0):
        return [job for job in jobs if isinstance(job, dict)], total
    return None


def _object_after(text: str, marker: re.Pattern[str]) -> dict[str, Any] | None:
    found = marker.search(text)
    parsed = _object_at(text, found.end()) if found else None
    return parsed if isinstance(parsed, dict) else None


def _object_at(text: str, start: int) -> Any:
    """The JSON object that opens at `text[start]`, read to its matching brace (strings
    are skipped whole: braces or `</script>` inside them do not count); None when it does
    not close or is not JSON. One pass over the text, whatever it holds."""
    depth = 0
    position = start
    while found := _BRACE_OR_QUOTE.search(text, position):
        if found.group() == '"':
            rest = _STRING_REST.match(text, found.end())
            if rest is None:
                return None
            position = rest.end()
            continue
        depth += 1 if found.group() == "{" else -1
        position = found.end()
        if depth == 0:
            try:
                return orjson.loads(text[start:position])
            except orjson.JSONDecodeError:
                return None
    return None


def _token(text: str) -> str | None:
    found = _TOKEN.search(text)
    return (found.group(1) or found.group(2)) if found else None


def _locale_path(path: str) -> str | None:
    """`us/en` of `/us/en/search-results` or `/us/en/`: the segments before a page name,
    when they end in a language."""
    parts = [p for p in path.lower().split("/") if p]
    cut = next((i for i, part in enumerate(parts) if part in _PAGES), len(parts))
    locale = parts[:cut]
    if 1 <= len(locale) <= 3 and _LANGUAGE.match(locale[-1]):
        return "/".join(locale)
    return None


def _locale_of(config: dict[str, Any]) -> str | None:
    """`us/en` from a page's settings `country: us` and `locale: en_us`."""
    country = clean(config.get("country"))
    language = (clean(config.get("locale")) or "").split("_")[0]
    return f"{country}/{language}".lower() if country and language else None


def _places(job: dict[str, Any]) -> tuple[str, ...]:
    """Every place of a multi-place posting, else its one place."""
    many = job.get("multi_location")
    places = unique(many) if isinstance(many, list) else ()
    if not places and isinstance(job.get("multi_location_array"), list):
        places = unique(
            p.get("location") for p in job["multi_location_array"] if isinstance(p, dict)
        )
    if places:
        return places
    one = (
        clean(job.get("location"))
        or clean(job.get("cityStateCountry"))
        or join_place(job.get("city"), job.get("state"), job.get("country"))
    )
    return (one,) if one else ()


def _workplace(job: dict[str, Any]) -> str | None:
    """Sites name the field three ways and fill it in their words ("Hybrid", "Onsite
    Only", "Remote Eligible up to 20%": a share of remote work is hybrid)."""
    for key in ("remote", "RemoteType", "remoteType"):
        value = clean(job.get(key))
        if value:
            if "%" in value and "100%" not in value:
                return "hybrid"
            return workplace(value)
    return None
