"""Parity arithmetic, no database: shares of women, the 47-53 % band, distances, changes and the
small-cell rule. Selectors feed it sums; pages, exports and the CLI show what it returns.

Conventions (docs/parity.md):
- % women = women / (women + men), rounded to one decimal place, half up. People who did not
  disclose their sex are counted in the totals but not in the share.
- The status and the distance are read from the rounded share, so a level shown as 47.0 % is at
  parity and one shown as 46.9 % is not.
- Distance is in percentage points to the nearest edge of the band (0 inside it).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

BAND_LOW = Decimal("47.0")
BAND_HIGH = Decimal("53.0")
SMALL_CELL = 5  # levels with fewer people than this are not shown outside the team
ONE_PLACE = Decimal("0.1")

PARITY = "parity"
WOMEN_UNDER = "women_under"
MEN_UNDER = "men_under"
STATUS_LABELS = {
    PARITY: _("Parity"),
    WOMEN_UNDER: _("Women under-represented"),
    MEN_UNDER: _("Men under-represented"),
}

GRADE = "grade"
CATEGORY = "category"
OVERALL = "overall"


@dataclass(frozen=True)
class Tally:
    women: int = 0
    men: int = 0
    not_disclosed: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.women + other.women,
            self.men + other.men,
            self.not_disclosed + other.not_disclosed,
        )

    @property
    def total(self) -> int:
        return self.women + self.men + self.not_disclosed


def add_up(tallies: Iterable[Tally]) -> Tally:
    return sum(tallies, Tally())


def pct_women(women: int, men: int) -> Decimal | None:
    """Share of women among women and men, one decimal place, half up; None with nobody."""
    if women + men == 0:
        return None
    return (Decimal(women) * 100 / Decimal(women + men)).quantize(ONE_PLACE, ROUND_HALF_UP)


def parity_status(pct: Decimal | None) -> str | None:
    if pct is None:
        return None
    if pct < BAND_LOW:
        return WOMEN_UNDER
    if pct > BAND_HIGH:
        return MEN_UNDER
    return PARITY


def distance_to_band(pct: Decimal | None) -> Decimal | None:
    """Percentage points to the nearest band edge; 0.0 inside the band."""
    if pct is None:
        return None
    if pct < BAND_LOW:
        return (BAND_LOW - pct).quantize(ONE_PLACE)
    if pct > BAND_HIGH:
        return (pct - BAND_HIGH).quantize(ONE_PLACE)
    return Decimal("0.0")


def change_pp(current: Decimal | None, earlier: Decimal | None) -> Decimal | None:
    if current is None or earlier is None:
        return None
    return (current - earlier).quantize(ONE_PLACE)


@dataclass(frozen=True)
class Level:
    """One row of a parity table: a grade, a category or an overall figure.

    When `suppressed`, every figure is None: the level is too small to be shown outside the team.
    """

    key: str
    label: Any
    kind: str
    women: int | None
    men: int | None
    not_disclosed: int | None
    total: int | None
    pct_women: Decimal | None
    status: str | None
    distance_pp: Decimal | None
    change_since_previous_pp: Decimal | None
    change_since_first_pp: Decimal | None
    suppressed: bool = False
    is_non_staff: bool = False
    # Hidden not for its own size but because it would give a small level away by subtraction.
    complement: bool = False

    @property
    def hidden_note(self) -> Any:
        if not self.suppressed:
            return ""
        if self.complement:
            return _("not shown: it would reveal a level of fewer than 5 people")
        return _("fewer than 5 people: not shown")

    @property
    def pct_men(self) -> Decimal | None:
        return None if self.pct_women is None else Decimal(100) - self.pct_women

    @property
    def status_label(self) -> Any:
        return STATUS_LABELS.get(self.status or "", "")

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON: decimals as strings ("55.0"), so nothing is lost to floats."""

        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "key": self.key,
            "label": str(self.label),
            "kind": self.kind,
            "women": self.women,
            "men": self.men,
            "not_disclosed": self.not_disclosed,
            "total": self.total,
            "pct_women": text(self.pct_women),
            "status": self.status,
            "distance_pp": text(self.distance_pp),
            "change_since_previous_pp": text(self.change_since_previous_pp),
            "change_since_first_pp": text(self.change_since_first_pp),
            "suppressed": self.suppressed,
            "is_non_staff": self.is_non_staff,
        }


def _earlier_pct(tally: Tally | None, *, protect: bool) -> Decimal | None:
    # A change reveals the earlier share; when protecting, an earlier small level stays hidden.
    if tally is None or (protect and tally.total < SMALL_CELL):
        return None
    return pct_women(tally.women, tally.men)


def make_level(
    *,
    key: str,
    label: Any,
    kind: str,
    tally: Tally,
    previous: Tally | None = None,
    first: Tally | None = None,
    suppressed: bool = False,
    protect: bool = False,
    is_non_staff: bool = False,
) -> Level:
    if suppressed:
        return Level(
            key=key,
            label=label,
            kind=kind,
            women=None,
            men=None,
            not_disclosed=None,
            total=None,
            pct_women=None,
            status=None,
            distance_pp=None,
            change_since_previous_pp=None,
            change_since_first_pp=None,
            suppressed=True,
            is_non_staff=is_non_staff,
            complement=tally.total >= SMALL_CELL,
        )
    pct = pct_women(tally.women, tally.men)
    return Level(
        key=key,
        label=label,
        kind=kind,
        women=tally.women,
        men=tally.men,
        not_disclosed=tally.not_disclosed,
        total=tally.total,
        pct_women=pct,
        status=parity_status(pct),
        distance_pp=distance_to_band(pct),
        change_since_previous_pp=change_pp(pct, _earlier_pct(previous, protect=protect)),
        change_since_first_pp=change_pp(pct, _earlier_pct(first, protect=protect)),
        is_non_staff=is_non_staff,
    )


@dataclass(frozen=True)
class Group:
    """Cells whose sum is published as `total`: hiding one member alone would not protect it."""

    total: Hashable
    members: Sequence[Hashable]


def cells_to_hide(sizes: Mapping[Hashable, int], groups: Iterable[Group]) -> set[Hashable]:
    """The small-cell rule: which cells to show without counts.

    Every cell with 1 to 4 people is hidden. Then, so that no hidden cell can be worked out by
    adding or subtracting the cells that are shown:
    - where a shown total has exactly one hidden member, the smallest other member is hidden too
      (or the total minus the rest would give it back);
    - where a hidden total has all its members shown, the smallest member is hidden too (or their
      sum would give the total back).
    Repeated until nothing changes, since hiding a cell may expose another group. A cell of 0
    people has nothing to hide. This is the usual rule for tables of totals and sub-totals (grades
    within categories within the overall figure; teams within regions).
    """
    groups = list(groups)
    hidden = {key for key, size in sizes.items() if 0 < size < SMALL_CELL}

    def smallest(keys: list[Hashable]) -> Hashable:
        return min(keys, key=lambda key: (sizes[key], str(key)))

    changed = True
    while changed:
        changed = False
        for group in groups:
            members = [key for key in group.members if sizes.get(key, 0) > 0]
            hidden_here = [key for key in members if key in hidden]
            visible = [key for key in members if key not in hidden]
            if group.total in hidden:
                if members and not hidden_here:
                    hidden.add(smallest(visible))
                    changed = True
            elif len(hidden_here) == 1:
                # the lone hidden member is the whole total when nothing else is left to hide
                hidden.add(smallest(visible) if visible else group.total)
                changed = True
    return hidden
