"""Errors where the eye is, and pages that fit a phone.

Every scorecard page at 375 px (a phone) and the action plan at 1280 px (a laptop) fit their
window: no sideways scrolling of the page. A refused form re-shows the page the user was on,
with what they typed and the error summary at the top, focused.
"""

from playwright.sync_api import expect

from scorecard.models import IndicatorAssessment
from tests.e2e.conftest import login

A = "/teams/KAZ/2022"
PI = f"{A}/pi/3.2/"
PAGES = {
    "home": "/",
    "team assessments": "/teams/KAZ/",
    "overview": f"{A}/",
    "process": f"{A}/process/",
    "PI page": PI,
    "action plan": f"{A}/action-plan/",
    "workbook upload": f"{A}/workbook/upload/",
}


def page_overflow(page) -> int:
    """How far the page is wider than its window, in px (0: it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def summary_state(page) -> dict:
    """The error summaries shown, whether one has the focus, and where the first one is."""
    return page.evaluate(
        """() => {
          const all = document.querySelectorAll('[data-testid=error-summary]');
          const first = all[0];
          return {
            count: all.length,
            focused: !!first && document.activeElement === first,
            top: first ? Math.round(first.getBoundingClientRect().top) : null,
            innerHeight: window.innerHeight,
          };
        }"""
    )


def switch_language(page, language: str) -> None:
    # The switcher sits behind the menu button at 375 px: submit its form directly.
    with page.expect_navigation():
        page.locator(f'button[name="language"][value="{language}"]').evaluate("b => b.click()")
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_every_scorecard_page_fits_a_phone_in_english_and_arabic(page):
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, "kaz-coordinator")
    page.goto(f"{A}/action-plan/")
    edit = page.locator("a[href*='/action-points/']").first.get_attribute("href")
    pages = {**PAGES, "action point edit": edit}
    for language in ("en", "ar"):
        if language != "en":
            switch_language(page, language)
        for name, url in pages.items():
            page.goto(url)
            assert page_overflow(page) <= 0, f"{name} ({language}) scrolls sideways at 375 px"
    # The tables reflow into one card per row: the overview's rating is labelled in its card.
    page.goto(f"{A}/")
    cell = page.locator("tr[data-pi='3.2'] td").nth(1)
    assert cell.evaluate("td => getComputedStyle(td).display") == "block"
    # The title of the site and the menu button share the bar: the title is not pushed off it.
    brand = page.locator(".navbar-brand").bounding_box()
    toggler = page.locator(".navbar-toggler").bounding_box()
    assert abs(brand["y"] - toggler["y"]) < brand["height"], "the menu button is on its own line"


def test_action_plan_columns_all_fit_a_laptop(page):
    login(page, "kaz-coordinator")  # 1280 px wide
    page.goto(f"{A}/action-plan/")

    assert page_overflow(page) <= 0
    table = page.get_by_test_id("action-plan")
    headers = table.locator("thead th")
    assert headers.count() == 8
    width = page.evaluate("window.innerWidth")
    for i in range(headers.count()):
        box = headers.nth(i).bounding_box()
        assert box["x"] >= 0, f"column {i + 1} off screen"
        assert box["x"] + box["width"] <= width, f"column {i + 1} off screen"
    edit = table.get_by_role("link", name="Edit").first
    expect(edit).to_be_in_viewport()


def test_refused_pi_save_says_not_saved_at_the_top(page):
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, "kaz-coordinator")
    page.goto(PI)
    page.locator("#id_rating").select_option("exceeds")  # above the suggestion, no reason given
    page.locator("#id_explanation").fill("Three joint initiatives with CSOs this year.")

    page.get_by_role("button", name="Save PI").click()

    expect(page.get_by_test_id("error-summary")).to_be_visible()
    state = summary_state(page)
    assert state["count"] == 1, state
    assert state["focused"], state
    assert 0 <= state["top"] < state["innerHeight"], state
    expect(page.get_by_test_id("not-saved")).to_contain_text("Not saved")
    expect(page.get_by_test_id("saved-rating")).to_have_text("Meets minimum requirements")
    expect(page.locator("#id_rating")).to_have_value("exceeds")
    expect(page.locator("#id_explanation")).to_have_value(
        "Three joint initiatives with CSOs this year."
    )
    assert page.url.endswith(PI)
    page.get_by_test_id("error-summary").get_by_role("link").click()
    assert page.url.endswith("#id_override_justification")
    assert page_overflow(page) <= 0


def test_refused_evidence_shows_one_summary_at_the_top_on_the_pi_page(page, tmp_path):
    login(page, "kaz-coordinator")
    page.goto(PI)
    page.get_by_test_id("evidence-panel").locator("summary").click()
    form = page.get_by_test_id("evidence-form")
    form.get_by_label("Title").fill("CSO consultation minutes")
    report = tmp_path / "minutes.pdf"
    report.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    form.get_by_label("File").set_input_files(str(report))
    form.get_by_label("or a link").fill("https://example.org/minutes")  # both: refused

    form.get_by_role("button", name="Add evidence").click()

    expect(page.get_by_test_id("error-summary")).to_be_visible()
    state = summary_state(page)
    assert state["count"] == 1, state
    assert state["focused"], state
    assert 0 <= state["top"] < state["innerHeight"], state
    assert page.url.endswith(PI), "the address is the PI page's, not the upload's"
    message = "Upload a file or give a link (one of the two)."
    assert page.get_by_text(message).count() == 2  # in the summary, and once by the form
    form = page.get_by_test_id("evidence-form")
    expect(form).to_be_visible()
    expect(form.get_by_label("Title")).to_have_value("CSO consultation minutes")
    expect(form.get_by_label("or a link")).to_have_value("https://example.org/minutes")
    expect(page.get_by_test_id("file-not-kept")).to_contain_text("minutes.pdf")
    page.get_by_test_id("error-summary").get_by_role("link").click()
    expect(form).to_be_in_viewport()


def test_refused_action_point_is_reshown_on_the_pi_page(page):
    login(page, "kaz-coordinator")
    page.goto(PI)
    page.get_by_test_id("action-point-panel").locator("summary").click()
    form = page.get_by_test_id("action-point-form")
    form.get_by_label("Action point").fill("   ")  # blank once trimmed: refused by the server
    form.get_by_label("Responsible person or group").fill("UN Women gender specialist")

    form.get_by_role("button", name="Add action point").click()

    expect(page.get_by_test_id("error-summary")).to_contain_text("This field is required.")
    state = summary_state(page)
    assert state["count"] == 1, state
    assert state["focused"], state
    assert 0 <= state["top"] < state["innerHeight"], state
    assert page.url.endswith(PI), page.url
    expect(page.locator("h1")).to_contain_text("PI 3.2")
    form = page.get_by_test_id("action-point-form")
    expect(form).to_be_visible()
    expect(form.get_by_label("Responsible person or group")).to_have_value(
        "UN Women gender specialist"
    )


def test_justification_typed_is_kept_when_not_rated_yet(page):
    login(page, "kaz-coordinator")
    page.goto(PI)
    page.locator("#id_rating").select_option("")
    page.locator("#id_override_justification").fill("Waiting for the CSO survey of March.")

    page.get_by_role("button", name="Save PI").click()

    expect(page.get_by_role("alert")).to_have_text("PI 3.2 saved.")
    expect(page.locator("#id_override_justification")).to_have_value(
        "Waiting for the CSO survey of March."
    )


def test_blocked_send_for_endorsement_keeps_the_comment(page):
    IndicatorAssessment.objects.filter(
        assessment__country_team__code="KAZ", assessment__year=2022, indicator__code="3.2"
    ).update(rating="")  # reassessed but not rated: a blocking check
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, "kaz-coordinator")
    page.goto(f"{A}/")
    form = page.locator("form[data-action='send_for_endorsement']")
    form.get_by_label("Comment (optional)").fill("All PIs checked with the IAT on 3 March.")

    form.get_by_role("button").click()

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_contain_text("PI 3.2 is reassessed but not rated.")
    state = summary_state(page)
    assert state["count"] == 1, state
    assert state["focused"], state
    assert 0 <= state["top"] < state["innerHeight"], state
    assert page.url.endswith(f"{A}/"), page.url
    expect(page.locator("#comment-send_for_endorsement")).to_have_value(
        "All PIs checked with the IAT on 3 March."
    )
    expect(page.get_by_test_id("workflow-status")).to_have_attribute("data-status", "draft")
    assert page_overflow(page) <= 0
