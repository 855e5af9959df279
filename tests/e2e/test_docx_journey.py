"""A viewer of the Report card picks French and clicks "Word (.docx)": the browser saves the
report as a Word document in French, made at once, and stays on the page (htmx hands the
redirect to the browser, which downloads the attachment)."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from docx import Document
from playwright.sync_api import expect

from reports.models import ReportJob
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser


def test_coordinator_downloads_the_word_document_in_french(page):
    login(page, "kaz-coordinator")
    page.get_by_role("link", name="2022 · Annual progress assessment").click()
    card = page.get_by_test_id("report-card")
    expect(card.get_by_role("button", name="Word (.docx)")).to_be_visible()
    marker = page.evaluate("() => (window.__noReload = 'still here')")

    card.get_by_label("Language of the report").select_option("fr")
    with page.expect_download() as download_info:
        card.get_by_role("button", name="Word (.docx)").click()
    download = download_info.value

    assert download.suggested_filename == "UNCT-SWAP-KAZ-2022-fr.docx"
    doc = Document(download.path())
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    with translation.override("fr"):
        assert headings[0] == "1. " + gettext("Background")
    assert page.evaluate("() => window.__noReload") == marker  # still on the overview
    assert ReportJob.objects.count() == 0  # no PDF job for it
