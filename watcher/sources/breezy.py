"""Breezy HR career sites: `{sub}.breezy.hr/json`, every published position in one list."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from watcher.model import Compensation, Posting, Request, Response
from watcher.sources.base import ItemSource, items, load_json
from watcher.text import clean, employment, join_place, parse_time, workplace

_SUB = r"(?P<board>[a-z0-9][a-z0-9-]*)"


class Breezy(ItemSource):
    key = "breezy"
    label = "Breezy HR"
    example = "safe-global"
    url_patterns = (re.compile(rf"^{_SUB}\.breezy\.hr(?:/|$|\?)"),)
    subdomain_of = "breezy.hr"
    reserved = frozenset({"www", "app", "api", "assets", "assets-cdn", "help", "developer"})

    def first_request(self) -> Request:
        return Request(
            self.url(f"https://{self.board}.breezy.hr/json"), headers={"Accept": "application/json"}
        )

    def split(self, request: Request, response: Response) -> tuple[list[dict[str, Any]], None]:
        return items(load_json(response), None), None

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        return self._posting(item)

    def _posting(self, job: dict[str, Any]) -> Posting | None:
        job_id = clean(job.get("id"))
        title = clean(job.get("name"))
        if not job_id or not title:
            return None
        many = job.get("locations")
        sites = [s for s in many if isinstance(s, dict)] if isinstance(many, list) else []
        if not sites and isinstance(job.get("location"), dict):
            sites = [job["location"]]
        salary = clean(job.get("salary"))
        description = job.get("description")
        friendly = clean(job.get("friendly_id")) or job_id
        return Posting(
            id=job_id,
            title=title,
            url=clean(job.get("url")) or f"https://{self.board}.breezy.hr/p/{friendly}",
            locations=tuple(dict.fromkeys(p for p in map(_place, sites) if p)),
            department=clean(job.get("department")),
            employment=employment(_label(job.get("type"))),
            workplace=_workplace(sites),
            posted_at=parse_time(job.get("published_date")),
            compensation=Compensation(text=salary) if salary else None,
            description_html=description if isinstance(description, str) else None,
        )


def _label(value: object) -> str | None:
    return clean(value.get("name")) if isinstance(value, dict) else clean(value)


def _place(site: dict[str, Any]) -> str | None:
    return clean(site.get("name")) or join_place(
        site.get("city"), _label(site.get("state")), _label(site.get("country"))
    )


def _workplace(sites: list[dict[str, Any]]) -> str | None:
    """Remote when a site says so (`is_remote`, or its `remote_details`), on-site when
    every site says it is not remote, else unknown."""
    for site in sites:
        details = site.get("remote_details")
        stated = workplace(details.get("value")) if isinstance(details, dict) else None
        if stated or site.get("is_remote") is True:
            return stated or "remote"
    if sites and all(site.get("is_remote") is False for site in sites):
        return "onsite"
    return None
