"""The PDF report's jobs: one row per request, and the file it produced."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from scorecard.models import Assessment


class ReportJob(models.Model):
    """One request for the PDF report, and the file it produced (services.py, worker.py).

    The job keeps the report's whole input as it was when asked for (`report_input`), so the
    PDF shows the data of that moment whenever the worker gets to it. Jobs of kind "as
    submitted" and "as approved" are the frozen copies made by the workflow: never rendered
    again. Files are named by the SHA-256 of their bytes; jobs with the same `content_hash`
    share one file.
    """

    class Kind(models.TextChoices):
        DRAFT = "draft", _("Report")
        AS_SUBMITTED = "as_submitted", _("As submitted")
        AS_APPROVED = "as_approved", _("As approved")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, related_name="report_jobs"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DRAFT)
    # The report's language, as in its input (report_input["language"]): part of the content
    # hash, so each language has its own job and file.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    # When the broker last accepted it (None: never), and when we last tried to hand it over.
    dispatched_at = models.DateTimeField(_("sent to the report service at"), null=True, blank=True)
    dispatch_attempted_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # host:pid of the process rendering it, to tell a dead attempt from a live one.
    worker = models.CharField(max_length=200, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, db_index=True)
    framework_version = models.CharField(_("framework version"), max_length=20)
    report_input = models.JSONField(_("report input"), default=dict)
    file = models.FileField(_("file"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True)
    pages = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    render_seconds = models.FloatField(_("render time (s)"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "kind", "content_hash"],
                condition=~models.Q(kind="draft"),
                name="reportjob_frozen_once",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.assessment} {self.get_kind_display()} [{self.language}] "
            f"({self.get_status_display()})"
        )

    @property
    def is_frozen(self) -> bool:
        return self.kind != self.Kind.DRAFT

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
