"""Horizontal bar charts as plain geometry, drawn as SVG by templates/commitments/_bar_chart.html.

Server-side and dependency-free: no JavaScript, readable without styles, printable. Each row has
its label above the bar, so long coalition names need no truncation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.charts import Scale

WIDTH = 600
VALUE_SPACE = 56  # room right of the longest bar for its number
ROW_HEIGHT = 42
LABEL_BASELINE = 14
BAR_TOP = 20
BAR_HEIGHT = 14


@dataclass(frozen=True)
class ChartRow:
    label: str
    value: int
    href: str
    label_y: int
    bar_y: int
    bar_width: float
    value_x: float
    value_y: int


@dataclass(frozen=True)
class BarChart:
    title: str
    rows: list[ChartRow]
    width: int
    height: int
    bar_height: int

    @property
    def total(self) -> int:
        return sum(row.value for row in self.rows)


def bar_chart(title: str, items: Sequence[tuple[str, int, str]]) -> BarChart:
    """items: (label, value, link) in display order."""
    largest = max((value for _label, value, _href in items), default=0) or 1
    scale = Scale(0, WIDTH - VALUE_SPACE, largest)
    rows = []
    for index, (label, value, href) in enumerate(items):
        top = index * ROW_HEIGHT
        width = round(scale(value), 1)
        rows.append(
            ChartRow(
                label=label,
                value=value,
                href=href,
                label_y=top + LABEL_BASELINE,
                bar_y=top + BAR_TOP,
                bar_width=max(width, 2.0) if value else 0.0,
                value_x=width + 6,
                value_y=top + BAR_TOP + BAR_HEIGHT - 2,
            )
        )
    return BarChart(
        title=title,
        rows=rows,
        width=WIDTH,
        height=max(len(rows), 1) * ROW_HEIGHT,
        bar_height=BAR_HEIGHT,
    )
