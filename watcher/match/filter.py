"""The filter: a `match:` compiled once, then checked against postings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pydantic import Field

from watcher.fields import Duration, Strict, StrList, parse_duration
from watcher.match.places import FILLER, REMOTE_WORDS, WORLDWIDE, is_remote, places, user_area
from watcher.match.salary import Salary, normalise_currency, salaries
from watcher.match.seniority import seniority, seniority_level
from watcher.match.words import Term, compile_terms, found_terms, term_list
from watcher.model import Posting
from watcher.text import describe, fold
from watcher.text import employment as normalise_employment

# --- the filter ------------------------------------------------------------------------


class Match(Strict):
    """Filters: which postings are sent. Every posting is stored either way."""

    title: StrList = Field(default_factory=list, description="words or re: regexes; any one")
    exclude_title: StrList = Field(default_factory=list)
    location: StrList = Field(default_factory=list, description="any one; `remote` for remote")
    exclude_location: StrList = Field(default_factory=list)
    remote_countries: StrList = Field(default_factory=list)
    department: StrList = Field(default_factory=list)
    exclude_department: StrList = Field(default_factory=list)
    keywords: StrList = Field(default_factory=list, description="in the description")
    exclude_keywords: StrList = Field(default_factory=list)
    employment: StrList = Field(default_factory=list)
    seniority: StrList = Field(default_factory=list)
    min_salary: float | None = None
    currency: str | None = None
    max_age: Duration | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """`why`: the rules met, in short words; `failed`: the first rule that rejected the
    posting, as "key: detail" (the `match:` key before the colon)."""

    ok: bool
    why: tuple[str, ...] = ()
    failed: str | None = None

    @property
    def rule(self) -> str | None:
        """The `match:` key that rejected the posting."""
        return self.failed.split(":", 1)[0] if self.failed else None


def _is_remote_word(value: object) -> bool:
    return fold(str(value)).strip() == "remote"


def _location_terms(key: str, values: list[str]) -> tuple[tuple[Term, ...], bool]:
    """The terms of a location key apart from `remote`, and whether `remote` was given."""
    remote = any(_is_remote_word(v) for v in values)
    terms = compile_terms(key, [v for v in values if not _is_remote_word(v)])
    return tuple(Term(t.label, t.pattern, user_area(t.label)) for t in terms), remote


def _age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:.0f}d" if hours >= 24 else f"{hours:.0f}h"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Filter:
    """A compiled `match:`. Build with `Filter.from_match`, then `check` postings."""

    title: tuple[Term, ...] = ()
    exclude_title: tuple[Term, ...] = ()
    location: tuple[Term, ...] = ()
    location_remote: bool = False
    remote_countries: tuple[Term, ...] = ()
    exclude_location: tuple[Term, ...] = ()
    exclude_remote: bool = False
    department: tuple[Term, ...] = ()
    exclude_department: tuple[Term, ...] = ()
    keywords: tuple[Term, ...] = ()
    exclude_keywords: tuple[Term, ...] = ()
    employment: tuple[str, ...] = ()
    seniority: tuple[str, ...] = ()
    min_salary: float | None = None
    currency: str | None = None
    max_age: timedelta | None = None
    max_age_text: str = field(default="", compare=False)

    @classmethod
    def from_match(cls, match: Match | None) -> Filter:
        """Compile the rules once; ValueError("key: ...") for an invalid regex, an unknown
        seniority level or currency."""
        if match is None:
            return cls()
        location, location_remote = _location_terms("location", match.location)
        exclude_location, exclude_remote = _location_terms(
            "exclude_location", match.exclude_location
        )
        countries = compile_terms("remote_countries", match.remote_countries)
        employment: list[str] = []
        for value in match.employment:
            kind = normalise_employment(str(value))
            if kind and kind not in employment:
                employment.append(kind)
        levels: list[str] = []
        for value in match.seniority:
            level = seniority_level(value)
            if level not in levels:
                levels.append(level)
        currency = None
        if match.currency:
            currency = normalise_currency(match.currency)
            if currency is None:
                raise ValueError(
                    f"currency: {match.currency!r} is not a currency code such as EUR or USD"
                )
        return cls(
            title=compile_terms("title", match.title),
            exclude_title=compile_terms("exclude_title", match.exclude_title),
            location=location,
            location_remote=location_remote,
            remote_countries=tuple(Term(t.label, t.pattern, user_area(t.label)) for t in countries),
            exclude_location=exclude_location,
            exclude_remote=exclude_remote,
            department=compile_terms("department", match.department),
            exclude_department=compile_terms("exclude_department", match.exclude_department),
            keywords=compile_terms("keywords", match.keywords),
            exclude_keywords=compile_terms("exclude_keywords", match.exclude_keywords),
            employment=tuple(employment),
            seniority=tuple(levels),
            min_salary=match.min_salary,
            currency=currency,
            max_age=parse_duration(match.max_age) if match.max_age else None,
            max_age_text=str(match.max_age or ""),
        )

    @property
    def empty(self) -> bool:
        """It has no rule: every posting is accepted."""
        return self == Filter()

    def check(self, posting: Posting, now: datetime) -> Verdict:
        """Whether the posting is one to notify, with the rules met or the one failed."""
        why: list[str] = []
        failed = (
            self._title(posting, why)
            or self._location(posting, why)
            or self._department(posting, why)
            or self._employment(posting, why)
            or self._seniority(posting, why)
            or self._age(posting, now, why)
            or self._salary(posting, why)
            or self._keywords(posting, why)
        )
        return Verdict(failed is None, tuple(why), failed)

    # Each rule appends what it met to `why` and returns the failure, or None.

    def _title(self, posting: Posting, why: list[str]) -> str | None:
        if not self.title and not self.exclude_title:
            return None
        text = fold(posting.title)
        if self.title:
            hits = found_terms(self.title, text)
            if not hits:
                return f"title: none of {term_list(self.title)}"
            why.append("title: " + ", ".join(hits))
        excluded = found_terms(self.exclude_title, text)
        return f"exclude_title: {excluded[0]}" if excluded else None

    def _location(self, posting: Posting, why: list[str]) -> str | None:
        wanted = self.location or self.location_remote or self.remote_countries
        if not wanted and not self.exclude_location and not self.exclude_remote:
            return None
        remote = is_remote(posting)
        if not posting.locations and not posting.workplace and not remote:
            return None  # where is not stated: let it through
        text = fold(" ; ".join((*posting.locations, posting.workplace or "")))
        known = [p for loc in posting.locations for p in places(loc)]
        if self.location or self.location_remote:
            hits = [t.label for t in self.location if _in_place(t, text, known)]
            remote_why = None
            if self.location_remote and remote:
                remote_why = self._remote_where(posting, known)
            if not hits and remote_why is None:
                if self.location_remote and remote and self.remote_countries:
                    return f"remote_countries: {posting.location or 'remote'}"
                labels = [*(t.label for t in self.location), *(["remote"] * self.location_remote)]
                return f"location: none of {', '.join(labels)}"
            if hits:
                why.append("location: " + ", ".join(hits))
            if remote_why:
                why.append(remote_why)
        elif self.remote_countries and remote:
            remote_why = self._remote_where(posting, known)
            if remote_why is None:
                return f"remote_countries: {posting.location or 'remote'}"
            why.append(remote_why)
        if self.exclude_remote and remote:
            return "exclude_location: remote"
        excluded = [t.label for t in self.exclude_location if _in_place(t, text, known)]
        return f"exclude_location: {excluded[0]}" if excluded else None

    def _remote_where(self, posting: Posting, known: list[frozenset[str]]) -> str | None:
        """`remote (...)` when the remote posting is open to where the user may work."""
        if not self.remote_countries:
            return "remote"
        text = fold(" ; ".join(posting.locations))
        for term in self.remote_countries:
            if term.found(text):
                return f"remote ({term.label})"
        if WORLDWIDE.search(text):
            return "remote (worldwide)"
        for term in self.remote_countries:
            if term.codes and any(area & term.codes for area in known):
                return f"remote ({term.label})"
        if known:
            return None
        rest = FILLER.sub(" ", REMOTE_WORDS.sub(" ", text))
        if re.search(r"[^\W\d_]", rest):
            return "remote (place not recognised)"
        return "remote (anywhere)"

    def _department(self, posting: Posting, why: list[str]) -> str | None:
        if not self.department and not self.exclude_department:
            return None
        stated = [p for p in (posting.department, posting.team) if p]
        if not stated:
            return None
        text = fold(" ; ".join(stated))
        if self.department:
            hits = found_terms(self.department, text)
            if not hits:
                return f"department: none of {term_list(self.department)}"
            why.append("department: " + ", ".join(hits))
        excluded = found_terms(self.exclude_department, text)
        return f"exclude_department: {excluded[0]}" if excluded else None

    def _employment(self, posting: Posting, why: list[str]) -> str | None:
        if not self.employment or not posting.employment:
            return None
        kind = normalise_employment(posting.employment)
        if kind not in self.employment:
            return f"employment: {kind}"
        why.append(str(kind))
        return None

    def _seniority(self, posting: Posting, why: list[str]) -> str | None:
        if not self.seniority:
            return None
        level = seniority(posting.title)
        if level not in self.seniority:
            return f"seniority: {level}"
        why.append(level)
        return None

    def _age(self, posting: Posting, now: datetime, why: list[str]) -> str | None:
        if self.max_age is None or posting.posted_at is None:
            return None
        age = _aware(now) - _aware(posting.posted_at)
        if age > self.max_age:
            return f"max_age: posted {_age(age)} ago"
        why.append(f"posted within {self.max_age_text}")
        return None

    def _salary(self, posting: Posting, why: list[str]) -> str | None:
        if self.min_salary is None:
            return None
        known = [
            s for s in salaries(posting) if self.currency is None or s.currency == self.currency
        ]
        if not known:
            return None
        best = max(known, key=Salary.top)
        threshold = f"{self.min_salary:,.0f}"
        if self.currency:
            threshold = f"{self.currency} {threshold}"
        if best.top() < self.min_salary:
            return f"min_salary: {best.summary()} < {threshold}"
        why.append(f"≥ {threshold}")
        return None

    def _keywords(self, posting: Posting, why: list[str]) -> str | None:
        if not self.keywords and not self.exclude_keywords:
            return None
        text = fold(f"{posting.title}\n{describe(posting)}")
        if self.keywords:
            hits = found_terms(self.keywords, text)
            if not hits:
                return f"keywords: none of {term_list(self.keywords)}"
            why.append("keywords: " + ", ".join(hits))
        excluded = found_terms(self.exclude_keywords, text)
        return f"exclude_keywords: {excluded[0]}" if excluded else None


def _in_place(term: Term, folded: str, known: list[frozenset[str]]) -> bool:
    """A location term matches its words, or (for a country or region) a known place of
    the posting lying wholly inside it."""
    if term.found(folded):
        return True
    codes = term.codes
    return codes is not None and any(area <= codes for area in known)
