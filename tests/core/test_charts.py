"""core.charts as plain functions: no database, no templates, numbers in and numbers out."""

import pytest

from core.charts import (
    CAPITALS_EM,
    LEGEND_LINE,
    LegendItem,
    Scale,
    count_ticks,
    legend_row,
    num,
    percent_ticks,
    text_baseline,
    text_width,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0.0"), (12, "12.0"), (7.25, "7.2"), (7.35, "7.3"), (1 / 3, "0.3"), (-4.06, "-4.1")],
)
def test_num_has_one_decimal(value, text):
    assert num(value) == text


def test_scale_maps_zero_to_start_high_to_end_and_half_to_the_middle():
    x_of = Scale(170, 400)  # 0 to 100 % by default

    assert x_of(0) == 170
    assert x_of(100) == 570
    assert x_of(50) == 370
    assert x_of(12.5) == 220


def test_scale_with_a_negative_length_runs_up_the_page():
    y_of = Scale(196, 16 - 196)

    assert y_of(0) == 196
    assert y_of(100) == pytest.approx(16)
    assert y_of(50) == pytest.approx(106)


def test_scale_of_counts_reaches_its_length_at_the_largest_count():
    width_of = Scale(0, 544, 17)

    assert width_of(17) == pytest.approx(544)
    assert width_of(0) == 0
    assert round(width_of(1), 1) == 32.0


def test_percent_ticks_are_labelled_and_placed_by_the_scale():
    assert percent_ticks(Scale(260, 460)) == [
        ("0 %", 260),
        ("25 %", 375),
        ("50 %", 490),
        ("75 %", 605),
        ("100 %", 720),
    ]


def test_count_ticks_mark_every_number_up_to_eight_then_every_second():
    assert count_ticks(1) == [0, 1]
    assert count_ticks(8) == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    assert count_ticks(9) == [0, 2, 4, 6, 8]
    assert count_ticks(12) == [0, 2, 4, 6, 8, 10, 12]


def test_text_baseline_sits_four_pixels_below_the_middle():
    assert text_baseline(26, 24) == 42
    assert text_baseline(100) == 104


def test_text_width_grows_with_length_and_font_size():
    widths = [text_width("x" * n) for n in range(12)]

    assert widths[0] == 0
    assert widths == sorted(widths)
    assert len(set(widths)) == len(widths)  # every extra character adds width
    assert text_width("Parity") == 37  # about 6.2 px a character at 11 px
    assert text_width("Parity", font_size=22) == 74
    assert text_width("MISSING", em=CAPITALS_EM) == 49  # 7 px a capital at 11 px


def test_legend_row_places_entries_after_each_other_on_one_line():
    items = legend_row([("#111", "Parity"), ("#222", "Women")], x=170, y=300, gap=20)

    assert items == [
        LegendItem(x=170, text_x=186, y=300, colour="#111", label="Parity"),
        # 16 for the swatch, 37 for "Parity", 20 of gap
        LegendItem(x=243, text_x=259, y=300, colour="#222", label="Women"),
    ]
    assert items[0].box_y == 290


def test_legend_row_wraps_an_entry_that_would_pass_the_width():
    entries = [("#111", "MISSING"), ("#222", "APPROACHING"), ("#333", "EXCEEDS")]
    # MISSING takes 16 + 49 + 14 = 79 px, APPROACHING 16 + 77 + 14 = 107 px.
    one_line = legend_row(entries, x=8, y=100, gap=14, em=CAPITALS_EM)
    wrapped = legend_row(entries, x=8, y=100, gap=14, em=CAPITALS_EM, wrap_at=200)

    assert [(i.x, i.y) for i in one_line] == [(8, 100), (87, 100), (194, 100)]
    assert [(i.x, i.y) for i in wrapped] == [(8, 100), (87, 100), (8, 100 + LEGEND_LINE)]


def test_legend_row_never_wraps_the_first_entry_of_a_line():
    wide = ("#111", "a label far wider than the legend may be")

    items = legend_row([wide, wide], x=8, y=100, gap=14, wrap_at=50)

    assert [(i.x, i.y) for i in items] == [(8, 100), (8, 100 + LEGEND_LINE)]
