"""Filters: which postings a user is told of (the `match:` keys of sites.yaml).

Pure: no I/O and no clock (`now` is passed to `Filter.check`). A `Filter` is compiled
once from a `watcher.config.Match` and then checks postings:

    verdict = Filter.from_match(site.match).check(posting, now)
    verdict.ok, verdict.why, verdict.failed
    # True, ("title: backend", "remote (Germany)", "senior", "≥ EUR 70,000"), None

Rules, in the order they are checked (`failed` names the first that rejects, as
`"key: detail"`; `why` lists, in short words, the rules met):

* `title` (any one) / `exclude_title` (any one rejects): words or `re:` regexes.
* `location` (any one) / `exclude_location`: words over the locations and the workplace
  (`hybrid`, `onsite`); a country or region (`Germany`, `EU`, `Europe`, `EMEA`, `DACH`...)
  also matches a posting whose places all lie in it (`Munich` is in Germany, `Paris` in
  the EU). The word `remote` matches a remote posting (`Posting.remote`, or a location
  saying anywhere / work from home / distributed..., or a title like `Engineer (Remote)`).
* `remote_countries` restricts the remote postings that count: one counts when its
  locations name a place overlapping one of them (`Remote (Europe)` for `Germany`), or
  name no place we know (`Remote`, `Remote - Worldwide`, or a place missing from the
  tables below, given the benefit of the doubt). `Remote - US` is rejected for `Germany`.
  With `location` it qualifies the `remote` word only; without `location` it lets every
  non-remote posting through and restricts the remote ones.
* `department` / `exclude_department`: words over the department and the team.
* `employment`: the posting's employment type, user words normalised like the sources'
  (`fulltime`, `full time`, `internship`...).
* `seniority`: derived from the title by `seniority()`.
* `max_age`: posted within that duration of `now`.
* `min_salary` + `currency`: see `annual_salary()`. Rejects only when the known yearly
  maximum (or minimum when there is no maximum) is below the threshold *in the same
  currency*; currencies are never converted. Without `currency` the threshold applies to
  every currency as stated.
* `keywords` (any one) / `exclude_keywords`: words over the title and the description.

A rule about something the posting does not state (no location, department, employment
type, date or salary; a salary in another currency) lets the posting through, and the
`why` does not claim it. An empty or absent `match:` accepts everything with `why=()`.

Words: matching is over `text.fold` (lower case, no accents), word-aware: a term
matches as whole words, a multi-word term as a phrase whose words may be joined by
spaces, hyphens or nothing (`full stack` = `full-stack` = `fullstack`). Word edges are
`(?<![\\w+#.])` and `(?![\\w+#])` rather than `\\b`, so `C`, `C++`, `C#`, `.NET` and
`Node.js` are told apart (`Java` does not match `JavaScript`, `C` does not match `C++`,
`js` does not match `Node.js`). Hyphens are word edges: `Java` matches `Java-based`; the
one exception is `go` not matching the idioms `go-to` / `go-live` (`Go-To-Market`).
`re:PATTERN` is a Python regex searched case-insensitively in the folded text (so write
it without accents). Invalid regexes and unknown seniority levels or currencies raise
ValueError("key: ...") from `Filter.from_match`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from watcher.config import parse_duration
from watcher.model import Compensation, Posting
from watcher.text import describe, fold, pay_period
from watcher.text import employment as normalise_employment

if TYPE_CHECKING:
    from watcher.config import Match

__all__ = [
    "LEVELS",
    "Filter",
    "Salary",
    "Term",
    "Verdict",
    "annual_salary",
    "is_remote",
    "normalise_currency",
    "places",
    "salaries",
    "seniority",
    "word_pattern",
]

# --- words ---------------------------------------------------------------------------

_LEFT = r"(?<![\w+#.])"
_RIGHT = r"(?![\w+#])"
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014"
_SPLIT = re.compile(rf"[\s{_DASHES}]+")
_JOIN = rf"[\s{_DASHES}]*"
_WORD_CHAR = re.compile(r"\w")
# Idioms that are not the word: `go` in "go-to-market" or "go-live" is not the language.
_NOT_FOLLOWED_BY = {"go": rf"(?![\s{_DASHES}]+(?:to|live)\b)"}


def word_pattern(term: str) -> str:
    """The regex source matching `term` as whole words of folded text."""
    tokens = [t for t in _SPLIT.split(fold(term)) if t]
    if not tokens:
        raise ValueError("is empty")
    body = _JOIN.join(re.escape(t) for t in tokens)
    left = _LEFT if _WORD_CHAR.match(tokens[0][0]) else ""
    right = _RIGHT if _WORD_CHAR.match(tokens[-1][-1]) else ""
    return left + body + right + _NOT_FOLLOWED_BY.get(" ".join(tokens), "")


def _strip_accents(text: str) -> str:
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
            source = _strip_accents(raw[3:].strip())
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


def _terms(key: str, values: list[str]) -> tuple[Term, ...]:
    out: dict[str, Term] = {}
    for value in values:
        term = Term.parse(key, value)
        out.setdefault(term.label.casefold(), term)
    return tuple(out.values())


def _hits(terms: tuple[Term, ...], folded: str) -> list[str]:
    return [t.label for t in terms if t.found(folded)]


def _listing(terms: tuple[Term, ...]) -> str:
    return ", ".join(t.label for t in terms)


# --- places ----------------------------------------------------------------------------
# A small table, enough to tell "Remote - US" from "Remote (Europe)". Countries are keyed
# by ISO alpha-2; each has folded names and the codes read in the (case-kept) text.
# Two-letter codes that are also US state codes are left out of the text codes (CA is
# California more often than Canada in a location, IN Indiana, IL Illinois...), except
# DE, read as Germany rather than Delaware. Users may still write any alpha-2 code.


def _names(text: str) -> tuple[str, ...]:
    """Space-separated names (an underscore joins the words of one name)."""
    return tuple(text.split())


_COUNTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "US": (("united states", "united states of america", "u.s.", "u.s.a."), ("US", "USA")),
    "CA": (("canada",), ("CAN",)),
    "MX": (("mexico",), ("MEX",)),
    "BR": (("brazil", "brasil"), ("BR", "BRA")),
    "AR": (("argentina",), ("ARG",)),
    "CL": (("chile",), ("CHL",)),
    "CO": (("colombia",), ("COL",)),
    "GB": (
        (
            "united kingdom",
            "great britain",
            "britain",
            "england",
            "scotland",
            "wales",
            "northern ireland",
        ),
        ("UK", "GB", "GBR"),
    ),
    "IE": (("ireland", "eire"), ("IE", "IRL")),
    "DE": (("germany", "deutschland"), ("DE", "DEU")),
    "AT": (("austria", "osterreich"), ("AT", "AUT")),
    "CH": (("switzerland", "schweiz", "suisse", "svizzera"), ("CH", "CHE")),
    "FR": (("france",), ("FR", "FRA")),
    "NL": (("netherlands", "the netherlands", "holland", "nederland"), ("NL", "NLD")),
    "BE": (("belgium", "belgique", "belgie"), ("BE", "BEL")),
    "LU": (("luxembourg",), ("LU", "LUX")),
    "ES": (("spain", "espana"), ("ES", "ESP")),
    "PT": (("portugal",), ("PT", "PRT")),
    "IT": (("italy", "italia"), ("IT", "ITA")),
    "PL": (("poland", "polska"), ("PL", "POL")),
    "CZ": (("czechia", "czech republic"), ("CZ", "CZE")),
    "SK": (("slovakia",), ("SK", "SVK")),
    "HU": (("hungary",), ("HU", "HUN")),
    "RO": (("romania",), ("RO", "ROU")),
    "BG": (("bulgaria",), ("BG", "BGR")),
    "GR": (("greece",), ("GR", "GRC")),
    "HR": (("croatia",), ("HRV",)),
    "SI": (("slovenia",), ("SVN",)),
    "EE": (("estonia",), ("EE",)),
    "LV": (("latvia",), ("LV", "LVA")),
    "LT": (("lithuania",), ("LT", "LTU")),
    "CY": (("cyprus",), ("CY", "CYP")),
    "MT": (("malta",), ("MLT",)),
    "SE": (("sweden", "sverige"), ("SE", "SWE")),
    "DK": (("denmark", "danmark"), ("DK", "DNK")),
    "FI": (("finland", "suomi"), ("FI", "FIN")),
    "NO": (("norway", "norge"), ("NO", "NOR")),
    "IS": (("iceland",), ("ISL",)),
    "UA": (("ukraine",), ("UA", "UKR")),
    "RS": (("serbia",), ("RS", "SRB")),
    "TR": (("turkey", "turkiye"), ("TR", "TUR")),
    "IL": (("israel",), ("ISR",)),
    "AE": (("united arab emirates",), ("AE", "UAE", "ARE")),
    "SA": (("saudi arabia",), ("KSA", "SAU")),
    "EG": (("egypt",), ("EG", "EGY")),
    "ZA": (("south africa",), ("ZA", "ZAF")),
    "NG": (("nigeria",), ("NG", "NGA")),
    "KE": (("kenya",), ("KE", "KEN")),
    "IN": (("india",), ("IND",)),
    "SG": (("singapore",), ("SG", "SGP")),
    "JP": (("japan",), ("JP", "JPN")),
    "KR": (("south korea", "korea"), ("KR", "KOR")),
    "CN": (("china",), ("CN", "CHN")),
    "HK": (("hong kong",), ("HK", "HKG")),
    "TW": (("taiwan",), ("TW", "TWN")),
    "PH": (("philippines",), ("PH", "PHL")),
    "ID": (("indonesia",), ("IDN",)),
    "MY": (("malaysia",), ("MY", "MYS")),
    "TH": (("thailand",), ("TH", "THA")),
    "VN": (("vietnam", "viet nam"), ("VN", "VNM")),
    "AU": (("australia",), ("AU", "AUS")),
    "NZ": (("new zealand",), ("NZ", "NZL")),
}

_EU = frozenset(
    _names("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE")
)
_EUROPE = _EU | {"GB", "CH", "NO", "IS", "UA", "RS"}
_NORTH_AMERICA = frozenset({"US", "CA", "MX"})
_LATAM = frozenset({"MX", "BR", "AR", "CL", "CO"})
_APAC = frozenset(_names("IN SG JP KR CN HK TW PH ID MY TH VN AU NZ"))
_AFRICA = frozenset({"EG", "ZA", "NG", "KE"})
_MIDDLE_EAST = frozenset({"TR", "IL", "AE", "SA", "EG"})

# Regions: folded names (and case-kept codes) with the countries they cover.
_REGIONS: dict[tuple[str, ...], frozenset[str]] = {
    ("european union",): _EU,
    ("eea", "european economic area"): _EU | {"NO", "IS"},
    ("europe", "cet", "cest", "central european time"): _EUROPE,
    ("emea",): _EUROPE | _MIDDLE_EAST | _AFRICA,
    ("dach",): frozenset({"DE", "AT", "CH"}),
    ("nordics", "nordic", "scandinavia"): frozenset({"SE", "NO", "DK", "FI", "IS"}),
    ("benelux",): frozenset({"BE", "NL", "LU"}),
    ("north america",): _NORTH_AMERICA,
    ("latin america", "latam"): _LATAM,
    ("south america",): _LATAM - {"MX"},
    ("americas", "amer"): _NORTH_AMERICA | _LATAM,
    ("apac", "asia pacific"): _APAC,
    ("asia",): _APAC - {"AU", "NZ"},
    ("middle east",): _MIDDLE_EAST,
    ("africa",): _AFRICA,
    ("oceania", "anz"): frozenset({"AU", "NZ"}),
}
_REGION_CODES = {"EU": _EU, "EEA": _EU | {"NO", "IS"}}

# Places inside a country: recognised in a posting, never expanded from a user's term
# (`location: [Berlin]` must not match Hamburg).
_SUBDIVISIONS: dict[str, tuple[str, ...]] = {
    "US": _names(
        "alabama alaska arizona arkansas california colorado connecticut delaware florida "
        "georgia hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland "
        "massachusetts michigan minnesota mississippi missouri montana nebraska nevada "
        "new_hampshire new_jersey new_mexico new_york north_carolina north_dakota ohio "
        "oklahoma oregon pennsylvania rhode_island south_carolina south_dakota tennessee "
        "texas utah vermont virginia washington west_virginia wisconsin wyoming "
        "district_of_columbia "
        "new_york_city nyc san_francisco bay_area silicon_valley seattle austin boston "
        "chicago los_angeles denver atlanta miami washington_dc washington_d.c. palo_alto "
        "mountain_view san_jose sunnyvale menlo_park san_diego portland philadelphia "
        "pittsburgh dallas houston salt_lake_city raleigh minneapolis phoenix detroit "
        "nashville"
    ),
    "CA": _names(
        "ontario quebec british_columbia alberta manitoba nova_scotia saskatchewan "
        "toronto vancouver montreal ottawa calgary waterloo"
    ),
    "DE": _names(
        "berlin munich munchen hamburg frankfurt cologne koln stuttgart dusseldorf leipzig "
        "dresden nuremberg nurnberg karlsruhe bavaria bayern"
    ),
    "AT": ("vienna", "wien", "graz", "linz"),
    "CH": ("zurich", "geneva", "geneve", "basel", "lausanne", "bern"),
    "GB": ("london", "manchester", "edinburgh", "glasgow", "bristol", "leeds", "belfast"),
    "IE": ("dublin", "cork"),
    "FR": ("paris", "lyon", "marseille", "toulouse", "nantes", "bordeaux", "lille"),
    "NL": ("amsterdam", "rotterdam", "utrecht", "the_hague", "eindhoven"),
    "BE": ("brussels", "bruxelles", "antwerp", "ghent"),
    "ES": ("madrid", "barcelona", "valencia", "malaga", "seville"),
    "PT": ("lisbon", "lisboa", "porto"),
    "IT": ("milan", "milano", "rome", "roma", "turin", "torino"),
    "PL": ("warsaw", "warszawa", "krakow", "wroclaw", "gdansk"),
    "CZ": ("prague", "praha", "brno"),
    "SE": ("stockholm", "gothenburg", "malmo"),
    "DK": ("copenhagen", "kobenhavn", "aarhus"),
    "NO": ("oslo",),
    "FI": ("helsinki",),
    "EE": ("tallinn",),
    "HU": ("budapest",),
    "RO": ("bucharest", "cluj"),
    "GR": ("athens",),
    "LT": ("vilnius",),
    "LV": ("riga",),
    "UA": ("kyiv", "kiev", "lviv"),
    "RS": ("belgrade",),
    "TR": ("istanbul", "ankara"),
    "IL": ("tel_aviv", "jerusalem", "haifa"),
    "AE": ("dubai", "abu_dhabi"),
    "MX": ("mexico_city", "guadalajara"),
    "BR": ("sao_paulo", "rio_de_janeiro"),
    "AR": ("buenos_aires",),
    "CO": ("bogota", "medellin"),
    "IN": _names(
        "bangalore bengaluru hyderabad pune mumbai delhi new_delhi chennai gurgaon gurugram noida"
    ),
    "JP": ("tokyo", "osaka"),
    "KR": ("seoul",),
    "CN": ("beijing", "shanghai", "shenzhen"),
    "TW": ("taipei",),
    "PH": ("manila",),
    "ID": ("jakarta",),
    "MY": ("kuala_lumpur",),
    "TH": ("bangkok",),
    "VN": ("ho_chi_minh_city", "hanoi"),
    "AU": ("sydney", "melbourne", "brisbane", "perth", "new_south_wales"),
    "NZ": ("auckland", "wellington"),
    "ZA": ("cape_town", "johannesburg"),
    "NG": ("lagos",),
    "KE": ("nairobi",),
    "EG": ("cairo",),
}
# US state codes, read only as `City, ST` and only when nothing else in that location is
# known (so `Tel Aviv, IL` stays Israel). DE is left to Germany.
_US_STATE_CODES = _names(
    "AL AK AZ AR CA CO CT FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC"
)


def _key(name: str) -> str:
    """A lookup key for a place name however its words are joined."""
    return re.sub(rf"[\s{_DASHES}_]+", "", fold(name))


def _place_tables() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    names: dict[str, frozenset[str]] = {}
    codes: dict[str, frozenset[str]] = dict(_REGION_CODES)
    for country, (country_names, text_codes) in _COUNTRIES.items():
        for name in country_names:
            names[name] = frozenset({country})
        for code in text_codes:
            codes[code] = frozenset({country})
    for region_names, members in _REGIONS.items():
        for name in region_names:
            names[name] = members
    for country, inside in _SUBDIVISIONS.items():
        for place in inside:
            names[place.replace("_", " ")] = frozenset({country})
    return names, codes


_PLACE_NAMES, _PLACE_CODES = _place_tables()
_PLACE_KEYS = {_key(name): members for name, members in _PLACE_NAMES.items()}
_NAME_RE = re.compile(
    "|".join(f"(?:{word_pattern(n)})" for n in sorted(_PLACE_NAMES, key=len, reverse=True))
)
_CODE_RE = re.compile(
    r"(?<![A-Za-z])(?:" + "|".join(sorted(_PLACE_CODES, key=len, reverse=True)) + r")(?![A-Za-z])"
)
_STATE_RE = re.compile(r",\s*(?:" + "|".join(_US_STATE_CODES) + r")(?![A-Za-z])")


def _user_area(term: str) -> frozenset[str] | None:
    """The countries a user's `location` / `remote_countries` term covers, if it names a
    country or region (not a city: `Berlin` stays the word Berlin)."""
    if term.startswith("re:"):
        return None
    upper = _strip_accents(term).strip().upper()
    if upper in _COUNTRIES:
        return frozenset({upper})
    if upper in _PLACE_CODES:
        return _PLACE_CODES[upper]
    key = _key(term)
    for names, members in _REGIONS.items():
        if key in {_key(n) for n in names}:
            return members
    for country, (names_, _codes) in _COUNTRIES.items():
        if key in {_key(n) for n in names_}:
            return frozenset({country})
    return None


def places(location: str) -> list[frozenset[str]]:
    """The countries covered by each known place named in one location string."""
    found = [_PLACE_KEYS.get(_key(m.group(0))) for m in _NAME_RE.finditer(fold(location))]
    out = [f for f in found if f]
    out += [_PLACE_CODES[m.group(0)] for m in _CODE_RE.finditer(_strip_accents(location))]
    if not out and _STATE_RE.search(location):
        out.append(frozenset({"US"}))
    return out


_REMOTE_WORDS = re.compile(
    "|".join(
        word_pattern(w)
        for w in (
            "remote",
            "anywhere",
            "work from home",
            "working from home",
            "wfh",
            "distributed",
            "telecommute",
            "telework",
            "home office",
            "homeoffice",
            "home based",
        )
    )
)
_WORLDWIDE = re.compile(
    "|".join(
        word_pattern(w)
        for w in ("anywhere", "worldwide", "global", "globally", "international", "any location")
    )
)
_TITLE_REMOTE = re.compile(
    rf"(?:^|[(\[{_DASHES}|,/:])\s*(?:fully\s+|100%\s+)?remote\b(?![\s{_DASHES}]+sensing)"
)
_FILLER = re.compile(
    "|".join(
        word_pattern(w)
        for w in (
            "hybrid",
            "onsite",
            "on site",
            "in office",
            "office",
            "only",
            "first",
            "friendly",
            "possible",
            "optional",
            "based",
            "fully",
            "or",
            "and",
            "100%",
        )
    )
)


def is_remote(posting: Posting) -> bool:
    """The posting is remote-friendly: by its workplace, its locations or its title."""
    if posting.remote:
        return True
    if any(_REMOTE_WORDS.search(fold(loc)) for loc in posting.locations):
        return True
    return _TITLE_REMOTE.search(fold(posting.title)) is not None


# --- seniority -------------------------------------------------------------------------

LEVELS = ("intern", "junior", "mid", "senior", "staff", "principal", "manager", "director")


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(_LEFT + "(?:" + "|".join(alternatives) + ")" + _RIGHT)


# "X Manager" titles that name a role, not a people manager: their level comes from the
# other words ("Senior Product Manager" is senior, "Product Manager" mid).
_IC_MANAGER = re.compile(
    r"\b(?:product|project|program|programme|account|accounts|customer success|success|"
    r"community|partner|partnerships?|office|case|content|social media|campaign|brand|"
    r"release|relationship|territory|category)\s+manager\b"
)
# "Staff" that is not the level: Member of Technical Staff, Staff Accountant...
_NOT_STAFF = re.compile(
    r"\b(?:member of (?:the )?technical staff|technical staff|chief of staff|staff[\s-]+"
    r"(?:accountant|accounting|nurse|writer|auditor|pharmacist|attorney|physician|"
    r"assistant|photographer))\b"
)
_SENIORITY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "intern",
        _words(
            r"interns?",
            r"internships?",
            r"werkstudent(?:in)?",
            r"working[\s-]*students?",
            r"student[\s-]+(?:assistant|worker|job)",
            r"studentische[\s-]+hilfskraft",
            r"praktikant(?:in)?",
            r"praktikum",
            r"trainees?",
            r"traineeship",
            r"apprentices?",
            r"apprenticeship",
            r"co-?op",
            r"stagiaire",
            r"alternan(?:ce|t)",
            r"azubi",
            r"summer[\s-]+(?:analyst|associate)",
        ),
    ),
    (
        "director",
        _words(
            r"directeur",
            r"directora?",
            r"head[\s-]+of",
            r"(?:department|team)[\s-]+head",
            r"vp",
            r"[sea]vp",
            r"vice[\s-]*president",
            r"president",
            r"chief",
            r"c[teofi]o",
            r"ciso",
            r"cpo",
        ),
    ),
    (
        "manager",
        _words(r"manager", r"managers", r"teamleiter(?:in)?", r"people[\s-]+lead"),
    ),
    ("principal", _words(r"principal", r"distinguished")),
    ("staff", _words(r"staff")),
    ("senior", _words(r"senior", r"sr\.?", r"snr\.?", r"lead(?![\s-]+gen)")),
    (
        "junior",
        _words(
            r"junior",
            r"jr\.?",
            r"graduates?",
            r"grad",
            r"new[\s-]*grads?",
            r"entry[\s-]*level",
            r"early[\s-]*career",
            r"associate",
        ),
    ),
)
# Ladder numerals at the end of a title or before a separator: "Software Engineer III".
_NUMERAL = re.compile(rf"\s(i{{1,3}}|iv|v|[1-5])\s*(?:$|[,(\[|/:{_DASHES}])")
_NUMERAL_LEVELS = {
    "i": "junior",
    "1": "junior",
    "ii": "mid",
    "2": "mid",
    "iii": "senior",
    "3": "senior",
    "iv": "staff",
    "4": "staff",
    "v": "principal",
    "5": "principal",
}


def seniority(title: str) -> str:
    """The level a job title implies, one of LEVELS; "mid" when it says nothing.

    Checked in this order, the first that applies wins: intern (Intern, Internship,
    Werkstudent, Working Student, Praktikant, Trainee, Apprentice, Co-op), director
    (Director, Head of, VP, Vice President, Chief, CTO...), manager (Manager, but not role
    names such as Product / Project / Program / Account Manager), principal (Principal,
    Distinguished), staff (Staff, but not Staffing, Staff Accountant, Member of Technical
    Staff), senior (Senior, Sr, Sr., Lead: a lead is a senior individual contributor;
    people managers say Manager), junior (Junior, Jr, Graduate, New Grad, Entry level,
    Early career, Associate), then ladder numerals at the end (I junior, II mid,
    III senior, IV staff, V principal), else mid.
    """
    text = fold(title)
    for level, pattern in _SENIORITY_RULES:
        if level == "manager":
            if pattern.search(_IC_MANAGER.sub(" ", text)):
                return level
        elif level == "staff":
            if pattern.search(_NOT_STAFF.sub(" ", text)):
                return level
        elif pattern.search(text):
            return level
    numeral = _NUMERAL.search(text)
    return _NUMERAL_LEVELS[numeral.group(1)] if numeral else "mid"


_SENIORITY_ALIASES = {
    **{level: level for level in LEVELS},
    "internship": "intern",
    "working student": "intern",
    "werkstudent": "intern",
    "student": "intern",
    "trainee": "intern",
    "jr": "junior",
    "entry": "junior",
    "entry level": "junior",
    "graduate": "junior",
    "new grad": "junior",
    "associate": "junior",
    "mid level": "mid",
    "middle": "mid",
    "intermediate": "mid",
    "medior": "mid",
    "regular": "mid",
    "sr": "senior",
    "lead": "senior",
    "distinguished": "principal",
    "management": "manager",
    "engineering manager": "manager",
    "head": "director",
    "head of": "director",
    "vp": "director",
    "vice president": "director",
    "executive": "director",
    "chief": "director",
}


def _seniority_level(value: str) -> str:
    key = " ".join(re.sub(rf"[{_DASHES}_.]+", " ", fold(str(value))).split())
    level = _SENIORITY_ALIASES.get(key)
    if level is None:
        raise ValueError(f"seniority: {value!r} is not one of {', '.join(LEVELS)}")
    return level


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


# --- the filter ------------------------------------------------------------------------


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
    terms = _terms(key, [v for v in values if not _is_remote_word(v)])
    return tuple(Term(t.label, t.pattern, _user_area(t.label)) for t in terms), remote


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
        countries = _terms("remote_countries", match.remote_countries)
        employment: list[str] = []
        for value in match.employment:
            kind = normalise_employment(str(value))
            if kind and kind not in employment:
                employment.append(kind)
        levels: list[str] = []
        for value in match.seniority:
            level = _seniority_level(value)
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
            title=_terms("title", match.title),
            exclude_title=_terms("exclude_title", match.exclude_title),
            location=location,
            location_remote=location_remote,
            remote_countries=tuple(
                Term(t.label, t.pattern, _user_area(t.label)) for t in countries
            ),
            exclude_location=exclude_location,
            exclude_remote=exclude_remote,
            department=_terms("department", match.department),
            exclude_department=_terms("exclude_department", match.exclude_department),
            keywords=_terms("keywords", match.keywords),
            exclude_keywords=_terms("exclude_keywords", match.exclude_keywords),
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
            hits = _hits(self.title, text)
            if not hits:
                return f"title: none of {_listing(self.title)}"
            why.append("title: " + ", ".join(hits))
        excluded = _hits(self.exclude_title, text)
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
        if _WORLDWIDE.search(text):
            return "remote (worldwide)"
        for term in self.remote_countries:
            if term.codes and any(area & term.codes for area in known):
                return f"remote ({term.label})"
        if known:
            return None
        rest = _FILLER.sub(" ", _REMOTE_WORDS.sub(" ", text))
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
            hits = _hits(self.department, text)
            if not hits:
                return f"department: none of {_listing(self.department)}"
            why.append("department: " + ", ".join(hits))
        excluded = _hits(self.exclude_department, text)
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
            hits = _hits(self.keywords, text)
            if not hits:
                return f"keywords: none of {_listing(self.keywords)}"
            why.append("keywords: " + ", ".join(hits))
        excluded = _hits(self.exclude_keywords, text)
        return f"exclude_keywords: {excluded[0]}" if excluded else None


def _in_place(term: Term, folded: str, known: list[frozenset[str]]) -> bool:
    """A location term matches its words, or (for a country or region) a known place of
    the posting lying wholly inside it."""
    if term.found(folded):
        return True
    codes = term.codes
    return codes is not None and any(area <= codes for area in known)
