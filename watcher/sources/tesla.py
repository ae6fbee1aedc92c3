"""Tesla's careers site (tesla.com/careers): the document its search page loads, and the
JSON of each new posting.

    GET https://www.tesla.com/cua-api/apps/careers/state        Accept: application/json
    ->  {lookup: {locations: {"401022": "Palo Alto, California"}, departments: {"5": "Tesla AI"},
                  sites: {"US": "United States of America"}, regions: {...},
                  types: {"1": "fulltime", "3": "intern"}},
         geo: [{id: region, sites: [{id: "US", states: [{id: "CA", cities: {name: [ids]}}]},
                                    {id: "DE", cities: {name: [location ids]}}]}],
         listings: [{id: "224501", t: title, dp: department id, f: job family id,
                     l: location id, y: type id, sp: sort priority, pu: post-until date}]}

    GET https://www.tesla.com/cua-api/careers/job/{id}          Accept: application/json
    ->  {id, title, department, jobFamily, location, timeType: "Full-time",
         url: "/careers/search/job/{slug}-{id}", jobDescription, jobResponsibilities,
         jobRequirements, jobCompensationAndBenefits (HTML), ...}

The state is every opening of every country in one document (no paging), and takes no
search parameter: the site's own search box filters it in the page. A site's search is
applied here the same way: every word of `query` starts a word of the title, and
`location` is a part of the place (`Berlin`, `Texas`, `Germany`) or a country's code as
the site's links write it (`US`, `DE`); several places separated by `;`, any one will do.
A posting's place is its location's name and the country the `geo` tree files it under.

Nothing in the list dates a posting; ids grow with time, so postings are listed newest id
first. Its description, team (job family) and pay come from the posting's JSON, read once
for new postings, at most `max_details` a check, newest first: the first check of a site
stores every opening (a silent baseline) and reads 100 of those, later checks the rest.

The site sits behind a bot manager (Akamai) that refuses plain HTTP clients (HTTP 403):
the error then says to read the site with `render: browser`, which makes both requests
from a page of www.tesla.com, with the cookies that page got.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar

from watcher.model import Page, Posting, Request, Response, SourceError
from watcher.sources.base import expect, first_by_id, items, load_json
from watcher.sources.search import SearchBoard, SearchSource, link_param
from watcher.text import clean, employment, fold, join_place

SITE = "https://www.tesla.com"
STATE = f"{SITE}/cua-api/apps/careers/state"
DETAIL = f"{SITE}/cua-api/careers/job/{{id}}"
REFUSED = "Tesla refused a plain client (HTTP {status}): add `render: browser` to this site"
# The type ids the site's links and public scrapers use, for a state without `lookup.types`.
TYPES = {"1": "fulltime", "2": "parttime", "3": "intern", "4": "seasonal"}
# The posting JSON's HTML parts, under the headings its page gives them.
SECTIONS = (
    ("jobDescription", "What to Expect"),
    ("jobResponsibilities", "What You'll Do"),
    ("jobRequirements", "What You'll Bring"),
    ("jobCompensationAndBenefits", "Compensation and Benefits"),
)
_LOCALE = r"(?:[a-z]{2}(?:_[a-z]{2})?/)?"  # en_GB/, ro_RO/, zh_CN/
_END = r"/?(?:[?#].*)?$"
_JOB_PATH = re.compile(r"/(?:[a-z]{2}(?:_[a-z]{2})?/)?careers/search/job/[\w-]*\d", re.IGNORECASE)
_ID = re.compile(r"[0-9]{1,15}")
_WORD = re.compile(r"\w+")
_CODE = re.compile(r"[A-Za-z]{2}")


class Tesla(SearchSource):
    key = "tesla"
    label = "Tesla"
    example = "all"
    max_pages = 1  # the whole site in one document
    render = "browser"  # behind a bot manager that refuses plain clients
    max_details: ClassVar[int] = 100  # posting JSONs read per check
    url_patterns = (
        re.compile(
            rf"^tesla\.com/{_LOCALE}careers/search/job/(?:apply/)?[\w-]*\d{{1,12}}(?:/apply)?{_END}",
            re.IGNORECASE,
        ),
        re.compile(
            rf"^tesla\.com/{_LOCALE}careers/search/?(?:\?(?P<search>[^#]*))?(?:#.*)?$",
            re.IGNORECASE,
        ),
        re.compile(rf"^tesla\.com/{_LOCALE}careers{_END}", re.IGNORECASE),
        # the older careers host: careers.tesla.com/en_US/job/title-123
        re.compile(
            rf"^careers\.tesla\.com/{_LOCALE}(?:job/[\w-]*\d{{1,12}})?{_END}", re.IGNORECASE
        ),
        re.compile(rf"^tesla\.com/cua-api/(?:apps/careers/state|careers/job/\d{{1,12}}){_END}"),
    )

    def __init__(self, board: Any, api: str | None = None):
        super().__init__(board, api)
        self._details_left = self.max_details

    @classmethod
    def board_from(cls, match: re.Match[str]) -> Any:
        search = match.groupdict().get("search")
        if not search:
            return "all"
        # The country box writes `site=US` (older links `country=US`); its other filters
        # (region, department, type) are not kept.
        code = link_param("?" + search, "site", "country")
        return SearchBoard(
            query=link_param("?" + search, "query"),
            location=code.upper() if _CODE.fullmatch(code) else "",
        )

    def first_request(self) -> Request:
        return Request(
            self.url(STATE), headers={"Accept": "application/json"}, meta={"refused": REFUSED}
        )

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        payload = expect(load_json(response), dict, "the response")
        rows = items(payload, "listings")
        lookup = expect(payload.get("lookup"), dict, "'lookup'")
        places = _table(lookup, "locations")
        departments = _table(lookup, "departments")
        types = _table(lookup, "types") or TYPES
        countries = _table(lookup, "sites")
        filed = dict(_filed(payload.get("geo")))
        wanted = _Search(self.board)
        postings: list[Posting] = []
        for row in rows:
            job_id, title = clean(row.get("id")), clean(row.get("t"))
            if not job_id or not _ID.fullmatch(job_id) or not title:
                continue
            location = clean(row.get("l"))
            code = filed.get(location) if location else None
            place = _place(places.get(location or ""), countries.get(code or ""))
            if not wanted.matches(title, place, code):
                continue
            postings.append(
                Posting(
                    id=job_id,
                    title=title,
                    url=job_url(title, job_id),
                    locations=(place,) if place else (),
                    department=departments.get(clean(row.get("dp")) or ""),
                    employment=employment(types.get(clean(row.get("y")) or "")),
                )
            )
        # The newest first, so that each check's posting reads go to them.
        postings.sort(key=lambda p: int(p.id), reverse=True)
        return Page(first_by_id(postings))

    def detail_request(self, posting: Posting) -> Request | None:
        if self._details_left <= 0:
            return None  # read at a later check
        self._details_left -= 1
        return Request(
            self.url(DETAIL.format(id=posting.id)),
            headers={"Accept": "application/json"},
            meta={"refused": REFUSED},
        )

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        job = expect(load_json(response), dict, "the posting")
        parts = [(heading, job.get(key)) for key, heading in SECTIONS]
        body = "".join(f"<h3>{h}</h3>{text}" for h, text in parts if clean(text))
        body = body or clean(job.get("description")) or ""
        if not body and not clean(job.get("title")):
            raise SourceError(
                "Tesla's answer for the posting holds no job (closed since the list?)",
                kind="parse",
            )
        path = clean(job.get("url"))
        return replace(
            posting,
            url=SITE + path if path and _JOB_PATH.fullmatch(path) else posting.url,
            team=clean(job.get("jobFamily")),
            employment=employment(job.get("timeType")) or posting.employment,
            description_html=body or None,
        )


def job_url(title: str, job_id: str) -> str:
    """The posting's page, `/careers/search/job/{slug}-{id}` as the site links it (the
    site finds a posting by the id at its end, whatever the slug)."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")
    return f"{SITE}/careers/search/job/{slug + '-' if slug else ''}{job_id}"


