"""Workday career sites: `POST {tenant}.wdN.myworkdayjobs.com/wday/cxs/{tenant}/{site}/jobs`.

Some tenants are on the shared host instead, with the tenant in the path: the board
`wdN.myworkdaysite.com/recruiting/{tenant}/{site}` reads from
`POST wdN.myworkdaysite.com/wday/cxs/{tenant}/{site}/jobs`, and its postings' pages
are under `/recruiting/{tenant}/{site}`. Its board id is written
`wdN.myworkdaysite.com/{tenant}/{site}`.

The list comes 20 postings a page and has neither the description nor the
places of a multi-site posting ("3 Locations"), so new postings read their
detail, `GET /wday/cxs/{tenant}/{site}{externalPath}`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from watcher.model import Posting, Request, Response
from watcher.sources.base import ItemSource, expect, items, load_json
from watcher.text import clean, employment, integer, parse_time, unique, workplace

LIMIT = 20
_HOST = r"(?P<tenant>[a-z0-9][a-z0-9_-]*)\.(?P<shard>wd\d{1,3})\.myworkdayjobs\.com"
_SITE = r"(?P<site>[A-Za-z0-9][A-Za-z0-9_-]*)"
_LOCALE = r"[a-z]{2}-[A-Za-z0-9]{2,3}"  # en-US, es-419
_SHARED = r"(?P<shard>wd\d{1,3})\.myworkdaysite\.com"
_TENANT = r"(?P<tenant>[a-z0-9][a-z0-9_-]*)"
_BOARD = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_-]*)\.(wd\d{1,3})/([A-Za-z0-9][A-Za-z0-9_-]*)$", re.I)
_SHARED_BOARD = re.compile(
    r"^(wd\d{1,3})\.myworkdaysite\.com/([A-Za-z0-9][A-Za-z0-9_-]*)/([A-Za-z0-9][A-Za-z0-9_-]*)$",
    re.I,
)
_COUNTED = re.compile(r"^\d+\s+locations?$", re.I)  # "3 Locations": a count, not a place
_POSTED = re.compile(r"posted\s+(?:(today)|(yesterday)|(\d+)\+?\s+days?\s+ago)", re.I)


class Workday(ItemSource):
    key = "workday"
    label = "Workday"
    example = "autodesk.wd1/Ext"
    max_pages = 100  # 2000 postings: some tenants refuse offsets beyond that anyway
    url_patterns = (
        re.compile(rf"^{_HOST}/wday/cxs/[A-Za-z0-9_-]+/{_SITE}(?:/|$|\?)"),
        re.compile(rf"^{_HOST}/(?:{_LOCALE}/)?(?!wday/|{_LOCALE}(?:/|$|\?)){_SITE}(?:/|$|\?)"),
        re.compile(rf"^{_SHARED}/wday/cxs/{_TENANT}/{_SITE}(?:/|$|\?)"),
        re.compile(rf"^{_SHARED}/(?:{_LOCALE}/)?recruiting/{_TENANT}/{_SITE}(?:/|$|\?)"),
    )

    @classmethod
    def check_board(cls, board: Any) -> Any:
        text = board.strip() if isinstance(board, str) else ""
        if match := _BOARD.match(text):
            tenant, shard, site = match.groups()
            return f"{tenant.lower()}.{shard.lower()}/{site}"
        if match := _SHARED_BOARD.match(text):
            shard, tenant, site = match.groups()
            return f"{shard.lower()}.myworkdaysite.com/{tenant.lower()}/{site}"
        raise ValueError(
            f"{board!r} is not a Workday board: write it as tenant.wdN/site, as in "
            f"{cls.example} for https://autodesk.wd1.myworkdayjobs.com/en-US/Ext, or "
            "wdN.myworkdaysite.com/tenant/site for "
            "https://wdN.myworkdaysite.com/recruiting/tenant/site"
        )

    @classmethod
    def board_from(cls, match: re.Match[str]) -> Any:
        if "myworkdaysite" in match.re.pattern:
            return f"{match['shard']}.myworkdaysite.com/{match['tenant']}/{match['site']}"
        return f"{match['tenant']}.{match['shard']}/{match['site']}"

    @property
    def _shared(self) -> bool:
        return ".myworkdaysite.com/" in self.board

    @property
    def _parts(self) -> tuple[str, str, str]:
        """tenant, shard (wdN), site."""
        if self._shared:
            host, tenant, site = self.board.split("/")
            return tenant, host.split(".")[0], site
        host, site = self.board.split("/")
        tenant, shard = host.split(".")
        return tenant, shard, site

    @property
    def _origin(self) -> str:
        tenant, shard, _ = self._parts
        if self._shared:
            return f"https://{shard}.myworkdaysite.com"
        return f"https://{tenant}.{shard}.myworkdayjobs.com"

    @property
    def _api(self) -> str:
        tenant, _, site = self._parts
        return f"{self._origin}/wday/cxs/{tenant}/{site}"

    @property
    def _site_url(self) -> str:
        """Where the postings' public pages are (their `externalPath` follows)."""
        tenant, _, site = self._parts
        if self._shared:
            return f"{self._origin}/recruiting/{tenant}/{site}"
        return f"{self._origin}/{site}"

    def first_request(self) -> Request:
        return self._list_request(0, None)

    def _list_request(self, offset: int, total: int | None) -> Request:
        return Request(
            self.url(f"{self._api}/jobs"),
            method="POST",
            json={"appliedFacets": {}, "limit": LIMIT, "offset": offset, "searchText": ""},
            headers={"Accept": "application/json"},
            meta={"offset": offset, "total": total},
        )

    def split(
        self, request: Request, response: Response
    ) -> tuple[list[dict[str, Any]], Request | None]:
        payload = expect(load_json(response), dict, "the response")
        rows = items(payload, "jobPostings")
        offset = int(request.meta.get("offset") or 0)
        # Only the first page's `total` is real: later pages often say 0.
        total = request.meta.get("total")
        if total is None:
            total = integer(payload.get("total"))
        following = offset + LIMIT
        more = bool(rows) and (following < total if total is not None else len(rows) >= LIMIT)
        return rows, self._list_request(following, total) if more else None

    def item_id(self, item: dict[str, Any]) -> str | None:
        path = _path(item)
        bullets = item.get("bulletFields")
        req = clean(bullets[0]) if isinstance(bullets, list) and bullets else None
        # Most tenants put the requisition id first, which the path ends with; some put
        # a team or a place there instead, which would merge unrelated postings.
        if req and path and req not in path:
            req = None
        return req or path

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        title = clean(item.get("title"))
        path = _path(item)
        job_id = self.item_id(item)
        if not job_id or not title:
            return None
        where = clean(item.get("locationsText"))
        return Posting(
            id=job_id,
            title=title,
            url=f"{self._site_url}{path}" if path else "",
            locations=(where,) if where and not _COUNTED.match(where) else (),
            employment=employment(item.get("timeType")),
            workplace=workplace(item.get("remoteType")),
            posted_at=posted_on(item.get("postedOn"), now),
        )

    def detail_request(self, posting: Posting) -> Request | None:
        if not posting.url.startswith(self._site_url + "/"):
            return None
        path = posting.url.removeprefix(self._site_url)
        return Request(self.url(f"{self._api}{path}"), headers={"Accept": "application/json"})

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        payload = expect(load_json(response), dict, "the response")
        info = expect(payload.get("jobPostingInfo"), dict, "'jobPostingInfo'")
        extra = info.get("additionalLocations")
        places = [info.get("location"), *(extra if isinstance(extra, list) else [])]
        locations = unique(places)
        description = info.get("jobDescription")
        if not isinstance(description, str):
            description = posting.description_html
        return replace(
            posting,
            locations=locations or posting.locations,
            employment=employment(info.get("timeType")) or posting.employment,
            workplace=workplace(info.get("remoteType")) or posting.workplace,
            posted_at=parse_time(info.get("startDate")) or posting.posted_at,
            description_html=description,
        )


def _path(row: dict[str, Any]) -> str | None:
    path = clean(row.get("externalPath"))
    return "/" + path if path and not path.startswith("/") else path


def posted_on(value: object, now: datetime) -> datetime | None:
    """The day a posting went up, from Workday's "Posted 3 Days Ago" (30+ counts as 30).

    Truncated to the day so that the same posting read on later days keeps its date.
    """
    match = _POSTED.search(value) if isinstance(value, str) else None
    if not match:
        return None
    days = 0 if match[1] else 1 if match[2] else int(match[3])
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days)
