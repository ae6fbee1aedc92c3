"""Messages that fit each service: format, escaping, splitting, digests, notices."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from apprise.conversion import markdown_to_html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watcher.messages import (
    Format,
    Limits,
    Message,
    clean,
    format_for,
    render,
    render_digest,
    safe_url,
    service_for,
)
from watcher.store import OutboxRow

HOSTILE = "[x](javascript:alert(1)) *bold* <b>tag</b> `code` ~~gone~~ ||spoiler|| &amp; _it_"


def row(
    i: int,
    title: str = "Engineer",
    url: str | None = None,
    *,
    kind: str = "new",
    company: str = "Acme",
    **payload: Any,
) -> OutboxRow:
    return OutboxRow(
        id=i,
        key=f"k{i}",
        site=company,
        posting_id=str(i),
        kind=kind,
        channel="main",
        target="t",
        payload={
            "company": company,
            "title": title,
            "url": f"https://jobs.example.com/{i}" if url is None else url,
            **payload,
        },
        created_at="2026-11-26T07:00:00Z",
        due_at="2026-11-26T07:00:00Z",
        attempts=0,
        status="pending",
        last_error=None,
    )


def notice(i: int, title: str, body: str, site: str | None = None) -> OutboxRow:
    payload = {"title": title, "body": body}
    return OutboxRow(i, f"n{i}", site, None, "dead", "main", "t", payload, "", "", 0, "", None)


@dataclass
class Markup(HTMLParser):
    """The tags, links and visible text of an HTML fragment."""

    tags: set[str] = field(default_factory=set)
    hrefs: list[str] = field(default_factory=list)
    text: str = ""

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]

    def handle_data(self, data: str) -> None:
        self.text += data


def markup(fragment: str) -> Markup:
    parsed = Markup()
    parsed.feed(fragment)
    parsed.close()
    return parsed


def visible(text: str) -> str:
    return text.replace("\u200b", "")


def link_of(fmt: Format, url: str) -> str:
    """How a posting's link is written in a body of this format."""
    if fmt.markdown:
        return f"]({url})"
    if fmt is Format.HTML:
        return f'href="{html.escape(url)}"'
    return f"\n  {url}"


def occurrences(fmt: Format, body: str, url: str) -> int:
    if fmt is Format.TEXT:
        return sum(1 for line in body.split("\n") if line == f"  {url}")
    return body.count(link_of(fmt, url))


# --- services ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fmt", "limits"),
    [
        ("json://127.0.0.1:1/x", Format.MARKDOWN, Limits(32768, 250)),
        ("slack://T1/B1/C1", Format.SLACK, Limits(35000, 250)),
        ("mailto://u:p@example.com", Format.HTML, Limits(32768, 250)),
        ("ntfy://127.0.0.1:1/topic", Format.TEXT, Limits(4096, 200, True, True)),
        (
            "ntfy://127.0.0.1:1/topic?format=markdown",
            Format.MARKDOWN,
            Limits(4096, 200, True, True),
        ),
        (
            "twilio://ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
            "@15551234567/15557654321",
            Format.TEXT,
            Limits(160, 0),
        ),
        ("discord://1234/abcd", Format.MARKDOWN, Limits(2000, 250, True)),
        ("tgram://123456789:abcdefg_hijklmnop/12345", Format.HTML, Limits(4096, 0)),
        ("matrix://u:p@example.com/#room", Format.MARKDOWN, Limits(65000, 250)),
        ("pover://u@token", Format.HTML, Limits(1024, 250)),
        ("json://127.0.0.1:1/x?format=text", Format.TEXT, Limits(32768, 250)),
        ("not-a-service://x", Format.TEXT, Limits()),
    ],
)
def test_service_for_asks_apprise(url, fmt, limits):
    service = service_for(url)
    assert (service.format, service.limits) == (fmt, limits)
    assert format_for(url) == (fmt, limits.body)


