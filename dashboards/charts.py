"""Chart geometry for the dashboards' SVG templates (templates/dashboards/): the heatmap of a
team's ratings, the share of teams per level and the trend per PI. Plain numbers and markup built
with format_html; presentation attributes only, no style attribute, no script (CSP-safe). No
database: the selectors hand in what they read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.charts import CAPITALS_EM, Scale, Tick, legend_row, num, percent_ticks, text_baseline
from core.charts import LegendItem as PlacedItem
from scorecard.models import Assessment

from .selectors import LEVELS, NOT_RATED, RATING_COLOURS, PIShare, TeamHistory, level_label


@dataclass(frozen=True)
class LegendItem(PlacedItem):
    carried: bool = False  # the swatch is hatched like a carried cell


def _legend(
    x0: int, y0: int, width: int, items: Sequence[tuple[str, str]], *, carried: str = ""
) -> list[LegendItem]:
    """Legend entries from (x0, y0), wrapped to a new line before they pass `width`."""
    entries = [*items, ("#6c757d", carried)] if carried else list(items)
    # Measured as capitals, as the level labels are (MISSING, APPROACHING).
    row = legend_row(entries, x=x0, y=y0, gap=14, em=CAPITALS_EM, wrap_at=width)
    legend = [LegendItem(**asdict(item)) for item in row]
    if carried:
        legend[-1] = replace(legend[-1], carried=True)
    return legend


def _level_legend() -> list[tuple[str, str]]:
    return [(RATING_COLOURS[level], level_label(level)) for level in LEVELS]


@dataclass(frozen=True)
class HeatCell:
    code: str
    year: int
    rating: str
    carried: str  # "true" or "false", for the data attribute and the template's test
    x: str
    y: str
    text_x: str
    text_y: str
    colour: str
    text: str
    text_colour: str
    tooltip: str
    href: str

    def markup(self, width: int, height: int) -> SafeString:
        """The cell as SVG. Built here rather than in the template: a heatmap has 120 cells of
        13 values each, and the template language took ~10 ms to fill them in."""
        carried = (
            format_html(
                ' fill-opacity="0.35" stroke="{}" stroke-width="1.5" stroke-dasharray="4 2"',
                self.colour,
            )
            if self.carried == "true"
            else ""
        )
        return format_html(
            '<a href="{}" class="text-decoration-none" data-testid="heat-cell" data-pi="{}" '
            'data-year="{}" data-rating="{}" data-carried="{}">'
            '<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"{}><title>{}</title></rect>'
            '<text x="{}" y="{}" text-anchor="middle" font-size="10" font-weight="bold" '
            'fill="{}">{}</text></a>\n',
            self.href,
            self.code,
            self.year,
            self.rating,
            self.carried,
            self.x,
            self.y,
            width,
            height,
            self.colour,
            carried,
            self.tooltip,
            self.text_x,
            self.text_y,
            self.text_colour,
            self.text,
        )


@dataclass(frozen=True)
class HeatHeader:
    year: int
    x: str
    kind_label: str
    comprehensive: bool


@dataclass(frozen=True)
class HeatLabel:
    code: str
    label: str
    y: str
    href: str


@dataclass(frozen=True)
class Heatmap:
    id: str
    title: str
    description: str
    width: int
    height: int
    cell_width: int
    cell_height: int
    label_x: int
    headers: list[HeatHeader]
    labels: list[HeatLabel]
    cells: list[HeatCell]
    legend: list[LegendItem]

    def cells_markup(self) -> SafeString:
        return mark_safe(  # noqa: S308 -- joined from format_html() results only
            "".join(c.markup(self.cell_width, self.cell_height) for c in self.cells)
        )


HEAT_LABEL_WIDTH, HEAT_CELL_W, HEAT_CELL_H, HEAT_TOP = 250, 92, 24, 42


def heatmap(
    history: TeamHistory,
    *,
    chart_id: str,
    title: str,
    href_for: Callable[[int, str], str],
) -> Heatmap:
    """PIs (rows) × years (columns), each cell coloured by its rating; carried cells hatched."""
    x_of = {c.year: HEAT_LABEL_WIDTH + i * HEAT_CELL_W for i, c in enumerate(history.years)}
    cells, labels, spoken = [], [], []
    words = _chart_words()
    carried_from, carried_over = _("carried from %(year)s"), _("carried over")
    for index, pi in enumerate(history.rows):
        top = HEAT_TOP + index * HEAT_CELL_H
        labels.append(
            HeatLabel(
                pi.code,
                f"{pi.code} {pi.title}"[:40],
                num(text_baseline(top, HEAT_CELL_H)),
                href_for(history.years[-1].year, pi.code) if history.years else "",
            )
        )
        said = []
        for year, point in sorted(pi.cells.items()):
            rating = point.rating or NOT_RATED
            label = words[rating]
            if point.carried:
                note = (
                    carried_from % {"year": point.carried_from_year}
                    if point.carried_from_year
                    else carried_over
                )
                tooltip = f"PI {pi.code}, {year}: {label} ({note})"
            else:
                tooltip = f"PI {pi.code}, {year}: {label}"
            said.append(f"{year} {label}{' *' if point.carried else ''}")
            x = x_of[year]
            cells.append(
                HeatCell(
                    code=pi.code,
                    year=year,
                    rating=point.rating,
                    carried="true" if point.carried else "false",
                    x=str(x + 1),
                    y=str(top + 1),
                    text_x=num(x + HEAT_CELL_W / 2),
                    text_y=num(text_baseline(top, HEAT_CELL_H)),
                    colour=RATING_COLOURS[rating],
                    text=label,
                    text_colour="#212529" if point.carried else "#ffffff",
                    tooltip=tooltip,
                    href=href_for(year, pi.code),
                )
            )
        spoken.append(f"PI {pi.code}: " + ", ".join(said))
    height = HEAT_TOP + HEAT_CELL_H * len(history.rows)
    width = HEAT_LABEL_WIDTH + HEAT_CELL_W * max(len(history.years), 2) + 8
    legend = _legend(
        8,
        height + 26,
        width,
        _level_legend(),
        carried=_("carried over from an earlier year, not reassessed"),
    )
    description = _("Ratings per PI and year; * marks a rating carried over, not reassessed. ")
    return Heatmap(
        id=chart_id,
        title=title,
        description=description + "; ".join(spoken),
        width=width,
        height=legend[-1].y + 12,
        cell_width=HEAT_CELL_W - 2,
        cell_height=HEAT_CELL_H - 2,
        label_x=HEAT_LABEL_WIDTH - 10,
        headers=[
            HeatHeader(
                c.year,
                num(x_of[c.year] + HEAT_CELL_W / 2),
                c.kind_label.split()[0],
                c.kind == Assessment.Kind.COMPREHENSIVE,
            )
            for c in history.years
        ],
        labels=labels,
        cells=cells,
        legend=legend,
    )


@dataclass(frozen=True)
class Segment:
    level: str
    label: str
    colour: str
    pos: str  # x of a horizontal bar's segment, y of a column's
    size: str  # its width, or its height
    count: int
    total: int
    pct: str  # exact share, one decimal, for data attributes
    text: str  # shown inside the segment when it is wide enough
    text_x: str
    text_colour: str
    tooltip: str


@dataclass(frozen=True)
class ShareBar:
    code: str
    label: str
    y: str
    text_y: str
    segments: list[Segment]
    total: int

    def segments_markup(self) -> SafeString:
        """The bar's segments as SVG, built here for the same reason as HeatCell.markup."""
        parts = []
        for s in self.segments:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="18" fill="{}" data-testid="share-bar" '
                    'data-pi="{}" data-level="{}" data-count="{}" data-total="{}" data-pct="{}">'
                    "<title>{}</title></rect>",
                    s.pos,
                    self.y,
                    s.size,
                    s.colour,
                    self.code,
                    s.level,
                    s.count,
                    s.total,
                    s.pct,
                    s.tooltip,
                )
            )
            if s.text:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" text-anchor="middle" font-size="10" fill="{}">{}'
                        "</text>",
                        s.text_x,
                        self.text_y,
                        s.text_colour,
                        s.text,
                    )
                )
        return mark_safe("\n".join(parts))  # noqa: S308 -- format_html() results only


