"""`watcher add`: from links a user pastes, or companies' names, to new `sites.yaml` entries.

Pure parts, each a function of its inputs:

- `parse_target`, `read_links`: a URL or a company name; the links of a file (one a line,
  or the first http(s) URL of a line, as in a CSV export).
- `classify`: what a URL says without a request: it names a board, it needs one request
  (a Greenhouse job link without its board, a Workable short link, a company page), or
  it is not recognised.
- `find_in_page`: the board a company page is on (`board_in_page` of every platform),
  links to or embeds (or its schema.org data).
- `slugs`, `default_name`, `unique_name`, `board_url`, `hand_written_hint`: names and ids.
- `plan`, `plan_sites`: the edited `sites.yaml` text, its comments and layout kept byte
  for byte: the new lines are inserted where ruamel's round-trip parse says the `sites:`
  sequence ends, and the result must parse to the same document plus the new entries,
  and validate.

I/O parts, network only through a `Fetcher`: `locate` (at most two requests for a link),
`test_read`, `probe`, `add_links` (any number of links, one edit of the file) and
`add_url` (one link, the same path); and `read_sites` / `write_sites` (atomic replace).
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
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import SplitResult, parse_qs, urlsplit

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from selectolax.lexbor import LexborHTMLParser

from watcher import config as config_mod
from watcher import directory, sources
from watcher.fetch import Fetcher
from watcher.model import Request, Response, SourceError
from watcher.reader import Read, read_board
from watcher.sources.base import rebase
from watcher.sources.feed import is_feed
from watcher.sources.jsonld import absolute_url, job_posting_objects, page_text, public_url
from watcher.sources.search import SearchBoard

MAX_IDS = 3  # board ids guessed from a company name; each is tried on every probe-able platform
CONCURRENCY = 4  # links resolved, or boards test-read, at once
PAGE_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

ApiFor = Callable[[str], str | None]
T = TypeVar("T")


def no_api(key: str) -> str | None:
    return None


class AddError(Exception):
    """Bad input or nothing found: the message says what to do; `problems` are config lines."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.problems = problems


class NothingFound(AddError):
    """A page was read but names no board this watcher can read."""


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
        parts = _split(value, text)
        if parts.scheme.lower() not in ("http", "https"):
            raise AddError(f"{text!r} is not a web address (http:// or https://)")
        if " " in value or not parts.hostname:
            raise AddError(f"{text!r} is not a valid URL")
        return Target(url=value)
    if " " not in value and ("/" in value or "." in value):
        url = "https://" + value
        parts = _split(url, text)
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


