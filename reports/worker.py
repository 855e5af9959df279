"""The worker's side of a report job: claim it, render it (or reuse the file of the same
content), store the file, record the result, e-mail the requester.

The task (reports/tasks.py) is acks_late: a message can come twice, and an attempt can die
half-way, so every step here is guarded. A running attempt holds a lease (`lease_seconds`);
`attempt_is_dead` tells a dead attempt from a live one, for the worker and for dispatch.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.languages import language_of
from core.mail import send_in_their_languages
from core.services import notify
from core.storage import StorageUnavailable

from .document import render_input
from .models import ReportJob
from .storage import copy_result, file_name, store, stored_done_job

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
Status = ReportJob.Status
Kind = ReportJob.Kind
# A code in ReportJob.note, worded by templates/reports/_report_status.html.
RETRYING_NOTE = "retrying"


class TransientError(Exception):
    """A failure that may pass by itself (database or file storage briefly away): the task
    retries. The job is done only once its file is stored."""


class StillRunning(Exception):
    """Another attempt holds the job and may be alive: try again once its lease is over."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"held by another attempt for {seconds:.0f} s more")
        self.seconds = seconds


def knob(name: str, default: float) -> float:
    """An operator setting: Django settings first, then the environment (so a worker started
    for a test can be given one), then the default."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return default if value in (None, "") else float(value)


def lease_seconds() -> float:
    """How long a running attempt is presumed alive: the task's hard time limit plus a margin."""
    return knob("REPORT_LEASE_SECONDS", 150)


def _holder_is_dead(job: ReportJob) -> bool:
    """True when the process that holds the job ran on this host and is gone (or a zombie)."""
    host, _sep, pid = job.worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    except OSError:
        stat = ""
    if stat and stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X"):
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def attempt_is_dead(job: ReportJob) -> bool:
    """A running job whose attempt can no longer finish: its lease is over (the hard time limit
    would have stopped it) or its process on this host has died."""
    if job.status != Status.RUNNING:
        return False
    if (
        job.started_at is None
        or job.started_at + timedelta(seconds=lease_seconds()) < timezone.now()
    ):
        return True
    return _holder_is_dead(job)


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@transaction.atomic
def _fail(job_pk: int, reason: str) -> None:
    open_job = ReportJob.objects.filter(pk=job_pk).exclude(status=Status.DONE)
    before = open_job.values_list("status", flat=True).first()
    open_job.update(status=Status.FAILED, error=reason, finished_at=timezone.now())
    if before is not None and before != Status.FAILED:  # told once, when it fails
        notify_requester(ReportJob.objects.defer("report_input").get(pk=job_pk))


def notify_requester(job: ReportJob) -> int:
    """Tell whoever asked for a report, in the app, that it is ready or could not be made (the
    frozen copies the workflow makes were asked for by nobody). Called in the transaction that
    records the result."""
    if job.kind != Kind.DRAFT or not job.requested_by_id or job.assessment_id is None:
        return 0
    assessment = job.assessment
    team = assessment.country_team
    params = {"team": {"country": team.code, "name": team.name}, "year": assessment.year}
    if job.status == Status.DONE:
        return notify(
            [job.requested_by_id],
            message=gettext_noop("Your PDF report of %(team)s %(year)s is ready."),
            params=params,
            url=reverse("reports:download", kwargs={"pk": job.pk}),
        )
    overview = reverse("scorecard:assessment", kwargs={"code": team.code, "year": assessment.year})
    return notify(
        [job.requested_by_id],
        message=gettext_noop("Your PDF report of %(team)s %(year)s could not be made."),
        params=params,
        url=overview + "#report-card",
    )


