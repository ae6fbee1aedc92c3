"""UKG Pro Recruiting (UltiPro) job boards:
`https://recruiting2.ultipro.com/{code}/JobBoard/{guid}/`.

A board is `{code}/{guid}` (the company code and the board's GUID) on
`recruiting2.ultipro.com`, or `{host}/{code}/{guid}` on another UKG host
(`recruiting.ultipro.com`, `recruiting.ultipro.ca`, `acme.rec.pro.ukg.net`).

The list is the board page's own search, `POST .../JobBoardView/LoadSearchResults`
(`opportunities`, `totalCount`), 50 a page by `Skip`, newest first. UKG Pro boards on
`*.rec.pro.ukg.net` guard it with an ASP.NET anti-forgery token: there the read starts with
the board page (a preamble) and sends its `__RequestVerificationToken`, with the page's
cookie. The list has a cut description (`BriefDescription`): new postings read their page,
whose script holds the whole opportunity (`new US.Opportunity.CandidateOpportunityDetail({...})`).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import quote

from watcher.model import Posting, Request, Response, SourceError
from watcher.sources.base import ItemSource, expect, host_name, items, load_json
from watcher.sources.jsonld import page_text
from watcher.text import clean, integer, join_place, parse_time, unique

TOP = 50
DEFAULT_HOST = "recruiting2.ultipro.com"
_CODE = r"[A-Za-z0-9]{2,40}"
_GUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_HOSTS = r"(?:[a-z0-9-]+\.)+ultipro\.(?:com|ca)|[a-z0-9-]+\.rec\.pro\.ukg\.net"
_BOARD = re.compile(rf"^(?:(?P<host>[^/]+)/)?(?P<code>{_CODE})/(?P<guid>{_GUID})$")
_TOKEN = re.compile(
    r"<input[^>]*\bname=[\"']__RequestVerificationToken[\"'][^>]*\bvalue=[\"']([\w-]{1,400})[\"']",
    re.I,
)
_DETAIL = re.compile(r"CandidateOpportunityDetail\s*\(\s*")
_ORDER = [{"Value": "postedDateDesc", "PropertyName": "PostedDate", "Ascending": False}]


class Ukg(ItemSource):
    key = "ukg"
    label = "UKG Pro Recruiting (UltiPro)"
    example = "ACME1000/7b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    url_patterns = (
        re.compile(
            rf"^(?P<host>{_HOSTS})/(?P<code>{_CODE})/(?i:jobboard)/(?P<guid>{_GUID})(?:[/?#]|$)"
        ),
    )

    @classmethod
    def check_board(cls, board: Any) -> Any:
        match = _BOARD.match(board.strip()) if isinstance(board, str) else None
        host = (match["host"] or DEFAULT_HOST).lower() if match else None
        if not match or not host_name(host):
            raise ValueError(
                f"{board!r} is not a UKG board: write it as code/guid, as in {cls.example} for "
                f"https://{DEFAULT_HOST}/{cls.example.replace('/', '/JobBoard/')}, or "
                "host/code/guid on another UKG host"
            )
        where = "" if host == DEFAULT_HOST else f"{host}/"
        return f"{where}{match['code']}/{match['guid'].lower()}"

    @classmethod
    def board_from(cls, match: re.Match[str]) -> Any:
        return f"{match['host']}/{match['code']}/{match['guid']}"

    @property
    def _host(self) -> str:
        parts = self.board.split("/")
        return parts[0] if len(parts) == 3 else DEFAULT_HOST

    @property
    def _board_url(self) -> str:
        code, guid = self.board.split("/")[-2:]
        return f"https://{self._host}/{code}/JobBoard/{guid}"

    def first_request(self) -> Request:
        if self._host.endswith(".ukg.net"):
            return Request(
                self.url(f"{self._board_url}/"),
                headers={"Accept": "text/html,application/xhtml+xml"},
                meta={"preamble": True},
            )
        return self._list_request(0, {})

    def _list_request(self, skip: int, token: dict[str, str]) -> Request:
        search = {"Top": TOP, "Skip": skip, "QueryString": "", "OrderBy": _ORDER, "Filters": []}
        return Request(
            self.url(f"{self._board_url}/JobBoardView/LoadSearchResults"),
            method="POST",
            json={"opportunitySearch": search},
            headers={"Accept": "application/json", "X-Requested-With": "XMLHttpRequest", **token},
            meta={"skip": skip, "token": token},
        )

    def split(
        self, request: Request, response: Response
    ) -> tuple[list[dict[str, Any]], Request | None]:
        if request.meta.get("preamble"):
            found = _TOKEN.search(page_text(response))
            return [], self._list_request(
                0, {"RequestVerificationToken": found[1]} if found else {}
            )
        payload = expect(load_json(response), dict, "the response")
        rows = items(payload, "opportunities")
        total = integer(payload.get("totalCount"))
        # Skip by what came: a board that pages by less than asked is never stepped over.
        following = int(request.meta.get("skip") or 0) + len(payload["opportunities"])
        more = bool(rows) and (total is None or following < total)
        token = dict(request.meta.get("token") or {})
        return rows, self._list_request(following, token) if more else None

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
            url=f"{self._board_url}/OpportunityDetail?opportunityId={quote(job_id, safe='')}",
            locations=_places(item.get("Locations")),
            department=clean(item.get("JobCategoryName")),
            employment=_employment(item.get("FullTime")),
            posted_at=parse_time(item.get("PostedDate")),
            description_html=clean(item.get("BriefDescription")),
        )

    def detail_request(self, posting: Posting) -> Request | None:
        if not posting.url.startswith(f"{self._board_url}/"):
            return None
        return Request(self.url(posting.url), headers={"Accept": "text/html,application/xhtml+xml"})

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        """The whole description from the opportunity the page's script builds; the list's
        fields stay, the page fills what they lack."""
        text = page_text(response)
        call = _DETAIL.search(text)
        if call is None:  # an unknown or closed opportunity: the board's empty shell
            raise SourceError("the posting's page holds no opportunity (taken down?)", kind="parse")
        try:
            detail, _ = json.JSONDecoder().raw_decode(text, call.end())
        except ValueError:
            raise SourceError("the posting's opportunity is not JSON", kind="parse") from None
        detail = expect(detail, dict, "the opportunity")
        description = detail.get("Description")
        return replace(
            posting,
            locations=posting.locations or _places(detail.get("Locations")),
            department=posting.department or clean(detail.get("JobCategoryName")),
            employment=posting.employment or _employment(detail.get("FullTime")),
            description_html=description
            if isinstance(description, str) and description.strip()
            else posting.description_html,
        )


def _employment(full_time: Any) -> str | None:
    """UKG says only whether a job is full time: the others are part time."""
    if full_time is True:
        return "full-time"
    return "part-time" if full_time is False else None


def _places(locations: Any) -> tuple[str, ...]:
    """`City, State, Country` of each location; a location without a city (`Remote`, a
    site's name) by its name and what the address has."""
    places = []
    for where in locations if isinstance(locations, list) else []:
        if not isinstance(where, dict):
            continue
        found = where.get("Address")
        address: dict[str, Any] = found if isinstance(found, dict) else {}
        label = (
            clean(address.get("City"))
            or clean(where.get("LocalizedName"))
            or clean(where.get("LocalizedDescription"))
            or clean(address.get("Line1"))
        )
        places.append(join_place(label, _name(address.get("State")), _name(address.get("Country"))))
    return unique(places)


def _name(part: Any) -> str | None:
    """A state's or country's name (`{"Code": "TX", "Name": "Texas"}`), else its code."""
    return clean(part.get("Name")) or clean(part.get("Code")) if isinstance(part, dict) else None
