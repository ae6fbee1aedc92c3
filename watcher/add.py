"""`watcher add`: from a link a user pastes, or a company's name, to a new `sites.yaml` entry.

Pure parts, each a function of its inputs:

- `parse_target`: a URL, or a company name?
- `find_in_page`: the board a company page links to or embeds (or its schema.org data).
- `slugs`, `default_name`, `board_url`, `hand_written_hint`: names and ids.
- `plan`: the edited `sites.yaml` text, its comments and layout kept byte for byte: the
  new lines are inserted where ruamel's round-trip parse says the `sites:` sequence ends,
  and the result must parse to the same document plus the new entry, and validate.

I/O parts, network only through a `Fetcher`: `locate` (fetches a company page once),
`test_read`, `probe`, `add_url`; and `read_sites` / `write_sites` (atomic replace).
Nothing here prints: `watcher.cli` renders what these return.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import stat
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from selectolax.lexbor import LexborHTMLParser

from watcher import config as config_mod
from watcher import sources
from watcher.fetch import Fetcher
from watcher.model import Request, Response, SourceError
from watcher.reader import read_board
from watcher.sources.feed import is_feed
from watcher.sources.jsonld import absolute_url, job_posting_objects, page_text

MAX_IDS = 3  # board ids guessed from a company name; each is tried on every probe-able platform
PAGE_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

ApiFor = Callable[[str], str | None]


class AddError(Exception):
    """Bad input or nothing found: the message says what to do; `problems` are config lines."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.problems = problems


# --- what the user typed ---------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    url: str | None = None  # an absolute http(s) URL
    name: str | None = None  # a company's name


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$")


def parse_target(text: str) -> Target:
    """A URL (with or without `https://`) or a company name; AddError for neither."""
    value = " ".join(text.split())
    if not value:
        raise AddError("give the URL of a careers page or job board, or a company's name")
    if _SCHEME.match(value):
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https"):
            raise AddError(f"{text!r} is not a web address (http:// or https://)")
        if " " in value or not parts.hostname:
            raise AddError(f"{text!r} is not a valid URL")
        return Target(url=value)
    if " " not in value and ("/" in value or "." in value):
        url = "https://" + value
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.username or not _HOST.match(host):
            raise AddError(
                f"{text!r} is neither a URL (such as https://boards.greenhouse.io/acme) "
                "nor a company name"
            )
        return Target(url=url)
    if not re.search(r"\w", value):
        raise AddError(f"{text!r} is neither a URL nor a company name")
    return Target(name=value)


# --- finding the platform and board -----------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    key: str
    board: Any
    count: int = 1  # links or embeds naming it on the page


@dataclass(frozen=True)
class Found:
    """A platform and board, and how they were found."""

    key: str
    board: Any
    via: str = "url"  # url, redirect, link (on a page), json-ld, feed
    page: str | None = None  # the page that was read to find it
    count: int = 0  # for `link`: how many links or embeds named this board
    others: tuple[Candidate, ...] = ()  # other boards the page named, most frequent first

    @property
    def label(self) -> str:
        source = sources.REGISTRY.get(self.key)
        return source.label if source else self.key

    def display(self) -> str:
        return display_board(self.board)


def display_board(board: Any) -> str:
    url = getattr(board, "url", None)
    return url if isinstance(url, str) else str(board)


def detect_url(url: str) -> Found | None:
    """The platform and board a URL names, without any network access."""
    found = sources.detect(url)
    return Found(found.key, found.board) if found else None


# Elements whose attribute may point at a job board: links, embeds, widget scripts, forms.
_POINTERS = (
    ("a", "href"),
    ("area", "href"),
    ("iframe", "src"),
    ("iframe", "data-src"),
    ("script", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("form", "action"),
    ("link", "href"),
)
# Absolute or protocol-relative URLs in inline scripts (widget configs, JSON blobs).
_INLINE_URL = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s\"'<>\\`)]*")


