"""The Knowledge Hub's API under /api/v1/hub/practices/: the same gate and services as the pages.

The list is the Hub page: published items only, whoever asks (hub.selectors.search_practices,
which starts from published items), with the page's search and filters. Every item is fetched
through hub.permissions.get_practice_for_user: 404 when the user may not know it exists (an
unpublished item outside the team, or before the coordinator agreed for a reviewer), 403 when
they see it but the step is not theirs. A step the user could take, only not at the item's
status, is a 400 saying so (the services' own message), as the services answer a race. Every
write calls the service the page calls; a service's ValidationError becomes a 400 with its field
errors in core.api.exception_handler.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.api import documented
from core.models import Region
from core.permissions import (
    AnyUser,
    get_country_team_for_user,
    is_admin,
    is_reviewer,
    reviews_region,
    role_in,
    team_roles,
)
from scorecard.models import Dimension, Indicator
from scorecard.permissions import get_evidence_for_user
from scorecard.selectors import current_framework

from . import selectors, services
from .models import Practice
from .permissions import (
    ACTIONS,
    AGREE_FROM,
    CURATE_FROM,
    PUBLISH_FROM,
    WITHDRAW_FROM,
    can_propose,
    get_practice_for_user,
)
from .serializers import (
    MAX_ID,
    EvidenceProposalSerializer,
    PracticeDetailSerializer,
    PracticeInputSerializer,
    PracticeResultSerializer,
    SearchQuerySerializer,
    StepReasonSerializer,
    TeamPracticeSerializer,
    TeamScopeSerializer,
)

Status = Practice.Status
# Ids are digits: anything else matches no route and is a JSON 404 (core.api.not_found).
ID = "[0-9]+"
# Where each gated step may start from (hub.permissions): to tell "not now" (400) from "not
# yours" (403).
STEP_FROM = {
    "agree": AGREE_FROM,
    "publish": PUBLISH_FROM,
    "withdraw": WITHDRAW_FROM,
    "curate": CURATE_FROM,
}
FILES_NOT_HERE = gettext_lazy(
    "Files cannot be sent through the API: propose a good practice with files on the Knowledge "
    "Hub's page, or give links to them."
)


def _not_available(value: Any) -> str:
    return _("Select a valid choice: %(value)s is not one of the available choices.") % {
        "value": value
    }


def _not_now(practice: Practice) -> str:
    # The services' message for a step from the wrong status, word for word.
    return _("Not possible now: the item's status is “%(status)s”.") % {
        "status": practice.get_status_display()
    }


def _insider(user: AnyUser) -> Callable[[Practice], bool]:
    """Who sees an item as its team does (its team, ratings and history even when published
    anonymously): its team's members, the reviewers of its region, administrators. Roles and
    regions are read once per request (core.permissions caches them on the user)."""

    def check(practice: Practice) -> bool:
        return (
            is_admin(user)
            or role_in(user, practice.country_team_id) is not None
            or reviews_region(user, practice.country_team.region_id)
        )

    return check


def _may_at_some_step(user: AnyUser, practice: Practice, step: str) -> bool:
    """Whether the gate would let the user take the step from a status it starts from: the
    predicates check the role and the status together."""
    probe = copy.copy(practice)
    for allowed in STEP_FROM[step]:
        probe.status = allowed
        if ACTIONS[step](user, probe):
            return True
    return False


def _for_step(user: AnyUser, pk: int, step: str) -> Practice:
    """The item through the gate for the step: 404 unknown to the user, 403 not theirs to take,
    400 theirs but not from the item's status (the services' message)."""
    try:
        return get_practice_for_user(user, pk, action=step)
    except PermissionDenied:
        practice = get_practice_for_user(user, pk)
        if _may_at_some_step(user, practice, step):
            raise DjangoValidationError(_not_now(practice)) from None
        raise


def _code_or_id(codes: QuerySet[Any], lookup: str, ids: QuerySet[Any], value: str) -> int | None:
    """The id of what `value` names: a code first, else digits as an id."""
    found = codes.filter(**{lookup: value}).values_list("pk", flat=True).first()
    if found is None and value.isascii() and value.isdigit() and int(value) <= MAX_ID:
        found = ids.filter(pk=int(value)).values_list("pk", flat=True).first()
    return found


def _search_filters(values: dict[str, Any]) -> selectors.HubFilters:
    """The filters' codes as the ids HubFilters takes; an unknown one is a 400 naming it."""
    errors: dict[str, list[str]] = {}
    framework = current_framework()
    indicator = region = dimension = None
    if values["indicator"]:
        # A code names a PI of the current framework; digits may also be any PI's id.
        indicator = _code_or_id(
            Indicator.objects.filter(framework=framework),
            "code",
            Indicator.objects.all(),
            values["indicator"],
        )
        if indicator is None:
            errors["indicator"] = [_not_available(values["indicator"])]
    if values["region"]:
        region = _code_or_id(Region.objects.all(), "code", Region.objects.all(), values["region"])
        if region is None:
            errors["region"] = [_not_available(values["region"])]
    if values["dimension"] is not None:
        dimension = (
            Dimension.objects.filter(framework=framework, number=values["dimension"])
            .values_list("pk", flat=True)
            .first()
        )
        if dimension is None:
            errors["dimension"] = [_not_available(values["dimension"])]
    if errors:
        raise ValidationError(errors)
    return selectors.HubFilters(
        indicator=indicator,
        dimension=dimension,
        region=region,
        language=values["language"],
        year=values["year"],
        rating=values["rating"],
    )


