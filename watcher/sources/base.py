"""The one interface every source platform implements.

A source is pure: it says which requests to make (`first_request`, and the
`next` of each `Page`), and turns responses into `Posting`s (`parse`). It never
touches the network, the database or the clock: `watcher.reader` drives it.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import orjson

from watcher.model import Page, Posting, Request, Response, SourceError
from watcher.text import clean


class Source(ABC):
    """A careers platform. Subclasses set the class attributes and implement `parse`.

    - `key`: the `sites.yaml` key naming the platform (`greenhouse: stripe`).
    - `label`: the platform's name as users know it.
    - `example`: a board id, for help texts and the starter config.
    - `url_patterns`: regexes over `host + path` of URLs users paste (no scheme,
      lower-case host); each has a named group `board` (or overrides `board_from`).
    - `board_type`: the type of the key's value in `sites.yaml` (a string for most).
    - `max_pages`: the pagination cap.
    - `answers_unknown`: its public endpoint answers 404 for an unknown board id,
      so `watcher add "Company"` may probe it with guessed ids.
    - `render`: `browser` for a platform whose site answers only browsers: `watcher add`
      writes `render: browser` in its entries.
    - `subdomain_of`: for boards that are a subdomain (`acme` of `acme.breezy.hr`): the
      platform's domain, and `reserved` the subdomains that are not boards (`www`).
    """

    key: ClassVar[str]
    label: ClassVar[str]
    example: ClassVar[str]
    url_patterns: ClassVar[tuple[re.Pattern[str], ...]] = ()
    board_type: ClassVar[Any] = str
    max_pages: ClassVar[int] = 100
    answers_unknown: ClassVar[bool] = False
    render: ClassVar[str] = "plain"  # "browser": its site refuses plain clients
    subdomain_of: ClassVar[str | None] = None
    reserved: ClassVar[frozenset[str]] = frozenset({"www", "api", "app"})

    def __init__(self, board: Any, api: str | None = None):
        self.board = self.check_board(board)
        self.api = api

    # --- what a subclass provides ------------------------------------------------

    @classmethod
    def check_board(cls, board: Any) -> Any:
        """Validate the board id; raise ValueError with a user-facing message."""
        if not isinstance(board, str) or not board.strip():
            raise ValueError("must be the board's id, a non-empty string")
        board = board.strip()
        if any(c.isspace() for c in board) or "/" in board:
            raise ValueError(f"{board!r} is not a board id (no spaces or slashes)")
        if cls.subdomain_of and (board.lower() in cls.reserved or "." in board):
            raise ValueError(
                f"{board!r} is not a {cls.label} subdomain (the acme of acme.{cls.subdomain_of})"
            )
        return board

    @abstractmethod
    def first_request(self) -> Request:
        """The request that reads the board's (first) list page."""

    @abstractmethod
    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        """Postings of one response, and the next page's request when there is one.

        Raise `SourceError(kind="parse")` when the body is not the expected shape.
        """

    def detail_request(self, posting: Posting) -> Request | None:
        """For platforms whose list lacks what users filter on: the posting's detail
        request. Called only for postings not yet stored."""
        return None

    def parse_detail(self, posting: Posting, response: Response, now: datetime) -> Posting:
        """Fold a detail response into the posting read from the list."""
        return posting

    @classmethod
    def has_details(cls) -> bool:
        """Whether the platform's postings have detail pages to read."""
        return cls.detail_request is not Source.detail_request

    @classmethod
    def board_in_page(cls, page: Response) -> Any | None:
        """For platforms that serve boards on companies' own domains (careers.acme.com):
        the board a page read by `watcher add` belongs to, recognised from its markup or
        its final URL; None when the page is not one of this platform's."""
        return None

    @classmethod
    def applies_through(cls, page: Response) -> list[tuple[str, Any]]:
        """For platforms whose postings apply on another platform's board (Phenom sites
        on Workday): (key, board) of each such board named by a list page, so that
        `watcher add` can say it may be read directly."""
        return []

    @classmethod
    def board_from(cls, match: re.Match[str]) -> Any:
        """The board id from a matched URL pattern."""
        return match.group("board")

    # --- helpers for subclasses --------------------------------------------------

    def url(self, public_url: str) -> str:
        """The public endpoint URL, with scheme and host replaced by `api:` when set
        (a path in `api:` is prefixed; the endpoint's own path stays)."""
        return rebase(public_url, self.api)

    def display(self) -> str:
        """The board as shown to users."""
        return self.board if isinstance(self.board, str) else str(self.board)