def find_in_page(body: bytes, page_url: str, content_type: str = "") -> Found | None:
    """What a company's careers page (fetched from `page_url`) says about its job board:
    the board most often linked or embedded (`<a href>`, `<iframe src>`, `<script src>`,
    URLs in inline scripts); else `jsonld` when it carries schema.org JobPosting data;
    else `feed` when it is itself an RSS or Atom feed; else None."""
    if is_feed(body):
        return Found("feed", page_url, via="feed", page=page_url)
    response = Response(200, page_url, body, {"content-type": content_type})
    tree = LexborHTMLParser(page_text(response))
    counts: Counter[tuple[str, Any]] = Counter()
    for url in _pointed_urls(tree, page_url):
        found = sources.detect(url)
        if found is not None:
            counts[(found.key, found.board)] += 1
    if counts:
        ranked = [Candidate(key, board, n) for (key, board), n in counts.most_common()]
        best = ranked[0]
        return Found(best.key, best.board, "link", page_url, best.count, tuple(ranked[1:]))
    if next(job_posting_objects(tree), None) is not None:
        return Found("jsonld", page_url, via="json-ld", page=page_url)
    return None


def _pointed_urls(tree: LexborHTMLParser, page_url: str) -> Iterator[str]:
    for tag, attr in _POINTERS:
        for node in tree.css(f"{tag}[{attr}]"):
            url = absolute_url(page_url, node.attributes.get(attr))
            if url:
                yield url
    for script in tree.css("script"):
        if "src" in script.attributes:
            continue
        text = script.text(deep=True).replace("\\/", "/")
        for match in _INLINE_URL.finditer(text):
            url = absolute_url(page_url, match.group(0))
            if url:
                yield url


def hand_written_hint(url: str, name: str) -> str:
    """What to write by hand for a page on no known platform: an `html:` entry."""
    return (
        f"  - name: {_yaml_scalar(name)}\n"
        "    html:\n"
        f"      url: {_yaml_scalar(url)}\n"
        "      item: li.job     # CSS selector of one opening (see the browser's inspector)\n"
        "      title: a         # inside it: the title (default: the item's own text)\n"
        "      link: a          # inside it: the posting's link (default: its first link)"
    )


