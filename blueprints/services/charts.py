"""Server-rendered SVG charts: geometry here, markup in
templates/partials/services/_bar_chart.html and _line_chart.html.

No chart library and no CDN: the pages stay within the strict CSP, and the
numbers are also given as a table for screen readers.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import gettext as _

from web.i18n import locale_code

MONTH_NAMES = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^n at or above ``value``."""
    if value <= 0:
        return 1
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return candidate
    return 10 ** (exponent + 1)


def _tick_text(value: float) -> str:
    lang = locale_code()
    if lang != "sv":
        return format_decimal(value, format="#,##0.#", locale=lang)
    if value == int(value):
        return f"{int(value):,}".replace(",", "\u00a0")
    return f"{value:.1f}".replace(".", ",")


@dataclass
class Chart:
    title: str
    width: int
    height: int
    left: int
    bottom: int
    top: int
    unit: str
    gridlines: list = field(default_factory=list)  # (y, text)
    bars: list = field(default_factory=list)  # dicts: x, y, w, h, label, text, cls
    lines: list = field(default_factory=list)  # dicts: points, cls, name
    xlabels: list = field(default_factory=list)  # (x, text)
    table: list = field(default_factory=list)  # (label, text) rows for screen readers
    legend: list = field(default_factory=list)  # (cls, name)

    @property
    def baseline(self) -> int:
        return self.height - self.bottom


def _grid(chart: Chart, top_value: float, steps: int = 4):
    plot = chart.baseline - chart.top
    for i in range(steps + 1):
        value = top_value * i / steps
        y = chart.baseline - plot * i / steps
        chart.gridlines.append((round(y, 1), _tick_text(value)))


def bar_chart(title: str, points: list[tuple[str, float, str]], unit: str) -> Chart:
    """One bar per (label, value, value as text)."""
    chart = Chart(title=title, width=360, height=190, left=44, bottom=24, top=12, unit=unit)
    top_value = nice_ceiling(max((v for _, v, _ in points), default=0))
    _grid(chart, top_value)
    plot_w = chart.width - chart.left - 8
    plot_h = chart.baseline - chart.top
    slot = plot_w / max(len(points), 1)
    bar_w = slot * 0.6
    for i, (label, value, text) in enumerate(points):
        h = plot_h * (value / top_value) if top_value else 0
        x = chart.left + slot * i + (slot - bar_w) / 2
        chart.bars.append(
            {
                "x": round(x, 1),
                "y": round(chart.baseline - h, 1),
                "w": round(bar_w, 1),
                "h": round(h, 1),
                "label": label,
                "text": text,
                "cls": "bar current" if i == len(points) - 1 else "bar",
            }
        )
        chart.xlabels.append((round(x + bar_w / 2, 1), label))
        chart.table.append((label, text))
    return chart


def line_chart(title: str, series: list[tuple[str, str, list]], unit: str, scale: float) -> Chart:
    """Lines over time: ``series`` is (name, css class, [(datetime, value)]),
    values divided by ``scale`` for the axis (e.g. 10**6 for Mbit/s)."""
    chart = Chart(title=title, width=720, height=220, left=52, bottom=24, top=12, unit=unit)
    stamps = [at for _, _, points in series for at, _ in points]
    if not stamps:
        return chart
    start, end = min(stamps), max(stamps)
    span = max((end - start).total_seconds(), 1)
    peak = max((v for _, _, points in series for _, v in points), default=0) / scale
    top_value = nice_ceiling(peak)
    _grid(chart, top_value)
    plot_w = chart.width - chart.left - 8
    plot_h = chart.baseline - chart.top
    for name, cls, points in series:
        coords = []
        for at, value in points:
            x = chart.left + plot_w * (at - start).total_seconds() / span
            y = chart.baseline - plot_h * (value / scale) / top_value
            coords.append(f"{x:.1f},{y:.1f}")
        chart.lines.append({"points": " ".join(coords), "cls": cls, "name": name})
        chart.legend.append((cls, name))
        values = [v / scale for _, v in points]
        if values:
            chart.table.append(
                (
                    name,
                    _(
                        "högst %(top)s %(unit)s, snitt %(mean)s %(unit)s",
                        top=_tick_text(round(max(values), 1)),
                        mean=_tick_text(round(sum(values) / len(values), 1)),
                        unit=unit,
                    ),
                )
            )
    # a label at the start of each day
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    while day <= end:
        x = chart.left + plot_w * (day - start).total_seconds() / span
        if day >= start and x < chart.width - 24:
            chart.xlabels.append((round(x, 1), f"{day.day}/{day.month}"))
        day += dt.timedelta(days=1)
    return chart


def month_label(day) -> str:
    """A month's short name in the page's language ("maj", "May", "maj.")."""
    lang = locale_code()
    if lang != "sv":
        return format_date(day, "MMM", locale=lang)
    return MONTH_NAMES[day.month - 1]
