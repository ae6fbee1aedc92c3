"""Salary: pay per year from structured compensation or the posting's text."""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from watcher.model import Compensation, Posting
from watcher.text import describe, fold, pay_period

# --- salary ----------------------------------------------------------------------------


class Salary(NamedTuple):
    """Pay per year: `max` is None for a single figure; `currency` an ISO code or None."""

    min: float
    max: float | None
    currency: str | None

    def top(self) -> float:
        return self.max if self.max is not None else self.min

    def summary(self) -> str:
        amount = f"{self.min:,.0f}"
        if self.max is not None and self.max != self.min:
            amount += f"-{self.max:,.0f}"
        return f"{self.currency} {amount}" if self.currency else amount


HOURS_PER_YEAR = 2080
_FACTORS = {"year": 1, "month": 12, "week": 52, "day": 260, "hour": HOURS_PER_YEAR}
# A figure with no period is read as yearly from this much, else ignored as unknown.
_YEARLY_FLOOR = 10_000
_CURRENCIES = {
    "$": "USD",
    "US$": "USD",
    "DOLLAR": "USD",
    "DOLLARS": "USD",
    "€": "EUR",
    "EURO": "EUR",
    "EUROS": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₪": "ILS",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "S$": "SGD",
    "HK$": "HKD",
    "R$": "BRL",
    "FR.": "CHF",
    "SFR": "CHF",
    "SFR.": "CHF",
    "ZŁ": "PLN",
}


def normalise_currency(value: str | None) -> str | None:
    """An ISO 4217 code from a code or symbol (`$` is USD, `€` EUR, `£` GBP); None if
    it is neither."""
    if not value:
        return None
    key = "".join(str(value).split()).upper()
    if key in _CURRENCIES:
        return _CURRENCIES[key]
    return key if re.fullmatch(r"[A-Z]{3}", key) else None


_CUR = (
    r"(?:US\$|CA\$|AU\$|NZ\$|HK\$|[CARS]\$|\$|€|£|¥|₹|₪|(?<![A-Za-z])(?:USD|CAD|AUD|NZD|SGD|"
    r"HKD|BRL|EUR|GBP|CHF|SEK|NOK|DKK|PLN|CZK|INR|JPY|ILS|MXN|ZAR|[Ee]uros?|EUROS?)"
    r"(?![A-Za-z]))"
)
_NUM = (
    r"(?<![0-9.,])(?:[0-9]{1,3}(?:[,.'’\u00a0\u202f ][0-9]{3})+(?:[.,][0-9]{1,2})?"
    r"|[0-9]+(?:[.,][0-9]{1,2})?)(?![0-9])"
)


def _one(p: str) -> str:
    return (
        rf"(?:(?P<{p}c1>{_CUR})\s?)?(?P<{p}n>{_NUM})(?:\s?(?P<{p}k>[kK])(?![A-Za-z]))?"
        rf"(?:\s?(?P<{p}c2>{_CUR}))?"
    )


_AMOUNT = re.compile(
    r"(?=[0-9$€£¥₹₪A-Zbze])"  # a quick refusal of most positions
    r"(?:(?P<between>\b(?:between|zwischen|entre)\b)\s+)?"
    + _one("a")
    + r"(?:(?:\s*(?:[-–—‑−~]|\bto\b|\bbis\b)\s*|(?(between)\s+(?:and|und|et)\s+|(?!)))"
    + _one("b")
    + r")?"
)
_PERIOD_AFTER = re.compile(
    r"(?P<hour>\b(?:per|an|a|each|pro|par|la)\s+(?:hour|hr|stunde|heure)\b"
    r"|/\s*(?:hour|hr|h|stunde|std|heure)\b|\bhourly\b|\bph\b)"
    r"|(?P<day>\b(?:per|a|pro|par)\s+(?:day|tag|jour)\b|/\s*(?:day|d|tag|jour)\b|\bdaily\b)"
    r"|(?P<week>\b(?:per|a|pro|par)\s+(?:week|woche|semaine)\b|/\s*(?:week|wk|woche)\b"
    r"|\bweekly\b)"
    r"|(?P<month>\b(?:per|a|pro|par|im)\s+(?:month|monat|mois)\b"
    r"|/\s*(?:month|mo|monat|mois)\b|\bmonthly\b|\bmonatlich\b|\bmensuel\b)"
    r"|(?P<year>\b(?:per|a|pro|par|im)\s+(?:year|annum|jahr|an|annee)\b"
    r"|/\s*(?:year|yr|annum|jahr|an|annee|a)\b|\bannual(?:ly)?\b|\byearly\b|\bjahrlich\b"
    r"|\bp\.?\s?a\b\.?|\bannuel(?:le)?\b)"
)
_PERIOD_BEFORE = re.compile(
    r"(?P<hour>\bhourly\b|\bper hour\b|\bstundenlohn\b|\bstundensatz\b)"
    r"|(?P<day>\bdaily\b|\bday rate\b|\btagessatz\b)"
    r"|(?P<week>\bweekly\b)"
    r"|(?P<month>\bmonthly\b|\bmonatlich\b|\bmonatsgehalt\b)"
    r"|(?P<year>\bannual\b|\byearly\b|\bjahresgehalt\b|\bper annum\b)"
)
_PAY_WORDS = re.compile(
    r"\b(?:salary|salaries|compensation|pay|paid|base|range|ote|wages?|rate|gehalt|"
    r"vergutung|verguetung|lohn|salaire|remuneration|stipend|earn|earnings)\b"
)