class ItemSource(Source):
    """A source whose list responses hold one independent JSON object per posting.

    The reader hashes each raw object and builds a `Posting` only from the objects
    that are new or differ from the stored ones: on a board where a few postings
    changed, the rest cost a hash each, not a parse. Subclasses implement `split`
    and `build`, and `item_id` when the id is not the object's `id`.
    """

    @abstractmethod
    def split(
        self, request: Request, response: Response
    ) -> tuple[list[dict[str, Any]], Request | None]:
        """The raw posting objects of one response, and the next page's request."""

    @abstractmethod
    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        """The posting of one raw object; None for objects that are not a listed posting."""

    def item_id(self, item: dict[str, Any]) -> str | None:
        """The id `build` gives the object's posting, without building it."""
        return clean(item.get("id"))

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        rows, following = self.split(request, response)
        return Page([p for p in (self.build(row, now) for row in rows) if p], following)


def rebase(public_url: str, api: str | None) -> str:
    if not api:
        return public_url
    base = urlsplit(api.rstrip("/"))
    target = urlsplit(public_url)
    return urlunsplit(
        (base.scheme, base.netloc, base.path + target.path, target.query, target.fragment)
    )


def load_json(response: Response) -> Any:
    """The JSON body of a response, or a parse SourceError saying what is wrong."""
    try:
        return orjson.loads(response.body)
    except orjson.JSONDecodeError as exc:
        snippet = response.body[:60].decode("utf-8", "replace").strip()
        raise SourceError(
            f"response is not JSON ({exc.msg}; starts with {snippet!r})", kind="parse"
        ) from None


def expect(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    """`value` when it is of `kind`, else a parse SourceError naming `what`."""
    if not isinstance(value, kind):
        got = type(value).__name__
        raise SourceError(f"unexpected response shape: {what} is {got}", kind="parse")
    return value


def first_by_id(postings: Iterable[Posting | None]) -> list[Posting]:
    """The postings read from a page's blocks, None (a block that is not a posting)
    skipped and only the first of each id kept, in page order: pages and feeds list a
    posting twice (a card and its teaser, a position repeated)."""
    kept: dict[str, Posting] = {}
    for posting in postings:
        if posting is not None and posting.id not in kept:
            kept[posting.id] = posting
    return list(kept.values())


def items(payload: Any, key: str | None) -> list[dict[str, Any]]:
    """The list of posting objects under `key` (or the payload itself), skipping non-objects."""
    container = payload if key is None else expect(payload, dict, "the response").get(key)
    rows = expect(container, list, f"'{key}'" if key else "the response")
    return [row for row in rows if isinstance(row, dict)]


# Regex fragments, lower case (board ids are matched with re.IGNORECASE): one label of a
# host name (`acme-corp`), and a host name of two labels or more (`jobs.acme.com`).
HOST_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
HOST = rf"{HOST_LABEL}(?:\.{HOST_LABEL})+"

_HOST_NAME = re.compile(
    r"(?=.{4,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+"
)


def host_name(value: Any) -> str | None:
    """`value` lower-cased when it is a host name with a dot (`careers.acme.com`), else None:
    for boards named by the host of a company's own careers site."""
    text = value.strip().lower() if isinstance(value, str) else ""
    return text if _HOST_NAME.fullmatch(text) else None
