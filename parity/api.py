"""The gender parity API under /api/v1/parity/: the same gates and services as parity/views.py.

Snapshots are fetched through permissions.get_snapshot_for_user (404 when the user may not know
the team, 403 when they may only read); the grid and the file import call the services the pages
call, which check every cell or row before writing anything. The parity strategy tracker is read
here and written by administrators in the Django admin, as on the pages.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from core.api import documented
from core.bodies import body_limit, upload_limit
from core.models import UNEntity
from core.permissions import country_teams_visible_to

from . import selectors, services, tables
from .models import ParityRecommendation, RecommendationUpdate, StaffingCount, StaffingSnapshot
from .permissions import get_snapshot_for_user, get_strategy_entity_for_user, sees_small_cells
from .serializers import (
    ParityRecommendationSerializer,
    ParityStatusSerializer,
    StaffingGridInputSerializer,
    StaffingImportInputSerializer,
    StaffingImportResultSerializer,
    StaffingSnapshotSerializer,
    StrategyEntitySerializer,
    StrategyTrackerSerializer,
)

ID = r"[0-9]+"  # ids only: anything else is an unknown address (404), never a server error


def _counts() -> Prefetch:
    return Prefetch(
        "counts",
        queryset=StaffingCount.objects.select_related("entity").order_by(
            "entity__acronym", "grade"
        ),
    )


def _snapshot_for_user(user: Any, pk: int) -> StaffingSnapshot:
    """A snapshot by id, through the pages' gate (which takes the team code and the year)."""
    found = StaffingSnapshot.objects.filter(pk=pk).values_list("country_team__code", "year").first()
    if found is None:
        raise NotFound
    _team, snapshot = get_snapshot_for_user(user, found[0], found[1])
    if snapshot is None:  # deleted in between
        raise NotFound
    prefetch_related_objects([snapshot], _counts())
    return snapshot


def _grid_error(error: services.StaffingImportError) -> ValidationError:
    """The grid's problems, each under the grade it is about (as the page shows them)."""
    cells: dict[str, list[str]] = defaultdict(list)
    others: list[str] = []
    for problem in error.problems:
        if problem.grade:
            cells[problem.grade].append(problem.message)
        else:
            others.append(problem.message)
    detail: dict[str, Any] = {}
    if cells:
        detail["cells"] = dict(cells)
    if others:
        detail["non_field_errors"] = others
    return ValidationError(detail)


