"""Issue 15: a change "since 2021" that compares 5 entities with 12 says so, and the charts' texts
stay legible (12 px at least: never drawn narrower than their width) and apart, with one year
of figures or many."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from core.models import UNEntity
from parity import charts, selectors
from parity.models import StaffingCount, StaffingSnapshot

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def two_years(team, db):
    """12 entities in 2022, 5 of them in 2021."""
    entities = [UNEntity.objects.get_or_create(acronym=f"E{n}", defaults={"name": f"Entity {n}"})[0]
                for n in range(12)]  # fmt: skip
    for year, how_many in ((2021, 5), (2022, 12)):
        snapshot = StaffingSnapshot.objects.create(
            country_team=team, year=year, as_of=datetime.date(year, 12, 31), source="HR"
        )
        StaffingCount.objects.bulk_create(
            StaffingCount(snapshot=snapshot, entity=e, grade="P-3", women=3, men=2)
            for e in entities[:how_many]
        )
    return team


def test_status_knows_how_many_entities_each_year_has(two_years):
    status = selectors.parity_status_for(two_years, 2022)

    assert (status.entities, status.previous_year, status.previous_entities) == (12, 2021, 5)
    assert status.change_entities == [(2021, 5)]
    assert selectors.pi43_summary(two_years, 2022)["previous_entities"] == 5


def test_team_page_says_the_years_compare_different_numbers_of_entities(client, iat, two_years):
    client.force_login(iat)

    html = client.get("/parity/teams/KAZ/2022/").content.decode()

    assert "since 2021" in html
    assert "(5 entities reported then, 12 now)" in html
    assert "Change since 2021: 5 entities reported in 2021, 12 now." in html


def test_same_entities_need_no_note(client, iat, two_years):
    StaffingCount.objects.filter(snapshot__year=2022, entity__acronym__in=[
        f"E{n}" for n in range(5, 12)]).delete()  # fmt: skip
    client.force_login(iat)

    html = client.get("/parity/teams/KAZ/2022/").content.decode()

    assert "since 2021" in html
    assert 'data-testid="entities-then"' not in html
    assert 'data-testid="change-entities"' not in html


def _svg(markup: str) -> ET.Element:
    root = ET.fromstring(markup.strip())  # noqa: S314 -- our own template output
    return root.find(f"{SVG}svg")


def _font_sizes(svg: ET.Element) -> set[float]:
    sizes = {float(svg.get("font-size"))}
    sizes |= {float(t.get("font-size")) for t in svg.iter(f"{SVG}text") if t.get("font-size")}
    return sizes


def test_charts_are_never_drawn_smaller_than_their_text_needs():
    trend = charts.trend_chart([2022], [("All staff", "#000", [D("61.1")])], chart_id="t",
                               title="T")  # fmt: skip
    markup = render_to_string("parity/_trend_chart.html", {"chart": trend})
    svg = _svg(markup)

    # Drawn at least as wide as its viewBox (the stylesheet's rule for the frame, as the CSP
    # refuses inline styles): a unit is at least a pixel.
    assert 'class="overflow-x-auto chart-frame"' in markup
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    assert f".chart-frame > svg {{ min-width: {charts.WIDTH}px; }}" in css
    assert svg.get("viewBox") == f"0 0 {trend.width} {trend.height}"
    assert min(_font_sizes(svg)) >= 12


def test_one_year_two_lines_labels_do_not_meet():
    """The higher value's label above its point, the lower one's below: also when the second line
    is the higher one, where both used to print in the same place."""
    for values in ([D("61.1"), D("55.0")], [D("50.0"), D("53.0")]):
        trend = charts.trend_chart(
            [2022], [("Staff", "#000", [values[0]]), ("All", "#111", [values[1]])],
            chart_id="t", title="T",
        )  # fmt: skip
        (high,), (low,) = sorted(
            (s.points for s in trend.series), key=lambda p: -float(p[0].label[:-2])
        )
        assert float(high.label_y) < float(high.y) < float(low.y) < float(low.label_y)
        assert float(low.label_y) - float(high.label_y) >= 2 * charts.SMALL_FONT


@pytest.mark.parametrize("count", [2, 5, 9, 16, 30])
def test_many_years_labels_keep_apart(count):
    years = list(range(2030 - count, 2030))
    trend = charts.trend_chart(years, [("Staff", "#000", [D("48.0")] * count)], chart_id="t",
                               title="T")  # fmt: skip

    xs = [float(t.x) for t in trend.x_ticks]
    assert trend.x_ticks[-1].label == "2029"  # the latest year is always named
    widest = charts.text_width("100.0 %", charts.SMALL_FONT)
    assert all(b - a >= widest for a, b in zip(xs, xs[1:], strict=False))
    labelled = [p for p in trend.series[0].points if p.label]
    assert len(labelled) == len(xs)
    assert xs[0] >= trend.plot_x
    assert xs[-1] <= trend.plot_right


def test_bar_chart_legend_wraps_inside_the_picture():
    from parity.figures import Tally, make_level

    level = make_level(key="P-3", label="P-3", kind="grade", tally=Tally(3, 2))
    chart = charts.bar_chart([level], chart_id="c", title="t")

    assert all(item.text_x < chart.width for item in chart.legend)
    assert chart.height >= chart.legend[-1].y
