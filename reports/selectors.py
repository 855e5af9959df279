"""Reads of the reports app: what the overview's Report card shows."""

from __future__ import annotations

from dataclasses import dataclass

from scorecard.models import Assessment

from .document import content_hash, report_input
from .models import ReportJob

Status = ReportJob.Status
Kind = ReportJob.Kind


@dataclass(frozen=True)
class ReportCard:
    job: ReportJob | None
    frozen: list[ReportJob]
    outdated: bool


def report_card(assessment: Assessment) -> ReportCard:
    """What the overview's Report card shows: the latest report, the frozen copies, and whether
    the data changed since the latest report was made."""
    jobs = list(ReportJob.objects.filter(assessment=assessment).defer("report_input"))
    latest = next((j for j in jobs if j.kind == Kind.DRAFT), None)
    frozen = sorted((j for j in jobs if j.kind != Kind.DRAFT), key=lambda j: (j.requested_at, j.pk))
    outdated = False
    if latest is not None and latest.status == Status.DONE:
        outdated = latest.content_hash != content_hash(report_input(assessment))
    return ReportCard(job=latest, frozen=frozen, outdated=outdated)