def _split(url: str, text: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError:  # a malformed IPv6 host
        raise AddError(f"{text!r} is not a valid URL") from None


@dataclass(frozen=True)
class Link:
    """One thing to add: a URL or a company name, from an argument or a line of a file;
    `error` says why a line is neither."""

    text: str  # as given
    url: str | None = None
    name: str | None = None
    line: int | None = None  # in the file it came from
    error: str | None = None

    @property
    def where(self) -> str:
        return f"line {self.line}" if self.line is not None else self.text


def link(text: str, line: int | None = None) -> Link:
    """An argument (a URL or a company name) as a `Link`."""
    try:
        target = parse_target(text)
    except AddError as exc:
        return Link(text, line=line, error=exc.message)
    return Link(text, target.url, target.name, line)


# The first http(s) URL of a line: up to a space, a quote, a bracket or a CSV separator.
_FIRST_URL = re.compile(r"https?://[^\s\"'<>()\[\]{}|,;`]+", re.IGNORECASE)


def read_links(text: str) -> list[Link]:
    """The links of a file: one a line, or the first URL of a line (a CSV export, a
    Markdown list, bookmarks); blank lines and `#` comments skipped. A line with no URL
    is kept as a `Link` with an `error`, to be reported."""
    found = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff").strip()
        if not line or line.startswith("#"):
            continue
        match = _FIRST_URL.search(line)
        url = match.group(0).rstrip(".:!?*_") if match else _bare_url(line)
        found.append(link(url, number) if url else Link(line, line=number, error="no URL"))
    return found


def _bare_url(line: str) -> str | None:
    """The first link written without `https://` on a line: a host and a path, or a
    board's own host (`acme.recruitee.com`)."""
    for token in re.split(r"[\s\"'<>()\[\]{}|,;`]+", line):
        if "." in token and ("/" in token or sources.detect(token)):
            try:
                url = parse_target(token).url
            except AddError:
                continue
            if url:
                return url
    return None


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
    # url, redirect, link (on a page), page (the page is the board's), json-ld, feed, directory
    via: str = "url"
    page: str | None = None  # the page that was read to find it (the link, for the directory)
    count: int = 0  # for `link`: how many links or embeds named this board
    others: tuple[Candidate, ...] = ()  # other boards the page named, most frequent first
    note: str = ""  # what else a person should know: a confirmation, a doubt, a choice made
    name: str | None = None  # the company's name, when the directory gave the board
    render: str = (
        "plain"  # or "browser": the site needs a browser (its platform's, or the directory's)
    )

    def __post_init__(self) -> None:
        source = sources.REGISTRY.get(self.key)
        if source is not None and source.render != "plain" and self.render == "plain":
            object.__setattr__(self, "render", source.render)

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


# --- what a link says before any request --------------------------------------------------

BOARD, REQUEST, UNRECOGNISED = "board", "request", "unrecognised"  # what `classify` says

_GREENHOUSE_HOST = re.compile(r"^(?:(?:job-)?boards(?:\.eu)?|app)\.greenhouse\.io$")
_WORKABLE_SHORT = re.compile(r"^/j/[A-Za-z0-9]+(?:/apply)?/?$")
# Sites that list other companies' jobs: no board of the company's behind them.
_AGGREGATORS = re.compile(
    r"(?:^|\.)(linkedin\.com|indeed\.[a-z.]+|glassdoor\.[a-z.]+|ziprecruiter\.[a-z.]+"
    r"|monster\.[a-z.]+|simplyhired\.com|careerbuilder\.com|dice\.com|wellfound\.com"
    r"|angel\.co|builtin[a-z]*\.com|jooble\.org|talent\.com|adzuna\.[a-z.]+|lensa\.com"
    r"|stepstone\.[a-z.]+|xing\.com|simplify\.jobs|handshake\.com|joinhandshake\.com)$"
)
# Words in a host or path that make a page worth reading for its board.
_CAREERS = re.compile(
    r"career|jobs?\b|jobs?[-_/.]|\bjoin|hiring|recrut|recruit|talent|vacanc|opening|position"
    r"|opportunit|karriere|stellen|emploi|empleo|carriere|carreira|lavora|werken|lifeat|workat"
    r"|apply|work-?with|work-?for",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Verdict:
    """What a link says before any request.

    `status` is BOARD (it names one: `found`), REQUEST (reading the link itself tells,
    `reason` says how: through `api:` of `platform` when set, and, for a page showing
    Greenhouse job `job`, one more request to Greenhouse) or UNRECOGNISED (`hopeless`:
    no request would help)."""

    status: str
    reason: str = ""
    found: Found | None = None
    platform: str | None = None
    job: str | None = None
    hopeless: bool = False


def classify(url: str) -> Verdict:
    """What `url` says about its board, without any network access."""
    found = detect_url(url)
    if found is not None:
        return Verdict(BOARD, found=found)
    parts = urlsplit(url.strip() if "://" in url else "https://" + url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    query = parse_qs(parts.query)
    if _GREENHOUSE_HOST.match(host) and parts.path.rstrip("/").endswith("/embed/job_app"):
        token = _number(query.get("token"))
        if token:
            return Verdict(
                REQUEST,
                f"a Greenhouse job ({token}) whose link does not name its board: "
                "Greenhouse's page for it does",
                platform="greenhouse",
            )
    if host == "apply.workable.com" and _WORKABLE_SHORT.match(parts.path):
        return Verdict(
            REQUEST, "a Workable short link: it leads to the account's page", platform="workable"
        )
    job = _number(query.get("gh_jid"))
    if job and not host.endswith("greenhouse.io"):
        return Verdict(
            REQUEST,
            f"a company page showing Greenhouse job {job}: read once for its board, "
            "which Greenhouse then confirms",
            job=job,
        )
    aggregator = _AGGREGATORS.search(host)
    if aggregator:
        return Verdict(
            UNRECOGNISED,
            f"{aggregator.group(1)} lists other companies' jobs: "
            "add the company's own careers link instead",
            hopeless=True,
        )
    if _CAREERS.search(host + parts.path):
        return Verdict(
            REQUEST,
            "a company's careers page: read once for the board it is on, links to or embeds",
        )
    return Verdict(UNRECOGNISED, f"{host or url} names no job board this watcher knows")


def _number(values: list[str] | None) -> str | None:
    value = (values or [""])[0].strip()
    return value if value.isdigit() else None


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


def find_in_page(
    body: bytes, page_url: str, content_type: str = "", headers: Mapping[str, str] | None = None
) -> Found | None:
    """What a company's careers page (fetched from `page_url`) says about its job board:
    the board of a platform that serves it on the company's domain (each platform's
    `board_in_page`); else the board most often linked or embedded (`<a href>`,
    `<iframe src>`, `<script src>`, URLs in inline scripts); else `jsonld` when it
    carries schema.org JobPosting data; else `feed` when it is itself an RSS or Atom
    feed; else None."""
    if is_feed(body):
        return Found("feed", page_url, via="feed", page=page_url)
    response = Response(200, page_url, body, {"content-type": content_type, **(headers or {})})
    for source in sources.REGISTRY.values():
        try:
            board = source.board_in_page(response)
            if board is not None:
                return Found(source.key, source.check_board(board), via="page", page=page_url)
        except (ValueError, SourceError):
            continue
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


async def locate(url: str, fetcher: Fetcher, *, api_for: ApiFor = no_api) -> Found:
    """The platform and board for a URL: from the URL itself when it names them (no
    network), else from the page it leads to, read once (through `api:` of the platform
    whose link it is); a page showing a Greenhouse job (`gh_jid`) takes one more request
    to Greenhouse. NothingFound when the page names no board, AddError when it cannot
    be read."""
    verdict = classify(url)
    if verdict.found is not None:
        return verdict.found
    if verdict.hopeless:
        raise NothingFound(verdict.reason)
    api = api_for(verdict.platform) if verdict.platform else None
    response = await _fetch_page(url, fetcher, api, verdict.reason if verdict.platform else "")
    final = public_url(response.url, url, api)
    if final != url:
        redirected = detect_url(final)
        if redirected is not None:
            return Found(redirected.key, redirected.board, via="redirect", page=url)
    found = find_in_page(
        response.body, final, response.headers.get("content-type", ""), response.headers
    )
    if verdict.job is not None:
        return await _greenhouse_job(verdict.job, found, url, fetcher, api_for("greenhouse"))
    if found is None:
        raise NothingFound(no_platform_message(final, default_name("jsonld", final)))
    return found


async def _fetch_page(url: str, fetcher: Fetcher, api: str | None, why: str = "") -> Response:
    try:
        return await fetcher.fetch(Request(rebase(url, api), headers={"Accept": PAGE_ACCEPT}))
    except SourceError as exc:
        reason = f"HTTP {exc.status}: no such page" if exc.kind == "not_found" else exc.reason
        hint = f" ({why}; closed or removed since?)" if why and exc.kind == "not_found" else ""
        raise AddError(f"could not read {url}: {reason}{hint}") from None


async def _greenhouse_job(
    job: str, found: Found | None, page: str, fetcher: Fetcher, api: str | None
) -> Found:
    """The Greenhouse board of a company page showing job `job` (`?gh_jid=`): the board
    the page embeds, confirmed by Greenhouse's API listing the job; or, when the page
    names none (it is drawn by a script), the board Greenhouse's own page for the job
    leads to."""
    ranked = [Candidate(found.key, found.board, found.count), *found.others] if found else []
    board = next((c.board for c in ranked if c.key == "greenhouse"), None)
    if board is None:
        embed = f"https://boards.greenhouse.io/embed/job_app?token={job}"
        response = await _fetch_page(embed, fetcher, api, f"Greenhouse job {job}")
        led = public_url(response.url, embed, api)
        named = detect_url(led) or find_in_page(response.body, led)
        if named is None or named.key != "greenhouse":
            raise NothingFound(
                f"{page} shows Greenhouse job {job}, but neither the page nor Greenhouse's "
                "page for the job names its board: add the board's link instead"
            )
        return Found(
            "greenhouse",
            named.board,
            "redirect",
            page,
            note=f"the page names no board: Greenhouse's page for job {job} leads to it",
        )
    others = tuple(c for c in ranked if not (c.key == "greenhouse" and c.board == board))
    api_url = f"https://boards-api.greenhouse.io/v1/boards/{board}/jobs/{job}"
    try:
        await fetcher.fetch(Request(rebase(api_url, api)))
        note = f"Greenhouse confirms job {job} is on it"
    except SourceError as exc:
        doubt = "does not list it (closed since?)" if exc.kind == "not_found" else exc.reason
        note = f"could not confirm job {job} is on it: Greenhouse {doubt}; check the board"
    count = next(c.count for c in ranked if c.key == "greenhouse" and c.board == board)
    return Found("greenhouse", board, "link", page, count, others, note)


# --- names ------------------------------------------------------------------------------

# Host labels and words that say "careers" rather than whose careers they are.
_GENERIC_LABELS = frozenset(
    {"www", "careers", "career", "jobs", "job", "apply", "boards", "join", "work", "hire", "team"}
    | {"explore", "recruiting", "talent", "hiring", "en", "us", "global", "external"}
)
# Labels of the platforms' own hosts in a board id (`wd1.myworkdaysite.com/acme/External`).
_PLATFORM_LABEL = re.compile(
    r"^(?:wd\d+|myworkday(?:jobs|site)|career\d*|com|net|org|io|co|de|uk|eu|ai|"
    r"personio|icims|eightfold|avature|phenompeople|successfactors|taleo|jobvite|oraclecloud)$",
    re.IGNORECASE,
)
_AFFIXES = re.compile(r"^(?:lifeat|careersat|jobsat|workat|joinus|join)|(?:careers?|jobs)$")
_LEGAL_SUFFIXES = frozenset(
    {"inc", "incorporated", "llc", "ltd", "limited", "gmbh", "ag", "sa", "sas", "sarl", "srl"}
    | {"bv", "nv", "plc", "corp", "corporation", "co", "company", "se", "oy", "ab", "as", "kg"}
)


def default_name(key: str, board: Any) -> str:
    """A site name from a board id: `safe-global` → `Safe Global`, `autodesk.wd1/Ext` and
    `wd1.myworkdaysite.com/autodesk/Ext` → `Autodesk`, `https://careers.acme.example/jobs`
    → `Acme`."""
    text = display_board(board)
    if "://" in text:
        host = (urlsplit(text).hostname or "").lower()
        if re.fullmatch(r"[\d.]+|[0-9a-f:]+", host):
            return host
        labels = host.split(".")[:-1] or [host]
    else:
        labels = re.split(r"[./:]", text.removeprefix("eu:"))
    words = next(filter(None, map(_company_words, labels)), [])
    named = " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in words)
    return named or text


def _company_words(label: str) -> list[str]:
    """The words of a host label or board id part that name a company, if any."""
    if label.lower() in _GENERIC_LABELS or _PLATFORM_LABEL.match(label):
        return []
    words = [w for w in re.split(r"[-_\s]+", label) if w]
    while len(words) > 1 and words[0].lower() in _GENERIC_LABELS:
        words.pop(0)
    if len(words) == 1:
        stripped = _AFFIXES.sub("", words[0].lower())
        if len(stripped) >= 2 and stripped != words[0].lower():
            words = [stripped]
    return words


def site_name(found: Found, link: str | None = None) -> str:
    """The name a new site gets: a large employer's own name for its search sites
    (`TikTok`), else from its board id, or, for a board that names no company, from the
    host of the link that led to it."""
    if isinstance(found.board, SearchBoard):
        return sources.get(found.key).label
    if isinstance(found.board, str) or not (found.page or link):
        return default_name(found.key, found.board)
    return default_name("jsonld", found.page or link)


def unique_name(name: str, label: str, taken: set[str]) -> str:
    """`name`, or `name (Label)`, `name (2)`... : the first not in `taken` (folded)."""
    candidates = [name, f"{name} ({label})"]
    candidates += (f"{name} ({n})" for n in range(2, len(taken) + 3))
    return next(c for c in candidates if c.casefold() not in taken)


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
    if key == "workday" and ".myworkdaysite.com/" in text:
        host, tenant, site = text.split("/", 2)
        return f"https://{host}/recruiting/{tenant}/{site}"
    if key == "workday" and "/" in text:
        host, site = text.split("/", 1)
        return f"https://{host}.myworkdayjobs.com/{site}"
    if key == "personio":
        return f"https://{text if '.' in text else text + '.jobs.personio.de'}"
    template = _BOARD_URLS.get(key)
    return template.format(text.replace(" ", "%20")) if template else None


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
    applies_through: tuple[tuple[str, Any], ...] = ()  # other platforms' boards (key, board)


class _FirstPage:
    """A fetcher that keeps the first response it gets: what the platform may say of it
    (`Source.applies_through`)."""

    def __init__(self, client: Fetcher):
        self.client = client
        self.first: Response | None = None

    async def fetch(self, request: Request, **conditions: Any) -> Response:
        response = await self.client.fetch(request, **conditions)
        if self.first is None:
            self.first = response
        return response


async def test_read(
    key: str,
    board: Any,
    fetcher: Fetcher,
    now: datetime,
    api: str | None = None,
    render: str = "plain",
) -> TestRead:
    """Read the board once, as `watcher check` will (without detail pages): through the
    fetcher's headless Chromium for a site read with `render: browser`."""
    source = sources.get(key)(board, api=api)

    async def read_through(client: Any) -> tuple[Read, Response | None]:
        keeping = _FirstPage(client)  # has the one method the reader calls: `fetch`
        read = await read_board(
            source, cast(Fetcher, keeping), now, needs_detail=lambda posting: False
        )
        return read, keeping.first

    try:
        if render == "browser":
            async with fetcher.browser().site() as browsing:
                read, first = await read_through(browsing)
        else:
            read, first = await read_through(fetcher)
    except SourceError as exc:
        raise AddError(f"test read of {key}: {source.display()} failed: {exc.reason}") from None
    elsewhere = tuple(source.applies_through(first)) if first is not None else ()
    return TestRead(len(read.postings), read.truncated, elsewhere)


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
    entries: tuple[dict[str, Any], ...]  # name, the platform key, api: in the order added
    lines: str  # the lines added, as they appear in the file
    text: str  # the whole new file

    @property
    def entry(self) -> dict[str, Any]:
        return self.entries[-1]


def check_sites(text: str, file_name: str, environ: Mapping[str, str]) -> None:
    """AddError listing the problems of a `sites.yaml` that does not validate."""
    try:
        config_mod.parse(text, file_name, environ)
    except config_mod.ConfigError as exc:
        raise AddError(
            f"{file_name} has problems: fix them first (see `watcher validate`)",
            tuple(map(str, exc.problems)),
        ) from None


def site_entry(
    key: str, board: Any, name: str, api: str | None = None, render: str = "plain"
) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, key: yaml_board(board)}
    if api:
        entry["api"] = api
    if render != "plain":
        entry["render"] = render
    return entry


def yaml_board(board: Any) -> Any:
    """A board as `sites.yaml` spells it: a search for everything is `all`."""
    if isinstance(board, SearchBoard):
        return "all" if board.everything else board.model_dump(exclude_defaults=True)
    return board


def checked_board(key: str, board: Any) -> Any:
    """The board as its platform spells it; AddError when this watcher cannot read it."""
    if key not in sources.REGISTRY:
        raise AddError(f"this watcher cannot read {key} boards yet (found {display_board(board)})")
    try:
        return sources.get(key).check_board(board)
    except ValueError as exc:
        raise AddError(f"{key}: {display_board(board)}: {exc}") from None


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
    if not name.strip():
        raise AddError("a site needs a name: give one with --name")
    board = checked_board(key, board)
    current = Sites(_load(text or ""), file_name)
    problem = current.watching(key, board) or current.naming(name)
    if problem:
        raise AddError(problem)
    return plan_sites(
        text, [site_entry(key, board, name.strip(), api)], file_name=file_name, environ=environ
    )


def plan_sites(
    text: str | None,
    entries: Sequence[dict[str, Any]],
    *,
    file_name: str = "sites.yaml",
    environ: Mapping[str, str] | None = None,
) -> Plan:
    """The new `sites.yaml` with `entries` appended to `sites:` in one edit (the
    section created when absent), validated once. AddError when it does not validate."""
    environ = os.environ if environ is None else environ
    new_text, lines = _append(text or "", entries)
    try:
        config_mod.parse(new_text, file_name, environ)
    except config_mod.ConfigError as exc:
        what = "entry" if len(entries) == 1 else "entries"
        raise AddError(
            f"the new {what} would not validate:\n{lines.rstrip()}", tuple(map(str, exc.problems))
        ) from None
    return Plan(tuple(entries), lines, new_text)


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


class Sites:
    """The sites a `sites.yaml` tree already has: the boards they watch and their names
    (names compared ignoring case, as both are for people to tell apart)."""

    def __init__(self, tree: Any, file_name: str = "sites.yaml"):
        self.file_name = file_name
        self.boards: dict[tuple[str, str], tuple[int, str]] = {}
        self.names: dict[str, tuple[int, str]] = {}
        entries = tree.get("sites") if isinstance(tree, CommentedMap) else None
        if not isinstance(entries, CommentedSeq):
            return
        for index, entry in enumerate(entries):
            if not isinstance(entry, CommentedMap):
                continue
            line, name = int(entries.lc.item(index)[0]) + 1, str(entry.get("name"))
            self.names.setdefault(name.casefold(), (line, name))
            for key, value in entry.items():
                if key in sources.REGISTRY and value is not None:
                    try:
                        board = sources.get(key).check_board(value)
                    except ValueError:
                        continue
                    self.boards.setdefault((key, same_board(board)), (line, name))

    def watching(self, key: str, board: Any) -> str | None:
        """What to tell when a site already watches this board, else None."""
        if (key, same_board(board)) not in self.boards:
            return None
        line, name = self.boards[(key, same_board(board))]
        return f"{self.file_name}:{line}: {name!r} already watches {key}: {display_board(board)}"

    def naming(self, name: str) -> str | None:
        """What to tell when a site already has this name, else None."""
        if name.strip().casefold() not in self.names:
            return None
        line, existing = self.names[name.strip().casefold()]
        return (
            f"{self.file_name}:{line}: a site named {existing!r} already exists: "
            "choose another name with --name"
        )


def same_board(board: Any) -> str:
    """What two spellings of one board have in common."""
    return display_board(board).casefold().rstrip("/")


def _append(text: str, entries: Sequence[dict[str, Any]]) -> tuple[str, str]:
    """`text` with `entries` appended to its `sites:` sequence, and the lines added.

    The lines go right after the last sequence item's last line, at its indentation, so
    that every other byte stays; when that cannot be done (a flow-style `sites: [...]`)
    ruamel dumps the edited tree instead. Either way the result must parse to the same
    document plus the entries."""
    newline = "\r\n" if "\r\n" in text else "\n"
    expected = _plain(_load(text)) or {}
    if not isinstance(expected, dict):
        raise AddError("sites.yaml must be a mapping with `sites:`")
    expected = {**expected, "sites": [*(expected.get("sites") or []), *map(_plain, entries)]}
    for new_text, lines in _insertions(text, entries, newline):
        if _plain(_load(new_text)) == expected:
            return new_text, lines
    lines = _render(entries, 2, 4, newline)
    raise AddError(f"could not append to sites.yaml safely: add these lines by hand:\n{lines}")


def _insertions(
    text: str, entries: Sequence[dict[str, Any]], newline: str
) -> Iterator[tuple[str, str]]:
    """Ways to add the entries, most faithful first."""
    root = YAML(typ="rt").compose(text) if text.strip() else None
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)
    sites_key, sites = _sites_node(root)
    if root is None or (isinstance(root, MappingNode) and sites is None):
        block = _render(entries, 2, 4, newline)
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
        block = _render(entries, dash, content, newline)
        end = _last_line(last)
        trimmed = end
        while trimmed > last.start_mark.line and not lines[trimmed].strip():
            trimmed -= 1
        for after in dict.fromkeys((trimmed, end)):
            yield _insert_after(lines, after, block, newline), block
    elif isinstance(sites, ScalarNode) and sites_key is not None and sites.value == "":
        block = _render(entries, 2, 4, newline)  # `sites:` with nothing (or only comments) under it
        yield _insert_after(lines, sites_key.start_mark.line, block, newline), block
    yield _dumped(text, entries, newline)


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


def _render(entries: Sequence[dict[str, Any]], dash: int, content: int, newline: str) -> str:
    """The entries as block sequence items: `-` at column `dash`, keys at `content`."""
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=max(2, content - dash), offset=0)
    out = io.StringIO()
    yaml.dump([_plain(entry) for entry in entries], out)
    return "".join(" " * dash + line + newline for line in out.getvalue().splitlines())


