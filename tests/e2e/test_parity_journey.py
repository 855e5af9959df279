"""The IAT coordinator of Kazakhstan brings the agencies' staffing table into the platform:
downloads the template, uploads twelve entities, reads the parity status and the bars with the
47-53 % band, then uploads a file with two bad rows and is told about both, with nothing lost."""

import csv

import pytest
from playwright.sync_api import expect

from parity.models import StaffingCount
from parity.tables import TEMPLATE_COLUMNS
from tests.e2e.conftest import login
from tests.parity.conftest import TWELVE_ENTITIES

pytestmark = pytest.mark.browser

HEADER = ["entity", "grade", "women", "men", "not_disclosed"]


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_coordinator_uploads_twelve_entities_and_sees_parity(page, tmp_path):
    login(page, "kaz-coordinator")
    page.goto("/parity/")
    page.get_by_label("Year").fill("2022")
    page.get_by_role("button", name="Open year").click()
    expect(page.get_by_role("heading", name="Gender parity · Kazakhstan 2022")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_test_id("template-csv").click()
    template = download_info.value
    assert template.suggested_filename == "parity-KAZ-2022.csv"
    template_path = tmp_path / "template.csv"
    template.save_as(template_path)
    # Blank, or with the demo figures once setup_demo loads them: the header is the same.
    header = template_path.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == ",".join(TEMPLATE_COLUMNS.headers_in("en"))  # the file below uses the keys
    with page.expect_download() as download_info:
        page.get_by_test_id("template-xlsx").click()
    assert download_info.value.suggested_filename == "parity-KAZ-2022.xlsx"

    form = page.get_by_test_id("upload-form")
    form.get_by_label("Staffing file").set_input_files(
        str(write_csv(tmp_path / "kaz-2022.csv", TWELVE_ENTITIES))
    )
    form.get_by_label("Figures as of").fill("2022-12-31")
    form.get_by_label("Source").fill("HR focal points of 12 agencies")
    form.get_by_role("button", name="Import").click()

    expect(page.get_by_role("alert")).to_have_text("Imported 28 rows for 12 entities.")
    expect(page.get_by_test_id("headline-pct")).to_have_text("56.7 %")
    expect(page.get_by_test_id("headline-status")).to_have_text("Men under-represented")
    table = page.get_by_test_id("parity-status-table")
    expect(
        table.locator('tr[data-level="general_service"] [data-testid="pct-women"]')
    ).to_have_text("60.0 %")
    expect(table.locator('tr[data-level="professional"] [data-testid="pct-women"]')).to_have_text(
        "46.2 %"
    )
    categories = page.get_by_test_id("parity-categories")
    expect(categories.get_by_test_id("parity-band")).to_have_count(1)
    expect(categories.get_by_test_id("parity-bar")).to_have_count(7)
    expect(categories.locator('[data-level="national_officers"]')).to_have_attribute(
        "data-pct", "62.9"
    )
    expect(page.get_by_test_id("parity-grades").get_by_test_id("parity-bar")).to_have_count(13)

    bad_rows = [
        ["UNDP", "P-4", 9, 9],  # row 2
        ["UNDP", "P6", 1, 1],  # row 3: no such grade
        ["UNICEF", "G-5", 4, 4],  # row 4
        ["UNDPP", "G-5", 2, 2],  # row 5: no such entity
    ]
    form = page.get_by_test_id("upload-form")
    form.get_by_label("Staffing file").set_input_files(
        str(write_csv(tmp_path / "kaz-2022-v2.csv", bad_rows))
    )
    form.get_by_role("button", name="Import").click()

    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("The file has 2 problems; nothing was saved.")
    expect(errors.get_by_role("listitem")).to_have_text(
        ["Row 3: unknown grade 'P6'", "Row 5: unknown entity 'UNDPP'"]
    )
    expect(page.get_by_test_id("headline-pct")).to_have_text("56.7 %")  # the figures remain
    assert StaffingCount.objects.filter(snapshot__country_team__code="KAZ").count() == 28

    # PI 4.3 shows the resulting status and offers the figure for its numeric criterion.
    page.goto("/teams/KAZ/2022/pi/4.3/")
    panel = page.get_by_test_id("pi43-parity")
    expect(panel.get_by_test_id("pi43-pct")).to_have_text("56.7 %")
    expect(panel.get_by_test_id("pi43-status")).to_have_text("Men under-represented")
    page.get_by_role("button", name="Reassess this PI this year").click()
    page.get_by_test_id("pi43-use-value").click()
    expect(page.locator("#id_numeric_value")).to_have_value("56.7")
    # 56.7 % is outside the 47-53 % band, so criterion (b) does not hold: (a) alone approaches.
    page.locator("#crit-a").check()
    expect(page.get_by_test_id("suggested-rating")).to_have_attribute("data-rating", "approaches")
