"""The global dashboard in the browser: a UN Women reviewer filters by region and year, reads the
SVG bars and downloads the ratings as CSV."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from dashboards.exports import RATING_COLUMNS
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser


@pytest.fixture
def synthetic(demo):
    """Ten synthetic teams over the five regions, 2024 approved, 2025 in every state."""
    call_command("seed_synthetic", "--teams", "10", "--years", "2", stdout=io.StringIO())


def test_reviewer_filters_the_global_dashboard_and_downloads_the_csv(page, synthetic, tmp_path):
    login(page, "unw-reviewer")
    page.goto("/dashboards/global/")
    expect(page.get_by_role("heading", name="Scorecard across country teams")).to_be_visible()

    filters = page.get_by_test_id("filters")
    filters.get_by_label("Region").select_option(label="Europe and Central Asia")
    filters.get_by_label("Year").select_option("2024")
    filters.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/dashboards/global/?region=europe-central-asia&year=2024")

    expect(page.get_by_test_id("selected-year")).to_have_text("2024")
    chart = page.get_by_test_id("share-chart")
    expect(chart).to_be_visible()
    expect(chart.get_by_test_id("share-row")).to_have_count(15)
    bars = chart.locator("[data-testid=share-bar][data-pi='1.1']")
    expect(bars.first).to_have_attribute("data-total", "2")  # the region's two approved teams
    assert bars.first.bounding_box()["width"] > 0
    # Only the region's teams, Kazakhstan among them; no other region's.
    rows = page.get_by_test_id("team-status-row")
    expect(rows).to_have_count(3)
    expect(page.locator("[data-testid=team-status-row][data-team=KAZ]")).to_contain_text(
        "Not submitted yet"
    )
    expect(page.locator("[data-testid=region-row]")).to_have_count(1)

    with page.expect_download() as download_info:
        page.get_by_test_id("export-ratings-csv").click()
    download = download_info.value
    assert download.suggested_filename == "unct-swap-ratings-europe-central-asia-2024.csv"
    path = tmp_path / "ratings.csv"
    download.save_as(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == ",".join(RATING_COLUMNS.headers_in("en"))  # the browser's language
    assert len(lines) == 1 + 2 * 15  # two teams of the region approved in 2024, 15 PIs each