def _dumped(text: str, entries: Sequence[dict[str, Any]], newline: str) -> tuple[str, str]:
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
    sites_list.extend(CommentedMap(_plain(entry)) for entry in entries)
    out = io.StringIO()
    yaml.dump(tree, out)
    dumped = out.getvalue().replace("\n", newline) if newline != "\n" else out.getvalue()
    return dumped, _render(entries, 2, 4, newline)


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


class Status(StrEnum):
    """What became of one link."""

    ADDED = "added"
    WOULD_ADD = "would add"  # a dry run
    EXISTS = "exists"  # a site already watches its board
    NEEDS_REQUEST = "needs request"  # offline, and the link names no board by itself
    UNRECOGNISED = "unrecognised"  # no board this watcher knows behind it
    ERROR = "error"  # a bad line, a page that cannot be read, a failed test read...


@dataclass(frozen=True)
class Outcome:
    link: Link
    status: Status
    found: Found | None = None
    name: str | None = None  # the site's name: new, or the one already watching the board
    reason: str = ""  # one line
    error: AddError | None = None  # in full, for the one-link form to raise
    read: TestRead | None = None
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        found = self.found
        return {
            "url": self.link.url or self.link.text,
            "line": self.link.line,
            "status": str(self.status),
            "platform": found.key if found else None,
            "board": found.display() if found else None,
            "name": self.name,
            "reason": self.reason or None,
        }


