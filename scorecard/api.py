"""The REST API under /api/v1/: the same permission gates and the same services as the pages.

Lists start from selectors.assessments_visible_to (one query whatever the user's reach); every
object is fetched through its gate in scorecard.permissions (404 when unknown to the user, 403
when seen but not theirs to change); every write calls the service the HTML view calls. A
service's ValidationError becomes a 400 with its field errors in core.api.exception_handler.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import FileErrorsAsJSON, documented
from core.bodies import body_limit, upload_limit
from core.models import CountryTeam, UNEntity
from core.permissions import country_teams_visible_to, get_country_team_for_user
from core.tabular import XLSX_CONTENT_TYPE

from . import selectors, services, workbook, workbook_import, workflow
from .models import (
    ActionPoint,
    Assessment,
    Comment,
    Evidence,
    EvidenceCategory,
    Framework,
    Indicator,
    IndicatorAssessment,
)
from .permissions import (
    can_comment,
    can_review_team,
    get_action_point_for_user,
    get_assessment_for_user,
    get_comment_for_user,
    get_evidence_for_user,
    get_indicator_assessment_for_user,
)
from .serializers import (
    ActionPointInputSerializer,
    ActionPointSerializer,
    AssessmentSerializer,
    CommentInputSerializer,
    CommentSerializer,
    CountryTeamSerializer,
    EvidenceInputSerializer,
    EvidenceSerializer,
    FrameworkSerializer,
    IndicatorAssessmentSerializer,
    QualityCheckSerializer,
    RatingConflictSerializer,
    RatingInputSerializer,
    ReasonSerializer,
    ReopenDecisionSerializer,
    ReopenRequestSerializer,
    TransitionInputSerializer,
    WorkbookPlanSerializer,
    WorkbookUploadSerializer,
)

# The largest id a bigint primary key holds: SQLite cannot even bind a larger number to a query
# (OverflowError, a 500), so one is refused as input instead.
MAX_ID = 2**63 - 1


def _int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError as error:
        raise ValidationError({name: [_("Enter a whole number.")]}) from error
    if not 0 <= number <= MAX_ID:
        raise ValidationError({name: [_("Enter an id: a whole number, 0 or more.")]})
    return number


def _filter_by(name: str, description: str) -> Any:
    """The list action's query parameter read by _int_param, so the schema documents it."""
    return extend_schema_view(
        list=extend_schema(parameters=[OpenApiParameter(name, int, description=description)])
    )


class XLSXRenderer(BaseRenderer):
    """Lets a client ask for the workbook with `Accept:` the .xlsx type; the view returns the file
    itself, so this renderer never has data of its own to render."""

    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        return data if isinstance(data, bytes) else b""


# Ids are digits: anything else (a word, a negative number, a NUL byte) matches no route and is a
# JSON 404 (core.api.not_found), never a ValueError from int() in get_object.
ID = "[0-9]+"


@documented(
    "country-teams",
    list=gettext_lazy("List the country teams you can see"),
    retrieve=gettext_lazy("Get a country team"),
)
class CountryTeamViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CountryTeamSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9]+"  # ISO codes: no query for a NUL byte or a slash
    queryset = CountryTeam.objects.none()  # for the schema; get_queryset decides

    def get_queryset(self) -> QuerySet[CountryTeam]:
        return country_teams_visible_to(self.request.user).order_by("name")

    def get_object(self) -> CountryTeam:
        return get_country_team_for_user(self.request.user, self.kwargs["code"])


@documented(
    "frameworks",
    list=gettext_lazy("List the frameworks"),
    retrieve=gettext_lazy("Get a framework"),
    document=gettext_lazy("Get a framework as its JSON document"),
)
class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FrameworkSerializer
    queryset = Framework.objects.order_by("-version")
    lookup_value_regex = ID

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def document(self, request: Request, pk: str | None = None) -> Response:
        """The framework as its JSON document (docs/formats.md)."""
        return Response(selectors.framework_document(self.get_object()))


