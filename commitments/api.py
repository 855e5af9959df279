"""The Generation Equality commitments API under /api/v1/commitments/: the same gates and
services as commitments/views.py.

Makers, commitments and progress reports are public on the pages, so every logged-in user reads
them all here (the API as a whole needs a login); a gate raises 404 only for what does not exist.
Writing needs an editor role for the maker, or an administrator (403 otherwise), and goes through
services.create_commitment / update_commitment / file_progress_report / update_progress_report,
whose rules report every problem at once, field by field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import documented

from . import selectors, services
from .filters import CommitmentFilter
from .models import ActionCoalition, Commitment, CommitmentMaker, CompactArea, ProgressReport
from .permissions import (
    can_file_commitments,
    get_commitment_for_user,
    get_maker_for_user,
    get_progress_report_for_user,
)
from .serializers import (
    CommitmentCreateSerializer,
    CommitmentInputSerializer,
    CommitmentMakerSerializer,
    CommitmentSerializer,
    ProgressCreateSerializer,
    ProgressInputSerializer,
    ProgressReportSerializer,
)

ID = r"[0-9]+"  # ids only: "makers" and "progress-reports" are never taken for a commitment id


def _not_available(value: Any) -> str:
    return _("Select a valid choice: %(value)s is not one of the available choices.") % {
        "value": value
    }


@documented(
    "commitment-makers",
    list=gettext_lazy("List commitment makers"),
    retrieve=gettext_lazy("Get a commitment maker"),
)
class CommitmentMakerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CommitmentMakerSerializer
    queryset = CommitmentMaker.objects.none()
    lookup_value_regex = ID
    filterset_fields = {"category": ["exact"], "country_code": ["exact"]}

    def get_queryset(self) -> QuerySet[CommitmentMaker]:
        return CommitmentMaker.objects.prefetch_related("leads").order_by("name", "pk")

    def get_object(self) -> CommitmentMaker:
        return get_maker_for_user(self.request.user, int(self.kwargs["pk"]))


class CommitmentApiFilter(CommitmentFilter):
    """The public dashboard's filters (same querystring as /commitments/), plus the maker.

    `country` is a plain code here: the page's filter gets its choices (the makers' countries)
    per request in __init__, which the schema cannot show; and the schema generator must never
    build a form field on the page's own Filter object (its choices would be cached empty).
    """

    country = django_filters.CharFilter(
        field_name="maker__country_code", label=gettext_lazy("Country (ISO 3166-1 alpha-3)")
    )
    maker = django_filters.ModelChoiceFilter(
        queryset=CommitmentMaker.objects.all(), label=gettext_lazy("Commitment maker (id)")
    )

    class Meta(CommitmentFilter.Meta):
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not CommitmentFilter.__init__: it would give `country` the page's list of choices.
        django_filters.FilterSet.__init__(self, *args, **kwargs)


@documented(
    "commitments",
    list=gettext_lazy("List Generation Equality commitments"),
    retrieve=gettext_lazy("Get a commitment"),
    create=gettext_lazy("Make a commitment"),
    update=gettext_lazy("Change a commitment"),
)
class CommitmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CommitmentSerializer
    queryset = Commitment.objects.none()
    lookup_value_regex = ID
    filterset_class = CommitmentApiFilter

    def get_queryset(self) -> QuerySet[Commitment]:
        return selectors.listed(selectors.public_commitments()).order_by(
            "-start_year", "maker__name", "title", "pk"
        )

    def get_object(self) -> Commitment:
        return get_commitment_for_user(self.request.user, int(self.kwargs["pk"]))

    def _input(
        self, values: dict[str, Any], user: User | AnonymousUser, current: Commitment | None
    ) -> services.CommitmentInput:
        """Codes and ids to objects, with the choices the form offers this user; unknown ones
        are field errors, all reported together."""
        errors: dict[str, list[str]] = {}
        coalitions = list(ActionCoalition.objects.filter(code__in=values["coalitions"]))
        unknown = sorted(set(values["coalitions"]) - {c.code for c in coalitions})
        if unknown:
            errors["coalitions"] = [_not_available(code) for code in unknown]
        areas = list(CompactArea.objects.filter(letter__in=values["compact_areas"]))
        unknown = sorted(set(values["compact_areas"]) - {a.letter for a in areas})
        if unknown:
            errors["compact_areas"] = [_not_available(letter) for letter in unknown]

        def linked(name: str, choices: Callable[..., QuerySet[Any]], lookup: str) -> Any:
            value = values[name]
            if value in (None, ""):
                return None
            current_id = getattr(current, f"{name}_id", None)
            found = choices(user, include=[current_id] if current_id else [])
            found = found.filter(**{lookup: value}).first()
            if found is None:
                errors[name] = [_not_available(value)]
            return found

        team = linked("country_team", selectors.linkable_country_teams, "code__iexact")
        row = linked("indicator_assessment", selectors.linkable_indicator_assessments, "pk")
        point = linked("action_point", selectors.linkable_action_points, "pk")
        if errors:
            raise ValidationError(errors)
        fields = {
            name: values[name]
            for name in (
                "title",
                "description",
                "types",
                "start_year",
                "end_year",
                "amount",
                "currency",
                "geography",
                "status",
                *services.CRITERIA,
            )
        }
        return services.CommitmentInput(
            **fields,
            coalitions=coalitions,
            compact_areas=areas,
            country_team=team,
            indicator_assessment=row,
            action_point=point,
        )

    def _output(self, commitment: Commitment) -> dict[str, Any]:
        fresh = get_commitment_for_user(self.request.user, commitment.pk)
        return CommitmentSerializer(fresh, context=self.get_serializer_context()).data

    @extend_schema(request=CommitmentCreateSerializer, responses={201: CommitmentSerializer})
    def create(self, request: Request) -> Response:
        """File a commitment for a maker you edit (as /commitments/new/)."""
        if not can_file_commitments(request.user):
            raise PermissionDenied
        data = CommitmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        maker = get_maker_for_user(request.user, values.pop("maker"), write=True)
        commitment_input = self._input(values, request.user, None)
        commitment = services.create_commitment(maker=maker, data=commitment_input, by=request.user)
        return Response(self._output(commitment), status=status.HTTP_201_CREATED)

    @extend_schema(request=CommitmentInputSerializer, responses=CommitmentSerializer)
    def update(self, request: Request, pk: str | None = None) -> Response:
        """Replace a commitment's fields (as its edit page); links made by others are kept when
        sent back unchanged."""
        commitment = get_commitment_for_user(request.user, int(pk or 0), write=True)
        data = CommitmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        commitment_input = self._input(dict(data.validated_data), request.user, commitment)
        services.update_commitment(commitment=commitment, data=commitment_input, by=request.user)
        return Response(self._output(commitment))


@documented(
    "progress-reports",
    list=gettext_lazy("List progress reports"),
    retrieve=gettext_lazy("Get a progress report"),
    create=gettext_lazy("File a progress report"),
    update=gettext_lazy("Change a progress report"),
)
class ProgressReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ProgressReportSerializer
    queryset = ProgressReport.objects.none()
    lookup_value_regex = ID
    filterset_fields = {"commitment": ["exact"], "commitment__maker": ["exact"], "year": ["exact"]}

    def get_queryset(self) -> QuerySet[ProgressReport]:
        return ProgressReport.objects.select_related("commitment").order_by(
            "commitment_id", "-year", "pk"
        )

    def get_object(self) -> ProgressReport:
        return get_progress_report_for_user(self.request.user, int(self.kwargs["pk"]))

    def _input(self, values: dict[str, Any]) -> services.ProgressInput:
        return services.ProgressInput(**values)

    @extend_schema(request=ProgressCreateSerializer, responses={201: ProgressReportSerializer})
    def create(self, request: Request) -> Response:
        """File the report on one year of a commitment (one per commitment and year)."""
        data = ProgressCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        commitment = get_commitment_for_user(request.user, values.pop("commitment"), write=True)
        report = services.file_progress_report(
            commitment=commitment, data=self._input(values), by=request.user
        )
        return Response(
            ProgressReportSerializer(report, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ProgressInputSerializer, responses=ProgressReportSerializer)
    def update(self, request: Request, pk: str | None = None) -> Response:
        report = get_progress_report_for_user(request.user, int(pk or 0), write=True)
        data = ProgressInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.update_progress_report(
            report=report, data=self._input(dict(data.validated_data)), by=request.user
        )
        return Response(
            ProgressReportSerializer(report, context=self.get_serializer_context()).data
        )