def _number(text: str, thousands: bool) -> float | None:
    decimals = re.search(r"[.,]([0-9]{1,2})$", text)
    whole = text[: decimals.start()] if decimals else text
    digits = re.sub(r"[^0-9]", "", whole)
    if not digits:
        return None
    value = float(digits) + (float("0." + decimals.group(1)) if decimals else 0.0)
    return value * 1000 if thousands else value


# What may stand between a figure and its period: "€60k–80k brutto pro Jahr".
_BETWEEN = re.compile(
    r"(?:[\s(),.;:*+]|\b(?:gross|brutto|net|netto|base|before tax|usd|eur|gbp|chf)\b)*"
)


def _period(text: str, start: int, end: int) -> str | None:
    """The period stated right after a figure, else in the pay words just before it."""
    after = fold(text[end : end + 40].split("\n")[0])
    gap = _BETWEEN.match(after)
    found = _PERIOD_AFTER.match(after, gap.end() if gap else 0)
    if found and found.lastgroup:
        return found.lastgroup
    before = fold(text[max(0, start - 40) : start].split("\n")[-1])
    last = None
    for last in _PERIOD_BEFORE.finditer(before):  # noqa: B007 - the last one is wanted
        pass
    return last.lastgroup if last else None


def _from_text(text: str, strict: bool) -> list[Salary]:
    """Pay figures with a currency in free text, as yearly Salary values, ranges first.

    With `strict` (a description, not a pay field) a figure counts only when it is a
    range, states its period, or follows a pay word (salary, compensation, pay...)."""
    ranges: list[Salary] = []
    singles: list[Salary] = []
    for m in _AMOUNT.finditer(text):
        symbol = m.group("ac1") or m.group("ac2") or m.group("bc1") or m.group("bc2")
        if not symbol:
            continue
        a_k, b_k = bool(m.group("ak")), bool(m.group("bk"))
        lo = _number(m.group("an"), a_k)
        hi = _number(m.group("bn"), b_k) if m.group("bn") else None
        if lo is None:
            continue
        if hi is not None and b_k and not a_k and lo < 1000:
            lo *= 1000  # "60-80k"
        if hi is not None and a_k and not b_k and hi < 1000:
            hi *= 1000  # "60k-80"
        if hi is not None and hi < lo:
            lo, hi = hi, lo
        period = _period(text, m.start(), m.end())
        if strict and hi is None and period is None:
            before = fold(text[max(0, m.start() - 60) : m.start()])
            if not _PAY_WORDS.search(before):
                continue
        if period is None:
            if (hi if hi is not None else lo) < _YEARLY_FLOOR:
                continue
            factor = 1
        else:
            factor = _FACTORS[period]
        salary = Salary(lo * factor, hi * factor if hi is not None else None, None)
        if salary.top() > 1e10:
            continue
        salary = salary._replace(currency=normalise_currency(symbol))
        (ranges if hi is not None else singles).append(salary)
    return ranges + singles


def _structured(pay: Compensation) -> Salary | None:
    lo, hi = pay.min, pay.max
    if lo is None:
        lo = hi
    if lo is None or not math.isfinite(lo) or (hi is not None and not math.isfinite(hi)):
        return None
    if hi is not None and hi < lo:
        lo, hi = hi, lo
    period = pay_period(pay.period)
    if period is None:
        if (hi if hi is not None else lo) < _YEARLY_FLOOR:
            return None
        period = "year"
    factor = _FACTORS[period]
    currency = normalise_currency(pay.currency)
    return Salary(lo * factor, hi * factor if hi is not None else None, currency)


def salaries(posting: Posting) -> list[Salary]:
    """Every yearly pay figure known for a posting, best first: the structured
    compensation alone when it has amounts, else the figures in the compensation text,
    else those in the description (ranges first). Hourly pay is × 2080, daily × 260,
    weekly × 52, monthly × 12; a figure with no period counts as yearly from 10,000 and
    is ignored below that. Free-text figures need a currency ($ is USD)."""
    pay = posting.compensation
    if pay is not None:
        structured = _structured(pay)
        if structured is not None:
            return [structured]
        if pay.text:
            found = _from_text(pay.text, strict=False)
            if found:
                return found
    return _from_text(describe(posting), strict=True)


def annual_salary(posting: Posting) -> Salary | None:
    """(min, max, currency) per year, or None when unknown; see `salaries`."""
    found = salaries(posting)
    return found[0] if found else None
