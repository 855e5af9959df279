"""What PI 4.3 takes from the parity data: the status and the suggested numeric value."""

from __future__ import annotations

from decimal import Decimal as D

from django.template.loader import render_to_string

from parity import selectors
from tests.parity.conftest import import_rows


def test_pi43_summary_from_the_twelve_entities(team, twelve):
    summary = selectors.pi43_summary(team, 2022)

    assert summary == {
        "year": 2022,
        "as_of": twelve.as_of,
        "source": "HR focal points",
        "entities": 12,
        "includes_non_staff": True,
        "women": 72,
        "men": 55,
        "pct_women": D("56.7"),
        "pct_men": D("43.3"),
        "status": "men_under",
        "status_label": "Men under-represented",
        "in_band": False,
        "distance_pp": D("3.7"),
        "previous_year": None,
        "previous_entities": None,
        "change_since_previous_pp": None,
        "suggested_numeric": D("56.7"),
        "url": "/parity/teams/KAZ/2022/",
    }


def test_pi43_numeric_is_staff_only_when_the_team_leaves_non_staff_out(team, entities):
    import_rows(team, 2022, [["UNDP", "G-5", 5, 5], ["UNDP", "SC", 10, 0]], include_non_staff=False)

    assert selectors.pi43_numeric(team, 2022) == D("50.0")
    assert selectors.pi43_summary(team, 2022)["in_band"] is True


def test_pi43_numeric_includes_non_staff_when_the_team_counts_them(team, entities):
    import_rows(team, 2022, [["UNDP", "G-5", 5, 5], ["UNDP", "SC", 10, 0]], include_non_staff=True)

    assert selectors.pi43_numeric(team, 2022) == D("75.0")


def test_pi43_without_figures_is_none(team):
    assert selectors.pi43_summary(team, 2022) is None
    assert selectors.pi43_numeric(team, 2022) is None


def test_pi43_panel_shows_the_status_and_the_value_to_use(team, twelve):
    html = render_to_string(
        "parity/_pi43_panel.html",
        {
            "parity": selectors.pi43_summary(team, 2022),
            "team": team,
            "assessment": {"year": 2022},
            "can_edit": True,
            "locked": False,
        },
    )

    assert '<strong data-testid="pi43-pct">56.7 %</strong>' in html
    assert 'data-status="men_under">Men under-represented</span>' in html
    assert "3.7 percentage points from the 47–53 % band" in html
    assert 'data-parity-fill="#id_numeric_value" data-value="56.7"' in html
    assert 'href="/parity/teams/KAZ/2022/"' in html


def test_pi43_panel_without_figures_links_to_the_parity_page(team):
    html = render_to_string(
        "parity/_pi43_panel.html",
        {"parity": None, "team": team, "assessment": {"year": 2022}, "can_edit": False},
    )

    assert "No staffing figures for 2022 yet." in html
    assert 'href="/parity/teams/KAZ/2022/"' in html
    assert "data-parity-fill" not in html