@documented(
    "parity-snapshots",
    list=gettext_lazy("List staffing snapshots"),
    retrieve=gettext_lazy("Get a staffing snapshot"),
    parity_status=gettext_lazy("Get a snapshot's parity status"),
    grid=gettext_lazy("Save one entity's staffing counts"),
    import_file=gettext_lazy("Import a staffing workbook"),
)
class StaffingSnapshotViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A country team's staffing by entity, grade and sex for one year (docs/parity.md)."""

    serializer_class = StaffingSnapshotSerializer
    queryset = StaffingSnapshot.objects.none()  # for the schema; get_queryset decides
    lookup_value_regex = ID
    filterset_fields = {"country_team__code": ["exact"], "year": ["exact"]}

    def get_queryset(self) -> QuerySet[StaffingSnapshot]:
        # The teams whose parity page the user may open: members and reviewers of the region.
        return (
            StaffingSnapshot.objects.filter(
                country_team__in=country_teams_visible_to(self.request.user)
            )
            .select_related("country_team", "updated_by")
            .prefetch_related(_counts())
            .order_by("country_team__code", "-year")
        )

    def get_object(self) -> StaffingSnapshot:
        if "pk" not in self.kwargs:
            # OPTIONS on grid/ (a PUT without an id): DRF's metadata asks for an object to check.
            raise NotFound
        return _snapshot_for_user(self.request.user, int(self.kwargs["pk"]))

    def _output(self, snapshot: StaffingSnapshot) -> dict[str, Any]:
        fresh = self.get_queryset().get(pk=snapshot.pk)
        return StaffingSnapshotSerializer(fresh, context=self.get_serializer_context()).data

    @extend_schema(responses=ParityStatusSerializer)
    @action(detail=True, methods=["get"], url_path="status")
    def parity_status(self, request: Request, pk: str | None = None) -> Response:
        """The parity status document (`parity_status --json`): small cells protected for
        everyone but the team's own members, as on the team page."""
        snapshot = self.get_object()
        full_view = sees_small_cells(request.user, snapshot.country_team)
        status = selectors.parity_status(snapshot, protect_small_cells=not full_view)
        return Response(selectors.status_document(status))

    @extend_schema(request=StaffingGridInputSerializer, responses=StaffingSnapshotSerializer)
    @action(detail=False, methods=["put"], url_path="grid")
    def grid(self, request: Request) -> Response:
        """Replace one entity's counts for a team and year, as the page's grid does (IAT members
        and coordinators, administrators); the snapshot is created when it does not exist."""
        data = StaffingGridInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        team, _snapshot = get_snapshot_for_user(
            request.user, values["country_team"], values["year"], write=True
        )
        entity = UNEntity.objects.filter(acronym=values["entity"]).first()
        if entity is None:
            raise ValidationError({"entity": [_("Unknown UN entity.")]})
        try:
            snapshot = services.save_staffing_grid(
                country_team=team,
                year=values["year"],
                entity=entity,
                cells={grade: dict(cell) for grade, cell in values["cells"].items()},
                as_of=values["as_of"],
                source=values["source"],
                include_non_staff=values["include_non_staff"],
                by=request.user,
            )
        except services.StaffingImportError as error:
            raise _grid_error(error) from error
        return Response(self._output(snapshot))

    @extend_schema(
        request={"multipart/form-data": StaffingImportInputSerializer},
        responses=StaffingImportResultSerializer,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    @body_limit(upload_limit(tables.MAX_BYTES))
    def import_file(self, request: Request) -> Response:
        """Import a .xlsx or .csv file replacing all the figures of the year, as the team page's
        upload does; every row is checked first and nothing is written with any problem."""
        data = StaffingImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        team, _snapshot = get_snapshot_for_user(
            request.user, values["country_team"], values["year"], write=True
        )
        try:
            result = services.import_staffing(
                country_team=team,
                year=values["year"],
                file=values["file"],
                as_of=values["as_of"],
                source=values["source"],
                include_non_staff=values["include_non_staff"],
                by=request.user,
            )
        except services.StaffingImportError as error:
            raise ValidationError({"file": error.messages}) from error
        return Response(
            {
                "rows": result.rows,
                "entities": result.entities,
                "snapshot": self._output(result.snapshot),
            }
        )


def _recommendations() -> QuerySet[ParityRecommendation]:
    return (
        ParityRecommendation.objects.select_related("entity")
        .prefetch_related(
            Prefetch("updates", queryset=RecommendationUpdate.objects.order_by("-year"))
        )
        .order_by("entity__acronym", "order", "number")
    )


@documented(
    "parity-recommendations",
    list=gettext_lazy("List parity strategy recommendations"),
    retrieve=gettext_lazy("Get a parity strategy recommendation"),
)
class ParityRecommendationViewSet(viewsets.ReadOnlyModelViewSet):
    """The SG's System-wide Strategy on Gender Parity: recommendations with their yearly status.
    Read by every logged-in user; written by administrators in the Django admin."""

    serializer_class = ParityRecommendationSerializer
    queryset = ParityRecommendation.objects.none()
    lookup_value_regex = ID
    filterset_fields = {"entity__acronym": ["exact"]}

    def get_queryset(self) -> QuerySet[ParityRecommendation]:
        return _recommendations()

    def get_object(self) -> ParityRecommendation:
        recommendation = _recommendations().filter(pk=int(self.kwargs["pk"])).first()
        if recommendation is None:
            raise NotFound
        get_strategy_entity_for_user(self.request.user, recommendation.entity.acronym)
        return recommendation


@documented(
    "parity-strategy",
    list=gettext_lazy("List the UN entities with a parity strategy"),
    retrieve=gettext_lazy("Get a UN entity's parity strategy tracker"),
)
class StrategyViewSet(viewsets.GenericViewSet):
    """Each entity's parity strategy tracker, as on /parity/strategy/<acronym>/."""

    queryset = UNEntity.objects.none()
    lookup_field = "acronym"
    lookup_value_regex = r"[^/]+"  # acronyms have spaces ("UN Women")
    filter_backends: list[Any] = []

    def get_serializer_class(self) -> type[BaseSerializer]:
        return StrategyEntitySerializer if self.action == "list" else StrategyTrackerSerializer

    @extend_schema(responses=StrategyEntitySerializer(many=True))
    def list(self, request: Request) -> Response:
        """Entities with recommendations, with how many each has."""
        page = self.paginate_queryset(selectors.strategy_entities())
        return self.get_paginated_response(StrategyEntitySerializer(page, many=True).data)

    @extend_schema(responses=StrategyTrackerSerializer)
    def retrieve(self, request: Request, acronym: str | None = None) -> Response:
        """The entity's recommendations with every yearly update, and its workforce shares."""
        entity = get_strategy_entity_for_user(request.user, acronym or "")
        return Response(StrategyTrackerSerializer(selectors.strategy_tracker(entity)).data)
