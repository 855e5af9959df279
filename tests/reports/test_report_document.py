"""The report as a person reads it and the card that offers it: one clean heading per PI in the
evidence section, no heading left at the foot of a page, the action plan's who, when and status,
"No PDF made yet" only when there is none, and the embedded mode's job rendered after the
request that asked for it (reports/dispatch.py)."""

from __future__ import annotations

import io
import re
import threading
from datetime import date
from html import unescape

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import translation
from docx import Document

from config.celery import app as celery_app
from core import pdf
from core import services as core_services
from reports import dispatch, document, docx, worker
from reports import services as report_services
from reports.models import ReportJob
from scorecard.models import ActionPoint, Indicator
from tests.conftest import load_json
from tests.factories import UNEntityFactory

Status = ReportJob.Status
Kind = ReportJob.Kind


@pytest.fixture(autouse=True)
def _eager_celery():
    old = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = old


def report_html(assessment, language: str = "en") -> str:
    data = document.report_input(assessment, language=language)
    with translation.override(language):
        return render_to_string(document.TEMPLATE, document.report_context(data))


def docx_text(assessment, language: str = "en") -> str:
    data = document.report_input(assessment, language=language)
    word = Document(io.BytesIO(docx.render_input_docx(data)))
    texts = [p.text for p in word.paragraphs]
    for table in word.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(texts)


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> whose heading has this id."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


# --- 1. The evidence section names each PI once ---------------------------------------------


@pytest.mark.django_db
def test_evidence_headings_name_the_pi_once_in_the_pdf_and_the_word_report(kaz_2022):
    evidence = plain(section(report_html(kaz_2022), "evidence"))
    statement = Indicator.objects.get(framework=kaz_2022.framework, code="3.2").statement
    assert f"PI 3.2: {statement}" in evidence
    assert "Indicator 3.2" not in evidence
    assert not re.search(r"PI \d\.\d: Indicator", evidence)

    word = docx_text(kaz_2022)
    assert f"PI 3.2: {statement}" in word
    assert not re.search(r"PI \d\.\d: Indicator", word)


# --- 2. Headings stay with what they introduce ---------------------------------------------------

HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5"}
# Blocks that introduce what follows: the PI's banner and the text of its level, a criterion.
HEADING_CLASSES = {"banner", "banner-dimension", "banner-pi", "banner-rating", "level-text"}
HEADING_CLASSES |= {"criterion", "evidence-head", "dimension"}


def _text_chains(box, chain=()):
    chain = (*chain, box)
    if getattr(box, "text", "").strip():
        yield chain
    for child in getattr(box, "children", None) or []:
        yield from _text_chains(child, chain)


def last_block_of_each_page(html: str) -> list[tuple[int, str, set[str], str]]:
    """(page, tag, classes, text) of the block that holds the last line of each page's body."""
    import weasyprint  # noqa: PLC0415 -- slow import

    laid_out = weasyprint.HTML(
        string=html, base_url=pdf.BASE_URL, url_fetcher=pdf._fetcher_class()()
    ).render()
    ends = []
    for number, page in enumerate(laid_out.pages, 1):
        chains = [
            chain
            for chain in _text_chains(page._page_box)
            if not any(type(box).__name__ == "MarginBox" for box in chain)
        ]
        if not chains:
            continue
        last = chains[-1]
        block = [b for b in last if type(b).__name__ == "BlockBox" and b.element is not None][-1]
        classes = set((block.element.get("class") or "").split())
        ends.append((number, block.element_tag, classes, last[-1].text))
    return ends


@pytest.mark.django_db
def test_no_page_of_the_seed_report_ends_with_a_heading(kaz_2022):
    """Seed 001 with its parity table: before `.level-text` kept with what follows, PI 6.1's
    heading, banner and level text ended page 19 with its findings on page 20."""
    core_services.load_reference_data(document=load_json("reference.json"))
    call_command("setup_parity_demo", stdout=io.StringIO())
    ends = last_block_of_each_page(report_html(kaz_2022))
    assert len(ends) > 25
    stranded = [
        (number, tag, sorted(classes), text)
        for number, tag, classes, text in ends
        if tag in HEADING_TAGS or classes & HEADING_CLASSES
    ]
    assert stranded == []


# --- 3. The card says "No PDF made yet" only when there is none -----------------------------

NO_PDF = "No PDF made yet"


