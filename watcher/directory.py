"""A directory of well-known employers, so that `watcher add Google` needs no guessing.

`watcher/data/companies.json` (shipped in the package) maps a company's name, and the
names people also call it by, to the platform and board of its main careers site.
Each entry keeps the public careers link its board was read from (`link`), where that
link was found (`source`: a repository, path and commit, or the company's own site)
and when (`checked`); `note` says why this board when the company has several, or what
reading it needs. `render: browser` marks a site that only a browser can read (Tesla's):
its entry in `sites.yaml` gets that key too.

Names are compared folded: case, accents, punctuation, `&`/`and`, a leading `the`, a
trailing legal form (`Inc.`, `AG`) and spaces do not count, so `Nestlé` is `nestle`
and `JP Morgan` is `JPMorgan`.

`unreadable` lists employers people will name whose careers site watcher cannot read
(none today): naming one says why, rather than trying board ids that would find someone
else's board.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import orjson

from watcher import sources
from watcher.text import fold

# Keys of an entry that are not its platform key.
FIELDS = frozenset({"name", "aliases", "link", "source", "checked", "note", "render"})
RENDERS = ("plain", "browser")
_LEGAL = frozenset(
    {"inc", "incorporated", "llc", "ltd", "limited", "gmbh", "ag", "sa", "sas", "se", "plc"}
    | {"corp", "corporation", "co", "company", "nv", "bv", "ab", "asa", "oyj", "spa", "group"}
)


@dataclass(frozen=True)
class Company:
    name: str
    key: str  # the platform key, as in sites.yaml
    board: Any  # its value
    aliases: tuple[str, ...] = ()
    link: str = ""  # the public careers link the board was read from
    source: str = ""  # where that link was found
    checked: str = ""  # when (YYYY-MM-DD)
    note: str = ""  # why this board, when the company has several; what reading it needs
    render: str = "plain"  # or "browser": the site is read in headless Chromium

    @property
    def supported(self) -> bool:
        """Whether this watcher has the platform (entries may come before their source)."""
        return self.key in sources.REGISTRY


def fold_name(text: str) -> str:
    """The form names are compared in: `The Walt Disney Company` → `waltdisney`."""
    words = re.findall(r"[a-z0-9]+", re.sub(r"['’.]", "", fold(text)))
    words = [w for w in words if w != "and"]
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    while len(words) > 1 and words[-1] in _LEGAL:
        words.pop()
    return "".join(words)


def parse(data: Any) -> list[Company]:
    """The entries of a directory document; ValueError naming the first bad one."""
    rows = data.get("companies") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise ValueError("the directory must be an object with a `companies` list")
    companies = []
    for index, row in enumerate(rows):
        keys = [k for k in row if k not in FIELDS] if isinstance(row, dict) else []
        if len(keys) != 1 or not isinstance(row.get("name"), str):
            raise ValueError(f"entry {index}: needs a name and exactly one platform key")
        aliases = row.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ValueError(f"entry {index} ({row['name']}): aliases must be a list of names")
        render = row.get("render", "plain")
        if render not in RENDERS:
            raise ValueError(f"entry {index} ({row['name']}): render must be plain or browser")
        companies.append(
            Company(
                name=row["name"],
                key=keys[0],
                board=row[keys[0]],
                aliases=tuple(aliases),
                link=str(row.get("link") or ""),
                source=str(row.get("source") or ""),
                checked=str(row.get("checked") or ""),
                note=str(row.get("note") or ""),
                render=render,
            )
        )
    return companies


@functools.cache
def _document() -> Any:
    return orjson.loads((resources.files("watcher") / "data" / "companies.json").read_bytes())


@functools.cache
def entries() -> tuple[Company, ...]:
    """Every entry of the shipped directory, supported by this watcher or not."""
    return tuple(parse(_document()))


@functools.cache
def _unreadable() -> dict[str, str]:
    rows = _document().get("unreadable") or []
    return {
        fold_name(name): f"{row['name']}: {row['why']} ({row['link']})"
        for row in rows
        for name in (row["name"], *row.get("aliases", []))
    }


def unreadable(name: str) -> str | None:
    """Why watcher cannot read the careers site of the employer `name` stands for, if
    the directory says so."""
    return _unreadable().get(fold_name(name))


@functools.cache
def _index() -> dict[str, Company]:
    index: dict[str, Company] = {}
    for company in entries():
        if company.supported:
            for name in (company.name, *company.aliases):
                index.setdefault(fold_name(name), company)
    return index


def lookup(name: str) -> Company | None:
    """The company a name (or alias) stands for, among the platforms this watcher reads."""
    folded = fold_name(name)
    return _index().get(folded) if folded else None


def search(text: str = "") -> list[Company]:
    """The supported entries whose name, an alias or platform key holds `text`, by name."""
    folded = fold_name(text)
    found = [
        c
        for c in entries()
        if c.supported
        and (
            not folded
            or c.key == text.strip().lower()
            or any(folded in fold_name(n) for n in (c.name, *c.aliases))
        )
    ]
    return sorted(found, key=lambda c: fold_name(c.name))
