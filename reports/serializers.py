"""The report jobs' API shapes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import ReportJob


@extend_schema_field(
    serializers.ChoiceField(choices=ReportJob.Kind.choices), component_name="ReportJobKindEnum"
)
class ReportJobKindField(serializers.ChoiceField):
    """A named schema component, so that the assessment's `kind` keeps its name (KindEnum)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ReportJob.Kind.choices, **kwargs)


class ReportJobSerializer(serializers.ModelSerializer):
    """A PDF report job: where it is, and once done, the file's size, pages and digest."""

    kind = ReportJobKindField()
    country_team = serializers.CharField(source="assessment.country_team.code")
    year = serializers.IntegerField(source="assessment.year")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "assessment",
            "country_team",
            "year",
            "kind",
            "language",
            "status",
            "requested_at",
            "started_at",
            "finished_at",
            "note",
            "error",
            "content_hash",
            "framework_version",
            "size",
            "pages",
            "sha256",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj: ReportJob) -> str | None:
        if obj.status != ReportJob.Status.DONE or not obj.file:
            return None
        return f"/api/v1/report-jobs/{obj.pk}/download/"


class ReportRequestSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(help_text=_("The assessment whose PDF report you want."))
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text=_(
            "The report's language. When not given: the language on your profile, else the "
            "language of the request (Accept-Language), else the site's."
        ),
    )


class ReportDocxSerializer(ReportRequestSerializer):
    """The query of `GET /api/v1/report-jobs/docx/`: the assessment, and the language."""

    assessment = serializers.IntegerField(help_text=_("The assessment's id."))