@dataclass(frozen=True)
class Report:
    path: Path
    outcomes: tuple[Outcome, ...]
    plan: Plan | None = None  # None when there was nothing new to add
    written: bool = False
    created: bool = False  # the file did not exist


async def add_links(
    links: Sequence[Link],
    path: Path,
    fetcher: Fetcher | None,
    now: datetime,
    *,
    name: str | None = None,
    api: str | None = None,
    dry_run: bool = False,
    test_reads: bool = False,
    environ: Mapping[str, str] | None = None,
    concurrency: int = CONCURRENCY,
) -> Report:
    """Add the boards `links` name or lead to, in one edit of the file at `path`.

    Links of one board make one site; a board a site already watches is reported, not
    added again; new sites are named after their board (or the company, from the
    directory), made unique. Links that need a request are resolved `concurrency` at a
    time; with `test_reads`, each new board is read once first and left out when that
    fails. `fetcher` None is offline: no request at all. Nothing is written on a dry
    run or when no link gives a new board. AddError, with the file untouched, for a
    file that does not validate before or after."""
    environ = os.environ if environ is None else environ
    original = read_sites(path)
    if original is not None:
        check_sites(original, str(path), environ)
    limit = asyncio.Semaphore(concurrency)
    api_for: ApiFor = lambda key: api  # noqa: E731
    resolved = await asyncio.gather(*(_resolve(item, fetcher, api_for, limit) for item in links))
    current = Sites(_load(original or ""), str(path))
    outcomes: list[Outcome | None] = [r if isinstance(r, Outcome) else None for r in resolved]
    groups: dict[tuple[str, str], list[tuple[int, Found]]] = {}
    for index, item in enumerate(resolved):
        if isinstance(item, Found):
            try:
                board = checked_board(item.key, item.board)
            except AddError as exc:
                outcomes[index] = _failed(links[index], exc, item)
                continue
            groups.setdefault((item.key, same_board(board)), []).append(
                (index, replace(item, board=board))
            )
    new = []
    for members in groups.values():
        first = members[0][1]
        if (problem := current.watching(first.key, first.board)) is not None:
            owner = current.boards[(first.key, same_board(first.board))][1]
            for index, found in members:
                error = AddError(problem)
                outcomes[index] = Outcome(links[index], Status.EXISTS, found, owner, problem, error)
        else:
            new.append(members)
    if name is not None and len(new) > 1:
        raise AddError("--name names one site: give the links of one board, or leave it out")
    taken = set(current.names)
    named = []
    for members in new:
        first_index, first = members[0]
        if name is None:
            wanted = first.name or site_name(first, links[first_index].url)
            site = unique_name(wanted, first.label, taken)
        elif (problem := _name_problem(name, current)) is not None:
            for index, found in members:
                outcomes[index] = _failed(links[index], AddError(problem), found)
            continue
        else:
            site = name.strip()
        taken.add(site.casefold())
        named.append((members, site))
    reads: dict[int, TestRead | AddError] = {}
    if test_reads and fetcher is not None:
        done = await asyncio.gather(
            *(_limited(limit, _try_read(members[0][1], fetcher, now, api)) for members, _ in named)
        )
        reads = dict(enumerate(done))
    kept = []
    for number, (members, site) in enumerate(named):
        read = reads.get(number)
        if isinstance(read, AddError):
            for index, found in members:
                outcomes[index] = _failed(links[index], read, found)
        else:
            kept.append((members, site, read))
    entries = [
        site_entry(m[0][1].key, m[0][1].board, site, api, m[0][1].render) for m, site, _ in kept
    ]
    draft = plan_sites(original, entries, file_name=str(path), environ=environ) if kept else None
    if draft is not None and not dry_run:
        write_sites(path, draft.text, original)
    status = Status.WOULD_ADD if dry_run else Status.ADDED
    for members, site, read in kept:
        (first_index, first), *others = members
        notes = _read_notes(first, read)
        outcomes[first_index] = Outcome(
            links[first_index], status, first, site, first.note, read=read, notes=notes
        )
        for index, found in others:
            same = f"same board as {links[first_index].where}"
            outcomes[index] = Outcome(links[index], status, found, site, same, read=read)
    return Report(
        path,
        tuple(o for o in outcomes if o is not None),
        draft,
        written=draft is not None and not dry_run,
        created=original is None,
    )