@pytest.mark.parametrize(
    "url",
    [
        "slack://T1/B1/C1",
        "discord://1234/abcd",
        "tgram://123456789:abcdefg_hijklmnop/12345",
        "matrix://u:p@example.com/#room",
        "json://127.0.0.1:1/x",
        "mailto://u:p@example.com",
        "ntfy://127.0.0.1:1/topic",
        "pover://u@token",
        "twilio://ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@1555123/1555765",
    ],
)
def test_fallback_table_agrees_with_apprise(url):
    """The table used when Apprise cannot make a plugin says what Apprise says."""
    from watcher.messages import _FALLBACK

    assert _FALLBACK[url.partition("://")[0]] == service_for(url)


# --- one company ---------------------------------------------------------------------


def test_json_message_matches_what_the_e2e_tests_expect():
    (message,) = render(
        "Acme",
        [row(2, "Staff *Data* Engineer", location="Berlin, Germany")],
        *format_for("json://127.0.0.1:1/x"),
    )
    assert message.title == "Acme: 1 new opening"
    assert "Staff \\*Data\\* Engineer" in message.body
    assert "Berlin, Germany" in message.body
    assert "](https://jobs.example.com/2)" in message.body
    assert message.rows == (2,) and message.format is Format.MARKDOWN


@pytest.mark.parametrize(
    ("kinds", "title"),
    [
        (["new", "new", "new"], "Acme: 3 new openings"),
        (["reopened"], "Acme: 1 reopened opening"),
        (["closed", "closed"], "Acme: 2 closed openings"),
        (["reopened", "new", "new"], "Acme: 2 new, 1 reopened"),
        (["changed", "new", "reposted", "closed"], "Acme: 1 new, 1 reposted, 1 changed, 1 closed"),
    ],
)
def test_title_says_company_and_count(kinds, title):
    rows = [row(i, kind=k) for i, k in enumerate(kinds, 1)]
    assert [m.title for m in render("Acme", rows, Format.MARKDOWN, 4096)] == [title]


def test_company_falls_back_to_the_payload_then_watcher():
    assert render(None, [row(1)], Format.TEXT)[0].title == "Acme: 1 new opening"
    mixed = [row(1, company="A"), row(2, company="B")]
    assert render(None, mixed, Format.TEXT)[0].title == "watcher: 2 new openings"


@pytest.mark.parametrize("fmt", list(Format))
def test_line_says_title_location_seniority_salary_kind_why_and_link(fmt):
    (message,) = render(
        "Acme",
        [
            row(
                1,
                "Data Engineer",
                kind="reopened",
                location="Berlin",
                seniority="Senior",
                salary="€80k–€95k",
                why=["title matches data", "in Berlin"],
            )
        ],
        fmt,
    )
    for part in ("Data Engineer", "Berlin", "Senior", "€80k–€95k", "reopened"):
        assert part in message.body
    assert "title matches data; in Berlin" in message.body
    assert occurrences(fmt, message.body, "https://jobs.example.com/1") == 1
    if fmt is Format.MARKDOWN:
        assert "\n  _title matches data; in Berlin_" in message.body
    if fmt is Format.HTML:
        assert "<i>title matches data; in Berlin</i>" in message.body


def test_new_postings_do_not_say_new_on_each_line():
    (message,) = render("Acme", [row(1, "Designer")], Format.TEXT)
    assert message.body == "- Designer\n  https://jobs.example.com/1"


def test_markdown_escapes_what_would_become_markup():
    (message,) = render("Acme", [row(1, HOSTILE, location="<i>Paris</i>", why=["*x*"])], "markdown")
    shown = markup(markdown_to_html(message.body))
    assert shown.hrefs == ["https://jobs.example.com/1"]  # the only link is the posting's
    assert shown.tags <= {"ul", "li", "a", "em", "p", "br"}  # em: the "why" line only
    # all shown as written (Python-Markdown, unlike CommonMark, shows `\&amp;` as "&")
    assert HOSTILE.split(" &amp;")[0] in visible(shown.text) and "_it_" in shown.text
    assert "<i>Paris</i>" in shown.text and "*x*" in shown.text
    assert "\\[x\\](javascript:alert(1))" in message.body


