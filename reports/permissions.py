"""The one gate for report jobs: whoever may see the assessment may see its reports."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from scorecard.permissions import get_assessment_for_user

from .models import ReportJob


def get_report_job_for_user(user: User | AnonymousUser, pk: int) -> ReportJob:
    """The gate for report jobs: whoever may see the assessment may see its reports (404 else)."""
    job = (
        ReportJob.objects.select_related("assessment__country_team")
        .defer("report_input")
        .filter(pk=pk)
        .first()
    )
    if job is None or job.assessment is None:
        raise Http404
    get_assessment_for_user(user, job.assessment.country_team.code, job.assessment.year)
    return job
