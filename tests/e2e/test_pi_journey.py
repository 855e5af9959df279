"""An IAT member rates PI 2.2 in the browser: ticks criteria, watches the suggested rating follow
without a page reload, saves a rating with findings and an evidence file, adds an action point."""

import pytest
from playwright.sync_api import expect

from scorecard.models import ActionPoint, Evidence, IndicatorAssessment
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_iat_member_rates_pi_2_2_with_evidence_and_action_point(page, tmp_path):
    login(page, "kaz-iat")
    page.get_by_role("link", name="2022 · Annual progress assessment").click()
    page.get_by_role("link", name="PI 2.2 Communication & Advocacy").click()
    expect(page.get_by_role("heading", name="PI 2.2 Communication & Advocacy")).to_be_visible()

    suggestion = page.get_by_test_id("suggested-rating")
    expect(suggestion).to_have_attribute("data-rating", "exceeds")  # b, c, d in the seed
    marker = page.evaluate("() => (window.__noReload = 'still here')")

    page.locator("#crit-d").uncheck()
    expect(suggestion).to_have_attribute("data-rating", "meets")
    page.locator("#crit-c").uncheck()
    expect(suggestion).to_have_attribute("data-rating", "approaches")
    page.locator("#crit-b").uncheck()
    expect(suggestion).to_have_attribute("data-rating", "missing")
    page.locator("#crit-a").check()
    page.locator("#crit-b").check()
    page.locator("#crit-d").check()
    expect(suggestion).to_have_attribute("data-rating", "exceeds")
    assert page.evaluate("() => window.__noReload") == marker  # no navigation happened

    page.get_by_text("Findings for (a)").click()
    page.locator("#id_finding_a").fill("Joint radio spots on GBV with three agencies, March 2022.")
    page.get_by_label("Rating", exact=True).select_option("exceeds")
    page.get_by_role("button", name="Save PI").click()

    expect(page.get_by_role("alert")).to_have_text("PI 2.2 saved.")
    expect(page.get_by_test_id("saved-rating").locator("[data-rating]")).to_have_attribute(
        "data-rating", "exceeds"
    )
    expect(page.locator("#id_finding_a")).to_have_value(
        "Joint radio spots on GBV with three agencies, March 2022."
    )

    evidence_file = tmp_path / "radio-spots-report.pdf"
    evidence_file.write_bytes(PDF_BYTES)
    page.get_by_text("Add evidence", exact=True).first.click()
    form = page.get_by_test_id("evidence-form")
    form.get_by_label("Title").fill("Radio spots campaign report")
    form.get_by_label("Category").select_option(label="Communication/Advocacy")
    form.get_by_label("File").set_input_files(str(evidence_file))
    form.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_role("alert")).to_have_text("Evidence added.")
    row = page.get_by_test_id("evidence-table").get_by_role("row", name="Radio spots")
    expect(row).to_contain_text("radio-spots-report.pdf")
    expect(row).to_contain_text("Communication/Advocacy")

    page.get_by_text("Add an action point").click()
    ap_form = page.get_by_test_id("action-point-form")
    ap_form.get_by_label("Action point").fill("Co-produce a GEWE radio series with UNCG in 2023.")
    ap_form.get_by_label("Status").select_option("in_progress")
    ap_form.get_by_role("button", name="Add action point").click()
    expect(page.get_by_role("alert")).to_have_text("Action point added.")
    expect(page.get_by_test_id("action-points")).to_contain_text(
        "Co-produce a GEWE radio series with UNCG in 2023."
    )

    # The history loads when its section is opened (htmx), in place, without leaving the page.
    page.evaluate("window.stillHere = true")
    page.get_by_test_id("history-panel").locator("summary").click()
    history = page.get_by_test_id("history")
    expect(history.locator("li").first).to_contain_text("Gaukhar Nursha")
    expect(history).to_contain_text("Evidence: Radio spots campaign report")
    expect(history).to_contain_text("Action point: Co-produce a GEWE radio series")
    assert page.evaluate("window.stillHere") is True

    row = IndicatorAssessment.objects.get(
        assessment__country_team__code="KAZ", assessment__year=2022, indicator__code="2.2"
    )
    assert row.rating == "exceeds"
    assert row.criteria_met == ["a", "b", "d"]
    evidence = Evidence.objects.get(title="Radio spots campaign report")
    assert evidence.size == len(PDF_BYTES)
    assert evidence.uploaded_by_name == "Gaukhar Nursha"
    assert ActionPoint.objects.filter(text__startswith="Co-produce a GEWE radio").count() == 1


def test_other_team_member_cannot_open_kazakhstan(page):
    login(page, "other-iat")
    expect(page.get_by_role("link", name="Kazakhstan")).to_have_count(0)
    response = page.goto("/teams/KAZ/2022/pi/2.2/")
    assert response.status == 404