@documented(
    "hub-practices",
    list=gettext_lazy("Search the Knowledge Hub's published items"),
    retrieve=gettext_lazy("Get a Knowledge Hub item"),
    create=gettext_lazy("Propose a good practice to the Knowledge Hub"),
    propose_evidence=gettext_lazy("Propose one of your team's evidence items to the Knowledge Hub"),
    mine=gettext_lazy("List your teams' Knowledge Hub items, at every step"),
    queue=gettext_lazy("List the Knowledge Hub items waiting for your review"),
    agree=gettext_lazy("Agree, as the team's coordinator, to share an item"),
    refuse=gettext_lazy("Refuse an item, with a reason"),
    publish=gettext_lazy("Publish an item the team agreed to share"),
    withdraw=gettext_lazy("Withdraw an item from the Knowledge Hub"),
    feature=gettext_lazy("Feature a published item"),
    unfeature=gettext_lazy("Stop featuring a published item"),
    retire=gettext_lazy("Retire a published item"),
)
class PracticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PracticeDetailSerializer
    queryset = Practice.objects.none()
    lookup_value_regex = ID
    # The list reads its own query string (the Hub page's search and filters).
    filter_backends: list[Any] = []

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "insider": _insider(self.request.user)}

    def get_object(self) -> Practice:
        return get_practice_for_user(self.request.user, int(self.kwargs["pk"]))

    def _detail(self, practice: Practice, *, code: int = status.HTTP_200_OK) -> Response:
        # Read again through the gate: the step changed it, and the answer shows what the user
        # may now see of it.
        fresh = get_practice_for_user(self.request.user, practice.pk)
        selectors.practice_details(fresh, with_history=_insider(self.request.user)(fresh))
        return Response(
            PracticeDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=code,
        )

    def _page_number(self, request: Request) -> int:
        """The `page` parameter as DRF's paginator reads it: a bad one is a 404."""
        raw = request.query_params.get(self.paginator.page_query_param) or "1"
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_ID:
            raise NotFound(self.paginator.invalid_page_message)
        return int(raw)

    @extend_schema(
        parameters=[SearchQuerySerializer],
        responses=PracticeResultSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        """Published items, featured first then the newest; with `q`, the best matches first,
        their title and summary highlighted. Paged like every list of the API."""
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        filters = _search_filters(values)
        number = self._page_number(request)
        page = selectors.search_practices(
            values["q"], filters, request.user, page=number, page_size=self.paginator.page_size
        )
        if page.number != number:  # past the last page (the selector gives the last one)
            raise NotFound(self.paginator.invalid_page_message)
        highlights = {r.practice.pk: (r.title, r.summary) for r in page.results if page.query}
        # The public item, as the Hub page shows it: no "insider" here.
        results = PracticeResultSerializer(
            [result.practice for result in page.results],
            many=True,
            context={"request": request, "highlights": highlights},
        ).data
        url = request.build_absolute_uri()
        page_param = self.paginator.page_query_param
        previous = None
        if page.has_previous:
            previous = (
                remove_query_param(url, page_param)
                if number == 2
                else replace_query_param(url, page_param, number - 1)
            )
        return Response(
            {
                "count": page.count,
                "next": replace_query_param(url, page_param, number + 1) if page.has_next else None,
                "previous": previous,
                "results": results,
            }
        )

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """The item for whoever may see it: published, every logged-in user; before that, its
        team, administrators, and the reviewers of its region once the team agreed."""
        return self._detail(self.get_object())

    def _paged(self, practices: QuerySet[Practice]) -> Response:
        page = self.paginate_queryset(practices)
        data = TeamPracticeSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(parameters=[TeamScopeSerializer], responses=TeamPracticeSerializer(many=True))
    @action(detail=False, methods=["get"])
    def mine(self, request: Request) -> Response:
        """Every item of the teams you are a member of, whatever its step, newest first (the
        coordinator's items to agree: `status=proposed`)."""
        query = TeamScopeSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        # Every member may see the team's items at every step (hub.permissions).
        practices = selectors.practices_of_teams(team_roles(request.user))
        if query.validated_data["status"]:
            practices = practices.filter(status=query.validated_data["status"])
        return self._paged(practices)

    @extend_schema(responses=TeamPracticeSerializer(many=True))
    @action(detail=False, methods=["get"])
    def queue(self, request: Request) -> Response:
        """Items the teams of your regions agreed to share, waiting to be published or refused,
        oldest first: UN Women reviewers and administrators."""
        if not (is_admin(request.user) or is_reviewer(request.user)):
            raise PermissionDenied
        return self._paged(selectors.review_queue(request.user))

    @extend_schema(
        request=PracticeInputSerializer,
        responses={201: PracticeDetailSerializer},
        description=FILES_NOT_HERE,
    )
    def create(self, request: Request) -> Response:
        """Propose a good practice your team wrote (IAT members and coordinators): it stays
        inside the team until the coordinator agrees and UN Women publishes it."""
        data = PracticeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # As the page: a team the user may not know is a 404, one they may not propose for 403.
        team = get_country_team_for_user(request.user, values["country_team"])
        if not can_propose(request.user, team.pk):
            raise PermissionDenied
        # The PIs and dimensions the page offers: of the framework of the team's latest
        # assessment (or the current one).
        offered = selectors.team_framework_indicators(team.pk)
        by_code = {indicator.code: indicator for indicator in offered}
        dimensions = {indicator.dimension.number: indicator.dimension for indicator in offered}
        codes = list(dict.fromkeys(values["indicators"]))
        errors: dict[str, list[str]] = {}
        unknown = [code for code in codes if code not in by_code]
        if unknown:
            errors["indicators"] = [_not_available(code) for code in unknown]
        dimension = None
        if values["dimension"] is not None:
            dimension = dimensions.get(values["dimension"])
            if dimension is None:
                errors["dimension"] = [_not_available(values["dimension"])]
        if errors:
            raise ValidationError(errors)
        practice = services.propose_practice(
            country_team=team,
            by=request.user,
            title=values["title"],
            summary=values["summary"],
            what_done=values["what_done"],
            result=values["result"],
            indicators=[by_code[code] for code in codes],
            dimension=dimension,
            year=values["year"],
            language=values["language"],
            anonymous=values["anonymous"],
            links=[services.Link(url=link["url"], title=link["title"]) for link in values["links"]],
        )
        return self._detail(practice, code=status.HTTP_201_CREATED)

    @extend_schema(request=EvidenceProposalSerializer, responses={201: PracticeDetailSerializer})
    @action(detail=False, methods=["post"], url_path="propose-evidence")
    def propose_evidence(self, request: Request) -> Response:
        """Propose one of your team's evidence items (IAT members and coordinators): its file is
        copied now, and the copy is what the hub keeps."""
        data = EvidenceProposalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # The scorecard's gate first: evidence the user may not see is a 404, as on its pages.
        evidence = get_evidence_for_user(request.user, values["evidence"])
        if not can_propose(request.user, evidence.indicator_assessment.assessment.country_team_id):
            raise PermissionDenied
        practice = services.propose_evidence(
            evidence=evidence,
            by=request.user,
            summary=values["summary"],
            language=values["language"],
            title=values["title"],
            anonymous=values["anonymous"],
        )
        return self._detail(practice, code=status.HTTP_201_CREATED)

    def _reason(self, request: Request) -> str:
        data = StepReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data["reason"]

    @extend_schema(request=None, responses=PracticeDetailSerializer)
    @action(detail=True, methods=["post"])
    def agree(self, request: Request, pk: str | None = None) -> Response:
        """The team's IAT coordinator agrees to share a proposed item: the reviewers of the
        team's region may now see and publish it."""
        practice = _for_step(request.user, int(pk or 0), "agree")
        return self._detail(services.agree_by_team(practice=practice, by=request.user))

    @extend_schema(request=StepReasonSerializer, responses=PracticeDetailSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str | None = None) -> Response:
        """Refuse with a reason: a proposed item by the team's coordinator, an agreed item by a
        reviewer of the team's region or an administrator. A refusal is final."""
        practice = get_practice_for_user(request.user, int(pk or 0))
        if practice.status == Status.PROPOSED:
            step, refuse = "agree", services.refuse_by_team
        else:
            step, refuse = "publish", services.refuse_by_reviewer
        practice = _for_step(request.user, practice.pk, step)
        reason = self._reason(request)
        return self._detail(refuse(practice=practice, by=request.user, reason=reason))

    @extend_schema(request=None, responses=PracticeDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """A reviewer of the team's region or an administrator publishes an agreed item."""
        practice = _for_step(request.user, int(pk or 0), "publish")
        return self._detail(services.publish(practice=practice, by=request.user))

    @extend_schema(request=StepReasonSerializer, responses=PracticeDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Its author or the team's coordinator takes an item back (proposed, agreed or
        published); the reason is optional."""
        practice = _for_step(request.user, int(pk or 0), "withdraw")
        reason = self._reason(request)
        return self._detail(services.withdraw(practice=practice, by=request.user, reason=reason))

    @extend_schema(request=None, responses=PracticeDetailSerializer)
    @action(detail=True, methods=["post"])
    def feature(self, request: Request, pk: str | None = None) -> Response:
        """Administrators: show a published item first."""
        practice = _for_step(request.user, int(pk or 0), "curate")
        return self._detail(services.feature(practice=practice, by=request.user))

    @extend_schema(request=None, responses=PracticeDetailSerializer)
    @action(detail=True, methods=["post"])
    def unfeature(self, request: Request, pk: str | None = None) -> Response:
        """Administrators: no longer show a published item first."""
        practice = _for_step(request.user, int(pk or 0), "curate")
        return self._detail(services.feature(practice=practice, by=request.user, featured=False))

    @extend_schema(request=StepReasonSerializer, responses=PracticeDetailSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str | None = None) -> Response:
        """Administrators: take an outdated published item out of the hub; the reason is
        optional."""
        practice = _for_step(request.user, int(pk or 0), "curate")
        reason = self._reason(request)
        return self._detail(services.retire(practice=practice, by=request.user, reason=reason))
