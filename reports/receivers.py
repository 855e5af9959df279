"""What the reports app does when the scorecard announces something (scorecard/signals.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.dispatch import receiver

from scorecard.models import Assessment
from scorecard.signals import assessment_transitioned

from .models import ReportJob
from .services import freeze_report

# The PDF kept at these workflow steps, never made again (docs/report.md).
FROZEN_REPORTS = {
    "endorse_and_submit": ReportJob.Kind.AS_SUBMITTED,
    "approve": ReportJob.Kind.AS_APPROVED,
}


@receiver(assessment_transitioned, dispatch_uid="reports.freeze_at_submission_and_approval")
def freeze_at_submission_and_approval(
    sender: Any, *, assessment: Assessment, action: str, by: User, **kwargs: Any
) -> None:
    """The report of this moment: its input is read now, inside the workflow's transaction; the
    worker renders it after the commit. Later edits never change it."""
    if action in FROZEN_REPORTS:
        freeze_report(assessment=assessment, kind=FROZEN_REPORTS[action], by=by)
