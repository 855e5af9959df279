"""The parity arithmetic on its own: shares, band, distance, changes and the small-cell rule."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import IntegrityError

from parity import figures
from parity.figures import Group
from parity.models import StaffingCount


def test_pct_women_nobody_is_none():
    assert figures.pct_women(0, 0) is None
    assert figures.parity_status(None) is None
    assert figures.distance_to_band(None) is None


@pytest.mark.parametrize(
    ("pct", "distance"),
    [(D("30.0"), D("17.0")), (D("47.0"), D("0.0")), (D("50.0"), D("0.0")), (D("74.0"), D("21.0"))],
)
def test_distance_to_band_is_to_the_nearest_edge(pct, distance):
    assert figures.distance_to_band(pct) == distance


def test_change_pp_needs_both_figures():
    assert figures.change_pp(D("55.0"), D("59.0")) == D("-4.0")
    assert figures.change_pp(D("55.0"), None) is None


def test_change_hides_an_earlier_small_level_when_protecting():
    level = figures.make_level(
        key="P-4",
        label="P-4",
        kind="grade",
        tally=figures.Tally(5, 5),
        previous=figures.Tally(1, 2),
        protect=True,
    )

    assert (level.pct_women, level.change_since_previous_pp) == (D("50.0"), None)


def test_cells_to_hide_primary_and_complement():
    sizes = {"total": 30, "a": 3, "b": 12, "c": 15, "empty": 0}

    hidden = figures.cells_to_hide(sizes, [Group("total", ["a", "b", "c", "empty"])])

    assert hidden == {"a", "b"}


def test_cells_to_hide_two_small_cells_protect_each_other():
    sizes = {"total": 20, "a": 3, "b": 4, "c": 13}

    assert figures.cells_to_hide(sizes, [Group("total", ["a", "b", "c"])]) == {"a", "b"}


def test_cells_to_hide_a_lone_small_member_hides_its_total():
    assert figures.cells_to_hide({"total": 7, "a": 7}, [Group("total", ["a"])]) == set()
    assert figures.cells_to_hide({"total": 3, "a": 3}, [Group("total", ["a"])]) == {"total", "a"}


def test_cells_to_hide_a_hidden_total_cannot_be_rebuilt_from_its_members():
    """'prof' is hidden as the complement of 'dir'; were its grades all shown, their sum would
    give it back, and 'dir' with it. So one of its grades is hidden too."""
    sizes = {"staff": 50, "dir": 2, "prof": 20, "gs": 28, "p5": 7, "p4": 13, "d1": 2}
    groups = [
        Group("staff", ["dir", "prof", "gs"]),
        Group("prof", ["p5", "p4"]),
        Group("dir", ["d1"]),
    ]

    assert figures.cells_to_hide(sizes, groups) == {"dir", "d1", "prof", "p5"}


def test_counts_cannot_be_negative_in_the_database(twelve):
    count = StaffingCount.objects.filter(snapshot=twelve).first()
    count.women = -1

    with pytest.raises(IntegrityError):
        count.save(update_fields=["women"])