async def _resolve(
    item: Link, fetcher: Fetcher | None, api_for: ApiFor, limit: asyncio.Semaphore
) -> Found | Outcome:
    """The board a link names or leads to, or what became of it."""
    if item.error is not None:
        return _failed(item, AddError(item.error))
    if item.name is not None:
        company = directory.lookup(item.name)
        if company is None:
            why = directory.unreadable(item.name) or (
                f"{item.name!r} is not in the directory of known employers "
                "(see `watcher add --list-known`): add its careers link instead"
            )
            return Outcome(item, Status.UNRECOGNISED, reason=why, error=AddError(why))
        return Found(
            company.key,
            company.board,
            "directory",
            company.link,
            note=company.note,
            name=company.name,
            render=company.render,
        )
    url = str(item.url)
    verdict = classify(url)
    if verdict.found is not None:
        return verdict.found
    if verdict.hopeless or fetcher is None:
        status = Status.NEEDS_REQUEST if verdict.status == REQUEST else Status.UNRECOGNISED
        return Outcome(item, status, reason=verdict.reason)
    async with limit:
        try:
            return await locate(url, fetcher, api_for=api_for)
        except NothingFound as exc:
            return Outcome(item, Status.UNRECOGNISED, reason=_first_line(exc.message), error=exc)
        except AddError as exc:
            return _failed(item, exc)