def test_html_escapes_titles_and_links():
    url = 'https://jobs.example.com/1?a=1&b="2"><script>'
    (message,) = render("Acme", [row(1, HOSTILE + " <script>x</script>", url)], Format.HTML)
    shown = markup(message.body)
    assert shown.tags <= {"ul", "li", "a"}
    assert shown.hrefs == ["https://jobs.example.com/1?a=1&b=%222%22%3E%3Cscript%3E"]
    assert HOSTILE + " <script>x</script>" in visible(shown.text)


def test_plain_text_is_left_as_written():
    (message,) = render("Acme", [row(1, HOSTILE)], Format.TEXT)
    assert message.body == f"- {HOSTILE}\n  https://jobs.example.com/1"


@pytest.mark.parametrize("fmt", list(Format))
def test_links_that_are_not_http_are_dropped(fmt):
    rows = [
        row(1, "A", "javascript:alert(1)"),
        row(2, "B", "data:text/html,<script>"),
        row(3, "C", "/relative/path"),
        row(4, "D", "HTTPS://Jobs.Example.com/4"),
        row(5, "E", ""),
    ]
    (message,) = render("Acme", rows, fmt)
    for bad in ("javascript", "data:", "/relative"):
        assert bad not in message.body
    assert occurrences(fmt, message.body, "https://Jobs.Example.com/4") == 1
    assert message.rows == (1, 2, 3, 4, 5)


def test_control_and_bidi_characters_are_removed():
    title = "Eng\x00ineer\x1b[31m \u202egnp.exe\u202c\r\nLead\u200b\ud800 👩\u200d💻"
    assert clean(title) == "Engineer[31m gnp.exe Lead 👩\u200d💻"
    (message,) = render("Acme", [row(1, title, location="Ber\tlin\n")], Format.TEXT)
    assert "Engineer[31m gnp.exe Lead 👩\u200d💻 | Ber lin" in message.body
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800]", message.body)


@pytest.mark.parametrize("fmt", list(Format))
def test_mass_mentions_notify_nobody(fmt):
    (message,) = render("Acme", [row(1, "@everyone @here @room @channel x@all")], fmt)
    assert not re.search(r"@(everyone|here|room|channel|all)", message.body)
    assert "@\u200beveryone" in message.body


def test_safe_url():
    assert safe_url("https://x.io/a b(c)<d>[e]|f`g\\h") == (
        "https://x.io/a%20b%28c%29%3Cd%3E%5Be%5D%7Cf%60g%5Ch"
    )
    assert safe_url("https://x.io/%E2%82%AC%zz?q=€") == "https://x.io/%E2%82%AC%25zz?q=%E2%82%AC"
    assert safe_url(" HTTP://bücher.de/x ") == "http://xn--bcher-kva.de/x"
    assert safe_url("http://[::1]:8080/x") == "http://[::1]:8080/x"
    assert safe_url("https://x.io/?a=1&amp;b=2") == "https://x.io/?a=1&amp%3Bb=2"
    for bad in ("javascript:alert(1)", "https:///x", "https://a b/", "ftp://x", None, 3, "x"):
        assert safe_url(bad) is None


# --- length limits -------------------------------------------------------------------


def many(n: int, **payload: Any) -> list[OutboxRow]:
    return [
        row(i, f"Senior Software Engineer {i}", location="Berlin, Germany", **payload)
        for i in range(1, n + 1)
    ]


@pytest.mark.parametrize("fmt", list(Format))
@pytest.mark.parametrize("limit", [160, 1024, 2000, 4096])
def test_split_between_postings_within_the_limit(fmt, limit):
    rows = many(120, salary="€70k", why=["title matches engineer"])
    messages = render("Acme", rows, fmt, limit)
    assert len(messages) > 1
    n = len(messages)
    assert [m.title for m in messages] == [
        f"Acme: 120 new openings ({i}/{n})" for i in range(1, n + 1)
    ]
    assert all(len(m.body) <= limit for m in messages)
    assert [r for m in messages for r in m.rows] == list(range(1, 121))
    for m in messages:
        for i in m.rows:
            assert occurrences(fmt, m.body, f"https://jobs.example.com/{i}") == 1
    if fmt is Format.HTML:
        assert all(m.body.startswith("<ul>\n") and m.body.endswith("\n</ul>") for m in messages)


