"""The one permission gate per scorecard object type, used by HTML views and the API alike.

A user who may not know an object exists gets 404; one who may see it but not act gets 403.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from core.models import Membership
from core.permissions import (
    can_coordinate_team,
    can_edit_team_content,
    can_review_team,
    can_view_team,
    role_in,
)

from .models import ActionPoint, Assessment, Comment, Evidence, IndicatorAssessment
from .states import EDITABLE, REVIEWER_VISIBLE

AnyUser = User | AnonymousUser


def can_view_assessment(user: AnyUser, assessment: Assessment) -> bool:
    """Team members see their team's assessments; reviewers see their regions' submitted work."""
    return can_view_team(user, assessment.country_team_id) or (
        assessment.status in REVIEWER_VISIBLE and can_review_team(user, assessment.country_team)
    )


def can_edit_assessment(user: AnyUser, assessment: Assessment) -> bool:
    """Ratings, findings, evidence and the action plan change only while the team holds it."""
    return assessment.status in EDITABLE and can_edit_team_content(user, assessment.country_team_id)


def read_only_reason(user: AnyUser, assessment: Assessment) -> str:
    """Why the user may not edit the assessment's PIs, in words for the PI page; empty when
    they may. The state comes first (it holds for everyone); then the user's role."""
    Status = Assessment.Status
    if can_edit_assessment(user, assessment):
        return ""
    by_state = {
        Status.AWAITING_ENDORSEMENT: _(
            "Read only: the assessment is awaiting the UNCT's endorsement. It can change again "
            "if the Resident Coordinator sends it back to the assessment team."
        ),
        Status.SUBMITTED: _(
            "Read only: the assessment was submitted to UN Women and waits for its quality review."
        ),
        Status.IN_REVIEW: _(
            "Read only: UN Women is reviewing the assessment. It can change again if the "
            "reviewer returns it to the team."
        ),
        Status.APPROVED: _(
            "Read only: the assessment is approved. The IAT coordinator or the Resident "
            "Coordinator can ask UN Women to reopen it."
        ),
    }
    if assessment.status in by_state:
        return str(by_state[assessment.status])
    role = role_in(user, assessment.country_team_id)
    if role == Membership.Role.VIEWER:
        return _("Read only: you are a viewer of this team. IAT members and coordinators edit it.")
    if role == Membership.Role.RESIDENT_COORDINATOR:
        return _(
            "Read only: as Resident Coordinator you endorse the assessment; IAT members and "
            "coordinators edit it."
        )
    if can_review_team(user, assessment.country_team):
        return _("Read only: as a UN Women reviewer you comment on the PIs; the team edits them.")
    return _("Read only: only the team's IAT members and coordinators edit the assessment.")


def can_coordinate_assessment(user: AnyUser, assessment: Assessment) -> bool:
    return assessment.status in EDITABLE and can_coordinate_team(user, assessment.country_team_id)


def can_comment(user: AnyUser, assessment: Assessment) -> bool:
    """Reviewers and the team (not read-only viewers) discuss PIs until approval."""
    if assessment.status == Assessment.Status.APPROVED or not can_view_assessment(user, assessment):
        return False
    role = role_in(user, assessment.country_team_id)
    team_writer = role is not None and role != Membership.Role.VIEWER
    return team_writer or can_review_team(user, assessment.country_team)


def can_resolve_comment(user: AnyUser, comment: Comment) -> bool:
    assessment = comment.indicator_assessment.assessment
    return can_comment(user, assessment) and (
        comment.author_id == getattr(user, "pk", None)
        or can_edit_team_content(user, assessment.country_team_id)
        or can_review_team(user, assessment.country_team)
    )


def _check(user: AnyUser, assessment: Assessment, *, write: bool) -> None:
    if not can_view_assessment(user, assessment):
        raise Http404
    if write and not can_edit_assessment(user, assessment):
        raise PermissionDenied


def get_assessment_for_user(
    user: AnyUser,
    code: str | None = None,
    year: int | None = None,
    *,
    pk: int | None = None,
    write: bool = False,
) -> Assessment:
    """The assessment by team code and year (HTML) or by id (API), through the same check."""
    lookup = (
        {"pk": pk} if pk is not None else {"country_team__code": (code or "").upper(), "year": year}
    )
    assessment = (
        Assessment.objects.select_related("country_team__region", "framework")
        .filter(**lookup)
        .first()
    )
    if assessment is None:
        raise Http404
    _check(user, assessment, write=write)
    return assessment


def get_indicator_assessment_for_user(
    user: AnyUser,
    code: str | None = None,
    year: int | None = None,
    pi_code: str | None = None,
    *,
    pk: int | None = None,
    write: bool = False,
) -> IndicatorAssessment:
    """A PI rating by team code, year and PI code (HTML) or by id (API), same check."""
    lookup = (
        {"pk": pk}
        if pk is not None
        else {
            "assessment__country_team__code": (code or "").upper(),
            "assessment__year": year,
            "indicator__code": pi_code,
        }
    )
    row = (
        IndicatorAssessment.objects.select_related(
            "assessment__country_team__region",
            "assessment__framework",
            "indicator__dimension",
        )
        .filter(**lookup)
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


def get_comment_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Comment:
    comment = (
        Comment.objects.select_related(
            "indicator_assessment__assessment__country_team", "indicator_assessment__indicator"
        )
        .filter(pk=pk)
        .first()
    )
    if comment is None or not can_view_assessment(user, comment.indicator_assessment.assessment):
        raise Http404
    if write and not can_resolve_comment(user, comment):
        raise PermissionDenied
    return comment
