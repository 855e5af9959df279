"""The report jobs' API (`/api/v1/report-jobs/`): the same gate and services as the pages; and
the report as a Word document, made at once (`/api/v1/report-jobs/docx/?assessment=12`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ErrorSerializer, FileErrorsAsJSON, documented
from scorecard import selectors
from scorecard.permissions import get_assessment_for_user

from . import services
from .dispatch import ensure_dispatched
from .docx import CONTENT_TYPE as WORD_TYPE
from .docx import download_name as word_name
from .models import ReportJob
from .permissions import get_report_job_for_user
from .selectors import report_docx
from .serializers import ReportDocxSerializer, ReportJobSerializer, ReportRequestSerializer
from .storage import file_response


class PDFRenderer(BaseRenderer):
    """Lets a client ask for the download with `Accept: application/pdf`; the view returns the
    file itself, so this renderer never has data of its own to render."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        return data if isinstance(data, bytes) else b""


class DOCXRenderer(PDFRenderer):
    """`Accept:` the Word document's type, for the `docx` action (which returns the file)."""

    media_type = WORD_TYPE
    format = "docx"


@documented(
    "report-jobs",
    list=_("List PDF report jobs"),
    retrieve=_("Get a report job's state"),
    create=_("Ask for an assessment's PDF report"),
    download=_("Download a report's PDF"),
    docx=_("Download an assessment's report as a Word document"),
)
class ReportJobViewSet(
    FileErrorsAsJSON, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """PDF reports: anyone who may see an assessment may ask for its report and download it."""

    serializer_class = ReportJobSerializer
    queryset = ReportJob.objects.none()
    file_renderers = (PDFRenderer,)  # DOCXRenderer is one too
    lookup_value_regex = r"[0-9]+"
    filterset_fields = {"assessment": ["exact"], "kind": ["exact"], "status": ["exact"]}

    def get_queryset(self) -> QuerySet[ReportJob]:
        return (
            ReportJob.objects.filter(
                assessment__in=selectors.assessments_visible_to(self.request.user)
            )
            .select_related("assessment__country_team")
            .defer("report_input")  # the whole report's data: never sent, often large
            .order_by("-requested_at", "-pk")
        )

    def get_object(self) -> ReportJob:
        return get_report_job_for_user(self.request.user, int(self.kwargs["pk"]))

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """The job's state; polling it sends a queued job again if the broker refused it, as
        the page's status poll does."""
        job = self.get_object()
        ensure_dispatched(job)
        return Response(ReportJobSerializer(job).data)

    @extend_schema(
        request=ReportRequestSerializer,
        responses={200: ReportJobSerializer, 201: ReportJobSerializer},
    )
    def create(self, request: Request) -> Response:
        """Ask for the assessment's PDF report, in one of the site's languages: 201 with a new
        job, or 200 with the existing one when the data has not changed since (done, or still
        being made). Each language is a report (and a job) of its own."""
        data = ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = get_assessment_for_user(request.user, pk=data.validated_data["assessment"])
        before = set(ReportJob.objects.filter(assessment=assessment).values_list("pk", flat=True))
        job = services.request_report(
            assessment=assessment,
            by=request.user,
            language=data.validated_data.get("language"),
        )
        job.refresh_from_db()  # embedded mode renders on commit: show where it is now
        created = job.pk not in before
        return Response(
            ReportJobSerializer(job).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            302: OpenApiResponse(
                description=_(
                    "The file is in the bucket: `Location` is a URL to it that expires within "
                    "minutes."
                )
            ),
            503: OpenApiResponse(ErrorSerializer, description=_("The file storage is down.")),
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PDFRenderer])
    def download(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        """The PDF, through the same gate as the page's download (404 until it is done, or when
        the file storage does not have it); when the files are in a bucket, a redirect to it."""
        return file_response(self.get_object())

    @extend_schema(
        parameters=[ReportDocxSerializer],
        responses={
            (200, WORD_TYPE): OpenApiTypes.BINARY,
            400: OpenApiResponse(ErrorSerializer, description=_("Not a language of the report.")),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        renderer_classes=[JSONRenderer, DOCXRenderer],
        pagination_class=None,
        filter_backends=[],
    )
    def docx(self, request: Request) -> HttpResponseBase:
        """The assessment's report as a Word document (.docx), made now from its data as it is:
        the same sections and words as the PDF, with no job to wait for (about 0.3 s). Whoever
        may see the assessment may have it; another team's assessment is a 404."""
        query = ReportDocxSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        assessment = get_assessment_for_user(request.user, pk=query.validated_data["assessment"])
        language = query.validated_data.get("language") or services.default_language(request.user)
        response = HttpResponse(report_docx(assessment, language=language), content_type=WORD_TYPE)
        name = word_name(assessment.country_team.code, assessment.year, language)
        response["Content-Disposition"] = content_disposition_header(True, name)
        response["Cache-Control"] = "no-store"
        return response