def _failed(item: Link, error: AddError, found: Found | None = None) -> Outcome:
    return Outcome(item, Status.ERROR, found, reason=_first_line(error.message), error=error)


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0].rstrip(":")


def _name_problem(name: str, current: Sites) -> str | None:
    if not name.strip():
        return "a site needs a name: give one with --name"
    return current.naming(name)


async def _limited(limit: asyncio.Semaphore, work: Awaitable[T]) -> T:
    async with limit:
        return await work


async def _try_read(found: Found, fetcher: Fetcher, now: datetime, api: str | None) -> Any:
    try:
        return await test_read(found.key, found.board, fetcher, now, api, found.render)
    except AddError as exc:
        return exc


def _read_notes(found: Found, read: TestRead | None) -> tuple[str, ...]:
    if read is None:
        return ()
    notes = [
        f"its postings apply through {sources.get(key).label} ({display_board(board)}): "
        f"that board can be watched directly"
        + (f", `watcher add {url}`" if (url := board_url(key, board)) else "")
        for key, board in read.applies_through
    ]
    if not read.openings and not sources.get(found.key).answers_unknown:
        notes.append(
            f"{found.label} answers even for board ids it does not know: "
            f"make sure {found.display()!r} is right"
        )
    return tuple(notes)


@dataclass(frozen=True)
class Added:
    found: Found
    name: str
    plan: Plan
    path: Path
    read: TestRead | None = None  # None when not read (offline, or --no-test-read)
    written: bool = False
    created: bool = False  # the file did not exist
    notes: list[str] = field(default_factory=list)


