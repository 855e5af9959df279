"""Numbers in the reader's format: 57.9 % in English, 57,9 % in French, Russian and Spanish."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from core.formats import percent
from parity.charts import bar_chart
from parity.figures import Tally, make_level
from parity.templatetags.parity_tags import pct, pp


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "57.9 %"), ("fr", "57,9 %"), ("ru", "57,9 %"), ("es", "57,9 %"), ("zh-hans", "57.9 %")],
)
def test_percent_follows_the_language(language, expected):
    with translation.override(language):
        assert percent(Decimal("57.9")) == expected
        assert pct(Decimal("57.9")) == expected
    assert percent(None) == "—"


def test_percentage_points_follow_the_language():
    with translation.override("fr"):
        assert "2,5" in pp(Decimal("2.5"))
        assert "1,5" in pp(Decimal("-1.5"))
    assert pp(Decimal("2.5")) == "+2.5 pp"


def test_parity_chart_values_follow_the_language():
    level = make_level(key="P-3", label="P-3", kind="grade", tally=Tally(11, 8))
    with translation.override("fr"):
        chart = bar_chart([level], chart_id="c", title="t")
    assert chart.bars[0].value == "57,9 %"
