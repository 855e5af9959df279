"""An IAT member of Kazakhstan works offline: downloads the assessment's workbook from its page,
fills it in (here with openpyxl, as Excel would), uploads it back, reads the preview of every
change, applies it, and finds the changes in the PI's history. A file that is not the workbook is
refused with the reason at the top of the page, focused."""

from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from scorecard.models import ActionPoint, IndicatorAssessment
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

FINDING = "Joint radio spots on GBV with three agencies, March 2022."
ACTION = "Co-produce a GEWE radio series with UNCG in 2023."


def row_of_key(sheet, key: str) -> int:
    return next(cell.row for (cell,) in sheet.iter_rows(min_col=1, max_col=1) if cell.value == key)


def fill_in(path) -> None:
    book = load_workbook(path)
    pi = book["PI 2.2"]
    number = row_of_key(pi, "criterion:a")
    pi[f"D{number}"] = "Yes"
    pi[f"E{number}"] = FINDING
    plan = book["Action plan"]
    number = next(n for n in range(2, plan.max_row + 1) if plan[f"C{n}"].value is None)
    plan[f"B{number}"] = "2.2"
    plan[f"C{number}"] = ACTION
    plan[f"F{number}"] = date(2023, 6, 30)
    plan[f"H{number}"] = "In progress"
    book.save(path)


def test_iat_member_fills_in_the_workbook_offline_and_uploads_it_back(page, tmp_path):
    login(page, "kaz-iat")
    page.get_by_role("link", name="2022 · Annual progress assessment").click()

    with page.expect_download() as download_info:
        page.get_by_test_id("workbook-download").click()
    download = download_info.value
    assert download.suggested_filename == "unct-swap-KAZ-2022.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    fill_in(path)

    page.get_by_role("link", name="Upload the workbook").click()
    expect(page.get_by_role("heading", name="Upload the workbook")).to_be_visible()
    page.get_by_label("Workbook (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Check the workbook").click()

    expect(page.get_by_role("heading", name="Check the changes")).to_be_visible()
    pi = page.locator('[data-testid="workbook-change"][data-key="pi:2.2"]')
    expect(pi).to_contain_text("PI 2.2 Communication & Advocacy")
    expect(pi.locator('tr[data-field="met:a"]')).to_contain_text("No")
    expect(pi.locator('tr[data-field="met:a"] td').last).to_have_text("Yes")
    expect(pi.locator('tr[data-field="finding:a"] td').last).to_have_text(FINDING)
    new = page.locator('[data-testid="workbook-change"][data-key^="new:"]')
    expect(new).to_contain_text("New")
    expect(new.locator('tr[data-field="status"] td').last).to_have_text("In progress")
    expect(page.get_by_test_id("conflict")).to_have_count(0)
    # Nothing is saved by the preview.
    row = IndicatorAssessment.objects.get(
        assessment__country_team__code="KAZ", assessment__year=2022, indicator__code="2.2"
    )
    assert "a" not in row.criteria_met

    page.get_by_role("button", name="Apply the changes").click()

    expect(page.get_by_role("alert")).to_have_text("Workbook applied: 2 changes saved.")
    page.get_by_role("link", name="PI 2.2 Communication & Advocacy").click()
    expect(page.locator("#id_finding_a")).to_have_value(FINDING)
    page.get_by_test_id("history-panel").locator("summary").click()
    history = page.get_by_test_id("history")
    expect(history.locator("li").first).to_contain_text("Gaukhar Nursha")
    expect(history).to_contain_text(f"Action point: {ACTION}")
    row.refresh_from_db()
    assert "a" in row.criteria_met
    assert row.updated_by.username == "kaz-iat"
    assert ActionPoint.objects.get(text=ACTION).timeline == date(2023, 6, 30)


def test_a_file_that_is_not_the_workbook_is_refused_with_the_reason_focused(page, tmp_path):
    login(page, "kaz-iat")
    page.goto("/teams/KAZ/2022/workbook/upload/")
    notes = tmp_path / "notes.xlsx"
    notes.write_bytes(b"not a workbook at all")

    page.get_by_label("Workbook (.xlsx)").set_input_files(str(notes))
    page.get_by_role("button", name="Check the workbook").click()

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_contain_text("The file is not a valid .xlsx workbook.")
    expect(summary).to_be_focused()