def test_unsplit_message_has_no_number():
    assert render("Acme", many(3), Format.TEXT, 4096)[0].title == "Acme: 3 new openings"


@pytest.mark.parametrize("fmt", list(Format))
def test_a_long_line_loses_its_why_then_details_then_title_never_its_link(fmt):
    url = "https://jobs.example.com/1/" + "a" * 60
    posting = row(1, "Principal Engineer " * 20, url, location="Berlin " * 40, why=["w " * 50])
    (message,) = render("Acme", [posting], fmt, 200)
    assert len(message.body) <= 200
    assert occurrences(fmt, message.body, url) == 1
    assert "w w" not in message.body
    assert ("Principal Engineer" in message.body and "…" in message.body) or "..." in message.body


def test_a_link_longer_than_the_limit_is_dropped_not_cut():
    url = "https://jobs.example.com/" + "a" * 300
    (message,) = render("Acme", [row(1, "Engineer", url)], Format.MARKDOWN, 200)
    assert len(message.body) <= 200
    assert "https://" not in message.body and "Engineer" in message.body


def test_sms_title_goes_into_the_body():
    limits = service_for(
        "twilio://ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
        "@15551234567/15557654321"
    ).limits
    messages = render("Acme", many(5), Format.TEXT, limits)
    n = len(messages)
    assert n > 1
    for i, m in enumerate(messages, 1):
        assert m.title == ""
        assert m.body.startswith(f"Acme: 5 new openings ({i}/{n})\n- Senior Software Engineer")
        assert len(m.body) <= 160
        assert m.body.isascii()  # no character that would make the SMS unicode


def test_title_that_counts_against_the_body_leaves_room_for_it():
    limits = Limits(body=300, title=250, title_counts=True)
    messages = render("A" * 400, many(10), Format.MARKDOWN, limits)
    for m in messages:
        assert len(m.title) <= 100  # a third of the body at most
        assert len(m.title) + 12 + len(m.body) <= 300


def test_byte_limits_count_bytes():
    rows = [row(i, "Ingénieur logiciel — équipe données " + "é" * 40) for i in range(1, 30)]
    messages = render("Acme", rows, Format.TEXT, Limits(body=500, count_bytes=True))
    assert all(len(m.body.encode()) <= 500 for m in messages)
    assert [r for m in messages for r in m.rows] == list(range(1, 30))


# --- digest --------------------------------------------------------------------------


def test_digest_groups_by_company():
    rows = [
        row(1, "Backend", company="Zeta"),
        row(2, "Designer", company="acme"),
        row(3, "Frontend", company="Zeta", kind="reopened"),
        row(4, "Data", company="Beta"),
    ]
    (message,) = render_digest(rows, Format.MARKDOWN)
    assert message.title == "watcher digest: 4 openings at 3 companies"
    assert message.body == (
        "**acme** · 1 new\n\n- [Designer](https://jobs.example.com/2)\n\n"
        "**Beta** · 1 new\n\n- [Data](https://jobs.example.com/4)\n\n"
        "**Zeta** · 1 new, 1 reopened\n\n"
        "- [Backend](https://jobs.example.com/1)\n"
        "- [Frontend](https://jobs.example.com/3) (reopened)"
    )
    assert message.rows == (2, 4, 1, 3)
    (one,) = render_digest([row(1)], Format.TEXT)
    assert one.title == "watcher digest: 1 opening at 1 company"
    assert one.body == "Acme - 1 new\n- Engineer\n  https://jobs.example.com/1"


