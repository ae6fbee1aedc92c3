"""Messages that fit each notification service (pure: no I/O).

Outbox rows become one or more messages in the markup the service renders
(Markdown, HTML or plain text) and within its length limit. A message is split
between postings, never inside one, so a link is never cut; a single posting
too long for the limit loses its "why", then its details, then the end of its
title, and keeps its link whole. Everything that comes from a job board is
cleaned (control and bidi characters removed, whitespace collapsed) and escaped
for the format, so a title can add no link, emphasis or markup; links that are
not http(s) are dropped.

`service_for(url)` tells the format and the limits of an Apprise URL by asking
Apprise's own plugin for it (a local object, no network), with a few overrides.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any, Protocol


class Format(StrEnum):
    """The markup of a message body. `SLACK` is Markdown as Apprise turns it into Slack's
    mrkdwn, which shows a backslash escape as written: it is escaped its own way."""

    MARKDOWN = "markdown"
    SLACK = "slack"
    HTML = "html"
    TEXT = "text"

    @property
    def markdown(self) -> bool:
        return self in (Format.MARKDOWN, Format.SLACK)

    @property
    def apprise(self) -> str:
        """The `NotifyFormat` value Apprise is given."""
        return "markdown" if self.markdown else self.value


@dataclass(frozen=True)
class Limits:
    """What a service accepts.

    body: the longest body, None for no limit.
    title: the longest title; 0 when the service has no title field (SMS, Telegram,
        Mattermost): the title is then written as the first line of the body and
        `Message.title` is empty, so Apprise does not prepend it a second time.
    title_counts: the title counts against the body limit (Apprise's
        `overflow_amalgamate_title`: Discord, ntfy).
    count_bytes: the limit counts UTF-8 bytes rather than characters (ntfy).
    """

    body: int | None = None
    title: int | None = None
    title_counts: bool = False
    count_bytes: bool = False


@dataclass(frozen=True)
class Message:
    """One message to send. A superset of `watcher.notify.Message` (same first three
    fields); send `body` with `body_format=apprise.NotifyFormat(message.format.apprise)`."""

    title: str
    body: str
    rows: tuple[int, ...] = ()  # the outbox rows this message delivers; each in one message
    format: Format = Format.MARKDOWN


class RowLike(Protocol):
    """What is read of an outbox row (`watcher.store.OutboxRow` is one)."""

    @property
    def id(self) -> int: ...
    @property
    def site(self) -> str | None: ...
    @property
    def posting_id(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def payload(self) -> Mapping[str, Any]: ...


# --- services ----------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    """The format and limits messages for one Apprise URL are made with."""

    format: Format
    limits: Limits = field(default_factory=Limits)

    def render(self, company: str | None, rows: Sequence[RowLike]) -> list[Message]:
        return render(company, rows, self.format, self.limits)

    def render_digest(self, rows: Sequence[RowLike]) -> list[Message]:
        return render_digest(rows, self.format, self.limits)


# Where Apprise's own declaration is not the best choice.
_PREFERRED_FORMAT = {
    # Apprise's Telegram Markdown is the legacy dialect, which cannot escape inside a
    # link's text; Telegram's HTML can escape everything (and is Apprise's default).
    "tgram": Format.HTML,
    # Pushover has no Markdown: Apprise would turn it into HTML, longer than measured.
    "pover": Format.HTML,
}
# ntfy's server turns a message over 4096 bytes (its default message-size-limit) into
# an attachment; Apprise allows 7800 characters.
_BODY_LIMIT = {"ntfy": 4096, "ntfys": 4096}
_BYTE_LIMITED = {"ntfy", "ntfys"}

_SMS = Limits(body=160, title=0)
# Used only when Apprise cannot make a plugin of the URL (unknown scheme, missing
# dependency, malformed URL); the values are those Apprise 2 declares.
_FALLBACK = {
    **dict.fromkeys(("slack",), Service(Format.SLACK, Limits(35000, 250))),
    **dict.fromkeys(("discord",), Service(Format.MARKDOWN, Limits(2000, 250, True))),
    **dict.fromkeys(("tgram",), Service(Format.HTML, Limits(4096, 0))),
    **dict.fromkeys(("matrix", "matrixs"), Service(Format.MARKDOWN, Limits(65000, 250))),
    **dict.fromkeys(("mmost", "mmosts"), Service(Format.TEXT, Limits(4000, 0))),
    **dict.fromkeys(("rocket", "rockets"), Service(Format.MARKDOWN, Limits(1000, 0))),
    **dict.fromkeys(("json", "jsons"), Service(Format.MARKDOWN, Limits(32768, 250))),
    **dict.fromkeys(
        ("mailto", "mailtos", "ses", "sendgrid", "mailgun", "sparkpost", "smtp2go", "resend"),
        Service(Format.HTML, Limits(32768, 250)),
    ),
    **dict.fromkeys(("ntfy", "ntfys"), Service(Format.TEXT, Limits(4096, 200, True, True))),
    **dict.fromkeys(("gotify", "gotifys"), Service(Format.TEXT, Limits(32768, 250))),
    **dict.fromkeys(("pover",), Service(Format.HTML, Limits(1024, 250))),
    **dict.fromkeys(
        ("twilio", "sns", "clicksend", "msg91", "vonage", "nexmo", "bulksms", "sinch"),
        Service(Format.TEXT, _SMS),
    ),
    **dict.fromkeys(("plivo",), Service(Format.TEXT, Limits(140, 0))),
    **dict.fromkeys(("signal", "signals"), Service(Format.TEXT, Limits(32768, 0))),
}


def _scheme(url: str) -> str:
    scheme, sep, _ = url.partition("://")
    return scheme.strip().lower() if sep else ""


def _formats(declared: object) -> list[Format]:
    """A plugin's `notify_format`: one NotifyFormat or a tuple of them, default first."""
    items = declared if isinstance(declared, tuple | list) else [declared]
    found = []
    for item in items:
        try:
            found.append(Format(str(getattr(item, "value", item)).lower()))
        except ValueError:
            continue
    return found or [Format.TEXT]


