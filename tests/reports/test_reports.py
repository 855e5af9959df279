"""The PDF report (reports/, core/pdf.py, the report views and CLIs).

What the PDF says is checked on real WeasyPrint output read back with pypdf, against the seed's
own figures (seed 001, Table 1), not against our code. The job mechanics (idempotency, duplicate
deliveries, dead attempts, broker down, failures) run with a fake renderer, so they take
milliseconds; a real Celery worker on Redis is exercised in test_report_worker.py.

Celery runs eagerly here whatever REDIS_URL says (`_eager_celery`): these tests never send a
message to a broker unless they say so.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import socket
from datetime import timedelta
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown
from pypdf import PdfReader

from config.celery import app as celery_app
from core import pdf
from core import services as core_services
from core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT
from reports import dispatch, document, storage, worker
from reports import services as report_services
from reports.models import ReportJob
from reports.tasks import render_report
from scorecard import services
from scorecard.models import FINDING_MAX_LENGTH, Assessment, Evidence, IndicatorAssessment
from tests.conftest import PI_CODES, load_json
from tests.factories import UNEntityFactory

Status = ReportJob.Status
Kind = ReportJob.Kind

# Seed 001, Table 1: PI, title, rating as printed, reassessed in 2022.
SEED_TABLE_1 = [
    ("1.1", "Common Country Analysis", "APPROACHING", "No"),
    ("1.2", "Cooperation Framework Outcomes", "EXCEEDS", "No"),
    ("1.3", "Cooperation Framework Indicators", "MEETS", "No"),
    ("2.1", "Joint Programmes", "MEETS", "No"),
    ("2.2", "Communication & Advocacy", "EXCEEDS", "Yes"),
    ("2.3", "Cooperation Framework M & E", "APPROACHING", "No"),
    ("3.1", "Engagement with Government", "EXCEEDS", "No"),
    ("3.2", "Engagement with GEWE CSO", "MEETS", "Yes"),
    ("4.1", "Leadership for Gender Equality", "MEETS", "No"),
    ("4.2", "Organizational Culture", "MEETS", "No"),
    ("4.3", "Gender Parity", "APPROACHING", "No"),
    ("5.1", "Gender Coordination Mechanism", "MISSING", "No"),
    ("5.2", "Gender Mainstreaming Capacities", "APPROACHING", "Yes"),
    ("6.1", "Resource Allocation & Tracking", "APPROACHING", "Yes"),
    ("7.1", "GEWE Results", "APPROACHING", "Yes"),
]
SECTION_HEADINGS = [
    "Contents",
    "1. Background",
    "2. The UNCT-SWAP Framework",
    "2.1 Performance Dimensions and Indicators",
    "2.2 Performance Indicator Ratings and Explanation",
    "3. The UNCT-SWAP Methodology – Annual Progress Reporting",
    "3.1 Participatory Self-Assessment",
    "3.2 UNCT-SWAP Annual Progress Assessments",
    "3.3 Supporting Evidence and Knowledge Hub",
    "4. Quality Assurance and Global Reporting",
    "5. The UNCT-SWAP Process in Kazakhstan",
    "Members of the IAT",
    "6. Overview of Performance Indicators Reassessed, and Performance Indicator Ratings",
    "Table 1: Performance Indicator ratings",
    "Table 2: Overview of UNCT-SWAP Cumulative Results in 2022",
    "7. UNCT-SWAP Detailed Findings by Performance Indicator",
    "Dimension Area 1: Planning",
    "Dimension Area 7: Results",
    "8. UNCT in Kazakhstan Action Plan",
    "9. Supporting Evidence",
]
DRAFT_NAME = re.compile(r"^reports/KAZ-2022-[0-9a-f]{64}\.pdf$")


@pytest.fixture(autouse=True)
def _eager_celery():
    old = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = old


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_parity_demo() -> None:
    """KAZ 2022 staffing (seed 001's 55 % women, small levels included), on the reference data."""
    core_services.load_reference_data(document=load_json("reference.json"))
    call_command("setup_parity_demo", stdout=io.StringIO())


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def request(assessment, by, django_capture_on_commit_callbacks) -> ReportJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = report_services.request_report(assessment=assessment, by=by)
    job.refresh_from_db()
    return job


def stored_reports() -> list[str]:
    root = Path(default_storage.path("reports"))
    return sorted(p.name for p in root.glob("*.pdf")) if root.exists() else []


def edit_finding(assessment, text: str = "A finding written after the report was made.") -> None:
    row = IndicatorAssessment.objects.get(assessment=assessment, indicator__code="2.2")
    row.explanation = text
    row.save(update_fields=["explanation"])


# --- What the PDF says ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_annual_report_pdf_mirrors_the_seed_section_by_section(kaz_2022):
    load_parity_demo()
    _html, made = document.render_assessment(kaz_2022)

    assert made.content.startswith(b"%PDF")
    text = text_of(made.content)
    for heading in SECTION_HEADINGS:
        assert heading in text, heading
    for code, title, rating, reassessed in SEED_TABLE_1:
        # Table 1: the PI, its rating and whether it was reassessed, on one row.
        row = rf"PI {re.escape(code)} {re.escape(title)} {rating} {reassessed}"
        assert re.search(row, text), code
        # Section 7 prints each PI's banner with its rating in full.
        assert f"Performance Indicator {code}:" in text
    assert "APPROACHES MINIMUM REQUIREMENTS" in text
    assert "MISSING REQUIREMENTS" in text
    # The criteria text of the level achieved, and findings per criterion (PI 1.1).
    assert "CCA or equivalent includes: (a) Gender analysis across the majority of sectors" in text
    assert "a) Gender analysis across the majority of sectors" in text
    assert "Did you reassess the Performance Indicator in this reporting year? Yes" in text
    assert "UNCG Annual Work Plan 2022" in text  # PI 2.2's means of verification
    # Section 5: the process, the IAT members, the coordinator.
    assert "Gaukhar Nursha, Gender Specialist" in text
    assert "Dina Amrisheva, UN Women Kazakhstan Programme Manager (coordinator)" in text
    # The chart's numbers: 1 missing, 6 approaching, 5 meets, 3 exceeds.
    assert "Missing requirements (1)" in text
    assert "Approaches minimum requirements (6)" in text
    assert "Meets minimum requirements (5)" in text
    assert "Exceeds minimum requirements (3)" in text
    # Section 8 with its year columns; section 9 with documents or none.
    assert "Activities undertaken in year 4" in text
    assert "Dimension 1 – Planning" in text
    assert "Develop a checklist that includes gender aspects" in text
    assert "UNCT Kaz Joint Comms Plan 2022" in text
    assert "WSAT Kazakhstan schedule June 2022" in text
    assert text.count("No documents uploaded") == 7  # PIs 1.1-1.3, 2.3, 4.2, 4.3, 5.1
    # PI 4.3: the parity table, small cells protected.
    assert "Gender parity in staffing, 2022" in text
    assert "Levels of fewer than 5 people are not shown" in text
    # Running footer, contents with page numbers.
    assert f"Page 3 of {made.pages}" in text
    assert re.search(r"7\. UNCT-SWAP Detailed Findings by Performance Indicator \d+", text)
    assert 20 <= made.pages <= 32


@pytest.mark.django_db
def test_report_pdf_is_tagged_with_metadata_and_subset_fonts(kaz_2022):
    _html, made = document.render_assessment(kaz_2022)
    reader = PdfReader(io.BytesIO(made.content))
    root = reader.trailer["/Root"]

    assert reader.metadata.title == (
        "UNCT-SWAP Gender Equality Scorecard: Annual progress assessment report and action plan, "
        "UNCT Kazakhstan 2022"
    )
    assert reader.metadata.author == "United Nations Country Team in Kazakhstan"
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged (PDF/UA-1)
    assert "/StructTreeRoot" in root
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[str(font["/BaseFont"])] = "/FontFile2" in descriptor
    assert fonts
    assert all(fonts.values())
    assert all(re.match(r"/[A-Z]{6}\+Report-Sans", name) for name in fonts)  # ours, subset


@pytest.mark.django_db
def test_comprehensive_report_has_all_pis_and_no_carry_over_column(assessment, coordinator):
    rows = IndicatorAssessment.objects.filter(assessment=assessment).select_related("indicator")
    for row in rows:
        row.rating = "meets"
        row.save(update_fields=["rating"])
    _html, made = document.render_assessment(assessment)
    text = text_of(made.content)

    assert "COMPREHENSIVE ASSESSMENT REPORT AND ACTION PLAN" in text  # the cover
    assert "3.2 UNCT-SWAP Comprehensive Assessments" in text
    for code in PI_CODES:
        assert re.search(rf"PI {re.escape(code)} .+? MEETS", text), code
    assert "Reassessed" not in text
    assert "Did you reassess" not in text
    assert "Meets minimum requirements (15)" in text
    assert "Activities undertaken in year" not in text
    assert "No action points." in text


@pytest.mark.django_db
def test_evidence_links_only_for_web_addresses(kaz_2022):
    data = document.report_input(kaz_2022)
    data["document"]["indicators"][0]["evidence"] = [
        {"category": "Other", "title": "Web", "url": "https://example.org/a", "entity": None},
        {"category": "Other", "title": "Script", "url": "javascript:alert(1)", "entity": None},
    ]
    context = document.report_context(data)
    assert [(e.title, e.url) for e in context["pis"][0].evidence] == [
        ("Web", "https://example.org/a"),
        ("Script", ""),
    ]


def test_pdf_fetcher_reads_our_static_files_and_refuses_everything_else():
    # The collected copy after `make run`'s collectstatic, else the source tree's.
    found = pdf.static_path("https://pdf.invalid/static/pdf/report.css")
    assert found.endswith("/pdf/report.css")
    assert (
        Path(found).read_bytes() == (Path(settings.BASE_DIR) / "static/pdf/report.css").read_bytes()
    )
    assert pdf.static_path("https://pdf.invalid/static/pdf/../../config/settings.py") is None
    assert pdf.static_path("https://example.org/static/pdf/report.css") is None
    assert pdf.static_path("file:///etc/passwd") is None
    fetcher = pdf._fetcher_class()(allowed_protocols=None)
    with pytest.raises(pdf.ResourceRefused):
        fetcher("file:///etc/passwd")
    with pytest.raises(pdf.ResourceRefused):
        fetcher("https://example.org/tracker.png")


# --- The input: fixed queries, a stable hash, a context with no database -------------------------


def _input_queries(assessment) -> int:
    with CaptureQueriesContext(connection) as captured:
        document.report_input(assessment)
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_report_input_costs_the_same_queries_whatever_the_data(kaz_2022, iat):
    load_parity_demo()
    assessment = Assessment.objects.select_related("country_team__region", "framework").get(
        pk=kaz_2022.pk
    )
    before = _input_queries(assessment)
    rows = list(
        IndicatorAssessment.objects.filter(assessment=assessment).select_related("indicator")
    )
    for n in range(30):
        row = rows[n % len(rows)]
        services.add_evidence(
            row=row,
            by=iat,
            title=f"Report {n}",
            category=None,
            entity=UNEntityFactory(acronym=f"AG{n}"),
            url=f"https://example.org/{n}",
        )
        services.create_action_point(
            assessment=assessment, by=iat, indicator=row.indicator, text=f"Action {n}"
        )
    assert Evidence.objects.filter(indicator_assessment__assessment=assessment).count() >= 30

    assert _input_queries(assessment) == before
    assert before <= 12


@pytest.mark.django_db
def test_content_hash_is_stable_and_follows_every_printed_input(kaz_2022):
    first = document.content_hash(document.report_input(kaz_2022))
    assert document.content_hash(document.report_input(kaz_2022)) == first

    edit_finding(kaz_2022)
    after_finding = document.content_hash(document.report_input(kaz_2022))
    assert after_finding != first

    rule = kaz_2022.framework.indicators.get(code="1.1").rules.get(level="approaches")
    rule.text = "Official text of the level."
    rule.save(update_fields=["text"])
    assert document.content_hash(document.report_input(kaz_2022)) != after_finding


@pytest.mark.django_db
def test_report_context_is_built_without_the_database(kaz_2022, django_assert_num_queries):
    data = document.report_input(kaz_2022)
    with django_assert_num_queries(0):
        context = document.report_context(data)
    assert [pi.code for pi in context["pis"]] == PI_CODES
    assert [(b["short_label"], b["count"]) for b in context["chart"]["bars"]] == [
        ("MISSING", 1),
        ("APPROACHING", 6),
        ("MEETS", 5),
        ("EXCEEDS", 3),
    ]


# --- Jobs ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_request_is_queued_sent_on_commit_and_done_with_file_named_by_its_hash(
    kaz_2022, viewer, fake_render, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = report_services.request_report(assessment=kaz_2022, by=viewer)
    assert job.status == Status.QUEUED
    assert fake_render == []  # nothing sent before the transaction commits
    assert callbacks

    job = request(kaz_2022, viewer, django_capture_on_commit_callbacks)
    content = default_storage.open(job.file.name).read()
    assert job.status == Status.DONE
    assert DRAFT_NAME.match(job.file.name)
    assert job.file.name == f"reports/KAZ-2022-{hashlib.sha256(content).hexdigest()}.pdf"
    assert (job.sha256, job.size, job.pages) == (
        hashlib.sha256(content).hexdigest(),
        len(content),
        3,
    )
    assert job.framework_version == "2018"
    assert job.content_hash == document.content_hash(document.report_input(kaz_2022))
    assert (job.attempts, job.error) == (1, "")
    assert [m.to for m in mailoutbox] == [[viewer.email]]
    assert f"http://127.0.0.1:8000/reports/{job.pk}/download/" in mailoutbox[0].body


@pytest.mark.django_db
def test_repeated_request_for_unchanged_data_is_served_from_the_stored_file(
    kaz_2022, viewer, rc, fake_render, django_capture_on_commit_callbacks
):
    first = request(kaz_2022, viewer, django_capture_on_commit_callbacks)
    again = request(kaz_2022, rc, django_capture_on_commit_callbacks)

    assert again.pk == first.pk
    assert len(fake_render) == 1
    assert ReportJob.objects.count() == 1

    edit_finding(kaz_2022)
    changed = request(kaz_2022, rc, django_capture_on_commit_callbacks)
    assert changed.pk != first.pk
    assert changed.content_hash != first.content_hash
    assert len(fake_render) == 2
    assert len(stored_reports()) == 2


@pytest.mark.django_db
def test_jobs_with_the_same_content_share_one_file(
    kaz_2022, viewer, rc, fake_render, django_capture_on_commit_callbacks
):
    draft = request(kaz_2022, viewer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        frozen = report_services.freeze_report(assessment=kaz_2022, kind=Kind.AS_SUBMITTED, by=rc)

    assert frozen.status == Status.DONE  # at once: nothing to render
    assert (frozen.file.name, frozen.sha256) == (draft.file.name, draft.sha256)
    assert len(fake_render) == 1
    assert stored_reports() == [Path(draft.file.name).name]


@pytest.mark.django_db
def test_frozen_copy_never_changes_with_later_edits(
    kaz_2022, rc, viewer, fake_render, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        frozen = report_services.freeze_report(assessment=kaz_2022, kind=Kind.AS_SUBMITTED, by=rc)
    frozen.refresh_from_db()
    kept = default_storage.open(frozen.file.name).read()

    edit_finding(kaz_2022, "Changed after submission.")
    draft = request(kaz_2022, viewer, django_capture_on_commit_callbacks)
    again = report_services.freeze_report(assessment=kaz_2022, kind=Kind.AS_SUBMITTED, by=rc)

    frozen.refresh_from_db()
    assert default_storage.open(frozen.file.name).read() == kept
    assert hashlib.sha256(kept).hexdigest() == frozen.sha256
    assert draft.sha256 != frozen.sha256
    assert "Changed after submission." not in str(frozen.report_input)
    assert again.pk != frozen.pk  # a later submission of other data is another frozen copy
    with pytest.raises(ValueError, match="as submitted or as approved"):
        report_services.freeze_report(assessment=kaz_2022, kind=Kind.DRAFT, by=rc)


@pytest.mark.django_db
def test_frozen_copy_is_made_from_the_data_of_its_moment_even_if_rendered_later(
    kaz_2022, rc, fake_render, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the broker is slow today
        frozen = report_services.freeze_report(assessment=kaz_2022, kind=Kind.AS_APPROVED, by=rc)
    edit_finding(kaz_2022, "Edited while the job waited.")
    worker.run_job(frozen.pk)

    frozen.refresh_from_db()
    assert frozen.status == Status.DONE
    assert "Edited while the job waited." not in str(fake_render[0])
    assert frozen.content_hash == document.content_hash(fake_render[0])


@pytest.mark.django_db
def test_duplicate_delivery_of_a_finished_job_does_nothing(
    kaz_2022, viewer, fake_render, django_capture_on_commit_callbacks
):
    job = request(kaz_2022, viewer, django_capture_on_commit_callbacks)

    assert worker.run_job(job.pk) == "skipped"
    job.refresh_from_db()
    assert (job.status, job.attempts, len(fake_render)) == (Status.DONE, 1, 1)
    assert len(stored_reports()) == 1


def _queued(assessment, by) -> ReportJob:
    data = document.report_input(assessment)
    return ReportJob.objects.create(
        assessment=assessment,
        kind=Kind.DRAFT,
        requested_by=by,
        requested_at=timezone.now(),
        content_hash=document.content_hash(data),
        framework_version="2018",
        report_input=data,
    )


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:  # the child leaves at once
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


@pytest.mark.django_db
def test_redelivery_after_the_worker_died_renders_once(kaz_2022, viewer, fake_render):
    job = _queued(kaz_2022, viewer)
    ReportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING,
        attempts=1,
        started_at=timezone.now(),
        worker=f"{socket.gethostname()}:{_dead_pid()}",
    )

    assert worker.run_job(job.pk) == "done"
    assert worker.run_job(job.pk) == "skipped"  # and once more, as acks_late may deliver
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Status.DONE, 2)
    assert len(fake_render) == 1
    assert len(stored_reports()) == 1


@pytest.mark.django_db
def test_redelivery_while_a_live_attempt_holds_the_job_waits(kaz_2022, viewer, fake_render):
    job = _queued(kaz_2022, viewer)
    ReportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING,
        attempts=1,
        started_at=timezone.now(),
        worker=f"{socket.gethostname()}:{os.getpid()}",
    )

    with pytest.raises(worker.StillRunning) as held:
        worker.run_job(job.pk)
    assert 100 < held.value.seconds <= worker.lease_seconds()
    assert fake_render == []


@pytest.mark.django_db
def test_a_damaged_file_under_the_final_name_is_replaced(kaz_2022, viewer, fake_render):
    job = _queued(kaz_2022, viewer)
    _html, made = document.render_input(job.report_input)
    fake_render.clear()
    sha = hashlib.sha256(made.content).hexdigest()
    name = storage.file_name(job.report_input, sha)
    Path(default_storage.path(name)).parent.mkdir(parents=True)
    Path(default_storage.path(name)).write_bytes(made.content[:10])  # a write cut short

    worker.run_job(job.pk)
    assert default_storage.open(name).read() == made.content
    assert stored_reports() == [Path(name).name]


@pytest.mark.django_db
def test_job_of_a_deleted_assessment_fails_with_a_reason(kaz_2022, viewer, fake_render):
    job = _queued(kaz_2022, viewer)
    ReportJob.objects.filter(pk=job.pk).update(assessment=None)

    worker.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error == "The assessment was deleted before its report could be made."


@pytest.mark.django_db
def test_template_error_fails_the_job_with_a_readable_reason(kaz_2022, viewer, settings):
    settings.REPORT_TEMPLATE = "pdf/no-such-template.html"
    job = _queued(kaz_2022, viewer)

    assert worker.run_job(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error == "The report template “pdf/no-such-template.html” is missing."
    assert job.finished_at is not None
    assert not job.file


@pytest.mark.django_db
def test_render_over_the_soft_time_limit_fails_the_job(kaz_2022, viewer, monkeypatch):
    def too_slow(data):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(document, "render_input", too_slow)
    monkeypatch.setattr(worker, "render_input", too_slow)
    job = _queued(kaz_2022, viewer)
    worker.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error == "Making the report took too long, so it was stopped. Try again later."


@pytest.mark.django_db
def test_transient_error_is_retried_then_fails(kaz_2022, viewer, monkeypatch):
    def database_away(data):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(document, "render_input", database_away)
    monkeypatch.setattr(worker, "render_input", database_away)
    job = _queued(kaz_2022, viewer)
    with pytest.raises(worker.TransientError):
        worker.run_job(job.pk, last_try=False)
    job.refresh_from_db()
    assert (job.status, job.note) == (Status.QUEUED, worker.RETRYING_NOTE)

    assert worker.run_job(job.pk, last_try=True) == "failed"
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error == "The database was unavailable while the report was made."


@pytest.mark.django_db
def test_job_is_given_up_after_its_worker_died_three_times(kaz_2022, viewer, fake_render):
    job = _queued(kaz_2022, viewer)
    ReportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING,
        attempts=worker.MAX_ATTEMPTS,
        started_at=timezone.now(),
        worker=f"{socket.gethostname()}:{_dead_pid()}",
    )
    worker.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error.startswith("The report service stopped 3 times while making this report")
    assert fake_render == []


@pytest.mark.django_db
def test_task_settings_make_it_neither_lost_nor_run_twice():
    assert render_report.acks_late is True
    assert render_report.reject_on_worker_lost is True
    assert render_report.autoretry_for == (worker.TransientError,)
    assert (render_report.max_retries, render_report.retry_backoff_max) == (3, 60)
    assert (render_report.soft_time_limit, render_report.time_limit) == (90, 120)
    assert worker.lease_seconds() > render_report.time_limit


@pytest.mark.django_db
def test_broker_down_keeps_the_request_and_sends_it_when_the_broker_returns(
    kaz_2022, viewer, client, monkeypatch, django_capture_on_commit_callbacks
):
    celery_app.conf.task_always_eager = False
    sent: list[int] = []

    def down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(render_report, "apply_async", down)
    job = request(kaz_2022, viewer, django_capture_on_commit_callbacks)
    assert (job.status, job.note, job.dispatched_at) == (Status.QUEUED, "broker_down", None)

    client.force_login(viewer)
    page = client.get(f"/reports/{job.pk}/").content.decode()
    assert "The report service is unavailable: your request is kept" in page
    assert 'hx-trigger="every 2s"' in page

    monkeypatch.setattr(render_report, "apply_async", lambda args, **kw: sent.append(args[0]))
    ReportJob.objects.filter(pk=job.pk).update(
        dispatch_attempted_at=timezone.now() - timedelta(seconds=60)
    )
    assert dispatch.dispatch_pending() == 1
    job.refresh_from_db()
    assert sent == [job.pk]
    assert job.dispatched_at is not None
    assert job.note == ""
    assert dispatch.dispatch_pending() == 0  # sent once, not again


@pytest.mark.django_db
def test_status_poll_resends_a_refused_job_when_the_broker_returns(
    kaz_2022, viewer, client, monkeypatch
):
    celery_app.conf.task_always_eager = False
    job = _queued(kaz_2022, viewer)
    ReportJob.objects.filter(pk=job.pk).update(
        note="broker_down",
        dispatch_attempted_at=timezone.now() - timedelta(seconds=30),
    )
    sent: list[int] = []
    monkeypatch.setattr(render_report, "apply_async", lambda args, **kw: sent.append(args[0]))
    client.force_login(viewer)

    page = client.get(f"/reports/{job.pk}/").content.decode()
    assert sent == [job.pk]
    assert "Waiting for the report service" in page


@pytest.mark.django_db
def test_worker_start_resends_jobs_left_running_by_a_dead_worker(kaz_2022, viewer, monkeypatch):
    celery_app.conf.task_always_eager = False
    job = _queued(kaz_2022, viewer)
    ReportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING,
        attempts=1,
        dispatched_at=timezone.now(),
        started_at=timezone.now(),
        worker=f"{socket.gethostname()}:{_dead_pid()}",
    )
    alive = _queued(kaz_2022, viewer)
    ReportJob.objects.filter(pk=alive.pk).update(
        status=Status.RUNNING,
        attempts=1,
        dispatched_at=timezone.now(),
        started_at=timezone.now(),
        worker=f"{socket.gethostname()}:{os.getpid()}",
    )
    sent: list[int] = []
    monkeypatch.setattr(render_report, "apply_async", lambda args, **kw: sent.append(args[0]))

    assert dispatch.dispatch_pending(older_than=0) == 1
    assert sent == [job.pk]