def test_digest_html_has_a_list_per_company():
    rows = [row(1, company="B"), row(2, company="A <x>")]
    (message,) = render_digest(rows, Format.HTML)
    assert message.body == (
        "<p><b>A &lt;x&gt;</b> · 1 new</p>\n<ul>\n"
        '<li><a href="https://jobs.example.com/2">Engineer</a></li>\n</ul>\n'
        "<p><b>B</b> · 1 new</p>\n<ul>\n"
        '<li><a href="https://jobs.example.com/1">Engineer</a></li>\n</ul>'
    )


def test_digest_split_continues_the_company_heading():
    rows = [*many(30, company="Acme"), row(100, "Ops", company="Beta")]
    messages = render_digest(rows, Format.MARKDOWN, 1024)
    assert len(messages) > 1
    assert messages[0].body.startswith("**Acme** · 30 new\n\n")
    assert messages[1].body.startswith("**Acme** · continued\n\n")
    assert all(len(m.body) <= 1024 for m in messages)
    assert messages[-1].body.endswith("**Beta** · 1 new\n\n- [Ops](https://jobs.example.com/100)")
    n = len(messages)
    assert messages[0].title == f"watcher digest: 31 openings at 2 companies (1/{n})"


# --- notices -------------------------------------------------------------------------


def test_notice_is_shown_as_written_escaped():
    body = (
        "3 notification(s) could not be delivered.\n`watcher outbox` lists them.\n# not a heading"
    )
    messages = render(
        "Acme", [row(1), notice(9, "watcher: channel 'x' is failing", body)], "markdown"
    )
    assert [m.title for m in messages] == ["Acme: 1 new opening", "watcher: channel 'x' is failing"]
    assert messages[1].rows == (9,)
    assert messages[1].body == (
        "3 notification(s) could not be delivered.\n"
        "\\`watcher outbox\\` lists them.\n"
        "\\# not a heading"
    )
    (plain,) = render(None, [notice(9, "t", "<b>hi</b>\n\n\n\nthere")], Format.HTML)
    assert plain.body == "&lt;b&gt;hi&lt;/b&gt;<br>\n<br>\nthere"


def test_long_notice_is_cut_at_a_word():
    text = "word " * 100 + "https://example.com/a/very/long/link/that/must/not/be/cut"
    (message,) = render(None, [notice(1, "t", text)], Format.TEXT, 520)
    assert len(message.body) <= 520
    assert message.body.endswith("word...") and "https" not in message.body


def test_digest_keeps_notices_apart():
    messages = render_digest([notice(5, "heads up", "x"), row(1)], Format.TEXT, Limits(160, 0))
    assert [m.rows for m in messages] == [(1,), (5,)]
    assert messages[1].body == "heads up\nx" and messages[1].title == ""


# --- properties ----------------------------------------------------------------------

KINDS = ["new", "new", "reopened", "changed", "closed", "reposted"]
URL_TAIL = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-._~:/?#@!$*+,=", max_size=40
)
TEXT = st.text(max_size=200)
OPTIONAL = st.none() | st.text(max_size=60)


@st.composite
def outbox(draw: Any) -> list[OutboxRow]:
    count = draw(st.integers(0, 40))
    rows = []
    for i in range(1, count + 1):
        if draw(st.integers(0, 15)) == 0:
            rows.append(notice(i, draw(st.text(max_size=80)), draw(st.text(max_size=400))))
            continue
        hostile = draw(st.integers(0, 9)) == 0
        url = "javascript:alert(1)" if hostile else f"https://jobs.example.com/{i}/{draw(URL_TAIL)}"
        rows.append(
            row(
                i,
                draw(TEXT),
                url,
                kind=draw(st.sampled_from(KINDS)),
                company=draw(st.sampled_from(["Acme", "Beta *Corp*", "<Gamma>", draw(TEXT)])),
                location=draw(OPTIONAL),
                salary=draw(OPTIONAL),
                seniority=draw(OPTIONAL),
                why=draw(st.lists(st.text(max_size=40), max_size=3)),
            )
        )
    return rows


