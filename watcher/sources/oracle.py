"""Oracle Recruiting Cloud (Candidate Experience career sites on `*.oraclecloud.com`).

A board is `{host}/{site}`: the tenant's host without `.oraclecloud.com`
(`eeho.fa.us2`, `fa-eups-saasfaprod1.fa.ocs`) and the career site's number (`CX_1`),
as in `https://eeho.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1`.

The list is `GET /hcmRestApi/resources/latest/recruitingCEJobRequisitions` with a
`findReqs` finder, 200 a page, newest first; the postings are `items[0].requisitionList`.
What public scrapers of it learnt the hard way:

- the offset only counts inside the finder (`findReqs;...,offset=N`): a top-level
  `&offset=` is ignored and every page would be the first;
- without `expand=requisitionList.secondaryLocations` the list comes back empty under a
  non-zero total, and with it the multi-site postings have all their places;
- pages run short in the middle of a board (200, 199, 54 of 454: the server drops rows
  after paging), so pages step by the limit and only an empty page, or one past
  `TotalJobsCount`, ends the read;
- large tenants stop answering at offset 10,000 (an empty page under a bigger total):
  `max_pages` stops there too, so such a read is marked truncated, not complete.

The list has no description (`ShortDescriptionStr` is a teaser, often empty), so new
postings read their detail, `recruitingCEJobRequisitionDetails` with the `ById` finder.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import quote

from watcher.model import Posting, Request, Response, SourceError
from watcher.sources.base import HOST_LABEL, ItemSource, expect, items, load_json
from watcher.text import clean, employment, integer, parse_time, unique, workplace

LIMIT = 200
_API = "hcmRestApi/resources/latest"
_EXPAND = "requisitionList.secondaryLocations"
_HOST = r"(?P<host>[a-z0-9-]+(?:\.[a-z0-9-]+)+)\.oraclecloud\.com"
_SITE = r"(?P<site>[A-Za-z0-9][A-Za-z0-9_.-]*)"
_LOCALE = r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,4})?"  # en, en-GB, zh_CN, es-419
_BOARD = re.compile(
    rf"^(?P<host>{HOST_LABEL}(?:\.{HOST_LABEL})+?)(?:\.oraclecloud\.com)?/{_SITE}$", re.IGNORECASE
)
# The job's own text, in the order the posting page shows it; the corporate and
# organisation blurbs are the same on every posting and are left out.
_SECTIONS = ("ExternalDescriptionStr", "ExternalResponsibilitiesStr", "ExternalQualificationsStr")


class Oracle(ItemSource):
    key = "oracle"
    label = "Oracle Recruiting Cloud"
    example = "eeho.fa.us2/CX_1"
    max_pages = 50  # 10,000 postings: the search window of the largest tenants
    url_patterns = (
        re.compile(
            rf"^{_HOST}/(?i:hcmui/candidateexperience)/(?:{_LOCALE}/)?(?i:sites)/{_SITE}(?:[/?#]|$)"
        ),
        re.compile(
            rf"^{_HOST}/(?i:hcmrestapi/resources)/[^/?#]+/"
            r"(?i:recruitingcejobrequisitions|recruitingcejobrequisitiondetails)\?"
            r"[^#]*?(?i:sitenumber(?:=|%3d))(?P<site>[A-Za-z0-9][A-Za-z0-9_.-]*)",
        ),
    )

    @classmethod
    def check_board(cls, board: Any) -> Any:
        text = board.strip() if isinstance(board, str) else ""
        match = _BOARD.match(text) if len(text) <= 200 else None
        if not match:
            raise ValueError(
                f"{board!r} is not an Oracle Recruiting board: write it as host/site, as in "
                f"{cls.example} for "
                "https://eeho.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1"
            )
        return f"{match['host'].lower()}/{match['site']}"

    @classmethod
    def board_from(cls, match: re.Match[str]) -> Any:
        return f"{match['host']}/{match['site']}"

    @property
    def _origin(self) -> str:
        return f"https://{self.board.split('/')[0]}.oraclecloud.com"

    @property
    def _site(self) -> str:
        return str(self.board.split("/")[1])

    def first_request(self) -> Request:
        return self._list_request(0)

    def _list_request(self, offset: int) -> Request:
        finder = (
            f"findReqs;siteNumber={self._site},limit={LIMIT},offset={offset},"
            "sortBy=POSTING_DATES_DESC"
        )
        url = f"{self._origin}/{_API}/recruitingCEJobRequisitions"
        return Request(
            self.url(f"{url}?onlyData=true&expand={_EXPAND}&finder={finder}"),
            headers={"Accept": "application/json"},
            meta={"offset": offset},
        )

    def split(
        self, request: Request, response: Response
    ) -> tuple[list[dict[str, Any]], Request | None]:
        payload = expect(load_json(response), dict, "the response")
        found = expect(payload.get("items"), list, "'items'")
        if not found:  # no search block at all: nothing listed
            return [], None
        search = expect(found[0], dict, "'items[0]'")
        rows = items(search, "requisitionList")
        offset = int(request.meta.get("offset") or 0)
        total = _count(search.get("TotalJobsCount"))
        # A tenant that pages by less than asked says so in the echoed `Limit`.
        step = min(LIMIT, _count(search.get("Limit")) or LIMIT)
        following = offset + step
        more = bool(rows) and (total is None or following < total)
        return rows, self._list_request(following) if more else None

    def item_id(self, item: dict[str, Any]) -> str | None:
        return clean(item.get("Id"))

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        job_id = self.item_id(item)
        title = clean(item.get("Title"))
        if not job_id or not title:
            return None
        return Posting(
            id=job_id,
            title=title,
            url=(
                f"{self._origin}/hcmUI/CandidateExperience/en/sites/{self._site}"
                f"/job/{quote(job_id, safe='')}"
            ),
            locations=_places(item),
            department=_department(item),
            employment=_employment(item),
            workplace=_workplace(item),
            posted_at=parse_time(item.get("PostedDate")),
            description_html=clean(item.get("ShortDescriptionStr")),
        )

    def detail_request(self, posting: Posting) -> Request | None:
        finder = f"ById;Id=%22{quote(posting.id, safe='')}%22,siteNumber={self._site}"
        url = f"{self._origin}/{_API}/recruitingCEJobRequisitionDetails"
        return Request(
            self.url(f"{url}?expand=all&onlyData=true&finder={finder}"),
            headers={"Accept": "application/json"},
        )

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        """The job's description; the list's fields stay, the detail fills what it lacks."""
        payload = expect(load_json(response), dict, "the posting")
        found = items(payload, "items")
        if not found:
            raise SourceError("the posting's detail is empty (taken down?)", kind="not_found")
        detail = found[0]
        sections = (detail.get(name) for name in _SECTIONS)
        parts = [text for text in sections if isinstance(text, str) and text.strip()]
        return replace(
            posting,
            locations=posting.locations or _places(detail),
            department=posting.department or _department(detail),
            employment=posting.employment or _employment(detail),
            workplace=posting.workplace or _workplace(detail),
            posted_at=posting.posted_at or parse_time(detail.get("ExternalPostedStartDate")),
            description_html="\n".join(parts) or posting.description_html,
        )


def _count(value: Any) -> int | None:
    count = integer(value)
    return count if count is not None and count > 0 else None


def _places(row: dict[str, Any]) -> tuple[str, ...]:
    """The primary location, then the other ones (`secondaryLocations[].Name`)."""
    others = row.get("secondaryLocations")
    names = (
        [o.get("Name") for o in others if isinstance(o, dict)] if isinstance(others, list) else []
    )
    return unique([row.get("PrimaryLocation"), *names])


def _department(row: dict[str, Any]) -> str | None:
    return clean(row.get("Department")) or clean(row.get("JobFamily")) or clean(row.get("Category"))


def _employment(row: dict[str, Any]) -> str | None:
    for name in ("JobSchedule", "JobType", "ContractType"):
        if kind := employment(row.get(name)):
            return kind
    return None


def _workplace(row: dict[str, Any]) -> str | None:
    """`WorkplaceTypeCode` (`ORA_ON_SITE`, `ORA_REMOTE`, `ORA_HYBRID`) or its label."""
    return workplace(row.get("WorkplaceTypeCode")) or workplace(row.get("WorkplaceType"))
