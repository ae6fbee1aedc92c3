"""The board of a large employer's own careers site: the search a user would type there.

Their boards hold thousands of openings, so a site names a search that narrows what is
read (`amazon: {query: "software engineer", location: "Berlin"}`), or `all` for the
whole board (read up to the source's page cap). `match:` filters then apply as for any
site.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from watcher.sources.base import Source


class SearchBoard(BaseModel):
    """The value of a search source's key in `sites.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    query: str = Field("", description="the words typed in the site's search box")
    location: str = Field("", description="the place typed in the site's location box")

    @property
    def everything(self) -> bool:
        return not self.query.strip() and not self.location.strip()

    def __str__(self) -> str:
        if self.everything:
            return "all"
        where = f" in {self.location.strip()}" if self.location.strip() else ""
        return f"{self.query.strip() or 'all'}{where}"


class SearchSource(Source):
    """A source whose board is a `SearchBoard` (or `all`)."""

    board_type: ClassVar[Any] = SearchBoard | Literal["all"]
    board: SearchBoard

    @classmethod
    def check_board(cls, board: Any) -> SearchBoard:
        if isinstance(board, SearchBoard):
            return board
        if isinstance(board, str) and board.strip().lower() == "all":
            return SearchBoard()
        if isinstance(board, Mapping):
            try:
                return SearchBoard.model_validate(dict(board))
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise ValueError(f"{where}: {first['msg']}") from None
        raise ValueError(
            f"must be `all` or a search such as {{query: software engineer, location: Berlin}}"
            f" (got {board!r})"
        )

    def display(self) -> str:
        return str(self.board)


def link_param(link: str, *names: str) -> str:
    """The first non-empty value of any of `names` in a link's query string, stripped
    ('' when there is none): what a results link typed in the site's boxes."""
    params = parse_qs(link.partition("?")[2])
    for name in names:
        for value in params.get(name, ()):
            if value.strip():
                return value.strip()
    return ""