@pytest.mark.django_db
def test_card_says_no_pdf_yet_only_when_there_is_no_pdf_at_all(
    client, kaz_2022, viewer, rc, fake_render, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    card = client.get("/teams/KAZ/2022/report/", HTTP_HX_REQUEST="true").content.decode()
    assert NO_PDF in card
    assert 'data-testid="report-frozen"' not in card

    with django_capture_on_commit_callbacks(execute=True):
        frozen = report_services.freeze_report(assessment=kaz_2022, kind=Kind.AS_SUBMITTED, by=rc)
    frozen.refresh_from_db()
    assert frozen.status == Status.DONE
    card = client.get("/teams/KAZ/2022/report/", HTTP_HX_REQUEST="true").content.decode()
    assert NO_PDF not in card
    assert 'data-testid="report-frozen"' in card
    assert f'href="/reports/{frozen.pk}/download/"' in card
    assert "the frozen copies below keep it as it was submitted or approved" in card


# --- 4. The action plan prints who, when and the status -------------------------------------------


@pytest.fixture
def planned(kaz_2022):
    """KAZ 2022's first action point with the entity, person, due date and status set."""
    point = ActionPoint.objects.filter(assessment=kaz_2022).order_by("pk").first()
    point.responsible_entity = UNEntityFactory(acronym="UNFPA")
    point.responsible = "Gender Theme Group chair"
    point.timeline = date(2024, 6, 30)
    point.status = ActionPoint.Status.COMPLETED
    point.save()
    return kaz_2022


@pytest.mark.django_db
def test_annual_action_plan_prints_who_when_and_the_status_as_labels(planned):
    plan = plain(section(report_html(planned), "action-plan"))
    assert "Responsible: UNFPA · Gender Theme Group chair" in plan
    assert "Timeline: June 30, 2024" in plan
    assert "Status: Completed" in plan
    assert "Status: In progress" in plan  # the seed's other points, as labels
    assert "2024-06-30" not in plan
    assert "Status: in_progress" not in plan
    assert "Status: completed" not in plan

    word = docx_text(planned)
    assert "Responsible: UNFPA · Gender Theme Group chair" in word
    assert "Timeline: June 30, 2024" in word
    assert "Status: Completed" in word


@pytest.mark.django_db
def test_action_plan_labels_and_dates_are_in_the_report_language(planned):
    with translation.override("fr"):
        completed = str(ActionPoint.Status.COMPLETED.label)
        responsible = translation.gettext("Responsible")
    assert completed != "Completed"  # the catalog translates it, so the test can tell
    plan = plain(section(report_html(planned, "fr"), "action-plan"))
    assert "30 juin 2024" in plan
    assert f"{completed}" in plan
    assert f"{responsible}: UNFPA" in plan
    assert "2024-06-30" not in plan


@pytest.mark.django_db
def test_comprehensive_action_plan_prints_the_due_date_as_a_date(planned):
    planned.kind = planned.Kind.COMPREHENSIVE
    planned.save(update_fields=["kind"])
    plan = plain(section(report_html(planned), "action-plan"))
    assert "June 30, 2024" in plan
    assert "2024-06-30" not in plan
    assert "UNFPA · Gender Theme Group chair" in plan


# --- 5. Embedded mode: the job runs after the request --------------------------------------------


@pytest.fixture
def held_job(monkeypatch, fake_render):
    """The embedded thread waits at the start of the task until the test lets it go, so the
    test sees the request answered before the job is even claimed. (One connection at a time
    then: the in-memory SQLite of the tests refuses a second connection's write while another
    reads, "database table is locked"; a file database, as runserver's, waits instead.)"""
    go = threading.Event()
    waiting = threading.Event()
    run_job = worker.run_job

    def held(job_pk, **kwargs):
        waiting.set()
        assert go.wait(30), "the test never let the job go"
        return run_job(job_pk, **kwargs)

    monkeypatch.setattr(worker, "run_job", held)
    yield waiting, go
    go.set()
    assert dispatch.wait_for_embedded_jobs(30)


@pytest.mark.django_db(transaction=True)
def test_embedded_mode_answers_before_the_render_and_the_poll_then_shows_the_pdf(
    client, kaz_2022, viewer, settings, held_job
):
    settings.REPORT_EMBEDDED_INLINE = False
    waiting, go = held_job
    client.force_login(viewer)

    response = client.post("/teams/KAZ/2022/report/request/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # answered while the job waits in its thread
    assert waiting.wait(10)  # the job runs in a thread of its own, started on commit
    job = ReportJob.objects.get()
    status = response.content.decode()
    assert 'data-status="queued"' in status
    assert f'hx-get="/reports/{job.pk}/" hx-trigger="every 2s"' in status  # it polls
    assert "Download PDF" not in status
    assert "Done" not in status

    go.set()
    assert dispatch.wait_for_embedded_jobs(30)
    job.refresh_from_db()
    assert job.status == Status.DONE
    poll = client.get(f"/reports/{job.pk}/").content.decode()
    assert 'data-status="done"' in poll
    assert f'href="/reports/{job.pk}/download/"' in poll
    assert "hx-trigger" not in poll  # the poll stops


@pytest.mark.django_db(transaction=True)
def test_embedded_render_thread_records_a_failure_on_the_job(kaz_2022, viewer, settings):
    settings.REPORT_EMBEDDED_INLINE = False
    settings.REPORT_TEMPLATE = "reports/pdf/no-such-template.html"
    job = report_services.request_report(assessment=kaz_2022, by=viewer)  # commits: autocommit
    assert dispatch.wait_for_embedded_jobs(30)
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "no-such-template.html" in job.error


@pytest.mark.django_db
def test_unit_tests_run_embedded_jobs_inline(
    kaz_2022, viewer, fake_render, settings, django_capture_on_commit_callbacks
):
    """settings_test's REPORT_EMBEDDED_INLINE: the job is done when its commit callbacks ran,
    with no thread to wait for."""
    assert settings.REPORT_EMBEDDED_INLINE is True
    with django_capture_on_commit_callbacks(execute=True):
        job = report_services.request_report(assessment=kaz_2022, by=viewer)
    job.refresh_from_db()
    assert job.status == Status.DONE
    assert not [t for t in threading.enumerate() if t.name.startswith("report-job-")]
