"""Chart geometry for the parity pictures, no database and no JavaScript.

Templates (templates/parity/_bar_chart.html, _trend_chart.html) draw plain SVG from these numbers:
presentation attributes only, no CSS variables, no web fonts, so the same markup renders in the
browser and in WeasyPrint's PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from core.charts import (
    TEXT_EM,
    LegendItem,
    Scale,
    Tick,
    legend_row,
    num,
    percent_ticks,
    text_baseline,
    text_width,
)
from core.formats import percent

from .figures import (
    BAND_HIGH,
    BAND_LOW,
    MEN_UNDER,
    PARITY,
    STATUS_LABELS,
    WOMEN_UNDER,
    Level,
)

if TYPE_CHECKING:
    from .selectors import ParityStatus

STATUS_COLOURS = {PARITY: "#1e7b45", WOMEN_UNDER: "#c0561b", MEN_UNDER: "#5b3f95"}
NO_STATUS_COLOUR = "#8a8f94"
BAND_FILL = "#d4efdf"
# The pictures are drawn 540 units wide and never shown narrower than that (the page scrolls them
# sideways on a phone, see the templates), so a 12-unit text is at least 12 px on screen: at 680
# units in a half-width column the labels were 9 px. Texts: 13 units, ticks and legends 12.
WIDTH = 540
FONT = 13
SMALL_FONT = 12
# The widest label a level can have left of the plot, in characters at FONT.
LABEL_CHARS = 21
BAND_INTS = {"low": int(BAND_LOW), "high": int(BAND_HIGH)}


def _pct_text(value: Decimal | None) -> str:
    return percent(value)


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    y: str  # top of the row's bar
    text_y: str  # baseline of the row's texts
    width: str
    value: str  # "55.0 %", or a note when there is no bar
    value_x: str
    pct: str
    colour: str
    status: str
    has_bar: bool
    bold: bool


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    plot_x: int
    plot_width: int
    plot_top: int
    plot_height: int
    band_x: str
    band_width: str
    mid_x: str
    axis_y: int
    bars: list[Bar]
    ticks: list[Tick]
    band_label: str
    band_label_x: str
    band_label_y: int
    label_x: int  # right edge of the level labels
    plot_right: int
    axis_label_y: int
    legend: list[LegendItem]
    legend_y: int

    @property
    def min_width(self) -> int:
        return self.width


def bar_chart(levels: Sequence[Level], *, chart_id: str, title: str) -> BarChart:
    """Horizontal bars of % women, one per level, over the shaded 47-53 % band and a 50 % line."""
    plot_x, plot_width = 170, 300  # level labels left of the plot, values in a column right of it
    plot_top, row_height, bar_height = 26, 24, 14
    plot_height = row_height * max(len(levels), 1)
    x_of = Scale(plot_x, plot_width)

    bars, spoken = [], []
    for index, level in enumerate(levels):
        top = plot_top + index * row_height
        # Staff grades by their code (P-3, NO-B); the rest by name ("Service contract").
        label = level.key if level.kind == "grade" and not level.is_non_staff else str(level.label)
        if level.suppressed:
            value, spoken_value = str(level.hidden_note), _("not shown")
        elif level.pct_women is None:
            value, spoken_value = _("no women or men counted"), _("no data")
        else:
            value = spoken_value = _pct_text(level.pct_women)
        has_bar = level.pct_women is not None
        # 0 % still gets a sliver, so the level's colour (its status) shows.
        width = max(x_of(float(level.pct_women)) - plot_x, 2.0) if has_bar else 0.0
        bars.append(
            Bar(
                key=level.key,
                label=label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…",
                y=num(top + (row_height - bar_height) / 2),
                text_y=num(text_baseline(top, row_height)),
                width=num(width),
                value=value,
                value_x=num(plot_x + plot_width + 12 if has_bar else plot_x + 6),
                pct="" if level.pct_women is None else str(level.pct_women),
                colour=STATUS_COLOURS.get(level.status or "", NO_STATUS_COLOUR),
                status=level.status or "",
                has_bar=has_bar,
                bold=level.kind != "grade",
            )
        )
        spoken.append(f"{label}: {spoken_value}")
    axis_y = plot_top + plot_height
    statuses = [
        (STATUS_COLOURS[s], str(STATUS_LABELS[s])) for s in (PARITY, WOMEN_UNDER, MEN_UNDER)
    ]
    description = _(
        "Share of women by level, against the parity band of %(low)s to %(high)s %% women. "
    ) % BAND_INTS + "; ".join(spoken)
    # The statuses' legend wraps within the picture: in Russian or Arabic it is longer than a line.
    legend = legend_row(
        statuses, x=8, y=axis_y + 52, gap=20, wrap_at=WIDTH - 8, em=TEXT_EM * SMALL_FONT / 11
    )
    return BarChart(
        id=chart_id,
        title=title,
        description=description,
        width=WIDTH,
        height=legend[-1].y + 10,
        plot_x=plot_x,
        plot_width=plot_width,
        plot_top=plot_top,
        plot_height=plot_height,
        band_x=num(x_of(float(BAND_LOW))),
        band_width=num(x_of(float(BAND_HIGH)) - x_of(float(BAND_LOW))),
        mid_x=num(x_of(50)),
        axis_y=axis_y,
        bars=bars,
        ticks=[Tick(x=num(x), y=str(axis_y + 16), label=label) for label, x in percent_ticks(x_of)],
        band_label=_("parity band %(low)s–%(high)s %%") % BAND_INTS,
        band_label_x=num(x_of(50)),
        band_label_y=plot_top - 8,
        label_x=plot_x - 8,
        plot_right=plot_x + plot_width,
        axis_label_y=axis_y + 30,
        legend=legend,
        legend_y=axis_y + 52,
    )


@dataclass(frozen=True)
class Point:
    x: str
    y: str
    label: str
    label_y: str
    year: int


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    dash: str
    points: list[Point]
    polyline: str
    legend_x1: int
    legend_x2: int
    legend_text_x: int


@dataclass(frozen=True)
class TrendChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    plot_x: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    plot_width: int
    band_y: str
    band_height: str
    mid_y: str
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    series: list[Series]
    legend_y: int
    legend_line_y: int
    note: str
    note_y: int


def trend_chart(
    years: Sequence[int],
    lines: Sequence[tuple[str, str, Sequence[Decimal | None]]],
    *,
    chart_id: str,
    title: str,
    current_year: int | None = None,
) -> TrendChart:
    """% women over the years, one line per (label, colour, values by year), over the band."""
    plot_x, plot_right, plot_top, plot_bottom = 56, WIDTH - 24, 16, 196
    y_of = Scale(plot_bottom, plot_top - plot_bottom)
    # The years 24 px inside the plot's edges, so the first and last labels fit; one year centred.
    spread = Scale(plot_x + 24, plot_right - plot_x - 48, max(len(years) - 1, 1))

    def x_of(index: int) -> float:
        return (plot_x + plot_right) / 2 if len(years) == 1 else spread(index)

    # Many years: a year (and the values above it) labelled every `step` years, so that no two
    # labels meet; every point keeps its value in its tooltip and in the description.
    gap = spread.length / max(len(years) - 1, 1)
    widest = text_width("100.0 %", SMALL_FONT) + 8
    step = max(1, -(-widest // int(gap))) if len(years) > 1 else 1

    def labelled(index: int) -> bool:
        return (len(years) - 1 - index) % step == 0  # counted back from the latest year

    # Where two lines meet in a year, the higher value's label goes above its point and the
    # others' below theirs: with one year, or close values, they no longer print over each other.
    highest = [
        max(
            (n for n, line in enumerate(lines) if line[2][i] is not None),
            key=lambda n: lines[n][2][i],
            default=0,
        )
        for i in range(len(years))
    ]

    series, spoken = [], []
    dashes = ["", "6 4", "2 3"]
    for number, (label, colour, values) in enumerate(lines):
        points = [
            Point(
                x=num(x_of(i)),
                y=num(y_of(float(v))),
                label=percent(v) if labelled(i) else "",
                label_y=num(y_of(float(v)) - 9 if number == highest[i] else y_of(float(v)) + 19),
                year=years[i],
            )
            for i, v in enumerate(values)
            if v is not None
        ]
        series.append(
            Series(
                label=label,
                colour=colour,
                dash=dashes[number % len(dashes)],
                points=points,
                polyline=" ".join(f"{p.x},{p.y}" for p in points),
                legend_x1=plot_x + number * 220,
                legend_x2=plot_x + number * 220 + 24,
                legend_text_x=plot_x + number * 220 + 30,
            )
        )
        spoken.append(f"{label}: " + ", ".join(f"{p.year} {p.label}" for p in points))
    description = _("Share of women over the years, against the parity band. ") + "; ".join(spoken)
    return TrendChart(
        id=chart_id,
        title=title,
        description=description,
        width=WIDTH,
        height=plot_bottom + 56,
        plot_x=plot_x,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        plot_width=plot_right - plot_x,
        band_y=num(y_of(float(BAND_HIGH))),
        band_height=num(y_of(float(BAND_LOW)) - y_of(float(BAND_HIGH))),
        mid_y=num(y_of(50)),
        y_ticks=[
            Tick(x=str(plot_x - 6), y=num(text_baseline(y)), label=label)
            for label, y in percent_ticks(y_of)
        ],
        x_ticks=[
            Tick(
                x=num(x_of(i)), y=str(plot_bottom + 18), label=str(year), bold=year == current_year
            )
            for i, year in enumerate(years)
            if labelled(i)
        ],
        series=series,
        legend_y=plot_bottom + 42,
        legend_line_y=plot_bottom + 38,
        note_y=plot_top + 12,
        note=_("The trend appears once there are two years of figures.") if len(years) < 2 else "",
    )


def status_charts(status: ParityStatus, *, prefix: str = "parity") -> dict[str, Any]:
    """The three pictures of a team's status: by category, by grade, and the trend."""
    overall = [status.overall_staff] + ([status.overall_all] if status.has_non_staff else [])
    years = [point.year for point in status.trend]
    lines = [(_("All staff"), "#0b4f8a", [point.staff for point in status.trend])]
    if any(point.has_non_staff for point in status.trend):
        lines.append((_("Staff and non-staff"), "#c0561b", [point.all for point in status.trend]))
    return {
        "categories": bar_chart(
            status.category_levels + overall,
            chart_id=f"{prefix}-categories",
            title=_("Share of women by category, %(year)s") % {"year": status.year},
        ),
        "grades": bar_chart(
            status.grades,
            chart_id=f"{prefix}-grades",
            title=_("Share of women by grade, %(year)s") % {"year": status.year},
        ),
        "trend": trend_chart(
            years,
            lines,
            chart_id=f"{prefix}-trend",
            title=_("Share of women over the years"),
            current_year=status.year,
        ),
    }