def _yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar, quoted when it must be."""
    yaml = YAML(typ="rt")
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump({"v": value}, out)
    return out.getvalue().strip().removeprefix("v: ")


def no_platform_message(url: str, name: str) -> str:
    labels = ", ".join(
        s.label for s in sources.REGISTRY.values() if s.url_patterns and s.key != "jsonld"
    )
    return (
        f"found no job board on {url}: it neither links to nor embeds a known platform "
        f"({labels}), and has no schema.org JobPosting data.\n"
        "Write its entry in sites.yaml by hand, with CSS selectors for its openings, e.g.:\n\n"
        f"{hand_written_hint(url, name)}\n\n"
        "then run `watcher validate` and `watcher check`."
    )


async def locate(url: str, fetcher: Fetcher) -> Found:
    """The platform and board for a URL: from the URL itself when it names them (no
    network), else from the page it leads to, fetched once."""
    found = detect_url(url)
    if found is not None:
        return found
    try:
        response = await fetcher.fetch(Request(url, headers={"Accept": PAGE_ACCEPT}))
    except SourceError as exc:
        reason = f"HTTP {exc.status}: no such page" if exc.kind == "not_found" else exc.reason
        raise AddError(f"could not read {url}: {reason}") from None
    if response.url != url:
        redirected = detect_url(response.url)
        if redirected is not None:
            return Found(redirected.key, redirected.board, via="redirect", page=url)
    found = find_in_page(response.body, response.url, response.headers.get("content-type", ""))
    if found is None:
        raise AddError(no_platform_message(response.url, default_name("jsonld", response.url)))
    return found


# --- names ------------------------------------------------------------------------------

# Host labels that say "careers" rather than whose careers they are.
_GENERIC_LABELS = frozenset(
    {"www", "careers", "career", "jobs", "job", "apply", "boards", "join", "work", "hire", "team"}
)
_LEGAL_SUFFIXES = frozenset(
    {"inc", "incorporated", "llc", "ltd", "limited", "gmbh", "ag", "sa", "sas", "sarl", "srl"}
    | {"bv", "nv", "plc", "corp", "corporation", "co", "company", "se", "oy", "ab", "as", "kg"}
)


def default_name(key: str, board: Any) -> str:
    """A site name from a board id: `safe-global` → `Safe Global`, `autodesk.wd1/Ext` →
    `Autodesk`, `https://careers.acme.example/jobs` → `Acme`."""
    text = display_board(board)
    if "://" in text:
        host = (urlsplit(text).hostname or "").lower()
        labels = host.split(".")
        if re.fullmatch(r"[\d.]+|[0-9a-f:]+", host):
            return host
        text = next((label for label in labels[:-1] if label not in _GENERIC_LABELS), labels[0])
    else:
        text = re.split(r"[./:]", text.removeprefix("eu:"))[0]
    words = [w for w in re.split(r"[-_\s]+", text) if w]
    named = " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in words)
    return named or display_board(board)


def slugs(name: str, limit: int = MAX_IDS) -> list[str]:
    """Likely board ids for a company name: `Acme Robotics, Inc.` → `acmerobotics`,
    `acme-robotics`, `acme`."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    folded = re.sub(r"['’&+]", "", folded)
    words = re.findall(r"[a-z0-9]+", folded)
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    if not words:
        return []
    found = ["".join(words), "-".join(words)]
    if len(words) > 1 and len(words[0]) >= 3:
        found.append(words[0])
    return list(dict.fromkeys(found))[:limit]


def board_url(key: str, board: Any) -> str | None:
    """The public URL of a board, for the platforms whose URL the id alone gives."""
    text = display_board(board)
    if key == "lever" and text.startswith("eu:"):
        return f"https://jobs.eu.lever.co/{text[3:]}"
    if key == "workday" and "/" in text:
        host, site = text.split("/", 1)
        return f"https://{host}.myworkdayjobs.com/{site}"
    if key == "personio":
        return f"https://{text if '.' in text else text + '.jobs.personio.de'}"
    template = _BOARD_URLS.get(key)
    return template.format(text) if template else None


_BOARD_URLS = {
    "greenhouse": "https://boards.greenhouse.io/{}",
    "lever": "https://jobs.lever.co/{}",
    "ashby": "https://jobs.ashbyhq.com/{}",
    "smartrecruiters": "https://careers.smartrecruiters.com/{}",
    "workable": "https://apply.workable.com/{}",
    "recruitee": "https://{}.recruitee.com",
    "rippling": "https://ats.rippling.com/{}/jobs",
    "bamboohr": "https://{}.bamboohr.com/careers",
    "breezy": "https://{}.breezy.hr",
    "teamtailor": "https://{}.teamtailor.com",
    "jsonld": "{}",
    "feed": "{}",
}


# --- reading a board ------------------------------------------------------------------


@dataclass(frozen=True)
class TestRead:
    openings: int
    truncated: bool = False  # the page cap was reached: there are more


async def test_read(
    key: str, board: Any, fetcher: Fetcher, now: datetime, api: str | None = None
) -> TestRead:
    """Read the board once, as `watcher check` will (without detail pages)."""
    source = sources.get(key)(board, api=api)
    try:
        read = await read_board(source, fetcher, now, needs_detail=lambda posting: False)
    except SourceError as exc:
        raise AddError(f"test read of {key}: {source.display()} failed: {exc.reason}") from None
    return TestRead(len(read.postings), read.truncated)


@dataclass(frozen=True)
class Probe:
    key: str
    label: str
    board: str
    openings: int | None = None  # None when the platform could not be asked
    more: bool = False  # its first page said there is another
    error: str | None = None

    @property
    def url(self) -> str | None:
        return board_url(self.key, self.board)


@dataclass(frozen=True)
class ProbeReport:
    name: str
    tried: tuple[str, ...]  # the board ids tried
    platforms: tuple[str, ...]  # the platforms asked (labels)
    found: tuple[Probe, ...] = ()
    failed: tuple[Probe, ...] = ()  # not a "no such board": a timeout, a 500...


def probe_sources() -> list[type[sources.Source]]:
    """The platforms whose public endpoint answers 404 for an unknown board id."""
    return [s for s in sources.REGISTRY.values() if s.answers_unknown]


async def probe(
    name: str, fetcher: Fetcher, now: datetime, *, api_for: ApiFor = lambda key: None
) -> ProbeReport:
    """Try the likely board ids of a company name on every probe-able platform, one
    request each, all at once. Boards that exist are `found`, with their openings."""
    ids = slugs(name)
    if not ids:
        raise AddError(f"{name!r} gives no board id to try: paste its careers page URL instead")
    platforms = probe_sources()

    async def one(source_type: type[sources.Source], board: str) -> Probe | None:
        try:
            source = source_type(board, api=api_for(source_type.key))
        except ValueError:
            return None
        request = source.first_request()
        try:
            page = source.parse(request, await fetcher.fetch(request), now)
        except SourceError as exc:
            if exc.kind == "not_found":
                return None
            return Probe(source_type.key, source_type.label, board, error=exc.reason)
        return Probe(
            source_type.key, source_type.label, board, len(page.postings), page.next is not None
        )

    results = await asyncio.gather(*(one(s, board) for board in ids for s in platforms))
    done = [r for r in results if r is not None]
    return ProbeReport(
        name,
        tuple(ids),
        tuple(s.label for s in platforms),
        tuple(r for r in done if r.error is None),
        tuple(r for r in done if r.error is not None),
    )


# --- editing sites.yaml -------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    entry: dict[str, Any]  # name, the platform key, api
    lines: str  # the lines added, as they appear in the file
    text: str  # the whole new file


def check_sites(text: str, file_name: str, environ: Mapping[str, str]) -> None:
    """AddError listing the problems of a `sites.yaml` that does not validate."""
    try:
        config_mod.parse(text, file_name, environ)
    except config_mod.ConfigError as exc:
        raise AddError(
            f"{file_name} has problems: fix them first (see `watcher validate`)",
            tuple(map(str, exc.problems)),
        ) from None


def site_entry(key: str, board: Any, name: str, api: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, key: board}
    if api:
        entry["api"] = api
    return entry


def plan(
    text: str | None,
    key: str,
    board: Any,
    name: str,
    *,
    api: str | None = None,
    file_name: str = "sites.yaml",
    environ: Mapping[str, str] | None = None,
) -> Plan:
    """The new `sites.yaml` with one more site appended to `sites:` (created when absent).

    `text` is the current file (None when there is none). Refused with AddError: a
    platform this watcher cannot read, a site with the same name or the same board,
    or a result that does not validate."""
    environ = os.environ if environ is None else environ
    if key not in sources.REGISTRY:
        raise AddError(f"this watcher cannot read {key} boards yet (found {display_board(board)})")
    if not name.strip():
        raise AddError("a site needs a name: give one with --name")
    board = sources.get(key).check_board(board)
    entry = site_entry(key, board, name.strip(), api)
    current = text or ""
    _refuse_duplicates(_load(current), key, board, name, file_name)
    new_text, lines = _append(current, entry)
    try:
        config_mod.parse(new_text, file_name, environ)
    except config_mod.ConfigError as exc:
        raise AddError(
            f"the new entry would not validate:\n{lines.rstrip()}", tuple(map(str, exc.problems))
        ) from None
    return Plan(entry, lines, new_text)


def _load(text: str) -> Any:
    try:
        return YAML(typ="rt").load(text)
    except YAMLError as exc:
        raise AddError(f"sites.yaml is not valid YAML: {exc}") from None


def _plain(node: Any) -> Any:
    """The YAML data without comments or positions, with boards written as YAML has them."""
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(v) for v in node]
    if hasattr(node, "model_dump"):
        return _plain(node.model_dump(exclude_none=True))
    return node


