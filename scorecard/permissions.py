"""The one permission gate per scorecard object type, used by HTML views and the API alike.

A user who may not know an object exists gets 404; one who may see it but not act gets 403.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.permissions import can_coordinate_team, can_edit_team_content, can_view_team

from .models import ActionPoint, Assessment, Evidence, IndicatorAssessment

AnyUser = User | AnonymousUser


def can_view_assessment(user: AnyUser, assessment: Assessment) -> bool:
    return can_view_team(user, assessment.country_team_id)


def can_edit_assessment(user: AnyUser, assessment: Assessment) -> bool:
    return assessment.status == Assessment.Status.DRAFT and can_edit_team_content(
        user, assessment.country_team_id
    )


def can_coordinate_assessment(user: AnyUser, assessment: Assessment) -> bool:
    return assessment.status == Assessment.Status.DRAFT and can_coordinate_team(
        user, assessment.country_team_id
    )


def _check(user: AnyUser, assessment: Assessment, *, write: bool) -> None:
    if not can_view_assessment(user, assessment):
        raise Http404
    if write and not can_edit_assessment(user, assessment):
        raise PermissionDenied


def get_assessment_for_user(
    user: AnyUser, code: str, year: int, *, write: bool = False
) -> Assessment:
    assessment = (
        Assessment.objects.select_related("country_team__region", "framework")
        .filter(country_team__code=code.upper(), year=year)
        .first()
    )
    if assessment is None:
        raise Http404
    _check(user, assessment, write=write)
    return assessment


def get_indicator_assessment_for_user(
    user: AnyUser, code: str, year: int, pi_code: str, *, write: bool = False
) -> IndicatorAssessment:
    row = (
        IndicatorAssessment.objects.select_related(
            "assessment__country_team__region",
            "assessment__framework",
            "indicator__dimension",
        )
        .filter(
            assessment__country_team__code=code.upper(),
            assessment__year=year,
            indicator__code=pi_code,
        )
        .first()
    )
    if row is None:
        raise Http404
    _check(user, row.assessment, write=write)
    return row


def get_evidence_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Evidence:
    evidence = (
        Evidence.objects.select_related(
            "indicator_assessment__assessment__country_team", "indicator_assessment__indicator"
        )
        .filter(pk=pk)
        .first()
    )
    if evidence is None:
        raise Http404
    _check(user, evidence.indicator_assessment.assessment, write=write)
    return evidence


def get_action_point_for_user(user: AnyUser, pk: int, *, write: bool = False) -> ActionPoint:
    action_point = (
        ActionPoint.objects.select_related(
            "assessment__country_team", "assessment__framework", "indicator"
        )
        .filter(pk=pk)
        .first()
    )
    if action_point is None:
        raise Http404
    _check(user, action_point.assessment, write=write)
    return action_point
