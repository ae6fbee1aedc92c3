"""Text for the terminal: tables and colours (pure: returns strings, prints nothing)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

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


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    width: int | None = None,
    shrink: int = -1,
) -> str:
    """Aligned columns; when `width` is given, the `shrink` column is cut to fit."""
    cells = [[_cell(v) for v in row] for row in rows]
    sizes = [len(h) for h in headers]
    for row in cells:
        sizes = [max(size, len(value)) for size, value in zip(sizes, row, strict=True)]
    if width:
        column = shrink % len(headers)
        room = width - (sum(sizes) - sizes[column]) - 2 * (len(headers) - 1)
        sizes[column] = max(min(sizes[column], room), len(headers[column]), 8)
    lines = [_line(headers, sizes), _line(["-" * s for s in sizes], sizes)]
    lines += [_line(row, sizes) for row in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def _line(values: Sequence[str], sizes: Sequence[int]) -> str:
    out = []
    for value, size in zip(values, sizes, strict=True):
        text = value if len(value) <= size else value[: max(size - 1, 0)] + "…"
        out.append(text.ljust(size))
    return "  ".join(out).rstrip()


def export_row(posting: dict[str, Any]) -> dict[str, Any]:
    comp = posting.get("compensation") or {}
    return {
        **{key: posting.get(key) for key in EXPORT_FIELDS},
        "salary": comp.get("summary"),
    }


def to_csv(postings: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for posting in postings:
        writer.writerow(export_row(posting))
    return buffer.getvalue()


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
