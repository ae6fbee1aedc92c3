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

from watcher.match.filter import Filter, Match, Verdict
from watcher.match.places import is_remote, places
from watcher.match.salary import Salary, annual_salary, normalise_currency, salaries
from watcher.match.seniority import LEVELS, seniority
from watcher.match.words import Term, word_pattern

__all__ = [
    "LEVELS",
    "Filter",
    "Match",
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
