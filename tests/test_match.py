"""The `match:` filters, as pure functions: words, places, seniority, pay, age, and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watcher.match import (
    LEVELS,
    Filter,
    Match,
    Salary,
    Term,
    Verdict,
    annual_salary,
    is_remote,
    normalise_currency,
    seniority,
)
from watcher.model import Compensation, Posting

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def make(
    title: str = "Software Engineer", locations: tuple[str, ...] | str = (), **extra: Any
) -> Posting:
    if isinstance(locations, str):
        locations = (locations,)
    return Posting(id="1", title=title, url="https://x/1", locations=locations, **extra)


def check(match: dict[str, Any] | None, posting: Posting, now: datetime = NOW) -> Verdict:
    return Filter.from_match(Match(**match) if match is not None else None).check(posting, now)


# --- words -----------------------------------------------------------------------------

WORDS = [
    # (term, title, matches)
    ("Java", "Senior Java Developer", True),
    ("Java", "JavaScript Engineer", False),
    ("Java", "Java/Kotlin Engineer", True),
    ("Java", "Java-based services engineer", True),
    ("JavaScript", "Senior JavaScript Engineer", True),
    ("javascript", "JAVASCRIPT ENGINEER", True),
    ("Go", "Go Developer", True),
    ("Go", "Backend Engineer (Go/Rust)", True),
    ("Go", "Google Cloud Engineer", False),
    ("Go", "Go-To-Market Manager", False),
    ("Go", "Go To Market Lead", False),
    ("Go", "Go-Live Support Analyst", False),
    ("Go", "Golang Developer", False),
    ("Golang", "Golang Developer", True),
    ("C", "C Developer", True),
    ("C", "Embedded C, Linux", True),
    ("C", "C++ Developer", False),
    ("C", "C# Developer", False),
    ("C", "Clojure Developer", False),
    ("C++", "C++ Engineer", True),
    ("C++", "Senior C++17 Engineer", True),
    ("C++", "C Engineer", False),
    ("C#", "C# / .NET Developer", True),
    ("C#", "C Developer", False),
    (".NET", "C# / .NET Developer", True),
    (".NET", "ASP.NET Core Developer", True),
    (".NET", "Network Engineer", False),
    ("NET", "ASP.NET Core Developer", False),
    ("Node.js", "Node.js Engineer", True),
    ("Node.js", "NodeJS Engineer", False),
    ("Node", "Node.js Engineer", True),
    ("js", "Node.js Engineer", False),
    ("React", "React Native Developer", True),
    ("React Native", "React Developer", False),
    ("React Native", "React-Native Developer", True),
    ("Développeur", "developpeur backend", True),
    ("developpeur", "Développeur Backend", True),
    ("Straße", "Strasse Manager", True),
    ("Data Engineer", "Big Data Engineer", True),
    ("Data Engineer", "Data Engineering Manager", False),
    ("full stack", "Full-Stack Engineer", True),
    ("full stack", "Fullstack Engineer", True),
    ("full-stack", "Full Stack Engineer", True),
    ("fullstack", "Full Stack Engineer", False),
    ("ML", "ML Engineer", True),
    ("ML", "HTML Developer", False),
    ("AI", "AI Engineer", True),
    ("AI", "Email Marketing", False),
    ("Rails", "Ruby on Rails Developer", True),
    ("Sales", "Salesforce Developer", False),
    ("SRE", "Senior SRE", True),
    ("backend", "Back-end Engineer", False),
    ("back end", "Back-end Engineer", True),
    ("re:^senior", "Senior Backend", True),
    ("re:^senior", "Backend Senior", False),
    ("re:back-?end", "Backend Engineer", True),
    ("re:back-?end", "Back-end Engineer", True),
    ("re:développeur", "DEVELOPPEUR", True),
    (r"re:\bgo(lang)?\b(?!-to)", "Golang Developer", True),
    (r"re:\bgo(lang)?\b(?!-to)", "Go-to-market", False),
    ("re:(?<!front)end", "Frontend Engineer", False),
]


@pytest.mark.parametrize(("term", "title", "expected"), WORDS)
def test_title_words(term: str, title: str, expected: bool) -> None:
    verdict = check({"title": [term]}, make(title))
    assert verdict.ok is expected
    if expected:
        assert verdict.why == (f"title: {term}",)
    else:
        assert verdict.rule == "title"


@pytest.mark.parametrize(
    "term",
    ["Java", "C++", "C#", ".NET", "Node.js", "React Native", "full-stack", "100%", "a.b.", "x+"],
)
def test_a_term_matches_its_own_text(term: str) -> None:
    assert Term.parse("title", term).found(term.casefold())


def test_any_title_term_is_enough_and_all_hits_are_told() -> None:
    verdict = check({"title": ["backend", "platform", "ios"]}, make("Backend Platform Engineer"))
    assert verdict == Verdict(True, ("title: backend, platform",), None)


EXCLUDES = [
    # (match, title, ok, failed)
    ({"exclude_title": ["manager"]}, "Engineering Manager", False, "exclude_title: manager"),
    ({"exclude_title": ["manager"]}, "Management Consultant", True, None),
    ({"exclude_title": ["intern", "working student"]}, "Working-Student Data", False, None),
    ({"exclude_title": ["intern"]}, "Internal Tools Engineer", True, None),
    ({"title": ["engineer"], "exclude_title": ["sales"]}, "Sales Engineer", False, None),
    ({"title": ["engineer"], "exclude_title": ["sales"]}, "Salesforce Engineer", True, None),
    ({"exclude_title": ["re:^(sr|senior)\\b"]}, "Sr. Engineer", False, None),
]


@pytest.mark.parametrize(("match", "title", "ok", "failed"), EXCLUDES)
def test_exclude_title(match: dict[str, Any], title: str, ok: bool, failed: str | None) -> None:
    verdict = check(match, make(title))
    assert verdict.ok is ok
    if not ok:
        assert verdict.rule == "exclude_title"
    if failed:
        assert verdict.failed == failed


# --- seniority -------------------------------------------------------------------------

SENIORITY = [
    ("Software Engineer", "mid"),
    ("Backend Developer (m/w/d)", "mid"),
    ("Senior Software Engineer", "senior"),
    ("Sr. Backend Engineer", "senior"),
    ("Sr Backend Engineer", "senior"),
    ("Sénior Développeur", "senior"),
    ("Lead Engineer", "senior"),
    ("Tech Lead, Payments", "senior"),
    ("Mid-Senior Data Engineer", "senior"),
    ("Lead Generation Specialist", "mid"),
    ("Staff Software Engineer", "staff"),
    ("Senior Staff Engineer", "staff"),
    ("Staff Product Manager", "staff"),
    ("Staffing Coordinator", "mid"),
    ("Staff Accountant", "mid"),
    ("Member of Technical Staff", "mid"),
    ("Principal Engineer", "principal"),
    ("Senior Principal Scientist", "principal"),
    ("Distinguished Engineer", "principal"),
    ("Engineering Manager", "manager"),
    ("Senior Engineering Manager", "manager"),
    ("Manager, Software Engineering", "manager"),
    ("Product Manager", "mid"),
    ("Senior Product Manager", "senior"),
    ("Junior Project Manager", "junior"),
    ("Head of Data", "director"),
    ("VP Engineering", "director"),
    ("SVP, Sales", "director"),
    ("Vice President of Product", "director"),
    ("Director of Engineering", "director"),
    ("Senior Director, Platform", "director"),
    ("Associate Director", "director"),
    ("CTO", "director"),
    ("Chief Technology Officer", "director"),
    ("Junior Developer", "junior"),
    ("Jr. Frontend Developer", "junior"),
    ("Graduate Software Engineer", "junior"),
    ("New Grad Software Engineer", "junior"),
    ("Entry-Level Analyst", "junior"),
    ("Associate Software Engineer", "junior"),
    ("Werkstudent Softwareentwicklung", "intern"),
    ("Working Student (m/f/d) Marketing", "intern"),
    ("Software Engineering Internship", "intern"),
    ("Intern, Data Science", "intern"),
    ("Praktikant Marketing", "intern"),
    ("Internal Tools Engineer", "mid"),
    ("International Sales Representative", "mid"),
    ("Software Engineer I", "junior"),
    ("Software Engineer II", "mid"),
    ("Software Engineer III", "senior"),
    ("Software Engineer III (Remote)", "senior"),
    ("Software Engineer 2", "mid"),
    ("Python 3 Developer", "mid"),
    ("Tier 2 Support Engineer", "mid"),
    ("", "mid"),
]


@pytest.mark.parametrize(("title", "level"), SENIORITY)
def test_seniority(title: str, level: str) -> None:
    assert seniority(title) == level


SENIORITY_FILTER = [
    (["senior", "staff"], "Senior Backend Engineer", True, ("senior",)),
    (["senior", "staff"], "Staff Engineer", True, ("staff",)),
    (["senior"], "Backend Engineer", False, ()),
    (["Sr"], "Senior Backend Engineer", True, ("senior",)),
    (["lead"], "Tech Lead", True, ("senior",)),
    (["mid-level"], "Backend Engineer", True, ("mid",)),
    (["entry level", "internship"], "Working Student", True, ("intern",)),
    (["Head of"], "VP Engineering", True, ("director",)),
]


@pytest.mark.parametrize(("levels", "title", "ok", "why"), SENIORITY_FILTER)
def test_seniority_filter(levels: list[str], title: str, ok: bool, why: tuple[str, ...]) -> None:
    verdict = check({"seniority": levels}, make(title))
    assert verdict.ok is ok
    assert verdict.why == why
    if not ok:
        assert verdict.failed == f"seniority: {seniority(title)}"


# --- locations -------------------------------------------------------------------------

GERMANY = {"location": ["remote"], "remote_countries": ["Germany"]}
ATLANTIS = {"location": ["remote"], "remote_countries": ["Atlantis"]}  # a place not in the tables
LOCATIONS = [
    # (match, locations, extra posting fields, ok, why or failed rule)
    ({"location": ["Berlin"]}, "Berlin, Germany", {}, True, ("location: Berlin",)),
    ({"location": ["Berlin"]}, "Hamburg, Germany", {}, False, "location"),
    ({"location": ["Berlin", "Germany", "remote"]}, "Munich (Hybrid)", {}, True, None),
    ({"location": ["Germany"]}, "Munich (Hybrid)", {}, True, ("location: Germany",)),
    ({"location": ["Deutschland"]}, "Berlin, DE", {}, True, None),
    ({"location": ["DE"]}, "Frankfurt am Main", {}, True, None),
    ({"location": ["hybrid"]}, "Munich (Hybrid)", {}, True, ("location: hybrid",)),
    ({"location": ["hybrid"]}, "Munich", {"workplace": "hybrid"}, True, None),
    ({"location": ["on-site"]}, "Munich", {"workplace": "onsite"}, True, None),
    ({"location": ["Köln"]}, "Koln, Germany", {}, True, None),
    ({"location": ["Sao Paulo"]}, "São Paulo, Brazil", {}, True, None),
    ({"location": ["Germany"]}, "Remote (Europe)", {}, False, "location"),
    ({"location": ["Europe"]}, "London, UK", {}, True, None),
    ({"location": ["EU"]}, "Paris, France", {}, True, None),
    ({"location": ["EU"]}, "London, UK", {}, False, "location"),
    ({"location": ["EU"]}, "Zurich, Switzerland", {}, False, "location"),
    ({"location": ["US"]}, "San Francisco, CA", {}, True, None),
    ({"location": ["USA"]}, "Austin, TX", {}, True, None),
    ({"location": ["United States"]}, "Tel Aviv, IL", {}, False, "location"),
    ({"location": ["UK"]}, "Edinburgh, Scotland", {}, True, None),
    ({"location": ["England"]}, "London", {}, True, None),
    ({"location": ["Canada"]}, "Toronto, ON", {}, True, None),
    ({"location": ["Berlin"]}, (), {}, True, ()),  # where is not stated: let through
    ({"location": ["remote"]}, (), {}, True, ()),
    ({"location": ["remote"]}, (), {"workplace": "onsite"}, False, "location"),
    ({"location": ["Berlin"]}, ("New York, NY", "Berlin, Germany"), {}, True, None),
    # remote
    ({"location": ["remote"]}, "Remote", {}, True, ("remote",)),
    ({"location": ["remote"]}, (), {"workplace": "remote"}, True, ("remote",)),
    ({"location": ["remote"]}, "Anywhere", {}, True, ("remote",)),
    ({"location": ["remote"]}, "Work from home", {}, True, ("remote",)),
    ({"location": ["remote"]}, "Distributed", {}, True, ("remote",)),
    ({"location": ["remote"]}, "Berlin, Germany", {}, False, "location"),
    ({"location": ["remote"]}, "Berlin", {"title": "Backend Engineer (Remote)"}, True, None),
    ({"location": ["remote"]}, "Boulder, CO", {"title": "Remote Sensing Scientist"}, False, None),
    # remote_countries
    (GERMANY, "Remote - US", {}, False, "remote_countries"),
    (GERMANY, "Remote - USA", {}, False, "remote_countries"),
    (GERMANY, "Remote (United States)", {}, False, "remote_countries"),
    (GERMANY, "Remote, Canada", {}, False, "remote_countries"),
    (GERMANY, "Remote - UK", {}, False, "remote_countries"),
    (GERMANY, ("New York, NY", "Remote"), {}, False, "remote_countries"),
    (GERMANY, "Remote (Europe)", {}, True, ("remote (Germany)",)),
    (GERMANY, "Remote, EMEA", {}, True, ("remote (Germany)",)),
    (GERMANY, "Remote - DACH", {}, True, ("remote (Germany)",)),
    (GERMANY, "Remote (CET ± 2h)", {}, True, ("remote (Germany)",)),
    (GERMANY, "Remote - Germany", {}, True, ("remote (Germany)",)),
    (GERMANY, "Remote, Berlin", {}, True, ("remote (Germany)",)),
    (GERMANY, "Remote", {}, True, ("remote (anywhere)",)),
    (GERMANY, (), {"workplace": "remote"}, True, ("remote (anywhere)",)),
    (GERMANY, "Remote - Worldwide", {}, True, ("remote (worldwide)",)),
    (GERMANY, "Remote (US or Europe)", {}, True, ("remote (Germany)",)),
    (GERMANY, "Remote - Atlantis", {}, True, ("remote (place not recognised)",)),
    ({"location": ["remote"], "remote_countries": ["EU"]}, "Remote - UK", {}, False, None),
    ({"location": ["remote"], "remote_countries": ["EU"]}, "Remote - Spain", {}, True, None),
    ({"location": ["remote"], "remote_countries": ["EU"]}, "Remote (Europe)", {}, True, None),
    ({"location": ["remote"], "remote_countries": ["Europe"]}, "Remote - UK", {}, True, None),
    ({"location": ["remote"], "remote_countries": ["US"]}, "Remote - US", {}, True, None),
    ({"location": ["remote"], "remote_countries": ["Kenya"]}, "Remote, Kenya", {}, True, None),
    (ATLANTIS, "Remote, Atlantis", {}, True, ("remote (Atlantis)",)),
    (ATLANTIS, "Remote - US", {}, False, "remote_countries"),
    # remote_countries with other location terms, or alone
    ({**GERMANY, "location": ["Berlin", "remote"]}, "Berlin, Germany", {}, True, None),
    ({**GERMANY, "location": ["Berlin", "remote"]}, "New York, NY", {}, False, "location"),
    ({**GERMANY, "location": ["Berlin", "remote"]}, "Remote - US", {}, False, "remote_countries"),
    ({"remote_countries": ["Germany"]}, "New York, NY", {}, True, ()),
    ({"remote_countries": ["Germany"]}, "Remote - US", {}, False, "remote_countries"),
    ({"remote_countries": ["Germany"]}, "Remote - EU", {}, True, ("remote (Germany)",)),
    # exclude_location
    ({"exclude_location": ["US"]}, "Remote - US", {}, False, "exclude_location"),
    ({"exclude_location": ["US"]}, "New York, NY", {}, False, "exclude_location"),
    ({"exclude_location": ["US"]}, "Austin, TX", {}, False, "exclude_location"),
    ({"exclude_location": ["US"]}, "Berlin, Germany", {}, True, ()),
    ({"exclude_location": ["US"]}, "Remote (Europe)", {}, True, ()),
    ({"exclude_location": ["remote"]}, "Remote", {}, False, "exclude_location"),
    ({"exclude_location": ["remote"]}, "Berlin", {}, True, ()),
    ({"exclude_location": ["hybrid"]}, "Munich (Hybrid)", {}, False, "exclude_location"),
    ({"location": ["Germany"], "exclude_location": ["Munich"]}, "Munich", {}, False, None),
]


@pytest.mark.parametrize(("match", "locations", "extra", "ok", "expect"), LOCATIONS)
def test_locations(
    match: dict[str, Any],
    locations: tuple[str, ...] | str,
    extra: dict[str, Any],
    ok: bool,
    expect: tuple[str, ...] | str | None,
) -> None:
    verdict = check(match, make(locations=locations, **extra))
    assert verdict.ok is ok, verdict
    if isinstance(expect, tuple):
        assert verdict.why == expect
    elif isinstance(expect, str):
        assert verdict.rule == expect


def test_remote_rejection_says_where() -> None:
    verdict = check(GERMANY, make(locations=("Remote - US",)))
    assert verdict.failed == "remote_countries: Remote - US"


REMOTE = [
    (make(locations="Remote"), True),
    (make(locations="Remote - US"), True),
    (make(workplace="remote"), True),
    (make(locations="Anywhere"), True),
    (make(locations="Home office, Germany"), True),
    (make(locations="Berlin"), False),
    (make(locations="Berlin", workplace="hybrid"), False),
    (make("Engineer - Remote", "Germany"), True),
    (make("Remote Engineer", "Germany"), True),
    (make("Remote Sensing Analyst", "Germany"), False),
]


@pytest.mark.parametrize(("posting", "remote"), REMOTE)
def test_is_remote(posting: Posting, remote: bool) -> None:
    assert is_remote(posting) is remote


# --- departments, keywords, employment -------------------------------------------------

DEPARTMENTS = [
    ({"department": ["Engineering"]}, "Engineering", None, True, ("department: Engineering",)),
    ({"department": ["Engineering"]}, "Product", "Platform Engineering", True, None),
    ({"department": ["Engineering"]}, "Sales", "EMEA", False, "department"),
    ({"department": ["Engineering"]}, "Software Engineering", None, True, None),
    ({"department": ["Engineering"]}, "Engineers", None, False, "department"),
    ({"department": ["Engineering"]}, None, None, True, ()),  # not stated: let through
    ({"exclude_department": ["Sales"]}, "Sales", None, False, "exclude_department"),
    ({"exclude_department": ["Sales"]}, "Sales Engineering", None, False, None),
    ({"exclude_department": ["Sales"]}, "Salesforce Platform", None, True, ()),
    ({"department": ["re:^eng"]}, "Engineering", None, True, ("department: re:^eng",)),
]


@pytest.mark.parametrize(("match", "department", "team", "ok", "expect"), DEPARTMENTS)
def test_departments(
    match: dict[str, Any],
    department: str | None,
    team: str | None,
    ok: bool,
    expect: tuple[str, ...] | str | None,
) -> None:
    verdict = check(match, make(department=department, team=team))
    assert verdict.ok is ok
    if isinstance(expect, tuple):
        assert verdict.why == expect
    elif isinstance(expect, str):
        assert verdict.rule == expect


KEYWORDS = [
    ({"keywords": ["Python"]}, "We use Python and Django.", None, True, ("keywords: Python",)),
    ({"keywords": ["Java"]}, "Our stack: JavaScript, TypeScript.", None, False, "keywords"),
    ({"keywords": ["Kubernetes", "Rust"]}, "Rust services on Kubernetes", None, True, None),
    ({"keywords": ["Python"]}, "", "<p>Python &amp; <b>SQL</b></p>", True, None),
    ({"keywords": ["machine learning"]}, "Machine-learning platform", None, True, None),
    ({"keywords": ["Python"]}, "", None, False, "keywords"),
    ({"exclude_keywords": ["PHP"]}, "Legacy PHP monolith", None, False, "exclude_keywords"),
    ({"exclude_keywords": ["PHP"]}, "No legacy here", None, True, ()),
    ({"exclude_keywords": ["clearance"]}, "Requires Security-Clearance", None, False, None),
    ({"keywords": ["c++"]}, "Modern C++20 and CUDA", None, True, None),
]


@pytest.mark.parametrize(("match", "description", "html", "ok", "expect"), KEYWORDS)
def test_keywords(
    match: dict[str, Any],
    description: str,
    html: str | None,
    ok: bool,
    expect: tuple[str, ...] | str | None,
) -> None:
    verdict = check(match, make(description=description, description_html=html))
    assert verdict.ok is ok
    if isinstance(expect, tuple):
        assert verdict.why == expect
    elif isinstance(expect, str):
        assert verdict.rule == expect


def test_keywords_also_search_the_title() -> None:
    assert check({"keywords": ["Rust"]}, make("Rust Engineer")).ok


EMPLOYMENT = [
    (["full-time"], "full-time", True),
    (["fulltime"], "full-time", True),
    (["Full time"], "full-time", True),
    (["FULL_TIME"], "full-time", True),
    (["permanent"], "full-time", True),
    (["internship"], "intern", True),
    (["contract", "freelance"], "contract", True),
    (["contractor"], "contract", True),
    (["part-time"], "full-time", False),
    (["contract"], "full-time", False),
    (["full-time"], None, True),  # not stated: let through
]


@pytest.mark.parametrize(("wanted", "employment", "ok"), EMPLOYMENT)
def test_employment(wanted: list[str], employment: str | None, ok: bool) -> None:
    verdict = check({"employment": wanted}, make(employment=employment))
    assert verdict.ok is ok
    if ok and employment:
        assert verdict.why == (employment,)
    if not ok:
        assert verdict.failed == f"employment: {employment}"


# --- age -------------------------------------------------------------------------------

AGES = [
    ("7d", NOW - timedelta(days=3), True, ("posted within 7d",)),
    ("7d", NOW - timedelta(days=7), True, None),
    ("7d", NOW - timedelta(days=10), False, "max_age: posted 10d ago"),
    ("12h", NOW - timedelta(hours=13), False, "max_age: posted 13h ago"),
    ("2w", NOW - timedelta(days=13), True, None),
    ("7d", NOW + timedelta(days=1), True, None),  # a clock ahead of ours
    ("7d", None, True, ()),  # unknown: let through
    ("7d", datetime(2026, 11, 19), True, None),  # naive: read as UTC
]


@pytest.mark.parametrize(("age", "posted", "ok", "expect"), AGES)
def test_max_age(
    age: str, posted: datetime | None, ok: bool, expect: tuple[str, ...] | str | None
) -> None:
    verdict = check({"max_age": age}, make(posted_at=posted))
    assert verdict.ok is ok
    if isinstance(expect, tuple):
        assert verdict.why == expect
    elif isinstance(expect, str):
        assert verdict.failed == expect


# --- pay -------------------------------------------------------------------------------

PAY_TEXT = [
    ("$120,000 - $150,000", (120_000, 150_000, "USD")),
    ("$120,000 – $150,000 per year", (120_000, 150_000, "USD")),
    ("US$120k-150k", (120_000, 150_000, "USD")),
    ("€60k–80k", (60_000, 80_000, "EUR")),
    ("60-80k €", (60_000, 80_000, "EUR")),
    ("120k-150k USD", (120_000, 150_000, "USD")),
    ("USD 45/hour", (45 * 2080, None, "USD")),
    ("$45 - 55 per hour", (45 * 2080, 55 * 2080, "USD")),
    ("$45.50/hr", (45.5 * 2080, None, "USD")),
    ("£50,000 per annum", (50_000, None, "GBP")),
    ("£50,000 - £60,000 p.a.", (50_000, 60_000, "GBP")),
    ("CHF 110'000", (110_000, None, "CHF")),
    ("CHF 110'000 - 130'000", (110_000, 130_000, "CHF")),
    ("€4.500 brutto pro Monat", (54_000, None, "EUR")),
    ("€4.500 - 5.500 / Monat", (54_000, 66_000, "EUR")),
    ("EUR 65.000 - 75.000", (65_000, 75_000, "EUR")),
    ("50 000 € - 60 000 €", (50_000, 60_000, "EUR")),
    ("between $80,000 and $100,000", (80_000, 100_000, "USD")),
    ("C$90,000 to C$110,000", (90_000, 110_000, "CAD")),
    ("A$150k", (150_000, None, "AUD")),
    ("₹18,00,000", None),  # lakh grouping is not read
    ("$600 per day", (600 * 260, None, "USD")),
    ("$2,000/week", (104_000, None, "USD")),
    ("120,000 - 150,000", None),  # no currency
    ("Competitive", None),
    ("$50", None),  # no period, too small to be yearly
    ("$90,000, plus a day off on your birthday", (90_000, None, "USD")),
    ("$90,000 (gross) per year", (90_000, None, "USD")),
]


@pytest.mark.parametrize(("text", "expected"), PAY_TEXT)
def test_pay_from_compensation_text(text: str, expected: tuple[Any, ...] | None) -> None:
    got = annual_salary(make(compensation=Compensation(text=text)))
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


PAY_DESCRIPTION = [
    ("The salary range for this role is $120,000 - $150,000.", (120_000, 150_000, "USD")),
    ("Base salary: €70,000 plus equity.", (70_000, None, "EUR")),
    ("Hourly rate: $60", (60 * 2080, None, "USD")),
    ("We pay $45/hour for contractors.", (45 * 2080, None, "USD")),
    ("We raised $50M from great investors.", None),
    ("You get a $1,000 learning budget.", None),
    ("A $10,000 equipment stipend... just kidding", None),
    ("We have 401k matching and 25 days off.", None),
    ("Relocation of €15,000 for the move, salary €80k–95k", (80_000, 95_000, "EUR")),
    ("US: $150k-$180k; UK: £90k-£110k", (150_000, 180_000, "USD")),
]


@pytest.mark.parametrize(("text", "expected"), PAY_DESCRIPTION)
def test_pay_from_description(text: str, expected: tuple[Any, ...] | None) -> None:
    got = annual_salary(make(description=text))
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


PAY_STRUCTURED = [
    (Compensation(120_000, 150_000, "USD", "year"), (120_000, 150_000, "USD")),
    (Compensation(5_000, 6_000, "EUR", "month"), (60_000, 72_000, "EUR")),
    (Compensation(45, 55, "usd", "hour"), (45 * 2080, 55 * 2080, "USD")),
    (Compensation(600, None, "GBP", "day"), (156_000, None, "GBP")),
    (Compensation(2_000, None, "CAD", "week"), (104_000, None, "CAD")),
    (Compensation(None, 90_000, "€", "year"), (90_000, 90_000, "EUR")),
    (Compensation(80_000, 70_000, "EUR", "year"), (70_000, 80_000, "EUR")),
    (Compensation(80_000, 90_000, None, None), (80_000, 90_000, None)),
    (Compensation(45, 55, "USD", None), None),  # no period and too small to be yearly
    (Compensation(float("nan"), None, "USD", "year"), None),
    (Compensation(None, None, None, None, "$100k - $120k"), (100_000, 120_000, "USD")),
    (Compensation(100_000, None, "USD", "year", "€1 - €2"), (100_000, None, "USD")),
    (None, None),
]


@pytest.mark.parametrize(("pay", "expected"), PAY_STRUCTURED)
def test_pay_structured(pay: Compensation | None, expected: tuple[Any, ...] | None) -> None:
    got = annual_salary(make(compensation=pay))
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


def test_structured_pay_is_preferred_to_the_description() -> None:
    posting = make(
        compensation=Compensation(100_000, 120_000, "EUR", "year"),
        description="Salary: $500,000 - $600,000",
    )
    assert annual_salary(posting) == (100_000, 120_000, "EUR")


CURRENCIES = [
    ("$", "USD"),
    ("US$", "USD"),
    ("usd", "USD"),
    ("€", "EUR"),
    ("Euro", "EUR"),
    ("eur", "EUR"),
    ("£", "GBP"),
    ("C$", "CAD"),
    ("AU$", "AUD"),
    ("CHF", "CHF"),
    ("Fr.", "CHF"),
    ("¥", "JPY"),
    ("₹", "INR"),
    ("zł", "PLN"),
    ("", None),
    (None, None),
    ("dollars please", None),
]


@pytest.mark.parametrize(("text", "code"), CURRENCIES)
def test_normalise_currency(text: str | None, code: str | None) -> None:
    assert normalise_currency(text) == code


MIN_SALARY = [
    # (min_salary, currency, compensation, description, ok, why or failed)
    (70_000, "EUR", Compensation(80_000, 95_000, "EUR", "year"), "", True, ("≥ EUR 70,000",)),
    (70_000, "EUR", Compensation(50_000, 65_000, "EUR", "year"), "", False, None),
    (70_000, "EUR", Compensation(50_000, 75_000, "EUR", "year"), "", True, None),  # max counts
    (70_000, "EUR", Compensation(72_000, None, "EUR", "year"), "", True, None),
    (70_000, "EUR", Compensation(5_000, None, "EUR", "month"), "", False, None),
    (70_000, "EUR", Compensation(50_000, 60_000, "GBP", "year"), "", True, ()),  # other currency
    (70_000, "EUR", Compensation(50_000, 60_000, None, "year"), "", True, ()),  # unknown one
    (70_000, "EUR", None, "", True, ()),  # unknown salary
    (70_000, "€", None, "Salary: €60k–65k", False, None),
    (70_000, "eur", None, "Salary: €60k–80k", True, ("≥ EUR 70,000",)),
    (100_000, "USD", None, "US: $150k-$180k; UK: £90k-£110k", True, None),
    (100_000, "GBP", None, "US: $150k-$180k; UK: £90k-£110k", True, None),
    (120_000, "GBP", None, "US: $150k-$180k; UK: £90k-£110k", False, None),
    (60_000, "USD", None, "Pay: USD 25/hour", False, None),
    (50_000, "USD", None, "Pay: USD 25/hour", True, None),
    (70_000, None, Compensation(50_000, 60_000, "GBP", "year"), "", False, None),  # any currency
    (70_000, None, Compensation(80_000, None, "JPY", "year"), "", True, ("≥ 70,000",)),
]


@pytest.mark.parametrize(("amount", "currency", "pay", "text", "ok", "expect"), MIN_SALARY)
def test_min_salary(
    amount: float,
    currency: str | None,
    pay: Compensation | None,
    text: str,
    ok: bool,
    expect: tuple[str, ...] | None,
) -> None:
    match = {"min_salary": amount, "currency": currency}
    verdict = check(match, make(compensation=pay, description=text))
    assert verdict.ok is ok, verdict
    if expect is not None:
        assert verdict.why == expect
    if not ok:
        assert verdict.rule == "min_salary"


def test_min_salary_failure_shows_the_pay() -> None:
    verdict = check(
        {"min_salary": 70_000, "currency": "EUR"},
        make(compensation=Compensation(50_000, 65_000, "EUR", "year")),
    )
    assert verdict.failed == "min_salary: EUR 50,000-65,000 < EUR 70,000"


# --- the whole filter ------------------------------------------------------------------

FULL = {
    "title": ["backend", "platform"],
    "exclude_title": ["manager"],
    "location": ["remote"],
    "remote_countries": ["Germany", "EU"],
    "employment": ["full-time"],
    "seniority": ["senior", "staff"],
    "min_salary": 70_000,
    "currency": "EUR",
    "max_age": "14d",
    "keywords": ["python"],
    "exclude_keywords": ["php"],
}


def good(**changes: Any) -> Posting:
    fields: dict[str, Any] = {
        "title": "Senior Backend Engineer",
        "locations": ("Remote (Europe)",),
        "employment": "full-time",
        "posted_at": NOW - timedelta(days=2),
        "compensation": Compensation(80_000, 95_000, "EUR", "year"),
        "description": "Python services.",
    }
    fields.update(changes)
    return make(**fields)


def test_why_lists_every_rule_met() -> None:
    verdict = check(FULL, good())
    assert verdict == Verdict(
        True,
        (
            "title: backend",
            "remote (Germany)",
            "full-time",
            "senior",
            "posted within 14d",
            "≥ EUR 70,000",
            "keywords: python",
        ),
        None,
    )


def test_the_spec_example_why() -> None:
    match = {
        "title": ["backend"],
        "location": ["remote"],
        "remote_countries": ["Germany"],
        "seniority": ["senior"],
        "min_salary": 70_000,
        "currency": "EUR",
    }
    assert check(match, good()).why == (
        "title: backend",
        "remote (Germany)",
        "senior",
        "≥ EUR 70,000",
    )


FIRST_FAILURE = [
    ({"title": "Senior Frontend Engineer"}, "title: none of backend, platform"),
    ({"title": "Senior Backend Engineering Manager"}, "exclude_title: manager"),
    ({"locations": ("Remote - US",)}, "remote_countries: Remote - US"),
    ({"locations": ("Berlin, Germany",)}, "location: none of remote"),
    ({"employment": "contract"}, "employment: contract"),
    ({"title": "Backend Engineer"}, "seniority: mid"),
    ({"posted_at": NOW - timedelta(days=30)}, "max_age: posted 30d ago"),
    (
        {"compensation": Compensation(50_000, 60_000, "EUR", "year")},
        "min_salary: EUR 50,000-60,000 < EUR 70,000",
    ),
    ({"description": "Go services."}, "keywords: none of python"),
    ({"description": "Python and PHP."}, "exclude_keywords: php"),
    # the first rule in order wins
    ({"title": "Frontend Engineer", "employment": "contract"}, "title: none of backend, platform"),
]


@pytest.mark.parametrize(("changes", "failed"), FIRST_FAILURE)
def test_failed_names_the_first_rule(changes: dict[str, Any], failed: str) -> None:
    verdict = check(FULL, good(**changes))
    assert verdict.ok is False
    assert verdict.failed == failed
    assert verdict.rule == failed.split(":")[0]


def test_a_rejection_keeps_the_rules_met_before_it() -> None:
    verdict = check(FULL, good(employment="contract"))
    assert verdict.why == ("title: backend", "remote (Germany)")


@pytest.mark.parametrize("match", [None, {}])
def test_no_match_accepts_everything(match: dict[str, Any] | None) -> None:
    filt = Filter.from_match(Match(**match) if match is not None else None)
    assert filt.empty
    assert filt.check(good(), NOW) == Verdict(True, (), None)
    assert filt.check(make("", ()), NOW) == Verdict(True, (), None)


def test_a_site_match_merged_with_the_defaults() -> None:
    """The config merges key by key; the filter sees the merged match."""
    from watcher.config import _merge_match

    merged = _merge_match(Match(title=["backend"], seniority=["senior"]), Match(title=["data"]))
    assert merged is not None
    filt = Filter.from_match(merged)
    assert filt.check(make("Senior Data Engineer"), NOW).why == ("title: data", "senior")
    assert filt.check(make("Senior Backend Engineer"), NOW).rule == "title"


def test_a_single_string_stands_for_a_list() -> None:
    assert check({"title": "backend"}, make("Backend Engineer")).ok


def test_duplicate_terms_are_counted_once() -> None:
    verdict = check({"title": ["Backend", "backend"]}, make("Backend Engineer"))
    assert verdict.why == ("title: Backend",)


BAD = [
    ({"title": ["re:(unclosed"]}, "title: 're:(unclosed' is not a valid regular expression"),
    ({"keywords": ["re:"]}, "keywords: 're:' has an empty regular expression"),
    ({"exclude_title": [" - "]}, "exclude_title: '-' has no words"),
    ({"seniority": ["wizard"]}, "seniority: 'wizard' is not one of intern, junior"),
    ({"currency": "bananas"}, "currency: 'bananas' is not a currency code"),
]


@pytest.mark.parametrize(("match", "message"), BAD)
def test_bad_terms_are_reported(match: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as err:
        Filter.from_match(Match(**match))
    assert str(err.value).startswith(message)


# --- properties ------------------------------------------------------------------------

RICH = Filter.from_match(
    Match(
        title=["backend", "C++", ".NET", "re:^(sr|senior)\\b"],
        exclude_title=["manager"],
        location=["Berlin", "Germany", "EU", "remote"],
        remote_countries=["Germany", "EMEA"],
        exclude_location=["US"],
        department=["Engineering"],
        exclude_department=["Sales"],
        keywords=["python"],
        exclude_keywords=["php"],
        employment=["full-time"],
        min_salary=70_000,
        currency="EUR",
        max_age="30d",
    )
)
LOOSE = Filter.from_match(
    Match(remote_countries=["Germany"], seniority=list(LEVELS), min_salary=1, max_age="1d")
)

texts = st.text(max_size=80)
places = st.one_of(
    texts,
    st.sampled_from(
        ["Remote", "Remote - US", "Berlin, DE", "Tel Aviv, IL", "Remote, EMEA", "Austin, TX", ""]
    ),
)
pay_texts = st.one_of(
    texts,
    st.from_regex(
        r"(US\$|€|£|CHF |\$)?[0-9]{1,3}([,.' ][0-9]{3})?k? ?([-–]|to|and) ?[0-9]{1,6}k?"
        r"( (USD|EUR|€))?( ?(/hour|per annum|p\.a\.|/Monat))?",
        fullmatch=True,
    ),
)
postings = st.builds(
    Posting,
    id=st.just("1"),
    title=texts,
    url=st.just("https://x/1"),
    locations=st.lists(places, max_size=3).map(tuple),
    department=st.one_of(st.none(), texts),
    team=st.one_of(st.none(), texts),
    employment=st.one_of(st.none(), texts),
    workplace=st.sampled_from([None, "remote", "hybrid", "onsite"]),
    posted_at=st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))),
    compensation=st.one_of(
        st.none(),
        st.builds(
            Compensation,
            min=st.one_of(st.none(), st.floats(allow_nan=True)),
            max=st.one_of(st.none(), st.floats(allow_nan=True)),
            currency=st.one_of(st.none(), texts),
            period=st.sampled_from([None, "year", "month", "week", "day", "hour", "fortnight"]),
            text=st.one_of(st.none(), pay_texts),
        ),
    ),
    description=st.one_of(texts, pay_texts),
    description_html=st.one_of(st.none(), texts),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(postings)
def test_check_never_raises(posting: Posting) -> None:
    for filt in (RICH, LOOSE, Filter()):
        verdict = filt.check(posting, NOW)
        assert verdict.ok is (verdict.failed is None)
        assert all(isinstance(w, str) and w for w in verdict.why)
    assert seniority(posting.title) in LEVELS
    salary = annual_salary(posting)
    if salary is not None:
        assert isinstance(salary, Salary)
        assert salary.max is None or salary.min <= salary.max


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_a_word_term_matches_itself_or_is_refused(term: str) -> None:
    try:
        compiled = Term.parse("title", term)
    except ValueError:
        return
    if compiled.label.startswith("re:"):
        return
    from watcher.text import fold

    assert compiled.found(fold(compiled.label))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=20), max_size=4), postings)
def test_any_word_terms_compile_and_check(terms: list[str], posting: Posting) -> None:
    words = [t for t in terms if not t.strip().startswith("re:")]
    try:
        filt = Filter.from_match(
            Match(title=words, location=words, keywords=words, remote_countries=words)
        )
    except ValueError:
        return
    filt.check(posting, NOW)


@pytest.mark.parametrize(
    ("location", "country"),
    [
        ("Remote - Peru", "Peru"),
        ("Kigali, Rwanda", "RW"),
        ("Amman, Jordan", "Jordan"),
        ("Remote (Estonia)", "EE"),
    ],
)
def test_every_iso_country_is_known_by_name_and_code(location, country):
    """Country names and codes come from ISO 3166 (pycountry), not only the hand table."""
    assert check({"location": [country]}, make("Engineer", location)).ok
    assert not check({"location": ["Germany"]}, make("Engineer", location)).ok


def test_remote_in_a_country_outside_the_hand_table_is_told_apart():
    match = {"location": ["remote"], "remote_countries": ["Germany"]}
    assert not check(match, make("Engineer", "Remote - Peru")).ok
    assert check(match, make("Engineer", "Remote - Germany")).ok
