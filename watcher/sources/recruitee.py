"""Recruitee career sites: `{sub}.recruitee.com/api/offers/`, every offer in one response.

The board id is the subdomain, so with `api:` set the request goes to the `api:`
host with the path `/api/offers/` and no trace of the board: one local server
serves one board.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from watcher.model import Compensation, Posting, Request, Response
from watcher.sources.base import ItemSource, items, load_json
from watcher.text import clean, employment, join_place, parse_time, pay_period, unique

# Recruitee's own hosts, not companies' career sites.
_OWN_HOSTS = "api|app|docs|help|support|blog|status|partners|marketplace"


class Recruitee(ItemSource):
    key = "recruitee"
    label = "Recruitee"
    example = "bunq"
    url_patterns = (
        re.compile(
            rf"^(?!(?:{_OWN_HOSTS})\.)(?P<board>[a-z0-9][a-z0-9-]*)\.recruitee\.com(?:[/?#]|$)"
        ),
    )

    def first_request(self) -> Request:
        return Request(self.url(f"https://{self.board}.recruitee.com/api/offers/"))

    def split(self, request: Request, response: Response) -> tuple[list[dict[str, Any]], None]:
        return items(load_json(response), "offers"), None

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        return self._posting(item)

    def _posting(self, offer: Mapping[str, Any]) -> Posting | None:
        offer_id = clean(offer.get("id"))
        title = clean(offer.get("title"))
        if not offer_id or not title or offer.get("status", "published") != "published":
            return None
        slug = clean(offer.get("slug"))
        fallback = f"https://{self.board}.recruitee.com/o/{slug}" if slug else ""
        return Posting(
            id=offer_id,
            title=title,
            url=clean(offer.get("careers_url")) or fallback,
            locations=_locations(offer),
            department=clean(offer.get("department")),
            employment=employment(offer.get("employment_type_code")),
            workplace=_workplace(offer),
            posted_at=parse_time(offer.get("published_at")) or parse_time(offer.get("created_at")),
            updated_at=parse_time(offer.get("updated_at")),
            compensation=_compensation(offer),
            description_html=_description_html(offer),
        )


def _locations(offer: Mapping[str, Any]) -> tuple[str, ...]:
    listed = offer.get("locations")
    places = [_place(loc) for loc in (listed if isinstance(listed, list) else [])]
    if not any(places):
        places = [
            clean(offer.get("location"))
            or join_place(offer.get("city"), offer.get("state_name"), offer.get("country"))
        ]
    return unique(places)


def _place(location: Any) -> str | None:
    """`Berlin, Germany`; without a city, the location's own name (`Germany/Remote`)."""
    if not isinstance(location, dict):
        return None
    if clean(location.get("city")):
        return join_place(location.get("city"), location.get("state"), location.get("country"))
    return clean(location.get("name")) or clean(location.get("country"))


def _workplace(offer: Mapping[str, Any]) -> str | None:
    if offer.get("remote") is True:
        return "remote"
    if offer.get("hybrid") is True:
        return "hybrid"
    if offer.get("on_site") is True:
        return "onsite"
    return None


def _compensation(offer: Mapping[str, Any]) -> Compensation | None:
    salary = offer.get("salary")
    salary = salary if isinstance(salary, dict) else {}
    low = _amount(salary.get("min") or offer.get("min_salary"))
    high = _amount(salary.get("max") or offer.get("max_salary"))
    if low is None and high is None:
        return None
    return Compensation(low, high, clean(salary.get("currency")), pay_period(salary.get("period")))


def _amount(value: Any) -> float | None:
    """A salary bound, given as a number or as its text (`"75000"`)."""
    if isinstance(value, bool):
        return None
    try:
        amount = float(value) if isinstance(value, int | float | str) else None
    except ValueError:
        return None
    return amount if amount is not None and math.isfinite(amount) else None


def _description_html(offer: Mapping[str, Any]) -> str | None:
    parts = [offer.get("description")]
    requirements = offer.get("requirements")
    if isinstance(requirements, str) and requirements.strip():
        parts += ["<h3>Requirements</h3>", requirements]
    return "\n".join(p for p in parts if isinstance(p, str) and p.strip()) or None
