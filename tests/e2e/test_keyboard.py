"""The IAT member's way with the keyboard alone (WCAG 2.1: 2.1.1 keyboard, 2.4.1 bypass blocks,
2.4.3 focus order, 2.4.7 focus visible): the first Tab lands on "Skip to main content", Enter
moves the focus into the page; the navbar is walked in the order it is seen, left to right (right
to left in Arabic); on PI 2.2 Tab reaches the rating, the arrow keys choose one, Tab reaches the
reason and Save, Enter saves. Every element that takes the focus on the way shows it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scorecard.models import IndicatorAssessment
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

PI_22 = "/teams/KAZ/2022/pi/2.2/"
REASON = "The 2022 campaign reached one region only: meets, not exceeds."

# What the focused element is, where it is, and whether the focus shows: an outline or a ring
# (box-shadow) drawn by the browser or by Bootstrap's :focus-visible styles.
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow && style.boxShadow !== "none";
  return {
    tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || "").trim(),
    cls: el.className && el.className.baseVal === undefined ? el.className : "",
    inNav: !!el.closest("nav.navbar"), inMain: !!el.closest("main"),
    left: box.left, right: box.right, top: box.top, bottom: box.bottom,
    width: box.width, height: box.height,
    visible: outline || ring,
  };
}"""


def tab(page) -> dict:
    page.keyboard.press("Tab")
    return page.evaluate(FOCUSED)


def assert_focus_shows(focused: dict) -> None:
    assert focused["visible"], f"no visible focus on {focused}"
    assert focused["width"] > 1, f"focused but not shown: {focused}"
    assert focused["height"] > 1, f"focused but not shown: {focused}"


def navbar_in_focus_order(page) -> list[dict]:
    """From the page's top: the skip link, then every navbar element Tab reaches, in order."""
    page.locator("body").focus()  # the start of the page, as after loading it
    first = tab(page)
    assert first["cls"].startswith("skip-link"), first
    assert_focus_shows(first)
    seen = []
    focused = tab(page)
    while focused["inNav"]:
        assert_focus_shows(focused)
        seen.append(focused)
        focused = tab(page)
        assert len(seen) < 30, "Tab never leaves the navbar"
    assert focused["inMain"], f"after the navbar the focus goes to the page: {focused}"
    return seen


def test_skip_link_is_the_first_stop_and_moves_the_focus_into_the_page(page):
    login(page, "kaz-iat")
    page.goto(PI_22)

    focused = tab(page)
    assert focused["text"] == "Skip to main content"
    assert_focus_shows(focused)
    expect(page.get_by_role("link", name="Skip to main content")).to_be_in_viewport()

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab goes on from the page's content, past the navbar.
    focused = tab(page)
    assert focused["inMain"], focused
    assert not focused["inNav"], focused


@pytest.mark.parametrize("language", ["en", "ar"])
def test_navbar_is_walked_in_the_order_it_is_seen(page, language):
    login(page, "kaz-iat")
    if language == "ar":
        page.get_by_test_id("language-switcher").get_by_role("button").first.click()
        page.get_by_role("button", name="العربية").click()
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto("/")

    stops = navbar_in_focus_order(page)

    names = [s["text"] for s in stops]
    assert len(stops) >= 5, names  # brand, two sections, language, account, log out at least
    assert stops[0]["cls"].startswith("navbar-brand"), names
    assert stops[-1]["tag"] == "button", names  # "Log out", the last of the bar
    # Each stop comes after the one before as the bar is read: further along the same row in the
    # reading direction, or on a row below (the bar may wrap when its words are long).
    for before, after in zip(stops, stops[1:], strict=False):
        same_row = after["top"] < before["bottom"] and after["bottom"] > before["top"]
        if not same_row:
            assert after["top"] >= before["bottom"] - 1, (before, after)
        elif language == "ar":
            assert after["right"] <= before["left"] + 1, (before, after)
        else:
            assert after["left"] >= before["right"] - 1, (before, after)


def test_iat_member_rates_a_pi_and_saves_it_with_the_keyboard_alone(page):
    login(page, "kaz-iat")
    page.goto(PI_22)
    page.locator("body").focus()

    # Tab through the page until the rating; each stop shows its focus.
    for _ in range(200):
        focused = tab(page)
        assert_focus_shows(focused)
        if focused["id"] == "id_rating":
            break
    else:
        pytest.fail("Tab never reached the rating")
    rating = page.locator("#id_rating")
    assert rating.input_value() == "exceeds"
    page.keyboard.press("ArrowUp")  # the level below: Meets
    expect(rating).to_have_value("meets")
    expect(page.get_by_test_id("suggested-rating")).to_have_attribute("data-rating", "exceeds")

    focused = tab(page)
    assert focused["id"] == "id_override_justification", focused
    assert_focus_shows(focused)
    page.keyboard.type(REASON)

    for _ in range(10):
        focused = tab(page)
        assert_focus_shows(focused)
        if focused["tag"] == "button" and focused["text"] == "Save PI":
            break
    else:
        pytest.fail("Tab never reached Save PI")
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_have_text("PI 2.2 saved.")
    row = IndicatorAssessment.objects.get(
        assessment__country_team__code="KAZ", assessment__year=2022, indicator__code="2.2"
    )
    assert row.rating == "meets"
    assert row.override_justification == REASON