class _Search:
    """A site's search, applied to the listings as the site's own search box does."""

    def __init__(self, board: SearchBoard):
        self.words = [
            re.compile(rf"(?<!\w){re.escape(w)}") for w in _WORD.findall(fold(board.query))
        ]
        self.places = [fold(p.strip()) for p in board.location.split(";") if p.strip()]

    def matches(self, title: str, place: str | None, code: str | None) -> bool:
        folded = fold(title)
        if not all(word.search(folded) for word in self.words):
            return False
        if not self.places:
            return True
        where = fold(place or "")
        return any(
            (code is not None and wanted == fold(code))
            or re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", where) is not None
            for wanted in self.places
        )


def _table(lookup: dict[str, Any], name: str) -> dict[str, str]:
    """One lookup table (id -> name), its names cleaned; {} when absent or not a table."""
    table = lookup.get(name)
    if not isinstance(table, dict):
        return {}
    return {str(key): text for key, value in table.items() if (text := clean(value))}


def _filed(geo: Any) -> Iterator[tuple[str, str]]:
    """(location id, country code) for every location the `geo` tree files under a country:
    its cities directly, or under its states."""
    regions = geo if isinstance(geo, list) else []
    for region in regions:
        countries = region.get("sites") if isinstance(region, dict) else None
        for country in countries if isinstance(countries, list) else []:
            code = clean(country.get("id")) if isinstance(country, dict) else None
            if not code:
                continue
            states = country.get("states")
            groups = [country, *(states if isinstance(states, list) else [])]
            for group in groups:
                cities = group.get("cities") if isinstance(group, dict) else None
                for ids in cities.values() if isinstance(cities, dict) else []:
                    for location in ids if isinstance(ids, list) else [ids]:
                        if text := clean(location):
                            yield text, code


def _place(location: str | None, country: str | None) -> str | None:
    """`Palo Alto, California, United States of America`: the location's name, and its
    country unless the name already ends with it."""
    if location and country and fold(location).endswith(fold(country)):
        return location
    return join_place(location, country)
