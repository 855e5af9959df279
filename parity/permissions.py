"""The one permission gate per parity object type.

Staffing snapshots belong to a country team: its members read them, IAT members and coordinators
(and administrators) write them; a user who may not know the team exists gets 404, one who may
read but not write gets 403. UN Women reviewers of the team's region read them with small cells
protected, like everyone outside the team. The global view is for administrators and reviewers
(core.permissions.can_view_global). The parity strategy tracker is read by every logged-in user
and written by administrators, through the Django admin.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.models import CountryTeam, UNEntity
from core.permissions import (
    can_edit_team_content,
    can_view_global,
    get_country_team_for_user,
    role_in,
)

from .models import MAX_YEAR, MIN_YEAR, StaffingSnapshot

AnyUser = User | AnonymousUser


def can_edit_staffing(user: AnyUser, country_team: CountryTeam) -> bool:
    return can_edit_team_content(user, country_team.pk)


def sees_small_cells(user: AnyUser, country_team: CountryTeam) -> bool:
    """Only the team's own members see levels of fewer than 5 people; figures that leave the team
    (reviewers, administrators, global views, the PDF) are protected."""
    return role_in(user, country_team.pk) is not None


def get_snapshot_for_user(
    user: AnyUser, code: str, year: int, *, write: bool = False
) -> tuple[CountryTeam, StaffingSnapshot | None]:
    """The team and its snapshot for the year (None before any figures are entered).

    404 when the user may not know the team (or the year is absurd), 403 when `write` and the
    user may only read.
    """
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    team = get_country_team_for_user(user, code)
    if write and not can_edit_staffing(user, team):
        raise PermissionDenied
    snapshot = (
        StaffingSnapshot.objects.select_related("updated_by")
        .filter(country_team=team, year=year)
        .first()
    )
    if snapshot is not None:
        snapshot.country_team = team  # already loaded, with its region
    return team, snapshot


def check_global_access(user: AnyUser) -> None:
    """Cross-team parity: administrators and reviewers; anyone else may see it exists (403)."""
    if not can_view_global(user):
        raise PermissionDenied


def get_strategy_entity_for_user(user: AnyUser, acronym: str, *, write: bool = False) -> UNEntity:
    """An entity's parity strategy tracker: public to logged-in users; written in the admin."""
    if not user.is_authenticated:
        raise PermissionDenied
    entity = UNEntity.objects.filter(acronym__iexact=acronym).first()
    if entity is None:
        raise Http404
    if write and not user.is_superuser:
        raise PermissionDenied
    return entity