@lru_cache(maxsize=256)
def service_for(url: str) -> Service:
    """The format and limits for an Apprise URL, from Apprise's plugin for it.

    The plugin is made locally (no network) to read `notify_format`, `body_maxlen`,
    `title_maxlen` and `overflow_amalgamate_title`. A `?format=` in the URL wins.
    Among the formats a plugin accepts, Markdown is preferred, then HTML, then text,
    except where `_PREFERRED_FORMAT` says otherwise. Unknown URLs: plain text, no limit.
    """
    scheme = _scheme(url)
    plugin = _plugin(url)
    if plugin is None:
        return _FALLBACK.get(scheme, Service(Format.TEXT))
    formats = _formats(getattr(plugin, "notify_format", None))
    requested = getattr(plugin, "_format_override", None)
    requested = _formats(requested)[0] if requested is not None else None
    preferred = _PREFERRED_FORMAT.get(scheme)
    if len(formats) == 1:
        fmt = formats[0]  # a single-format plugin already applied any ?format=
    elif requested in formats:
        fmt = requested
    elif preferred in formats:
        fmt = preferred
    else:
        fmt = next(f for f in (Format.MARKDOWN, Format.HTML, Format.TEXT) if f in formats)
    if scheme == "slack" and fmt is Format.MARKDOWN:
        fmt = Format.SLACK
    body = _positive(getattr(plugin, "body_maxlen", 0))
    if scheme in _BODY_LIMIT:
        body = min(body or _BODY_LIMIT[scheme], _BODY_LIMIT[scheme])
    title_max = getattr(plugin, "title_maxlen", 250)
    title = 0 if not isinstance(title_max, int) or title_max <= 0 else title_max
    counts = bool(getattr(plugin, "overflow_amalgamate_title", False))
    return Service(fmt, Limits(body, title, counts, scheme in _BYTE_LIMITED))


