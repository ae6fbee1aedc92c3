"""The registry of source platforms, and `detect(url)` for links users paste.

A new platform is one module in this package and one line in `_SOURCES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from watcher.sources.base import Source
from watcher.sources.greenhouse import Greenhouse

_SOURCES: tuple[type[Source], ...] = (
    Greenhouse,
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


def detect(url: str) -> Detected | None:
    """The platform and board a pasted URL names, without any network access."""
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    target = host + parts.path + (f"?{parts.query}" if parts.query else "")
    for source in _SOURCES:
        for pattern in source.url_patterns:
            match = pattern.search(target)
            if match:
                try:
                    return Detected(source, source.check_board(source.board_from(match)))
                except ValueError:
                    continue
    return None


__all__ = ["REGISTRY", "Detected", "Source", "detect", "get"]