def _refuse_duplicates(tree: Any, key: str, board: Any, name: str, file_name: str) -> None:
    """AddError when a site already watches this board, or already has this name
    (compared ignoring case, as both are for people to tell apart)."""
    entries = tree.get("sites") if isinstance(tree, CommentedMap) else None
    if not isinstance(entries, CommentedSeq):
        return
    sites = [
        (int(entries.lc.item(index)[0]) + 1, entry)
        for index, entry in enumerate(entries)
        if isinstance(entry, CommentedMap)
    ]
    wanted = _same(board)
    for line, entry in sites:
        if entry.get(key) is None:
            continue
        try:
            theirs = sources.get(key).check_board(entry[key])
        except ValueError:
            continue
        if _same(theirs) == wanted:
            raise AddError(
                f"{file_name}:{line}: {str(entry.get('name'))!r} already watches "
                f"{key}: {display_board(board)}"
            )
    for line, entry in sites:
        existing = str(entry.get("name"))
        if existing.casefold() == name.casefold():
            raise AddError(
                f"{file_name}:{line}: a site named {existing!r} already exists: "
                "choose another name with --name"
            )


def _same(board: Any) -> str:
    return display_board(board).casefold().rstrip("/")


def _append(text: str, entry: dict[str, Any]) -> tuple[str, str]:
    """`text` with `entry` appended to its `sites:` sequence, and the lines added.

    The lines go right after the last sequence item's last line, at its indentation, so
    that every other byte stays; when that cannot be done (a flow-style `sites: [...]`)
    ruamel dumps the edited tree instead. Either way the result must parse to the same
    document plus the entry."""
    newline = "\r\n" if "\r\n" in text else "\n"
    expected = _plain(_load(text)) or {}
    if not isinstance(expected, dict):
        raise AddError("sites.yaml must be a mapping with `sites:`")
    expected = {**expected, "sites": [*(expected.get("sites") or []), _plain(entry)]}
    for new_text, lines in _insertions(text, entry, newline):
        if _plain(_load(new_text)) == expected:
            return new_text, lines
    lines = _render(entry, 2, 4, newline)
    raise AddError(f"could not append to sites.yaml safely: add these lines by hand:\n{lines}")