async def add_one(
    item: Link,
    path: Path,
    fetcher: Fetcher | None,
    now: datetime,
    *,
    name: str | None = None,
    api: str | None = None,
    dry_run: bool = False,
    test_read: bool = True,
    environ: Mapping[str, str] | None = None,
) -> Added:
    """`add_links` for one link (or a company in the directory), its outcome raised as
    AddError when it adds nothing, the file untouched."""
    report = await add_links(
        [item],
        path,
        fetcher,
        now,
        name=name,
        api=api,
        dry_run=dry_run,
        test_reads=test_read,
        environ=environ,
    )
    outcome = report.outcomes[0]
    if outcome.status is Status.NEEDS_REQUEST:
        raise AddError(f"{item.text}: {outcome.reason}; run without --offline to read it")
    if outcome.found is None or report.plan is None or outcome.name is None:
        raise outcome.error or AddError(outcome.reason)
    return Added(
        outcome.found,
        outcome.name,
        report.plan,
        path,
        outcome.read,
        report.written,
        report.created,
        list(outcome.notes),
    )


async def add_url(
    url: str,
    path: Path,
    fetcher: Fetcher | None,
    now: datetime,
    *,
    name: str | None = None,
    api: str | None = None,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Added:
    """Find the board `url` names or leads to, test-read it and append its entry to the
    file at `path` (a dry run reads but does not write; `fetcher` None makes no request
    and reads nothing). AddError, with the file untouched, for bad input."""
    return await add_one(
        Link(url, url=url),
        path,
        fetcher,
        now,
        name=name,
        api=api,
        dry_run=dry_run,
        environ=environ,
    )
