"""Charts of a site's hiring, drawn as SVG by pygal on the server.

Each chart is its own image (`<img>`): an SVG shown as an image never runs script, and
its style stays inside it, so the page's CSP needs no inline anything. Light and dark
are two renderings the page picks between with `prefers-color-scheme`. The numbers are
also in the page as a table, for screen readers and for anyone who wants them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

PALETTE = {
    # text, faint guides, then the series: open / new, closed
    "light": ("#1f2328", "#d0d7de", ("#0969da", "#1a7f37", "#cf222e")),
    "dark": ("#e6edf3", "#30363d", ("#58a6ff", "#3fb950", "#f85149")),
}
BARS = " ▁▂▃▄▅▆▇█"


def _style(theme: str, first: int) -> object:
    from pygal.style import Style

    text, guide, palette = PALETTE.get(theme, PALETTE["light"])
    colors = palette[first:]
    return Style(
        background="transparent",
        plot_background="transparent",
        foreground=text,
        foreground_strong=text,
        foreground_subtle=guide,
        guide_stroke_color=guide,
        major_guide_stroke_color=guide,
        colors=colors,
        font_family="system-ui, sans-serif",
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=13,
        opacity="0.85",
        opacity_hover="1",
        transition="none",
    )


def _options(theme: str, title: str, first: int = 0) -> dict[str, object]:
    """pygal's settings; `first`: the series' colours start at this one of the palette."""
    return {
        "style": _style(theme, first),
        "width": 720,
        "height": 260,
        "js": [],  # pygal's tooltips load a script from the web: none
        "disable_xml_declaration": True,
        "show_y_guides": True,
        "x_label_rotation": 0,
        "truncate_label": -1,
        "title": None,
        "explicit_size": False,
        "margin": 12,
        "no_data_text": "no data yet",
        "print_values": False,
        "legend_at_bottom": True,
        "legend_box_size": 10,
        "tooltip_border_radius": 4,
        "dynamic_print_values": False,
        "x_title": None,
        "y_title": None,
        "show_minor_x_labels": False,
        "min_scale": 3,
        "max_scale": 6,
        "classes": ["pygal-chart", title],
    }


def _labels(days: Sequence[date]) -> list[str]:
    return [d.strftime("%b %d") for d in days]


def open_chart(days: Sequence[date], values: Sequence[int | None], theme: str) -> bytes:
    """Open postings at each day's end (a gap before the site was first read)."""
    import pygal

    # The days before the site's first read are unknown: the chart starts at it.
    first = next((i for i, v in enumerate(values) if v is not None), len(values))
    days, values = days[first:], values[first:]
    chart = pygal.Line(
        **_options(theme, "open"),
        show_dots=len(values) < 3,
        fill=True,
        show_legend=False,
        include_x_axis=True,
    )
    chart.x_labels = _labels(days)
    chart.x_labels_major = _labels(days[:: max(len(days) // 6, 1)])
    chart.add("open postings", list(values))
    return chart.render(is_unicode=True).encode()


def weekly_chart(
    weeks: Sequence[date], new: Sequence[int], closed: Sequence[int], theme: str
) -> bytes:
    """New and closed postings per week, side by side."""
    import pygal

    chart = pygal.Bar(**_options(theme, "weekly", first=1), show_legend=True)
    chart.x_labels = _labels(weeks)
    chart.x_labels_major = _labels(weeks[:: max(len(weeks) // 6, 1)])
    chart.add("new", list(new))
    chart.add("closed", list(closed))
    return chart.render(is_unicode=True).encode()


def sparkline(values: Sequence[int | None]) -> str:
    """A line of block characters for a few numbers (blank where unknown): the Companies
    table's trend, as text."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        elif span == 0:
            out.append(BARS[4] if high else BARS[1])
        else:
            out.append(BARS[1 + round((value - low) / span * 7)])
    return "".join(out)
