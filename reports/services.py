"""Writes of the reports app: asking for the report of an assessment as it is now, and keeping
the report of a moment ("as submitted", "as approved") that is never made again.

A request becomes a `ReportJob` that keeps its input, so the PDF shows the data of the moment it
was asked for even if the worker gets to it later. A request for unchanged data gets the stored
file at once. The job moves queued → running → done | failed (worker.py); it is sent to the
broker only after the transaction commits (dispatch.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation

from core.languages import is_supported, language_of
from scorecard.models import Assessment

from .dispatch import dispatch, dispatch_pending, ensure_dispatched
from .document import content_hash, report_input, report_language
from .models import ReportJob
from .storage import copy_result, file_ok, stored_done_job

Status = ReportJob.Status
Kind = ReportJob.Kind


def _new_job(
    *, assessment: Assessment, kind: str, by: User | None, data: dict[str, Any], digest: str
) -> ReportJob:
    job = ReportJob(
        assessment=assessment,
        kind=kind,
        requested_by=by,
        requested_at=timezone.now(),
        language=data["language"],
        content_hash=digest,
        framework_version=data["framework"]["version"],
        report_input=data,
    )
    reusable = stored_done_job(digest)
    if reusable is not None:
        copy_result(job, reusable)
    job.save()
    if job.status == Status.QUEUED:
        transaction.on_commit(lambda: dispatch(job.pk))
    return job


def default_language(user: User | None) -> str:
    """The language a person's report comes in unless they choose: the one on their profile,
    else the language they are reading the site in, else the site's."""
    for code in (language_of(user), translation.get_language()):
        if is_supported(code):
            return code
    return settings.LANGUAGE_CODE


@transaction.atomic
def request_report(
    *, assessment: Assessment, by: User | None, language: str | None = None
) -> ReportJob:
    """The report of the assessment as it is now, in `language` (default_language(by) when not
    given; ValidationError on `language` for a code that is not one of settings.LANGUAGES): the
    stored one when the data has not changed, else a new queued job sent to the worker once the
    transaction commits. Each language is a report of its own (its own hash, job and file)."""
    language = report_language(language) if language else default_language(by)
    # One request at a time per assessment, so two clicks make one job (as the workflow locks).
    list(Assessment.objects.select_for_update().filter(pk=assessment.pk).values_list("pk"))
    data = report_input(assessment, language=language)
    digest = content_hash(data)
    same = ReportJob.objects.filter(assessment=assessment, kind=Kind.DRAFT, content_hash=digest)
    done = same.filter(status=Status.DONE).first()
    if done is not None and file_ok(done.file.name, done.sha256):
        return done
    active = same.filter(status__in=[Status.QUEUED, Status.RUNNING]).first()
    if active is not None:
        transaction.on_commit(lambda: ensure_dispatched(active))
        return active
    job = _new_job(assessment=assessment, kind=Kind.DRAFT, by=by, data=data, digest=digest)
    # A request is also a chance to send what the broker missed while it was down.
    transaction.on_commit(dispatch_pending)
    return job


def freeze_report(*, assessment: Assessment, kind: str, by: User | None) -> ReportJob:
    """Keep the report of this moment ("as submitted", "as approved"). Call it inside the
    workflow's transaction, after the state change: the input is read now, rendered later.

    Frozen copies are in the site's language (settings.LANGUAGE_CODE), whoever takes the step:
    they are the record UN Women receives and compares across country teams, one per step, not
    one per language of whoever clicked. An approved assessment no longer changes, so its report
    in any other language is a request away (docs/report.md)."""
    if kind == Kind.DRAFT:
        raise ValueError("A frozen report is as submitted or as approved.")
    data = report_input(assessment, language=settings.LANGUAGE_CODE)
    digest = content_hash(data)
    existing = ReportJob.objects.filter(
        assessment=assessment, kind=kind, content_hash=digest
    ).first()
    if existing is not None:
        return existing
    return _new_job(assessment=assessment, kind=kind, by=by, data=data, digest=digest)
