"""Places: which countries a location names, and whether a posting is remote."""

from __future__ import annotations

import re
from functools import cache

from watcher.match.words import DASHES, strip_accents, word_pattern
from watcher.model import Posting
from watcher.text import fold

# --- places ----------------------------------------------------------------------------
# Every country's name comes from ISO 3166 (pycountry, `_iso_countries`). The tables here
# add what it lacks: local and short names, codes read in text, regions, cities and
# states. Countries are keyed
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
    return re.sub(rf"[\s{DASHES}_]+", "", fold(name))


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


# Country names that are more often something else in a job's location.
_NOT_COUNTRIES = frozenset({"jersey"})  # Jersey City, NJ


@cache
def _iso_countries() -> dict[str, frozenset[str]]:
    """Every country's names from ISO 3166 (the pycountry package), folded, beside the
    hand tables above: those keep the aliases, the codes read in text and the regions;
    where a name is in both, the hand table wins (`georgia` is the US state)."""
    import pycountry

    out: dict[str, frozenset[str]] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name"):
            name = fold(str(getattr(country, attr, "") or ""))
            if name and name not in _NOT_COUNTRIES and name not in _PLACE_NAMES:
                out[name] = frozenset({country.alpha_2})
    return out


@cache
def _name_lookup() -> tuple[re.Pattern[str], dict[str, frozenset[str]]]:
    """The regex of every place name, and the names by key: built on first use, since
    compiling that regex (15 ms) would otherwise be paid by every command at import."""
    every = {**_iso_countries(), **_PLACE_NAMES}
    longest_first = sorted(every, key=len, reverse=True)
    pattern = re.compile("|".join(f"(?:{word_pattern(n)})" for n in longest_first))
    return pattern, {_key(name): members for name, members in every.items()}


_CODE_RE = re.compile(
    r"(?<![A-Za-z])(?:" + "|".join(sorted(_PLACE_CODES, key=len, reverse=True)) + r")(?![A-Za-z])"
)
_STATE_RE = re.compile(r",\s*(?:" + "|".join(_US_STATE_CODES) + r")(?![A-Za-z])")


def user_area(term: str) -> frozenset[str] | None:
    """The countries a user's `location` / `remote_countries` term covers, if it names a
    country or region (not a city: `Berlin` stays the word Berlin)."""
    if term.startswith("re:"):
        return None
    upper = strip_accents(term).strip().upper()
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
    if len(upper) == 2:  # any ISO 3166 code a user writes
        import pycountry

        found = pycountry.countries.get(alpha_2=upper)
        if found is not None:
            return frozenset({found.alpha_2})
    return {_key(n): m for n, m in _iso_countries().items()}.get(key)


def places(location: str) -> list[frozenset[str]]:
    """The countries covered by each known place named in one location string."""
    names, keys = _name_lookup()
    found = [keys.get(_key(m.group(0))) for m in names.finditer(fold(location))]
    out = [f for f in found if f]
    out += [_PLACE_CODES[m.group(0)] for m in _CODE_RE.finditer(strip_accents(location))]
    if not out and _STATE_RE.search(location):
        out.append(frozenset({"US"}))
    return out


REMOTE_WORDS = re.compile(
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
WORLDWIDE = re.compile(
    "|".join(
        word_pattern(w)
        for w in ("anywhere", "worldwide", "global", "globally", "international", "any location")
    )
)
_TITLE_REMOTE = re.compile(
    rf"(?:^|[(\[{DASHES}|,/:])\s*(?:fully\s+|100%\s+)?remote\b(?![\s{DASHES}]+sensing)"
)
FILLER = re.compile(
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
    if any(REMOTE_WORDS.search(fold(loc)) for loc in posting.locations):
        return True
    return _TITLE_REMOTE.search(fold(posting.title)) is not None