@documented(
    "assessments",
    list=gettext_lazy("List the assessments you can see"),
    retrieve=gettext_lazy("Get an assessment"),
    transition=gettext_lazy("Move an assessment along the review workflow"),
    checks=gettext_lazy("Run the pre-submission quality checks"),
    document=gettext_lazy("Get an assessment as its JSON document"),
    reopen_request=gettext_lazy("Ask UN Women to reopen an approved assessment"),
    decide_reopen=gettext_lazy("Grant or refuse a reopen request"),
    download_workbook=gettext_lazy("Download the assessment as a workbook to fill in offline"),
    import_workbook=gettext_lazy("Check, preview or apply a workbook filled in offline"),
)
class AssessmentViewSet(FileErrorsAsJSON, viewsets.ReadOnlyModelViewSet):
    serializer_class = AssessmentSerializer
    queryset = Assessment.objects.none()
    file_renderers = (XLSXRenderer,)
    lookup_value_regex = ID
    filterset_fields = {
        "country_team__code": ["exact"],
        "year": ["exact"],
        "status": ["exact"],
        "kind": ["exact"],
    }

    def get_queryset(self) -> QuerySet[Assessment]:
        return selectors.assessments_visible_to(self.request.user).order_by(
            "country_team__code", "-year"
        )

    def get_object(self) -> Assessment:
        return get_assessment_for_user(self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=TransitionInputSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the assessment along the review workflow (same rules as the buttons)."""
        assessment = self.get_object()
        data = TransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workflow.transition(
            assessment=assessment,
            action=data.validated_data["action"],
            by=request.user,
            comment=data.validated_data["comment"],
            indicator_codes=data.validated_data["indicators"],
        )
        return Response(AssessmentSerializer(assessment).data)

    # A plain list: not paginated, and the assessment list's filters do not apply to it.
    @extend_schema(responses=QualityCheckSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def checks(self, request: Request, pk: str | None = None) -> Response:
        """The pre-submission quality checks."""
        checks = selectors.quality_checks(self.get_object())
        return Response(QualityCheckSerializer(checks, many=True).data)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def document(self, request: Request, pk: str | None = None) -> Response:
        """The assessment as its JSON exchange document (docs/formats.md)."""
        return Response(selectors.assessment_document(self.get_object()))

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    @action(
        detail=True,
        methods=["get"],
        url_path="workbook",
        renderer_classes=[JSONRenderer, XLSXRenderer],
    )
    def download_workbook(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        """The assessment as an .xlsx workbook in the request's language (as the page's button):
        one sheet per PI, the action plan, the process and the IAT; fill it in offline and send it
        back to `workbook/import/`."""
        assessment = self.get_object()
        body = workbook.build_workbook(
            selectors.workbook_data(assessment), language=translation.get_language()
        )
        response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, workbook.filename(assessment)
        )
        return response

    @extend_schema(
        request={"multipart/form-data": WorkbookUploadSerializer},
        responses={200: WorkbookPlanSerializer, 409: WorkbookPlanSerializer},
    )
    @body_limit(upload_limit(workbook.MAX_BYTES))
    @action(
        detail=True,
        methods=["post"],
        url_path="workbook/import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_workbook(self, request: Request, pk: str | None = None) -> Response:
        """Check a workbook filled in offline and list every change it makes (before and after,
        conflicts with work saved since the download); with `apply`, save them in one transaction
        through the same services as the pages. 400 with every problem (sheet and cell) under
        `file` when anything is wrong: then nothing is saved."""
        assessment = get_assessment_for_user(request.user, pk=int(pk or 0), write=True)
        data = WorkbookUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        content = values["file"].read()
        try:
            if values["apply"]:
                plan = workbook_import.apply_upload(
                    assessment=assessment,
                    by=request.user,
                    data=content,
                    use_workbook=values["use_workbook"],
                    digest=values["digest"] or None,
                )
            else:
                plan = workbook_import.plan_upload(
                    assessment=assessment, data=content, use_workbook=values["use_workbook"]
                )
        except workbook.WorkbookRefused as refused:
            raise ValidationError({"file": refused.messages}) from refused
        except workbook_import.PlanChanged as changed:
            return Response(
                {
                    "detail": _(
                        "The assessment changed since the preview; nothing was saved. Check the "
                        "changes again."
                    ),
                    **WorkbookPlanSerializer(changed.plan.as_dict()).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(WorkbookPlanSerializer(plan.as_dict(applied=values["apply"])).data)

    @extend_schema(request=ReasonSerializer, responses={201: ReopenRequestSerializer})
    @action(detail=True, methods=["post"], url_path="reopen-request")
    def reopen_request(self, request: Request, pk: str | None = None) -> Response:
        """Ask UN Women to reopen an approved assessment (coordinator or Resident Coordinator)."""
        assessment = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reopen = workflow.request_reopen(
            assessment=assessment, by=request.user, reason=data.validated_data["reason"]
        )
        return Response(ReopenRequestSerializer(reopen).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReopenDecisionSerializer, responses=ReopenRequestSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"reopen-requests/(?P<request_id>[0-9]+)/decide",
    )
    def decide_reopen(
        self, request: Request, pk: str | None = None, request_id: str | None = None
    ) -> Response:
        """A reviewer grants (back to the team, returned) or refuses (with a reason)."""
        assessment = self.get_object()
        reopen = assessment.reopen_requests.filter(pk=int(request_id or 0)).first()
        if reopen is None:
            raise NotFound
        data = ReopenDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workflow.decide_reopen(
            reopen_request=reopen,
            by=request.user,
            grant=data.validated_data["grant"],
            comment=data.validated_data["comment"],
        )
        return Response(ReopenRequestSerializer(reopen).data)


@documented(
    "pi-ratings",
    list=gettext_lazy("List PI ratings"),
    retrieve=gettext_lazy("Get a PI rating"),
    update=gettext_lazy("Save a PI rating"),
    reassess=gettext_lazy("Reassess a PI carried over from last year"),
)
@_filter_by("assessment", "Only this assessment's PI ratings.")
class PIRatingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = IndicatorAssessmentSerializer
    queryset = IndicatorAssessment.objects.none()
    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[IndicatorAssessment]:
        qs = IndicatorAssessment.objects.filter(
            assessment__in=selectors.assessments_visible_to(self.request.user)
        ).select_related("indicator")
        assessment = _int_param(self.request, "assessment")
        if assessment is not None:
            qs = qs.filter(assessment_id=assessment)
        return qs.order_by("assessment_id", "indicator__order")

    def get_object(self) -> IndicatorAssessment:
        return get_indicator_assessment_for_user(self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(
        request=RatingInputSerializer,
        responses={200: IndicatorAssessmentSerializer, 409: RatingConflictSerializer},
    )
    def update(self, request: Request, pk: str | None = None) -> Response:
        """Save the rating, criteria and findings; 409 when someone saved a newer version."""
        row = get_indicator_assessment_for_user(request.user, pk=int(pk or 0), write=True)
        if row.is_carried:
            return Response(
                {"detail": _("Not reassessed this year: start the reassessment first.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        data = RatingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version")
        try:
            services.save_indicator_assessment(
                row=row,
                by=request.user,
                data=services.RatingInput(**values),
                expected_version=version,
            )
        except services.ConcurrentEditError as conflict:
            return Response(
                {
                    "detail": _("Someone saved this PI since you read it; nothing was saved."),
                    "current": IndicatorAssessmentSerializer(conflict.current).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(IndicatorAssessmentSerializer(row).data)

    @extend_schema(request=None, responses=IndicatorAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def reassess(self, request: Request, pk: str | None = None) -> Response:
        row = get_indicator_assessment_for_user(request.user, pk=int(pk or 0), write=True)
        services.start_reassessment(row=row, by=request.user)
        return Response(IndicatorAssessmentSerializer(row).data)


@documented(
    "evidence",
    list=gettext_lazy("List evidence"),
    retrieve=gettext_lazy("Get a piece of evidence"),
    create=gettext_lazy("Add evidence: a link or a file"),
    withdraw=gettext_lazy("Withdraw evidence"),
)
@_filter_by("pi_rating", "Only this PI rating's evidence.")
class EvidenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = EvidenceSerializer
    queryset = Evidence.objects.none()
    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[Evidence]:
        qs = Evidence.objects.filter(
            indicator_assessment__assessment__in=selectors.assessments_visible_to(self.request.user)
        ).select_related("category", "entity")
        row = _int_param(self.request, "pi_rating")
        if row is not None:
            qs = qs.filter(indicator_assessment_id=row)
        return qs.order_by("pk")

    def get_object(self) -> Evidence:
        return get_evidence_for_user(self.request.user, int(self.kwargs["pk"]))

    @extend_schema(request=EvidenceInputSerializer, responses={201: EvidenceSerializer})
    @body_limit(upload_limit(lambda: settings.EVIDENCE_MAX_BYTES))
    def create(self, request: Request) -> Response:
        """Attach a link or upload a file (multipart) to a PI rating."""
        data = EvidenceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        row = get_indicator_assessment_for_user(request.user, pk=values["pi_rating"], write=True)
        category = None
        if values["category"]:
            category = EvidenceCategory.objects.filter(
                framework_id=row.indicator.framework_id, name=values["category"]
            ).first()
            if category is None:
                raise ValidationError({"category": [_("Unknown evidence category.")]})
        entity = (
            UNEntity.objects.filter(acronym=values["entity"]).first() if values["entity"] else None
        )
        evidence = services.add_evidence(
            row=row,
            by=request.user,
            title=values["title"],
            category=category,
            entity=entity,
            file=values["file"],
            url=values["url"],
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses=EvidenceSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        evidence = get_evidence_for_user(request.user, int(pk or 0), write=True)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.withdraw_evidence(
            evidence=evidence, by=request.user, reason=data.validated_data["reason"]
        )
        return Response(EvidenceSerializer(evidence).data)


@documented(
    "action-points",
    list=gettext_lazy("List action points"),
    retrieve=gettext_lazy("Get an action point"),
    create=gettext_lazy("Add an action point"),
    update=gettext_lazy("Change an action point"),
    withdraw=gettext_lazy("Withdraw an action point"),
)
@_filter_by("assessment", "Only this assessment's action points.")
class ActionPointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ActionPointSerializer
    queryset = ActionPoint.objects.none()
    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[ActionPoint]:
        qs = ActionPoint.objects.filter(
            assessment__in=selectors.assessments_visible_to(self.request.user)
        ).select_related("indicator", "responsible_entity")
        assessment = _int_param(self.request, "assessment")
        if assessment is not None:
            qs = qs.filter(assessment_id=assessment)
        return qs.order_by("assessment_id", "indicator__order", "order", "pk")

    def get_object(self) -> ActionPoint:
        return get_action_point_for_user(self.request.user, int(self.kwargs["pk"]))

    def _fields(self, values: dict[str, Any], assessment: Assessment) -> dict[str, Any]:
        indicator = Indicator.objects.filter(
            framework_id=assessment.framework_id, code=values.pop("indicator")
        ).first()
        if indicator is None:
            raise ValidationError({"indicator": [_("Unknown PI code for this framework.")]})
        acronym = values.pop("responsible_entity", "")
        entity = UNEntity.objects.filter(acronym=acronym).first() if acronym else None
        if acronym and entity is None:
            raise ValidationError({"responsible_entity": [_("Unknown UN entity.")]})
        return {**values, "indicator": indicator, "responsible_entity": entity}

    @extend_schema(request=ActionPointInputSerializer, responses={201: ActionPointSerializer})
    def create(self, request: Request) -> Response:
        data = ActionPointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        assessment = get_assessment_for_user(request.user, pk=values.pop("assessment"), write=True)
        point = services.create_action_point(
            assessment=assessment, by=request.user, **self._fields(values, assessment)
        )
        return Response(ActionPointSerializer(point).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionPointInputSerializer, responses=ActionPointSerializer)
    def update(self, request: Request, pk: str | None = None) -> Response:
        point = get_action_point_for_user(request.user, int(pk or 0), write=True)
        body = request.data
        if isinstance(body, Mapping):  # else (a JSON list, a string) the serializer's 400
            body = {**body, "assessment": point.assessment_id}
        data = ActionPointInputSerializer(data=body)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("assessment")
        services.update_action_point(
            action_point=point, by=request.user, **self._fields(values, point.assessment)
        )
        return Response(ActionPointSerializer(point).data)

    @extend_schema(request=ReasonSerializer, responses=ActionPointSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        point = get_action_point_for_user(request.user, int(pk or 0), write=True)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.withdraw_action_point(
            action_point=point, by=request.user, reason=data.validated_data["reason"]
        )
        return Response(ActionPointSerializer(point).data)


@documented(
    "comments",
    list=gettext_lazy("List review comments"),
    retrieve=gettext_lazy("Get a comment"),
    create=gettext_lazy("Write a comment or a reply"),
    resolve=gettext_lazy("Resolve a comment thread"),
)
@_filter_by("pi_rating", "Only the comments on this PI rating.")
class CommentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CommentSerializer
    queryset = Comment.objects.none()
    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[Comment]:
        qs = Comment.objects.filter(
            indicator_assessment__assessment__in=selectors.assessments_visible_to(self.request.user)
        )
        row = _int_param(self.request, "pi_rating")
        if row is not None:
            qs = qs.filter(indicator_assessment_id=row)
        return qs.order_by("created_at", "pk")

    def get_object(self) -> Comment:
        return get_comment_for_user(self.request.user, int(self.kwargs["pk"]))

    @extend_schema(request=CommentInputSerializer, responses={201: CommentSerializer})
    def create(self, request: Request) -> Response:
        data = CommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        row = get_indicator_assessment_for_user(request.user, pk=values["pi_rating"])
        assessment = row.assessment
        if not can_comment(request.user, assessment):
            return Response(
                {"detail": _("You cannot comment on this assessment.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        if values["proposed_rating"] and not can_review_team(request.user, assessment.country_team):
            return Response(
                {"detail": _("Only UN Women reviewers propose ratings.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        parent = get_comment_for_user(request.user, values["parent"]) if values["parent"] else None
        comment = services.add_comment(
            row=row,
            by=request.user,
            body=values["body"],
            parent=parent,
            proposed_rating=values["proposed_rating"],
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CommentSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        comment = get_comment_for_user(request.user, int(pk or 0), write=True)
        thread = services.resolve_comment(comment=comment, by=request.user)
        return Response(CommentSerializer(thread).data)
