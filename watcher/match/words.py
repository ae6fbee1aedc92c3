"""Words: terms matched as whole words of folded text (`Java` is not `JavaScript`, `C` is
not `C++`), or `re:` regexes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from watcher.text import fold

LEFT = r"(?<![\w+#.])"
RIGHT = r"(?![\w+#])"
DASHES = "\\-\u2010\u2011\u2012\u2013\u2014"
_SPLIT = re.compile(rf"[\s{DASHES}]+")
_JOIN = rf"[\s{DASHES}]*"
_WORD_CHAR = re.compile(r"\w")
# Idioms that are not the word: `go` in "go-to-market" or "go-live" is not the language.
_NOT_FOLLOWED_BY = {"go": rf"(?![\s{DASHES}]+(?:to|live)\b)"}


def word_pattern(term: str) -> str:
    """The regex source matching `term` as whole words of folded text."""
    tokens = [t for t in _SPLIT.split(fold(term)) if t]
    if not tokens:
        raise ValueError("is empty")
    body = _JOIN.join(re.escape(t) for t in tokens)
    left = LEFT if _WORD_CHAR.match(tokens[0][0]) else ""
    right = RIGHT if _WORD_CHAR.match(tokens[-1][-1]) else ""
    return left + body + right + _NOT_FOLLOWED_BY.get(" ".join(tokens), "")


def strip_accents(text: str) -> str:
    """`text` without accents, case kept (for regexes and country codes)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Term:
    """One user term compiled: a word/phrase, or a `re:` regex. `label` is as written."""

    label: str
    pattern: re.Pattern[str]
    codes: frozenset[str] | None = None  # for a location naming a country or region

    @classmethod
    def parse(cls, key: str, text: object) -> Term:
        raw = str(text).strip()
        if raw.startswith("re:"):
            source = strip_accents(raw[3:].strip())
            if not source:
                raise ValueError(f"{key}: {raw!r} has an empty regular expression")
            try:
                return cls(raw, re.compile(source, re.IGNORECASE))
            except re.error as exc:
                message = f"{key}: {raw!r} is not a valid regular expression ({exc})"
                raise ValueError(message) from None
        try:
            return cls(raw, re.compile(word_pattern(raw)))
        except ValueError:
            raise ValueError(f"{key}: {raw!r} has no words") from None

    def found(self, folded: str) -> bool:
        return self.pattern.search(folded) is not None


def compile_terms(key: str, values: list[str]) -> tuple[Term, ...]:
    out: dict[str, Term] = {}
    for value in values:
        term = Term.parse(key, value)
        out.setdefault(term.label.casefold(), term)
    return tuple(out.values())


def found_terms(terms: tuple[Term, ...], folded: str) -> list[str]:
    return [t.label for t in terms if t.found(folded)]


def term_list(terms: tuple[Term, ...]) -> str:
    return ", ".join(t.label for t in terms)