@dataclass(frozen=True)
class ShareChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    label_x: int
    plot_x: int
    plot_right: int
    total_x: int
    plot_top: int
    axis_y: int
    tick_y: int
    bars: list[ShareBar]
    ticks: list[Tick]
    legend: list[LegendItem]


def _segments(
    share: PIShare, start: float, length: float, *, horizontal: bool, words: dict[str, str]
) -> list[Segment]:
    """The levels of a 100 % bar: left to right from `start`, or bottom to top up from it.

    `words` holds the translated level labels and tooltip pattern (_chart_words), looked up once
    per chart rather than once per segment.
    """
    segments, offset = [], 0.0
    for level in LEVELS:
        count = share.counts.get(level, 0)
        if not count:
            continue
        size = length * count / share.total
        pct = f"{count * 100 / share.total:.1f}"
        # The trend charts title each level's path rather than each segment.
        tooltip = (
            words["tooltip"]
            % {
                "pi": share.code,
                "year": share.year,
                "level": words[level],
                "count": count,
                "total": share.total,
                "pct": pct,
            }
            if horizontal
            else ""
        )
        segments.append(
            Segment(
                level=level,
                label=words[level],
                colour=RATING_COLOURS[level],
                pos=num(start + offset if horizontal else start - offset - size),
                size=num(size),
                count=count,
                total=share.total,
                pct=pct,
                text=f"{count * 100 / share.total:.0f} %" if horizontal and size >= 34 else "",
                text_x=num(start + offset + size / 2),
                text_colour="#ffffff",
                tooltip=tooltip,
            )
        )
        offset += size
    return segments


def _chart_words() -> dict[str, str]:
    words = {level: level_label(level) for level in LEVELS}
    words["tooltip"] = _("PI %(pi)s, %(year)s · %(level)s: %(count)s of %(total)s (%(pct)s %%)")
    return words