def check(
    messages: list[Message],
    rows: list[OutboxRow],
    fmt: Format,
    limits: Limits,
    group: Callable[[OutboxRow], str] = lambda r: "",
) -> None:
    """Every body within the limit, every row in one message, every link whole in the
    message of its row, and in the order of the rows (within a group)."""
    measure = (lambda s: len(s.encode())) if limits.count_bytes else len
    for m in messages:
        assert m.format is fmt
        if limits.body is not None:
            room = limits.body
            if limits.title_counts and m.title:
                room -= measure(m.title) + 12
            assert measure(m.body) <= room, (m.body, room)
        if limits.title:
            assert len(m.title) <= limits.title
        if limits.title == 0:
            assert m.title == ""
    ids = [r for m in messages for r in m.rows]
    assert sorted(ids) == sorted(r.id for r in rows)  # every row in exactly one message
    seen = []
    for m in messages:
        for r in rows:
            url = safe_url(r.payload["url"]) if r.posting_id is not None else None
            if url is None:
                continue
            found = occurrences(fmt, m.body, url)
            assert found == (1 if r.id in m.rows else 0), (url, m.body)
            if found:
                seen.append((group(r), m.body.index(link_of(fmt, url)), r.id))
        for key in {g for g, _, _ in seen}:
            ids = [i for g, _, i in sorted(seen) if g == key]
            assert ids == sorted(ids)  # order kept
        seen = []


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outbox(), st.sampled_from(list(Format)), st.integers(200, 5000) | st.none())
def test_render_fits_any_rows_and_limit(rows, fmt, limit):
    company = rows[0].payload.get("company") if rows else None
    messages = render(company, rows, fmt, limit)
    check(messages, rows, fmt, Limits(limit))
    postings = [r.id for r in rows if r.posting_id is not None]
    assert [i for m in messages for i in m.rows if i in postings] == postings  # order kept


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    outbox(),
    st.sampled_from(list(Format)),
    st.builds(
        Limits,
        st.integers(300, 5000),
        st.sampled_from([0, 60, 250]),
        st.booleans(),
        st.booleans(),
    ),
)
def test_render_fits_any_service_limits(rows, fmt, limits):
    check(render("Acme", rows, fmt, limits), rows, fmt, limits)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outbox(), st.sampled_from(list(Format)), st.integers(200, 5000) | st.none())
def test_digest_fits_any_rows_and_limit(rows, fmt, limit):
    messages = render_digest(rows, fmt, limit)
    check(messages, rows, fmt, Limits(limit), lambda r: clean(r.payload.get("company", "")))
    postings = [r for r in rows if r.posting_id is not None]
    if postings:
        companies = {clean(r.payload["company"]) or "other" for r in postings}
        n = len(postings)
        assert messages[0].title.startswith(f"watcher digest: {n} opening")
        assert f" at {len(companies)} compan" in messages[0].title


def test_slack_shows_hostile_titles_as_written_without_backslashes():
    """Slack's mrkdwn shows a backslash escape as written: titles reach it as Apprise's
    Slack step turns our Markdown, with nothing to format and no stray backslash."""
    from apprise.plugins.slack import NotifySlack

    title = "Staff *urgent* [C++] ~x~ `code` <!channel> _lead_ snake_case & a\\b"
    (message,) = render("Acme", [row(1, title, why=["*x*"])], Format.SLACK)
    assert message.format.apprise == "markdown"
    shown = NotifySlack._commonmark_to_slack(message.body)
    assert "\\" not in shown.replace("a\u2216b", "")
    assert "<https://jobs.example.com/1|" in shown  # the posting's link, as Slack writes it
    line = shown.split("<https://jobs.example.com/1|", 1)[1].split(">", 1)[0]
    for plain in ("Staff", "urgent", "[C++]", "snake_case", "&amp;", "&lt;!channel&gt;"):
        assert plain in line, (plain, line)
    for mark in ("*urgent*", "~x~", "`code`", "_lead_"):
        assert mark not in shown
