"""Seniority: the level a job title implies."""

from __future__ import annotations

import re

from watcher.match.words import DASHES, LEFT, RIGHT
from watcher.text import fold

# --- seniority -------------------------------------------------------------------------

LEVELS = ("intern", "junior", "mid", "senior", "staff", "principal", "manager", "director")


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(LEFT + "(?:" + "|".join(alternatives) + ")" + RIGHT)


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
_NUMERAL = re.compile(rf"\s(i{{1,3}}|iv|v|[1-5])\s*(?:$|[,(\[|/:{DASHES}])")
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


def seniority_level(value: str) -> str:
    key = " ".join(re.sub(rf"[{DASHES}_.]+", " ", fold(str(value))).split())
    level = _SENIORITY_ALIASES.get(key)
    if level is None:
        raise ValueError(f"seniority: {value!r} is not one of {', '.join(LEVELS)}")
    return level