def share_chart(shares: Sequence[PIShare], *, chart_id: str, title: str) -> ShareChart:
    """Per PI, one bar of 100 %, split by the share of counted teams at each level."""
    label_x, plot_x, plot_width, plot_top, row_height, bar_height = 252, 260, 460, 8, 26, 18
    bars, spoken, words = [], [], _chart_words()
    for index, share in enumerate(shares):
        top = plot_top + index * row_height
        bars.append(
            ShareBar(
                code=share.code,
                label=f"{share.code} {share.title}"[:40],
                y=num(top + (row_height - bar_height) / 2),
                text_y=num(text_baseline(top, row_height)),
                segments=_segments(share, plot_x, plot_width, horizontal=True, words=words),
                total=share.total,
            )
        )
        parts = ", ".join(
            f"{words[level]} {share.counts[level]}" for level in LEVELS if share.counts[level]
        )
        spoken.append(f"PI {share.code}: {parts}")
    axis_y = plot_top + row_height * max(len(shares), 1)
    legend = _legend(plot_x, axis_y + 38, plot_x + plot_width + 70, _level_legend())
    return ShareChart(
        id=chart_id,
        title=title,
        description=_("Number of country teams at each level, per PI. ") + "; ".join(spoken),
        width=plot_x + plot_width + 70,
        height=legend[-1].y + 10,
        label_x=label_x,
        plot_x=plot_x,
        plot_right=plot_x + plot_width,
        total_x=plot_x + plot_width + 8,
        plot_top=plot_top,
        axis_y=axis_y,
        tick_y=axis_y + 14,
        bars=bars,
        ticks=[Tick(num(x), label) for label, x in percent_ticks(Scale(plot_x, plot_width))],
        legend=legend,
    )


@dataclass(frozen=True)
class YearTick:
    year: int
    label: str
    x: str


@dataclass(frozen=True)
class Layer:
    """One level across the years of a trend chart: one SVG path of a rectangle per year."""

    level: str
    colour: str
    d: str
    tooltip: str


@dataclass(frozen=True)
class TrendChart:
    id: str
    code: str
    title: str
    description: str
    width: int
    height: int
    plot_x: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    mid_y: str
    label_y: int
    years: list[YearTick]
    layers: list[Layer]


def trend_charts(shares_by_year: dict[int, list[PIShare]], *, prefix: str) -> list[TrendChart]:
    """One small chart per PI: a column of 100 % per year, split by level (oldest year left).

    Each level is drawn as one path of rectangles (one per year) rather than a rectangle per
    segment: fifteen charts of eight years would otherwise be some 500 template iterations.
    """
    years = sorted(shares_by_year)
    per_pi: dict[str, dict[int, PIShare]] = {}
    titles: dict[str, str] = {}
    for year in years:
        for share in shares_by_year[year]:
            per_pi.setdefault(share.code, {})[year] = share
            titles[share.code] = share.title
    width, plot_x, plot_top, plot_bottom = 300, 34, 6, 106
    plot_right = width - 6
    slot = (plot_right - plot_x) / max(len(years), 1)
    column_width = min(slot * 0.7, 28)
    x_of = {year: plot_x + slot * i + (slot - column_width) / 2 for i, year in enumerate(years)}
    ticks = [
        YearTick(
            year, str(year) if len(years) <= 8 else f"’{year % 100:02d}", num(x + column_width / 2)
        )
        for year, x in x_of.items()
    ]
    charts, words = [], _chart_words()
    w = num(column_width)
    for code, by_year in per_pi.items():
        paths: dict[str, list[str]] = {level: [] for level in LEVELS}
        counts: dict[str, list[str]] = {level: [] for level in LEVELS}
        spoken = []
        for year in years:
            share = by_year.get(year)
            if share is None:
                continue
            # Stacked up from the axis: the first level (missing) lowest.
            segments = _segments(
                share, plot_bottom, plot_bottom - plot_top, horizontal=False, words=words
            )
            for s in segments:
                paths[s.level].append(f"M{num(x_of[year])} {s.pos}h{w}v{s.size}h-{w}z")
                counts[s.level].append(f"{year} {s.count}/{s.total}")
            spoken.append(
                f"{year}: " + ", ".join(f"{s.label} {s.count}/{s.total}" for s in segments)
            )
        layers = [
            Layer(
                level,
                RATING_COLOURS[level],
                "".join(paths[level]),
                f"PI {code} · {words[level]}: " + ", ".join(counts[level]),
            )
            for level in LEVELS
            if paths[level]
        ]
        charts.append(
            TrendChart(
                id=f"{prefix}-{code.replace('.', '-')}",
                code=code,
                title=f"{code} {titles[code]}",
                description="; ".join(spoken),
                width=width,
                height=plot_bottom + 18,
                plot_x=plot_x,
                plot_right=plot_right,
                plot_top=plot_top,
                plot_bottom=plot_bottom,
                mid_y=num((plot_top + plot_bottom) / 2),
                label_y=plot_bottom + 13,
                years=ticks,
                layers=layers,
            )
        )
    return charts
