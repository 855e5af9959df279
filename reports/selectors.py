"""Reads of the reports app: what the overview's Report card shows."""

from __future__ import annotations

from dataclasses import dataclass

from scorecard.models import Assessment

from . import docx
from .document import content_hash, report_input
from .models import ReportJob

Status = ReportJob.Status
Kind = ReportJob.Kind


@dataclass(frozen=True)
class ReportCard:
    job: ReportJob | None
    frozen: list[ReportJob]
    outdated: bool
    # The latest finished report in each other language (newest first), to download again.
    other_languages: list[ReportJob]


def report_card(assessment: Assessment) -> ReportCard:
    """What the overview's Report card shows: the latest report, the latest one made in each
    other language, the frozen copies, and whether the data changed since the latest report was
    made (compared in that report's language)."""
    jobs = list(ReportJob.objects.filter(assessment=assessment).defer("report_input"))
    drafts = [j for j in jobs if j.kind == Kind.DRAFT]
    latest = drafts[0] if drafts else None
    frozen = sorted((j for j in jobs if j.kind != Kind.DRAFT), key=lambda j: (j.requested_at, j.pk))
    others: dict[str, ReportJob] = {}
    for job in drafts:
        if job.status == Status.DONE and job.language != latest.language:
            others.setdefault(job.language, job)
    outdated = False
    if latest is not None and latest.status == Status.DONE:
        current = report_input(assessment, language=latest.language)
        outdated = latest.content_hash != content_hash(current)
    return ReportCard(
        job=latest, frozen=frozen, outdated=outdated, other_languages=list(others.values())
    )


def report_docx(assessment: Assessment, *, language: str) -> bytes:
    """The assessment's report as it is now, as a Word document in `language`: the PDF's input
    and context (11 queries), written by reports/docx.py at once, nothing stored (~0.3 s; about
    1 s with every text at its limit: docs/report.md)."""
    return docx.render_input_docx(report_input(assessment, language=language))
