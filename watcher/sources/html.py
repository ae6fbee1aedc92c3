"""Plain HTML careers pages read with CSS selectors.

    html:
      url: https://acme.example/careers
      item: li.opening            # one element per posting
      title: h3                   # default: the item's own text
      link: a.apply               # default: the item itself, else its first a[href]
      link_attr: href
      location: .location         # optional
      department: .team           # optional

Selectors are checked when the config is loaded. Links are resolved against the
page's final URL (after redirects); a posting's id is its link, else its title.
A page where `item` matches nothing reads as empty: that is for the caller to
judge (a redesign usually looks like that).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from watcher.model import Page, Posting, Request, Response
from watcher.sources.base import Source, first_by_id
from watcher.sources.jsonld import absolute_url, http_url, node_text, page_text, public_url

_PROBE = LexborHTMLParser("<p></p>")


class HtmlBoard(BaseModel):
    """The `html:` value in `sites.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    item: str
    title: str | None = None
    link: str | None = None
    link_attr: str = Field("href", pattern=r"^[A-Za-z_:][-A-Za-z0-9_:.]*$")
    location: str | None = None
    department: str | None = None

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        return http_url(value)

    @field_validator("item", "title", "link", "location", "department")
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            _PROBE.css(value)
        except SelectolaxError:
            raise ValueError(f"{value!r} is not a valid CSS selector") from None
        return value


class Html(Source):
    key = "html"
    label = "HTML page (CSS selectors)"
    example = "https://acme.example/careers"
    board_type = HtmlBoard

    board: HtmlBoard

    @classmethod
    def check_board(cls, board: Any) -> HtmlBoard:
        if isinstance(board, HtmlBoard):
            return board
        if isinstance(board, Mapping):
            return HtmlBoard.model_validate(dict(board))
        raise ValueError("must be a mapping with at least url and item (CSS selectors)")

    def display(self) -> str:
        return self.board.url

    def first_request(self) -> Request:
        return Request(self.url(self.board.url))

    def parse(self, request: Request, response: Response, now: datetime) -> Page:
        page = public_url(response.url, self.board.url, self.api)
        tree = LexborHTMLParser(page_text(response))
        return Page(first_by_id(self._posting(node, page) for node in tree.css(self.board.item)))

    def _posting(self, node: LexborNode, page: str) -> Posting | None:
        spec = self.board
        title = node_text(node.css_first(spec.title) if spec.title else node)
        if not title:
            return None
        url = absolute_url(page, _link(node, spec))
        location = node_text(node.css_first(spec.location)) if spec.location else None
        return Posting(
            id=url or title,
            title=title,
            url=url or page,
            locations=(location,) if location else (),
            department=node_text(node.css_first(spec.department)) if spec.department else None,
        )


def _link(node: LexborNode, spec: HtmlBoard) -> str | None:
    attr = spec.link_attr
    if spec.link:
        target = node.css_first(spec.link)
    elif attr in node.attributes:
        target = node
    else:
        target = node.css_first(f"a[{attr}]")
    return target.attributes.get(attr) if target is not None else None
