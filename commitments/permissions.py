"""The one permission gate per commitments object type.

Commitments, makers and progress reports are public: anyone may read them, so a gate raises 404
only when the object does not exist. Writing needs a login (views are wrapped in login_required)
and an editor role for the maker (MakerMembership), or an administrator: everyone else gets 403.

Scorecard data stays private: a commitment's link to a PI rating or action point is shown only to
users who may see that country team (core.permissions).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from core.permissions import can_view_team, is_admin

from .models import Commitment, CommitmentMaker, MakerMembership, ProgressReport

AnyUser = User | AnonymousUser
Role = MakerMembership.Role


def maker_roles(user: AnyUser) -> dict[int, str]:
    """maker id → the user's role there; loaded once per request (cached on the user)."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, "_maker_roles", None)
    if cached is None:
        cached = dict(MakerMembership.objects.filter(user=user).values_list("maker_id", "role"))
        user._maker_roles = cached  # type: ignore[union-attr]
    return cached


def can_edit_maker(user: AnyUser, maker_id: int) -> bool:
    """Editors of the maker file and update its commitments and progress reports."""
    return is_admin(user) or maker_roles(user).get(maker_id) == Role.EDITOR


def can_import(user: AnyUser) -> bool:
    """A bulk import may create makers, so only administrators may run one."""
    return is_admin(user)


def can_see_scorecard_link(user: AnyUser, commitment: Commitment) -> bool:
    """The PI rating / action point a commitment is linked to is the country team's business."""
    return commitment.country_team_id is not None and can_view_team(
        user, commitment.country_team_id
    )


def makers_editable_by(user: AnyUser) -> QuerySet[CommitmentMaker]:
    makers = CommitmentMaker.objects.prefetch_related("leads")
    if is_admin(user):
        return makers
    editable = [pk for pk, role in maker_roles(user).items() if role == Role.EDITOR]
    return makers.filter(pk__in=editable)


def can_file_commitments(user: AnyUser) -> bool:
    """Filing a new commitment needs an editor role for at least one maker (or administrator);
    the page's "File a commitment" button and the API's create both ask this."""
    return user.is_authenticated and makers_editable_by(user).exists()


def _check(user: AnyUser, maker_id: int, *, write: bool) -> None:
    if write and not can_edit_maker(user, maker_id):
        raise PermissionDenied


def get_maker_for_user(user: AnyUser, pk: int, *, write: bool = False) -> CommitmentMaker:
    maker = (
        CommitmentMaker.objects.select_related("country_team")
        .prefetch_related("leads")
        .filter(pk=pk)
        .first()
    )
    if maker is None:
        raise Http404
    _check(user, maker.pk, write=write)
    return maker


def get_commitment_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Commitment:
    commitment = (
        Commitment.objects.select_related(
            "maker",
            "country_team",
            "indicator_assessment__assessment__country_team",
            "indicator_assessment__indicator",
            "action_point__assessment__country_team",
            "action_point__indicator",
        )
        .prefetch_related("coalitions", "compact_areas", "maker__leads")
        .filter(pk=pk)
        .first()
    )
    if commitment is None:
        raise Http404
    _check(user, commitment.maker_id, write=write)
    return commitment


def get_progress_report_for_user(user: AnyUser, pk: int, *, write: bool = False) -> ProgressReport:
    report = ProgressReport.objects.select_related("commitment__maker").filter(pk=pk).first()
    if report is None:
        raise Http404
    _check(user, report.commitment.maker_id, write=write)
    return report
