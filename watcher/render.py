"""Text for the terminal and for files: tables, colours, CSV, JSON (pure: returns strings,
prints nothing). Text from boards is made printable wherever it goes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import click

EXPORT_FIELDS = (
    "site",
    "id",
    "title",
    "url",
    "location",
    "department",
    "team",
    "employment",
    "workplace",
    "salary",
    "posted_at",
    "status",
    "first_seen",
    "last_seen",
    "closed_at",
)


def paint(text: str, enabled: bool, **style: Any) -> str:
    """`text` in colour when `enabled` (a terminal, and NO_COLOR unset)."""
    return click.style(text, **style) if enabled else text


# C0 and C1 controls (a board's title can carry `\x1b]0;...\x07` to retitle a terminal, or
# move the cursor), and the bidirectional overrides that make text read other than it is.
_CONTROLS: dict[int, str | None] = {c: None for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))}
_CONTROLS |= {c: None for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_CONTROLS[ord("\t")] = " "
_CONTROLS_KEEP_LINES = {**_CONTROLS, ord("\n"): "\n"}


def printable(value: Any, *, lines: bool = False) -> str:
    """`value` as text that is safe to print: control characters removed (tabs become
    spaces; newlines kept only with `lines`). Everything from a board goes through it."""
    if value is None:
        return ""
    text = str(value)
    if lines:
        return text.replace("\r\n", "\n").translate(_CONTROLS_KEEP_LINES)
    return text.translate(_CONTROLS)


@dataclass(frozen=True)
class Column:
    """A table column: its header, and how it gives and takes room."""

    header: str
    ratio: int | None = None  # share of the room left over (None: as wide as its content)
    min_width: int | None = None
    max_width: int | None = None
    justify: Literal["left", "right"] = "left"


def table(columns: Sequence[Column | str], rows: Iterable[Sequence[Any]], *, width: int) -> str:
    """Rows as aligned columns that fit `width`: the other columns take what they need (up
    to their `max_width`), the columns with a `ratio` share the rest and are cut with an
    ellipsis, never wrapped. Cells are made printable; widths are terminal cells, so wide
    (CJK) characters line up."""
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    specs = [c if isinstance(c, Column) else Column(c) for c in columns]
    cells = [[" ".join(printable(v).split()) for v in row] for row in rows]
    need = [
        max([cell_len(spec.header), *(cell_len(row[i]) for row in cells)])
        for i, spec in enumerate(specs)
    ]
    sizes = [min(n, spec.max_width or n) for n, spec in zip(need, specs, strict=True)]
    shared = [i for i, spec in enumerate(specs) if spec.ratio]
    room = width - 2 * (len(specs) - 1) - sum(s for i, s in enumerate(sizes) if i not in shared)
    while shared:  # a column that needs less than its share gives the rest to the others
        total = sum(specs[i].ratio or 0 for i in shared)
        shares = {i: max(0, room) * (specs[i].ratio or 0) // total for i in shared}
        modest = [i for i in shared if sizes[i] <= shares[i]]
        if not modest:
            for i in shared:
                floor = max(specs[i].min_width or 0, cell_len(specs[i].header))
                sizes[i] = min(sizes[i], max(shares[i], floor))
            break
        room -= sum(sizes[i] for i in modest)
        shared = [i for i in shared if i not in modest]
    while sum(sizes) + 2 * (len(specs) - 1) > width and max(sizes) > 6:
        widest = sizes.index(max(sizes))  # too narrow a terminal: cut the widest first
        sizes[widest] -= 1
    grid = Table(box=None, pad_edge=False, show_edge=False, header_style="bold", expand=False)
    for spec, size in zip(specs, sizes, strict=True):
        grid.add_column(
            spec.header, width=size, justify=spec.justify, no_wrap=True, overflow="ellipsis"
        )
    for row in cells:
        grid.add_row(*(Text(value) for value in row))
    out = io.StringIO()
    console = Console(file=out, width=max(width, sum(sizes) + 2 * len(specs)), color_system=None)
    console.print(grid)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


def export_row(posting: dict[str, Any]) -> dict[str, Any]:
    comp = posting.get("compensation") or {}
    return {
        **{key: posting.get(key) for key in EXPORT_FIELDS},
        "salary": comp.get("summary"),
    }


def to_csv(postings: Iterable[dict[str, Any]]) -> str:
    """CSV of postings, each cell made printable and no cell read as a formula by a
    spreadsheet (a leading `=`, `+`, `-` or `@` is quoted with `'`)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for posting in postings:
        writer.writerow({k: csv_cell(v) for k, v in export_row(posting).items()})
    return buffer.getvalue()


def csv_cell(value: Any) -> str:
    text = printable(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def relative(moment: datetime | None, now: datetime) -> str:
    """A time as a person reads it: `just now`, `12 min ago`, `in 18 min`, `3 h ago`,
    `2 d ago`; older than a month, the date."""
    if moment is None:
        return "never"
    seconds = (moment - now).total_seconds()
    span = abs(seconds)
    if span < 45:
        return "just now" if seconds <= 0 else "in a moment"
    if span >= 30 * 86400:
        return moment.strftime("%Y-%m-%d")
    unit, size = ("d", 86400) if span >= 86400 else ("h", 3600) if span >= 3600 else ("min", 60)
    amount = f"{round(span / size)} {unit}"
    return f"{amount} ago" if seconds < 0 else f"in {amount}"


def plural(count: int, noun: str) -> str:
    """`1 opening`, `3 openings`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
