"""The Government of Kazakhstan's editor files a financial commitment under Economic Justice and
Rights (meeting the amount rule on the way), reports this year's progress, logs out, and finds the
commitment on the public dashboard, filtered by coalition, with the totals updated."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from commitments.models import Commitment, CommitmentMaker, ProgressReport
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

TITLE = "Grants for women entrepreneurs in rural Kazakhstan"
DEMO = json.loads(
    (Path(settings.BASE_DIR) / "fixtures" / "commitments" / "demo.json").read_text("utf-8")
)


@pytest.fixture
def commitments_page(page, demo):
    """The shared demo (setup_demo, run by `demo`) plus the Generation Equality demo."""
    call_command("setup_commitments_demo", verbosity=0)
    return page


def ejr_totals_before() -> tuple[int, dict[str, Decimal]]:
    """Economic Justice and Rights in the demo file, counted here from the JSON itself."""
    count, amounts = 0, {}
    for maker in DEMO["makers"]:
        for c in maker["commitments"]:
            if "ejr" in c["coalitions"]:
                count += 1
                if c.get("amount"):
                    amounts[c["currency"]] = amounts.get(c["currency"], 0) + Decimal(c["amount"])
    return count, amounts


def test_editor_files_commitment_reports_progress_and_finds_it_on_the_dashboard(
    commitments_page,
):
    page = commitments_page
    year = timezone.now().year
    login(page, "kaz-gov-editor")

    page.goto("/commitments/")
    page.get_by_role("link", name="File a commitment").click()
    expect(page.get_by_role("heading", name="File a commitment")).to_be_visible()
    kazakhstan = CommitmentMaker.objects.get(name="Government of Kazakhstan")
    expect(page.get_by_label("Commitment maker")).to_have_value(str(kazakhstan.pk))
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill("Small grants and mentoring for 2,000 women.")
    page.get_by_label("Economic Justice and Rights").check()
    page.get_by_label("Financial", exact=True).check()
    page.get_by_label("Programmatic").check()
    page.get_by_label("Status").select_option("in_progress")
    expect(page.get_by_label("Start year")).to_have_value(str(year))
    page.get_by_label("End year").fill(str(year + 1))
    page.get_by_label("Currency").select_option("KZT")
    page.get_by_label("SMART").check()
    page.get_by_role("button", name="File commitment").click()

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_contain_text("A financial commitment needs an amount and a currency.")
    assert not Commitment.objects.filter(title=TITLE).exists()
    expect(page.get_by_label("Title")).to_have_value(TITLE)  # what was typed is kept

    page.get_by_label("Financial amount").fill("250000")
    page.get_by_role("button", name="File commitment").click()
    expect(page.get_by_role("alert")).to_have_text("Commitment filed.")
    expect(page.get_by_test_id("commitment-title")).to_have_text(TITLE)
    expect(page.get_by_test_id("amount")).to_have_text("KZT 250,000.00")
    expect(page.get_by_test_id("report-due")).to_have_text(
        f"The progress report for {year} is missing."
    )

    page.get_by_role("link", name="File a progress report").click()
    expect(page.get_by_label("Year reported on")).to_have_value(str(year))
    expect(page.get_by_label("Currency")).to_have_value("KZT")
    page.get_by_label("Progress status").select_option("in_progress")
    page.get_by_label("Narrative").fill("First 400 grants awarded in three regions.")
    page.get_by_label("Amount disbursed this year").fill("50000")
    page.get_by_role("button", name="File progress report").click()
    expect(page.get_by_role("alert")).to_have_text(f"Progress report for {year} filed.")
    report_row = page.get_by_test_id("progress-reports").locator(f"tr[data-year='{year}']")
    expect(report_row).to_contain_text("First 400 grants awarded in three regions.")
    expect(report_row).to_contain_text("KZT 50,000.00")
    expect(page.get_by_test_id("report-due")).to_have_count(0)

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")

    page.goto("/commitments/")
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    page.get_by_label("Action Coalition", exact=True).select_option(
        label="Economic Justice and Rights"
    )
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/commitments/?*coalition=ejr*")
    table = page.get_by_test_id("commitments-table")
    row = table.get_by_role("row", name=TITLE)
    expect(row).to_contain_text("Government of Kazakhstan")
    expect(row).to_contain_text("KZT 250,000.00")
    expect(row).to_contain_text("Economic Justice and Rights")

    count, amounts = ejr_totals_before()
    expect(page.get_by_test_id("total-commitments")).to_have_text(str(count + 1))
    amounts["KZT"] = amounts.get("KZT", Decimal(0)) + Decimal("250000")
    for currency, amount in amounts.items():
        expect(page.locator(f"[data-currency='{currency}'] .amount")).to_have_text(
            f"{currency} {amount:,.2f}"
        )
    expect(page.get_by_test_id("total-amounts").locator("li")).to_have_count(len(amounts))
    expect(table.get_by_test_id("commitment-row")).to_have_count(count + 1)

    commitment = Commitment.objects.get(title=TITLE)
    assert (commitment.amount, commitment.currency, commitment.start_year, commitment.end_year) == (
        Decimal("250000.00"),
        "KZT",
        year,
        year + 1,
    )
    report = ProgressReport.objects.get(commitment=commitment)
    assert (report.year, report.amount_disbursed, report.reported_by.username) == (
        year,
        Decimal("50000.00"),
        "kaz-gov-editor",
    )
