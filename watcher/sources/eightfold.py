"""Eightfold AI career sites (`acme.eightfold.ai`, or a company's own host such as
`apply.careers.microsoft.com`).

A board is `acme` (`acme.eightfold.ai`, domain `acme.com`) or `host/domain`
(`apply.careers.microsoft.com/microsoft.com`): every API call names the company's
`domain`, which the host does not always tell.

Eightfold serves two generations of its list, and a tenant answers only one of them,
refusing the other with a 403 ("PCSX is not enabled for this user" / "Not authorized for
PCSX"). Which one a tenant is on shows in its careers page: the current PCSX app embeds
`<code id="pcsx-data">`, the older SmartApply app `<code id="smartApplyData">`. So each read
starts with that page (a preamble, holding no postings) and goes on with the API it names:

- PCSX: `GET /api/pcsx/search?domain={d}&query=&location=&start={n}` (`data.positions`,
  `data.count`); detail `GET /api/pcsx/position_details?position_id={id}&domain={d}&hl=en`;
- SmartApply: `GET /api/apply/v2/jobs?domain={d}&start={n}&num=10` (`positions`, `count`);
  detail `GET /api/apply/v2/jobs/{id}?domain={d}`.

Both come 10 a page whatever is asked. The count is not trusted to end a read early (some
tenants count before filtering): only an empty page or one past the count ends it, and
positions that shift between pages are deduped by id. A throttled page fails the read
(HTTP 429 after the fetcher's retries, or a PCSX envelope whose `status` is not 200)
instead of ending it as if the board were smaller. Where the careers page carries a CSRF
token (`<meta name="_csrf">`), the API calls send it, with the page's session cookie.
The list has no description and no employment type: new postings read their detail.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from watcher.model import Posting, Request, Response, SourceError
from watcher.sources.base import ItemSource, expect, host_name, items, load_json
from watcher.sources.jsonld import absolute_url, page_text
from watcher.text import clean, employment, integer, parse_time, unique, workplace

PAGE = 10  # fixed by Eightfold: `num` is ignored
_TENANT = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_HOSTED = ".eightfold.ai"
_PCSX_DATA = re.compile(r"<code[^>]*\bid=[\"']pcsx-data[\"'][^>]*>(.*?)</code>", re.I | re.S)
_SMART_APPLY = re.compile(r"<code[^>]*\bid=[\"']smartApplyData[\"'][^>]*>(.*?)</code>", re.I | re.S)
_GROUP_ID = re.compile(r"_EF_GROUP_ID\s*=\s*[\"']([^\"']+)[\"']")
_CSRF = re.compile(
    r"<meta[^>]*\bname=[\"']_csrf[\"'][^>]*\bcontent=[\"']([A-Za-z0-9._~+/=-]{1,200})[\"']", re.I
)
# Companies whose careers hosts are Eightfold sites under their own names: every link to
# them is the one board.
_KNOWN = {
    "jobs.careers.microsoft.com": "apply.careers.microsoft.com/microsoft.com",
    "apply.careers.microsoft.com": "apply.careers.microsoft.com/microsoft.com",
    "careers.microsoft.com": "apply.careers.microsoft.com/microsoft.com",
    "explore.jobs.netflix.net": "explore.jobs.netflix.net/netflix.com",
    "jobs.netflix.com": "explore.jobs.netflix.net/netflix.com",
}
_KNOWN_HOSTS = "|".join(re.escape(host) for host in _KNOWN)


class Eightfold(ItemSource):
    key = "eightfold"
    label = "Eightfold"
    example = "acme"
    max_pages = 1 + 1000  # the careers page, then 10,000 postings
    url_patterns = (
        re.compile(
            r"^(?P<tenant>[a-z0-9-]+)\.eightfold\.ai"
            r"(?:/?$|/?[?#]|/careers(?:[/?#]|$)|/api/(?:pcsx|apply)/)"
        ),
        re.compile(rf"^(?P<known>{_KNOWN_HOSTS})(?:[/?#]|$)"),
        # a company's own host: Eightfold's paths, with the `domain` its links carry
        re.compile(
            r"^(?P<host>[a-z0-9.-]+)/(?:careers(?:/job/\d+[^?#]*)?|api/pcsx/[a-z_]+"
            r"|api/apply/v2/jobs(?:/\d+)?)\?(?:[^#]*&)?domain=[a-z0-9-]+\.[a-z0-9.-]+(?:[&#]|$)",
            re.I,
        ),
    )

    def __init__(self, board: Any, api: str | None = None):
        super().__init__(board, api)
        # What this read's careers page said, for the pages and details that follow it.
        self._legacy = False
        self._headers: dict[str, str] = {}

    @classmethod
    def check_board(cls, board: Any) -> Any:
        text = board.strip().lower() if isinstance(board, str) else ""
        host, _, domain = text.partition("/")
        tenant = host.removesuffix(_HOSTED)
        if _TENANT.fullmatch(tenant) and tenant not in cls.reserved:
            if not domain or domain == f"{tenant}.com":
                return tenant
            if host_name(domain):
                return f"{tenant}{_HOSTED}/{domain}"
        elif "." in tenant and host_name(host) and host_name(domain):
            return text
        raise ValueError(
            f"{board!r} is not an Eightfold board: write acme for acme.eightfold.ai (domain "
            "acme.com), or host/domain, as in apply.careers.microsoft.com/microsoft.com"
        )

    @classmethod
    def board_from(cls, match: re.Match[str]) -> Any:
        found = match.groupdict()
        if found.get("known"):
            return _KNOWN[found["known"]]
        domain = _query_domain(match.string)
        if found.get("tenant"):
            tenant = found["tenant"]
            return f"{tenant}{_HOSTED}/{domain}" if domain else tenant
        return f"{found['host']}/{domain}"

    @classmethod
    def board_in_page(cls, page: Response) -> Any | None:
        """A careers page of Eightfold's (its app's data block names the domain), on
        whichever host served it."""
        domain = _page_domain(page_text(page))
        host = urlsplit(page.url).hostname
        if not domain or not host:
            return None
        try:
            return cls.check_board(f"{host}/{domain}")
        except ValueError:
            return None

    @property
    def _host(self) -> str:
        host = self.board.split("/")[0]
        return host if "." in host else f"{host}{_HOSTED}"

    @property
    def _domain(self) -> str:
        _, _, domain = self.board.partition("/")
        return domain or f"{self.board}.com"

    def first_request(self) -> Request:
        return Request(
            self.url(f"https://{self._host}/careers?domain={self._domain}"),
            headers={"Accept": "text/html,application/xhtml+xml"},
            meta={"preamble": True},
        )

    def _list_request(self, start: int) -> Request:
        base = f"https://{self._host}/api"
        if self._legacy:
            url = f"{base}/apply/v2/jobs?domain={self._domain}&start={start}&num={PAGE}"
        else:
            url = f"{base}/pcsx/search?domain={self._domain}&query=&location=&start={start}"
        return Request(self.url(url), headers=self._api_headers(), meta={"start": start})

    def _api_headers(self) -> dict[str, str]:
        return {"Accept": "application/json", **self._headers}

    def split(
        self, request: Request, response: Response
    ) -> tuple[list[dict[str, Any]], Request | None]:
        if request.meta.get("preamble"):
            text = page_text(response)
            self._legacy = bool(_SMART_APPLY.search(text)) and not _PCSX_DATA.search(text)
            token = _CSRF.search(text)
            self._headers = {"X-CSRF-Token": html.unescape(token[1])} if token else {}
            return [], self._list_request(0)
        payload = self._payload(response)
        listing = payload if self._legacy else expect(payload.get("data"), dict, "'data'")
        if self._legacy and "positions" not in payload:
            refused = _message(payload) or "no 'positions'"
            raise SourceError(f"Eightfold refused the list: {refused}", kind="http")
        rows = items(listing, "positions")
        start = int(request.meta.get("start") or 0)
        count = integer(listing.get("count"))
        more = bool(rows) and (count is None or start + PAGE < count)
        return rows, self._list_request(start + PAGE) if more else None

    def _payload(self, response: Response) -> dict[str, Any]:
        """The JSON object of an API answer; an error or a throttle inside a 200 fails."""
        if response.body.lstrip()[:1] == b"<":
            raise SourceError(
                f"Eightfold answered a web page instead of JSON: is {self._domain} the "
                "company's Eightfold domain?",
                kind="parse",
            )
        payload = expect(load_json(response), dict, "the response")
        status = integer(payload.get("status"))
        if status is not None and status != 200:
            said = _message(payload)
            raise SourceError(
                f"Eightfold answered status {status}" + (f": {said}" if said else ""),
                kind="http",
                status=status,
            )
        return payload

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        job_id = self.item_id(item)
        title = clean(item.get("name")) or clean(item.get("posting_name"))
        if not job_id or not title:
            return None
        link = item.get("positionUrl") or item.get("canonicalPositionUrl")
        return Posting(
            id=job_id,
            title=title,
            url=absolute_url(f"https://{self._host}/", link)
            or f"https://{self._host}/careers/job/{quote(job_id, safe='')}",
            locations=_places(item),
            department=clean(item.get("department")),
            workplace=_workplace(item),
            posted_at=_epoch(item.get("postedTs") or item.get("t_create")),
        )

    def detail_request(self, posting: Posting) -> Request | None:
        job_id = quote(posting.id, safe="")
        base = f"https://{self._host}/api"
        if self._legacy:
            url = f"{base}/apply/v2/jobs/{job_id}?domain={self._domain}"
        else:
            url = f"{base}/pcsx/position_details?position_id={job_id}&domain={self._domain}&hl=en"
        return Request(self.url(url), headers=self._api_headers())

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        """The description and the employment type; the list's fields stay, the detail
        fills what it lacks."""
        payload = self._payload(response)
        detail = payload.get("data", payload) if not self._legacy else payload
        detail = expect(detail, dict, "the posting")
        text = detail.get("jobDescription") or detail.get("job_description")
        kind = detail.get("efcustomTextEmploymentType")
        return replace(
            posting,
            locations=posting.locations or _places(detail),
            department=posting.department or clean(detail.get("department")),
            employment=posting.employment
            or employment(kind[0] if isinstance(kind, list) and kind else kind),
            workplace=posting.workplace or _workplace(detail),
            description_html=text if isinstance(text, str) else posting.description_html,
        )

    def item_id(self, item: dict[str, Any]) -> str | None:
        return clean(item.get("id"))


def _places(row: dict[str, Any]) -> tuple[str, ...]:
    """`locations` as the tenant writes them, else the standardized ones, else `location`."""
    for name in ("locations", "standardizedLocations"):
        found = row.get(name)
        if isinstance(found, list) and (places := unique(found)):
            return places
    return unique([row.get("location")])


def _workplace(row: dict[str, Any]) -> str | None:
    """`onsite`, `hybrid`, `remote_local`, `remote_global`, `flex_hybrid_v2`..."""
    return workplace(row.get("workLocationOption") or row.get("work_location_option"))


def _epoch(value: Any) -> datetime | None:
    """Eightfold's epoch seconds; 0 and absent mean no date."""
    positive = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    return parse_time(value) if positive else None


def _message(payload: dict[str, Any]) -> str | None:
    """The reason an answer gives (`message`, or `error.message`), on one short line."""
    error = payload.get("error")
    said = clean(payload.get("message")) or (
        clean(error.get("message")) if isinstance(error, dict) else None
    )
    return " ".join(said.split())[:120] if said else None


def _query_domain(target: str) -> str | None:
    """The `domain` a link's query names (`/careers?domain=acme.com`), lower-cased."""
    query = urlsplit("//" + target).query
    found = parse_qs(query).get("domain")
    return host_name(found[0]) if found else None


def _page_domain(text: str) -> str | None:
    """The domain of an Eightfold careers page: its `_EF_GROUP_ID`, else the `domain` in its
    app's data block. None for pages without that block (not served by Eightfold's app)."""
    blocks = [found for found in (_PCSX_DATA.search(text), _SMART_APPLY.search(text)) if found]
    if not blocks:
        return None
    if group := _GROUP_ID.search(text):
        return host_name(group[1])
    for block in blocks:
        try:
            data = json.loads(html.unescape(block[1]))
        except ValueError:
            continue
        if isinstance(data, dict) and (domain := host_name(data.get("domain"))):
            return domain
    return None