def _insertions(text: str, entry: dict[str, Any], newline: str) -> Iterator[tuple[str, str]]:
    """Ways to add the entry, most faithful first."""
    root = YAML(typ="rt").compose(text) if text.strip() else None
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)
    sites_key, sites = _sites_node(root)
    if root is None or (isinstance(root, MappingNode) and sites is None):
        block = _render(entry, 2, 4, newline)
        head = text if not text or text.endswith("\n") else text + newline
        yield head + "sites:" + newline + block, block
    elif isinstance(sites, SequenceNode) and not sites.flow_style and sites.value:
        dash = sites.start_mark.column
        last = sites.value[-1]
        content = (
            last.start_mark.column
            if isinstance(last, MappingNode) and not last.flow_style
            else dash + 2
        )
        block = _render(entry, dash, content, newline)
        end = _last_line(last)
        trimmed = end
        while trimmed > last.start_mark.line and not lines[trimmed].strip():
            trimmed -= 1
        for after in dict.fromkeys((trimmed, end)):
            yield _insert_after(lines, after, block, newline), block
    elif isinstance(sites, ScalarNode) and sites_key is not None and sites.value == "":
        block = _render(entry, 2, 4, newline)  # `sites:` with nothing (or only comments) under it
        yield _insert_after(lines, sites_key.start_mark.line, block, newline), block
    yield _dumped(text, entry, newline)


def _sites_node(root: Node | None) -> tuple[Node | None, Node | None]:
    if isinstance(root, MappingNode) and not root.flow_style:
        for key, value in root.value:
            if isinstance(key, ScalarNode) and key.value == "sites":
                return key, value
    return None, None


