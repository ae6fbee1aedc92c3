"""The registry of source platforms, and `detect(url)` for links users paste.

A new platform is one module in this package and one line in `_SOURCES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from watcher.sources.amazon import Amazon
from watcher.sources.apple import Apple
from watcher.sources.ashby import Ashby
from watcher.sources.avature import Avature
from watcher.sources.bamboohr import BambooHR
from watcher.sources.base import Source
from watcher.sources.breezy import Breezy
from watcher.sources.bytedance import ByteDance, TikTok
from watcher.sources.eightfold import Eightfold
from watcher.sources.feed import Feed
from watcher.sources.google import Google
from watcher.sources.gr8people import Gr8People
from watcher.sources.greenhouse import Greenhouse
from watcher.sources.html import Html
from watcher.sources.icims import Icims
from watcher.sources.jobvite import Jobvite
from watcher.sources.jsonld import JsonLd
from watcher.sources.lever import Lever
from watcher.sources.meta import Meta
from watcher.sources.oleeo import Oleeo
from watcher.sources.oracle import Oracle
from watcher.sources.personio import Personio
from watcher.sources.phenom import Phenom
from watcher.sources.radancy import Radancy
from watcher.sources.recruitee import Recruitee
from watcher.sources.rippling import Rippling
from watcher.sources.smartrecruiters import SmartRecruiters
from watcher.sources.successfactors import SuccessFactors
from watcher.sources.taleo import Taleo
from watcher.sources.teamtailor import Teamtailor
from watcher.sources.tesla import Tesla
from watcher.sources.uber import Uber
from watcher.sources.ukg import Ukg
from watcher.sources.workable import Workable
from watcher.sources.workday import Workday

# Order matters for `detect`: specific platforms first, catch-alls (jsonld, html) last.
_SOURCES: tuple[type[Source], ...] = (
    Greenhouse,
    Lever,
    Ashby,
    Workday,
    SmartRecruiters,
    Workable,
    Recruitee,
    Rippling,
    BambooHR,
    Breezy,
    Personio,
    Teamtailor,
    Oracle,
    Ukg,
    Amazon,
    Google,
    Apple,
    # before the platforms known by the links of a page: a TalentBrew page links to the
    # system its postings apply through
    Radancy,
    Avature,
    SuccessFactors,
    Taleo,
    Icims,
    Jobvite,
    Oleeo,
    Gr8People,
    Phenom,
    TikTok,
    ByteDance,
    Meta,
    Uber,
    Tesla,
    Eightfold,
    JsonLd,
    Feed,
    Html,
)

REGISTRY: dict[str, type[Source]] = {source.key: source for source in _SOURCES}


def get(key: str) -> type[Source]:
    return REGISTRY[key]


@dataclass(frozen=True)
class Detected:
    source: type[Source]
    board: Any

    @property
    def key(self) -> str:
        return self.source.key


def url_target(url: str) -> str:
    """What `url_patterns` are matched against: lower-case host without `www.`,
    then the path and query as written (`boards.greenhouse.io/acme/jobs/1`)."""
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return host + parts.path + (f"?{parts.query}" if parts.query else "")


def detect_with(source: type[Source], url: str) -> Detected | None:
    """The board `url` names on one platform, or None."""
    target = url_target(url)
    for pattern in source.url_patterns:
        match = pattern.search(target)
        if match:
            try:
                return Detected(source, source.check_board(source.board_from(match)))
            except ValueError:
                continue
    return None


def detect(url: str) -> Detected | None:
    """The platform and board a pasted URL names, without any network access."""
    for source in _SOURCES:
        found = detect_with(source, url)
        if found:
            return found
    return None


__all__ = ["REGISTRY", "Detected", "Source", "detect", "detect_with", "get", "url_target"]
