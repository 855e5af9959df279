"""The IAT coordinator asks for the PDF report on the KAZ 2022 overview and watches the Report
card follow the job, queued then done, without reloading the page; then downloads the PDF. In
embedded mode (no worker) the request answers before the render, the button shows it is busy
meanwhile, and the card polls until the PDF is there.

The report service is stood in for so the test can hold the job queued: the browser polls while
the test renders the job (for real, with WeasyPrint), as a worker would.
"""

import re
import time

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from config.celery import app as celery_app
from reports import dispatch, worker
from reports import services as report_services
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


# --- Embedded mode: no worker, the job rendered after the response ------------------------------

RENDER_DELAY = 3  # seconds the render waits before it starts: longer than an answer may take


@pytest.fixture
def embedded_service(settings):
    """The report service as `make run` has it without REDIS_URL: no broker, the job rendered in
    a thread of the web process after the response (reports/dispatch.py), slowed down so the
    test can tell the answer from the render."""
    settings.REPORT_EMBEDDED_INLINE = False
    settings.REPORT_TEST_DELAY_SECONDS = RENDER_DELAY
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    # The tests' in-memory SQLite refuses a read while another connection writes ("database
    # table is locked"); a file database, as runserver's, waits instead. The live server's
    # connection reads without table locks meanwhile (PostgreSQL needs nothing).
    uncommitted = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if uncommitted:
        connection.cursor().execute("PRAGMA read_uncommitted = 1")
    yield
    assert dispatch.wait_for_embedded_jobs(120)  # no render left running into the next test
    if uncommitted:
        connection.cursor().execute("PRAGMA read_uncommitted = 0")
    celery_app.conf.task_always_eager = old


RECORD_BUTTON_STATES = """() => {
  window.__states = [];
  for (const button of document.querySelectorAll('[data-testid=report-card] form button')) {
    new MutationObserver(() => window.__states.push({
      testid: button.dataset.testid,
      busy: button.getAttribute('aria-busy'),
      disabled: button.disabled,
      spinner: !!button.querySelector('.spinner-border'),
      text: button.textContent,
    })).observe(button, {attributes: true, childList: true, subtree: true});
  }
}"""


def test_embedded_mode_answers_at_once_and_the_card_follows_the_job(page, embedded_service):
    login(page, "kaz-coordinator")
    page.get_by_role("link", name="2022 · Annual progress assessment").click()
    card = page.get_by_test_id("report-card")
    expect(card.get_by_role("heading", name="Report")).to_be_visible()
    button = card.get_by_role("button", name="Generate PDF")
    status = card.get_by_test_id("report-status")
    expect(status).to_have_attribute("data-status", "none")
    page.evaluate(RECORD_BUTTON_STATES)

    clicked = time.monotonic()
    with page.expect_response(lambda r: r.url.endswith("/report/request/")) as posted:
        button.click()
    assert posted.value.status == 200
    assert time.monotonic() - clicked < RENDER_DELAY  # the answer did not wait for the render
    expect(status).to_have_attribute("data-status", re.compile(r"^(queued|running)$"))
    assert ReportJob.objects.get().status != ReportJob.Status.DONE

    # While the request was under way the button said so, and could not be pressed again.
    states = page.evaluate("() => window.__states")
    busy = [s for s in states if s["testid"] == "report-generate" and s["busy"] == "true"]
    assert busy, states
    assert any(s["disabled"] and s["spinner"] and "Working…" in s["text"] for s in busy), states
    assert any(s["testid"] == "report-docx" and s["disabled"] for s in states), states
    expect(button).to_be_enabled()  # back once the answer came
    expect(button).not_to_have_attribute("aria-busy", "true")
    expect(button.locator(".spinner-border")).to_have_count(0)

    # The card polls the job and shows its link when the thread has made the PDF.
    expect(status).to_have_attribute("data-status", "done", timeout=60_000)
    link = status.get_by_role("link", name="Download PDF")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.body().startswith(b"%PDF")

    # A new report in another language: the earlier "Done" is not shown for it meanwhile.
    card.get_by_label("Language of the report").select_option("fr")
    with page.expect_response(lambda r: r.url.endswith("/report/request/")):
        button.click()
    expect(status).to_have_attribute("data-language", "fr")
    expect(status).to_have_attribute("data-status", re.compile(r"^(queued|running)$"))
    expect(status.get_by_role("link", name="Download PDF")).to_have_count(0)
    expect(status).to_have_attribute("data-status", "done", timeout=60_000)
    expect(status).to_have_attribute("data-language", "fr")
    french = ReportJob.objects.get(language="fr")
    expect(status.get_by_role("link", name="Download PDF")).to_have_attribute(
        "href", f"/reports/{french.pk}/download/"
    )
