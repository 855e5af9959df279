"""The SVG pictures: plain, well-formed SVG (it must render in WeasyPrint too) with the shaded
47-53 % band, a 50 % line, one bar per level that has a share, and text for screen readers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal as D

from django.template.loader import render_to_string

from parity import selectors
from parity.charts import bar_chart, status_charts, trend_chart
from parity.figures import Tally, make_level

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg_markup: str) -> ET.Element:
    """The picture inside its sideways-scrolling frame (a phone scrolls it rather than shrinking
    its text). Our own template output; raises on anything that is not well-formed XML."""
    frame = ET.fromstring(svg_markup.strip())  # noqa: S314
    assert frame.get("class") == "overflow-x-auto chart-frame"
    return frame.find(f"{SVG}svg")


def by_testid(root: ET.Element, testid: str) -> list[ET.Element]:
    return [el for el in root.iter() if el.get("data-testid") == testid]


def level(key, women, men, kind="grade", **options):
    return make_level(key=key, label=key, kind=kind, tally=Tally(women, men), **options)


def test_bar_chart_has_the_band_one_bar_per_level_and_labels():
    levels = [level("P-4", 4, 3), level("G-5", 13, 6), level("G-3", 0, 4), level("D-1", 1, 1)]

    root = parse(
        render_to_string(
            "parity/_bar_chart.html",
            {"chart": bar_chart(levels, chart_id="test-bars", title="By grade")},
        )
    )

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "By grade"
    assert root.find(f"{SVG}desc").text.endswith(
        "P-4: 57.1 %; G-5: 68.4 %; G-3: 0.0 %; D-1: 50.0 %"
    )
    band = by_testid(root, "parity-band")
    assert len(band) == 1
    # The plot runs from x=170 over 300 px: 47 % is at 311.0, 53 % at 329.0.
    assert (band[0].get("x"), band[0].get("width")) == ("311.0", "18.0")
    assert by_testid(root, "parity-midline")[0].get("x1") == "320.0"
    bars = by_testid(root, "parity-bar")
    assert [(b.get("data-level"), b.get("data-pct"), b.get("data-status")) for b in bars] == [
        ("P-4", "57.1", "men_under"),
        ("G-5", "68.4", "men_under"),
        ("G-3", "0.0", "women_under"),
        ("D-1", "50.0", "parity"),
    ]
    assert [b.get("width") for b in bars] == ["171.3", "205.2", "2.0", "150.0"]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[texts.index("P-4") : texts.index("P-4") + 4] == ["P-4", "57.1 %", "G-5", "68.4 %"]
    assert "parity band 47–53 %" in texts
    assert "100 %" in texts


def test_bar_chart_suppressed_level_has_no_bar_but_says_why():
    levels = [level("G-6", 2, 1, suppressed=True), level("G-5", 13, 6)]

    root = parse(
        render_to_string(
            "parity/_bar_chart.html", {"chart": bar_chart(levels, chart_id="c", title="t")}
        )
    )

    assert [b.get("data-level") for b in by_testid(root, "parity-bar")] == ["G-5"]
    assert "fewer than 5 people: not shown" in [t.text for t in root.iter(f"{SVG}text")]


def test_trend_chart_has_the_band_and_a_point_per_year():
    chart = trend_chart(
        [2020, 2021, 2022],
        [("All staff", "#0b4f8a", [D("40.0"), None, D("60.0")])],
        chart_id="trend",
        title="Trend",
        current_year=2022,
    )

    root = parse(render_to_string("parity/_trend_chart.html", {"chart": chart}))

    assert len(by_testid(root, "parity-band")) == 1
    points = by_testid(root, "parity-trend-point")
    assert [p.get("data-year") for p in points] == ["2020", "2022"]
    # y runs from 196 (0 %) up to 16 (100 %): 40 % is at 124.0, 60 % at 88.0.
    assert [p.get("cy") for p in points] == ["124.0", "88.0"]
    assert root.find(f"{SVG}polyline").get("points") == "80.0,124.0 492.0,88.0"


def test_status_charts_for_a_team(twelve):
    charts = status_charts(selectors.parity_status(twelve))

    assert [bar.key for bar in charts["categories"].bars] == [
        "directors",
        "professional",
        "national_officers",
        "general_service",
        "non_staff",
        "overall_staff",
        "overall_all",
    ]
    assert len(charts["grades"].bars) == 13
    assert [s.label for s in charts["trend"].series] == ["All staff", "Staff and non-staff"]
    assert charts["trend"].note == "The trend appears once there are two years of figures."
    for chart in ("categories", "grades"):
        parse(render_to_string("parity/_bar_chart.html", {"chart": charts[chart]}))
    parse(render_to_string("parity/_trend_chart.html", {"chart": charts["trend"]}))
