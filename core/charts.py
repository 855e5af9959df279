"""SVG chart geometry shared by the parity, commitments, dashboard and report pictures.

Numbers only, no database and no markup: each app turns its figures into what its templates draw
with these scales, ticks, text estimates and legend rows, so one rule places a tick or wraps a
legend everywhere. What a level is called, and its colour, stay in the app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

PERCENT_TICKS = (0, 25, 50, 75, 100)
# Count axes label every whole number up to this many, every second one above, so labels keep apart.
COUNT_TICKS_EVERY_ONE = 8
# A character's average advance in Helvetica or Arial, in ems: ordinary text about 6.2 px at
# 11 px, capitals (MISSING, APPROACHING) about 7 px. No fonts are read on the server.
TEXT_EM = 6.2 / 11
CAPITALS_EM = 7 / 11
LEGEND_FONT_SIZE = 11
LEGEND_SWATCH = 16  # an 11 or 12 px swatch and the space before its label
LEGEND_LINE = 18


def num(value: float) -> str:
    """A coordinate for an SVG attribute: one decimal, finer than a screen or a print shows."""
    return f"{value:.1f}"


@dataclass(frozen=True)
class Scale:
    """Values from 0 to `high` onto positions from `start` to `start + length`.

    A negative length runs up the page, as a value axis does: SVG's y grows downwards.
    """

    start: float
    length: float
    high: float = 100  # a percentage unless told otherwise

    def __call__(self, value: float) -> float:
        # Times (length / high), as the commitments bars always were: divided last instead, some
        # widths round to another tenth of a pixel (9 of a largest 640: 7.7 instead of 7.6).
        return self.start + value * (self.length / self.high)


def percent_ticks(scale: Callable[[float], float]) -> list[tuple[str, float]]:
    """(label, position) of 0, 25, 50, 75 and 100 % along a percentage axis."""
    return [(f"{tick} %", scale(tick)) for tick in PERCENT_TICKS]


def count_ticks(top: int) -> list[int]:
    """The whole numbers to mark on an axis of counts from 0 to `top`."""
    return list(range(0, top + 1, 1 if top <= COUNT_TICKS_EVERY_ONE else 2))


def text_baseline(top: float, height: float = 0) -> float:
    """The baseline that centres a line of 10 to 12 px text in a band (or on a line, height 0):
    4 px below the middle, about a third of the text's height."""
    return top + height / 2 + 4


def text_width(text: str, font_size: float = LEGEND_FONT_SIZE, em: float = TEXT_EM) -> int:
    """The width a label will take, estimated from its length: the server knows no font metrics."""
    return round(len(text) * font_size * em)


@dataclass(frozen=True)
class LegendItem:
    x: int  # left of the swatch
    text_x: int
    y: int  # baseline of the entry's line
    colour: str
    label: str

    @property
    def box_y(self) -> int:
        """Top of the swatch, level with the 11 px label."""
        return self.y - 10


def legend_row(
    entries: Sequence[tuple[str, str]],
    *,
    x: int,
    y: int,
    gap: int,
    em: float = TEXT_EM,
    wrap_at: int | None = None,
) -> list[LegendItem]:
    """(colour, label) entries in a row from (x, y), `gap` px apart. With `wrap_at`, an entry that
    would pass it starts a new line, unless it is the first of its line (it would pass anyway)."""
    items: list[LegendItem] = []
    left = x
    for colour, label in entries:
        room = LEGEND_SWATCH + text_width(label, em=em) + gap
        if wrap_at is not None and left > x and left + room > wrap_at:
            left, y = x, y + LEGEND_LINE
        items.append(LegendItem(left, left + LEGEND_SWATCH, y, colour, label))
        left += room
    return items


@dataclass(frozen=True)
class Tick:
    x: str
    label: str
    y: str = ""  # empty where the chart gives every tick the same y
    bold: bool = False