# --- Views and permissions -----------------------------------------------------------------------


@pytest.mark.django_db
def test_report_pages_need_login_and_hide_from_outsiders(
    client, kaz_2022, viewer, outsider, fake_render, django_capture_on_commit_callbacks
):
    job = request(kaz_2022, viewer, django_capture_on_commit_callbacks)
    urls = [
        ("get", "/teams/KAZ/2022/report/"),
        ("post", "/teams/KAZ/2022/report/request/"),
        ("get", f"/reports/{job.pk}/"),
        ("get", f"/reports/{job.pk}/download/"),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"], url
    client.force_login(outsider)
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, url
    assert ReportJob.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # real commits: the job is sent when the request commits
def test_viewer_requests_sees_status_and_downloads_the_pdf(client, kaz_2022, viewer, fake_render):
    client.force_login(viewer)
    response = client.post("/teams/KAZ/2022/report/request/", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    job = ReportJob.objects.get()

    assert response.status_code == 200
    assert 'data-status="done"' in page
    assert "hx-trigger" not in page  # done: the poll stops
    assert f'href="/reports/{job.pk}/download/"' in page

    download = client.get(f"/reports/{job.pk}/download/")
    body = b"".join(download.streaming_content)
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="UNCT-SWAP-KAZ-2022.pdf"'
    assert body.startswith(b"%PDF")
    assert hashlib.sha256(body).hexdigest() == job.sha256


@pytest.mark.django_db
def test_status_polls_while_queued_or_running(client, kaz_2022, viewer):
    job = _queued(kaz_2022, viewer)
    ReportJob.objects.filter(pk=job.pk).update(dispatched_at=timezone.now())
    client.force_login(viewer)

    page = client.get(f"/reports/{job.pk}/").content.decode()
    assert f'hx-get="/reports/{job.pk}/" hx-trigger="every 2s"' in page
    assert "Waiting for the report service" in page

    ReportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=timezone.now())
    page = client.get(f"/reports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "Making the PDF" in page
    assert client.get(f"/reports/{job.pk}/download/").status_code == 404

    ReportJob.objects.filter(pk=job.pk).update(status=Status.FAILED, error="It broke.")
    page = client.get(f"/reports/{job.pk}/").content.decode()
    assert "hx-trigger" not in page
    assert "It broke." in page


@pytest.mark.django_db
def test_overview_loads_the_report_card(client, kaz_2022, viewer):
    client.force_login(viewer)
    page = client.get("/teams/KAZ/2022/").content.decode()
    assert 'hx-get="/teams/KAZ/2022/report/" hx-trigger="load"' in page

    card = client.get("/teams/KAZ/2022/report/", HTTP_HX_REQUEST="true").content.decode()
    assert "Generate PDF" in card
    assert 'data-status="none"' in card
    assert "<html" not in card
    assert "<html" in client.get("/teams/KAZ/2022/report/").content.decode()  # without JS

    response = client.post("/teams/KAZ/2022/report/request/")  # a form post without htmx
    assert response.status_code == 302
    assert response["Location"] == "/teams/KAZ/2022/report/"
    assert ReportJob.objects.get().requested_by == viewer


@pytest.mark.django_db
def test_card_lists_frozen_copies_and_says_when_the_pdf_is_outdated(
    client, kaz_2022, viewer, rc, fake_render, django_capture_on_commit_callbacks
):
    job = request(kaz_2022, viewer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        frozen = report_services.freeze_report(assessment=kaz_2022, kind=Kind.AS_SUBMITTED, by=rc)
    frozen.refresh_from_db()
    client.force_login(viewer)

    card = client.get("/teams/KAZ/2022/report/", HTTP_HX_REQUEST="true").content.decode()
    assert "As submitted" in card
    assert f'title="{frozen.sha256}"' in card
    assert f'href="/reports/{frozen.pk}/download/"' in card
    assert f'href="/reports/{job.pk}/download/"' in card
    assert "report-outdated" not in card

    edit_finding(kaz_2022)
    card = client.get("/teams/KAZ/2022/report/", HTTP_HX_REQUEST="true").content.decode()
    assert "report-outdated" in card
    download = client.get(f"/reports/{frozen.pk}/download/")
    assert download["Content-Disposition"] == (
        'attachment; filename="UNCT-SWAP-KAZ-2022-as-submitted.pdf"'
    )


@pytest.mark.django_db
def test_workflow_freezes_the_report_when_submitted_and_approved(
    kaz_2022, coordinator, rc, reviewer, fake_render, django_capture_on_commit_callbacks
):
    from scorecard import workflow  # noqa: PLC0415

    Assessment.objects.filter(pk=kaz_2022.pk).update(status=Assessment.Status.AWAITING_ENDORSEMENT)
    kaz_2022.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(assessment=kaz_2022, action="endorse_and_submit", by=rc)
        workflow.transition(assessment=kaz_2022, action="start_review", by=reviewer)
        workflow.transition(assessment=kaz_2022, action="approve", by=reviewer)

    frozen = {job.kind: job for job in ReportJob.objects.exclude(kind=Kind.DRAFT)}
    assert set(frozen) == {Kind.AS_SUBMITTED, Kind.AS_APPROVED}
    assert frozen[Kind.AS_SUBMITTED].report_input["document"]["status"] == "submitted"
    assert frozen[Kind.AS_APPROVED].report_input["document"]["status"] == "approved"
    assert all(job.status == Status.DONE for job in frozen.values())


# --- Operators' commands -------------------------------------------------------------------------


@pytest.mark.django_db
def test_render_report_command_writes_the_pdf(kaz_2022, tmp_path, fake_render):
    out = io.StringIO()
    call_command("render_report", "kaz", "2022", "--out", str(tmp_path / "r.pdf"), stdout=out)
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert "r.pdf: 3 pages" in out.getvalue()


@pytest.mark.django_db
def test_bench_report_prints_one_figure_per_line(kaz_2022):
    out = io.StringIO()
    call_command("bench_report", "--runs", "1", "--no-worst-case", stdout=out)
    names = [line.split(":")[0] for line in out.getvalue().splitlines()]
    assert names == [
        "pages",
        "bytes",
        "render_median",
        "render_cpu_median",
        "weasyprint_only_median",
        "overhead_ratio",
        "queries",
        "peak_memory",
        "cached_request",
    ]
    assert re.search(r"^render_median: \d+\.\d+ s$", out.getvalue(), re.M)


@pytest.mark.django_db
def test_bench_report_renders_the_worst_case_through_the_task_and_leaves_no_trace(
    kaz_2022, fake_render
):
    """Every free text at its limit (core/limits.py), rendered by the report task's body; the
    figures name the task's time limit; the database is left as it was."""
    before = (ReportJob.objects.count(), kaz_2022.action_points.count())
    out = io.StringIO()

    call_command("bench_report", "--runs", "1", "--action-points", "2", stdout=out)

    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines())
    assert lines["report_worst_case_action_points"] == "30"
    assert lines["report_worst_case_time_limit"] == "90 s"
    assert re.fullmatch(r"\d+\.\d s", lines["report_worst_case_seconds"])
    assert re.fullmatch(r"\d+\.\d s", lines["docx_worst_case_seconds"])  # real python-docx
    assert lines["report_worst_case_pages"] == "3 pages"  # the fake renderer's
    worst = fake_render[-1]["document"]
    row = worst["indicators"][0]
    assert (len(row["explanation"]), len(row["means_of_verification"])) == (LONG_TEXT, LONG_TEXT)
    assert len(row["override_justification"]) == MEDIUM_TEXT
    assert {len(text) for text in row["findings"].values()} == {FINDING_MAX_LENGTH}
    assert len(worst["process"]["description"]) == LONG_TEXT
    assert {len(p["text"]) for p in worst["action_points"]} == {SHORT_TEXT}
    assert int(lines["report_worst_case_characters"]) > 15 * 2 * LONG_TEXT
    assert (ReportJob.objects.count(), kaz_2022.action_points.count()) == before
    kaz_2022.refresh_from_db()
    assert len(kaz_2022.process_description) < LONG_TEXT


def test_admin_lists_report_jobs_read_only(
    client, admin_user, kaz_2022, viewer, fake_render, django_capture_on_commit_callbacks
):
    job = request(kaz_2022, viewer, django_capture_on_commit_callbacks)
    client.force_login(admin_user)

    listing = client.get("/admin/reports/reportjob/?status=done")
    detail = client.get(f"/admin/reports/reportjob/{job.pk}/change/")
    add = client.get("/admin/reports/reportjob/add/")
    edit = client.post(f"/admin/reports/reportjob/{job.pk}/change/", {"note": "edited"})

    assert listing.status_code == 200
    assert f"/admin/reports/reportjob/{job.pk}/change/" in listing.content.decode()
    assert detail.status_code == 200  # the view permission: shown, not editable
    assert 'name="note"' not in detail.content.decode()
    assert add.status_code == 403
    assert edit.status_code == 403
    job.refresh_from_db()
    assert job.note != "edited"