def format_for(url: str) -> tuple[Format, int | None]:
    """The format and body length limit for an Apprise URL. `service_for(url).limits`
    also says how the title counts; pass it to `render` rather than this bare number."""
    service = service_for(url)
    return service.format, service.limits.body


def _plugin(url: str) -> Any:
    try:
        import apprise
    except ImportError:  # pragma: no cover - apprise is a dependency
        return None
    try:
        return apprise.Apprise.instantiate(url)
    except Exception:
        return None


def _positive(value: object) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


# --- cleaning and escaping -----------------------------------------------------------

_KEEP_FORMAT_CHARS = frozenset("\u200c\u200d")  # ZWNJ, ZWJ: needed in scripts and emoji


def _is_control(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category in ("Cc", "Cs") or (category == "Cf" and ch not in _KEEP_FORMAT_CHARS)


def clean(value: object) -> str:
    """One line of text: control, format (bidi overrides, zero-width) and surrogate
    characters removed, runs of whitespace (newlines too) made one space."""
    text = str(value)
    if not text.isprintable():
        text = "".join(ch for ch in text if ch.isspace() or not _is_control(ch))
    return " ".join(text.split())


_MENTION = re.compile(r"@(?=(?:everyone|here|channel|room|all)\b)", re.IGNORECASE)


def _defang(text: str) -> str:
    """`@everyone`, `@here`, `@room`... that notify nobody (a zero-width space after @)."""
    return _MENTION.sub("@\u200b", text)


_MD_SPECIAL = re.compile(r"[\\`*_\[\]<>~|]|&(?=#?[0-9A-Za-z]{1,32};)")
_MD_LINE_START = re.compile(r"^(?:[#>+=-]|\d+(?=[.)]))")


def escape_markdown(text: str) -> str:
    """Text that renders as itself within a Markdown line: no link, emphasis, code,
    HTML, entity, strike-through or spoiler can be made of it."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), _defang(text))


def _markdown_line(fmt: Format, text: str) -> str:
    """Like `escape_markdown`, for text that starts a line (no heading, list, quote)."""
    if fmt is Format.SLACK:
        return escape_mrkdwn(text)  # `#` and `>` escaped anywhere; Slack has no lists
    escaped = escape_markdown(text)
    found = _MD_LINE_START.match(escaped)
    if not found:
        return escaped
    if found.group(0)[0].isdigit():  # "1." or "1)" would start a list
        end = found.end()
        return f"{escaped[:end]}\\{escaped[end:]}"
    return "\\" + escaped


def escape_html(text: str) -> str:
    return html.escape(_defang(text), quote=True)


# What Apprise's CommonMark-to-mrkdwn step takes a backslash off (or makes an entity of),
# and Slack's emphasis marks, which it shows with their backslash: those become look-alikes.
_MRKDWN_SPECIAL = re.compile(r"[\[\]()<>!#]")
_MRKDWN_LOOKALIKE = str.maketrans({"*": "\u2217", "~": "\u223c", "`": "\u02cb", "\\": "\u2216"})
_MRKDWN_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def escape_mrkdwn(text: str) -> str:
    """Text that Slack shows as itself: no backslash is left to show, no emphasis, link
    or mention can be made of it (`snake_case` stays as it is)."""
    text = _MRKDWN_UNDERSCORE.sub("\uff3f", _defang(text).translate(_MRKDWN_LOOKALIKE))
    return _MRKDWN_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def _escape(fmt: Format, text: str) -> str:
    if fmt is Format.SLACK:
        return escape_mrkdwn(text)
    if fmt.markdown:
        return escape_markdown(text)
    if fmt is Format.HTML:
        return escape_html(text)
    return _defang(text)


_URL = re.compile(r"(https?)://([^/?#]*)(.*)\Z", re.IGNORECASE | re.DOTALL)
_AUTHORITY = re.compile(r"[A-Za-z0-9\-._~%!$&'*+,;=:@\[\]]+")
_URL_SAFE = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#@!$&'*+,;="
)
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_ENTITY_LIKE = re.compile(r"(&#?[0-9A-Za-z]{1,32});")


def safe_url(url: object) -> str | None:
    """An http(s) link that cannot break out of Markdown `(...)`, an HTML attribute or a
    Slack `<url|text>`: characters outside the URL set are percent-encoded. Anything
    else (javascript:, data:, mailto:, relative, no host) is None."""
    if not isinstance(url, str):
        return None
    found = _URL.match(url.strip())
    if not found:
        return None
    scheme, authority, rest = found.groups()
    if not _AUTHORITY.fullmatch(authority):
        try:
            authority = authority.encode("idna").decode("ascii")
        except UnicodeError:
            return None
        if not _AUTHORITY.fullmatch(authority):
            return None
    out = []
    i = 0
    while i < len(rest):
        ch = rest[i]
        if ch == "%" and _PERCENT.match(rest, i):
            out.append(rest[i : i + 3])
            i += 3
            continue
        if ch in _URL_SAFE:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
        i += 1
    # `&amp;` in a Markdown link target would be read as `&`: keep the link as written
    path = _ENTITY_LIKE.sub(r"\1%3B", "".join(out))
    return f"{scheme.lower()}://{authority}{path}"


def _cut(text: str, n: int, ellipsis: str, *, hard: bool = True) -> str:
    """`text` cut to about `n` characters at a word boundary, with an ellipsis. A word
    that does not fit is left out (when the text has no space before `n`, it is cut
    through unless `hard` is false, when nothing is kept)."""
    if n >= len(text):
        return text
    prefix = text[: max(n, 0)]
    if prefix and not text[n].isspace():
        space = max(prefix.rfind(" "), prefix.rfind("\n"))
        if space > 0:
            prefix = prefix[:space]
        elif not hard:
            prefix = ""
    return prefix.rstrip() + ellipsis


def _longest(
    text: str,
    build: Callable[[str], str],
    fits: Callable[[str], bool],
    ellipsis: str,
    *,
    least: int = 1,
    hard: bool = True,
) -> str | None:
    """The longest `build(cut text)` that fits, cutting at least `least` characters
    short of the whole text; None when even the shortest does not fit."""

    def ok(n: int) -> bool:
        return fits(build(_cut(text, n, ellipsis, hard=hard)))

    lo, hi = least, len(text) - 1
    if hi < lo or not ok(lo):
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid - 1
    return build(_cut(text, lo, ellipsis, hard=hard))


def _within(budget: int, measure: Callable[[str], int]) -> Callable[[str], bool]:
    return lambda text: measure(text) <= budget


# --- postings ------------------------------------------------------------------------

_ELLIPSIS = {Format.MARKDOWN: "…", Format.SLACK: "…", Format.HTML: "…", Format.TEXT: "..."}
_DETAIL_SEP = {
    Format.MARKDOWN: " · ",
    Format.SLACK: " · ",
    Format.HTML: " · ",
    Format.TEXT: " | ",
}
_DETAILS = ("location", "seniority", "salary")
_KIND_ORDER = ("new", "reopened", "reposted", "changed", "closed")


@dataclass(frozen=True)
class _Posting:
    row: int
    title: str
    url: str | None
    details: tuple[str, ...]
    kind: str | None  # None for a new posting
    why: str


def _field(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(part for part in (clean(v) for v in value if v) if part)
    return clean(value)


def _posting(row: RowLike) -> _Posting:
    payload = row.payload
    why = payload.get("why") or ()
    reasons = [why] if isinstance(why, str) else list(why) if isinstance(why, Iterable) else []
    kind = clean(row.kind or "new")
    return _Posting(
        row=row.id,
        title=clean(payload.get("title") or "") or "untitled",
        url=safe_url(payload.get("url")),
        details=tuple(d for d in (_field(payload.get(k)) for k in _DETAILS) if d),
        kind=None if kind == "new" else kind,
        why="; ".join(r for r in (clean(x) for x in reasons if x) if r),
    )


def _posting_line(
    fmt: Format, p: _Posting, title: str, details: str, why: str, *, kind: bool, link: bool
) -> str:
    url = p.url if link else None
    esc = _escape(fmt, title)
    extra = ""
    if details:
        extra += " — " if fmt is not Format.TEXT else " | "
        extra += _escape(fmt, details)
    if kind and p.kind:
        extra += f" ({_escape(fmt, p.kind)})"
    if fmt.markdown:
        line = f"- [{esc}]({url}){extra}" if url else f"- {esc}{extra}"
        return line + (f"\n  _{_escape(fmt, why)}_" if why else "")
    if fmt is Format.HTML:
        line = f'<li><a href="{html.escape(url)}">{esc}</a>{extra}' if url else f"<li>{esc}{extra}"
        return line + (f"<br><i>{escape_html(why)}</i>" if why else "") + "</li>"
    line = f"- {esc}{extra}"
    if url:
        line += f"\n  {url}"
    return line + (f"\n  {_defang(why)}" if why else "")


def _fit_posting(
    fmt: Format, p: _Posting, budget: int | None, measure: Callable[[str], int]
) -> str:
    """The posting's line within `budget`: whole; or without its why; or with its
    details cut, then dropped; or with its title cut; the link always whole. Only a
    link longer than the budget on its own is dropped (never cut)."""
    ell = _ELLIPSIS[fmt]
    details = _DETAIL_SEP[fmt].join(p.details)

    def line(title: str, det: str = "", why: str = "", kind: bool = True, link: bool = True) -> str:
        return _posting_line(fmt, p, title, det, why, kind=kind, link=link)

    def shape(kind: bool, link: bool) -> Callable[[str], str]:
        return lambda title: line(title, kind=kind, link=link)

    full = line(p.title, details, p.why)
    if budget is None or measure(full) <= budget:
        return full
    fits = _within(budget, measure)
    shorter = line(p.title, details)
    if measure(shorter) <= budget:
        return shorter
    if details:
        found = _longest(details, lambda d: line(p.title, d), fits, ell)
        if found is not None:
            return found
    for kind, link in ((True, True), (False, True), (False, False)):
        whole = line(p.title, kind=kind, link=link)
        if measure(whole) <= budget:
            return whole
        found = _longest(p.title, shape(kind, link), fits, ell, least=0)
        if found is not None:
            return found
    return ""


def _summary(kinds: Sequence[str]) -> str:
    """A title's count: 3 new openings, 1 reopened opening, 2 new, 1 reopened."""
    counts = Counter(kinds)
    order = [k for k in _KIND_ORDER if k in counts]
    order += [k for k in dict.fromkeys(kinds) if k not in order]
    if len(order) == 1:
        n = counts[order[0]]
        return f"{n} {order[0]} opening{'s' if n != 1 else ''}"
    return ", ".join(f"{counts[k]} {k}" for k in order)


def _counts(kinds: Sequence[str]) -> str:
    """A digest heading's count: 3 new; 2 new, 1 reopened."""
    counts = Counter(kinds)
    order = [k for k in _KIND_ORDER if k in counts]
    order += [k for k in dict.fromkeys(kinds) if k not in order]
    return ", ".join(f"{counts[k]} {k}" for k in order)


# --- layout and splitting ------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    title_sep: str  # after the title, when the title is written in the body
    section_sep: str  # between two companies of a digest
    head_sep: str  # after a company's heading
    open: str
    close: str
    item_sep: str


_LAYOUT = {
    Format.MARKDOWN: _Layout("\n\n", "\n\n", "\n\n", "", "", "\n"),
    Format.SLACK: _Layout("\n\n", "\n\n", "\n\n", "", "", "\n"),
    Format.HTML: _Layout("\n", "\n", "\n", "<ul>\n", "\n</ul>", "\n"),
    Format.TEXT: _Layout("\n", "\n\n", "\n", "", "", "\n"),
}
# Apprise reserves the title plus this much when the title counts against the body.
_TITLE_GAP = 12


def _title_block(fmt: Format, title: str) -> str:
    if fmt.markdown:
        return f"**{_escape(fmt, title)}**"
    if fmt is Format.HTML:
        return f"<p><b>{escape_html(title)}</b></p>"
    return _defang(title)


def _heading(fmt: Format, company: str, note: str | None) -> str:
    if fmt.markdown:
        tail = f" · {_escape(fmt, note)}" if note else ""
        return f"**{_escape(fmt, company)}**{tail}"
    if fmt is Format.HTML:
        tail = f" · {escape_html(note)}" if note else ""
        return f"<p><b>{escape_html(company)}</b>{tail}</p>"
    return _defang(company) + (f" - {_defang(note)}" if note else "")


def _fit_heading(fmt: Format, company: str, note: str, limits: Limits) -> str:
    """A company's digest heading, cut (name first, then without the note) to a sixth
    of the limit, so that postings keep the room for their links."""
    heading = _heading(fmt, company, note)
    if limits.body is None:
        return heading
    fits = _within(max(limits.body // 6, 24), _measure(limits))
    if fits(heading):
        return heading
    ell = _ELLIPSIS[fmt]
    found = _longest(company, lambda name: _heading(fmt, name, note), fits, ell)
    if found is None:
        found = _longest(company, lambda name: _heading(fmt, name, None), fits, ell, least=0)
    return found if found is not None else _heading(fmt, ell, None)


@dataclass
class _Section:
    heading: str | None
    continued: str | None
    postings: list[_Posting]


@dataclass
class _Block:
    section: _Section
    heading: str | None
    lines: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


def _measure(limits: Limits) -> Callable[[str], int]:
    if limits.count_bytes:
        return lambda text: len(text.encode("utf-8", "surrogatepass"))
    return len


def _pack(
    sections: Sequence[_Section], fmt: Format, budget: int | None, measure: Callable[[str], int]
) -> list[list[_Block]]:
    """Postings into pages of at most `budget`, greedily, in order; a company that
    goes on over a page break gets its continuation heading."""
    lay = _LAYOUT[fmt]
    wrap = measure(lay.open) + measure(lay.close)
    pages: list[list[_Block]] = [[]]
    used = 0
    for section in sections:
        heads = [h for h in (section.heading, section.continued) if h is not None]
        head_cost = max((measure(h + lay.head_sep) for h in heads), default=0)
        unit_budget = None if budget is None else budget - head_cost - wrap
        started = False
        for p in section.postings:
            line = _fit_posting(fmt, p, unit_budget, measure)
            size = measure(line)
            page = pages[-1]
            if page and page[-1].section is section:
                cost = measure(lay.item_sep) + size
                if budget is None or used + cost <= budget:
                    page[-1].lines.append(line)
                    page[-1].rows.append(p.row)
                    used += cost
                    continue
            else:
                cost = (measure(lay.section_sep) if page else 0) + head_cost + wrap + size
                if budget is None or used + cost <= budget or not page:
                    page.append(_Block(section, section.heading, [line], [p.row]))
                    used += cost
                    started = True
                    continue
            heading = section.continued if started else section.heading
            pages.append([_Block(section, heading, [line], [p.row])])
            used = head_cost + wrap + size
            started = True
    return [page for page in pages if page]


def _page_body(fmt: Format, blocks: Sequence[_Block]) -> str:
    lay = _LAYOUT[fmt]
    parts = []
    for block in blocks:
        head = block.heading + lay.head_sep if block.heading is not None else ""
        parts.append(head + lay.open + lay.item_sep.join(block.lines) + lay.close)
    return lay.section_sep.join(parts)


def _fit_title(fmt: Format, base: str, i: int, n: int, limits: Limits) -> str:
    """The title of part i of n: "base (i/n)", the base cut to the service's title
    limit and, when the title takes room from the body, to a third of the body."""
    suffix = f" ({i}/{n})" if n > 1 else ""
    measure = _measure(limits)
    field_room = limits.title or None
    body_room = None
    if limits.body and (limits.title == 0 or limits.title_counts):
        body_room = max(limits.body // 3, 20)

    def fits(title: str) -> bool:
        if field_room is not None and len(title) > field_room:
            return False
        if body_room is None:
            return True
        shown = _title_block(fmt, title) if limits.title == 0 else title
        return measure(shown) <= body_room

    title = base + suffix
    if fits(title):
        return title
    found = _longest(base, lambda b: b + suffix, fits, _ELLIPSIS[fmt], least=0)
    return found if found is not None else suffix.strip()


def _body_budget(fmt: Format, title: str, limits: Limits) -> int | None:
    if limits.body is None:
        return None
    measure = _measure(limits)
    if limits.title == 0:
        return limits.body - measure(_title_block(fmt, title) + _LAYOUT[fmt].title_sep)
    if limits.title_counts:
        return limits.body - measure(title) - _TITLE_GAP
    return limits.body


def _finish(fmt: Format, title: str, body: str, limits: Limits) -> tuple[str, str]:
    """The message's title and body: the title in the body when the service has none;
    a last resort cut (at a space) if the layout alone cannot fit a tiny limit."""
    if limits.title == 0:
        body = _title_block(fmt, title) + (_LAYOUT[fmt].title_sep + body if body else "")
        title = ""
    budget = limits.body
    if budget is not None:
        if limits.title_counts and title:
            budget -= _measure(limits)(title) + _TITLE_GAP
        measure = _measure(limits)
        if measure(body) > budget:
            fits = _within(budget, measure)
            found = _longest(body, lambda b: b, fits, "", least=0, hard=False)
            body = found if found is not None else ""
    return title, body


def _paginate(
    base: str, sections: list[_Section], fmt: Format, limits: Limits
) -> list[tuple[str, str, tuple[int, ...]]]:
    measure = _measure(limits)
    n = 1
    while True:
        longest = _fit_title(fmt, base, n, n, limits)
        pages = _pack(sections, fmt, _body_budget(fmt, longest, limits), measure)
        count = len(pages)
        # the titles were given room for " (n/n)": enough unless the count has more digits
        if count <= 1 or (n > 1 and len(str(count)) <= len(str(n))):
            break
        n = count
    total = len(pages)
    out = []
    for i, blocks in enumerate(pages, 1):
        title, body = _finish(
            fmt, _fit_title(fmt, base, i, total, limits), _page_body(fmt, blocks), limits
        )
        out.append((title, body, tuple(r for b in blocks for r in b.rows)))
    return out


# --- notices -------------------------------------------------------------------------


def _notice(row: RowLike, fmt: Format, limits: Limits) -> Message:
    """A notice (not about a posting: a failing channel, a site that needs attention, a
    reminder), its text shown as written, escaped, in one message cut at a word if too
    long; a `url` in its payload ends it as a link, never cut."""
    payload = row.payload
    ell = _ELLIPSIS[fmt]
    title = _fit_title(fmt, clean(payload.get("title") or "watcher"), 1, 1, limits)
    lines = [clean(line) for line in str(payload.get("body") or "").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    link = _notice_link(fmt, safe_url(payload.get("url")))

    def build(raw: str) -> str:
        parts = raw.split("\n")
        if fmt.markdown:
            return "\n".join(_markdown_line(fmt, part) for part in parts) + link
        if fmt is Format.HTML:
            return "<br>\n".join(escape_html(part) for part in parts) + link
        return "\n".join(_defang(part) for part in parts) + link

    body = build(text)
    budget = _body_budget(fmt, title, limits)
    measure = _measure(limits)
    if budget is not None and measure(body) > budget:
        found = _longest(text, build, _within(budget, measure), ell, least=0, hard=False)
        body = found if found is not None else ""
    title, body = _finish(fmt, title, body, limits)
    return Message(title, body, (row.id,), fmt)


def _notice_link(fmt: Format, url: str | None) -> str:
    if url is None:
        return ""
    if fmt.markdown:
        return f"\n\n[Open the posting]({url})"
    if fmt is Format.HTML:
        return f'<br>\n<a href="{html.escape(url)}">Open the posting</a>'
    return f"\n{url}"


# --- the API -------------------------------------------------------------------------


def _limits(limit: int | Limits | None) -> Limits:
    if isinstance(limit, Limits):
        return limit
    return Limits(body=limit)


def render(
    company: str | None,
    rows: Sequence[RowLike],
    fmt: Format | str,
    limit: int | Limits | None = None,
) -> list[Message]:
    """The messages for one company's rows: its postings (titled "Acme: 3 new openings",
    split "(1/2)", "(2/2)" between postings when over the limit), then one message per
    notice. A bare int limit is a body limit with a separate, unlimited title; pass
    `service_for(url).limits` to fit a service exactly. Every row is in one message."""
    fmt, limits = Format(fmt), _limits(limit)
    postings = [_posting(r) for r in rows if r.posting_id is not None]
    out: list[Message] = []
    if postings:
        names = {clean(r.payload.get("company") or "") for r in rows if r.posting_id is not None}
        name = clean(company or "") or (names.pop() if len(names) == 1 else "") or "watcher"
        base = f"{name}: {_summary([p.kind or 'new' for p in postings])}"
        pages = _paginate(base, [_Section(None, None, postings)], fmt, limits)
        out += [Message(title, body, ids, fmt) for title, body, ids in pages]
    out += [_notice(r, fmt, limits) for r in rows if r.posting_id is None]
    return out


def render_digest(
    rows: Sequence[RowLike], fmt: Format | str, limit: int | Limits | None = None
) -> list[Message]:
    """One digest of everything in `rows`, grouped by company (alphabetically, each
    company's postings in the given order), titled "watcher digest: 12 openings at
    5 companies"; split between postings when over the limit, a company going on
    over a split headed "(continued)". Notices follow, one message each."""
    fmt, limits = Format(fmt), _limits(limit)
    groups: dict[str, list[_Posting]] = {}
    for row in rows:
        if row.posting_id is None:
            continue
        company = clean(row.payload.get("company") or row.site or "") or "other"
        groups.setdefault(company, []).append(_posting(row))
    out: list[Message] = []
    if groups:
        sections = []
        for company in sorted(groups, key=lambda c: (c.casefold(), c)):
            postings = groups[company]
            name = _cut(company, 80, _ELLIPSIS[fmt])
            kinds = [p.kind or "new" for p in postings]
            sections.append(
                _Section(
                    _fit_heading(fmt, name, _counts(kinds), limits),
                    _fit_heading(fmt, name, "continued", limits),
                    postings,
                )
            )
        total = sum(len(s.postings) for s in sections)
        base = (
            f"watcher digest: {total} opening{'s' if total != 1 else ''} at "
            f"{len(groups)} compan{'ies' if len(groups) != 1 else 'y'}"
        )
        pages = _paginate(base, sections, fmt, limits)
        out += [Message(title, body, ids, fmt) for title, body, ids in pages]
    out += [_notice(r, fmt, limits) for r in rows if r.posting_id is None]
    return out


def payload_of(posting: Any, company: str) -> dict[str, Any]:
    """What a notification says of a posting, frozen when the event happens."""
    from watcher.match import seniority

    comp = posting.compensation.summary() if posting.compensation else None
    return {
        "company": company,
        "title": posting.title,
        "url": posting.url,
        "location": posting.location or None,
        "salary": comp or None,
        # "mid" is only the default when a title names no level: not worth a word
        "seniority": level if (level := seniority(posting.title)) != "mid" else None,
    }