def _last_line(node: Node) -> int:
    """The last line (0-based) holding part of `node`."""
    if isinstance(node, ScalarNode) and node.value == "" and not node.style:
        return -1  # an empty value (`notify:`) is marked at the next token: its key counts
    if isinstance(node, ScalarNode) or getattr(node, "flow_style", False):
        mark = node.end_mark
        return mark.line if mark.column > 0 else mark.line - 1
    lines = [node.start_mark.line]
    if isinstance(node, MappingNode):
        for key, value in node.value:
            lines += [_last_line(key), _last_line(value)]
    elif isinstance(node, SequenceNode):
        lines += [_last_line(item) for item in node.value]
    return max(lines)


def _insert_after(lines: list[str], index: int, block: str, newline: str) -> str:
    before = "".join(lines[: index + 1])
    if before and not before.endswith("\n"):
        before += newline
    return before + block + "".join(lines[index + 1 :])


def _render(entry: dict[str, Any], dash: int, content: int, newline: str) -> str:
    """The entry as a block sequence item: `-` at column `dash`, keys at `content`."""
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=max(2, content - dash), offset=0)
    out = io.StringIO()
    yaml.dump([_plain(entry)], out)
    return "".join(" " * dash + line + newline for line in out.getvalue().splitlines())


def _dumped(text: str, entry: dict[str, Any], newline: str) -> tuple[str, str]:
    """The whole tree, edited and dumped by ruamel: for layouts lines cannot be added to."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    tree = yaml.load(text) if text.strip() else None
    if tree is None:
        tree = CommentedMap()
    if not isinstance(tree, CommentedMap):
        raise AddError("sites.yaml must be a mapping with `sites:`")
    sites_list = tree.get("sites")
    if not isinstance(sites_list, CommentedSeq):
        sites_list = tree["sites"] = CommentedSeq()
    sites_list.fa.set_block_style()
    sites_list.append(CommentedMap(_plain(entry)))
    out = io.StringIO()
    yaml.dump(tree, out)
    dumped = out.getvalue().replace("\n", newline) if newline != "\n" else out.getvalue()
    return dumped, _render(entry, 2, 4, newline)


# --- the file ---------------------------------------------------------------------------------


def read_sites(path: Path) -> str | None:
    """The file's text, None when it does not exist."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise AddError(f"{path} cannot be read: {exc}") from None


def write_sites(path: Path, text: str, original: str | None) -> None:
    """Replace the file atomically (a temporary file renamed over it), keeping its mode;
    refused when it changed since `original` was read."""
    target = path.resolve() if path.is_symlink() else path
    if read_sites(target) != original:
        raise AddError(f"{path} changed while adding: nothing written, run the command again")
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        mode = 0o666 & ~umask
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# --- the whole command --------------------------------------------------------------------


@dataclass(frozen=True)
class Added:
    found: Found
    name: str
    plan: Plan
    path: Path
    read: TestRead | None = None  # None on a dry run
    written: bool = False
    created: bool = False  # the file did not exist
    notes: list[str] = field(default_factory=list)


async def add_url(
    url: str,
    path: Path,
    fetcher: Fetcher,
    now: datetime,
    *,
    name: str | None = None,
    api: str | None = None,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Added:
    """Find the board `url` names or leads to, test-read it and append its entry to the
    file at `path`. A dry run changes nothing, and for a URL that names its platform and
    board makes no request at all. AddError, with the file untouched, for bad input."""
    environ = os.environ if environ is None else environ
    original = read_sites(path)
    if original is not None:
        check_sites(original, str(path), environ)
    found = await locate(url, fetcher)
    site_name = name.strip() if name and name.strip() else default_name(found.key, found.board)
    draft = plan(
        original, found.key, found.board, site_name, api=api, file_name=str(path), environ=environ
    )
    board = draft.entry[found.key]
    found = Found(found.key, board, found.via, found.page, found.count, found.others)
    if dry_run:
        return Added(found, site_name, draft, path, created=original is None)
    read = await test_read(found.key, board, fetcher, now, api)
    write_sites(path, draft.text, original)
    notes = []
    if read.openings == 0 and not sources.get(found.key).answers_unknown:
        notes.append(
            f"{found.label} answers even for board ids it does not know: "
            f"make sure {found.display()!r} is right"
        )
    return Added(found, site_name, draft, path, read, True, original is None, notes)