def _claim(job_pk: int) -> ReportJob | None:
    """Mark the job running for this attempt, or say why not (None: nothing to do)."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_pk).first()
        if job is None:
            logger.warning("Report job %s does not exist (any more).", job_pk)
            return None
        if job.status in (Status.DONE, Status.FAILED):
            logger.info(
                "Report job %s is %s already: duplicate delivery ignored.", job_pk, job.status
            )
            return None
        if job.status == Status.RUNNING and not attempt_is_dead(job):
            held_until = job.started_at + timedelta(seconds=lease_seconds())
            raise StillRunning(max((held_until - timezone.now()).total_seconds(), 1))
        if job.assessment_id is None:
            job.status, job.finished_at = Status.FAILED, timezone.now()
            job.error = _("The assessment was deleted before its report could be made.")
            job.save(update_fields=["status", "finished_at", "error"])
            return None
        if job.attempts >= MAX_ATTEMPTS:
            job.status, job.finished_at = Status.FAILED, timezone.now()
            job.error = _(
                "The report service stopped %(n)d times while making this report (it may have "
                "run out of memory or time), so it was given up. Try again later; if it fails "
                "again, tell the platform's administrators."
            ) % {"n": job.attempts}
            job.save(update_fields=["status", "finished_at", "error"])
            notify_requester(job)
            return None
        job.status = Status.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.worker = _holder()
        job.error = job.note = ""
        job.save(update_fields=["status", "attempts", "started_at", "worker", "error", "note"])
        return job


def _finish(job: ReportJob, result: ReportJob) -> None:
    """Record the result, unless another attempt took the job over meanwhile."""
    with transaction.atomic():
        locked = ReportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != Status.RUNNING or (locked.worker, locked.attempts) != (
            job.worker,
            job.attempts,
        ):
            logger.info("Report job %s was taken over; this attempt's result is dropped.", job.pk)
            return
        for name in ("status", "file", "sha256", "size", "pages", "render_seconds", "finished_at"):
            setattr(locked, name, getattr(result, name))
        locked.save(
            update_fields=[
                "status", "file", "sha256", "size", "pages", "render_seconds", "finished_at",
            ]
        )  # fmt: skip
        notify_requester(locked)
        if locked.kind == Kind.DRAFT and locked.requested_by_id:
            transaction.on_commit(lambda: notify_done(locked.pk))


def readable_error(error: BaseException) -> str:
    if isinstance(error, TemplateDoesNotExist):
        return _("The report template “%(name)s” is missing.") % {"name": error}
    if isinstance(error, TemplateSyntaxError):
        return _("The report template has an error: %(message)s") % {"message": error}
    return _(
        "An unexpected error stopped the report (%(type)s: %(message)s). Try again; if it "
        "fails again, tell the platform's administrators."
    ) % {"type": type(error).__name__, "message": str(error)[:300]}


def run_job(job_pk: int, *, last_try: bool = True) -> str:
    """The task's body: claim, render (or reuse the file of the same content), store, finish.

    Safe to run twice for one job, at once or one after the other: a finished job is left as it
    is, and a file is only ever written under the SHA-256 of its bytes.
    """
    from celery.exceptions import SoftTimeLimitExceeded  # noqa: PLC0415

    try:
        job = _claim(job_pk)
    except (OperationalError, InterfaceError) as error:
        raise TransientError(str(error)) from error
    if job is None:
        return "skipped"
    try:
        delay = knob("REPORT_TEST_DELAY_SECONDS", 0)
        if delay:
            time.sleep(delay)  # tests only: a slow render to kill a worker in
        result = ReportJob(status=Status.DONE)
        reusable = stored_done_job(job.content_hash)
        if reusable is not None:
            copy_result(result, reusable)
        else:
            started = time.perf_counter()
            _html, made = render_input(job.report_input)
            sha256 = hashlib.sha256(made.content).hexdigest()
            name = file_name(job.report_input, sha256)
            store(name, made.content, sha256)
            result.file, result.sha256 = name, sha256
            result.size, result.pages = len(made.content), made.pages
            result.render_seconds = round(time.perf_counter() - started, 3)
            result.finished_at = timezone.now()
        _finish(job, result)
        return "done"
    except SoftTimeLimitExceeded:
        _fail(job.pk, _("Making the report took too long, so it was stopped. Try again later."))
        return "failed"
    except (OperationalError, InterfaceError, StorageUnavailable) as error:
        if last_try:
            if isinstance(error, StorageUnavailable):
                _fail(job.pk, _("The file storage was unavailable while the report was made."))
            else:
                _fail(job.pk, _("The database was unavailable while the report was made."))
            return "failed"
        ReportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
            status=Status.QUEUED, note=RETRYING_NOTE
        )
        raise TransientError(str(error)) from error
    except Exception as error:
        logger.exception("Report job %s failed", job.pk)
        _fail(job.pk, readable_error(error))
        return "failed"


def notify_done(job_pk: int) -> int:
    """E-mail the requester the download link (errors are logged, never raised)."""
    job = (
        ReportJob.objects.select_related("assessment__country_team", "requested_by__profile")
        .defer("report_input")
        .filter(pk=job_pk)
        .first()
    )
    user = job.requested_by if job else None
    if job is None or user is None or not user.email or job.assessment is None:
        return 0
    assessment = job.assessment
    site = settings.SITE_URL.rstrip("/")
    link = site + reverse("reports:download", kwargs={"pk": job.pk})
    overview = site + reverse(
        "scorecard:assessment",
        kwargs={"code": assessment.country_team.code, "year": assessment.year},
    )

    def compose() -> tuple[str, str]:
        subject = _("UNCT-SWAP %(team)s %(year)s: your PDF report is ready") % {
            "team": assessment.country_team.display_name,
            "year": assessment.year,
        }
        body = _(
            "The PDF report you asked for is ready (%(pages)s pages).\n\nDownload it: %(link)s"
            "\n\nThe assessment: %(overview)s"
        ) % {"pages": job.pages, "link": link, "overview": overview}
        return subject, body

    try:
        return send_in_their_languages([(user.email, language_of(user))], compose)
    except Exception:
        logger.exception("Could not e-mail report job %s to its requester", job_pk)
        return 0
