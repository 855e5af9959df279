"""The IAT coordinator asks for the PDF report on the KAZ 2022 overview and watches the Report
card follow the job, queued then done, without reloading the page; then downloads the PDF.

The report service is stood in for so the test can hold the job queued: the browser polls while
the test renders the job (for real, with WeasyPrint), as a worker would.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from config.celery import app as celery_app
from reports import services as report_services
from reports import worker
from reports.models import ReportJob
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser


@pytest.fixture
def held_service(monkeypatch):
    """A report service that accepts jobs and leaves them queued until the test runs them."""
    sent: list[int] = []

    def dispatch(job_pk: int) -> bool:
        ReportJob.objects.filter(pk=job_pk).update(dispatched_at=timezone.now())
        sent.append(job_pk)
        return True

    monkeypatch.setattr(report_services, "dispatch", dispatch)
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield sent
    celery_app.conf.task_always_eager = old


def test_coordinator_generates_the_pdf_and_downloads_it(page, held_service):
    login(page, "kaz-coordinator")
    page.get_by_role("link", name="2022 · Annual progress assessment").click()
    card = page.get_by_test_id("report-card")
    expect(card.get_by_role("heading", name="Report")).to_be_visible()
    marker = page.evaluate("() => (window.__noReload = 'still here')")

    card.get_by_role("button", name="Generate PDF").click()
    status = card.get_by_test_id("report-status")
    expect(status).to_have_attribute("data-status", "queued")
    expect(status).to_contain_text("Waiting for the report service")

    [job_pk] = held_service
    assert worker.run_job(job_pk) == "done"  # the worker's part
    expect(status).to_have_attribute("data-status", "done", timeout=15_000)  # the 2 s poll
    expect(status).to_contain_text("Done")
    link = status.get_by_role("link", name="Download PDF")
    expect(link).to_be_visible()
    assert page.evaluate("() => window.__noReload") == marker  # no navigation happened

    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # Asked again with nothing changed: the stored PDF, at once, no new job.
    with page.expect_response(lambda r: r.url.endswith("/report/request/")) as posted:
        card.get_by_role("button", name="Generate PDF").click()
    assert posted.value.status == 200
    expect(status).to_have_attribute("data-status", "done")
    expect(status.get_by_role("link", name="Download PDF")).to_have_attribute(
        "href", f"/reports/{job_pk}/download/"
    )
    assert held_service == [job_pk]
    assert ReportJob.objects.count() == 1


def test_coordinator_asks_for_the_pdf_in_arabic(page, held_service):
    login(page, "kaz-coordinator")
    page.get_by_role("link", name="2022 · Annual progress assessment").click()
    card = page.get_by_test_id("report-card")
    language = card.get_by_label("Language of the report")
    expect(language).to_have_value("en")  # the coordinator's own language by default

    language.select_option("ar")
    card.get_by_role("button", name="Generate PDF").click()
    status = card.get_by_test_id("report-status")
    expect(status).to_have_attribute("data-language", "ar")
    expect(status).to_contain_text("العربية")

    [job_pk] = held_service
    assert worker.run_job(job_pk) == "done"  # rendered in Arabic, for real
    expect(status).to_have_attribute("data-status", "done", timeout=15_000)
    link = status.get_by_role("link", name="Download PDF")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert 'filename="UNCT-SWAP-KAZ-2022-ar.pdf"' in response.headers["content-disposition"]
    assert ReportJob.objects.get(pk=job_pk).language == "ar"
