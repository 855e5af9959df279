"""The parity arithmetic a team does by hand, reproduced from an imported table.

The twelve-entity table is in tests/parity/conftest.py (TWELVE_ENTITIES). Summed by hand:

    grade  women men  total  % women (W / (W+M), one decimal, half up)
    D-1      0    1     1     0.0
    P-5      1    2     3    33.3      (UNICEF 1/1, WHO 0/1)
    P-4      4    3     7    57.1      (UNDP 2/2, UN Women 1/0, OHCHR 1/1)
    P-3      1    2     3    33.3      (UNFPA 1/0, UNHCR 0/2)
    NO-C     6    3     9    66.7      (UNICEF 4/1, WHO 2/2)
    NO-B    10    5    15    66.7      (UNDP 6/4, UN Women 3/0, UNESCO 1/1)
    NO-A     6    5    11    54.5      (UNFPA 3/2, IOM 2/2, FAO 1/1)
    G-6      7    0     7   100.0      (UNICEF 5/0, ILO 2/0)
    G-5     13    6    19    68.4      (UNDP 8/2, UN Women 2/1, IOM 3/3)
    G-4      4    6    10    40.0      (UNFPA 2/2, UNODC 2/4)
    G-3      0    4     4     0.0      (UNHCR 0/4)
    SC      19   16    35    54.3      (UNDP 10/10, UN Women 4/1, IOM 5/5)
    UNV      1    2     3    33.3      (ILO 1/2)

    category            women men total % women  status       distance to 47-53
    directors             0    1    1     0.0    women_under  47.0
    professional          6    7   13    46.2    women_under   0.8   (6/13 = 46.15)
    national_officers    22   13   35    62.9    men_under     9.9   (22/35 = 62.86)
    general_service      24   16   40    60.0    men_under     7.0
    non_staff            20   18   38    52.6    parity        0.0   (20/38 = 52.63)
    all staff            52   37   89    58.4    men_under     5.4   (52/89 = 58.43)
    staff + non-staff    72   55  127    56.7    men_under     3.7   (72/127 = 56.69)
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from parity import selectors
from tests.parity.conftest import import_rows


def figures(level):
    return (level.women, level.men, level.total, level.pct_women, level.status, level.distance_pp)


def test_status_twelve_entities_reproduces_the_hand_computed_categories(twelve):
    status = selectors.parity_status(twelve)

    assert status.entities == 12
    by_key = {block.summary.key: figures(block.summary) for block in status.categories}
    assert by_key == {
        "directors": (0, 1, 1, D("0.0"), "women_under", D("47.0")),
        "professional": (6, 7, 13, D("46.2"), "women_under", D("0.8")),
        "national_officers": (22, 13, 35, D("62.9"), "men_under", D("9.9")),
        "general_service": (24, 16, 40, D("60.0"), "men_under", D("7.0")),
        "non_staff": (20, 18, 38, D("52.6"), "parity", D("0.0")),
    }
    assert figures(status.overall_staff) == (52, 37, 89, D("58.4"), "men_under", D("5.4"))
    assert figures(status.overall_all) == (72, 55, 127, D("56.7"), "men_under", D("3.7"))


def test_status_twelve_entities_reproduces_the_hand_computed_grades(twelve):
    status = selectors.parity_status(twelve)

    assert [(g.key, g.women, g.men, g.pct_women) for g in status.grades] == [
        ("D-1", 0, 1, D("0.0")),
        ("P-5", 1, 2, D("33.3")),
        ("P-4", 4, 3, D("57.1")),
        ("P-3", 1, 2, D("33.3")),
        ("NO-C", 6, 3, D("66.7")),
        ("NO-B", 10, 5, D("66.7")),
        ("NO-A", 6, 5, D("54.5")),
        ("G-6", 7, 0, D("100.0")),
        ("G-5", 13, 6, D("68.4")),
        ("G-4", 4, 6, D("40.0")),
        ("G-3", 0, 4, D("0.0")),
        ("SC", 19, 16, D("54.3")),
        ("UNV", 1, 2, D("33.3")),
    ]


def test_status_headline_with_and_without_non_staff(twelve):
    with_non_staff = selectors.parity_status(twelve)
    staff_only = selectors.parity_status(twelve, include_non_staff=False)

    assert with_non_staff.headline.key == "overall_all"
    assert with_non_staff.headline.pct_women == D("56.7")
    assert staff_only.headline.key == "overall_staff"
    assert staff_only.headline.pct_women == D("58.4")
    # Both overall figures are there either way; only the headline changes.
    assert staff_only.overall_all.pct_women == D("56.7")


def test_status_snapshot_choice_sets_the_headline(team, entities):
    snapshot = import_rows(
        team, 2022, [["UNDP", "P-4", 3, 7], ["UNDP", "SC", 9, 1]], include_non_staff=False
    )

    status = selectors.parity_status(snapshot)

    assert status.headline.key == "overall_staff"
    assert status.headline.pct_women == D("30.0")
    assert status.overall_all.pct_women == D("60.0")


@pytest.mark.parametrize(
    ("women", "men", "pct", "status", "distance"),
    [
        (47, 53, D("47.0"), "parity", D("0.0")),
        (469, 531, D("46.9"), "women_under", D("0.1")),
        (53, 47, D("53.0"), "parity", D("0.0")),
        (531, 469, D("53.1"), "men_under", D("0.1")),
        (939, 1061, D("47.0"), "parity", D("0.0")),  # 46.95 rounds half up to 47.0
        (1061, 939, D("53.1"), "men_under", D("0.1")),  # 53.05 rounds half up to 53.1
        (1, 15, D("6.3"), "women_under", D("40.7")),  # 6.25 → 6.3 (half up, not half even)
    ],
)
def test_status_band_edges_and_rounding(team, entities, women, men, pct, status, distance):
    snapshot = import_rows(team, 2022, [["UNDP", "G-5", women, men]])

    level = selectors.parity_status(snapshot).categories[0].grades[0]

    assert (level.pct_women, level.status, level.distance_pp) == (pct, status, distance)


def test_status_not_disclosed_counts_in_totals_not_in_the_share(team, entities):
    rows = [["UNDP", "G-5", 6, 4, 5]]
    snapshot = import_rows(team, 2022, rows)

    level = selectors.parity_status(snapshot).overall_staff

    assert (level.women, level.men, level.not_disclosed, level.total) == (6, 4, 5, 15)
    assert level.pct_women == D("60.0")


def test_status_changes_since_previous_and_first_snapshot(team, entities):
    import_rows(team, 2020, [["UNDP", "G-5", 10, 10], ["UNDP", "P-4", 2, 8]])  # 50.0 / 20.0
    import_rows(team, 2021, [["UNDP", "G-5", 12, 8], ["UNDP", "P-4", 3, 7]])  # 60.0 / 30.0
    snapshot = import_rows(team, 2022, [["UNDP", "G-5", 13, 7], ["UNICEF", "P-4", 5, 5]])

    status = selectors.parity_status(snapshot)

    assert (status.previous_year, status.first_year) == (2021, 2020)
    changes = {
        level.key: (level.pct_women, level.change_since_previous_pp, level.change_since_first_pp)
        for level in [*status.grades, *status.category_levels, status.overall_staff]
    }
    assert changes == {
        "P-4": (D("50.0"), D("20.0"), D("30.0")),
        "G-5": (D("65.0"), D("5.0"), D("15.0")),
        "professional": (D("50.0"), D("20.0"), D("30.0")),
        "general_service": (D("65.0"), D("5.0"), D("15.0")),
        "overall_staff": (D("60.0"), D("10.0"), D("20.0")),  # 12/30, 15/30, 18/30
    }
    assert [(p.year, p.staff) for p in status.trend] == [
        (2020, D("40.0")),
        (2021, D("50.0")),
        (2022, D("60.0")),
    ]


def test_status_first_snapshot_has_no_changes(twelve):
    status = selectors.parity_status(twelve)

    assert (status.previous_year, status.first_year) == (None, None)
    assert status.overall_all.change_since_previous_pp is None
    assert status.overall_all.change_since_first_pp is None


def test_status_an_earlier_year_is_not_compared_with_a_later_one(team, entities):
    earlier = import_rows(team, 2021, [["UNDP", "G-5", 12, 8]])
    import_rows(team, 2022, [["UNDP", "G-5", 13, 7]])

    status = selectors.parity_status(earlier)

    assert status.previous_year is None
    assert status.overall_staff.change_since_previous_pp is None
    assert [p.year for p in status.trend] == [2021, 2022]


def test_status_small_cells_hidden_when_protected(team, entities):
    rows = [
        ["UNDP", "G-6", 2, 1],  # 3 people: hidden
        ["UNDP", "G-5", 10, 6],
        ["UNICEF", "G-4", 5, 4],
        ["UNICEF", "NO-B", 8, 8],
    ]
    snapshot = import_rows(team, 2022, rows)

    open_status = selectors.parity_status(snapshot)
    protected = selectors.parity_status(snapshot, protect_small_cells=True)

    g6 = protected.categories[1].grades[0]
    assert (g6.key, g6.suppressed, g6.women, g6.men, g6.pct_women, g6.status) == (
        "G-6",
        True,
        None,
        None,
        None,
        None,
    )
    # Hiding G-6 alone would not do: the category total minus G-5 and G-4 gives it back. The
    # smallest other grade of the category (G-4, 9 people) is hidden with it.
    assert [(g.key, g.suppressed) for g in protected.categories[1].grades] == [
        ("G-6", True),
        ("G-5", False),
        ("G-4", True),
    ]
    gs = protected.categories[1].summary
    assert (gs.key, gs.women, gs.men, gs.pct_women, gs.suppressed) == (
        "general_service",
        17,
        11,
        D("60.7"),
        False,
    )
    assert protected.overall_staff.total == 44
    # Inside the team, nothing is hidden.
    assert [g.suppressed for g in open_status.grades] == [False, False, False, False]
    assert open_status.categories[1].grades[0].women == 2


def test_status_small_category_is_hidden_with_a_complement(twelve):
    """Directors (1 person) is itself a small level; since all staff is shown, the next smallest
    category is hidden too, or 89 minus the others would give the directors back."""
    protected = selectors.parity_status(twelve, protect_small_cells=True)

    hidden = [
        level.key for level in [*protected.category_levels, *protected.grades] if level.suppressed
    ]
    assert hidden == ["directors", "professional", "D-1", "P-5", "P-3", "G-6", "G-3", "SC", "UNV"]
    complements = [
        level.key for level in [*protected.category_levels, *protected.grades] if level.complement
    ]
    assert complements == ["professional", "G-6", "SC"]  # hidden for others, not for their size
    assert protected.category_levels[1].hidden_note == (
        "not shown: it would reveal a level of fewer than 5 people"
    )
    assert protected.overall_staff.pct_women == D("58.4")
    assert protected.overall_all.pct_women == D("56.7")


def test_status_complement_category_hides_one_of_its_grades(team, entities):
    rows = [
        ["UNDP", "D-1", 1, 1],  # directors: 2 people
        ["UNDP", "P-5", 3, 4],
        ["UNDP", "P-4", 7, 6],
        ["UNICEF", "G-5", 20, 10],
    ]
    protected = selectors.parity_status(import_rows(team, 2022, rows), protect_small_cells=True)

    shown = {
        level.key: level.suppressed for level in [*protected.category_levels, *protected.grades]
    }

    # Directors (2) is hidden, professional as its complement, and P-5 so that P-5 + P-4 does not
    # give professional (and then directors) back.
    assert shown == {
        "directors": True,
        "professional": True,
        "general_service": False,
        "D-1": True,
        "P-5": True,
        "P-4": False,
        "G-5": False,
    }


def test_status_document_is_plain_json_with_decimal_strings(twelve):
    document = selectors.status_document(selectors.parity_status(twelve))

    assert document["format"] == "unct-swap-parity-status/1"
    assert document["headline"] == "overall_all"
    assert document["overall_all"]["pct_women"] == "56.7"
    assert document["overall_all"]["distance_pp"] == "3.7"
    assert document["categories"][1]["key"] == "professional"
    assert document["categories"][1]["grades"][0] == {
        "key": "P-5",
        "label": "P-5",
        "kind": "grade",
        "women": 1,
        "men": 2,
        "not_disclosed": 0,
        "total": 3,
        "pct_women": "33.3",
        "status": "women_under",
        "distance_pp": "13.7",
        "change_since_previous_pp": None,
        "change_since_first_pp": None,
        "suppressed": False,
        "is_non_staff": False,
    }
