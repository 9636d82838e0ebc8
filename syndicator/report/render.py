"""Draw a :class:`~syndicator.report.data.Report` as inline SVG.

The geometry is worked out here; ``templates/`` only writes it out (with
Jinja's autoescaping, since source, partner and reason names come from the
store). No JavaScript and no external resource: the same HTML works in
Datasette behind a strict Content-Security-Policy, in a browser opening a
file, and in a mail client. Each bar carries a ``<title>`` with its numbers
(a tooltip, and what screen readers and tests read), and each chart has a
data table under it for readers and mail clients that do not show SVG.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from syndicator.report.data import Chart, Report

# Okabe–Ito: distinguishable with the common forms of colour blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000")
OUTCOME_COLORS = {
    "sent": "#009E73",
    "pending": "#E69F00",
    "sending": "#56B4E9",
    "failed": "#D55E00",
    "skipped": "#999999",
}
WIDTH = 680
CHAR_WIDTH = 7  # of the 12px labels, roughly: enough to keep long names clear of the bars


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    category: str
    series: str
    count: int
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"
    css: str = "tick"
    rotate: bool = False


@dataclass
class Figure:
    """One chart laid out: what the template draws, in SVG user units."""

    chart: Chart
    width: int
    height: int
    colors: dict[str, str]
    summary: str
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    grid: list[tuple[float, float, float, float]] = field(default_factory=list)
    axes: list[tuple[float, float, float, float]] = field(default_factory=list)


def _ticks(top: int) -> list[int]:
    """Round tick values from 0 to at least ``top``: steps of 1, 2 or 5 times a power of 10."""
    if top <= 0:
        return [0, 1]
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = max(1, int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)))
    return [i * step for i in range(math.ceil(top / step) + 1)]


def _colors(chart: Chart) -> dict[str, str]:
    if chart.key == "deliveries":
        extra = iter(PALETTE)
        return {s: OUTCOME_COLORS.get(s) or next(extra) for s in chart.series}
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(chart.series)}


def _summary(chart: Chart) -> str:
    if not chart.grand_total:
        return f"No {chart.unit[1]} {chart.scope}."
    parts = ", ".join(f"{s}: {chart.series_total(s)}" for s in chart.series)
    return f"{chart.amount(chart.grand_total)} {chart.scope} ({parts})."


def _stack(chart: Chart, category: str) -> list[tuple[str, int, str]]:
    """The non-empty segments of one bar, with the tooltip each one gets."""
    return [
        (s, n, f"{category} — {s}: {chart.amount(n)}")
        for s in chart.series
        if (n := chart.count(category, s))
    ]


def layout_columns(chart: Chart) -> Figure:
    """Vertical stacked bars, one per category (the days of the articles chart)."""
    left, right, top, bottom, plot_h = 56, 12, 18, 48, 200
    colors = _colors(chart)
    fig = Figure(chart, WIDTH, top + plot_h + bottom, colors, _summary(chart))
    ticks = _ticks(max((chart.total(c) for c in chart.categories), default=0))
    scale = plot_h / ticks[-1]
    base = top + plot_h
    slot = (WIDTH - left - right) / max(1, len(chart.categories))
    every = math.ceil(len(chart.categories) / 15)  # keep day labels from overlapping
    for value in ticks:
        y = round(base - value * scale, 1)
        fig.grid.append((left, y, WIDTH - right, y))
        fig.labels.append(Label(left - 6, y + 4, str(value), "end"))
    for i, category in enumerate(chart.categories):
        x, y = left + i * slot + slot * 0.15, float(base)
        for series, n, title in _stack(chart, category):
            h = n * scale
            y -= h
            fig.rects.append(
                Rect(
                    round(x, 1),
                    round(y, 1),
                    round(slot * 0.7, 1),
                    round(h, 1),
                    colors[series],
                    category,
                    series,
                    n,
                    title,
                )
            )
        center = round(left + (i + 0.5) * slot, 1)
        if total := chart.total(category):
            fig.labels.append(Label(center, round(y - 4, 1), str(total), css="total"))
        if i % every == 0:
            fig.labels.append(Label(center, base + 16, category[5:]))  # MM-DD
    fig.axes.append((left, base, WIDTH - right, base))
    fig.labels.append(
        Label((left + WIDTH - right) / 2, fig.height - 8, chart.category_label, css="axis")
    )
    fig.labels.append(Label(14, top + plot_h / 2, chart.value_label, css="axis", rotate=True))
    return fig


def layout_rows(chart: Chart) -> Figure:
    """Horizontal stacked bars, one per category (partners, drop reasons)."""
    row, bar, top, bottom, right = 26, 18, 8, 44, 56
    left = min(220, 16 + CHAR_WIDTH * max((len(c) for c in chart.categories), default=4))
    colors = _colors(chart)
    rows = max(1, len(chart.categories))
    fig = Figure(chart, WIDTH, top + rows * row + bottom, colors, _summary(chart))
    ticks = _ticks(max((chart.total(c) for c in chart.categories), default=0))
    scale = (WIDTH - left - right) / ticks[-1]
    base = top + rows * row
    for value in ticks:
        x = round(left + value * scale, 1)
        fig.grid.append((x, top, x, base))
        fig.labels.append(Label(x, base + 16, str(value)))
    for i, category in enumerate(chart.categories):
        x, y = float(left), top + i * row + (row - bar) / 2
        for series, n, title in _stack(chart, category):
            w = n * scale
            fig.rects.append(
                Rect(
                    round(x, 1),
                    round(y, 1),
                    round(w, 1),
                    bar,
                    colors[series],
                    category,
                    series,
                    n,
                    title,
                )
            )
            x += w
        fig.labels.append(Label(left - 8, round(y + bar - 5, 1), category, "end", "category"))
        fig.labels.append(
            Label(
                round(x + 6, 1), round(y + bar - 5, 1), str(chart.total(category)), "start", "total"
            )
        )
    if not chart.categories:
        fig.labels.append(Label(left + 8, top + row - 8, fig.summary, "start", "empty"))
    fig.axes.append((left, top, left, base))
    fig.labels.append(
        Label((left + WIDTH - right) / 2, fig.height - 8, chart.value_label, css="axis")
    )
    return fig


def layout(chart: Chart) -> Figure:
    """Days run left to right; names (partners, reasons) are read best as rows."""
    return (layout_columns if chart.key == "articles" else layout_rows)(chart)


_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_charts(report: Report) -> Markup:
    """The charts as one HTML fragment (headings, SVG, legends, data tables)."""
    figures = [layout(chart) for chart in report.charts]
    return Markup(_env.get_template("charts.html.j2").render(report=report, figures=figures))


def render_document(report: Report, store: str) -> str:
    """A whole, self-contained HTML page: inline CSS, no script, nothing fetched."""
    return _env.get_template("report.html.j2").render(
        report=report, store=store, charts=render_charts(report)
    )
